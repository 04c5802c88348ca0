/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * mlog: transparent fault tolerance by message logging and checkpointing.
 *
 * This header is the whole contract between mlog.ko and userspace: the
 * AF_MLOG socket address, the generic netlink family "mlog" and the wire
 * format of AF_MLOG frames (shared so that tools and the fuzzer decode
 * frames exactly as the kernel does).
 */
#ifndef _UAPI_LINUX_MLOG_H
#define _UAPI_LINUX_MLOG_H

#include <linux/types.h>
#include <linux/socket.h>

/*
 * AF_MLOG has no number of its own in <linux/socket.h>.  The module takes
 * one that no in-tree protocol registers, chosen with its "family" module
 * parameter; userspace reads it from MLOG_SYSFS_FAMILY or from
 * MLOG_ATTR_FAMILY in the reply to MLOG_CMD_STATUS_GET.  Never hardcode it.
 */
#define MLOG_DEFAULT_FAMILY	19
#define MLOG_SYSFS_FAMILY	"/sys/module/mlog/parameters/family"

/*
 * An AF_MLOG address names a port of a node or a port of a protected host.
 *
 * Node form (smlog_flags 0): smlog_node is the node's address, IPv6-sized;
 * an IPv4 node is an IPv4-mapped IPv6 address (::ffff:a.b.c.d).
 *
 * Host form (smlog_flags MLOG_ADDR_HOST): the port belongs to protected
 * host smlog_node[12..15] (big-endian host index; bytes 0..11 are zero),
 * wherever that host runs now.  Such an address stays valid when the host
 * is recovered on another node, so the ranks of a job name each other this
 * way (Documentation/recovery.rst).  A protected host's socket binds in its
 * host's own port space with host index 0 ("my host") or its own index.
 *
 * smlog_port is in host byte order; port 0 in bind() asks for a free
 * ephemeral port.
 */
struct sockaddr_mlog {
	__kernel_sa_family_t	smlog_family;
	__u16			smlog_port;
	__u32			smlog_flags;	/* 0 or MLOG_ADDR_HOST */
	__u8			smlog_node[16];
};

#define MLOG_ADDR_HOST		0x1	/* smlog_node names a protected host */

/* Fill @sa with the host-form address of @port of protected host @host. */
static inline void mlog_sockaddr_host(struct sockaddr_mlog *sa,
				      __kernel_sa_family_t family,
				      __u32 host, __u16 port)
{
	unsigned int i;

	sa->smlog_family = family;
	sa->smlog_port = port;
	sa->smlog_flags = MLOG_ADDR_HOST;
	/* byte by byte, without casts: C and C++ (-Wconversion) alike */
	for (i = 16; i-- > 12; host >>= 8)
		sa->smlog_node[i] = host & 0xff;
	for (i = 0; i < 12; i++)
		sa->smlog_node[i] = 0;
}

/* The host index of a host-form address, 0 for a node-form one. */
static inline __u32 mlog_sockaddr_host_index(const struct sockaddr_mlog *sa)
{
	if (!(sa->smlog_flags & MLOG_ADDR_HOST))
		return 0;
	return (sa->smlog_node[12] + 0u) << 24 |
	       (sa->smlog_node[13] + 0u) << 16 |
	       (sa->smlog_node[14] + 0u) << 8 | sa->smlog_node[15];
}

/* ---------------------------------------------------------------------
 * Generic netlink family
 */
#define MLOG_GENL_NAME		"mlog"
#define MLOG_GENL_VERSION	1
#define MLOG_GENL_MCGRP_EVENTS	"events"

enum mlog_cmd {
	MLOG_CMD_UNSPEC,
	MLOG_CMD_STATUS_GET,	/* module version, family number, counters */
	MLOG_CMD_NODE_SET,	/* configure this namespace's node */
	MLOG_CMD_NODE_GET,	/* read this namespace's node configuration */
	MLOG_CMD_STATS_GET,	/* namespace counters (MLOG_ATTR_STATS) */
	MLOG_CMD_PEER_GET,	/* dump: one MLOG_ATTR_PEER per known peer */
	MLOG_CMD_SOCK_GET,	/* dump: one MLOG_ATTR_SOCK per bound socket */
	MLOG_CMD_EVENT_PEER,	/* notification on "events": peer state changed */
	/* Sender-based logging (Documentation/protocol.rst, "Sender-based logging"). */
	MLOG_CMD_HOST_ADD,	/* protect the PID namespace of MLOG_ATTR_HOST_PID */
	MLOG_CMD_HOST_DEL,	/* stop protecting host MLOG_ATTR_HOST_INDEX */
	MLOG_CMD_HOST_GET,	/* one host (INDEX given) or dump of all */
	MLOG_CMD_HOST_SET,	/* write back RSN, SSN, dependency vector */
	MLOG_CMD_LOG_GET,	/* dump: log entries, filtered and ordered */
	MLOG_CMD_LOG_PURGE,	/* drop entries of a receiver up to an RSN */
	MLOG_CMD_LOG_SET,	/* log cap and protocol switches */
	MLOG_CMD_EVENT_LOG,	/* notification on "events": log pressure */
	MLOG_CMD_HIST_GET,	/* dump: RSN history of a host */
	/* Recovery (Documentation/recovery.rst). */
	MLOG_CMD_ROUTE_SET,	/* where host MLOG_ROUTE_HOST runs, fencing */
	MLOG_CMD_ROUTE_DEL,	/* forget the route of a host */
	MLOG_CMD_ROUTE_GET,	/* dump: every route of this namespace */
	MLOG_CMD_REPLAY_PUSH,	/* queue a logged message for a replaying host */
	MLOG_CMD_REPLAY_END,	/* the replay of a host is complete */
	MLOG_CMD_EVENT_HOST,	/* notification on "events": host state changed */

	__MLOG_CMD_MAX,
	MLOG_CMD_MAX = __MLOG_CMD_MAX - 1
};

enum mlog_attr {
	MLOG_ATTR_UNSPEC,
	MLOG_ATTR_PAD,
	MLOG_ATTR_VERSION,		/* string: module version */
	MLOG_ATTR_FAMILY,		/* u32: AF_MLOG number */
	MLOG_ATTR_WIRE_VERSION,		/* u32: frame format version */
	MLOG_ATTR_STATS,		/* nest: MLOG_STAT_* */
	MLOG_ATTR_NODE_ADDR,		/* binary, 16 bytes: node address */
	MLOG_ATTR_UDP_PORT,		/* u16: transport UDP port */
	MLOG_ATTR_NODE_ID,		/* u32: cluster-wide node id */
	MLOG_ATTR_PEER,			/* nest: MLOG_PEER_* */
	MLOG_ATTR_SOCK,			/* nest: MLOG_SOCK_* */
	MLOG_ATTR_LOG_MODE,		/* u32: enum mlog_log_mode */
	MLOG_ATTR_HOST,			/* nest: MLOG_HOST_* */
	MLOG_ATTR_LOG,			/* nest: MLOG_LOG_* (configuration, usage) */
	MLOG_ATTR_LOG_ENTRY,		/* nest: MLOG_ENTRY_* */
	MLOG_ATTR_HIST,			/* nest: MLOG_HIST_* */
	/*
	 * binary, at most MLOG_DATA_CHUNK bytes: a piece of a message.  A
	 * message travels as the MLOG_ATTR_DATA attributes of one netlink
	 * message, in order, next to (not inside) the nest that describes
	 * it: netlink attribute lengths are 16 bits, messages up to 64 KiB.
	 */
	MLOG_ATTR_DATA,
	MLOG_ATTR_ROUTE,		/* nest: MLOG_ROUTE_* */

	__MLOG_ATTR_MAX,
	MLOG_ATTR_MAX = __MLOG_ATTR_MAX - 1
};

/* Counters of one network namespace, all u64, nested in MLOG_ATTR_STATS. */
enum mlog_stat {
	MLOG_STAT_UNSPEC,
	MLOG_STAT_PAD,
	MLOG_STAT_SOCKETS,		/* AF_MLOG sockets open */
	MLOG_STAT_TX_FRAMES,		/* frames handed to the transport */
	MLOG_STAT_TX_BYTES,		/* payload bytes sent */
	MLOG_STAT_TX_ERRORS,		/* frames the transport refused */
	MLOG_STAT_RX_FRAMES,		/* frames delivered to a socket */
	MLOG_STAT_RX_BYTES,		/* payload bytes delivered */
	MLOG_STAT_RX_BAD,		/* malformed frames dropped */
	MLOG_STAT_RX_NO_PORT,		/* frames for a port nobody bound */
	MLOG_STAT_RX_QUEUE_FULL,	/* frames dropped: receive queue full */
	MLOG_STAT_RX_DUP,		/* RDM duplicates dropped (SSN seen) */
	MLOG_STAT_RX_OUT_OF_ORDER,	/* RDM frames too far beyond a gap */
	MLOG_STAT_RX_WRONG_TYPE,	/* frame kind the port's socket lacks */
	MLOG_STAT_TX_RETRANSMITS,	/* RDM messages sent again */
	MLOG_STAT_TX_ACKS,		/* standalone acknowledgment frames */
	MLOG_STAT_PEER_SUSPECTED,	/* times a peer became suspected */
	MLOG_STAT_NO_MEMORY,		/* frames dropped for lack of memory */
	MLOG_STAT_RX_INCOMPLETE,	/* DGRAM messages missing a fragment */
	MLOG_STAT_PEER_RESTARTED,	/* flows reset: peer socket replaced */
	/* sender-based logging; the first three are Table 3.7's columns */
	MLOG_STAT_SL_TX_PLAIN,		/* messages sent, no RSN pending */
	MLOG_STAT_SL_TX_PIGGYBACK,	/* sent carrying all pending RSNs */
	MLOG_STAT_SL_TX_DELAYED,	/* held until pending RSNs were acked */
	MLOG_STAT_SL_EXTRA_FRAMES,	/* frames sent only for RSNs/RSN acks */
	MLOG_STAT_SL_LOGGED,		/* messages copied into the log */
	MLOG_STAT_SL_LOG_BYTES,		/* message bytes copied into the log */
	MLOG_STAT_SL_RSN_ASSIGNED,	/* RSNs this node's hosts assigned */
	MLOG_STAT_SL_RSN_RETURNED,	/* RSNs carried in frames (with repeats) */
	MLOG_STAT_SL_RSN_LOGGED,	/* RSNs entered into log entries */
	MLOG_STAT_SL_RSNACK_RECEIVED,	/* RSNs acknowledged to our hosts */
	MLOG_STAT_SL_DUP_RSN,		/* duplicates answered from history */
	MLOG_STAT_SL_DONT_LOG,		/* DONT_LOG answers sent and received */
	MLOG_STAT_SL_BAD_RANGE,		/* forged/out-of-window RSN or ack */
	MLOG_STAT_SL_BAD_HOST,		/* frames naming an impossible host */
	MLOG_STAT_SL_LOG_FULL,		/* sends that waited for log space */
	MLOG_STAT_SL_HOLD_VIOLATION,	/* self-check: must stay 0 */
	MLOG_STAT_SL_PURGED,		/* log entries purged */
	MLOG_STAT_RX_REASM_COPIED,	/* messages reassembled by copying */
	MLOG_STAT_TX_RESENT_FRAMES,	/* frames of retransmitted messages */
	MLOG_STAT_TX_TIMEOUTS,		/* RDM retransmission timer expiries */
	MLOG_STAT_TX_TIMEOUTS_UNDONE,	/* ... found spurious, window restored */
	/* recovery */
	MLOG_STAT_RX_FENCED,		/* frames of a fenced (old) incarnation */
	MLOG_STAT_RX_NO_HOST,		/* frames for a host not on this node */
	MLOG_STAT_RX_REPLAY_HELD,	/* data for a replaying host, not taken */
	MLOG_STAT_REPLAYED,		/* logged messages replayed to hosts */
	MLOG_STAT_FLOWS_REWOUND,	/* flows resent from a recovered host's */
	MLOG_STAT_TX_RESENT_LOGGED,	/* ... logged messages those resent */

	__MLOG_STAT_MAX,
	MLOG_STAT_MAX = __MLOG_STAT_MAX - 1
};

/* Logging mode of a namespace; "none" passes every frame through. */
enum mlog_log_mode {
	MLOG_LOG_NONE,
	MLOG_LOG_SENDER,	/* sender-based pessimistic (thesis ch. 3) */
};

/* A protected host, nested in MLOG_ATTR_HOST. */
enum mlog_host_attr {
	MLOG_HOST_UNSPEC,
	MLOG_HOST_PAD,
	MLOG_HOST_INDEX,		/* u32: cluster-unique, 1..max_hosts */
	MLOG_HOST_INCARNATION,		/* u32 */
	MLOG_HOST_PID,			/* u32: a task of its PID namespace (add) */
	MLOG_HOST_PIDNS,		/* u64: inode of its PID namespace */
	MLOG_HOST_RSN,			/* u64: current state interval */
	MLOG_HOST_SSN,			/* u64: messages sent */
	MLOG_HOST_DEPS,			/* nest of MLOG_HOST_DEP */
	MLOG_HOST_DEP,			/* nest: MLOG_DEP_* */
	MLOG_HOST_UNACKED,		/* u32: RSNs returned, not acknowledged */
	MLOG_HOST_HISTORY,		/* u32: RSN history entries kept */
	MLOG_HOST_SOCKETS,		/* u32: its AF_MLOG sockets */
	MLOG_HOST_TX_PLAIN,		/* u64 */
	MLOG_HOST_TX_PIGGYBACK,		/* u64 */
	MLOG_HOST_TX_DELAYED,		/* u64 */
	MLOG_HOST_HIST_PURGE,		/* u64: drop history up to this RSN (set) */
	MLOG_HOST_REPLAY,		/* flag (add): start replaying, see recovery.rst */
	MLOG_HOST_REPLAYING,		/* u8: 1 while its replay is not complete */
	MLOG_HOST_REPLAY_QUEUED,	/* u32: messages queued for replay */
	MLOG_HOST_REPLAYED,		/* u64: RSN its replay has reached */
	MLOG_HOST_PEND_FIRST,		/* u64: oldest unacknowledged RSN, if any */

	__MLOG_HOST_MAX,
	MLOG_HOST_MAX = __MLOG_HOST_MAX - 1
};

/* One dependency vector entry, nested in MLOG_HOST_DEP. */
enum mlog_dep_attr {
	MLOG_DEP_UNSPEC,
	MLOG_DEP_PAD,
	MLOG_DEP_HOST,			/* u32: host index */
	MLOG_DEP_INTERVAL,		/* u64: highest interval depended on */

	__MLOG_DEP_MAX,
	MLOG_DEP_MAX = __MLOG_DEP_MAX - 1
};

/* The node's message log: settings and usage, nested in MLOG_ATTR_LOG. */
enum mlog_log_attr {
	MLOG_LOG_UNSPEC,
	MLOG_LOG_PAD,
	MLOG_LOG_MAX_BYTES,		/* u64: cap on log memory */
	MLOG_LOG_BYTES,			/* u64: log memory held (blocks) */
	MLOG_LOG_ENTRIES,		/* u64: entries held */
	MLOG_LOG_PIGGYBACK,		/* u8: piggyback RSNs and acks (1) */
	MLOG_LOG_RANGES,		/* u8: up to 255 RSNs per frame (1) */
	MLOG_LOG_RSN_DELAY_US,		/* u32: longest wait for a piggyback */
	MLOG_LOG_BLOCK_SIZE,		/* u32: bytes per log block */
	MLOG_LOG_PRESSURE,		/* u8: in events, 1 = nearing the cap */

	__MLOG_LOG_MAX,
	MLOG_LOG_ATTR_MAX = __MLOG_LOG_MAX - 1
};

/* Log entry states. */
enum mlog_entry_state {
	MLOG_ENTRY_PARTIAL = 1,		/* no RSN yet */
	MLOG_ENTRY_FULL,		/* RSN known: fully logged */
};

/*
 * One log entry (LoggedMessage plus any AdditionalRsn), nested in
 * MLOG_ATTR_LOG_ENTRY.  In a LOG_GET request MLOG_ENTRY_DST_HOST selects
 * the receiver, MLOG_ENTRY_RSN the first RSN wanted, MLOG_ENTRY_DATA
 * (flag) asks for message contents, MLOG_ENTRY_SRC_HOST the sender.  The
 * contents come as MLOG_ATTR_DATA pieces after the nest, never inside it.
 */
enum mlog_entry_attr {
	MLOG_ENTRY_UNSPEC,
	MLOG_ENTRY_PAD,
	MLOG_ENTRY_SRC_HOST,		/* u32 */
	MLOG_ENTRY_DST_HOST,		/* u32: 0 while the receiver is unknown */
	MLOG_ENTRY_DST_NODE,		/* binary, 16 bytes */
	MLOG_ENTRY_DST_PORT,		/* u16 */
	MLOG_ENTRY_SRC_PORT,		/* u16 */
	MLOG_ENTRY_SSN,			/* u64: flow SSN of the message */
	MLOG_ENTRY_HOST_SSN,		/* u64: sender's SSN when it sent it */
	MLOG_ENTRY_INTERVAL,		/* u64: sender's RSN when it sent it */
	MLOG_ENTRY_RSN,			/* u64: RSN the receiver assigned */
	MLOG_ENTRY_STATE,		/* u32: enum mlog_entry_state */
	MLOG_ENTRY_LEN,			/* u32: message bytes */
	MLOG_ENTRY_DATA,		/* flag, requests only: send the message */
	MLOG_ENTRY_EXTRA_RSNS,		/* u32: AdditionalRsn records */
	MLOG_ENTRY_DGRAM,		/* flag: a datagram, numbered by socket */
	MLOG_ENTRY_SRC_EPOCH,		/* u32: sending socket's epoch */
	MLOG_ENTRY_SRC_HOSTADDR,	/* flag: sent from a host-form socket */
	MLOG_ENTRY_DST_HOSTADDR,	/* flag: sent to a host-form address */
	MLOG_ENTRY_SRC_NODE,		/* binary, 16 bytes: the sender's node */

	__MLOG_ENTRY_MAX,
	MLOG_ENTRY_MAX = __MLOG_ENTRY_MAX - 1
};

/*
 * One RSN history run of a protected host, nested in MLOG_ATTR_HIST: the
 * messages with SSNs SSN .. SSN + COUNT - 1 from (NODE, PORT) to LPORT got
 * RSNs RSN .. RSN + COUNT - 1.  Request: MLOG_HIST_HOST selects the host.
 */
enum mlog_hist_attr {
	MLOG_HIST_UNSPEC,
	MLOG_HIST_PAD,
	MLOG_HIST_HOST,			/* u32: receiving host */
	MLOG_HIST_SRC_HOST,		/* u32: sending host, 0 if unprotected */
	MLOG_HIST_NODE,			/* binary, 16 bytes: sender's node */
	MLOG_HIST_PORT,			/* u16: sender's port */
	MLOG_HIST_LPORT,		/* u16: receiving socket's port */
	MLOG_HIST_SSN,			/* u64 */
	MLOG_HIST_RSN,			/* u64 */
	MLOG_HIST_COUNT,		/* u32 */
	MLOG_HIST_INTERVAL,		/* u64: highest sender interval in run */

	__MLOG_HIST_MAX,
	MLOG_HIST_MAX = __MLOG_HIST_MAX - 1
};

/*
 * Where a protected host runs, nested in MLOG_ATTR_ROUTE.  Frames from
 * host HOST with an incarnation below INCARNATION are refused (fencing).
 * While STATE is RECOVERING, flows to the host send it no data; when it
 * turns LIVE, every flow to it resends the messages its replay did not
 * deliver: those partially logged, or logged with an RSN above REPLAYED.
 */
enum mlog_route_attr {
	MLOG_ROUTE_UNSPEC,
	MLOG_ROUTE_PAD,
	MLOG_ROUTE_HOST,		/* u32: host index */
	MLOG_ROUTE_NODE,		/* binary, 16 bytes: node it runs on */
	MLOG_ROUTE_INCARNATION,		/* u32 */
	MLOG_ROUTE_STATE,		/* u32: enum mlog_route_state */
	MLOG_ROUTE_REPLAYED,		/* u64: RSN its replay reached */
	MLOG_ROUTE_LOCAL,		/* flag (dump): the host runs here */

	__MLOG_ROUTE_MAX,
	MLOG_ROUTE_MAX = __MLOG_ROUTE_MAX - 1
};

enum mlog_route_state {
	MLOG_ROUTE_LIVE = 1,		/* running: send to it */
	MLOG_ROUTE_RECOVERING,		/* replaying: hold data for it */
};

/* Largest MLOG_ATTR_DATA attribute. */
#define MLOG_DATA_CHUNK		32768

/* A peer node of this namespace, nested in MLOG_ATTR_PEER. */
enum mlog_peer_attr {
	MLOG_PEER_UNSPEC,
	MLOG_PEER_PAD,
	MLOG_PEER_ADDR,			/* binary, 16 bytes */
	MLOG_PEER_STATE,		/* u32: enum mlog_peer_state */
	/* u64: ms since its last frame; absent if never heard from */
	MLOG_PEER_LAST_HEARD_MS,
	MLOG_PEER_TX_FRAMES,		/* u64 */
	MLOG_PEER_RX_FRAMES,		/* u64 */
	MLOG_PEER_RETRANSMITS,		/* u64 */

	__MLOG_PEER_MAX,
	MLOG_PEER_MAX = __MLOG_PEER_MAX - 1
};

enum mlog_peer_state {
	MLOG_PEER_ALIVE = 1,		/* heard from, or nothing outstanding */
	MLOG_PEER_SUSPECTED,		/* silent while frames await its ack */
};

/* A bound AF_MLOG socket, nested in MLOG_ATTR_SOCK. */
enum mlog_sock_attr {
	MLOG_SOCK_UNSPEC,
	MLOG_SOCK_PAD,
	MLOG_SOCK_PORT,			/* u16 */
	MLOG_SOCK_TYPE,			/* u32: SOCK_DGRAM or SOCK_RDM */
	MLOG_SOCK_INODE,		/* u64: socket inode, as in /proc/PID/fd */
	MLOG_SOCK_FLOWS,		/* u32: peers it exchanges RDM with */
	MLOG_SOCK_TX_QUEUED,		/* u64: cost of messages not yet acked */
	MLOG_SOCK_RX_QUEUED,		/* u64: bytes waiting in the receive queue */
	MLOG_SOCK_TX_MSGS,		/* u64 */
	MLOG_SOCK_RX_MSGS,		/* u64 */
	MLOG_SOCK_RETRANSMITS,		/* u64 */
	MLOG_SOCK_RX_DUP,		/* u64 */
	MLOG_SOCK_RX_DROPS,		/* u64: dropped for lack of buffer */
	MLOG_SOCK_FLOW,			/* nest: MLOG_FLOW_*, one per RDM flow */
	MLOG_SOCK_FLOWS_TRUNCATED,	/* flag: some flows did not fit */

	__MLOG_SOCK_MAX,
	MLOG_SOCK_MAX = __MLOG_SOCK_MAX - 1
};

/*
 * Transport state of one SOCK_RDM flow (local socket, remote endpoint),
 * nested in MLOG_SOCK_FLOW.  Window sizes count message costs: bytes
 * plus a per-fragment overhead (Documentation/protocol.rst).
 */
enum mlog_flow_attr {
	MLOG_FLOW_UNSPEC,
	MLOG_FLOW_PAD,
	MLOG_FLOW_ADDR,			/* binary, 16 bytes: remote node */
	MLOG_FLOW_PORT,			/* u16: remote AF_MLOG port */
	MLOG_FLOW_NEXT_SSN,		/* u64: SSN of the next new message */
	MLOG_FLOW_SND_UNA,		/* u64: oldest unacknowledged SSN */
	MLOG_FLOW_SND_NXT,		/* u64: next SSN to put on the wire */
	MLOG_FLOW_RCV_NXT,		/* u64: next SSN to deliver */
	MLOG_FLOW_INFLIGHT,		/* u32: cost of snd_una .. snd_nxt */
	MLOG_FLOW_CWND,			/* u32: congestion window */
	MLOG_FLOW_SSTHRESH,		/* u32: U32_MAX until the first loss */
	MLOG_FLOW_PEER_WINDOW,		/* u32: room the receiver last offered */
	MLOG_FLOW_SRTT_US,		/* u32: smoothed RTT, 0 = no sample */
	MLOG_FLOW_RTTVAR_US,		/* u32 */
	MLOG_FLOW_RTO_US,		/* u32: retransmission timeout */
	MLOG_FLOW_TIMEOUTS,		/* u32: consecutive, no sign of life */

	__MLOG_FLOW_MAX,
	MLOG_FLOW_MAX = __MLOG_FLOW_MAX - 1
};

/* ---------------------------------------------------------------------
 * Wire format (all fields big-endian), carried as the payload of a UDP
 * datagram between nodes.  Documentation/protocol.rst describes it.
 */
#define MLOG_WIRE_MAGIC		0x4d4c	/* "ML" */
#define MLOG_WIRE_VERSION	2
#define MLOG_DEFAULT_UDP_PORT	7471

enum mlog_frame_type {
	MLOG_FRAME_DATA = 1,	/* SOCK_DGRAM message or fragment */
	MLOG_FRAME_RDATA,	/* SOCK_RDM message or fragment */
	MLOG_FRAME_ACK,		/* acknowledgment / window update only */

	__MLOG_FRAME_TYPE_MAX
};

/* Header flags: logging protocols (chapter 3 of the thesis). */
#define MLOG_F_NEED_RSN		0x0001	/* sender needs the RSN returned */
#define MLOG_F_NEED_RSNACK	0x0002	/* receiver needs its RSNs acked */
#define MLOG_F_DONT_LOG		0x0004	/* duplicate of a purged message */
/* Header flags: transport. */
#define MLOG_F_ACK		0x0100	/* ack and window fields are valid */
#define MLOG_F_FRAG_MAP		0x0200	/* frag_map_hi/lo are valid (SOCK_RDM) */
#define MLOG_F_DUP		0x0400	/* answers a copy of a delivered message */
/* Header flags: addressing. */
#define MLOG_F_SRC_HOST		0x0800	/* source is (src_host, src_port) */
#define MLOG_F_KNOWN		0x0f07	/* all flags this version defines */

/*
 * Fixed header of every frame.  hdr_len allows later versions to append
 * fields; a receiver refuses frames whose version it does not know.
 *
 * A message of up to MLOG_MAX_MSG bytes travels as one or more fragments:
 * msg_len is the whole message, frag_off and payload_len place this
 * fragment in it.  For SOCK_RDM, ssn numbers the messages of one flow
 * (sending endpoint -> receiving endpoint) from 1, and ack/window carry
 * the reverse flow's cumulative acknowledgment and receive credit.
 *
 * The logging fields (host, incarnation, interval, RSN ranges) are present
 * in every frame so that the logging protocols can piggyback on ordinary
 * traffic; mode "none" leaves them zero.  Sender-based logging: a frame
 * returns RSNs rsn .. rsn + rsn_count - 1 for the messages with SSNs
 * ssn2 .. ssn2 + rsn_count - 1 of the reverse flow (with MLOG_F_DONT_LOG,
 * rsn is 0 and those messages need no logging), and acknowledges the RSNs
 * rsn2 .. rsn2 + rsnack_count - 1 that its receiver returned earlier.
 *
 * Addressing (Documentation/recovery.rst): a frame for a port of a
 * protected host's own port space names that host in dst_host (0: a port
 * of the node) and the incarnation of it the sender knows in
 * dst_incarnation (0: any).  MLOG_F_SRC_HOST says the sending socket is
 * such a port of host src_host: the receiver then knows the sender by
 * (src_host, src_port), wherever the frame came from.
 *
 * With MLOG_F_FRAG_MAP (only together with MLOG_F_ACK), frag_map_hi and
 * frag_map_lo form a 48-bit map of the fragments of message ack + 1 that
 * the sender of this frame already holds: bit i (of frag_map_hi << 32 |
 * frag_map_lo) stands for the fragment at offset i * MLOG_MAX_FRAG.  It
 * lets a retransmission carry only the fragments that are missing.
 */
struct mlog_wire_hdr {
	__be16	magic;
	__u8	version;
	__u8	type;
	__be16	flags;
	__be16	hdr_len;	/* bytes, including this header */
	__be16	src_port;
	__be16	dst_port;
	__be32	payload_len;	/* bytes of message in this frame */
	__be32	msg_len;	/* bytes of the whole message */
	__be32	frag_off;	/* offset of this fragment in the message */
	__be32	src_host;	/* sender's protected-host index, 0 = none */
	__be32	incarnation;	/* sender's incarnation number */
	/* random per-socket number: a new socket on a reused port differs */
	__be32	epoch;
	/* bytes the sender of this frame can still take on the reverse flow */
	__be32	window;
	__be64	ssn;		/* send sequence number of the message */
	__be64	ack;		/* highest SSN of the reverse flow delivered */
	__be64	interval;	/* sender's state interval index */
	__be64	rsn;		/* first RSN returned in this frame */
	__be64	ssn2;		/* SSN of the first message it is for */
	__be64	rsn2;		/* first RSN acknowledged in this frame */
	__u8	rsn_count;	/* RSNs returned, 0..255 */
	__u8	rsnack_count;	/* RSNs acknowledged, 0..255 */
	__be16	frag_map_hi;	/* fragment map bits 47..32, see above */
	__be32	frag_map_lo;	/* fragment map bits 31..0 */
	__be32	dst_host;	/* receiving host, 0 = a port of the node */
	__be32	dst_incarnation; /* of dst_host, as the sender knows it */
};

#define MLOG_WIRE_HDR_LEN	((unsigned int)sizeof(struct mlog_wire_hdr))
/* Largest message a socket sends or receives. */
#define MLOG_MAX_MSG		65536
/* Largest fragment: a frame then fits a 1500-byte Ethernet MTU. */
#define MLOG_MAX_FRAG		1368
/* Fragments a frame's fragment map describes: all of the largest message. */
#define MLOG_FRAG_MAP_BITS	48
/* Kept for older userspace: the largest message. */
#define MLOG_MAX_PAYLOAD	MLOG_MAX_MSG

#endif /* _UAPI_LINUX_MLOG_H */
