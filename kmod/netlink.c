// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink family "mlog": the control plane of mlog.ko.
 *
 * Every request is validated strictly against mlog_policy; attributes
 * that only the kernel sends are rejected in requests, and refusals the
 * policy cannot express carry an extack message naming the attribute.
 */
#include <linux/module.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <net/sock.h>

#include "mlog.h"

static const struct nla_policy mlog_policy[MLOG_ATTR_MAX + 1] = {
	[MLOG_ATTR_VERSION]	= { .type = NLA_REJECT },
	[MLOG_ATTR_FAMILY]	= { .type = NLA_REJECT },
	[MLOG_ATTR_WIRE_VERSION] = { .type = NLA_REJECT },
	[MLOG_ATTR_STATS]	= { .type = NLA_REJECT },
	[MLOG_ATTR_NODE_ADDR]	= NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[MLOG_ATTR_UDP_PORT]	= NLA_POLICY_MIN(NLA_U16, 1),
	[MLOG_ATTR_NODE_ID]	= { .type = NLA_U32 },
	[MLOG_ATTR_PEER]	= { .type = NLA_REJECT },
	[MLOG_ATTR_SOCK]	= { .type = NLA_REJECT },
	[MLOG_ATTR_LOG_MODE]	= { .type = NLA_REJECT },
};

enum mlog_mcgrp {
	MLOG_MCGRP_EVENTS,
};

static struct genl_family mlog_genl_family;

static int mlog_put_stats(struct sk_buff *skb, struct mlog_net *mn)
{
	struct nlattr *nest;
	int i;

	nest = nla_nest_start(skb, MLOG_ATTR_STATS);
	if (!nest)
		return -EMSGSIZE;
	for (i = MLOG_STAT_SOCKETS; i < __MLOG_STAT_MAX; i++) {
		if (nla_put_u64_64bit(skb, i, atomic64_read(&mn->stats.v[i]),
				      MLOG_STAT_PAD)) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int mlog_put_node(struct sk_buff *skb, struct mlog_net *mn)
{
	int err;

	mutex_lock(&mn->cfg_lock);
	err = nla_put(skb, MLOG_ATTR_NODE_ADDR, sizeof(mn->node_addr),
		      &mn->node_addr) ||
	      nla_put_u16(skb, MLOG_ATTR_UDP_PORT, mn->udp_port) ||
	      nla_put_u32(skb, MLOG_ATTR_NODE_ID, mn->node_id) ||
	      nla_put_u32(skb, MLOG_ATTR_LOG_MODE, mn->log_ops->mode);
	mutex_unlock(&mn->cfg_lock);
	return err ? -EMSGSIZE : 0;
}

enum mlog_reply_parts {
	MLOG_REPLY_MODULE	= BIT(0),
	MLOG_REPLY_NODE		= BIT(1),
	MLOG_REPLY_STATS	= BIT(2),
};

static int mlog_reply(struct genl_info *info, u8 cmd, unsigned int parts)
{
	struct mlog_net *mn = mlog_pernet(genl_info_net(info));
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &mlog_genl_family, 0, cmd);
	if (!hdr)
		goto fail;
	if ((parts & MLOG_REPLY_MODULE) &&
	    (nla_put_string(msg, MLOG_ATTR_VERSION, MLOG_VERSION) ||
	     nla_put_u32(msg, MLOG_ATTR_FAMILY, mlog_family) ||
	     nla_put_u32(msg, MLOG_ATTR_WIRE_VERSION, MLOG_WIRE_VERSION)))
		goto fail;
	if ((parts & MLOG_REPLY_NODE) && mlog_put_node(msg, mn))
		goto fail;
	if ((parts & MLOG_REPLY_STATS) && mlog_put_stats(msg, mn))
		goto fail;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
fail:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static int mlog_nl_status_get(struct sk_buff *skb, struct genl_info *info)
{
	return mlog_reply(info, MLOG_CMD_STATUS_GET, MLOG_REPLY_MODULE |
			  MLOG_REPLY_NODE | MLOG_REPLY_STATS);
}

static int mlog_nl_node_get(struct sk_buff *skb, struct genl_info *info)
{
	return mlog_reply(info, MLOG_CMD_NODE_GET, MLOG_REPLY_NODE);
}

static int mlog_nl_stats_get(struct sk_buff *skb, struct genl_info *info)
{
	return mlog_reply(info, MLOG_CMD_STATS_GET, MLOG_REPLY_STATS);
}

static int mlog_nl_node_set(struct sk_buff *skb, struct genl_info *info)
{
	struct mlog_net *mn = mlog_pernet(genl_info_net(info));
	struct nlattr **tb = info->attrs;
	struct in6_addr addr;
	int err;

	if (!tb[MLOG_ATTR_NODE_ADDR] && !tb[MLOG_ATTR_UDP_PORT] &&
	    !tb[MLOG_ATTR_NODE_ID]) {
		NL_SET_ERR_MSG(info->extack,
			       "nothing to set: give a node address, UDP port or node id");
		return -EINVAL;
	}
	if (tb[MLOG_ATTR_NODE_ADDR]) {
		nla_memcpy(&addr, tb[MLOG_ATTR_NODE_ADDR], sizeof(addr));
		if (!mlog_addr_is_v4(&addr)) {
			NL_SET_ERR_MSG_ATTR(info->extack,
					    tb[MLOG_ATTR_NODE_ADDR],
					    "node address must be an IPv4-mapped IPv6 address");
			return -EAFNOSUPPORT;
		}
	}
	/* The port change can fail (port taken); do it before the rest. */
	if (tb[MLOG_ATTR_UDP_PORT]) {
		err = mlog_transport_reconfigure(mn,
						 nla_get_u16(tb[MLOG_ATTR_UDP_PORT]));
		if (err) {
			NL_SET_ERR_MSG_ATTR(info->extack, tb[MLOG_ATTR_UDP_PORT],
					    "cannot bind the transport to this UDP port");
			return err;
		}
	}
	mutex_lock(&mn->cfg_lock);
	if (tb[MLOG_ATTR_NODE_ADDR])
		mn->node_addr = addr;
	if (tb[MLOG_ATTR_NODE_ID])
		mn->node_id = nla_get_u32(tb[MLOG_ATTR_NODE_ID]);
	mutex_unlock(&mn->cfg_lock);

	/*
	 * A configured node listens at once, so that frames sent to it
	 * before any socket binds are counted (no port) rather than bounced
	 * by UDP unseen.
	 */
	err = mlog_transport_get(mn);
	if (err)
		NL_SET_ERR_MSG(info->extack,
			       "cannot open the transport's UDP socket");
	return err;
}

static int mlog_put_peer(struct sk_buff *skb, struct mlog_peer *p)
{
	unsigned long heard = READ_ONCE(p->last_heard);
	struct nlattr *nest;

	nest = nla_nest_start(skb, MLOG_ATTR_PEER);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put(skb, MLOG_PEER_ADDR, sizeof(p->addr), &p->addr) ||
	    nla_put_u32(skb, MLOG_PEER_STATE, READ_ONCE(p->state)) ||
	    (heard &&
	     nla_put_u64_64bit(skb, MLOG_PEER_LAST_HEARD_MS,
			       jiffies_to_msecs(jiffies - heard),
			       MLOG_PEER_PAD)) ||
	    nla_put_u64_64bit(skb, MLOG_PEER_TX_FRAMES,
			      atomic64_read(&p->tx_frames), MLOG_PEER_PAD) ||
	    nla_put_u64_64bit(skb, MLOG_PEER_RX_FRAMES,
			      atomic64_read(&p->rx_frames), MLOG_PEER_PAD) ||
	    nla_put_u64_64bit(skb, MLOG_PEER_RETRANSMITS,
			      atomic64_read(&p->retransmits), MLOG_PEER_PAD)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int mlog_nl_peer_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct mlog_net *mn = mlog_pernet(sock_net(skb->sk));
	unsigned int bkt = cb->args[0], skip = cb->args[1], idx;
	struct mlog_peer *p;
	void *hdr;

	rcu_read_lock();
	for (; bkt < HASH_SIZE(mn->peers); bkt++, skip = 0) {
		idx = 0;
		hlist_for_each_entry_rcu(p, &mn->peers[bkt], node) {
			if (idx++ < skip)
				continue;
			hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
					  cb->nlh->nlmsg_seq, &mlog_genl_family,
					  NLM_F_MULTI, MLOG_CMD_PEER_GET);
			if (!hdr)
				goto full;
			if (mlog_put_peer(skb, p)) {
				genlmsg_cancel(skb, hdr);
				goto full;
			}
			genlmsg_end(skb, hdr);
			continue;
full:
			cb->args[0] = bkt;
			cb->args[1] = idx - 1;
			goto out;
		}
	}
	cb->args[0] = bkt;
	cb->args[1] = 0;
out:
	rcu_read_unlock();
	return skb->len;
}

static int mlog_fill_sock(struct sk_buff *skb, struct netlink_callback *cb,
			  struct mlog_sock *ms)
{
	struct sock *sk = &ms->sk;
	struct nlattr *nest;
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &mlog_genl_family, NLM_F_MULTI, MLOG_CMD_SOCK_GET);
	if (!hdr)
		return -EMSGSIZE;
	nest = nla_nest_start(skb, MLOG_ATTR_SOCK);
	if (!nest ||
	    nla_put_u16(skb, MLOG_SOCK_PORT, ms->port) ||
	    nla_put_u32(skb, MLOG_SOCK_TYPE, sk->sk_type) ||
	    nla_put_u64_64bit(skb, MLOG_SOCK_INODE, sock_i_ino(sk),
			      MLOG_SOCK_PAD) ||
	    nla_put_u32(skb, MLOG_SOCK_FLOWS, READ_ONCE(ms->nflows)) ||
	    nla_put_u64_64bit(skb, MLOG_SOCK_TX_QUEUED,
			      READ_ONCE(ms->tx_queued), MLOG_SOCK_PAD) ||
	    nla_put_u64_64bit(skb, MLOG_SOCK_RX_QUEUED,
			      atomic_read(&sk->sk_rmem_alloc), MLOG_SOCK_PAD) ||
	    nla_put_u64_64bit(skb, MLOG_SOCK_TX_MSGS,
			      READ_ONCE(ms->stats.tx_msgs), MLOG_SOCK_PAD) ||
	    nla_put_u64_64bit(skb, MLOG_SOCK_RX_MSGS,
			      READ_ONCE(ms->stats.rx_msgs), MLOG_SOCK_PAD) ||
	    nla_put_u64_64bit(skb, MLOG_SOCK_RETRANSMITS,
			      READ_ONCE(ms->stats.retransmits), MLOG_SOCK_PAD) ||
	    nla_put_u64_64bit(skb, MLOG_SOCK_RX_DUP,
			      READ_ONCE(ms->stats.rx_dup), MLOG_SOCK_PAD) ||
	    nla_put_u64_64bit(skb, MLOG_SOCK_RX_DROPS,
			      READ_ONCE(ms->stats.rx_drops), MLOG_SOCK_PAD)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return 0;
}

static int mlog_nl_sock_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	return mlog_sock_dump(skb, cb, mlog_fill_sock);
}

/*
 * Tell listeners on the "events" group that @peer changed state.  Called
 * from timers and the receive path: atomic, best effort.
 */
void mlog_notify_peer(struct mlog_net *mn, struct mlog_peer *peer)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_ATOMIC);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &mlog_genl_family, 0,
			  MLOG_CMD_EVENT_PEER);
	if (!hdr || mlog_put_peer(msg, peer)) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	genlmsg_multicast_netns(&mlog_genl_family, mn->net, msg, 0,
				MLOG_MCGRP_EVENTS, GFP_ATOMIC);
}

static const struct genl_small_ops mlog_genl_ops[] = {
	{
		.cmd	= MLOG_CMD_STATUS_GET,
		.doit	= mlog_nl_status_get,
	},
	{
		.cmd	= MLOG_CMD_NODE_GET,
		.doit	= mlog_nl_node_get,
	},
	{
		.cmd	= MLOG_CMD_NODE_SET,
		.doit	= mlog_nl_node_set,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= MLOG_CMD_STATS_GET,
		.doit	= mlog_nl_stats_get,
	},
	{
		.cmd	= MLOG_CMD_PEER_GET,
		.dumpit	= mlog_nl_peer_dump,
	},
	{
		.cmd	= MLOG_CMD_SOCK_GET,
		.dumpit	= mlog_nl_sock_dump,
	},
};

static const struct genl_multicast_group mlog_mcgrps[] = {
	[MLOG_MCGRP_EVENTS] = { .name = MLOG_GENL_MCGRP_EVENTS },
};

static struct genl_family mlog_genl_family __ro_after_init = {
	.name		= MLOG_GENL_NAME,
	.version	= MLOG_GENL_VERSION,
	.maxattr	= MLOG_ATTR_MAX,
	.policy		= mlog_policy,
	.netnsok	= true,
	.module		= THIS_MODULE,
	.small_ops	= mlog_genl_ops,
	.n_small_ops	= ARRAY_SIZE(mlog_genl_ops),
	.mcgrps		= mlog_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(mlog_mcgrps),
};

int mlog_netlink_init(void)
{
	return genl_register_family(&mlog_genl_family);
}

void mlog_netlink_exit(void)
{
	genl_unregister_family(&mlog_genl_family);
}
