// SPDX-License-Identifier: GPL-2.0
/*
 * The AF_MLOG socket family.
 *
 * Sockets are addressed by (node, port).  SOCK_DGRAM carries unreliable
 * messages; SOCK_RDM (rdm.c) reliable, ordered ones.  Messages up to
 * MLOG_MAX_MSG bytes travel in fragments of at most MLOG_MAX_FRAG bytes
 * and are reassembled in flow.c, where the state a socket keeps per remote
 * endpoint (a flow, struct mlog_flow) lives too.
 */
#include <linux/jhash.h>
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

void mlog_net_init_ports(struct mlog_net *mn)
{
	spin_lock_init(&mn->ports_lock);
	hash_init(mn->ports);
	mn->next_ephemeral = MLOG_EPHEMERAL_LOW;
}

/*
 * The port table holds the sockets of both kinds of port space: a node's
 * (bound_host 0) and each protected host's own (bound_host = its index).
 */
static u32 mlog_port_hash(u32 host, u16 port)
{
	return jhash_2words(host, port, 0);
}

/* Caller holds ports_lock or rcu_read_lock(). */
static struct mlog_sock *__mlog_find_port(struct mlog_net *mn, u32 host,
					  u16 port)
{
	struct mlog_sock *ms;

	hash_for_each_possible_rcu(mn->ports, ms, port_node,
				   mlog_port_hash(host, port))
		if (ms->port == port && ms->bound_host == host)
			return ms;
	return NULL;
}

/*
 * Find the socket bound to @port of @host's port space (0: the node's)
 * and take a reference on it; called from the receive softirq.  Sockets
 * are freed after an RCU grace period (SOCK_RCU_FREE), so the lookup may
 * race with close() safely.
 */
struct sock *mlog_lookup_port(struct mlog_net *mn, u32 host, u16 port)
{
	struct mlog_sock *ms;
	struct sock *sk = NULL;

	rcu_read_lock();
	ms = __mlog_find_port(mn, host, port);
	if (ms && refcount_inc_not_zero(&ms->sk.sk_refcnt))
		sk = &ms->sk;
	rcu_read_unlock();
	return sk;
}

/*
 * The epoch of a host-form socket: the same in every execution of its
 * host, so that a re-executing host's sockets continue their peers' flows
 * (a socket bound again later gets another one, as a new socket must).
 */
static u32 mlog_host_epoch(struct mlog_host *h, u16 port)
{
	return jhash_3words(h->index, port, ++h->nbinds, 0) | 1;
}

/*
 * Bind @ms to @port of @host's port space (0: the node's), or to a free
 * ephemeral port when @port is 0.  A host's ephemeral ports are handed
 * out from its own counter, in the same order in every execution.
 */
static int mlog_hash_port(struct mlog_net *mn, struct mlog_sock *ms, u32 host,
			  u16 port)
{
	unsigned int range = MLOG_EPHEMERAL_HIGH - MLOG_EPHEMERAL_LOW + 1;
	u16 *next = host ? &ms->host->next_ephemeral : &mn->next_ephemeral;
	unsigned int tries;
	int err = 0;

	spin_lock_bh(&mn->ports_lock);
	if (port) {
		if (__mlog_find_port(mn, host, port))
			err = -EADDRINUSE;
		goto out;
	}
	for (tries = 0; tries < range; tries++) {
		u16 candidate = *next;

		*next = candidate == MLOG_EPHEMERAL_HIGH ? MLOG_EPHEMERAL_LOW :
							   candidate + 1;
		if (!__mlog_find_port(mn, host, candidate)) {
			port = candidate;
			goto out;
		}
	}
	err = -EADDRINUSE;
out:
	if (!err) {
		ms->port = port;
		ms->bound_host = host;
		if (host)
			ms->epoch = mlog_host_epoch(ms->host, port);
		hash_add_rcu(mn->ports, &ms->port_node,
			     mlog_port_hash(host, port));
	}
	spin_unlock_bh(&mn->ports_lock);
	return err;
}

static void mlog_unhash_port(struct mlog_net *mn, struct mlog_sock *ms)
{
	mlog_host_port_closed(ms);
	spin_lock_bh(&mn->ports_lock);
	if (ms->port) {
		hash_del_rcu(&ms->port_node);
		ms->port = 0;
	}
	spin_unlock_bh(&mn->ports_lock);
}

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

/* ---- socket calls shared by both types ---- */

/* Validate a user-supplied address; @len is what the caller passed. */
static int mlog_check_addr(const struct sockaddr *uaddr, int len,
			   const struct sockaddr_mlog **out)
{
	const struct sockaddr_mlog *sm = (const struct sockaddr_mlog *)uaddr;

	if (len < (int)sizeof(*sm))
		return -EINVAL;
	if (sm->smlog_family != mlog_family)
		return -EAFNOSUPPORT;
	if (sm->smlog_flags & ~MLOG_ADDR_HOST)
		return -EINVAL;
	/* a host-form address: 12 zero bytes, then the host index */
	if ((sm->smlog_flags & MLOG_ADDR_HOST) &&
	    memchr_inv(sm->smlog_node, 0, 12))
		return -EINVAL;
	*out = sm;
	return 0;
}

/* The key and node of a host-form address's host; 0 or -EHOSTUNREACH. */
static int mlog_resolve_host(struct mlog_net *mn, u32 host,
			     struct mlog_dest *dest)
{
	if (!host || host > mlog_max_hosts)
		return -EINVAL;
	mlog_host_key(&dest->key, host);
	return mlog_route_resolve(mn, host, &dest->node, &dest->incarnation);
}

/* @key and @port as a sockaddr_mlog: host form for a host's key. */
void mlog_key_to_sockaddr(struct sockaddr_mlog *sm, const struct in6_addr *key,
			  u16 port)
{
	u32 host = mlog_key_host(key);

	memset(sm, 0, sizeof(*sm));
	if (host)
		mlog_sockaddr_host(sm, mlog_family, host, port);
	sm->smlog_family = mlog_family;
	sm->smlog_port = port;
	if (!host)
		memcpy(sm->smlog_node, key, sizeof(sm->smlog_node));
}

/*
 * Resolve the destination of a send, explicit or connect()'s: a node's
 * port, or a host's port reached through the node its route names.
 * Caller holds lock_sock.
 */
static int mlog_send_dest(struct sock *sk, struct msghdr *msg,
			  struct mlog_dest *dest)
{
	struct mlog_sock *ms = mlog_sk(sk);
	const struct sockaddr_mlog *sm;
	int err;

	if (msg->msg_name) {
		err = mlog_check_addr(msg->msg_name, msg->msg_namelen, &sm);
		if (err)
			return err;
	} else if (ms->connected) {
		sm = &ms->peer;
	} else {
		return -EDESTADDRREQ;
	}
	if (!sm->smlog_port)
		return -EINVAL;
	dest->port = sm->smlog_port;
	if (sm->smlog_flags & MLOG_ADDR_HOST)
		return mlog_resolve_host(mlog_sk_net(ms),
					 mlog_sockaddr_host_index(sm), dest);
	memcpy(&dest->key, sm->smlog_node, sizeof(dest->key));
	dest->node = dest->key;
	dest->incarnation = 0;
	/* The UDP transport is IPv4-only for now. */
	if (!mlog_addr_is_v4(&dest->node))
		return -EAFNOSUPPORT;
	return 0;
}

/*
 * Bind to an ephemeral port if not bound yet: in the host's own port
 * space for a protected socket that sends to a host-form address first
 * (its peers then know it wherever it runs), else in the node's.  Caller
 * holds lock_sock.
 */
static int mlog_autobind(struct sock *sk, const struct mlog_dest *dest)
{
	struct mlog_net *mn = mlog_sk_net(mlog_sk(sk));
	struct mlog_sock *ms = mlog_sk(sk);
	u32 host = 0;
	int err;

	if (ms->port)
		return 0;
	/* The transport must be listening before anyone can answer us. */
	err = mlog_transport_get(mn);
	if (err)
		return err;
	if (ms->host && dest && mlog_key_host(&dest->key))
		host = ms->host->index;
	return mlog_hash_port(mn, ms, host, 0);
}

/*
 * What every send checks first, for both socket types: flags, size, a
 * pending error, the destination; and the socket gets a port if it has
 * none.
 */
int mlog_send_prepare(struct sock *sk, struct msghdr *msg, size_t len,
		      struct mlog_dest *dest)
{
	bool bound = mlog_sk(sk)->port;
	int err;

	if (msg->msg_flags & ~(MSG_DONTWAIT | MSG_NOSIGNAL | MSG_CMSG_COMPAT))
		return -EOPNOTSUPP;
	if (len > MLOG_MAX_MSG)
		return -EMSGSIZE;

	lock_sock(sk);
	err = sock_error(sk);
	if (!err)
		err = mlog_send_dest(sk, msg, dest);
	if (!err)
		err = mlog_autobind(sk, dest);
	release_sock(sk);
	if (!err && !bound)
		mlog_replay_run_sock(mlog_sk(sk));
	return err;
}

int mlog_bind(struct socket *sock, struct sockaddr *uaddr, int len)
{
	struct sock *sk = sock->sk;
	struct mlog_net *mn = mlog_sk_net(mlog_sk(sk));
	struct mlog_sock *ms = mlog_sk(sk);
	const struct sockaddr_mlog *sm;
	u32 host = 0;
	int err;

	err = mlog_check_addr(uaddr, len, &sm);
	if (err)
		return err;

	lock_sock(sk);
	if (ms->port) {
		err = -EINVAL;
		goto out;
	}
	if (sm->smlog_flags & MLOG_ADDR_HOST) {
		/* a port of our own host: "host 0" or its index */
		host = mlog_sockaddr_host_index(sm);
		if (!ms->host || (host && host != ms->host->index)) {
			err = -EADDRNOTAVAIL;
			goto out;
		}
		host = ms->host->index;
	} else if (!ipv6_addr_any((const struct in6_addr *)sm->smlog_node) &&
		   !ipv6_addr_equal((const struct in6_addr *)sm->smlog_node,
				    &mn->node_addr)) {
		/* A node can only bind its own address or the wildcard. */
		err = -EADDRNOTAVAIL;
		goto out;
	}
	err = mlog_transport_get(mn);
	if (!err)
		err = mlog_hash_port(mn, ms, host, sm->smlog_port);
out:
	release_sock(sk);
	if (!err)
		mlog_replay_run_sock(ms);
	return err;
}

int mlog_connect(struct socket *sock, struct sockaddr *uaddr, int len,
		 int flags)
{
	struct sock *sk = sock->sk;
	struct mlog_sock *ms = mlog_sk(sk);
	const struct sockaddr_mlog *sm;
	int err;

	if (len >= (int)sizeof(sa_family_t) && uaddr->sa_family == AF_UNSPEC) {
		lock_sock(sk);
		ms->connected = false;
		release_sock(sk);
		return 0;
	}
	err = mlog_check_addr(uaddr, len, &sm);
	if (err)
		return err;
	if (!sm->smlog_port)
		return -EINVAL;

	lock_sock(sk);
	err = mlog_autobind(sk, NULL);
	if (!err) {
		ms->peer = *sm;
		ms->connected = true;
	}
	release_sock(sk);
	return err;
}

int mlog_getname(struct socket *sock, struct sockaddr *uaddr, int peer)
{
	struct sock *sk = sock->sk;
	struct mlog_sock *ms = mlog_sk(sk);
	struct sockaddr_mlog *sm = (struct sockaddr_mlog *)uaddr;

	memset(sm, 0, sizeof(*sm));
	lock_sock(sk);
	if (peer) {
		if (!ms->connected) {
			release_sock(sk);
			return -ENOTCONN;
		}
		*sm = ms->peer;
	} else if (ms->bound_host) {
		mlog_sockaddr_host(sm, mlog_family, ms->bound_host, ms->port);
	} else {
		struct mlog_net *mn = mlog_sk_net(mlog_sk(sk));

		sm->smlog_family = mlog_family;
		sm->smlog_port = ms->port;
		memcpy(sm->smlog_node, &mn->node_addr, sizeof(sm->smlog_node));
	}
	release_sock(sk);
	return sizeof(*sm);
}

int mlog_recvmsg(struct socket *sock, struct msghdr *msg, size_t size,
		 int flags)
{
	struct sock *sk = sock->sk;
	struct sk_buff *skb;
	size_t copied;
	int err;

	if (flags & ~(MSG_DONTWAIT | MSG_PEEK | MSG_TRUNC | MSG_CMSG_COMPAT |
		      MSG_WAITALL))
		return -EOPNOTSUPP;

	skb = skb_recv_datagram(sk, flags, &err);
	if (!skb)
		return err;

	copied = skb->len;
	if (copied > size) {
		copied = size;
		msg->msg_flags |= MSG_TRUNC;
	}
	err = skb_copy_datagram_msg(skb, 0, msg, copied);
	if (err)
		goto out;

	if (msg->msg_name) {
		DECLARE_SOCKADDR(struct sockaddr_mlog *, sm, msg->msg_name);
		struct mlog_skb_cb *cb = mlog_skb_cb(skb);

		mlog_key_to_sockaddr(sm, &cb->src_node, cb->src_port);
		msg->msg_namelen = sizeof(*sm);
	}
	/* MSG_TRUNC asks for the real length, as for UDP. */
	err = (flags & MSG_TRUNC) ? skb->len : copied;
out:
	skb_free_datagram(sk, skb);
	/* a replay that waited for room in this socket goes on */
	if (mlog_host_replaying(mlog_sk(sk)->host))
		mlog_replay_run_sock(mlog_sk(sk));
	return err;
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

int mlog_release(struct socket *sock)
{
	struct sock *sk = sock->sk;
	struct mlog_net *mn;

	if (!sk)
		return 0;
	mn = mlog_sk_net(mlog_sk(sk));
	mlog_flows_closing(mlog_sk(sk));
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

/* Walk the bound sockets of the namespace for a netlink dump. */
int mlog_sock_dump(struct sk_buff *skb, struct netlink_callback *cb,
		   int (*fill)(struct sk_buff *skb,
			       struct netlink_callback *cb,
			       struct mlog_sock *ms))
{
	struct mlog_net *mn = mlog_pernet(sock_net(skb->sk));
	unsigned int bkt = cb->args[0], skip = cb->args[1], idx;
	struct mlog_sock *ms;

	spin_lock_bh(&mn->ports_lock);
	for (; bkt < HASH_SIZE(mn->ports); bkt++, skip = 0) {
		idx = 0;
		hlist_for_each_entry(ms, &mn->ports[bkt], port_node) {
			if (idx++ < skip)
				continue;
			if (fill(skb, cb, ms)) {
				cb->args[0] = bkt;
				cb->args[1] = idx - 1;
				goto out;
			}
		}
	}
	cb->args[0] = bkt;
	cb->args[1] = 0;
out:
	spin_unlock_bh(&mn->ports_lock);
	return skb->len;
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
