// SPDX-License-Identifier: GPL-2.0
/*
 * The AF_MLOG socket family: the top of the socket layer.
 *
 * Sockets are addressed by (node, port).  SOCK_DGRAM (dgram.c) carries
 * unreliable messages; SOCK_RDM (rdm.c) reliable, ordered ones.  Messages
 * up to MLOG_MAX_MSG bytes travel in fragments of at most MLOG_MAX_FRAG
 * bytes and are reassembled in flow.c, where the state a socket keeps per
 * remote endpoint (a flow, struct mlog_flow) lives too.
 *
 * This file creates and releases sockets, holds the operations of both
 * types, and is where received frames come up from the transport
 * (mlog_rcv()): the port lookup, and the dispatch to the socket type.
 *
 * Calls: the socket types (dgram.c, rdm.c) and what they share (sock.c,
 * port.c), flows (flow.c), hosts (host.c), routes (fencing) and the
 * logging layer's answers for closed sockets (slog.c).
 */
#include <linux/module.h>
#include <linux/net.h>
#include <linux/random.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <net/sock.h>

#include "mlog.h"

static struct proto mlog_proto = {
	.name		= "MLOG",
	.owner		= THIS_MODULE,
	.obj_size	= sizeof(struct mlog_sock),
};

/*
 * A frame for the socket bound to its destination port, from the remote
 * endpoint keyed @src (a node's address or a host's key), which it came
 * from through node @node.  Consumes @skb.
 */
static void mlog_sock_rcv(struct sock *sk, struct sk_buff *skb,
			  const struct mlog_frame *f,
			  const struct in6_addr *src,
			  const struct in6_addr *node)
{
	struct mlog_net *mn = mlog_sk_net(mlog_sk(sk));
	struct mlog_sock *ms = mlog_sk(sk);

	/* for an incarnation of our host that is not this one: fenced */
	if (f->dst_incarnation && ms->bound_host &&
	    f->dst_incarnation != READ_ONCE(ms->host->incarnation)) {
		mlog_stat_inc(mn, MLOG_STAT_RX_FENCED);
		kfree_skb(skb);
		return;
	}
	/* datagrams, and RSNs and acks for those of a protected host */
	if (sk->sk_type == SOCK_DGRAM &&
	    (f->type == MLOG_FRAME_DATA ||
	     (f->type == MLOG_FRAME_ACK && READ_ONCE(ms->host)))) {
		mlog_dgram_rcv(ms, skb, f, src, node);
		return;
	}
	if (sk->sk_type == SOCK_RDM && f->type != MLOG_FRAME_DATA) {
		mlog_rdm_rcv(ms, skb, f, src, node);
		return;
	}
	mlog_stat_inc(mn, MLOG_STAT_RX_WRONG_TYPE);
	kfree_skb(skb);
}

/*
 * A well-formed frame the transport received from node @node (its
 * header already pulled): hand it to the socket bound to its destination
 * port.  Frames for no socket may still carry what the logging layer
 * answers in the name of a closed socket.  Softirq; consumes @skb.
 */
void mlog_rcv(struct mlog_net *mn, struct sk_buff *skb,
	      const struct mlog_frame *f, const struct in6_addr *node)
{
	struct in6_addr key;
	struct sock *sk;

	/* A protected host's frame: an incarnation fenced off is refused. */
	if (f->src_host && mlog_route_fenced(mn, f, node)) {
		mlog_stat_inc(mn, MLOG_STAT_RX_FENCED);
		goto drop;
	}
	/* The sender as its peers know it: a host's key, or its node. */
	key = *node;
	if (f->flags & MLOG_F_SRC_HOST)
		mlog_host_key(&key, f->src_host);

	sk = mlog_lookup_port(mn, f->dst_host, f->dst_port);
	if (!sk) {
		/* a host that is not (or no longer) here, or a free port */
		if (f->dst_host && !mlog_route_is_local(mn, f->dst_host))
			mlog_stat_inc(mn, MLOG_STAT_RX_NO_HOST);
		else
			mlog_stat_inc(mn, MLOG_STAT_RX_NO_PORT);
		/* RSNs for messages of a socket closed since: log them */
		if (f->rsn_count)
			mlog_sl_orphan_rsns(mn, &key, node, f);
		/* what a closed socket of a local host had delivered */
		if (f->dst_host)
			mlog_sl_closed_dup(mn, &key, node, f);
		goto drop;
	}
	mlog_sock_rcv(sk, skb, f, &key, node);
	sock_put(sk);
	return;
drop:
	kfree_skb(skb);
}

static void mlog_sock_destruct(struct sock *sk)
{
	skb_queue_purge(&sk->sk_receive_queue);
	WARN_ON_ONCE(atomic_read(&sk->sk_rmem_alloc));
}

/*
 * A socket about to close sends what it owes its peers (transport acks,
 * RSN acks) while it still has its port: the frames carry it as their
 * source, and the peers find their flow by it.
 */
static void mlog_flows_closing(struct mlog_sock *ms)
{
	spin_lock_bh(&ms->lock);
	mlog_rdm_sock_closing(ms);
	spin_unlock_bh(&ms->lock);
}

/*
 * Tear down the flows of a closing socket.  No new flow appears once
 * ms->dead is set; timers are stopped before anything is freed.
 */
static void mlog_flows_destroy(struct mlog_sock *ms)
{
	struct hlist_node *tmp;
	struct mlog_flow *fl;
	int bkt;

	spin_lock_bh(&ms->lock);
	ms->dead = true;
	spin_unlock_bh(&ms->lock);

	hash_for_each(ms->flows, bkt, fl, node)
		mlog_flow_stop(fl);

	spin_lock_bh(&ms->lock);
	hash_for_each_safe(ms->flows, bkt, tmp, fl, node) {
		hash_del(&fl->node);
		mlog_reasm_reset(ms, &fl->reasm);
		mlog_flow_free_rdm(fl);
		kfree(fl);
	}
	ms->nflows = 0;
	spin_unlock_bh(&ms->lock);
}

static int mlog_release(struct socket *sock)
{
	struct sock *sk = sock->sk;
	struct mlog_net *mn;

	if (!sk)
		return 0;
	mn = mlog_sk_net(mlog_sk(sk));
	mlog_flows_closing(mlog_sk(sk));
	mlog_host_port_closed(mlog_sk(sk));
	mlog_unhash_port(mn, mlog_sk(sk));

	lock_sock(sk);
	sock_orphan(sk);
	sk->sk_shutdown = SHUTDOWN_MASK;
	release_sock(sk);

	/*
	 * A receive softirq that found us before the unhash may still run:
	 * it sees ms->dead and creates nothing, and whatever it queues is
	 * purged by mlog_sock_destruct().
	 */
	mlog_flows_destroy(mlog_sk(sk));
	mlog_sock_leave_host(mlog_sk(sk));

	atomic64_dec(&mn->stats.v[MLOG_STAT_SOCKETS]);
	sock->sk = NULL;
	sock_put(sk);
	return 0;
}

static const struct proto_ops mlog_dgram_ops = {
	.owner		= THIS_MODULE,
	.release	= mlog_release,
	.bind		= mlog_bind,
	.connect	= mlog_connect,
	.socketpair	= sock_no_socketpair,
	.accept		= sock_no_accept,
	.getname	= mlog_getname,
	.poll		= mlog_dgram_poll,
	.ioctl		= sock_no_ioctl,
	.listen		= sock_no_listen,
	.shutdown	= sock_no_shutdown,
	.sendmsg	= mlog_dgram_sendmsg,
	.recvmsg	= mlog_recvmsg,
	.mmap		= sock_no_mmap,
};

static const struct proto_ops mlog_rdm_ops = {
	.owner		= THIS_MODULE,
	.release	= mlog_release,
	.bind		= mlog_bind,
	.connect	= mlog_connect,
	.socketpair	= sock_no_socketpair,
	.accept		= sock_no_accept,
	.getname	= mlog_getname,
	.poll		= mlog_rdm_poll,
	.ioctl		= mlog_rdm_ioctl,
	.listen		= sock_no_listen,
	.shutdown	= sock_no_shutdown,
	.sendmsg	= mlog_rdm_sendmsg,
	.recvmsg	= mlog_rdm_recvmsg,
	.mmap		= sock_no_mmap,
};

static int mlog_create(struct net *net, struct socket *sock, int protocol,
		       int kern)
{
	struct mlog_net *mn = mlog_pernet(net);
	struct mlog_sock *ms;
	struct sock *sk;
	int err;

	if (protocol)
		return -EPROTONOSUPPORT;
	switch (sock->type) {
	case SOCK_DGRAM:
		sock->ops = &mlog_dgram_ops;
		break;
	case SOCK_RDM:
		sock->ops = &mlog_rdm_ops;
		break;
	default:
		return -ESOCKTNOSUPPORT;
	}

	sk = sk_alloc(net, mlog_family, GFP_KERNEL, &mlog_proto, kern);
	if (!sk)
		return -ENOMEM;

	sock_init_data(sock, sk);
	sk->sk_destruct = mlog_sock_destruct;
	sk->sk_protocol = protocol;
	/* The receive path finds sockets under RCU. */
	sock_set_flag(sk, SOCK_RCU_FREE);

	ms = mlog_sk(sk);
	ms->mn = mn;
	spin_lock_init(&ms->lock);
	hash_init(ms->flows);
	do {
		ms->epoch = get_random_u32();
	} while (!ms->epoch);

	/* A task of a protected host: the socket logs for that host. */
	err = mlog_sock_join_host(ms);
	if (err) {
		sock->sk = NULL;
		sk_free(sk);
		return err;
	}

	atomic64_inc(&mn->stats.v[MLOG_STAT_SOCKETS]);
	return 0;
}

static struct net_proto_family mlog_family_ops = {
	.owner	= THIS_MODULE,
	.create	= mlog_create,
};

int mlog_proto_init(void)
{
	int err;

	err = proto_register(&mlog_proto, 1);
	if (err)
		return err;
	mlog_family_ops.family = mlog_family;
	err = sock_register(&mlog_family_ops);
	if (err) {
		pr_err("cannot register address family %d: %d\n",
		       mlog_family, err);
		proto_unregister(&mlog_proto);
	}
	return err;
}

void mlog_proto_exit(void)
{
	sock_unregister(mlog_family);
	proto_unregister(&mlog_proto);
}
