// SPDX-License-Identifier: GPL-2.0
/*
 * The AF_MLOG socket family.
 *
 * SOCK_DGRAM sockets addressed by (node, port).  Frames travel between
 * nodes over UDP (transport.c); here live the socket calls and the table
 * of bound ports that the receive path consults.
 */
#include <linux/module.h>
#include <linux/net.h>
#include <linux/poll.h>
#include <linux/skbuff.h>
#include <linux/socket.h>
#include <linux/uio.h>
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

/* Caller holds ports_lock or rcu_read_lock(). */
static struct mlog_sock *__mlog_find_port(struct mlog_net *mn, u16 port)
{
	struct mlog_sock *ms;

	hash_for_each_possible_rcu(mn->ports, ms, port_node, port)
		if (ms->port == port)
			return ms;
	return NULL;
}

/*
 * Find the socket bound to @port and take a reference on it; called from
 * the receive softirq.  Sockets are freed after an RCU grace period
 * (SOCK_RCU_FREE), so the lookup may race with close() safely.
 */
struct sock *mlog_lookup_port(struct mlog_net *mn, u16 port)
{
	struct mlog_sock *ms;
	struct sock *sk = NULL;

	rcu_read_lock();
	ms = __mlog_find_port(mn, port);
	if (ms && refcount_inc_not_zero(&ms->sk.sk_refcnt))
		sk = &ms->sk;
	rcu_read_unlock();
	return sk;
}

/* Bind @ms to @port, or to a free ephemeral port when @port is 0. */
static int mlog_hash_port(struct mlog_net *mn, struct mlog_sock *ms, u16 port)
{
	unsigned int range = MLOG_EPHEMERAL_HIGH - MLOG_EPHEMERAL_LOW + 1;
	unsigned int tries;
	int err = 0;

	spin_lock_bh(&mn->ports_lock);
	if (port) {
		if (__mlog_find_port(mn, port))
			err = -EADDRINUSE;
		goto out;
	}
	for (tries = 0; tries < range; tries++) {
		u16 candidate = mn->next_ephemeral;

		mn->next_ephemeral = candidate == MLOG_EPHEMERAL_HIGH ?
				     MLOG_EPHEMERAL_LOW : candidate + 1;
		if (!__mlog_find_port(mn, candidate)) {
			port = candidate;
			goto out;
		}
	}
	err = -EADDRINUSE;
out:
	if (!err) {
		ms->port = port;
		hash_add_rcu(mn->ports, &ms->port_node, port);
	}
	spin_unlock_bh(&mn->ports_lock);
	return err;
}

static void mlog_unhash_port(struct mlog_net *mn, struct mlog_sock *ms)
{
	spin_lock_bh(&mn->ports_lock);
	if (ms->port) {
		hash_del_rcu(&ms->port_node);
		ms->port = 0;
	}
	spin_unlock_bh(&mn->ports_lock);
}

/* Validate a user-supplied address; @len is what the caller passed. */
static int mlog_check_addr(const struct sockaddr *uaddr, int len,
			   const struct sockaddr_mlog **out)
{
	const struct sockaddr_mlog *sm = (const struct sockaddr_mlog *)uaddr;

	if (len < (int)sizeof(*sm))
		return -EINVAL;
	if (sm->smlog_family != mlog_family)
		return -EAFNOSUPPORT;
	if (sm->smlog_flags)
		return -EINVAL;
	*out = sm;
	return 0;
}

static int mlog_autobind(struct sock *sk)
{
	struct mlog_net *mn = mlog_pernet(sock_net(sk));
	struct mlog_sock *ms = mlog_sk(sk);
	int err;

	if (ms->port)
		return 0;
	/* The transport must be listening before anyone can answer us. */
	err = mlog_transport_get(mn);
	if (err)
		return err;
	return mlog_hash_port(mn, ms, 0);
}

static int mlog_bind(struct socket *sock, struct sockaddr *uaddr, int len)
{
	struct sock *sk = sock->sk;
	struct mlog_net *mn = mlog_pernet(sock_net(sk));
	struct mlog_sock *ms = mlog_sk(sk);
	const struct sockaddr_mlog *sm;
	int err;

	err = mlog_check_addr(uaddr, len, &sm);
	if (err)
		return err;

	lock_sock(sk);
	if (ms->port) {
		err = -EINVAL;
		goto out;
	}
	/* A node can only bind its own address or the wildcard. */
	if (!ipv6_addr_any((const struct in6_addr *)sm->smlog_node) &&
	    !ipv6_addr_equal((const struct in6_addr *)sm->smlog_node,
			     &mn->node_addr)) {
		err = -EADDRNOTAVAIL;
		goto out;
	}
	err = mlog_transport_get(mn);
	if (!err)
		err = mlog_hash_port(mn, ms, sm->smlog_port);
out:
	release_sock(sk);
	return err;
}

static int mlog_connect(struct socket *sock, struct sockaddr *uaddr,
			int len, int flags)
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
	err = mlog_autobind(sk);
	if (!err) {
		ms->peer = *sm;
		ms->connected = true;
	}
	release_sock(sk);
	return err;
}

static int mlog_getname(struct socket *sock, struct sockaddr *uaddr, int peer)
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
	} else {
		struct mlog_net *mn = mlog_pernet(sock_net(sk));

		sm->smlog_family = mlog_family;
		sm->smlog_port = ms->port;
		memcpy(sm->smlog_node, &mn->node_addr, sizeof(sm->smlog_node));
	}
	release_sock(sk);
	return sizeof(*sm);
}

static int mlog_sendmsg(struct socket *sock, struct msghdr *msg, size_t len)
{
	struct sock *sk = sock->sk;
	struct mlog_net *mn = mlog_pernet(sock_net(sk));
	struct mlog_sock *ms = mlog_sk(sk);
	struct sockaddr_mlog dest;
	struct mlog_frame f = { .type = MLOG_FRAME_DATA };
	int err;

	if (msg->msg_flags & ~(MSG_DONTWAIT | MSG_NOSIGNAL | MSG_CMSG_COMPAT))
		return -EOPNOTSUPP;
	if (len > MLOG_MAX_PAYLOAD)
		return -EMSGSIZE;

	lock_sock(sk);
	if (msg->msg_name) {
		const struct sockaddr_mlog *sm;

		err = mlog_check_addr(msg->msg_name, msg->msg_namelen, &sm);
		if (err)
			goto out;
		dest = *sm;
	} else if (ms->connected) {
		dest = ms->peer;
	} else {
		err = -EDESTADDRREQ;
		goto out;
	}
	if (!dest.smlog_port) {
		err = -EINVAL;
		goto out;
	}
	if (!mlog_addr_is_v4((struct in6_addr *)dest.smlog_node)) {
		/* The UDP transport is IPv4-only for now. */
		err = -EAFNOSUPPORT;
		goto out;
	}
	err = mlog_autobind(sk);
	if (err)
		goto out;

	f.src_port = ms->port;
	f.dst_port = dest.smlog_port;
	f.payload_len = len;
	f.ssn = ++ms->next_ssn;
	release_sock(sk);

	err = mlog_transport_send(mn, (struct in6_addr *)dest.smlog_node, &f,
				  &msg->msg_iter, len);
	return err ? err : len;
out:
	release_sock(sk);
	return err;
}

static int mlog_recvmsg(struct socket *sock, struct msghdr *msg, size_t size,
			int flags)
{
	struct sock *sk = sock->sk;
	struct sk_buff *skb;
	size_t copied;
	int err;

	if (flags & ~(MSG_DONTWAIT | MSG_PEEK | MSG_TRUNC | MSG_CMSG_COMPAT))
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

		memset(sm, 0, sizeof(*sm));
		sm->smlog_family = mlog_family;
		sm->smlog_port = cb->src_port;
		memcpy(sm->smlog_node, &cb->src_node, sizeof(sm->smlog_node));
		msg->msg_namelen = sizeof(*sm);
	}
	/* MSG_TRUNC asks for the real length, as for UDP. */
	err = (flags & MSG_TRUNC) ? skb->len : copied;
out:
	skb_free_datagram(sk, skb);
	return err;
}

static void mlog_sock_destruct(struct sock *sk)
{
	skb_queue_purge(&sk->sk_receive_queue);
	WARN_ON_ONCE(atomic_read(&sk->sk_rmem_alloc));
	WARN_ON_ONCE(refcount_read(&sk->sk_wmem_alloc) > 1);
}

static int mlog_release(struct socket *sock)
{
	struct sock *sk = sock->sk;
	struct mlog_net *mn;

	if (!sk)
		return 0;
	mn = mlog_pernet(sock_net(sk));
	mlog_unhash_port(mn, mlog_sk(sk));

	lock_sock(sk);
	sock_orphan(sk);
	sk->sk_shutdown = SHUTDOWN_MASK;
	release_sock(sk);

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
	.poll		= datagram_poll,
	.ioctl		= sock_no_ioctl,
	.listen		= sock_no_listen,
	.shutdown	= sock_no_shutdown,
	.sendmsg	= mlog_sendmsg,
	.recvmsg	= mlog_recvmsg,
	.mmap		= sock_no_mmap,
};

static int mlog_create(struct net *net, struct socket *sock, int protocol,
		       int kern)
{
	struct mlog_net *mn = mlog_pernet(net);
	struct sock *sk;

	if (protocol)
		return -EPROTONOSUPPORT;
	if (sock->type != SOCK_DGRAM)
		return -ESOCKTNOSUPPORT;

	sk = sk_alloc(net, mlog_family, GFP_KERNEL, &mlog_proto, kern);
	if (!sk)
		return -ENOMEM;

	sock->ops = &mlog_dgram_ops;
	sock_init_data(sock, sk);
	sk->sk_destruct = mlog_sock_destruct;
	sk->sk_protocol = protocol;
	/* The receive path finds sockets under RCU. */
	sock_set_flag(sk, SOCK_RCU_FREE);

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
