// SPDX-License-Identifier: GPL-2.0
/*
 * The port table: the AF_MLOG sockets of a namespace, by port.
 *
 * A socket is bound in one of two kinds of port space: its node's (a
 * node-form address, bound_host 0), or, for a socket of a protected host,
 * the host's own (a host-form address, bound_host = the host's index),
 * which follows the host wherever it runs.  The receive path finds the
 * socket a frame is for here, under RCU; binds and closes change the
 * table under ports_lock.
 *
 * Calls nothing of mlog's: the bottom of the socket layer.
 */
#include <linux/jhash.h>
#include <linux/rculist.h>
#include <net/sock.h>

#include "mlog.h"

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
				   mlog_port_hash(host, port),
				   lockdep_is_held(&mn->ports_lock))
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
int mlog_hash_port(struct mlog_net *mn, struct mlog_sock *ms, u32 host,
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

/* The socket is closing: its port is free again. */
void mlog_unhash_port(struct mlog_net *mn, struct mlog_sock *ms)
{
	spin_lock_bh(&mn->ports_lock);
	if (ms->port) {
		hash_del_rcu(&ms->port_node);
		ms->port = 0;
	}
	spin_unlock_bh(&mn->ports_lock);
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
