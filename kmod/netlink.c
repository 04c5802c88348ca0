// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink family "mlog": the control plane of mlog.ko.
 *
 * Every request is validated strictly against mlog_policy; attributes
 * that only the kernel sends are rejected in requests, and refusals the
 * policy cannot express carry an extack message naming the attribute.
 *
 * The top of the module: it may call anything below it (hosts, the log,
 * routes, replay, the transport, the port table's walk), and it
 * implements the notification interface (notify.h) through which peers,
 * the log and replay raise events.
 */
#include <linux/module.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <net/sock.h>

#include "mlog.h"
#include "notify.h"

static const struct nla_policy mlog_dep_policy[MLOG_DEP_MAX + 1] = {
	[MLOG_DEP_HOST]		= NLA_POLICY_MIN(NLA_U32, 1),
	[MLOG_DEP_INTERVAL]	= { .type = NLA_U64 },
};

static const struct nla_policy mlog_host_policy[MLOG_HOST_MAX + 1] = {
	[MLOG_HOST_INDEX]	= NLA_POLICY_MIN(NLA_U32, 1),
	[MLOG_HOST_INCARNATION]	= { .type = NLA_U32 },
	[MLOG_HOST_PID]		= NLA_POLICY_MIN(NLA_U32, 1),
	[MLOG_HOST_PIDNS]	= { .type = NLA_REJECT },
	[MLOG_HOST_RSN]		= { .type = NLA_U64 },
	[MLOG_HOST_SSN]		= { .type = NLA_U64 },
	[MLOG_HOST_DEPS]	= NLA_POLICY_NESTED_ARRAY(mlog_dep_policy),
	[MLOG_HOST_DEP]		= { .type = NLA_REJECT },
	[MLOG_HOST_UNACKED]	= { .type = NLA_REJECT },
	[MLOG_HOST_HISTORY]	= { .type = NLA_REJECT },
	[MLOG_HOST_SOCKETS]	= { .type = NLA_REJECT },
	[MLOG_HOST_TX_PLAIN]	= { .type = NLA_REJECT },
	[MLOG_HOST_TX_PIGGYBACK] = { .type = NLA_REJECT },
	[MLOG_HOST_TX_DELAYED]	= { .type = NLA_REJECT },
	[MLOG_HOST_HIST_PURGE]	= { .type = NLA_U64 },
	[MLOG_HOST_REPLAY]	= { .type = NLA_FLAG },
	[MLOG_HOST_REPLAYING]	= { .type = NLA_REJECT },
	[MLOG_HOST_REPLAY_QUEUED] = { .type = NLA_REJECT },
	[MLOG_HOST_REPLAYED]	= { .type = NLA_REJECT },
	[MLOG_HOST_PEND_FIRST]	= { .type = NLA_REJECT },
};

static struct netlink_range_validation mlog_log_max_range __ro_after_init = {
	.min	= MLOG_LOG_BLOCK_BYTES,
	.max	= U64_MAX,
};

static struct netlink_range_validation mlog_delay_range __ro_after_init = {
	.min	= 0,
	.max	= USEC_PER_SEC,
};

static const struct nla_policy mlog_log_policy[MLOG_LOG_ATTR_MAX + 1] = {
	[MLOG_LOG_MAX_BYTES]	= NLA_POLICY_FULL_RANGE(NLA_U64, &mlog_log_max_range),
	[MLOG_LOG_BYTES]	= { .type = NLA_REJECT },
	[MLOG_LOG_ENTRIES]	= { .type = NLA_REJECT },
	[MLOG_LOG_PIGGYBACK]	= NLA_POLICY_MAX(NLA_U8, 1),
	[MLOG_LOG_RANGES]	= NLA_POLICY_MAX(NLA_U8, 1),
	[MLOG_LOG_RSN_DELAY_US]	= NLA_POLICY_FULL_RANGE(NLA_U32, &mlog_delay_range),
	[MLOG_LOG_BLOCK_SIZE]	= { .type = NLA_REJECT },
	[MLOG_LOG_PRESSURE]	= { .type = NLA_REJECT },
};

static const struct nla_policy mlog_entry_policy[MLOG_ENTRY_MAX + 1] = {
	[MLOG_ENTRY_SRC_HOST]	= NLA_POLICY_MIN(NLA_U32, 1),
	[MLOG_ENTRY_DST_HOST]	= { .type = NLA_U32 },
	[MLOG_ENTRY_DST_NODE]	= { .type = NLA_REJECT },
	[MLOG_ENTRY_DST_PORT]	= { .type = NLA_REJECT },
	[MLOG_ENTRY_SRC_PORT]	= { .type = NLA_REJECT },
	[MLOG_ENTRY_SSN]	= { .type = NLA_REJECT },
	[MLOG_ENTRY_HOST_SSN]	= { .type = NLA_REJECT },
	[MLOG_ENTRY_INTERVAL]	= { .type = NLA_REJECT },
	[MLOG_ENTRY_RSN]	= { .type = NLA_U64 },
	[MLOG_ENTRY_STATE]	= { .type = NLA_REJECT },
	[MLOG_ENTRY_LEN]	= { .type = NLA_REJECT },
	[MLOG_ENTRY_DATA]	= { .type = NLA_FLAG },
	[MLOG_ENTRY_EXTRA_RSNS]	= { .type = NLA_REJECT },
	[MLOG_ENTRY_DGRAM]	= { .type = NLA_REJECT },
	[MLOG_ENTRY_SRC_EPOCH]	= { .type = NLA_REJECT },
	[MLOG_ENTRY_SRC_HOSTADDR] = { .type = NLA_REJECT },
	[MLOG_ENTRY_DST_HOSTADDR] = { .type = NLA_REJECT },
	[MLOG_ENTRY_SRC_NODE]	= { .type = NLA_REJECT },
};

static struct netlink_range_validation mlog_msg_len_range __ro_after_init = {
	.min	= 0,
	.max	= MLOG_MAX_MSG,
};

/*
 * A logged message pushed for replay: what it was and where it goes, as a
 * log dump describes it (its bytes are the request's MLOG_ATTR_DATA).
 */
static const struct nla_policy mlog_replay_entry_policy[MLOG_ENTRY_MAX + 1] = {
	[MLOG_ENTRY_SRC_HOST]	= { .type = NLA_U32 },
	[MLOG_ENTRY_DST_HOST]	= NLA_POLICY_MIN(NLA_U32, 1),
	[MLOG_ENTRY_DST_NODE]	= { .type = NLA_REJECT },
	[MLOG_ENTRY_DST_PORT]	= NLA_POLICY_MIN(NLA_U16, 1),
	[MLOG_ENTRY_SRC_PORT]	= NLA_POLICY_MIN(NLA_U16, 1),
	[MLOG_ENTRY_SSN]	= NLA_POLICY_MIN(NLA_U64, 1),
	[MLOG_ENTRY_HOST_SSN]	= { .type = NLA_REJECT },
	[MLOG_ENTRY_INTERVAL]	= { .type = NLA_U64 },
	[MLOG_ENTRY_RSN]	= NLA_POLICY_MIN(NLA_U64, 1),
	[MLOG_ENTRY_STATE]	= { .type = NLA_REJECT },
	[MLOG_ENTRY_LEN]	= NLA_POLICY_FULL_RANGE(NLA_U32, &mlog_msg_len_range),
	[MLOG_ENTRY_DATA]	= { .type = NLA_REJECT },
	[MLOG_ENTRY_EXTRA_RSNS]	= { .type = NLA_REJECT },
	[MLOG_ENTRY_DGRAM]	= { .type = NLA_FLAG },
	[MLOG_ENTRY_SRC_EPOCH]	= NLA_POLICY_MIN(NLA_U32, 1),
	[MLOG_ENTRY_SRC_HOSTADDR] = { .type = NLA_FLAG },
	[MLOG_ENTRY_DST_HOSTADDR] = { .type = NLA_FLAG },
	[MLOG_ENTRY_SRC_NODE]	= NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
};

static const struct nla_policy mlog_route_policy[MLOG_ROUTE_MAX + 1] = {
	[MLOG_ROUTE_HOST]	= NLA_POLICY_MIN(NLA_U32, 1),
	[MLOG_ROUTE_NODE]	= NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[MLOG_ROUTE_INCARNATION] = { .type = NLA_U32 },
	[MLOG_ROUTE_STATE]	= NLA_POLICY_RANGE(NLA_U32, MLOG_ROUTE_LIVE,
						   MLOG_ROUTE_RECOVERING),
	[MLOG_ROUTE_REPLAYED]	= { .type = NLA_U64 },
	[MLOG_ROUTE_LOCAL]	= { .type = NLA_REJECT },
};

static const struct nla_policy mlog_hist_policy[MLOG_HIST_MAX + 1] = {
	[MLOG_HIST_HOST]	= NLA_POLICY_MIN(NLA_U32, 1),
	[MLOG_HIST_SRC_HOST]	= { .type = NLA_REJECT },
	[MLOG_HIST_NODE]	= { .type = NLA_REJECT },
	[MLOG_HIST_PORT]	= { .type = NLA_REJECT },
	[MLOG_HIST_LPORT]	= { .type = NLA_REJECT },
	[MLOG_HIST_SSN]		= { .type = NLA_REJECT },
	[MLOG_HIST_RSN]		= { .type = NLA_REJECT },
	[MLOG_HIST_COUNT]	= { .type = NLA_REJECT },
	[MLOG_HIST_INTERVAL]	= { .type = NLA_REJECT },
};

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
	[MLOG_ATTR_HOST]	= NLA_POLICY_NESTED(mlog_host_policy),
	[MLOG_ATTR_LOG]		= NLA_POLICY_NESTED(mlog_log_policy),
	[MLOG_ATTR_LOG_ENTRY]	= NLA_POLICY_NESTED(mlog_entry_policy),
	[MLOG_ATTR_HIST]	= NLA_POLICY_NESTED(mlog_hist_policy),
	[MLOG_ATTR_DATA]	= { .type = NLA_REJECT },
	[MLOG_ATTR_ROUTE]	= NLA_POLICY_NESTED(mlog_route_policy),
};

/* REPLAY_PUSH: its entry is described as a dump describes one. */
static const struct nla_policy mlog_replay_policy[MLOG_ATTR_MAX + 1] = {
	[MLOG_ATTR_LOG_ENTRY]	= NLA_POLICY_NESTED(mlog_replay_entry_policy),
	[MLOG_ATTR_DATA]	= { .type = NLA_BINARY, .len = MLOG_DATA_CHUNK },
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

static int mlog_put_log(struct sk_buff *skb, struct mlog_net *mn,
			int pressure)
{
	struct mlog_log *log = &mn->log;
	struct nlattr *nest;
	u64 bytes, max, entries;

	spin_lock_bh(&log->lock);
	bytes = log->bytes;
	max = log->max_bytes;
	entries = log->entries;
	spin_unlock_bh(&log->lock);
	nest = nla_nest_start(skb, MLOG_ATTR_LOG);
	if (!nest ||
	    nla_put_u64_64bit(skb, MLOG_LOG_MAX_BYTES, max, MLOG_LOG_PAD) ||
	    nla_put_u64_64bit(skb, MLOG_LOG_BYTES, bytes, MLOG_LOG_PAD) ||
	    nla_put_u64_64bit(skb, MLOG_LOG_ENTRIES, entries, MLOG_LOG_PAD) ||
	    nla_put_u8(skb, MLOG_LOG_PIGGYBACK, READ_ONCE(log->piggyback)) ||
	    nla_put_u8(skb, MLOG_LOG_RANGES, READ_ONCE(log->ranges)) ||
	    nla_put_u32(skb, MLOG_LOG_RSN_DELAY_US,
			READ_ONCE(log->rsn_delay_us)) ||
	    nla_put_u32(skb, MLOG_LOG_BLOCK_SIZE, MLOG_LOG_BLOCK_BYTES) ||
	    (pressure >= 0 && nla_put_u8(skb, MLOG_LOG_PRESSURE, pressure)))
		return -EMSGSIZE;
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
	      nla_put_u32(skb, MLOG_ATTR_LOG_MODE, READ_ONCE(mn->log_mode));
	mutex_unlock(&mn->cfg_lock);
	if (!err)
		err = mlog_put_log(skb, mn, -1);
	return err ? -EMSGSIZE : 0;
}

enum mlog_reply_parts {
	MLOG_REPLY_MODULE	= BIT(0),
	MLOG_REPLY_NODE		= BIT(1),
	MLOG_REPLY_STATS	= BIT(2),
	MLOG_REPLY_LOG		= BIT(3),
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
	if ((parts & MLOG_REPLY_LOG) && mlog_put_log(msg, mn, -1))
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

/* One MLOG_SOCK_FLOW nest.  Caller holds ms->lock. */
static int mlog_put_flow(struct sk_buff *skb, const struct mlog_flow *fl)
{
	struct nlattr *nest;

	lockdep_assert_held(&fl->ms->lock);
	nest = nla_nest_start(skb, MLOG_SOCK_FLOW);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put(skb, MLOG_FLOW_ADDR, sizeof(fl->addr), &fl->addr) ||
	    nla_put_u16(skb, MLOG_FLOW_PORT, fl->port) ||
	    nla_put_u64_64bit(skb, MLOG_FLOW_NEXT_SSN, fl->next_ssn,
			      MLOG_FLOW_PAD) ||
	    nla_put_u64_64bit(skb, MLOG_FLOW_SND_UNA, fl->snd_una,
			      MLOG_FLOW_PAD) ||
	    nla_put_u64_64bit(skb, MLOG_FLOW_SND_NXT, fl->snd_nxt,
			      MLOG_FLOW_PAD) ||
	    nla_put_u64_64bit(skb, MLOG_FLOW_RCV_NXT, fl->rcv_nxt,
			      MLOG_FLOW_PAD) ||
	    nla_put_u32(skb, MLOG_FLOW_INFLIGHT, fl->inflight) ||
	    nla_put_u32(skb, MLOG_FLOW_CWND, fl->cwnd) ||
	    nla_put_u32(skb, MLOG_FLOW_SSTHRESH, fl->ssthresh) ||
	    nla_put_u32(skb, MLOG_FLOW_PEER_WINDOW, fl->peer_window) ||
	    nla_put_u32(skb, MLOG_FLOW_SRTT_US, fl->srtt_us) ||
	    nla_put_u32(skb, MLOG_FLOW_RTTVAR_US, fl->rttvar_us) ||
	    nla_put_u32(skb, MLOG_FLOW_RTO_US, jiffies_to_usecs(fl->rto)) ||
	    nla_put_u32(skb, MLOG_FLOW_TIMEOUTS, fl->timeouts)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/*
 * One MLOG_SOCK_FLOW nest per flow of an RDM socket, read under ms->lock
 * so that each flow is consistent and none is freed under us.  The dump
 * holds ports_lock here; nothing takes ports_lock under ms->lock, so the
 * order ports_lock -> ms->lock is safe.  A socket in the port table has
 * not reached mlog_flows_destroy() (mlog_release() unhashes it first),
 * but a dead socket is skipped anyway: its flows are going away.
 *
 * A socket may have up to max_flows flows, more than a dump message can
 * hold (about 160 bytes each, and a part of a dump is 4 to 32 KiB).
 * Failing with -EMSGSIZE only helps when other sockets came first in this
 * part (@first false): the socket then starts the next part.  When it is
 * first, the next part would be no bigger and the dump would never end,
 * or end early (netlink_dump() takes an empty part for the end): give as
 * many flows as fit and MLOG_SOCK_FLOWS_TRUNCATED instead, dropping the
 * last flow if need be to make room for the flag.
 */
static int mlog_put_flows(struct sk_buff *skb, struct mlog_sock *ms,
			  bool first)
{
	unsigned char *last = NULL, *mark;
	bool truncated = false;
	struct mlog_flow *fl;
	int bkt, err = 0;

	lockdep_assert_held(&ms->mn->ports_lock);
	spin_lock_bh(&ms->lock);
	if (!ms->dead) {
		hash_for_each(ms->flows, bkt, fl, node) {
			mark = skb_tail_pointer(skb);
			if (mlog_put_flow(skb, fl)) {
				if (first)
					truncated = true;
				else
					err = -EMSGSIZE;
				break;
			}
			last = mark;
		}
	}
	spin_unlock_bh(&ms->lock);
	if (!truncated)
		return err;
	if (!nla_put_flag(skb, MLOG_SOCK_FLOWS_TRUNCATED))
		return 0;
	if (!last)
		return -EMSGSIZE;
	nlmsg_trim(skb, last);
	return nla_put_flag(skb, MLOG_SOCK_FLOWS_TRUNCATED);
}

static int mlog_fill_sock(struct sk_buff *skb, struct netlink_callback *cb,
			  struct mlog_sock *ms)
{
	struct sock *sk = &ms->sk;
	bool first = !skb->len;	/* the first message of this part */
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
			      READ_ONCE(ms->stats.rx_drops), MLOG_SOCK_PAD) ||
	    (sk->sk_type == SOCK_RDM && mlog_put_flows(skb, ms, first))) {
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

/* ---- sender-based logging ---- */

static int mlog_put_host(struct sk_buff *skb, struct mlog_host *h)
{
	struct nlattr *nest, *deps, *dep;
	unsigned long idx;
	void *v;
	int err = -EMSGSIZE;

	nest = nla_nest_start(skb, MLOG_ATTR_HOST);
	if (!nest)
		return -EMSGSIZE;
	spin_lock_bh(&h->lock);
	if (nla_put_u32(skb, MLOG_HOST_INDEX, h->index) ||
	    nla_put_u32(skb, MLOG_HOST_INCARNATION, h->incarnation) ||
	    nla_put_u64_64bit(skb, MLOG_HOST_PIDNS, h->pidns->ns.inum,
			      MLOG_HOST_PAD) ||
	    nla_put_u64_64bit(skb, MLOG_HOST_RSN, h->rsn, MLOG_HOST_PAD) ||
	    nla_put_u64_64bit(skb, MLOG_HOST_SSN, h->ssn, MLOG_HOST_PAD) ||
	    nla_put_u32(skb, MLOG_HOST_UNACKED, h->pend.n) ||
	    nla_put_u32(skb, MLOG_HOST_HISTORY,
			min_t(u64, h->hist.entries, U32_MAX)) ||
	    nla_put_u32(skb, MLOG_HOST_SOCKETS, READ_ONCE(h->nsocks)) ||
	    nla_put_u64_64bit(skb, MLOG_HOST_TX_PLAIN,
			      atomic64_read(&h->tx_plain),
			      MLOG_HOST_PAD) ||
	    nla_put_u64_64bit(skb, MLOG_HOST_TX_PIGGYBACK,
			      atomic64_read(&h->tx_piggyback),
			      MLOG_HOST_PAD) ||
	    nla_put_u64_64bit(skb, MLOG_HOST_TX_DELAYED,
			      atomic64_read(&h->tx_delayed),
			      MLOG_HOST_PAD) ||
	    nla_put_u8(skb, MLOG_HOST_REPLAYING, READ_ONCE(h->replaying)) ||
	    nla_put_u32(skb, MLOG_HOST_REPLAY_QUEUED,
			READ_ONCE(h->replay_queued)) ||
	    nla_put_u64_64bit(skb, MLOG_HOST_REPLAYED, READ_ONCE(h->replayed),
			      MLOG_HOST_PAD) ||
	    /* output of intervals below it may leave (recovery.rst) */
	    (h->pend.n &&
	     nla_put_u64_64bit(skb, MLOG_HOST_PEND_FIRST, h->pend.v[0].rsn,
			       MLOG_HOST_PAD)))
		goto out;
	deps = nla_nest_start(skb, MLOG_HOST_DEPS);
	if (!deps)
		goto out;
	xa_for_each(&h->deps, idx, v) {
		dep = nla_nest_start(skb, MLOG_HOST_DEP);
		if (!dep || nla_put_u32(skb, MLOG_DEP_HOST, idx) ||
		    nla_put_u64_64bit(skb, MLOG_DEP_INTERVAL, xa_to_value(v),
				      MLOG_DEP_PAD))
			goto out;
		nla_nest_end(skb, dep);
	}
	nla_nest_end(skb, deps);
	err = 0;
out:
	spin_unlock_bh(&h->lock);
	if (err)
		nla_nest_cancel(skb, nest);
	else
		nla_nest_end(skb, nest);
	return err;
}

/*
 * One host, in a reply as large as its dependency vector needs: a page
 * first, then larger until it fits (a host may depend on thousands).
 */
static int mlog_host_reply(struct genl_info *info, struct mlog_host *h,
			   u8 cmd)
{
	size_t size = NLMSG_GOODSIZE;
	struct sk_buff *msg;
	void *hdr;

	for (;;) {
		msg = genlmsg_new(size, GFP_KERNEL);
		if (!msg)
			return -ENOMEM;
		hdr = genlmsg_put_reply(msg, info, &mlog_genl_family, 0, cmd);
		if (hdr && !mlog_put_host(msg, h))
			break;
		nlmsg_free(msg);
		if (!hdr || size >= SZ_8M)
			return -EMSGSIZE;
		size *= 4;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/* Parse the nest @type of the request into @tb; extack on absence. */
static int mlog_nest(struct genl_info *info, int type, int max,
		     const struct nla_policy *policy, struct nlattr **tb,
		     const char *what)
{
	if (!info->attrs[type]) {
		/* @what is a literal at every call site */
		if (info->extack)
			info->extack->_msg = what;
		return -EINVAL;
	}
	return nla_parse_nested(tb, max, info->attrs[type], policy,
				info->extack);
}

/*
 * The protected host that attribute @a of a request names (its index),
 * with a reference, or an ERR_PTR and the extack saying why.
 */
static struct mlog_host *mlog_nl_host(struct genl_info *info,
				      const struct nlattr *a)
{
	struct mlog_net *mn = mlog_pernet(genl_info_net(info));
	struct mlog_host *h;

	if (!a) {
		NL_SET_ERR_MSG(info->extack, "give the host index");
		return ERR_PTR(-EINVAL);
	}
	h = mlog_host_get(mn, nla_get_u32(a));
	if (!h) {
		NL_SET_ERR_MSG_ATTR(info->extack, a,
				    "no protected host with this index");
		return ERR_PTR(-ENOENT);
	}
	return h;
}

/*
 * The host a request's MLOG_ATTR_HOST nest names: the nest parsed into
 * @tb (@what is the extack if it is missing), then mlog_nl_host().
 */
static struct mlog_host *mlog_nl_host_nest(struct genl_info *info,
					   struct nlattr **tb,
					   const char *what)
{
	int err;

	err = mlog_nest(info, MLOG_ATTR_HOST, MLOG_HOST_MAX, mlog_host_policy,
			tb, what);
	if (err)
		return ERR_PTR(err);
	return mlog_nl_host(info, tb[MLOG_HOST_INDEX]);
}

static int mlog_nl_host_add(struct sk_buff *skb, struct genl_info *info)
{
	struct mlog_net *mn = mlog_pernet(genl_info_net(info));
	struct nlattr *tb[MLOG_HOST_MAX + 1];
	struct mlog_host *h;
	int err;

	err = mlog_nest(info, MLOG_ATTR_HOST, MLOG_HOST_MAX, mlog_host_policy,
			tb, "give the host in MLOG_ATTR_HOST");
	if (err)
		return err;
	if (!tb[MLOG_HOST_INDEX] || !tb[MLOG_HOST_PID]) {
		NL_SET_ERR_MSG(info->extack,
			       "give the host index and a process of its PID namespace");
		return -EINVAL;
	}
	if (tb[MLOG_HOST_RSN] || tb[MLOG_HOST_SSN] || tb[MLOG_HOST_DEPS] ||
	    tb[MLOG_HOST_HIST_PURGE]) {
		NL_SET_ERR_MSG(info->extack,
			       "protocol state is written with HOST_SET");
		return -EINVAL;
	}
	err = mlog_host_add(mn, nla_get_u32(tb[MLOG_HOST_INDEX]),
			    tb[MLOG_HOST_INCARNATION] ?
			    nla_get_u32(tb[MLOG_HOST_INCARNATION]) : 0,
			    nla_get_u32(tb[MLOG_HOST_PID]),
			    nla_get_flag(tb[MLOG_HOST_REPLAY]), info->extack);
	if (err)
		return err;
	h = mlog_host_get(mn, nla_get_u32(tb[MLOG_HOST_INDEX]));
	if (!h)
		return 0;	/* deleted at once by someone else */
	err = mlog_host_reply(info, h, MLOG_CMD_HOST_ADD);
	mlog_host_put(h);
	return err;
}

static int mlog_nl_host_del(struct sk_buff *skb, struct genl_info *info)
{
	struct mlog_net *mn = mlog_pernet(genl_info_net(info));
	struct nlattr *tb[MLOG_HOST_MAX + 1];
	int err;

	err = mlog_nest(info, MLOG_ATTR_HOST, MLOG_HOST_MAX, mlog_host_policy,
			tb, "give the host in MLOG_ATTR_HOST");
	if (err)
		return err;
	if (!tb[MLOG_HOST_INDEX]) {
		NL_SET_ERR_MSG(info->extack, "give the host index");
		return -EINVAL;
	}
	err = mlog_host_del(mn, nla_get_u32(tb[MLOG_HOST_INDEX]));
	if (err)
		NL_SET_ERR_MSG_ATTR(info->extack, tb[MLOG_HOST_INDEX],
				    "no protected host with this index");
	return err;
}

static int mlog_nl_host_get(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[MLOG_HOST_MAX + 1];
	struct mlog_host *h;
	int err;

	h = mlog_nl_host_nest(info, tb,
			      "give the host in MLOG_ATTR_HOST, or dump");
	if (IS_ERR(h))
		return PTR_ERR(h);
	err = mlog_host_reply(info, h, MLOG_CMD_HOST_GET);
	mlog_host_put(h);
	return err;
}

static int mlog_nl_host_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct mlog_net *mn = mlog_pernet(sock_net(skb->sk));
	long idx = 0, skip = cb->args[0];
	struct mlog_host *h;
	void *hdr;

	mutex_lock(&mn->hosts_lock);
	list_for_each_entry(h, &mn->hosts, node) {
		if (idx++ < skip)
			continue;
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &mlog_genl_family,
				  NLM_F_MULTI, MLOG_CMD_HOST_GET);
		if (!hdr)
			goto full;
		if (mlog_put_host(skb, h)) {
			genlmsg_cancel(skb, hdr);
			goto full;
		}
		genlmsg_end(skb, hdr);
		cb->args[0] = idx;
	}
full:
	mutex_unlock(&mn->hosts_lock);
	return skb->len;
}

static int mlog_nl_host_set(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[MLOG_HOST_MAX + 1], *dtb[MLOG_DEP_MAX + 1];
	u64 rsn, ssn, purge;
	struct xarray deps;
	struct nlattr *a;
	struct mlog_host *h;
	u32 inc;
	int err, rem;

	err = mlog_nest(info, MLOG_ATTR_HOST, MLOG_HOST_MAX, mlog_host_policy,
			tb, "give the host in MLOG_ATTR_HOST");
	if (err)
		return err;
	if (tb[MLOG_HOST_PID]) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[MLOG_HOST_PID],
				    "a host's PID namespace cannot change");
		return -EINVAL;
	}
	h = mlog_nl_host(info, tb[MLOG_HOST_INDEX]);
	if (IS_ERR(h))
		return PTR_ERR(h);
	xa_init(&deps);
	/* The running protocol must not see its state change under it. */
	if ((tb[MLOG_HOST_RSN] || tb[MLOG_HOST_SSN] || tb[MLOG_HOST_DEPS] ||
	     tb[MLOG_HOST_INCARNATION]) && READ_ONCE(h->nsocks)) {
		NL_SET_ERR_MSG(info->extack,
			       "the host has open sockets: its state is written back before it runs");
		err = -EBUSY;
		goto out;
	}
	if (tb[MLOG_HOST_DEPS]) {
		nla_for_each_nested(a, tb[MLOG_HOST_DEPS], rem) {
			err = nla_parse_nested(dtb, MLOG_DEP_MAX, a,
					       mlog_dep_policy, info->extack);
			if (err)
				goto out;
			if (!dtb[MLOG_DEP_HOST] || !dtb[MLOG_DEP_INTERVAL] ||
			    nla_get_u32(dtb[MLOG_DEP_HOST]) > mlog_max_hosts ||
			    nla_get_u64(dtb[MLOG_DEP_INTERVAL]) >
			    MLOG_INTERVAL_MAX) {
				NL_SET_ERR_MSG_ATTR(info->extack, a,
						    "a dependency needs a valid host index and an interval below 2^62");
				err = -EINVAL;
				goto out;
			}
			err = xa_err(xa_store(&deps,
					      nla_get_u32(dtb[MLOG_DEP_HOST]),
					      xa_mk_value(nla_get_u64(dtb[MLOG_DEP_INTERVAL])),
					      GFP_KERNEL));
			if (err)
				goto out;
		}
	}
	if (tb[MLOG_HOST_RSN])
		rsn = nla_get_u64(tb[MLOG_HOST_RSN]);
	if (tb[MLOG_HOST_SSN])
		ssn = nla_get_u64(tb[MLOG_HOST_SSN]);
	if (tb[MLOG_HOST_INCARNATION])
		inc = nla_get_u32(tb[MLOG_HOST_INCARNATION]);
	if (tb[MLOG_HOST_HIST_PURGE])
		purge = nla_get_u64(tb[MLOG_HOST_HIST_PURGE]);
	err = mlog_host_state_set(h, tb[MLOG_HOST_RSN] ? &rsn : NULL,
				  tb[MLOG_HOST_SSN] ? &ssn : NULL,
				  tb[MLOG_HOST_INCARNATION] ? &inc : NULL,
				  tb[MLOG_HOST_DEPS] ? &deps : NULL,
				  tb[MLOG_HOST_HIST_PURGE] ? &purge : NULL);
	if (!err)
		err = mlog_host_reply(info, h, MLOG_CMD_HOST_SET);
out:
	xa_destroy(&deps);
	mlog_host_put(h);
	return err;
}

/*
 * A message's bytes, after its entry's nest: netlink attribute lengths
 * are 16 bits, so they go in MLOG_ATTR_DATA pieces of at most
 * MLOG_DATA_CHUNK bytes, in order; an empty message has one empty piece,
 * so that a reader can tell it from an entry without data.
 */
static int mlog_put_data(struct sk_buff *skb, const u8 *data, u32 len)
{
	u32 off = 0, n;

	do {
		n = min_t(u32, len - off, MLOG_DATA_CHUNK);
		if (nla_put(skb, MLOG_ATTR_DATA, n, data + off))
			return -EMSGSIZE;
		off += n;
	} while (off < len);
	return 0;
}

/* An entry's nest takes well under this many bytes. */
#define MLOG_ENTRY_NEST_MAX	512

/* Room the LOG_GET message of an entry of @len bytes takes, with its data. */
static size_t mlog_entry_msg_size(u32 len)
{
	u32 pieces = max_t(u32, DIV_ROUND_UP(len, MLOG_DATA_CHUNK), 1);

	return nlmsg_total_size(GENL_HDRLEN + MLOG_ENTRY_NEST_MAX +
				pieces * NLA_HDRLEN + ALIGN(len, NLA_ALIGNTO));
}

static int mlog_fill_entry(struct sk_buff *skb, struct netlink_callback *cb,
			   const struct mlog_log_rec *rec, bool data)
{
	struct nlattr *nest;
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &mlog_genl_family, NLM_F_MULTI, MLOG_CMD_LOG_GET);
	if (!hdr)
		return -EMSGSIZE;
	nest = nla_nest_start(skb, MLOG_ATTR_LOG_ENTRY);
	if (!nest ||
	    nla_put_u32(skb, MLOG_ENTRY_SRC_HOST, rec->src_host) ||
	    nla_put_u32(skb, MLOG_ENTRY_DST_HOST, rec->dst_host) ||
	    nla_put(skb, MLOG_ENTRY_DST_NODE, sizeof(rec->dst_node),
		    &rec->dst_node) ||
	    nla_put_u16(skb, MLOG_ENTRY_DST_PORT, rec->dst_port) ||
	    nla_put_u16(skb, MLOG_ENTRY_SRC_PORT, rec->src_port) ||
	    nla_put_u64_64bit(skb, MLOG_ENTRY_SSN, rec->ssn, MLOG_ENTRY_PAD) ||
	    nla_put_u64_64bit(skb, MLOG_ENTRY_HOST_SSN, rec->host_ssn,
			      MLOG_ENTRY_PAD) ||
	    nla_put_u64_64bit(skb, MLOG_ENTRY_INTERVAL, rec->interval,
			      MLOG_ENTRY_PAD) ||
	    nla_put_u64_64bit(skb, MLOG_ENTRY_RSN, rec->rsn, MLOG_ENTRY_PAD) ||
	    nla_put_u32(skb, MLOG_ENTRY_STATE, rec->state) ||
	    nla_put_u32(skb, MLOG_ENTRY_LEN, rec->len) ||
	    nla_put_u32(skb, MLOG_ENTRY_EXTRA_RSNS, rec->extra_rsns) ||
	    (rec->dgram && nla_put_flag(skb, MLOG_ENTRY_DGRAM)) ||
	    nla_put_u32(skb, MLOG_ENTRY_SRC_EPOCH, rec->src_epoch) ||
	    (rec->src_hostaddr &&
	     nla_put_flag(skb, MLOG_ENTRY_SRC_HOSTADDR)) ||
	    (mlog_key_host(&rec->dst_node) &&
	     nla_put_flag(skb, MLOG_ENTRY_DST_HOSTADDR)) ||
	    nla_put(skb, MLOG_ENTRY_SRC_NODE, sizeof(struct in6_addr),
		    &mlog_pernet(sock_net(skb->sk))->node_addr))
		goto cancel;
	nla_nest_end(skb, nest);
	/* outside the nest, which is limited to 64 KiB itself */
	if (data && mlog_put_data(skb, rec->data, rec->len))
		goto cancel;
	genlmsg_end(skb, hdr);
	return 0;
cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

static int mlog_nl_log_start(struct netlink_callback *cb)
{
	const struct genl_dumpit_info *info = genl_dumpit_info(cb);
	struct mlog_log_dump_ctx *ctx = (void *)cb->ctx;
	struct nlattr *tb[MLOG_ENTRY_MAX + 1];
	int err;

	memset(ctx, 0, sizeof(*ctx));
	ctx->dst_host = U32_MAX;		/* any receiver */
	if (!info->attrs[MLOG_ATTR_LOG_ENTRY])
		return 0;
	err = nla_parse_nested(tb, MLOG_ENTRY_MAX,
			       info->attrs[MLOG_ATTR_LOG_ENTRY],
			       mlog_entry_policy, cb->extack);
	if (err)
		return err;
	if (tb[MLOG_ENTRY_DST_HOST])
		ctx->dst_host = nla_get_u32(tb[MLOG_ENTRY_DST_HOST]);
	if (tb[MLOG_ENTRY_SRC_HOST])
		ctx->src_host = nla_get_u32(tb[MLOG_ENTRY_SRC_HOST]);
	if (tb[MLOG_ENTRY_RSN])
		ctx->from_rsn = nla_get_u64(tb[MLOG_ENTRY_RSN]);
	ctx->pos = ctx->from_rsn;
	if (nla_get_flag(tb[MLOG_ENTRY_DATA])) {
		ctx->data = true;
		/* each entry is whole in one part of the dump */
		cb->min_dump_alloc = mlog_entry_msg_size(MLOG_MAX_MSG);
	}
	return 0;
}

static int mlog_nl_log_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	return mlog_log_dump(skb, cb, mlog_fill_entry);
}

static int mlog_nl_log_purge(struct sk_buff *skb, struct genl_info *info)
{
	struct mlog_net *mn = mlog_pernet(genl_info_net(info));
	struct nlattr *tb[MLOG_ENTRY_MAX + 1];
	struct sk_buff *msg;
	struct nlattr *nest;
	u64 count;
	void *hdr;
	int err;

	err = mlog_nest(info, MLOG_ATTR_LOG_ENTRY, MLOG_ENTRY_MAX,
			mlog_entry_policy, tb,
			"give the receiver (DST_HOST) or sender (SRC_HOST) in MLOG_ATTR_LOG_ENTRY");
	if (err)
		return err;
	if (!!tb[MLOG_ENTRY_DST_HOST] == !!tb[MLOG_ENTRY_SRC_HOST] ||
	    (tb[MLOG_ENTRY_SRC_HOST] && tb[MLOG_ENTRY_RSN])) {
		NL_SET_ERR_MSG(info->extack,
			       "give either a receiver (and optionally an RSN) or a sender");
		return -EINVAL;
	}
	if (tb[MLOG_ENTRY_SRC_HOST])
		count = mlog_log_purge(mn, 0, 0,
				       nla_get_u32(tb[MLOG_ENTRY_SRC_HOST]));
	else
		count = mlog_log_purge(mn, nla_get_u32(tb[MLOG_ENTRY_DST_HOST]),
				       tb[MLOG_ENTRY_RSN] ?
				       nla_get_u64(tb[MLOG_ENTRY_RSN]) : U64_MAX,
				       0);

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &mlog_genl_family, 0,
				MLOG_CMD_LOG_PURGE);
	nest = hdr ? nla_nest_start(msg, MLOG_ATTR_LOG) : NULL;
	if (!nest ||
	    nla_put_u64_64bit(msg, MLOG_LOG_ENTRIES, count, MLOG_LOG_PAD)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int mlog_nl_log_set(struct sk_buff *skb, struct genl_info *info)
{
	struct mlog_net *mn = mlog_pernet(genl_info_net(info));
	struct nlattr *tb[MLOG_LOG_ATTR_MAX + 1];
	struct mlog_log *log = &mn->log;
	int err;

	err = mlog_nest(info, MLOG_ATTR_LOG, MLOG_LOG_ATTR_MAX,
			mlog_log_policy, tb, "give the settings in MLOG_ATTR_LOG");
	if (err)
		return err;
	if (tb[MLOG_LOG_MAX_BYTES] &&
	    genl_info_net(info)->user_ns != &init_user_ns &&
	    nla_get_u64(tb[MLOG_LOG_MAX_BYTES]) > mlog_log_limit()) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[MLOG_LOG_MAX_BYTES],
				    "above the largest log a user namespace may have (module parameter log_limit_kb)");
		return -ERANGE;
	}
	if (tb[MLOG_LOG_MAX_BYTES]) {
		err = mlog_log_set_max(log, nla_get_u64(tb[MLOG_LOG_MAX_BYTES]));
		if (err) {
			NL_SET_ERR_MSG_ATTR(info->extack, tb[MLOG_LOG_MAX_BYTES],
					    "the cap must hold at least one block");
			return err;
		}
	}
	if (tb[MLOG_LOG_PIGGYBACK])
		WRITE_ONCE(log->piggyback, nla_get_u8(tb[MLOG_LOG_PIGGYBACK]));
	if (tb[MLOG_LOG_RANGES])
		WRITE_ONCE(log->ranges, nla_get_u8(tb[MLOG_LOG_RANGES]));
	if (tb[MLOG_LOG_RSN_DELAY_US])
		mlog_log_set_rsn_delay(log,
				       nla_get_u32(tb[MLOG_LOG_RSN_DELAY_US]));
	return mlog_reply(info, MLOG_CMD_LOG_SET, MLOG_REPLY_LOG);
}

static int mlog_put_hist(struct sk_buff *skb, struct netlink_callback *cb,
			 u32 host, const struct mlog_hist_run *r)
{
	struct nlattr *nest;
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &mlog_genl_family, NLM_F_MULTI, MLOG_CMD_HIST_GET);
	if (!hdr)
		return -EMSGSIZE;
	nest = nla_nest_start(skb, MLOG_ATTR_HIST);
	if (!nest ||
	    nla_put_u32(skb, MLOG_HIST_HOST, host) ||
	    nla_put_u32(skb, MLOG_HIST_SRC_HOST, r->src_host) ||
	    nla_put(skb, MLOG_HIST_NODE, sizeof(r->node), r->node) ||
	    nla_put_u16(skb, MLOG_HIST_PORT, r->port) ||
	    nla_put_u16(skb, MLOG_HIST_LPORT, r->lport) ||
	    nla_put_u64_64bit(skb, MLOG_HIST_SSN, r->ssn, MLOG_HIST_PAD) ||
	    nla_put_u64_64bit(skb, MLOG_HIST_RSN, r->rsn, MLOG_HIST_PAD) ||
	    nla_put_u32(skb, MLOG_HIST_COUNT, r->count) ||
	    nla_put_u64_64bit(skb, MLOG_HIST_INTERVAL, r->interval,
			      MLOG_HIST_PAD)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return 0;
}

/*
 * Dump the RSN history of host args[0] (or of every host, in list order
 * args[1]) from RSN args[2] on.  Runs never overlap in RSNs, so the RSN
 * cursor stays exact across purges.
 */
static int mlog_nl_hist_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	const struct genl_dumpit_info *info = genl_dumpit_info(cb);
	struct mlog_net *mn = mlog_pernet(sock_net(skb->sk));
	struct nlattr *tb[MLOG_HIST_MAX + 1];
	struct mlog_hist_chunk *c;
	u32 want = 0, i;
	long idx = 0;
	struct mlog_host *h;
	int err;

	if (info->attrs[MLOG_ATTR_HIST]) {
		err = nla_parse_nested(tb, MLOG_HIST_MAX,
				       info->attrs[MLOG_ATTR_HIST],
				       mlog_hist_policy, cb->extack);
		if (err)
			return err;
		if (tb[MLOG_HIST_HOST])
			want = nla_get_u32(tb[MLOG_HIST_HOST]);
	}
	mutex_lock(&mn->hosts_lock);
	list_for_each_entry(h, &mn->hosts, node) {
		if (idx++ < cb->args[1])
			continue;
		if (want && h->index != want)
			continue;
		spin_lock_bh(&h->lock);
		list_for_each_entry(c, &h->hist.chunks, list) {
			for (i = c->first; i < c->used; i++) {
				const struct mlog_hist_run *r = &c->run[i];

				if (r->rsn < cb->args[2])
					continue;
				if (mlog_put_hist(skb, cb, h->index, r)) {
					spin_unlock_bh(&h->lock);
					goto full;
				}
				cb->args[2] = r->rsn + r->count;
			}
		}
		spin_unlock_bh(&h->lock);
		cb->args[1] = idx;
		cb->args[2] = 0;
	}
full:
	mutex_unlock(&mn->hosts_lock);
	return skb->len;
}

/* ---- recovery: routes and replay ---- */

static int mlog_nl_route_set(struct sk_buff *skb, struct genl_info *info)
{
	struct mlog_net *mn = mlog_pernet(genl_info_net(info));
	struct nlattr *tb[MLOG_ROUTE_MAX + 1];
	struct in6_addr node;
	u64 replayed;
	int err;

	err = mlog_nest(info, MLOG_ATTR_ROUTE, MLOG_ROUTE_MAX,
			mlog_route_policy, tb, "give the route in MLOG_ATTR_ROUTE");
	if (err)
		return err;
	if (!tb[MLOG_ROUTE_HOST] || !tb[MLOG_ROUTE_NODE]) {
		NL_SET_ERR_MSG(info->extack, "give the host and its node");
		return -EINVAL;
	}
	if (nla_get_u32(tb[MLOG_ROUTE_HOST]) > mlog_max_hosts) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[MLOG_ROUTE_HOST],
				    "host index must be 1..max_hosts (module parameter)");
		return -ERANGE;
	}
	nla_memcpy(&node, tb[MLOG_ROUTE_NODE], sizeof(node));
	if (!mlog_addr_is_v4(&node)) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[MLOG_ROUTE_NODE],
				    "node address must be an IPv4-mapped IPv6 address");
		return -EAFNOSUPPORT;
	}
	if (tb[MLOG_ROUTE_REPLAYED])
		replayed = nla_get_u64(tb[MLOG_ROUTE_REPLAYED]);
	return mlog_route_set(mn, nla_get_u32(tb[MLOG_ROUTE_HOST]), &node,
			      tb[MLOG_ROUTE_INCARNATION] ?
			      nla_get_u32(tb[MLOG_ROUTE_INCARNATION]) : 0,
			      tb[MLOG_ROUTE_STATE] ?
			      nla_get_u32(tb[MLOG_ROUTE_STATE]) : MLOG_ROUTE_LIVE,
			      tb[MLOG_ROUTE_REPLAYED] ? &replayed : NULL,
			      info->extack);
}

static int mlog_nl_route_del(struct sk_buff *skb, struct genl_info *info)
{
	struct mlog_net *mn = mlog_pernet(genl_info_net(info));
	struct nlattr *tb[MLOG_ROUTE_MAX + 1];
	int err;

	err = mlog_nest(info, MLOG_ATTR_ROUTE, MLOG_ROUTE_MAX,
			mlog_route_policy, tb, "give the route in MLOG_ATTR_ROUTE");
	if (err)
		return err;
	if (!tb[MLOG_ROUTE_HOST]) {
		NL_SET_ERR_MSG(info->extack, "give the host");
		return -EINVAL;
	}
	err = mlog_route_del(mn, nla_get_u32(tb[MLOG_ROUTE_HOST]));
	if (err)
		NL_SET_ERR_MSG_ATTR(info->extack, tb[MLOG_ROUTE_HOST],
				    "no route for this host");
	return err;
}

static int mlog_fill_route(struct sk_buff *skb, struct netlink_callback *cb,
			   u32 host, const struct mlog_route *r)
{
	struct nlattr *nest;
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &mlog_genl_family, NLM_F_MULTI, MLOG_CMD_ROUTE_GET);
	if (!hdr)
		return -EMSGSIZE;
	nest = nla_nest_start(skb, MLOG_ATTR_ROUTE);
	if (!nest ||
	    nla_put_u32(skb, MLOG_ROUTE_HOST, host) ||
	    nla_put(skb, MLOG_ROUTE_NODE, sizeof(r->node), &r->node) ||
	    nla_put_u32(skb, MLOG_ROUTE_INCARNATION, r->incarnation) ||
	    nla_put_u32(skb, MLOG_ROUTE_STATE, r->state) ||
	    nla_put_u64_64bit(skb, MLOG_ROUTE_REPLAYED, r->replayed,
			      MLOG_ROUTE_PAD) ||
	    (r->local && nla_put_flag(skb, MLOG_ROUTE_LOCAL))) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return 0;
}

static int mlog_nl_route_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	return mlog_route_dump(skb, cb, mlog_fill_route);
}

/*
 * The message of a REPLAY_PUSH: its description and its bytes, which
 * come as MLOG_ATTR_DATA pieces that must add up to MLOG_ENTRY_LEN.
 */
static struct mlog_replay_msg *mlog_nl_replay_msg(struct genl_info *info,
						  struct nlattr **tb)
{
	struct netlink_ext_ack *extack = info->extack;
	struct mlog_replay_msg *m;
	const struct nlattr *a;
	u32 len, off = 0;
	int rem;

	if (!tb[MLOG_ENTRY_DST_HOST] || !tb[MLOG_ENTRY_SRC_PORT] ||
	    !tb[MLOG_ENTRY_DST_PORT] || !tb[MLOG_ENTRY_SSN] ||
	    !tb[MLOG_ENTRY_RSN] || !tb[MLOG_ENTRY_LEN] ||
	    !tb[MLOG_ENTRY_SRC_EPOCH] || !tb[MLOG_ENTRY_SRC_NODE]) {
		NL_SET_ERR_MSG(extack,
			       "give the receiving host, ports, SSN, RSN, length, the sender's epoch and node");
		return ERR_PTR(-EINVAL);
	}
	len = nla_get_u32(tb[MLOG_ENTRY_LEN]);
	m = mlog_replay_alloc(len);
	if (!m)
		return ERR_PTR(-ENOMEM);
	nlmsg_for_each_attr(a, info->nlhdr, GENL_HDRLEN, rem) {
		if (nla_type(a) != MLOG_ATTR_DATA)
			continue;
		if (nla_len(a) > len - off) {
			NL_SET_ERR_MSG_ATTR(extack, a,
					    "more data than MLOG_ENTRY_LEN says");
			goto bad;
		}
		memcpy(m->data + off, nla_data(a), nla_len(a));
		off += nla_len(a);
	}
	if (off != len) {
		NL_SET_ERR_MSG(extack, "less data than MLOG_ENTRY_LEN says");
		goto bad;
	}
	m->len = len;
	m->rsn = nla_get_u64(tb[MLOG_ENTRY_RSN]);
	m->ssn = nla_get_u64(tb[MLOG_ENTRY_SSN]);
	m->interval = tb[MLOG_ENTRY_INTERVAL] ?
		      nla_get_u64(tb[MLOG_ENTRY_INTERVAL]) : 0;
	m->src_host = tb[MLOG_ENTRY_SRC_HOST] ?
		      nla_get_u32(tb[MLOG_ENTRY_SRC_HOST]) : 0;
	m->src_port = nla_get_u16(tb[MLOG_ENTRY_SRC_PORT]);
	m->dst_port = nla_get_u16(tb[MLOG_ENTRY_DST_PORT]);
	m->src_epoch = nla_get_u32(tb[MLOG_ENTRY_SRC_EPOCH]);
	nla_memcpy(&m->src_node, tb[MLOG_ENTRY_SRC_NODE], sizeof(m->src_node));
	m->dgram = nla_get_flag(tb[MLOG_ENTRY_DGRAM]);
	m->src_hostaddr = nla_get_flag(tb[MLOG_ENTRY_SRC_HOSTADDR]);
	m->dst_hostaddr = nla_get_flag(tb[MLOG_ENTRY_DST_HOSTADDR]);
	if ((m->src_hostaddr && !m->src_host) ||
	    m->src_host > mlog_max_hosts || m->interval > MLOG_INTERVAL_MAX ||
	    !mlog_addr_is_v4(&m->src_node)) {
		NL_SET_ERR_MSG(extack,
			       "sender: a host-form sender needs its host; intervals below 2^62; an IPv4-mapped node");
		goto bad;
	}
	return m;
bad:
	kvfree(m);
	return ERR_PTR(-EINVAL);
}

static int mlog_nl_replay_push(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[MLOG_ENTRY_MAX + 1];
	struct mlog_replay_msg *m;
	struct mlog_host *h;
	int err;

	err = mlog_nest(info, MLOG_ATTR_LOG_ENTRY, MLOG_ENTRY_MAX,
			mlog_replay_entry_policy, tb,
			"give the message in MLOG_ATTR_LOG_ENTRY and MLOG_ATTR_DATA");
	if (err)
		return err;
	m = mlog_nl_replay_msg(info, tb);
	if (IS_ERR(m))
		return PTR_ERR(m);
	h = mlog_nl_host(info, tb[MLOG_ENTRY_DST_HOST]);
	if (IS_ERR(h)) {
		kvfree(m);
		return PTR_ERR(h);
	}
	err = mlog_replay_push(h, m, info->extack);
	mlog_host_put(h);
	return err;
}

static int mlog_nl_replay_end(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[MLOG_HOST_MAX + 1];
	struct mlog_host *h;
	int err;

	h = mlog_nl_host_nest(info, tb, "give the host in MLOG_ATTR_HOST");
	if (IS_ERR(h))
		return PTR_ERR(h);
	err = mlog_replay_end(h, info->extack);
	mlog_host_put(h);
	return err;
}

/*
 * The notification interface (notify.h): an event of the layers below
 * goes out on the "events" multicast group, best effort.  Peers change
 * state in timers and the receive path, so their events are built
 * atomically; the log's and the hosts' come from process context.
 */
void mlog_notify(struct mlog_net *mn, enum mlog_event ev, void *subject)
{
	gfp_t gfp = ev == MLOG_EVENT_PEER ? GFP_ATOMIC : GFP_KERNEL;
	struct sk_buff *msg;
	int err = -EMSGSIZE;
	void *hdr;
	u8 cmd;

	switch (ev) {
	case MLOG_EVENT_PEER:
		cmd = MLOG_CMD_EVENT_PEER;
		break;
	case MLOG_EVENT_LOG:
		cmd = MLOG_CMD_EVENT_LOG;
		break;
	case MLOG_EVENT_HOST:
		cmd = MLOG_CMD_EVENT_HOST;
		break;
	default:
		return;
	}
	msg = genlmsg_new(NLMSG_GOODSIZE, gfp);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &mlog_genl_family, 0, cmd);
	if (hdr) {
		switch (ev) {
		case MLOG_EVENT_PEER:
			err = mlog_put_peer(msg, subject);
			break;
		case MLOG_EVENT_LOG:
			err = mlog_put_log(msg, mn,
					   READ_ONCE(mn->log.pressure));
			break;
		case MLOG_EVENT_HOST:
			/* too many dependencies for one page: no news */
			err = mlog_put_host(msg, subject);
			break;
		}
	}
	if (err) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	genlmsg_multicast_netns(&mlog_genl_family, mn->net, msg, 0,
				MLOG_MCGRP_EVENTS, gfp);
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
	{
		.cmd	= MLOG_CMD_HOST_ADD,
		.doit	= mlog_nl_host_add,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= MLOG_CMD_HOST_DEL,
		.doit	= mlog_nl_host_del,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= MLOG_CMD_HOST_GET,
		.doit	= mlog_nl_host_get,
		.dumpit	= mlog_nl_host_dump,
	},
	{
		.cmd	= MLOG_CMD_HOST_SET,
		.doit	= mlog_nl_host_set,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= MLOG_CMD_LOG_PURGE,
		.doit	= mlog_nl_log_purge,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= MLOG_CMD_LOG_SET,
		.doit	= mlog_nl_log_set,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= MLOG_CMD_HIST_GET,
		.dumpit	= mlog_nl_hist_dump,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= MLOG_CMD_ROUTE_SET,
		.doit	= mlog_nl_route_set,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= MLOG_CMD_ROUTE_DEL,
		.doit	= mlog_nl_route_del,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= MLOG_CMD_ROUTE_GET,
		.dumpit	= mlog_nl_route_dump,
	},
	{
		.cmd	= MLOG_CMD_REPLAY_END,
		.doit	= mlog_nl_replay_end,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
};

/* Ops that need a start callback (filters, buffer size) or a policy of their own. */
static const struct genl_ops mlog_genl_full_ops[] = {
	{
		.cmd	= MLOG_CMD_LOG_GET,
		.start	= mlog_nl_log_start,
		.dumpit	= mlog_nl_log_dump,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		/* a message's bytes come as top-level MLOG_ATTR_DATA */
		.cmd	= MLOG_CMD_REPLAY_PUSH,
		.doit	= mlog_nl_replay_push,
		.policy	= mlog_replay_policy,
		.maxattr = MLOG_ATTR_MAX,
		.flags	= GENL_UNS_ADMIN_PERM,
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
	.ops		= mlog_genl_full_ops,
	.n_ops		= ARRAY_SIZE(mlog_genl_full_ops),
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
