/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mlog.ko internal interfaces.
 */
#ifndef _MLOG_H
#define _MLOG_H

#include <linux/atomic.h>
#include <linux/hashtable.h>
#include <linux/in6.h>
#include <linux/rwsem.h>
#include <linux/net.h>
#include <linux/spinlock.h>
#include <net/net_namespace.h>
#include <net/ipv6.h>
#include <net/netns/generic.h>
#include <net/sock.h>

#include "frame.h"

#define MLOG_VERSION		"0.1.0"
#define MLOG_PORT_HASH_BITS	8
#define MLOG_EPHEMERAL_LOW	32768
#define MLOG_EPHEMERAL_HIGH	60999

/* Per-namespace counters; indices are enum mlog_stat. */
struct mlog_stats {
	atomic64_t	v[__MLOG_STAT_MAX];
};

/*
 * Everything mlog knows about one network namespace: its node identity,
 * the UDP socket frames travel over and the table of bound AF_MLOG ports.
 */
struct mlog_net {
	struct net		*net;

	/*
	 * Writers (re)configure the node and its transport; senders hold it
	 * for reading so the UDP socket cannot change under them.
	 */
	struct rw_semaphore	cfg_sem;
	struct socket		*udp;		/* NULL until first used */
	u16			udp_port;	/* host order */
	u32			node_id;
	struct in6_addr		node_addr;	/* :: until configured */

	/* Bound sockets, looked up under RCU from the receive path. */
	spinlock_t		ports_lock;
	DECLARE_HASHTABLE(ports, MLOG_PORT_HASH_BITS);
	u16			next_ephemeral;	/* under ports_lock */

	struct mlog_stats	stats;
	atomic64_t		rx_bad[__MLOG_FRAME_EMAX];
};

struct mlog_sock {
	struct sock		sk;		/* must be first */
	struct hlist_node	port_node;	/* in mlog_net.ports */
	u16			port;		/* host order, 0 = unbound */
	bool			connected;
	struct sockaddr_mlog	peer;		/* default destination */
	u64			next_ssn;
};

static inline struct mlog_sock *mlog_sk(const struct sock *sk)
{
	return container_of(sk, struct mlog_sock, sk);
}

/* Source of a received frame, kept in skb->cb until recvmsg(). */
struct mlog_skb_cb {
	struct in6_addr		src_node;
	u16			src_port;
};

static inline struct mlog_skb_cb *mlog_skb_cb(struct sk_buff *skb)
{
	BUILD_BUG_ON(sizeof(struct mlog_skb_cb) > sizeof(skb->cb));
	return (struct mlog_skb_cb *)skb->cb;
}

extern unsigned int mlog_net_id;
extern int mlog_family;
extern unsigned short mlog_default_udp_port;

static inline struct mlog_net *mlog_pernet(const struct net *net)
{
	return net_generic(net, mlog_net_id);
}

static inline void mlog_stat_add(struct mlog_net *mn, enum mlog_stat s,
				 s64 n)
{
	atomic64_add(n, &mn->stats.v[s]);
}

static inline void mlog_stat_inc(struct mlog_net *mn, enum mlog_stat s)
{
	atomic64_inc(&mn->stats.v[s]);
}

/* af_mlog.c */
int mlog_proto_init(void);
void mlog_proto_exit(void);
struct sock *mlog_lookup_port(struct mlog_net *mn, u16 port);
void mlog_net_init_ports(struct mlog_net *mn);

/* transport.c */
int mlog_transport_get(struct mlog_net *mn);
int mlog_transport_reconfigure(struct mlog_net *mn, u16 udp_port);
void mlog_transport_release(struct mlog_net *mn);
int mlog_transport_send(struct mlog_net *mn, const struct in6_addr *node,
			const struct mlog_frame *f, struct iov_iter *payload,
			size_t len);

/* netlink.c */
int mlog_netlink_init(void);
void mlog_netlink_exit(void);

static inline bool mlog_addr_is_v4(const struct in6_addr *a)
{
	return ipv6_addr_v4mapped(a);
}

#endif /* _MLOG_H */
