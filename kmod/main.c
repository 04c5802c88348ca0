// SPDX-License-Identifier: GPL-2.0
/*
 * mlog: transparent fault tolerance for distributed programs by message
 * logging and checkpointing.  Module entry points and per-namespace state.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <net/net_namespace.h>

#include "mlog.h"

int mlog_family = MLOG_DEFAULT_FAMILY;
module_param_named(family, mlog_family, int, 0444);
MODULE_PARM_DESC(family,
		 "address family number of AF_MLOG (one no in-tree protocol uses; default 19)");

unsigned short mlog_default_udp_port = MLOG_DEFAULT_UDP_PORT;
module_param_named(udp_port, mlog_default_udp_port, ushort, 0444);
MODULE_PARM_DESC(udp_port, "initial transport UDP port of every namespace");

unsigned int mlog_max_peers = 4096;
module_param_named(max_peers, mlog_max_peers, uint, 0644);
MODULE_PARM_DESC(max_peers, "most peer nodes a namespace keeps track of");

unsigned int mlog_max_flows = 1024;
module_param_named(max_flows, mlog_max_flows, uint, 0644);
MODULE_PARM_DESC(max_flows, "most remote endpoints one socket talks with");

unsigned int mlog_suspect_after = 8;
module_param_named(suspect_after, mlog_suspect_after, uint, 0644);
MODULE_PARM_DESC(suspect_after,
		 "retransmission timeouts without a sign of life before a peer is suspected");

unsigned int mlog_max_hosts = 65535;
module_param_named(max_hosts, mlog_max_hosts, uint, 0444);
MODULE_PARM_DESC(max_hosts,
		 "protected host indices run from 1 to this; frames naming more are dropped");

unsigned int mlog_max_unacked = 4096;
module_param_named(max_unacked, mlog_max_unacked, uint, 0444);
MODULE_PARM_DESC(max_unacked,
		 "RSNs a protected host may have returned unacknowledged; beyond, it takes no more messages");

unsigned int mlog_max_history = 262144;
module_param_named(max_history, mlog_max_history, uint, 0644);
MODULE_PARM_DESC(max_history,
		 "RSN history runs a protected host keeps (48 bytes each); beyond, it takes no more messages until a checkpoint purges its history");

unsigned long mlog_log_max_kb = 65536;
module_param_named(log_max_kb, mlog_log_max_kb, ulong, 0444);
MODULE_PARM_DESC(log_max_kb,
		 "initial cap of each namespace's message log, KiB (netlink can change it)");

unsigned long mlog_log_limit_kb;
module_param_named(log_limit_kb, mlog_log_limit_kb, ulong, 0644);
MODULE_PARM_DESC(log_limit_kb,
		 "largest log cap netlink may set in a namespace owned by a user namespace other than the initial one, KiB (0: a quarter of RAM)");

unsigned int mlog_net_id __read_mostly;

static int __net_init mlog_net_init(struct net *net)
{
	struct mlog_net *mn = mlog_pernet(net);
	int i;

	mn->net = net;
	mutex_init(&mn->cfg_lock);
	mn->udp_port = mlog_default_udp_port;
	mn->log_mode = MLOG_LOG_NONE;
	mlog_net_init_ports(mn);
	spin_lock_init(&mn->peers_lock);
	hash_init(mn->peers);
	for (i = 0; i < __MLOG_STAT_MAX; i++)
		atomic64_set(&mn->stats.v[i], 0);
	for (i = 0; i < __MLOG_FRAME_EMAX; i++)
		atomic64_set(&mn->rx_bad[i], 0);
	mutex_init(&mn->hosts_lock);
	INIT_LIST_HEAD(&mn->hosts);
	mlog_log_init(&mn->log);
	mutex_init(&mn->routes_lock);
	xa_init(&mn->routes);
	return 0;
}

/*
 * Every AF_MLOG socket holds a reference on its namespace, so by the time
 * a namespace goes away only the transport socket is left.
 */
static void __net_exit mlog_net_exit(struct net *net)
{
	struct mlog_net *mn = mlog_pernet(net);

	mlog_transport_release(mn);
	mlog_hosts_free(mn);
	mlog_routes_free(mn);
	mlog_log_destroy(&mn->log);
	mlog_peers_free(mn);
}

static struct pernet_operations mlog_net_ops = {
	.init	= mlog_net_init,
	.exit	= mlog_net_exit,
	.id	= &mlog_net_id,
	.size	= sizeof(struct mlog_net),
};

static int __init mlog_init(void)
{
	int err;

	if (mlog_family <= AF_UNSPEC || mlog_family >= NPROTO) {
		pr_err("family=%d is outside 1..%d\n", mlog_family, NPROTO - 1);
		return -EINVAL;
	}
	if (!mlog_max_hosts || !mlog_max_unacked) {
		pr_err("max_hosts and max_unacked must not be 0\n");
		return -EINVAL;
	}
	if (!mlog_default_udp_port) {
		pr_err("udp_port must not be 0\n");
		return -EINVAL;
	}

	err = register_pernet_subsys(&mlog_net_ops);
	if (err)
		return err;
	err = mlog_proto_init();
	if (err)
		goto err_pernet;
	err = mlog_netlink_init();
	if (err)
		goto err_proto;

	pr_info("version %s, AF_MLOG is address family %d\n", MLOG_VERSION,
		mlog_family);
	return 0;

err_proto:
	mlog_proto_exit();
err_pernet:
	unregister_pernet_subsys(&mlog_net_ops);
	return err;
}

static void __exit mlog_exit(void)
{
	mlog_netlink_exit();
	mlog_proto_exit();
	unregister_pernet_subsys(&mlog_net_ops);
	/* Peers are freed after a grace period. */
	rcu_barrier();
}

module_init(mlog_init);
module_exit(mlog_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("mlog: message logging and checkpointing for fault tolerance");
MODULE_VERSION(MLOG_VERSION);
