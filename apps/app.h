/* SPDX-License-Identifier: GPL-2.0 */
/*
 * app.h - what the mlog applications (nqueens, tsp, gauss) share: their
 * messages over AF_MLOG SOCK_RDM, command-line numbers and the seeded
 * random number generator.
 *
 * Rules for a program built on this, so that mlog can recover its ranks
 * (Documentation/recovery.rst, "What cannot be recovered"): a rank's
 * behaviour depends only on its arguments, its environment and the
 * messages it reads, in the order it reads them.  So: one socket per rank,
 * blocking reads (comm_recv()), no poll() over several sockets, no
 * non-blocking reads whose outcome depends on timing, no threads, no clock,
 * no randomness but app_rand() from the --seed argument.  And, so that
 * the printed result is the same whatever the number of ranks and the
 * message timing, a result never depends on the order in which messages
 * from different ranks happened to arrive: only on what they carry.
 *
 * Every message starts with a struct app_hdr.  Between two ranks messages
 * arrive exactly once and in send order; messages of different senders
 * interleave arbitrarily.  comm_recv() takes the first message that
 * matches a (types, sender, tag) pattern and keeps the others, in arrival
 * order, for later calls.
 */
#ifndef _MLOG_APP_H
#define _MLOG_APP_H

#include <stddef.h>
#include <stdint.h>

#include "rank.h"

struct app_hdr {
	uint16_t type;		/* program-defined, 0..31 */
	uint16_t from;		/* sender's rank */
	uint32_t tag;		/* program-defined: step, subproblem... */
	uint32_t len;		/* payload bytes after the header */
};

#define APP_PAYLOAD_MAX	(MLOG_MAX_MSG - sizeof(struct app_hdr))
#define APP_ANY		(-1)		/* comm_recv(): any sender */
#define APP_ANY_TAG	UINT32_MAX	/* comm_recv(): any tag */
#define APP_BIT(type)	(1u << (type))

struct app_msg {
	struct app_msg *next;	/* kept messages, in arrival order */
	struct app_hdr hdr;
	unsigned char data[];	/* hdr.len bytes */
};

struct app_comm {
	struct rank_env env;
	int rank;
	int size;
	int fd;
	size_t chunk;		/* comm_send_big(): payload per message */
	struct app_msg *kept;	/* read, not yet asked for */
	unsigned char *buf;	/* one message as read */
	unsigned long long sent, received, bytes_sent, bytes_received;
};

/* The program's name for messages, e.g. "mlog-gauss". */
extern const char *app_prog;

/* Print "app_prog: ..." on stderr and exit 1 (a failure). */
void app_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* Print "app_prog: ... (see --help)" on stderr and exit 2 (bad usage). */
void app_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* @s, the value of option @opt, as a number in [lo, hi]; exits 2 if not. */
unsigned long long app_num(const char *opt, const char *s,
			   unsigned long long lo, unsigned long long hi);
/* The option getopt_long() just refused, for app_usage(). */
const char *app_bad_option(int argc, char **argv);

/* SplitMix64: one 64-bit number from @state, which it advances. */
static inline uint64_t app_rand(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* A uniform double in [-1, 1) from @state. */
static inline double app_rand_sym(uint64_t *state)
{
	return (double)(app_rand(state) >> 11) / (double)(1ULL << 52) - 1.0;
}

/*
 * Read the rank contract (rank.h), open this rank's SOCK_RDM socket and
 * bind it.  Exits 2 on a missing or bad environment, 1 if the socket
 * cannot be had.
 */
void comm_open(struct app_comm *c);

/* Send @len <= APP_PAYLOAD_MAX bytes to rank @to (not this rank). */
void comm_send(struct app_comm *c, int to, unsigned int type, uint32_t tag,
	       const void *data, size_t len);

/* Send @len bytes of any size, as messages of c->chunk bytes at most. */
void comm_send_big(struct app_comm *c, int to, unsigned int type,
		   uint32_t tag, const void *data, size_t len);

/*
 * The first message, kept or new, whose type is in the @types mask
 * (APP_BIT()), from rank @from (or APP_ANY), with tag @tag (or
 * APP_ANY_TAG).  Blocks until one comes; the caller frees it.
 */
struct app_msg *comm_recv(struct app_comm *c, uint32_t types, int from,
			  uint32_t tag);

/*
 * The payload of a comm_send_big() of @len bytes, whose first message
 * @first (freed here) the caller already has: the rest comes from the
 * same sender with the same type and tag.
 */
void comm_recv_rest(struct app_comm *c, struct app_msg *first, void *buf,
		    size_t len);

/* comm_recv() of one message, then comm_recv_rest(). */
void comm_recv_big(struct app_comm *c, unsigned int type, int from,
		   uint32_t tag, void *buf, size_t len);

/*
 * This rank's one line of progress on stderr: who it is, what @fmt says,
 * how many messages and bytes it sent and received.
 */
void comm_progress(struct app_comm *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Wait until every message this rank sent is acknowledged
 * (SIOCOUTQ reads 0), then close.  Exits 1 if messages were read that
 * nobody asked for: the protocol went wrong.
 */
void comm_close(struct app_comm *c);

#endif /* _MLOG_APP_H */
