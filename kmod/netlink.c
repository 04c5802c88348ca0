// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink family "mlog": the control plane of mlog.ko.
 *
 * Every command is validated strictly against mlog_policy; requests the
 * policy cannot judge alone are refused with an extack message naming
 * the offending attribute.
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

	down_read(&mn->cfg_sem);
	err = nla_put(skb, MLOG_ATTR_NODE_ADDR, sizeof(mn->node_addr),
		      &mn->node_addr) ||
	      nla_put_u16(skb, MLOG_ATTR_UDP_PORT, mn->udp_port) ||
	      nla_put_u32(skb, MLOG_ATTR_NODE_ID, mn->node_id);
	up_read(&mn->cfg_sem);
	return err ? -EMSGSIZE : 0;
}

static int mlog_reply(struct genl_info *info, u8 cmd, bool status)
{
	struct mlog_net *mn = mlog_pernet(genl_info_net(info));
	struct sk_buff *msg;
	void *hdr;
	int err = -EMSGSIZE;

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &mlog_genl_family, 0, cmd);
	if (!hdr)
		goto fail;
	if (status &&
	    (nla_put_string(msg, MLOG_ATTR_VERSION, MLOG_VERSION) ||
	     nla_put_u32(msg, MLOG_ATTR_FAMILY, mlog_family) ||
	     nla_put_u32(msg, MLOG_ATTR_WIRE_VERSION, MLOG_WIRE_VERSION) ||
	     mlog_put_stats(msg, mn)))
		goto fail;
	if (mlog_put_node(msg, mn))
		goto fail;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
fail:
	nlmsg_free(msg);
	return err;
}

static int mlog_nl_status_get(struct sk_buff *skb, struct genl_info *info)
{
	return mlog_reply(info, MLOG_CMD_STATUS_GET, true);
}

static int mlog_nl_node_get(struct sk_buff *skb, struct genl_info *info)
{
	return mlog_reply(info, MLOG_CMD_NODE_GET, false);
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
	down_write(&mn->cfg_sem);
	if (tb[MLOG_ATTR_NODE_ADDR])
		mn->node_addr = addr;
	if (tb[MLOG_ATTR_NODE_ID])
		mn->node_id = nla_get_u32(tb[MLOG_ATTR_NODE_ID]);
	up_write(&mn->cfg_sem);
	return 0;
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
};

static const struct genl_multicast_group mlog_mcgrps[] = {
	{ .name = MLOG_GENL_MCGRP_EVENTS },
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
