// SPDX-License-Identifier: GPL-2.0
/*
 * The socket calls both AF_MLOG socket types share: addresses, bind(),
 * connect(), getname(), what every sendmsg() checks first (and the port
 * it binds if there is none yet), and recvmsg().
 *
 * Calls: the port table (port.c), the transport (a bound socket needs it
 * listening), routes (a host-form destination's node) and replay (a
 * replaying host's socket that got a port, or made room, takes more).
 */
#include <linux/module.h>
#include <linux/net.h>
#include <linux/skbuff.h>
#include <linux/socket.h>
#include <net/sock.h>

#include "mlog.h"

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

	sock_owned_by_me(sk);
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

	sock_owned_by_me(sk);
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
