/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mlog.ko internal interfaces.
 */
#ifndef _MLOG_H
#define _MLOG_H

#include <linux/atomic.h>
#include <linux/hashtable.h>
#include <linux/in6.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/net.h>
#include <linux/spinlock.h>
#include <linux/timer.h>
#include <linux/pid_namespace.h>
#include <linux/poll.h>
#include <linux/rbtree.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <net/dst_cache.h>
#include <net/ipv6.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <net/sock.h>

#include "frame.h"
#include "slog_core.h"

#define MLOG_VERSION		"0.2.0"
#define MLOG_PORT_HASH_BITS	8
#define MLOG_PEER_HASH_BITS	8
#define MLOG_FLOW_HASH_BITS	6
#define MLOG_EPHEMERAL_LOW	32768
#define MLOG_EPHEMERAL_HIGH	60999

/* Module parameters (main.c). */
extern int mlog_family;
extern unsigned short mlog_default_udp_port;
extern unsigned int mlog_max_peers;
extern unsigned int mlog_max_flows;
extern unsigned int mlog_suspect_after;
extern unsigned int mlog_max_hosts;
extern unsigned int mlog_max_unacked;
extern unsigned int mlog_max_history;
extern unsigned long mlog_log_max_kb;
extern unsigned long mlog_log_limit_kb;

/* Per-namespace counters; indices are enum mlog_stat. */
struct mlog_stats {
	atomic64_t	v[__MLOG_STAT_MAX];
};

struct mlog_net;
struct mlog_replay_msg;

/*
 * Remote endpoints are keyed by a 16-byte address: a node's, or, for a
 * port of a protected host's own port space, the host's *key*
 * fd6d:6c67::H ("mlog", a unique-local prefix no node address uses; node
 * addresses are IPv4-mapped).  A flow, an RSN history run and a log entry
 * name a host-form endpoint by its key, so they stay valid wherever the
 * host runs (Documentation/recovery.rst).
 */
#define MLOG_HOST_KEY_PREFIX	0xfd6d6c67

static inline void mlog_host_key(struct in6_addr *a, u32 host)
{
	a->s6_addr32[0] = htonl(MLOG_HOST_KEY_PREFIX);
	a->s6_addr32[1] = 0;
	a->s6_addr32[2] = 0;
	a->s6_addr32[3] = htonl(host);
}

/* The host a key names, 0 for a node's address. */
static inline u32 mlog_key_host(const struct in6_addr *a)
{
	if (a->s6_addr32[0] != htonl(MLOG_HOST_KEY_PREFIX) ||
	    a->s6_addr32[1] || a->s6_addr32[2])
		return 0;
	return ntohl(a->s6_addr32[3]);
}

/*
 * Where a protected host runs, as this namespace knows it (route.c).
 * Read under RCU; replaced, never changed in place.
 */
struct mlog_route {
	struct rcu_head		rcu;
	struct in6_addr		node;
	u32			incarnation;
	u32			state;		/* enum mlog_route_state */
	u64			replayed;	/* RSN its replay reached */
	bool			local;		/* registered on this node */
};

/* A node this namespace exchanges frames with. */
struct mlog_peer {
	struct hlist_node	node;		/* in mlog_net.peers */
	struct rcu_head		rcu;
	struct in6_addr		addr;
	u32			state;		/* enum mlog_peer_state */
	unsigned long		last_heard;	/* jiffies; 0 = never */
	atomic64_t		tx_frames;
	atomic64_t		rx_frames;
	atomic64_t		retransmits;
	struct dst_cache	dst_cache;	/* IPv4 route to it, per CPU */
};

/*
 * The node's volatile message log (log.c): fixed-size blocks filled in
 * order; a block is freed when the last entry in it dies.  Entries are
 * indexed by receiving host: fully logged ones by RSN, partially logged
 * ones in send order.
 */
#define MLOG_LOG_BLOCK_BYTES	(256 * 1024)

struct mlog_log_block {
	struct list_head	list;		/* in mlog_log.blocks */
	u32			used;		/* bytes handed out */
	u32			live;		/* entries not yet freed */
	u8			data[];
};

/*
 * A receiver's entries.  Fully logged ones are ordered by RSN: those
 * that arrived in order are appended to @tail, above every RSN in the
 * tree @full; the tail is folded into the tree when an RSN arrives out of
 * order or a lookup needs the tree.
 */
struct mlog_log_dst {
	u32			host;		/* 0: receiver not known yet */
	struct rb_root		full;		/* by RSN, below the tail's */
	struct list_head	tail;		/* in RSN order */
	struct mlog_log_rec	*last;		/* highest RSN of both, or NULL */
	struct list_head	partial;	/* in send order */
	u64			purged;		/* RSNs up to this are gone */
};

enum mlog_rec_state {
	MLOG_REC_PARTIAL = MLOG_ENTRY_PARTIAL,
	MLOG_REC_FULL = MLOG_ENTRY_FULL,
	MLOG_REC_DEAD,				/* out of the index */
};

struct mlog_log_rec {
	struct mlog_log_block	*blk;
	struct mlog_log_dst	*dst;		/* index it was last filed in */
	struct rb_node		rb;		/* dst->full, or clear */
	struct list_head	dnode;		/* dst->partial or dst->tail */
	struct list_head	fnode;		/* flow's entries awaiting RSNs */
	refcount_t		refs;		/* the last put under mlog_log.lock */
	u8			state;
	bool			dgram;		/* SSN: the socket's datagram number */
	u32			src_host;
	u32			dst_host;
	u32			len;
	u32			extra_rsns;	/* AdditionalRsn records */
	u32			src_epoch;	/* sending socket's epoch */
	struct in6_addr		dst_node;
	u16			src_port;
	u16			dst_port;
	u64			ssn;
	u64			host_ssn;
	u64			interval;
	u64			rsn;
	bool			src_hostaddr;	/* sent from a host-form socket */
	u8			data[];
};

/* Bytes an entry for a message of @len bytes takes in a log block. */
static inline u32 mlog_log_rec_size(u32 len)
{
	return ALIGN(sizeof(struct mlog_log_rec) + len, 8);
}

struct mlog_log {
	spinlock_t		lock;		/* everything below */
	struct list_head	blocks;
	struct mlog_log_block	*cur;
	u64			bytes;		/* blocks allocated */
	u64			max_bytes;
	u64			entries;
	struct xarray		dsts;		/* host index -> mlog_log_dst */
	wait_queue_head_t	wait;		/* senders waiting for room */
	struct list_head	free_list;
	struct work_struct	free_work;
	struct work_struct	event_work;
	bool			pressure;
	/* protocol switches (thesis 3.2.5), for measurement */
	bool			piggyback;
	bool			ranges;
	u32			rsn_delay_us;
	unsigned long		rsn_delay;	/* the same, in jiffies + 1 */
};

/*
 * Everything mlog knows about one network namespace: its node identity,
 * the UDP socket frames travel over, bound ports and known peers.
 */
struct mlog_net {
	struct net		*net;

	/* Serialises (re)configuration of the node and its transport. */
	struct mutex		cfg_lock;
	struct socket __rcu	*udp;		/* NULL until first used */
	u16			udp_port;	/* host order */
	u32			node_id;
	struct in6_addr		node_addr;	/* :: until configured */
	/*
	 * enum mlog_log_mode: "sender" once a host was registered.  Only
	 * reported: sender-based logging applies per socket, to those of a
	 * protected host (mlog_sock.host).
	 */
	u32			log_mode;

	/* Bound sockets, looked up under RCU from the receive path. */
	spinlock_t		ports_lock;
	DECLARE_HASHTABLE(ports, MLOG_PORT_HASH_BITS);
	u16			next_ephemeral;	/* under ports_lock */

	spinlock_t		peers_lock;	/* inserts into peers */
	DECLARE_HASHTABLE(peers, MLOG_PEER_HASH_BITS);
	unsigned int		npeers;		/* under peers_lock */

	struct mlog_stats	stats;
	atomic64_t		rx_bad[__MLOG_FRAME_EMAX];

	/* sender-based logging: protected hosts (RCU list) and the log */
	struct mutex		hosts_lock;
	struct list_head	hosts;
	unsigned int		nhosts;
	struct mlog_log		log;

	/* host index -> struct mlog_route, read under RCU (route.c) */
	struct mutex		routes_lock;	/* serialises changes */
	struct xarray		routes;
};

/*
 * A protected host (the thesis's logical host): the tasks of one PID
 * namespace.  Its AF_MLOG sockets log what they send in the node's log
 * and assign RSNs to what they receive.
 */
struct mlog_host {
	struct list_head	node;		/* in mlog_net.hosts */
	struct rcu_head		rcu;
	refcount_t		ref;
	struct mlog_net		*mn;
	struct pid_namespace	*pidns;
	u32			index;
	u32			incarnation;

	/* Protocol state; nests inside a socket's lock. */
	spinlock_t		lock;
	u64			rsn;		/* current state interval */
	u64			ssn;		/* messages sent */
	struct xarray		deps;		/* host index -> interval */
	u32			dep_src;	/* deps[dep_src] >= dep_interval */
	u64			dep_interval;
	struct mlog_pend_set	pend;		/* RSNs returned, not acked */
	struct mlog_hist	hist;
	/* Table 3.7's columns; the send rule may count without the lock */
	atomic64_t		tx_plain;
	atomic64_t		tx_piggyback;
	atomic64_t		tx_delayed;
	bool			kick_rsn;	/* hurry RSNs of all sockets */
	bool			kick_push;	/* push held flows of all sockets */
	bool			held_any;	/* some flow is held */
	u32			ack_gen;	/* bumped when pending RSNs go */
	wait_queue_head_t	sendq;		/* datagram senders held by the rule */

	/*
	 * Its own port space (host-form sockets), under mn->ports_lock:
	 * ephemeral ports and socket epochs are handed out in the same
	 * order in every execution of the host.
	 */
	u16			next_ephemeral;
	u32			nbinds;
	/* port -> epoch of its last closed socket, for answering duplicates */
	struct xarray		closed_epochs;

	/*
	 * Replay (replay.c): logged messages delivered in RSN order to the
	 * re-executing host; it takes no other data until the last one.
	 */
	struct mutex		replay_lock;	/* the queue and delivery */
	struct list_head	replay_q;	/* struct mlog_replay_msg */
	u32			replay_queued;
	u64			replay_bytes;
	u64			replayed;	/* RSN the replay reached */
	bool			replaying;	/* read locklessly on rx */
	bool			replay_end;	/* nothing follows the queue */

	/* Its sockets, for kicking flows held by the send rule. */
	struct mutex		socks_lock;
	struct list_head	socks;
	unsigned int		nsocks;
	struct work_struct	kick_work;
};

/*
 * A message a SOCK_RDM socket keeps until its receiver acknowledges it.
 * Its bytes are in its log entry (a protected host's), inline, or, for a
 * large message, in a buffer of their own (rdm.c, mlog_txmsg_cost()).
 */
struct mlog_txmsg {
	struct list_head	list;		/* in mlog_flow.txq, SSN order */
	u64			ssn;
	u32			len;
	bool			retransmitted;	/* no RTT sample (Karn) */
	bool			delayed;	/* held by the send rule */
	bool			logged;		/* the bytes are rec's */
	bool			probed;		/* only a window probe went */
	u64			sent_ns;	/* ktime_get_ns() of first send */
	u64			interval;	/* sender's RSN when sent */
	struct mlog_log_rec	*rec;		/* logged copy, or NULL */
	u8			*data;		/* rec->data, inline or apart */
	u8			inline_data[];
};

/*
 * A message being reassembled from its fragments.  Normally the fragments
 * themselves are kept, each charged to the socket, and chained into one
 * skb when the last arrives (no copy).  When the buffer could not hold a
 * whole message kept that way, its bytes are copied into one buffer
 * instead, which costs about half as much memory.  A SOCK_RDM message is
 * admitted whole: room for all of it is reserved at its first fragment
 * (mlog_sock.rcv_reserved), and each fragment kept turns part of that
 * reservation into its charge.
 */
struct mlog_reasm {
	struct sk_buff		*skb;		/* copy: the message buffer */
	struct sk_buff		*head;		/* chain: fragments by offset */
	struct sk_buff		*tail;
	u64			ssn;
	u32			msg_len;
	u32			have;		/* bytes received so far */
	u64			frags;		/* bitmap of fragments received */
	bool			admitted;	/* room reserved for all of it */
	u32			reserved;	/* ... of which not charged yet */
	unsigned long		stamp;		/* jiffies of its last fragment */
};

static inline bool mlog_reasm_started(const struct mlog_reasm *r)
{
	return r->skb || r->head || r->admitted;
}

/*
 * SOCK_RDM messages a flow keeps when they arrive beyond a gap (SSNs
 * rcv_nxt + 1 .. rcv_nxt + MLOG_OOO_MSGS - 1), so that one lost fragment
 * costs the sender one message again, not everything sent after it.
 * Allocated on the first gap; what it holds is charged to the socket.
 */
#define MLOG_OOO_MSGS	32

struct mlog_ooo {
	struct mlog_reasm	reasm[MLOG_OOO_MSGS];	/* by SSN modulo */
	struct mlog_frame	frame[MLOG_OOO_MSGS];	/* first header seen */
};

/*
 * The traffic between one local socket and one remote endpoint
 * (node, port): both directions of SOCK_RDM, or the reassembly of
 * fragmented SOCK_DGRAM messages from that endpoint.
 */
struct mlog_flow {
	struct hlist_node	node;		/* in mlog_sock.flows */
	struct mlog_sock	*ms;
	struct mlog_peer	*peer;
	struct in6_addr		addr;
	u16			port;
	u32			peer_epoch;	/* 0 until heard from */

	/* sending side */
	u64			next_ssn;	/* SSN of the next new message */
	u64			snd_una;	/* oldest unacknowledged SSN */
	u64			snd_nxt;	/* next SSN to put on the wire */
	struct list_head	txq;		/* messages snd_una .. next_ssn */
	u32			inflight;	/* bytes in snd_una .. snd_nxt */
	u32			peer_window;	/* bytes it last said it takes */
	u32			cwnd;		/* congestion window, bytes */
	u32			ssthresh;	/* slow start below this */
	struct timer_list	rto_timer;
	unsigned int		rto;		/* jiffies */
	unsigned int		srtt_us;	/* smoothed RTT, 0 = no sample */
	unsigned int		rttvar_us;
	unsigned int		timeouts;	/* consecutive, no sign of life */
	u64			recover;	/* no fast retransmit below this */
	unsigned int		dupacks;
	/* fragments of message map_ssn the receiver last said it holds */
	u64			map_ssn;
	u64			frag_map;
	/*
	 * A retransmission timeout sent only the last fragment of message
	 * probe_ssn (0: none): the map the receiver answers with says what
	 * else to send.
	 */
	u64			probe_ssn;
	/* the recovery up to @recover began with a timeout, not dupacks */
	bool			rto_recovery;
	/*
	 * After a retransmission timeout of message undo_ssn (0: none), the
	 * window it had, restored if the receiver turns out to have had the
	 * message all along (mlog_check_undo()).
	 */
	u64			undo_ssn;
	u32			undo_cwnd;
	u32			undo_ssthresh;
	bool			reported;	/* socket told of the silence */
	/*
	 * The remote endpoint is a host being recovered (its route is
	 * RECOVERING): no data goes to it until the route turns LIVE.
	 */
	bool			rhold;
	u32			dst_incarnation; /* of a host-form remote */

	/*
	 * The receiver's last acknowledgment offered no room while messages
	 * awaited it: it dropped snd_una, or would have.  A window again
	 * says there is room: ask again (mlog_process_ack()).
	 */
	bool			zero_window;

	/* receiving side */
	u64			rcv_nxt;	/* next SSN to deliver */
	struct mlog_reasm	reasm;
	struct mlog_ooo		*ooo;		/* kept beyond a gap, or NULL */
	unsigned int		unacked;	/* delivered, not yet acked */
	bool			window_low;	/* advertised little room */
	/*
	 * Message rcv_nxt found no room, and would cost this much: the flow
	 * is offered a window of 0 until reading makes that much room.
	 */
	u32			rcv_refused;
	struct timer_list	ack_timer;

	/* sender-based logging */
	u32			remote_host;	/* its host index, 0 = none */
	bool			remote_known;
	bool			held;		/* waits for RSN acks to send */
	struct list_head	partial;	/* log entries awaiting RSNs */
	struct mlog_log_dst	*log_dst;	/* receiver's index, a hint */
	struct mlog_ackset	owed;		/* RSN acks we owe it */
	struct timer_list	sl_timer;	/* standalone RSN / ack frames */
	unsigned long		rsn_due;	/* 0: no RSN waiting to go */
	bool			rsn_wait;	/* RSNs never sent: piggyback wait */
	unsigned long		ack_due;	/* 0: no RSN ack waiting */
	unsigned int		rsn_backoff;
	/*
	 * The send rule as mlog_sl_fill() found it for the frame it last
	 * filled with a logged message, for mlog_sl_check_frame().
	 */
	struct mlog_rsn_run	chk_run;	/* the RSNs the frame carries */
	u64			chk_interval;
	bool			chk_valid;
	bool			chk_ok;
	/*
	 * mlog_sl_may_send() just let a message of interval rule_interval
	 * go, and the flow had no RSN pending: the frame that carries it,
	 * filled next under the same hold of ms->lock, has nothing more to
	 * learn from the host's pending RSNs.
	 */
	bool			rule_clear;
	u64			rule_interval;
};

struct mlog_sock_stats {
	u64	tx_msgs;
	u64	rx_msgs;
	u64	retransmits;
	u64	rx_dup;
	u64	rx_drops;
};

struct mlog_sock {
	struct sock		sk;		/* must be first */
	/*
	 * sock_net()'s mlog_net, kept here because net_generic() costs an
	 * RCU section per call; it outlives the socket, which holds a
	 * reference on its namespace.
	 */
	struct mlog_net		*mn;
	struct hlist_node	port_node;	/* in mlog_net.ports */
	u16			port;		/* host order, 0 = unbound */
	/* port space: host index for a host-form socket, 0 for the node's */
	u32			bound_host;
	bool			connected;
	struct sockaddr_mlog	peer;		/* default destination */
	u32			epoch;		/* random, never 0 */
	atomic64_t		dgram_ssn;	/* numbers DGRAM messages */

	/* Protects the flows and their queues; taken in softirq too. */
	spinlock_t		lock;
	bool			dead;		/* closing: no new flows, timers */
	bool			window_low;	/* some flow was told little room */
	u32			wake_space;	/* ... tell it when this is free */
	u32			rcv_reserved;	/* room held for admitted messages */
	DECLARE_HASHTABLE(flows, MLOG_FLOW_HASH_BITS);
	unsigned int		nflows;
	u32			tx_queued;	/* cost of unacknowledged messages */
	struct mlog_sock_stats	stats;

	struct mlog_host	*host;		/* protected host, or NULL */
	struct list_head	host_node;	/* in host->socks */
};

static inline struct mlog_sock *mlog_sk(const struct sock *sk)
{
	return container_of(sk, struct mlog_sock, sk);
}

static inline struct mlog_net *mlog_sk_net(const struct mlog_sock *ms)
{
	return ms->mn;
}

/*
 * Receive buffer in use: what is charged to the socket and the room held
 * for admitted messages.  Receivers take what fits SO_RCVBUF, and a
 * buffer holding nothing takes anything, as UDP does, so that a message
 * larger than the buffer still comes through.
 */
static inline u32 mlog_rcv_used(const struct mlog_sock *ms)
{
	return atomic_read(&ms->sk.sk_rmem_alloc) + READ_ONCE(ms->rcv_reserved);
}

static inline bool mlog_rcv_room(const struct mlog_sock *ms, u32 size)
{
	u32 used = mlog_rcv_used(ms);

	return !used || (u64)used + size <= (u32)READ_ONCE(ms->sk.sk_rcvbuf);
}

/* Free receive buffer, 0 when it is full or beyond. */
static inline u32 mlog_rcv_space(const struct mlog_sock *ms)
{
	int space = READ_ONCE(ms->sk.sk_rcvbuf) - (int)mlog_rcv_used(ms);

	return space > 0 ? space : 0;
}

/* Source of a received frame, kept in skb->cb until recvmsg(). */
struct mlog_skb_cb {
	struct in6_addr		src_node;	/* a node's address or a host key */
	u16			src_port;
	u32			frag_off;	/* while in a reassembly */
};

static inline struct mlog_skb_cb *mlog_skb_cb(struct sk_buff *skb)
{
	BUILD_BUG_ON(sizeof(struct mlog_skb_cb) > sizeof(skb->cb));
	return (struct mlog_skb_cb *)skb->cb;
}

extern unsigned int mlog_net_id;

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

static inline bool mlog_addr_is_v4(const struct in6_addr *a)
{
	return ipv6_addr_v4mapped(a);
}

/* af_mlog.c */
int mlog_proto_init(void);
void mlog_proto_exit(void);
void mlog_rcv(struct mlog_net *mn, struct sk_buff *skb,
	      const struct mlog_frame *f, const struct in6_addr *node);

/* port.c */
void mlog_net_init_ports(struct mlog_net *mn);
struct sock *mlog_lookup_port(struct mlog_net *mn, u32 host, u16 port);
int mlog_hash_port(struct mlog_net *mn, struct mlog_sock *ms, u32 host,
		   u16 port);
void mlog_unhash_port(struct mlog_net *mn, struct mlog_sock *ms);
int mlog_sock_dump(struct sk_buff *skb, struct netlink_callback *cb,
		   int (*fill)(struct sk_buff *skb,
			       struct netlink_callback *cb,
			       struct mlog_sock *ms));

/* sock.c */
void mlog_key_to_sockaddr(struct sockaddr_mlog *sm, const struct in6_addr *key,
			  u16 port);
/* Where a send goes: the remote endpoint's key, its port, its node. */
struct mlog_dest {
	struct in6_addr		key;
	struct in6_addr		node;
	u32			incarnation;	/* of a host-form destination */
	u16			port;
};

int mlog_send_prepare(struct sock *sk, struct msghdr *msg, size_t len,
		      struct mlog_dest *dest);
int mlog_bind(struct socket *sock, struct sockaddr *uaddr, int len);
int mlog_connect(struct socket *sock, struct sockaddr *uaddr, int len,
		 int flags);
int mlog_getname(struct socket *sock, struct sockaddr *uaddr, int peer);
int mlog_recvmsg(struct socket *sock, struct msghdr *msg, size_t size,
		 int flags);

/* flow.c */
struct mlog_flow *mlog_flow_get(struct mlog_sock *ms,
				const struct in6_addr *addr, u16 port,
				const struct in6_addr *node, gfp_t gfp);
void mlog_flow_frame_init(struct mlog_flow *fl, struct mlog_frame *f, u8 type);
u32 mlog_reasm_cost(const struct mlog_sock *ms, const struct sk_buff *skb,
		    const struct mlog_frame *f, bool *copy);
bool mlog_reasm_start(struct mlog_sock *ms, struct mlog_reasm *r,
		      const struct sk_buff *skb, const struct mlog_frame *f);
bool mlog_reasm_add(struct mlog_sock *ms, struct mlog_reasm *r,
		    struct sk_buff *skb, const struct mlog_frame *f);
void mlog_reasm_reset(struct mlog_sock *ms, struct mlog_reasm *r);
struct sk_buff *mlog_reasm_take(struct mlog_sock *ms, struct mlog_reasm *r);
bool mlog_charge(struct sock *sk, struct sk_buff *skb);
void mlog_deliver(struct mlog_sock *ms, struct sk_buff *skb,
		  const struct in6_addr *src, u16 src_port);

/* dgram.c */
int mlog_dgram_sendmsg(struct socket *sock, struct msghdr *msg, size_t len);
__poll_t mlog_dgram_poll(struct file *file, struct socket *sock,
			 poll_table *wait);
void mlog_dgram_rcv(struct mlog_sock *ms, struct sk_buff *skb,
		    const struct mlog_frame *f, const struct in6_addr *src,
		    const struct in6_addr *node);

/* rdm.c */
int mlog_rdm_sendmsg(struct socket *sock, struct msghdr *msg, size_t len);
int mlog_rdm_recvmsg(struct socket *sock, struct msghdr *msg, size_t size,
		     int flags);
__poll_t mlog_rdm_poll(struct file *file, struct socket *sock,
		       poll_table *wait);
int mlog_rdm_ioctl(struct socket *sock, unsigned int cmd, unsigned long arg);
void mlog_flow_init_rdm(struct mlog_flow *fl);
void mlog_flow_stop(struct mlog_flow *fl);
void mlog_flow_free_rdm(struct mlog_flow *fl);
void mlog_rdm_rcv(struct mlog_sock *ms, struct sk_buff *skb,
		  const struct mlog_frame *f, const struct in6_addr *src,
		  const struct in6_addr *node);
void mlog_rdm_route_changed(struct mlog_flow *fl, const struct mlog_route *r,
			    bool rewind);

/* peer.c */
struct mlog_peer *mlog_peer_get(struct mlog_net *mn,
				const struct in6_addr *addr, gfp_t gfp);
void mlog_peer_heard(struct mlog_net *mn, struct mlog_peer *peer);
void mlog_peer_suspect(struct mlog_net *mn, struct mlog_peer *peer);
void mlog_peers_free(struct mlog_net *mn);

/* transport.c */
int mlog_transport_get(struct mlog_net *mn);
int mlog_transport_reconfigure(struct mlog_net *mn, u16 udp_port);
void mlog_transport_release(struct mlog_net *mn);
int mlog_frame_out(struct mlog_net *mn, struct mlog_peer *peer,
		   struct mlog_frame *f, const void *data);

/* log.c */
void mlog_log_init(struct mlog_log *log);
void mlog_log_destroy(struct mlog_log *log);
bool mlog_log_writable(struct mlog_log *log);
struct mlog_log_rec *mlog_log_reserve(struct mlog_net *mn, u32 len,
				      long *timeo);
void mlog_log_file(struct mlog_log *log, struct mlog_log_rec *rec,
		   bool flow_ref, struct mlog_log_dst **hint);
u32 mlog_log_rsns(struct mlog_log *log, struct list_head *partial, u64 ssn,
		  u32 n, u32 dst_host, u64 rsn, bool dont_log);
void mlog_log_unfile(struct mlog_log *log, struct mlog_log_rec *rec);
void mlog_log_reindex(struct mlog_log *log, struct mlog_log_rec *rec);
void mlog_log_put(struct mlog_log *log, struct mlog_log_rec *rec);
struct mlog_log_rec *mlog_log_first_from(struct mlog_log_dst *d, u64 rsn);
struct mlog_log_rec *mlog_log_next(struct mlog_log_dst *d,
				   struct mlog_log_rec *rec);
u64 mlog_log_purge(struct mlog_net *mn, u32 dst_host, u64 upto,
		   u32 src_host);
/* Identity of a flow's logged messages, for mlog_log_unlog(). */
struct mlog_log_flow_id {
	struct in6_addr	dst;		/* receiver's key or node */
	u32		src_epoch;
	u16		src_port;
	u16		dst_port;
};

u32 mlog_log_unlog(struct mlog_log *log, u32 dst_host, u64 above,
		   const struct mlog_log_flow_id *id, struct list_head *partial);
/* State of a LOG_GET dump, kept in netlink_callback.ctx. */
struct mlog_log_dump_ctx {
	unsigned long	dst;		/* receiver index being dumped */
	u64		pos;		/* next RSN, or partial entries done */
	u64		from_rsn;
	u32		dst_host;	/* filter; U32_MAX: any */
	u32		src_host;	/* filter; 0: any */
	u8		phase;		/* 0: fully logged, 1: partial */
	bool		data;
	bool		done;
};

int mlog_log_dump(struct sk_buff *skb, struct netlink_callback *cb,
		  int (*fill)(struct sk_buff *skb, struct netlink_callback *cb,
			      const struct mlog_log_rec *rec, bool data));
int mlog_log_set_max(struct mlog_log *log, u64 max_bytes);
u64 mlog_log_limit(void);
void mlog_log_set_rsn_delay(struct mlog_log *log, u32 us);

/* host.c */
int mlog_host_add(struct mlog_net *mn, u32 index, u32 incarnation,
		  pid_t pid, bool replay, struct netlink_ext_ack *extack);
int mlog_host_del(struct mlog_net *mn, u32 index);
struct mlog_host *mlog_host_get(struct mlog_net *mn, u32 index);
void mlog_host_put(struct mlog_host *h);
void mlog_hosts_free(struct mlog_net *mn);
int mlog_sock_join_host(struct mlog_sock *ms);
void mlog_sock_leave_host(struct mlog_sock *ms);
void mlog_host_port_closed(struct mlog_sock *ms);
int mlog_host_state_set(struct mlog_host *h, const u64 *rsn, const u64 *ssn,
			const u32 *incarnation, struct xarray *deps,
			const u64 *hist_purge);

/* Host @index of @mn.  Caller holds rcu_read_lock() or hosts_lock. */
static inline struct mlog_host *mlog_host_find_rcu(struct mlog_net *mn,
						   u32 index)
{
	struct mlog_host *h;

	list_for_each_entry_rcu(h, &mn->hosts, node,
				lockdep_is_held(&mn->hosts_lock))
		if (h->index == index)
			return h;
	return NULL;
}

/*
 * slog.c: the logging layer's hooks.
 *
 * Sender-based logging is this one table of hooks, which the reliability
 * layer (rdm.c, and dgram.c for datagrams) calls at fixed points of a
 * flow's life, under the socket's lock.  A hook never calls back up: a
 * hook that needs something done returns a verdict, and its caller does
 * it.  A socket that belongs to no protected host (ms->host NULL) logs
 * nothing, and every hook then passes.
 *
 *  hook                   called when                    verdicts
 *  mlog_sl_frame_ok       a frame arrives, first          DROP
 *  mlog_sl_rsns_in        ... its RSNs for our messages   FLUSH, CTL
 *  mlog_sl_rsns_flushed   ... after FLUSH's frame         CTL
 *  mlog_sl_acks_in        ... its acks of our RSNs        RELEASE
 *  mlog_sl_released       ... after RELEASE's pushes      -
 *  mlog_sl_deliver        a message is about to be queued DROP, CTL
 *  mlog_sl_duplicate      a delivered message came again  ANSWER
 *  mlog_sl_may_send       a message is to go out first    HOLD
 *  mlog_sl_dgram_rule     ... a datagram                  HOLD
 *  mlog_sl_fill           a frame is built                -
 *  mlog_sl_fill_answer    ... to answer a duplicate       -
 *  mlog_sl_check_frame    ... with a message, first time  -
 *  mlog_sl_timer          the flow's logging timer fires  CTL
 *  mlog_sl_timer_done     ... after the frame, if any     -
 *  mlog_sl_flow_closing   the socket closes               CTL
 *
 * and, without verdicts: mlog_sl_flow_init() and mlog_sl_flow_detach()
 * (a flow's logging state), mlog_sl_log_msg(), mlog_sl_enqueue() and
 * mlog_sl_file_dgram() (a message into the log), mlog_sl_acked() (its
 * receiver has it), mlog_sl_rewind() (its receiver was recovered) and
 * mlog_sl_replay_deliver() (replay.c).
 */
enum mlog_sl_verdict {
	MLOG_SL_PASS	= 0,
	/* drop the frame, or do not take the message (not acknowledged) */
	MLOG_SL_DROP	= BIT(0),
	/* the send rule holds the message: push the flow on RELEASE */
	MLOG_SL_HOLD	= BIT(1),
	/* a frame of its own for the logging layer, now (mlog_rdm_sl_ctl()) */
	MLOG_SL_CTL	= BIT(2),
	/* the same, first, then call mlog_sl_rsns_flushed() */
	MLOG_SL_FLUSH	= BIT(3),
	/* flows of the socket held by the send rule may go again */
	MLOG_SL_RELEASE	= BIT(4),
	/* answer the duplicate at once (mlog_rdm_sl_answer()) */
	MLOG_SL_ANSWER	= BIT(5),
};

/* Dependency vector entries are xarray values: 62 bits. */
#define MLOG_INTERVAL_MAX	((u64)LONG_MAX >> 1)

void mlog_sl_flow_init(struct mlog_flow *fl);
/* The flow goes away or its peer socket was replaced.  Under ms->lock. */
void mlog_sl_flow_detach(struct mlog_flow *fl);
u32 mlog_sl_frame_ok(struct mlog_flow *fl, const struct mlog_frame *f);
u32 mlog_sl_rsns_in(struct mlog_flow *fl, const struct mlog_frame *f);
u32 mlog_sl_rsns_flushed(struct mlog_flow *fl, const struct mlog_frame *f);
u32 mlog_sl_acks_in(struct mlog_flow *fl, const struct mlog_frame *f);
void mlog_sl_released(struct mlog_flow *fl);
u32 mlog_sl_deliver(struct mlog_flow *fl, const struct mlog_frame *f);
u32 mlog_sl_duplicate(struct mlog_flow *fl, const struct mlog_frame *f,
		      u64 *rsn);
u32 mlog_sl_may_send(struct mlog_flow *fl, struct mlog_txmsg *m);
u32 mlog_sl_dgram_rule(struct mlog_flow *fl, u64 interval, bool *delayed,
		       u64 *host_ssn);
void mlog_sl_fill(struct mlog_flow *fl, struct mlog_frame *f, bool standalone);
void mlog_sl_fill_answer(struct mlog_flow *fl, struct mlog_frame *f, u64 ssn,
			 u64 rsn);
void mlog_sl_check_frame(struct mlog_flow *fl, const struct mlog_frame *f);
u32 mlog_sl_timer(struct mlog_flow *fl, unsigned long now, u32 *npend);
void mlog_sl_timer_done(struct mlog_flow *fl, unsigned long now, bool sent,
			u32 npend);
u32 mlog_sl_flow_closing(struct mlog_flow *fl);
struct mlog_log_rec *mlog_sl_log_msg(struct mlog_sock *ms, struct msghdr *msg,
				     u32 len, long *timeo);
void mlog_sl_enqueue(struct mlog_flow *fl, struct mlog_txmsg *m);
void mlog_sl_file_dgram(struct mlog_flow *fl, struct mlog_log_rec *rec,
			u64 ssn, u64 interval, u64 host_ssn);
void mlog_sl_acked(struct mlog_flow *fl, struct mlog_txmsg *m);
void mlog_sl_rewind(struct mlog_flow *fl, u64 replayed);
void mlog_sl_replay_deliver(struct mlog_flow *fl,
			    const struct mlog_replay_msg *m);

/* slog.c, the rest of the logging layer: answers where no flow answers */
void mlog_sl_orphan_rsns(struct mlog_net *mn, const struct in6_addr *src,
			 const struct in6_addr *node,
			 const struct mlog_frame *f);
void mlog_sl_closed_dup(struct mlog_net *mn, const struct in6_addr *src,
			const struct in6_addr *node, const struct mlog_frame *f);
void mlog_sl_dgram_unlogged(struct mlog_sock *ms, const struct in6_addr *node,
			    const struct mlog_frame *f);
__poll_t mlog_sl_dgram_poll(struct mlog_sock *ms, struct file *file,
			    poll_table *wait);
void mlog_sl_hurry_flow(struct mlog_flow *fl);

/* rdm.c, for dgram.c (the control frames of any flow) and host.c */
void mlog_rdm_push(struct mlog_flow *fl);
void mlog_rdm_push_held(struct mlog_flow *fl);
void mlog_rdm_sl_rcv(struct mlog_flow *fl, const struct mlog_frame *f);
void mlog_rdm_sl_ctl(struct mlog_flow *fl);
void mlog_rdm_sl_answer(struct mlog_flow *fl, u64 ssn, u64 rsn);
void mlog_rdm_sock_closing(struct mlog_sock *ms);

/* route.c */
int mlog_route_resolve(struct mlog_net *mn, u32 host, struct in6_addr *node,
		       u32 *incarnation);
bool mlog_route_fenced(struct mlog_net *mn, const struct mlog_frame *f,
		       const struct in6_addr *src);
int mlog_route_set(struct mlog_net *mn, u32 host, const struct in6_addr *node,
		   u32 incarnation, u32 state, const u64 *replayed,
		   struct netlink_ext_ack *extack);
int mlog_route_del(struct mlog_net *mn, u32 host);
bool mlog_route_is_local(struct mlog_net *mn, u32 host);
int mlog_route_host_added(struct mlog_net *mn, struct mlog_host *h,
			  struct netlink_ext_ack *extack);
void mlog_route_host_removed(struct mlog_net *mn, struct mlog_host *h);
void mlog_routes_free(struct mlog_net *mn);
int mlog_route_dump(struct sk_buff *skb, struct netlink_callback *cb,
		    int (*fill)(struct sk_buff *skb,
				struct netlink_callback *cb, u32 host,
				const struct mlog_route *r));

/* replay.c */
/* One logged message queued for a replaying host. */
struct mlog_replay_msg {
	struct list_head	list;
	u64			rsn;
	u64			ssn;
	u64			interval;
	struct in6_addr		src_node;	/* node whose log held it */
	u32			src_host;
	u32			src_epoch;
	u32			len;
	u16			src_port;
	u16			dst_port;
	bool			src_hostaddr;
	bool			dst_hostaddr;
	bool			dgram;
	u8			data[];
};

extern unsigned int mlog_replay_max_kb;
struct mlog_replay_msg *mlog_replay_alloc(u32 len);
int mlog_replay_push(struct mlog_host *h, struct mlog_replay_msg *m,
		     struct netlink_ext_ack *extack);
int mlog_replay_end(struct mlog_host *h, struct netlink_ext_ack *extack);
void mlog_replay_run(struct mlog_host *h);
void mlog_replay_free(struct mlog_host *h);

static inline bool mlog_host_replaying(const struct mlog_host *h)
{
	return h && READ_ONCE(h->replaying);
}

/* A socket of a replaying host got a port or made room: deliver more. */
static inline void mlog_replay_run_sock(struct mlog_sock *ms)
{
	if (mlog_host_replaying(ms->host))
		mlog_replay_run(ms->host);
}

/* netlink.c */
int mlog_netlink_init(void);
void mlog_netlink_exit(void);

#endif /* _MLOG_H */
