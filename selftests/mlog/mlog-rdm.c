// SPDX-License-Identifier: GPL-2.0
/*
 * mlog-rdm: drive and check AF_MLOG SOCK_RDM traffic from the shell.
 *
 *   mlog-rdm sink --port P --senders K --count N [--timeout S]
 *	receive until K distinct senders have each delivered N messages;
 *	fail at the first message that is duplicated, out of order, from a
 *	sender that restarted, or whose bytes are not what its sender wrote
 *   mlog-rdm source --to A.B.C.D:P[,A.B.C.D:P...] --count N --size B
 *	    [--random-size] [--id X] [--timeout S]
 *	send N numbered messages to each destination (interleaved), then
 *	wait until all are acknowledged (SIOCOUTQ reaches 0)
 *   mlog-rdm server --port P --senders K --count N [--timeout S]
 *	a sink that answers every request it accepts with a reply whose
 *	length and bytes both sides compute from the request
 *   mlog-rdm client --to A.B.C.D:P --count N --size B [--random-size]
 *	    [--id X] [--timeout S]
 *	N request-reply round trips, checking every reply byte for byte
 *   mlog-rdm fill --to A.B.C.D:P --size B [--random-size] --count N
 *	send without blocking while poll() reports POLLOUT, to a receiver
 *	that does not answer: fail if a send after POLLOUT gets EAGAIN, if
 *	N messages went without the socket filling up, or if SIOCOUTQ does
 *	not count every message queued
 *   mlog-rdm source|sink ... --sizes S1,S2,...
 *	one message of each size in turn (0 to 65536 bytes), every byte of
 *	it from the pattern, without a header; the sink takes one sender
 *
 * A message carries its sender id, its number and its length in a small
 * header; the rest is a pattern both sides compute, so a receiver checks
 * every byte.
 *
 * An address A.B.C.D names a node, hN protected host N; with --host-port,
 * sink and server bind P in their protected host's own port space, so
 * clients reach them as hN:P wherever the host runs.
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/sockios.h>

#include "mlog_util.h"

#define MAX_DESTS	512
#define MAX_SENDERS	64
#define MAX_SIZES	1024

struct msg_head {
	uint32_t id;
	uint32_t seq;
	uint32_t len;
	uint32_t magic;
};

#define MSG_MAGIC 0x6d6c6f67
#define REPLY_MAGIC 0x72706c79

static void usage(void)
{
	fprintf(stderr,
		"Usage: mlog-rdm sink --port P --senders K --count N [--timeout S]\n"
		"       mlog-rdm source --to A:P[,A:P...] --count N --size B\n"
		"                [--random-size] [--id X] [--timeout S] [--exit-on-report]\n"
		"       mlog-rdm server --port P --senders K --count N [--timeout S]\n"
		"       mlog-rdm client --to A:P --count N --size B [--random-size]\n"
		"                [--id X] [--timeout S]\n"
		"       mlog-rdm fill --to A:P --count N --size B [--random-size]\n"
		"   sink also takes --stall S: wait S seconds before reading; all take\n"
		"   --rcvbuf B and --sndbuf B (SO_RCVBUFFORCE/SO_SNDBUFFORCE, as root),\n"
		"   --done FILE: once done, create FILE, and\n"
		"   --linger DIR:N: once done, keep the socket open (acknowledging\n"
		"   retransmissions, returning RSNs) until DIR holds N files;\n"
		"   sink takes --close-at-once: close the socket as soon as the last\n"
		"   message is read, before anything else; sink and server take\n"
		"   --host-port: bind P in the protected host's own port space\n"
		"   (reached as hN:P); an address A is A.B.C.D (a node) or hN;\n"
		"   source and sink take --sizes S1,S2,...: one message of each size,\n"
		"   all pattern and no header, so that it may be 0 to 65536 bytes;\n"
		"   source takes --nonblock: send with MSG_DONTWAIT when poll() says\n"
		"   POLLOUT, and fail if such a send gets EAGAIN\n");
	exit(2);
}

static uint8_t pattern(uint32_t id, uint32_t seq, uint32_t i)
{
	return (uint8_t)(id * 131 + seq * 7 + i * 13);
}

static uint32_t msg_len(uint32_t id, uint32_t seq, uint32_t size, int random)
{
	if (!random)
		return size;
	/* deterministic, so the receiver needs no side channel */
	return sizeof(struct msg_head) +
	       (id * 2654435761u + seq * 40503u) % (size - sizeof(struct msg_head) + 1);
}

/* A reply's length: from 16 bytes up to the request's length. */
static uint32_t reply_len(uint32_t req_len, uint32_t seq)
{
	return sizeof(struct msg_head) + (req_len * 3u + seq) % req_len;
}

static uint8_t reply_pattern(uint32_t id, uint32_t seq, uint32_t i)
{
	return pattern(id * 3 + 1, seq, i);
}

/* Fill @buf with the reply to request (@id, @seq) of @req_len bytes. */
static uint32_t make_reply(uint8_t *buf, uint32_t id, uint32_t seq,
			   uint32_t req_len)
{
	struct msg_head h = {
		.id = id, .seq = seq, .magic = REPLY_MAGIC,
		.len = reply_len(req_len, seq),
	};
	uint32_t k;

	memcpy(buf, &h, sizeof(h));
	for (k = sizeof(h); k < h.len; k++)
		buf[k] = reply_pattern(id, seq, k);
	return h.len;
}

/* Wait until everything @fd sent is acknowledged; 0 or 1 on timeout. */
static int wait_outq(int fd, double deadline, const char *who)
{
	int outq = 0;

	while (!ioctl(fd, SIOCOUTQ, &outq) && outq > 0) {
		if (mlog_now() > deadline) {
			fprintf(stderr, "%s: %d bytes unacknowledged at timeout\n",
				who, outq);
			return 1;
		}
		usleep(10000);
	}
	if (outq) {
		perror("mlog-rdm: SIOCOUTQ");
		return 1;
	}
	return 0;
}

struct sender {
	uint8_t node[16];
	uint16_t port;
	uint32_t id;
	uint32_t next;		/* next seq expected */
};

static int exit_on_report;
static int host_port;
static int nonblock;
static uint32_t sizes[MAX_SIZES];
static int nsizes;
static int close_at_once;
static const char *linger_dir;
static long linger_count;
static const char *done_file;

/* Files in @dir, not counting . and .. */
static long count_files(const char *dir)
{
	char cmd[512];
	long n = -1;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "ls -1 '%s' 2>/dev/null | wc -l", dir);
	p = popen(cmd, "r");
	if (p) {
		if (fscanf(p, "%ld", &n) != 1)
			n = -1;
		pclose(p);
	}
	return n;
}

static int do_sink(int fd, long senders, long count, double timeout, int reply)
{
	static uint8_t buf[MLOG_MAX_MSG], rbuf[MLOG_MAX_MSG];
	struct sender s[MAX_SENDERS];
	double deadline = mlog_now() + timeout;
	long nsenders = 0, done = 0, total = 0;
	int i;

	while (done < senders) {
		struct sockaddr_mlog from;
		socklen_t fl = sizeof(from);
		struct pollfd p = { .fd = fd, .events = POLLIN };
		struct msg_head h;
		struct sender *cur = NULL;
		ssize_t n;
		uint32_t k;

		if (mlog_now() > deadline) {
			fprintf(stderr, "sink: timed out: %ld of %ld senders done, %ld messages\n",
				done, senders, total);
			for (i = 0; i < nsenders; i++)
				fprintf(stderr, "  sender id %u port %u: next %u\n",
					s[i].id, s[i].port, s[i].next);
			return 1;
		}
		if (poll(&p, 1, 1000) <= 0)
			continue;
		n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
		if (n < 0) {
			/* A reported peer silence is not a loss: go on. */
			if (errno == EHOSTUNREACH || errno == EINTR)
				continue;
			perror("mlog-rdm: sink: recvfrom");
			return 1;
		}
		if (n < (ssize_t)sizeof(h)) {
			fprintf(stderr, "mlog-rdm: sink: short message (%zd bytes)\n", n);
			return 1;
		}
		memcpy(&h, buf, sizeof(h));
		if (h.magic != MSG_MAGIC || h.len != n) {
			fprintf(stderr, "sink: corrupt message: magic %x len %u got %zd\n",
				h.magic, h.len, n);
			return 1;
		}
		for (i = 0; i < nsenders; i++)
			if (s[i].port == from.smlog_port &&
			    !memcmp(s[i].node, from.smlog_node, 16))
				cur = &s[i];
		if (!cur) {
			if (nsenders == MAX_SENDERS || nsenders == senders) {
				fprintf(stderr, "sink: more senders than the %ld expected\n",
					senders);
				return 1;
			}
			cur = &s[nsenders++];
			memcpy(cur->node, from.smlog_node, 16);
			cur->port = from.smlog_port;
			cur->id = h.id;
			cur->next = 1;
		}
		if (h.id != cur->id || h.seq != cur->next) {
			fprintf(stderr,
				"mlog-rdm: sink: sender id %u port %u: got message %u of id %u, expected %u (%s)\n",
				cur->id, cur->port, h.seq, h.id, cur->next,
				h.seq < cur->next ? "duplicate" : "gap or reorder");
			return 1;
		}
		for (k = sizeof(h); k < h.len; k++)
			if (buf[k] != pattern(h.id, h.seq, k)) {
				fprintf(stderr, "sink: message %u of id %u: byte %u corrupt\n",
					h.seq, h.id, k);
				return 1;
			}
		while (reply) {
			uint32_t rl = make_reply(rbuf, h.id, h.seq, h.len);

			if (sendto(fd, rbuf, rl, 0, (struct sockaddr *)&from,
				   sizeof(from)) == rl)
				break;
			if (errno != EHOSTUNREACH && errno != EINTR) {
				perror("mlog-rdm: server: sendto");
				return 1;
			}
			if (mlog_now() > deadline) {
				fprintf(stderr, "mlog-rdm: server: timed out replying\n");
				return 1;
			}
		}
		cur->next++;
		total++;
		if (cur->next == (uint32_t)count + 1)
			done++;
	}
	/* usually before the delayed ack's timer tick (rdm_local.sh) */
	if (close_at_once && !reply)
		close(fd);
	printf("%s: %ld senders x %ld messages, each exactly once and in order\n",
	       reply ? "server" : "sink", senders, count);
	if (reply && wait_outq(fd, deadline, "mlog-rdm: server"))
		return 1;
	return 0;
}

/*
 * --sizes: receive one message of each size in turn from one sender, all
 * of it pattern(id, n, i) for message n.
 */
static int do_sizes_sink(int fd, uint32_t id, double timeout)
{
	static uint8_t buf[MLOG_MAX_MSG + 1];
	double deadline = mlog_now() + timeout;
	struct sockaddr_mlog first;
	int n = 0;

	while (n < nsizes) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		struct sockaddr_mlog from;
		socklen_t fl = sizeof(from);
		ssize_t got;
		uint32_t k;

		if (mlog_now() > deadline) {
			fprintf(stderr, "sink: timed out: %d of %d messages\n", n, nsizes);
			return 1;
		}
		if (poll(&p, 1, 1000) <= 0)
			continue;
		got = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
		if (got < 0) {
			if (errno == EHOSTUNREACH || errno == EINTR)
				continue;
			perror("mlog-rdm: sink: recvfrom");
			return 1;
		}
		if (!n) {
			first = from;
		} else if (from.smlog_port != first.smlog_port ||
			   memcmp(from.smlog_node, first.smlog_node, 16)) {
			fprintf(stderr, "sink: a second sender (port %u)\n", from.smlog_port);
			return 1;
		}
		if (got != sizes[n]) {
			fprintf(stderr, "sink: message %d: %zd bytes, expected %u\n",
				n + 1, got, sizes[n]);
			return 1;
		}
		for (k = 0; k < got; k++)
			if (buf[k] != pattern(id, n + 1, k)) {
				fprintf(stderr, "sink: message %d: byte %u corrupt\n", n + 1, k);
				return 1;
			}
		n++;
	}
	printf("sink: %d messages of the sizes given, each exactly once and in order\n", n);
	return 0;
}

/*
 * --nonblock: wait until poll() reports @fd writable; 0, or -1 with errno
 * ETIMEDOUT at @deadline (or the error poll() failed with).
 */
static int wait_pollout(int fd, double deadline)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };

	for (;;) {
		int n = poll(&p, 1, 1000);

		if (n < 0 && errno != EINTR)
			return -1;
		/* a pending error is for sendto() to return */
		if (n > 0 && (p.revents & (POLLOUT | POLLERR)))
			return 0;
		if (mlog_now() > deadline) {
			fprintf(stderr, "mlog-rdm: no POLLOUT before the deadline\n");
			errno = ETIMEDOUT;
			return -1;
		}
	}
}

/*
 * fill: queue messages to @to, which does not answer, for as long as
 * poll() reports POLLOUT, each sent without blocking.
 */
static int do_fill(int fd, struct sockaddr_mlog *to, long count, long size,
		   int random)
{
	static uint8_t buf[MLOG_MAX_MSG];
	int outq = -1, sndbuf = 0;
	socklen_t sl = sizeof(sndbuf);
	long n;

	for (n = 0; n < count; n++) {
		struct pollfd p = { .fd = fd, .events = POLLOUT };
		uint32_t len = random ? msg_len(1, n + 1, size, 1) : size;

		if (poll(&p, 1, 1000) < 1 || !(p.revents & POLLOUT))
			break;
		if (sendto(fd, buf, len, MSG_DONTWAIT, (struct sockaddr *)to,
			   sizeof(*to)) == len)
			continue;
		if (errno == EHOSTUNREACH) {
			n--;	/* reported once; not queued */
			continue;
		}
		fprintf(stderr, "fill: message %ld (%u bytes) after POLLOUT: %s\n",
			n + 1, len, strerror(errno));
		return 1;
	}
	ioctl(fd, SIOCOUTQ, &outq);
	getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, &sl);
	printf("fill: %ld messages of up to %ld bytes queued, SIOCOUTQ %d, SO_SNDBUF %d\n",
	       n, size, outq, sndbuf);
	if (n == count) {
		fprintf(stderr, "fill: %ld messages and still writable\n", n);
		return 1;
	}
	if (outq < n || outq <= 0) {
		fprintf(stderr, "fill: SIOCOUTQ %d for %ld messages\n", outq, n);
		return 1;
	}
	return 0;
}

static int do_source(int fd, struct sockaddr_mlog *to, int ndest, long count,
		     long size, int random, uint32_t id, double timeout)
{
	static uint8_t buf[MLOG_MAX_MSG];
	double deadline = mlog_now() + timeout;
	long seq, reports = 0, spurious = 0;
	int d, outq = 0;

	for (seq = 1; seq <= count; seq++) {
		for (d = 0; d < ndest; d++) {
			struct msg_head h = {
				.id = id + d, .seq = seq, .magic = MSG_MAGIC,
			};
			uint32_t k;

			if (nsizes) {
				/* all pattern, no header: any size */
				h.len = sizes[(seq - 1) % nsizes];
				for (k = 0; k < h.len; k++)
					buf[k] = pattern(h.id, seq, k);
			} else {
				h.len = msg_len(h.id, seq, size, random);
				memcpy(buf, &h, sizeof(h));
				for (k = sizeof(h); k < h.len; k++)
					buf[k] = pattern(h.id, seq, k);
			}
			while ((nonblock && wait_pollout(fd, deadline)) ||
			       sendto(fd, buf, h.len, nonblock ? MSG_DONTWAIT : 0,
				      (struct sockaddr *)&to[d],
				      sizeof(to[d])) != h.len) {
				if (nonblock && errno == EAGAIN) {
					/* poll() said it would go */
					if (++spurious == 1 || mlog_now() > deadline)
						fprintf(stderr,
							"source %u: EAGAIN after POLLOUT: message %ld, %u bytes\n",
							id, seq, h.len);
					if (mlog_now() > deadline)
						return 1;
					continue;
				}
				if (nonblock && errno == ETIMEDOUT)
					return 1;
				/* Suspicion is reported once; the message
				 * was not queued, so send it again.
				 */
				if (errno == EHOSTUNREACH || errno == EINTR) {
					reports++;
					fprintf(stderr, "source %u: send: %s\n", id,
						strerror(errno));
					if (exit_on_report && errno == EHOSTUNREACH)
						return 3;
					continue;
				}
				perror("mlog-rdm: source: sendto");
				return 1;
			}
			if (mlog_now() > deadline) {
				fprintf(stderr, "mlog-rdm: source: timed out sending\n");
				return 1;
			}
		}
	}
	if (spurious) {
		fprintf(stderr, "source %u: %ld sends got EAGAIN right after POLLOUT\n",
			id, spurious);
		return 1;
	}
	/* Everything is delivered once everything is acknowledged. */
	while (!ioctl(fd, SIOCOUTQ, &outq) && outq > 0) {
		if (mlog_now() > deadline) {
			fprintf(stderr, "source: %d bytes unacknowledged at timeout\n",
				outq);
			return 1;
		}
		usleep(10000);
	}
	if (outq) {
		perror("mlog-rdm: source: SIOCOUTQ");
		return 1;
	}
	printf("source %u: %ld messages to each of %d receivers acknowledged (%ld reports)\n",
	       id, count, ndest, reports);
	return 0;
}

/* Receive the reply to (@id, @seq) of a @req_len-byte request and check it. */
static int get_reply(int fd, const struct sockaddr_mlog *server, uint32_t id,
		     uint32_t seq, uint32_t req_len, double deadline)
{
	static uint8_t buf[MLOG_MAX_MSG];
	struct msg_head h;
	uint32_t k;

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		struct sockaddr_mlog from;
		socklen_t fl = sizeof(from);
		ssize_t n;

		if (mlog_now() > deadline) {
			fprintf(stderr, "mlog-rdm: client %u: no reply to request %u\n",
				id, seq);
			return 1;
		}
		if (poll(&p, 1, 1000) <= 0)
			continue;
		n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
		if (n < 0) {
			if (errno == EHOSTUNREACH || errno == EINTR)
				continue;
			perror("mlog-rdm: client: recvfrom");
			return 1;
		}
		if (from.smlog_port != server->smlog_port ||
		    memcmp(from.smlog_node, server->smlog_node, 16)) {
			fprintf(stderr, "mlog-rdm: client %u: reply from a stranger (port %u)\n",
				id, from.smlog_port);
			return 1;
		}
		if (n < (ssize_t)sizeof(h)) {
			fprintf(stderr, "mlog-rdm: client %u: short reply (%zd bytes)\n",
				id, n);
			return 1;
		}
		memcpy(&h, buf, sizeof(h));
		if (h.magic != REPLY_MAGIC || h.id != id || h.seq != seq ||
		    h.len != n || n != reply_len(req_len, seq)) {
			fprintf(stderr,
				"mlog-rdm: client %u: bad reply to request %u: magic %x id %u seq %u len %u, got %zd bytes, want %u\n",
				id, seq, h.magic, h.id, h.seq, h.len, n,
				reply_len(req_len, seq));
			return 1;
		}
		for (k = sizeof(h); k < h.len; k++)
			if (buf[k] != reply_pattern(id, seq, k)) {
				fprintf(stderr, "mlog-rdm: client %u: reply %u: byte %u corrupt\n",
					id, seq, k);
				return 1;
			}
		return 0;
	}
}

static int do_client(int fd, struct sockaddr_mlog *to, long count, long size,
		     int random, uint32_t id, double timeout)
{
	static uint8_t buf[MLOG_MAX_MSG];
	double deadline = mlog_now() + timeout;
	long seq;

	for (seq = 1; seq <= count; seq++) {
		struct msg_head h = { .id = id, .seq = seq, .magic = MSG_MAGIC };
		uint32_t k;

		h.len = msg_len(id, seq, size, random);
		memcpy(buf, &h, sizeof(h));
		for (k = sizeof(h); k < h.len; k++)
			buf[k] = pattern(id, seq, k);
		while (sendto(fd, buf, h.len, 0, (struct sockaddr *)to,
			      sizeof(*to)) != h.len) {
			if (errno != EHOSTUNREACH && errno != EINTR) {
				perror("mlog-rdm: client: sendto");
				return 1;
			}
			if (mlog_now() > deadline) {
				fprintf(stderr, "mlog-rdm: client: timed out sending\n");
				return 1;
			}
		}
		if (get_reply(fd, to, id, seq, h.len, deadline))
			return 1;
	}
	if (wait_outq(fd, deadline, "mlog-rdm: client"))
		return 1;
	printf("client %u: %ld round trips, every reply intact\n", id, count);
	return 0;
}

/*
 * The work of @mode ended with status @rc.  Say so in the --done file;
 * then, since our last acknowledgments (or RSNs) may be lost, stay until
 * every peer says it has heard them, or @deadline passes.
 */
static int finish(const char *mode, int rc, double deadline)
{
	FILE *f;

	fflush(stdout);
	if (rc)
		return rc;
	if (done_file) {
		f = fopen(done_file, "w");
		if (!f) {
			perror(done_file);
			return 1;
		}
		fclose(f);
	}
	while (linger_dir && count_files(linger_dir) < linger_count) {
		if (mlog_now() > deadline) {
			fprintf(stderr, "mlog-rdm: %s: peers not through before the deadline\n",
				mode);
			return 1;
		}
		usleep(100000);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_mlog to[MAX_DESTS], me;
	long count = 100, size = 64, port = -1, senders = 1, id = 1, stall = 0;
	long rcvbuf = 0, sndbuf = 0;
	double timeout = 300, end;
	int fd, i, ndest = 0, random = 0, af = mlog_af();

	if (argc < 2)
		usage();
	if (af < 0) {
		fprintf(stderr, "mlog-rdm: mlog module not loaded\n");
		return 1;
	}
	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--random-size")) {
			random = 1;
			continue;
		}
		if (!strcmp(argv[i], "--exit-on-report")) {
			exit_on_report = 1;
			continue;
		}
		if (!strcmp(argv[i], "--host-port")) {
			host_port = 1;
			continue;
		}
		if (!strcmp(argv[i], "--close-at-once")) {
			close_at_once = 1;
			continue;
		}
		if (!strcmp(argv[i], "--nonblock")) {
			nonblock = 1;
			continue;
		}
		if (i + 1 >= argc)
			usage();
		if (!strcmp(argv[i], "--port")) {
			port = mlog_num(argv[++i], 1, 65535);
		} else if (!strcmp(argv[i], "--senders")) {
			senders = mlog_num(argv[++i], 1, MAX_SENDERS);
		} else if (!strcmp(argv[i], "--count")) {
			count = mlog_num(argv[++i], 1, 10000000);
		} else if (!strcmp(argv[i], "--size")) {
			/* fill sends no header: any size */
			size = mlog_num(argv[++i], strcmp(argv[1], "fill") ?
					sizeof(struct msg_head) : 0, MLOG_MAX_MSG);
		} else if (!strcmp(argv[i], "--linger")) {
			char *colon = strrchr(argv[++i], ':');

			if (!colon)
				usage();
			*colon = 0;
			linger_dir = argv[i];
			linger_count = mlog_num(colon + 1, 1, 1000);
		} else if (!strcmp(argv[i], "--done")) {
			done_file = argv[++i];
		} else if (!strcmp(argv[i], "--rcvbuf")) {
			rcvbuf = mlog_num(argv[++i], 1, 1 << 30);
		} else if (!strcmp(argv[i], "--sndbuf")) {
			sndbuf = mlog_num(argv[++i], 1, 1 << 30);
		} else if (!strcmp(argv[i], "--stall")) {
			stall = mlog_num(argv[++i], 0, 3600);
		} else if (!strcmp(argv[i], "--id")) {
			id = mlog_num(argv[++i], 1, 1000000);
		} else if (!strcmp(argv[i], "--timeout")) {
			timeout = mlog_num(argv[++i], 1, 86400);
		} else if (!strcmp(argv[i], "--sizes")) {
			char *list = argv[++i], *tok, *save = NULL;

			for (tok = strtok_r(list, ",", &save); tok;
			     tok = strtok_r(NULL, ",", &save)) {
				if (nsizes == MAX_SIZES)
					usage();
				sizes[nsizes++] = mlog_num(tok, 0, MLOG_MAX_MSG);
			}
		} else if (!strcmp(argv[i], "--to")) {
			char *list = argv[++i], *tok, *save = NULL, *colon;

			for (tok = strtok_r(list, ",", &save); tok;
			     tok = strtok_r(NULL, ",", &save)) {
				colon = strrchr(tok, ':');
				if (!colon || ndest == MAX_DESTS)
					usage();
				*colon = 0;
				to[ndest++] = mlog_addr_parse(tok,
							      mlog_num(colon + 1, 1, 65535));
			}
		} else {
			usage();
		}
	}

	end = mlog_now() + stall + timeout;
	fd = socket(af, SOCK_RDM, 0);
	if (fd < 0) {
		perror("mlog-rdm: socket(SOCK_RDM)");
		return 1;
	}
	if (rcvbuf && setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &(int){ rcvbuf },
				 sizeof(int))) {
		perror("mlog-rdm: SO_RCVBUFFORCE");
		return 1;
	}
	if (sndbuf && setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &(int){ sndbuf },
				 sizeof(int))) {
		perror("mlog-rdm: SO_SNDBUFFORCE");
		return 1;
	}
	if (!strcmp(argv[1], "sink") || !strcmp(argv[1], "server")) {
		if (port < 0)
			usage();
		me = mlog_addr(NULL, port);
		if (host_port)
			mlog_sockaddr_host(&me, af, 0, port);
		if (bind(fd, (struct sockaddr *)&me, sizeof(me))) {
			perror("mlog-rdm: bind");
			return 1;
		}
		sleep(stall);
		if (nsizes && !strcmp(argv[1], "sink"))
			return finish(argv[1], do_sizes_sink(fd, id, timeout), end);
		return finish(argv[1], do_sink(fd, senders, count, timeout,
					       !strcmp(argv[1], "server")),
			      end);
	}
	if (!strcmp(argv[1], "source")) {
		if (!ndest)
			usage();
		if (nsizes)
			count = nsizes;
		return finish(argv[1], do_source(fd, to, ndest, count, size,
						 random, id, timeout),
			      end);
	}
	if (!strcmp(argv[1], "fill")) {
		if (ndest != 1)
			usage();
		return do_fill(fd, to, count, size, random);
	}
	if (!strcmp(argv[1], "client")) {
		if (ndest != 1)
			usage();
		return finish(argv[1], do_client(fd, to, count, size, random,
						 id, timeout),
			      end);
	}
	usage();
	return 2;
}
