// SPDX-License-Identifier: GPL-2.0
/*
 * mlog-bench: AF_MLOG transports against a plain UDP baseline.
 *
 *   mlog-bench server [--ctl-port P] [--idle-timeout S] [--rcvbuf B]
 *	serve tests until a client sends QUIT or no client shows up for S
 *	seconds (default 300).  Every test gets a fresh data socket on an
 *	ephemeral port, so a failed test never poisons the next one.
 *
 *   mlog-bench client --server A.B.C.D --transport udp|dgram|rdm
 *		       --test rtt|bulk|xfer|stream|send --size B [--iters N]
 *		       [--seconds S] [--count N] [--reply B] [--warmup N]
 *		       [--rep R] [--ctl-port P] [--timeout-ms T]
 *		       [--connect-timeout S] [--snap-cmd CMD --tag T]
 *		       [--opt on|off|-] [--samples]
 *		       [--pair-ctl-port P2 --pair-socket NAME [--pair-block K]]
 *		       [--pair-ctl-port P2 --pair-transport T [--pair-block K]]
 *		       [--insn-marks]
 *	run one measurement and print it as one JSON object on stdout
 *	(status "ok", "n/a" when the transport does not exist, or "error").
 *	Exit status: 0 for ok and n/a, 1 for a failed measurement, 2 for a
 *	bad command line, 3 when the server's control port cannot be
 *	reached.  --samples adds every operation's time in run order
 *	("samples_us") to the xfer, stream and send results and to paired
 *	rtt.
 *
 *   mlog-bench fdsource --unix NAME --transport rdm|dgram [--timeout S]
 *	create a data socket as the client does, wait (at most S s, default
 *	120, else exit 1) for one connection on the abstract AF_UNIX stream
 *	socket NAME, pass the data socket over it (SCM_RIGHTS) and exit 0
 *	when the connection is closed.  Meant to run as "mlog-host-run
 *	--index N -- mlog-bench fdsource ...": a socket belongs to the
 *	protected host of the task that created it, wherever it goes later.
 *
 *   mlog-bench quit --server A.B.C.D [--ctl-port P]
 *	tell the server to exit.
 *
 * Control protocol: one TCP connection per test to the server's control
 * port (default 7400), lines of text:
 *	C: TEST <transport> <test> <size> [<count> <reply> <tag> <opt>]
 *	   (server runs "<snap-cmd> <tag> before <opt>" unless tag is "-")
 *	   (server waits for IP reassembly memory to drain, up to 30 s)
 *	S: READY <data-port> <quiesce-ms> <frag-bytes-left>
 *	   | NA <reason> | ERR <reason>
 *	   ... data exchange on the data socket ...
 *	C: DONE <sent-msgs> <sent-bytes>
 *	   (server runs "<snap-cmd> <tag> after <opt>" unless tag is "-")
 *	S: RESULT <rx-msgs> <rx-bytes> <first-len> <span-ns> <bad> <rcvbuf>
 *
 * rtt: the client sends a request, the server echoes it back.  On udp and
 * dgram a request unanswered after --timeout-ms (default 200) is sent again
 * and counted as a retry.  Requests of 8 bytes or more carry a sequence
 * number so that a late echo of a retried request is recognised; after a
 * retried round trip of a smaller one, the client waits one more timeout
 * and drops any second echo.  Latency is measured from the first
 * transmission of the request.
 *
 * bulk: the client sends --size byte messages with blocking send() for
 * --seconds; the server counts what arrives.  Throughput is measured at the
 * receiver, from the first to the last message received.  On rdm the sender
 * waits for SIOCOUTQ to reach zero (all acknowledged) before reporting, or,
 * when that ioctl is not supported, for an application-level "ACK!" answer
 * to a final "FIN!" message.
 *
 * xfer (rdm only): one operation is --count messages of --size bytes from
 * the client, then one --reply byte message back from the server once it
 * has received all of them; its time is measured by the client from the
 * first send to the arrival of the reply.  --count 1 --reply 0 is the
 * thesis's Send-Receive-Reply, --count 64 --size 1024 --reply 0 its
 * MoveTo(64K).
 *
 * stream (rdm only): the same as xfer, but the figure is the time of one
 * operation divided by --count: the time per one-way message of a stream
 * of --count messages that ends with one --reply byte answer.  (The end
 * cannot be told from SIOCOUTQ: it counts bytes, and 0 byte messages have
 * none.)
 *
 * send (udp and dgram): the time of one sendto() of --size (>= 16) bytes,
 * the thesis's "datagram send": --iters sends after --warmup ones, 1 ms
 * apart (outside the measured time) so that each finds the sender in the
 * same state; the server counts what arrives, as for bulk.
 *
 * Paired client (--pair-ctl-port P2 --pair-socket NAME, tests xfer,
 * stream and send): one client process measures two sides alternately,
 * so that both see the same load of the machine: side A is its own data
 * socket against the server on --ctl-port, side B the socket fdsource
 * passes on NAME against the server on P2 (same TEST line; --tag, --opt
 * and the snapshots are side B's).  After the warm-up of A, then of B,
 * blocks of --pair-block K operations (default 10) go in the order
 * A B B A A B B A ... until each side has --iters, every operation timed
 * on its own.  Both servers must report every message (xfer, stream).
 * The JSON has the usual head and counts (side B's), "paired":true,
 * "block", objects "a" and "b" with each side's statistics,
 * "ratio_median" (b's median / a's) and "ratio_pairs" (see below).
 *
 * Paired rtt (--test rtt --pair-ctl-port P2 --pair-transport T): the same
 * alternation of blocks of round trips between two transports, side A on
 * --transport against the server on --ctl-port, side B on T (a socket
 * the client creates) against the server on P2; "pair_transport" in the
 * head names T, and the sides' objects carry their round trip statistics
 * ("transport", "retries", "rt_per_s" = round trips per second of that
 * side's own time).  udp against rdm gives the rdm/udp latency ratio
 * with both measured under the same load of the machine.
 *
 * "ratio_pairs" of a paired result: the blocks go in pairs (A B), (B A),
 * (A B) ... and each pair gives one ratio, the median of its B block over
 * the median of its A block: two blocks measured back to back, some
 * 10-20 ms apart, so the drift of the shared host cancels out of it.  The
 * figure is the median of these per-pair ratios ("ratio_pairs_q" has the
 * quartiles, "pairs" their number).  A block median is robust to the odd
 * preempted operation, and the median of ratios is the exponential of the
 * median of log-ratios: when a block's log median scatters symmetrically
 * around the side's log median under the load of the moment, it
 * estimates b's median / a's at equal load without a bias, however the
 * load moves between pairs.  "ratio_median", the ratio of the two
 * sides' overall medians, pools operations from different moments and
 * is kept for comparison.
 *
 * --insn-marks (paired client): run the instruction-count markers of
 * bench/insn/mlog-insn.c, the QEMU plugin of bench/slog/run --insns:
 * begin none (1) before a block of side A, begin log (2) before one of
 * side B, end (3) after every block, and flush (4) after the last one.
 * The markers are no-ops outside QEMU.  The result gets "insn_ops":
 * {"a":N,"b":N}, the operations measured between the markers per side.
 *
 * --snap-cmd (client and server): a command run as "CMD TAG before OPT"
 * before the measurement and "CMD TAG after OPT" after it, outside the
 * measured time; bench/slog/snap uses it to switch the logging
 * optimisations and to record the logging counters.  The warm-up
 * operations are part of the snapshot interval: the JSON gives ops_total.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <linux/mlog.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef MLOG_MAX_MSG
#define MLOG_MAX_MSG 65536
#endif
#define MAX_MSG		65536
#define DEF_CTL_PORT	7400
#define FIN_MSG		"FIN!"
#define ACK_MSG		"ACK!"
#define MARK_LEN	4
#define SEND_STALL_S	10	/* SO_SNDTIMEO of the client's data socket */

enum transport { T_UDP, T_DGRAM, T_RDM };
static const char *const tname[] = { "udp", "dgram", "rdm" };

enum test { X_RTT, X_BULK, X_XFER, X_STREAM, X_SEND, X_NTESTS };
static const char *const xname[] = { "rtt", "bulk", "xfer", "stream", "send" };

/* ------------------------------------------------------------------ */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void usage(FILE *out, int status)
{
	fprintf(out,
		"Usage: mlog-bench server [--ctl-port P] [--idle-timeout S] [--rcvbuf B]\n"
		"                  [--snap-cmd CMD]\n"
		"       mlog-bench client --server A.B.C.D --transport udp|dgram|rdm\n"
		"                  --test rtt|bulk|xfer|stream|send --size B [--iters N]\n"
		"                  [--seconds S] [--count N] [--reply B] [--warmup N]\n"
		"                  [--rep R] [--ctl-port P] [--timeout-ms T]\n"
		"                  [--connect-timeout S] [--snap-cmd CMD --tag T]\n"
		"                  [--opt on|off|-] [--samples]\n"
		"                  [--pair-ctl-port P2 --pair-socket NAME [--pair-block K]]\n"
		"                  [--pair-ctl-port P2 --pair-transport T [--pair-block K]]\n"
		"                  [--insn-marks]\n"
		"       mlog-bench fdsource --unix NAME --transport rdm|dgram [--timeout S]\n"
		"       mlog-bench quit --server A.B.C.D [--ctl-port P]\n"
		"\n"
		"Paired client (xfer, stream, send; rdm or dgram): side A is the client's\n"
		"own socket against the server on --ctl-port, side B the socket passed by\n"
		"\"mlog-bench fdsource --unix NAME\" against the server on --pair-ctl-port;\n"
		"run fdsource as \"mlog-host-run --index N -- mlog-bench fdsource ...\" and\n"
		"side B belongs to protected host N.  --tag, --opt and --snap-cmd are\n"
		"about side B.  After the warm-up of both sides, blocks of K operations\n"
		"(default 10) alternate A B B A A B B A ... until each side has --iters;\n"
		"one JSON line has objects \"a\" and \"b\", \"ratio_median\" (b / a of\n"
		"the sides' medians) and \"ratio_pairs\" (the median over pairs of\n"
		"adjacent blocks A,B of B's block median / A's).\n"
		"Paired rtt (--test rtt --pair-transport T): the same with side A on\n"
		"--transport and side B on a socket of transport T the client creates\n"
		"itself, against the server on --pair-ctl-port: e.g. --transport udp\n"
		"--pair-transport rdm measures rdm/udp under the same load.\n"
		"--insn-marks (paired) runs the markers of the instruction-count plugin\n"
		"(bench/insn/mlog-insn.c) around every block; no-ops outside QEMU.\n"
		"--samples adds every time in run order (\"samples_us\").  fdsource exits\n"
		"once the client closes the connection, or with 1 when no client came\n"
		"within S seconds (default 120).\n");
	exit(status);
}

/* A command line that cannot work: say why, exit 2. */
static void usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "mlog-bench: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see mlog-bench --help)\n");
	exit(2);
}

static long num(const char *s, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (!*s || *end || errno || v < lo || v > hi) {
		fprintf(stderr, "mlog-bench: bad number '%s' (%ld..%ld)\n",
			s, lo, hi);
		exit(2);
	}
	return v;
}

static int parse_test(const char *s)
{
	int i;

	for (i = 0; i < X_NTESTS; i++)
		if (!strcmp(s, xname[i]))
			return i;
	return -1;
}

/*
 * Run "@cmd @tag @when @opt" (a snapshot of the logging counters, outside
 * the measured time).  Nothing without a command or with tag "-".
 */
static void run_snap(const char *cmd, const char *tag, const char *when,
		     const char *opt)
{
	char line[1024];
	int st;

	if (!cmd || !*cmd || !tag || !strcmp(tag, "-"))
		return;
	if (snprintf(line, sizeof(line), "%s %s %s %s", cmd, tag, when,
		     opt) >= (int)sizeof(line)) {
		fprintf(stderr, "mlog-bench: snapshot command too long\n");
		return;
	}
	st = system(line);
	if (st)
		fprintf(stderr, "mlog-bench: '%s' exited %d\n", line,
			WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

static int parse_transport(const char *s)
{
	int i;

	for (i = 0; i < 3; i++)
		if (!strcmp(s, tname[i]))
			return i;
	fprintf(stderr, "mlog-bench: unknown transport '%s'\n", s);
	exit(2);
}

/* The AF_MLOG number from sysfs; -1 if the module is not loaded. */
static int mlog_family(void)
{
	FILE *f = fopen(MLOG_SYSFS_FAMILY, "r");
	int af = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%d", &af) != 1)
		af = -1;
	fclose(f);
	return af;
}

/*
 * Open a data socket of transport @t.  Returns the fd, or -1 with @why
 * filled in; *@na is set when the transport does not exist here (module
 * not loaded, socket type not implemented) rather than failed.
 */
static int data_socket(int t, int *af_out, char *why, size_t whylen, int *na)
{
	int af, fd;

	*na = 0;
	if (t == T_UDP) {
		af = AF_INET;
	} else {
		af = mlog_family();
		if (af < 0) {
			snprintf(why, whylen, "mlog module not loaded (%s)",
				 MLOG_SYSFS_FAMILY);
			*na = 1;
			return -1;
		}
	}
	fd = socket(af, t == T_RDM ? SOCK_RDM : SOCK_DGRAM, 0);
	if (fd < 0) {
		snprintf(why, whylen, "socket(%d, %s): %s", af,
			 t == T_RDM ? "SOCK_RDM" : "SOCK_DGRAM", strerror(errno));
		*na = errno == ESOCKTNOSUPPORT || errno == EPROTONOSUPPORT ||
		      errno == EAFNOSUPPORT || errno == EPROTOTYPE ||
		      errno == EINVAL || errno == EOPNOTSUPP;
		return -1;
	}
	*af_out = af;
	return fd;
}

static socklen_t make_addr(int t, int af, const char *ipv4, uint16_t port,
			   struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (t == T_UDP) {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;

		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		if (ipv4)
			inet_pton(AF_INET, ipv4, &in->sin_addr);
		return sizeof(*in);
	} else {
		struct sockaddr_mlog *m = (struct sockaddr_mlog *)ss;

		m->smlog_family = af;
		m->smlog_port = port;	/* host byte order */
		if (ipv4) {
			m->smlog_node[10] = 0xff;
			m->smlog_node[11] = 0xff;
			inet_pton(AF_INET, ipv4, &m->smlog_node[12]);
		}
		return sizeof(*m);
	}
}

static int addr_port(int t, const struct sockaddr_storage *ss)
{
	if (t == T_UDP)
		return ntohs(((const struct sockaddr_in *)ss)->sin_port);
	return ((const struct sockaddr_mlog *)ss)->smlog_port;
}

/*
 * Same socket buffers for every transport, both ways: a reliable sender
 * keeps unacknowledged data within SO_SNDBUF (as TCP's autotuned buffer
 * does), UDP ignores it.  Returns the effective receive buffer size.
 */
static int set_rcvbuf(int fd, int bytes)
{
	int v = 0;
	socklen_t len = sizeof(v);

	if (bytes > 0 &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof(bytes)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof(bytes));
	if (bytes > 0 &&
	    setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &bytes, sizeof(bytes)))
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bytes, sizeof(bytes));
	if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, &len))
		return -1;
	return v;
}

/*
 * Bytes held by IP reassembly queues in this namespace (/proc/net/sockstat).
 * A lossy 64 KiB test leaves incomplete datagrams behind; until they time
 * out (net.ipv4.ipfrag_time) they count against ipfrag_high_thresh and
 * can make the next test drop every fragmented datagram.
 */
static long frag_memory(void)
{
	FILE *f = fopen("/proc/net/sockstat", "r");
	char line[256];
	long inuse, mem = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "FRAG: inuse %ld memory %ld", &inuse, &mem) == 2)
			break;
	fclose(f);
	return mem;
}

/* Wait (at most @max s) for the reassembly queues to empty; ms waited. */
static long quiesce(double max, long *left)
{
	double t0 = now();

	while ((*left = frag_memory()) > 0 && now() - t0 < max)
		usleep(50000);
	return (long)((now() - t0) * 1000);
}

/* Bound blocking sends: a stuck flow-controlled socket must not hang us. */
static void set_sndtimeo(int fd, int seconds)
{
	struct timeval tv = { .tv_sec = seconds };

	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

/* ---- control channel: line-oriented TCP with bounded waits ---- */

struct ctl {
	int fd;
	char buf[512];
	size_t len;
};

/* Read one line (without '\n') within @timeout seconds; 0 or -1. */
static int ctl_getline(struct ctl *c, char *line, size_t max, double timeout)
{
	double deadline = now() + timeout;

	for (;;) {
		char *nl = memchr(c->buf, '\n', c->len);
		struct pollfd p = { .fd = c->fd, .events = POLLIN };
		ssize_t n;
		int ms;

		if (nl) {
			size_t l = nl - c->buf;

			if (l >= max)
				l = max - 1;
			memcpy(line, c->buf, l);
			line[l] = 0;
			c->len -= nl + 1 - c->buf;
			memmove(c->buf, nl + 1, c->len);
			return 0;
		}
		if (c->len == sizeof(c->buf)) {
			errno = EMSGSIZE;
			return -1;
		}
		ms = (int)((deadline - now()) * 1000);
		if (ms <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (poll(&p, 1, ms) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (!p.revents)
			continue;
		n = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len, 0);
		if (n == 0) {
			errno = ECONNRESET;
			return -1;
		}
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		c->len += n;
	}
}

static int ctl_printf(struct ctl *c, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0 || n >= (int)sizeof(line))
		return -1;
	return send(c->fd, line, n, MSG_NOSIGNAL) == n ? 0 : -1;
}

/* ------------------------------------------------------------------ */
/* Server */

static char sbuf[MAX_MSG + 1];
static const char reply_buf[MAX_MSG];	/* zeros */

/* Echo every request until the client says DONE. */
static int serve_rtt(struct ctl *c, int fd, long *served)
{
	char line[256];

	*served = 0;
	for (;;) {
		struct pollfd p[2] = {
			{ .fd = fd, .events = POLLIN },
			{ .fd = c->fd, .events = POLLIN },
		};
		int r = poll(p, 2, 120000);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			fprintf(stderr, "mlog-bench server: rtt: no traffic for 120 s\n");
			return -1;
		}
		if (p[0].revents) {
			struct sockaddr_storage from;
			socklen_t flen = sizeof(from);
			ssize_t n = recvfrom(fd, sbuf, sizeof(sbuf), MSG_DONTWAIT,
					     (struct sockaddr *)&from, &flen);

			if (n >= 0) {
				if (sendto(fd, sbuf, n, 0, (struct sockaddr *)&from,
					   flen) != n)
					fprintf(stderr, "mlog-bench server: echo: %s\n",
						strerror(errno));
				else
					(*served)++;
			}
		}
		if (p[1].revents) {
			if (ctl_getline(c, line, sizeof(line), 10))
				return -1;
			if (!strncmp(line, "DONE", 4))
				return 0;
		}
	}
}

/*
 * xfer and stream: count the client's messages; after every @count of
 * them answer with a @reply byte message.  Until the client says DONE.
 */
static int serve_xfer(struct ctl *c, int fd, int count, int reply,
		      long *rx_msgs, long *replies)
{
	char line[256];
	int got = 0;

	*rx_msgs = 0;
	*replies = 0;
	for (;;) {
		struct pollfd p[2] = {
			{ .fd = fd, .events = POLLIN },
			{ .fd = c->fd, .events = POLLIN },
		};
		int r = poll(p, 2, 120000);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			fprintf(stderr, "mlog-bench server: xfer: no traffic for 120 s\n");
			return -1;
		}
		while (p[0].revents) {
			struct sockaddr_storage from;
			socklen_t flen = sizeof(from);
			ssize_t n = recvfrom(fd, sbuf, sizeof(sbuf), MSG_DONTWAIT,
					     (struct sockaddr *)&from, &flen);

			if (n < 0)
				break;
			(*rx_msgs)++;
			if (++got < count)
				continue;
			got = 0;
			if (sendto(fd, reply_buf, reply, 0, (struct sockaddr *)&from,
				   flen) != reply)
				fprintf(stderr, "mlog-bench server: reply: %s\n",
					strerror(errno));
			else
				(*replies)++;
		}
		if (p[1].revents) {
			if (ctl_getline(c, line, sizeof(line), 10))
				return -1;
			if (!strncmp(line, "DONE", 4))
				return 0;
		}
	}
}

struct bulk_rx {
	long msgs, bad;
	long long bytes, first_len;
	int64_t t_first, t_last;
};

static void bulk_drain(int fd, struct bulk_rx *rx)
{
	for (;;) {
		struct sockaddr_storage from;
		socklen_t flen = sizeof(from);
		ssize_t n = recvfrom(fd, sbuf, sizeof(sbuf), MSG_DONTWAIT,
				     (struct sockaddr *)&from, &flen);
		int64_t t;

		if (n < 0)
			return;
		if (n == MARK_LEN && !memcmp(sbuf, FIN_MSG, MARK_LEN)) {
			sendto(fd, ACK_MSG, MARK_LEN, 0, (struct sockaddr *)&from,
			       flen);
			continue;
		}
		if (n < 16) {
			rx->bad++;
			continue;
		}
		t = now_ns();
		if (!rx->msgs) {
			rx->t_first = t;
			rx->first_len = n;
		}
		rx->t_last = t;
		rx->msgs++;
		rx->bytes += n;
	}
}

static int serve_bulk(struct ctl *c, int fd, int rcvbuf, const char *snap_cmd,
		      const char *tag, const char *opt)
{
	struct bulk_rx rx = { 0 };
	long long sent_msgs = -1, sent_bytes = -1;
	double done_at = 0, last_rx = now();
	char line[256];

	for (;;) {
		struct pollfd p[2] = {
			{ .fd = fd, .events = POLLIN },
			{ .fd = c->fd, .events = POLLIN },
		};
		int timeout = sent_msgs < 0 ? 120000 : 200;
		long before = rx.msgs;
		int r = poll(p, sent_msgs < 0 ? 2 : 1, timeout);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0 && sent_msgs < 0) {
			fprintf(stderr, "mlog-bench server: bulk: no traffic for 120 s\n");
			return -1;
		}
		if (r > 0 && p[0].revents)
			bulk_drain(fd, &rx);
		if (rx.msgs != before)
			last_rx = now();
		if (sent_msgs < 0 && r > 0 && p[1].revents) {
			if (ctl_getline(c, line, sizeof(line), 10))
				return -1;
			if (sscanf(line, "DONE %lld %lld", &sent_msgs,
				   &sent_bytes) != 2) {
				ctl_printf(c, "ERR bad line '%s'\n", line);
				return -1;
			}
			done_at = now();
		}
		if (sent_msgs >= 0) {
			/*
			 * The sender has stopped: collect what is still in
			 * flight until everything arrived, or nothing came
			 * for 1 s (the rest is lost), bounded by 60 s.
			 */
			if (rx.msgs >= sent_msgs || now() - last_rx > 1.0 ||
			    now() - done_at > 60)
				break;
		}
	}
	run_snap(snap_cmd, tag, "after", opt);
	return ctl_printf(c, "RESULT %ld %lld %lld %" PRId64 " %ld %d\n",
			  rx.msgs, rx.bytes, rx.first_len,
			  rx.msgs ? rx.t_last - rx.t_first : (int64_t)0, rx.bad,
			  rcvbuf);
}

static void serve_one(int cfd, int rcvbuf_req, const char *snap_cmd,
		      int *quit)
{
	struct ctl c = { .fd = cfd };
	char line[256], tr[32], test[32], why[256], tag[64] = "-", opt[8] = "-";
	struct sockaddr_storage me;
	socklen_t mlen;
	int t, x, fd, af = 0, na, size, rcvbuf, one = 1, count = 1, reply = 0;
	long waited, left;

	setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (ctl_getline(&c, line, sizeof(line), 30)) {
		fprintf(stderr, "mlog-bench server: control: %s\n", strerror(errno));
		return;
	}
	if (!strcmp(line, "QUIT")) {
		ctl_printf(&c, "BYE\n");
		*quit = 1;
		return;
	}
	x = -1;
	if (sscanf(line, "TEST %31s %31s %d %d %d %63s %7s", tr, test, &size,
		   &count, &reply, tag, opt) >= 3)
		x = parse_test(test);
	if (x < 0 || size < 0 || size > MAX_MSG || count < 1 ||
	    reply > MAX_MSG) {
		ctl_printf(&c, "ERR bad request '%s'\n", line);
		return;
	}
	for (t = 0; t < 3 && strcmp(tr, tname[t]); t++)
		;
	if (t == 3) {
		ctl_printf(&c, "ERR unknown transport '%s'\n", tr);
		return;
	}
	fd = data_socket(t, &af, why, sizeof(why), &na);
	if (fd < 0) {
		ctl_printf(&c, "%s %s\n", na ? "NA" : "ERR", why);
		return;
	}
	rcvbuf = set_rcvbuf(fd, rcvbuf_req);
	set_sndtimeo(fd, 5);
	mlen = make_addr(t, af, NULL, 0, &me);
	if (bind(fd, (struct sockaddr *)&me, mlen)) {
		ctl_printf(&c, "ERR bind: %s\n", strerror(errno));
		goto out;
	}
	mlen = sizeof(me);
	if (getsockname(fd, (struct sockaddr *)&me, &mlen)) {
		ctl_printf(&c, "ERR getsockname: %s\n", strerror(errno));
		goto out;
	}
	waited = quiesce(30, &left);
	if (left > 0)
		fprintf(stderr, "mlog-bench server: %ld bytes still in IP reassembly after %ld ms\n",
			left, waited);
	run_snap(snap_cmd, tag, "before", opt);
	if (ctl_printf(&c, "READY %d %ld %ld\n", addr_port(t, &me), waited,
		       left))
		goto out;
	if (x == X_RTT) {
		long served;

		if (!serve_rtt(&c, fd, &served))
			ctl_printf(&c, "RESULT %ld 0 0 0 0 %d\n", served, rcvbuf);
	} else if (x == X_BULK || x == X_SEND) {
		serve_bulk(&c, fd, rcvbuf, snap_cmd, tag, opt);
	} else {
		long rx_msgs, replies;

		if (!serve_xfer(&c, fd, count, reply, &rx_msgs, &replies)) {
			run_snap(snap_cmd, tag, "after", opt);
			ctl_printf(&c, "RESULT %ld %ld 0 0 0 %d\n", rx_msgs,
				   replies, rcvbuf);
		}
	}
out:
	close(fd);
}

static int do_server(int argc, char **argv)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	int port = DEF_CTL_PORT, idle = 300, rcvbuf = 4 << 20;
	const char *snap_cmd = NULL;
	int lfd, one = 1, quit = 0, i;

	for (i = 2; i < argc; i++) {
		if (i + 1 >= argc)
			usage(stderr, 2);
		if (!strcmp(argv[i], "--ctl-port"))
			port = num(argv[++i], 1, 65535);
		else if (!strcmp(argv[i], "--idle-timeout"))
			idle = num(argv[++i], 1, 86400);
		else if (!strcmp(argv[i], "--rcvbuf"))
			rcvbuf = num(argv[++i], 0, 1 << 30);
		else if (!strcmp(argv[i], "--snap-cmd"))
			snap_cmd = argv[++i];
		else
			usage(stderr, 2);
	}
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0) {
		perror("mlog-bench server: socket");
		return 1;
	}
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	sin.sin_port = htons(port);
	if (bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) || listen(lfd, 4)) {
		fprintf(stderr, "mlog-bench server: control port %d: %s\n", port,
			strerror(errno));
		return 1;
	}
	fprintf(stderr, "mlog-bench server: control on tcp port %d\n", port);
	while (!quit) {
		struct pollfd p = { .fd = lfd, .events = POLLIN };
		int r = poll(&p, 1, idle * 1000), cfd;

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			fprintf(stderr, "mlog-bench server: no client for %d s, exiting\n",
				idle);
			return 1;
		}
		cfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (cfd < 0)
			continue;
		serve_one(cfd, rcvbuf, snap_cmd, &quit);
		close(cfd);
	}
	close(lfd);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Client */

struct copts {
	const char *server, *snap_cmd, *tag, *opt, *pair_socket;
	int ctl_port, transport, rep, size, timeout_ms, connect_timeout;
	int test, count, reply, warmup, pair_ctl_port, samples;
	int pair_transport;	/* side B's transport (paired rtt), or -1 */
	long iters, quiesce_ms, frag_left, srv_quiesce_ms, srv_frag_left;
	long pair_block;
	int insn_marks;
	double seconds;
};

static struct copts o;
static char cbuf_out[MAX_MSG], cbuf_in[MAX_MSG + 1];

static void json_head(const char *status)
{
	printf("{\"transport\":\"%s\",\"test\":\"%s\",\"size\":%d,\"rep\":%d,"
	       "\"status\":\"%s\",\"quiesce_ms\":[%ld,%ld],"
	       "\"frag_mem_left\":[%ld,%ld]", tname[o.transport],
	       xname[o.test], o.size, o.rep, status,
	       o.quiesce_ms, o.srv_quiesce_ms, o.frag_left, o.srv_frag_left);
	if (o.pair_transport >= 0)
		printf(",\"pair_transport\":\"%s\"", tname[o.pair_transport]);
}

static void json_str(const char *key, const char *val)
{
	const char *p;

	printf(",\"%s\":\"", key);
	for (p = val; *p; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if ((unsigned char)*p < 0x20)
			printf("\\u%04x", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

static int report_status(const char *status, int code, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_head(status);
	json_str(strcmp(status, "n/a") ? "error" : "reason", msg);
	printf("}\n");
	fflush(stdout);
	fprintf(stderr, "mlog-bench: %s %s %d B: %s: %s\n", tname[o.transport],
		xname[o.test], o.size, status, msg);
	return code;
}

static int ctl_connect(struct ctl *c, const char *server, int port,
		       double timeout, char *err, size_t errlen)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };
	double deadline = now() + timeout;
	int one = 1;

	if (inet_pton(AF_INET, server, &sin.sin_addr) != 1) {
		snprintf(err, errlen, "bad server address '%s'", server);
		return -1;
	}
	for (;;) {
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (fd < 0) {
			snprintf(err, errlen, "socket: %s", strerror(errno));
			return -1;
		}
		if (!connect(fd, (struct sockaddr *)&sin, sizeof(sin))) {
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
			memset(c, 0, sizeof(*c));
			c->fd = fd;
			return 0;
		}
		snprintf(err, errlen, "connect to %s:%d: %s", server, port,
			 strerror(errno));
		close(fd);
		if (now() > deadline)
			return -1;
		/* The server may still be starting: poll for it. */
		usleep(100000);
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void fill(char *buf, int size, uint64_t seq)
{
	int i;

	for (i = 0; i < size; i++)
		buf[i] = (char)(i * 7 + 1);
	if (size >= 8)
		memcpy(buf, &seq, 8);
}

/* Receive and drop whatever arrives in the next @ms milliseconds. */
static void discard_for(int fd, int ms)
{
	double end = now() + ms / 1000.0;
	int left;

	while ((left = (int)((end - now()) * 1000)) > 0) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (poll(&p, 1, left) > 0)
			recv(fd, cbuf_in, sizeof(cbuf_in), MSG_DONTWAIT);
	}
}

/*
 * One round trip.  Returns the latency in seconds (from the first
 * transmission), or -1 with @err set.
 */
static double round_trip(int fd, int reliable,
			 const struct sockaddr_storage *to, socklen_t tolen,
			 uint64_t seq, long *retries, char *err, size_t errlen)
{
	int tmo = reliable ? 30000 : o.timeout_ms, tries = 0;
	double t0 = now(), sent, lat;

	fill(cbuf_out, o.size, seq);
	for (;;) {
		if (sendto(fd, cbuf_out, o.size, 0, (const struct sockaddr *)to,
			   tolen) != o.size) {
			if (errno == ENOBUFS || errno == EAGAIN) {
				/* Treated like a loss: retried below. */
			} else {
				snprintf(err, errlen, "sendto: %s", strerror(errno));
				return -1;
			}
		}
		sent = now();
		for (;;) {
			struct pollfd p = { .fd = fd, .events = POLLIN };
			int ms = tmo - (int)((now() - sent) * 1000);
			ssize_t n;
			int r;

			if (ms <= 0)
				break;
			r = poll(&p, 1, ms);
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0) {
				snprintf(err, errlen, "poll: %s", strerror(errno));
				return -1;
			}
			if (r == 0)
				break;
			n = recv(fd, cbuf_in, sizeof(cbuf_in), MSG_DONTWAIT);
			if (n < 0) {
				if (errno == EAGAIN || errno == EINTR)
					continue;
				snprintf(err, errlen, "recv: %s", strerror(errno));
				return -1;
			}
			/* Late echo of a retried request: keep waiting. */
			if (n != o.size || memcmp(cbuf_in, cbuf_out, o.size))
				continue;
			lat = now() - t0;
			/*
			 * Without room for a sequence number, a second echo of
			 * a retried request would pass for the next answer:
			 * wait one more timeout and discard what comes.
			 */
			if (tries && o.size < 8)
				discard_for(fd, tmo);
			return lat;
		}
		if (reliable) {
			snprintf(err, errlen, "no echo after %d ms on a reliable transport",
				 tmo);
			return -1;
		}
		(*retries)++;
		if (++tries > 50) {
			snprintf(err, errlen, "request %" PRIu64 " lost %d times",
				 seq, tries);
			return -1;
		}
	}
}

/* Unmeasured operations first: a tenth of --iters, at least @lo, <= 100. */
static long default_warmup(long lo)
{
	long w = o.iters / 10;

	return w < lo ? lo : w > 100 ? 100 : w;
}

static int client_rtt(struct ctl *c, int fd, const struct sockaddr_storage *to,
		      socklen_t tolen)
{
	long warm = default_warmup(5), i, retries = 0;
	long warm_retries = 0;
	double *lat, t_start, t_total, sum = 0;
	char err[256], line[256];
	uint64_t seq = 1;

	lat = calloc(o.iters, sizeof(*lat));
	if (!lat)
		return report_status("error", 1, "out of memory");
	/* Warm-up: peer state, ARP, caches; not measured. */
	for (i = 0; i < warm; i++)
		if (round_trip(fd, o.transport == T_RDM, to, tolen, seq++,
			       &warm_retries, err, sizeof(err)) < 0)
			return report_status("error", 1, "warm-up: %s", err);
	t_start = now();
	for (i = 0; i < o.iters; i++) {
		lat[i] = round_trip(fd, o.transport == T_RDM, to, tolen, seq++,
				    &retries, err, sizeof(err));
		if (lat[i] < 0)
			return report_status("error", 1, "round trip %ld: %s",
					     i, err);
		sum += lat[i];
	}
	t_total = now() - t_start;
	if (ctl_printf(c, "DONE %ld 0\n", o.iters) ||
	    ctl_getline(c, line, sizeof(line), 30))
		return report_status("error", 1, "control: no end of test: %s",
				     strerror(errno));
	qsort(lat, o.iters, sizeof(*lat), cmp_double);
	json_head("ok");
	printf(",\"iters\":%ld,\"warmup\":%ld,\"median_us\":%.2f,"
	       "\"p99_us\":%.2f,\"mean_us\":%.2f,\"min_us\":%.2f,"
	       "\"max_us\":%.2f,\"rt_per_s\":%.1f,\"retries\":%ld,"
	       "\"warmup_retries\":%ld,\"timeout_ms\":%d}\n",
	       o.iters, warm,
	       (o.iters % 2 ? lat[o.iters / 2] :
		(lat[o.iters / 2 - 1] + lat[o.iters / 2]) / 2) * 1e6,
	       lat[(o.iters * 99 + 99) / 100 - 1] * 1e6,
	       sum / o.iters * 1e6, lat[0] * 1e6, lat[o.iters - 1] * 1e6,
	       o.iters / t_total, retries, warm_retries,
	       o.transport == T_RDM ? 0 : o.timeout_ms);
	fflush(stdout);
	free(lat);
	return 0;
}

/* rdm: wait until the peer acknowledged everything we sent. */
static int rdm_wait_acked(int fd, const struct sockaddr_storage *to,
			  socklen_t tolen, const char **how, char *err,
			  size_t errlen)
{
	double deadline = now() + 120;
	int outq;

	if (!ioctl(fd, SIOCOUTQ, &outq)) {
		*how = "siocoutq";
		while (outq > 0) {
			if (now() > deadline) {
				snprintf(err, errlen, "%d bytes still unacked after 120 s",
					 outq);
				return -1;
			}
			usleep(1000);
			if (ioctl(fd, SIOCOUTQ, &outq)) {
				snprintf(err, errlen, "SIOCOUTQ: %s", strerror(errno));
				return -1;
			}
		}
		return 0;
	}
	/* No SIOCOUTQ: in-order delivery means the ACK follows everything. */
	*how = "app-ack";
	if (sendto(fd, FIN_MSG, MARK_LEN, 0, (const struct sockaddr *)to,
		   tolen) != MARK_LEN) {
		snprintf(err, errlen, "send FIN: %s", strerror(errno));
		return -1;
	}
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int ms = (int)((deadline - now()) * 1000);
		ssize_t n;

		if (ms <= 0 || poll(&p, 1, ms) <= 0) {
			snprintf(err, errlen, "no application ACK within 120 s");
			return -1;
		}
		n = recv(fd, cbuf_in, sizeof(cbuf_in), MSG_DONTWAIT);
		if (n == MARK_LEN && !memcmp(cbuf_in, ACK_MSG, MARK_LEN))
			return 0;
	}
}

static int client_bulk(struct ctl *c, int fd, const struct sockaddr_storage *to,
		       socklen_t tolen)
{
	long long sent = 0, sent_bytes = 0, send_errs = 0, rx_msgs, rx_bytes;
	long long first_len, span_ns;
	long bad;
	int rcvbuf;
	double t0, t_end, t_sent, t_acked;
	const char *how = "none";
	char err[256], line[256];
	uint64_t seq = 0;

	fill(cbuf_out, o.size, 0);
	t0 = now();
	t_end = t0 + o.seconds;
	while (now() < t_end) {
		memcpy(cbuf_out, &seq, 8);
		if (sendto(fd, cbuf_out, o.size, 0, (const struct sockaddr *)to,
			   tolen) == o.size) {
			sent++;
			sent_bytes += o.size;
			seq++;
			continue;
		}
		if (errno == EAGAIN && o.transport == T_RDM)
			return report_status("error", 1,
					     "send blocked for %d s (no credit from the receiver)",
					     SEND_STALL_S);
		if (errno == ENOBUFS || errno == EAGAIN || errno == ECONNREFUSED ||
		    errno == EINTR) {
			send_errs++;
			continue;
		}
		return report_status("error", 1, "sendto (%d B): %s", o.size,
				     strerror(errno));
	}
	t_sent = now();
	if (o.transport == T_RDM &&
	    rdm_wait_acked(fd, to, tolen, &how, err, sizeof(err)))
		return report_status("error", 1, "%s", err);
	t_acked = now();
	if (ctl_printf(c, "DONE %lld %lld\n", sent, sent_bytes) ||
	    ctl_getline(c, line, sizeof(line), 90))
		return report_status("error", 1, "control: no result: %s",
				     strerror(errno));
	if (sscanf(line, "RESULT %lld %lld %lld %lld %ld %d", &rx_msgs,
		   &rx_bytes, &first_len, &span_ns, &bad, &rcvbuf) != 6)
		return report_status("error", 1, "server: %s", line);
	if (rx_msgs < 2 || span_ns <= 0)
		return report_status("error", 1,
				     "receiver got %lld of %lld messages", rx_msgs,
				     sent);
	json_head("ok");
	printf(",\"seconds\":%.3f,\"sent_msgs\":%lld,\"sent_bytes\":%lld,"
	       "\"send_errors\":%lld,\"tx_mib_s\":%.2f,\"rx_msgs\":%lld,"
	       "\"rx_bytes\":%lld,\"rx_bad\":%ld,\"rx_span_s\":%.6f,"
	       "\"mib_s\":%.2f,\"msgs_per_s\":%.1f,\"loss_pct\":%.3f,"
	       "\"drain\":\"%s\",\"drain_s\":%.3f,\"rcvbuf\":%d}\n",
	       t_sent - t0, sent, sent_bytes, send_errs,
	       sent_bytes / (t_sent - t0) / 1048576.0, rx_msgs, rx_bytes, bad,
	       span_ns / 1e9,
	       (rx_bytes - first_len) / (span_ns / 1e9) / 1048576.0,
	       (rx_msgs - 1) / (span_ns / 1e9),
	       sent ? 100.0 * (sent - rx_msgs) / sent : 0.0, how,
	       t_acked - t_sent, rcvbuf);
	fflush(stdout);
	return 0;
}

/* Wait (at most 30 s) for the server's @len byte reply. */
static int wait_reply(int fd, int len, char *err, size_t errlen)
{
	double deadline = now() + 30;

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int ms = (int)((deadline - now()) * 1000);
		ssize_t n;

		if (ms <= 0) {
			snprintf(err, errlen, "no reply within 30 s");
			return -1;
		}
		if (poll(&p, 1, ms) < 0 && errno != EINTR) {
			snprintf(err, errlen, "poll: %s", strerror(errno));
			return -1;
		}
		n = recv(fd, cbuf_in, sizeof(cbuf_in), MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			snprintf(err, errlen, "recv: %s", strerror(errno));
			return -1;
		}
		if (n == len)
			return 0;
		snprintf(err, errlen, "reply of %zd bytes, expected %d", n, len);
		return -1;
	}
}

/*
 * One xfer or stream operation: o.count messages, then the reply.
 * Returns its time in seconds, or -1 with @err set.
 */
static double xfer_op(int fd, const struct sockaddr_storage *to,
		      socklen_t tolen, uint64_t *seq, char *err, size_t errlen)
{
	double t0 = now();
	int k;

	for (k = 0; k < o.count; k++) {
		if (o.size >= 8)
			memcpy(cbuf_out, seq, 8);
		(*seq)++;
		if (sendto(fd, cbuf_out, o.size, 0, (const struct sockaddr *)to,
			   tolen) != o.size) {
			snprintf(err, errlen, "sendto (%d B): %s", o.size,
				 strerror(errno));
			return -1;
		}
	}
	if (wait_reply(fd, o.reply, err, errlen))
		return -1;
	return now() - t0;
}

/*
 * One side of an xfer, stream, send or paired rtt measurement: a data
 * socket, the server's control connection and data address, and the
 * operation times.  A plain client has one side; a paired one
 * (--pair-socket, --pair-transport) has two, "a" (its own socket,
 * --ctl-port) and "b" (the socket received from "mlog-bench fdsource",
 * or one of --pair-transport, --pair-ctl-port).
 */
struct side {
	const char *name;	/* "a" or "b" when paired, else NULL */
	const char *tag, *opt;	/* sent with TEST */
	int transport, ctl_port, fd, rcvbuf;
	struct ctl c;
	struct sockaddr_storage to;
	socklen_t tolen;
	uint64_t seq;
	long warm, n, rx_msgs, replies, srv_quiesce_ms, srv_frag_left;
	long retries, warm_retries;	/* rtt requests sent again */
	double *lat, sum;
};

/* Messages one side sends in its warm-up and measured operations. */
static long side_msgs(const struct side *s)
{
	return (s->warm + o.iters) *
	       (o.test == X_XFER || o.test == X_STREAM ? o.count : 1);
}

/*
 * Connect to the side's server and ask for the test.  0 when the server
 * is READY, else a report_status() code: 0 with *@na set (transport not
 * there), 1 (failed) or 3 (control port unreachable), @err filled in.
 */
static int side_open(struct side *s, int af, const char *test, int *na,
		     char *err, size_t errlen)
{
	char line[256];
	int port;

	*na = 0;
	if (ctl_connect(&s->c, o.server, s->ctl_port, o.connect_timeout, err,
			errlen))
		return 3;
	if (ctl_printf(&s->c, "TEST %s %s %d %d %d %s %s\n", tname[s->transport],
		       test, o.size, o.count, o.reply, s->tag, s->opt) ||
	    ctl_getline(&s->c, line, sizeof(line), 30)) {
		snprintf(err, errlen, "control: no answer: %s", strerror(errno));
		return 1;
	}
	if (!strncmp(line, "NA ", 3)) {
		snprintf(err, errlen, "server: %s", line + 3);
		*na = 1;
		return 0;
	}
	if (sscanf(line, "READY %d %ld %ld", &port, &s->srv_quiesce_ms,
		   &s->srv_frag_left) < 1) {
		snprintf(err, errlen, "server: %s", line);
		return 1;
	}
	s->tolen = make_addr(s->transport, af, o.server, port, &s->to);
	if (o.warmup >= 0)
		s->warm = o.warmup;
	else if (o.test == X_SEND)
		s->warm = 10;
	else
		s->warm = default_warmup(o.test == X_RTT ? 5 : 2);
	s->seq = o.test == X_SEND ? 0 : 1;
	s->lat = calloc(o.iters, sizeof(*s->lat));
	if (!s->lat) {
		snprintf(err, errlen, "out of memory");
		return 1;
	}
	return 0;
}

/*
 * One operation of the side: a round trip, an xfer or stream exchange
 * (per message for stream), or one datagram send followed by a 1 ms
 * pause outside the measured time.  Returns its time in seconds, or -1
 * with @err set.
 */
static double side_op(struct side *s, char *err, size_t errlen)
{
	double t;

	if (o.test == X_RTT)
		return round_trip(s->fd, s->transport == T_RDM, &s->to,
				  s->tolen, s->seq++, &s->retries, err, errlen);
	if (o.test != X_SEND) {
		t = xfer_op(s->fd, &s->to, s->tolen, &s->seq, err, errlen);
		return t < 0 || o.test != X_STREAM ? t : t / o.count;
	}
	memcpy(cbuf_out, &s->seq, 8);
	s->seq++;
	t = now();
	if (sendto(s->fd, cbuf_out, o.size, 0, (const struct sockaddr *)&s->to,
		   s->tolen) != o.size) {
		snprintf(err, errlen, "sendto (%d B): %s", o.size,
			 strerror(errno));
		return -1;
	}
	t = now() - t;
	poll(NULL, 0, 1);
	return t;
}

/* @k operations of the side, measured (kept in s->lat) unless @warm. */
static int side_run(struct side *s, long k, int warm, char *err,
		    size_t errlen)
{
	const char *sep = s->name ? ": " : "";
	long retries = s->retries;
	char why[256];
	double t;

	for (; k > 0; k--) {
		t = side_op(s, why, sizeof(why));
		if (t < 0 && warm) {
			snprintf(err, errlen, "%s%swarm-up: %s",
				 s->name ? s->name : "", sep, why);
			return -1;
		}
		if (t < 0) {
			snprintf(err, errlen, "%s%soperation %ld: %s",
				 s->name ? s->name : "", sep, s->n, why);
			return -1;
		}
		if (!warm) {
			s->lat[s->n++] = t;
			s->sum += t;
		}
	}
	if (warm) {
		s->warm_retries += s->retries - retries;
		s->retries = retries;
	}
	return 0;
}

/*
 * Tell the side's server the test is over and check its RESULT: for xfer
 * and stream it must have received every message, for rtt echoed every
 * request at least once (a datagram send only counts what arrived).  0,
 * or -1 with @err set.
 */
static int side_done(struct side *s, char *err, size_t errlen)
{
	const char *who = s->name ? s->name : "";
	const char *sep = s->name ? ": " : "";
	long long rx_bytes, first_len, span_ns;
	char line[256];
	long bad;

	if (ctl_printf(&s->c, "DONE %ld %lld\n", side_msgs(s),
		       o.test == X_SEND ? (long long)side_msgs(s) * o.size : 0) ||
	    ctl_getline(&s->c, line, sizeof(line), o.test == X_SEND ? 90 : 60)) {
		snprintf(err, errlen, "%s%scontrol: no result: %s", who, sep,
			 strerror(errno));
		return -1;
	}
	if (o.test == X_SEND) {
		if (sscanf(line, "RESULT %ld %lld %lld %lld %ld %d", &s->rx_msgs,
			   &rx_bytes, &first_len, &span_ns, &bad,
			   &s->rcvbuf) == 6)
			return 0;
	} else if (sscanf(line, "RESULT %ld %ld %*d %*d %*d %d", &s->rx_msgs,
			  &s->replies, &s->rcvbuf) == 3) {
		if (s->rx_msgs == side_msgs(s) ||
		    (o.test == X_RTT && s->rx_msgs > side_msgs(s)))
			return 0;
		snprintf(err, errlen, "%s%sserver received %ld of %ld messages",
			 who, sep, s->rx_msgs, side_msgs(s));
		return -1;
	}
	snprintf(err, errlen, "%s%sserver: %s", who, sep, line);
	return -1;
}

/* The median of the @n (> 0) values at @v, which it sorts. */
static double median_sort(double *v, long n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The @q quantile of the @n (> 0) sorted values at @v, interpolated. */
static double quantile(const double *v, long n, double q)
{
	double x = q * (n - 1);
	long i = (long)x;

	return i + 1 < n ? v[i] + (x - i) * (v[i + 1] - v[i]) : v[n - 1];
}

/*
 * Print the statistics of the @n times in @lat (seconds, summing to @sum)
 * into the result object being printed: median, p99, mean, min and max
 * in us, preceded with --samples by every time in run order.  Sorts
 * @lat; returns the median in seconds.
 */
static double json_latencies(double *lat, long n, double sum)
{
	double med;
	long i;

	if (o.samples) {
		printf(",\"samples_us\":[");
		for (i = 0; i < n; i++)
			printf("%s%.1f", i ? "," : "", lat[i] * 1e6);
		printf("]");
	}
	med = median_sort(lat, n);
	printf(",\"median_us\":%.2f,\"p99_us\":%.2f,\"mean_us\":%.2f,"
	       "\"min_us\":%.2f,\"max_us\":%.2f",
	       med * 1e6, lat[(n * 99 + 99) / 100 - 1] * 1e6, sum / n * 1e6,
	       lat[0] * 1e6, lat[n - 1] * 1e6);
	return med;
}

/* The operation and message counts of side @s (JSON fields). */
static void json_counts(const struct side *s)
{
	printf(",\"count\":%d,\"reply\":%d,\"iters\":%ld,\"warmup\":%ld,"
	       "\"ops_total\":%ld,\"msgs_total\":%ld",
	       o.test == X_SEND ? 1 : o.count, o.test == X_SEND ? 0 : o.reply,
	       o.iters, s->warm, s->warm + o.iters, side_msgs(s));
	if (o.test == X_SEND)
		printf(",\"rx_msgs\":%ld", s->rx_msgs);
	else
		printf(",\"replies_total\":%ld", s->replies);
	printf(",\"per\":\"%s\"", o.test == X_XFER ? "operation" : "message");
}

/* xfer, stream and send on one side. */
static int client_single(struct side *s)
{
	char err[512];

	fill(cbuf_out, o.size, 0);
	if (side_run(s, s->warm, 1, err, sizeof(err)) ||
	    side_run(s, o.iters, 0, err, sizeof(err)) ||
	    side_done(s, err, sizeof(err)))
		return report_status("error", 1, "%s", err);
	run_snap(o.snap_cmd, o.tag, "after", o.opt);
	json_head("ok");
	json_str("tag", o.tag ? o.tag : "-");
	json_str("opt", o.opt);
	json_counts(s);
	json_latencies(s->lat, o.iters, s->sum);
	printf("}\n");
	fflush(stdout);
	return 0;
}

/*
 * Side @s's object in a paired result ("a" or "b": its times and, for
 * rtt, its round trip figures).  Returns its median time in seconds.
 */
static double json_side(struct side *s)
{
	double med;

	printf(",\"%s\":{\"ctl_port\":%d,\"warmup\":%ld", s->name,
	       s->ctl_port, s->warm);
	if (o.test == X_RTT)
		printf(",\"transport\":\"%s\",\"served\":%ld,\"retries\":%ld,"
		       "\"warmup_retries\":%ld,\"timeout_ms\":%d",
		       tname[s->transport], s->rx_msgs, s->retries,
		       s->warm_retries,
		       s->transport == T_RDM ? 0 : o.timeout_ms);
	else
		printf(",\"rx_msgs\":%ld", s->rx_msgs);
	med = json_latencies(s->lat, o.iters, s->sum);
	/* Round trips per second of the side's own time: 1 / mean. */
	if (o.test == X_RTT)
		printf(",\"rt_per_s\":%.1f", s->sum > 0 ? o.iters / s->sum : 0.0);
	printf("}");
	return med;
}

/*
 * An instruction-count marker (--insn-marks) for the QEMU plugin
 * bench/insn/mlog-insn.c: "xchg %bx,%bx" then "nopl 0x4d4c0000+TAG(%rax)"
 * with a 32-bit displacement, spelt out as bytes so that the assembler
 * cannot choose another encoding.  Both are no-ops on any x86-64 CPU, so
 * the marker costs two instructions outside QEMU; under the plugin it
 * tells where a block of operations begins and ends.  The tag is part of
 * the instruction, hence one asm statement per tag.
 */
enum { MARK_NONE = 1, MARK_LOG, MARK_END, MARK_FLUSH };

#define MARK_ASM ".byte 0x66, 0x87, 0xdb, 0x0f, 0x1f, 0x80\n\t.long 0x4d4c0000 + "

static void insn_mark(int tag)
{
	if (!o.insn_marks)
		return;
#if defined(__x86_64__)
	switch (tag) {
	case MARK_NONE:
		asm volatile(MARK_ASM "1" : : : "memory");
		break;
	case MARK_LOG:
		asm volatile(MARK_ASM "2" : : : "memory");
		break;
	case MARK_END:
		asm volatile(MARK_ASM "3" : : : "memory");
		break;
	default:
		asm volatile(MARK_ASM "4" : : : "memory");
		break;
	}
#endif
}

/*
 * rtt, xfer, stream and send, paired: the warm-up of both sides, then
 * blocks of o.pair_block operations in the order A B B A A B B A ...
 * until each side has o.iters of them, so that both sides see the same
 * conditions of the machine and neither always goes first.  The counts at
 * the top level of the result are side B's (the logged one, whose host
 * the snapshots are about).
 *
 * The ratio of B to A: every two blocks in a row, (A B), (B A), (A B)
 * ..., are a pair measured back to back; a pair's ratio is the median
 * time of its B block over that of its A block, and "ratio_pairs" is the
 * median over the pairs (see the top of the file for why).
 */
static int client_paired(struct side *a, struct side *b)
{
	long j, k, np = 0, maxp = o.iters / o.pair_block + 2;
	double ma, mb, med[2] = { 0, 0 }, *blk, *ratio;
	char err[512];
	int ret = 0, flushed = 0;

	blk = calloc(o.pair_block, sizeof(*blk));
	ratio = calloc(maxp, sizeof(*ratio));
	if (!blk || !ratio) {
		ret = report_status("error", 1, "out of memory");
		goto out;
	}
	fill(cbuf_out, o.size, 0);
	if (side_run(a, a->warm, 1, err, sizeof(err)) ||
	    side_run(b, b->warm, 1, err, sizeof(err))) {
		ret = report_status("error", 1, "%s", err);
		goto out;
	}
	/*
	 * Both sides have run as many operations at the start of every pair,
	 * so no block is empty and every pair has an A and a B block.
	 */
	for (j = 0; a->n < o.iters || b->n < o.iters; j++) {
		struct side *s = (j + 1) / 2 % 2 ? b : a;

		k = o.iters - s->n < o.pair_block ? o.iters - s->n : o.pair_block;
		insn_mark(s == b ? MARK_LOG : MARK_NONE);
		if (side_run(s, k, 0, err, sizeof(err))) {
			ret = report_status("error", 1, "%s", err);
			goto out;
		}
		insn_mark(MARK_END);
		memcpy(blk, s->lat + s->n - k, k * sizeof(*blk));
		med[s == b] = median_sort(blk, k);
		if (j % 2 && med[0] > 0 && np < maxp)
			ratio[np++] = med[1] / med[0];
	}
	insn_mark(MARK_FLUSH);
	flushed = 1;
	if (side_done(a, err, sizeof(err)) || side_done(b, err, sizeof(err))) {
		ret = report_status("error", 1, "%s", err);
		goto out;
	}
	run_snap(o.snap_cmd, o.tag, "after", o.opt);
	json_head("ok");
	json_str("tag", o.tag ? o.tag : "-");
	json_str("opt", o.opt);
	printf(",\"paired\":true,\"block\":%ld,\"blocks\":%ld", o.pair_block, j);
	if (o.test == X_RTT)
		printf(",\"iters\":%ld", o.iters);
	else
		json_counts(b);
	ma = json_side(a);
	mb = json_side(b);
	printf(",\"ratio_median\":%.4f", ma > 0 ? mb / ma : 0.0);
	if (o.insn_marks)
		printf(",\"insn_ops\":{\"a\":%ld,\"b\":%ld}", a->n, b->n);
	if (np) {
		qsort(ratio, np, sizeof(*ratio), cmp_double);
		printf(",\"ratio_pairs\":%.4f,\"ratio_pairs_q\":[%.4f,%.4f]",
		       quantile(ratio, np, 0.5), quantile(ratio, np, 0.25),
		       quantile(ratio, np, 0.75));
	}
	printf(",\"pairs\":%ld}\n", np);
	fflush(stdout);
out:
	/* A failed run flushes too: its blocks must not go to the next. */
	if (!flushed)
		insn_mark(MARK_FLUSH);
	free(blk);
	free(ratio);
	return ret;
}

/* An abstract AF_UNIX address (no file: "@name" in ss -x). */
static socklen_t unix_addr(const char *name, struct sockaddr_un *sun)
{
	size_t l = strlen(name);

	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path + 1, name, l);
	return offsetof(struct sockaddr_un, sun_path) + 1 + l;
}

/*
 * Side B's data socket: connect to "mlog-bench fdsource" on the abstract
 * AF_UNIX socket @name (retrying while it starts, up to
 * o.connect_timeout s) and receive the socket it passes.  Returns the fd
 * and leaves the connection open in *@conn (fdsource exits once it
 * closes), or -1 with @err set, and *@na set when fdsource found no such
 * transport.
 */
static int recv_pair_fd(const char *name, int *conn, int *na, char *err,
			size_t errlen)
{
	char msg[300], cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = msg, .iov_len = sizeof(msg) - 1 };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	double deadline = now() + o.connect_timeout;
	struct sockaddr_un sun;
	socklen_t len = unix_addr(name, &sun);
	struct pollfd p = { .events = POLLIN };
	struct cmsghdr *cm;
	int fd, dfd = -1;
	ssize_t n;

	*na = 0;
	for (;;) {
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			snprintf(err, errlen, "socket(AF_UNIX): %s", strerror(errno));
			return -1;
		}
		if (!connect(fd, (struct sockaddr *)&sun, len))
			break;
		snprintf(err, errlen, "fdsource '@%s': connect: %s", name,
			 strerror(errno));
		close(fd);
		if (now() > deadline)
			return -1;
		/* fdsource may still be starting: poll for it. */
		usleep(20000);
	}
	p.fd = fd;
	if (poll(&p, 1, 30000) <= 0) {
		snprintf(err, errlen, "fdsource '@%s' passed nothing within 30 s",
			 name);
		close(fd);
		return -1;
	}
	n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
	msg[n > 0 ? n : 0] = 0;
	for (cm = CMSG_FIRSTHDR(&mh); n > 0 && cm; cm = CMSG_NXTHDR(&mh, cm))
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
			memcpy(&dfd, CMSG_DATA(cm), sizeof(dfd));
	if (dfd >= 0 && !strcmp(msg, "OK")) {
		*conn = fd;
		return dfd;
	}
	if (dfd >= 0)
		close(dfd);
	close(fd);
	*na = !strncmp(msg, "NA ", 3);
	if (*na || !strncmp(msg, "ERR ", 4))
		snprintf(err, errlen, "fdsource: %s", msg + (*na ? 3 : 4));
	else
		snprintf(err, errlen, "fdsource '@%s' passed no socket%s%s", name,
			 n < 0 ? ": " : "", n < 0 ? strerror(errno) : "");
	return -1;
}

/* Is @fd a socket of transport o.transport?  Its family in *@af. */
static int check_pair_fd(int fd, int *af, char *err, size_t errlen)
{
	int type = -1, want = o.transport == T_RDM ? SOCK_RDM : SOCK_DGRAM;
	socklen_t len = sizeof(*af);

	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, af, &len)) {
		snprintf(err, errlen, "passed socket: SO_DOMAIN: %s", strerror(errno));
		return -1;
	}
	len = sizeof(type);
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) || type != want ||
	    *af != mlog_family()) {
		snprintf(err, errlen,
			 "passed socket is not an AF_MLOG %s socket (family %d, type %d)",
			 tname[o.transport], *af, type);
		return -1;
	}
	return 0;
}

static int do_client(int argc, char **argv, int quit)
{
	struct side a = { .fd = -1, .tag = "-", .opt = "-" };
	struct side b = { .fd = -1, .name = "b" };
	const char *test = NULL;
	int i, af = 0, bf = 0, na, ret, conn = -1, paired;
	char err[512];

	o.ctl_port = DEF_CTL_PORT;
	o.transport = T_UDP;
	o.size = -1;
	o.iters = 2000;
	o.seconds = 5;
	o.timeout_ms = 200;
	o.connect_timeout = 60;
	o.count = 1;
	o.warmup = -1;
	o.opt = "-";
	o.pair_transport = -1;
	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--samples")) {
			o.samples = 1;
			continue;
		}
		if (!strcmp(argv[i], "--insn-marks")) {
			o.insn_marks = 1;
			continue;
		}
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			usage(stdout, 0);
		if (i + 1 >= argc)
			usage(stderr, 2);
		if (!strcmp(argv[i], "--server"))
			o.server = argv[++i];
		else if (!strcmp(argv[i], "--ctl-port"))
			o.ctl_port = num(argv[++i], 1, 65535);
		else if (!strcmp(argv[i], "--transport"))
			o.transport = parse_transport(argv[++i]);
		else if (!strcmp(argv[i], "--test"))
			test = argv[++i];
		else if (!strcmp(argv[i], "--size"))
			o.size = num(argv[++i], 0, MAX_MSG);
		else if (!strcmp(argv[i], "--iters"))
			o.iters = num(argv[++i], 1, 100000000);
		else if (!strcmp(argv[i], "--seconds"))
			o.seconds = num(argv[++i], 1, 3600);
		else if (!strcmp(argv[i], "--rep"))
			o.rep = num(argv[++i], 0, 1000000);
		else if (!strcmp(argv[i], "--timeout-ms"))
			o.timeout_ms = num(argv[++i], 1, 600000);
		else if (!strcmp(argv[i], "--connect-timeout"))
			o.connect_timeout = num(argv[++i], 1, 3600);
		else if (!strcmp(argv[i], "--count"))
			o.count = num(argv[++i], 1, 1000000);
		else if (!strcmp(argv[i], "--reply"))
			o.reply = num(argv[++i], 0, MAX_MSG);
		else if (!strcmp(argv[i], "--warmup"))
			o.warmup = num(argv[++i], 0, 1000000);
		else if (!strcmp(argv[i], "--snap-cmd"))
			o.snap_cmd = argv[++i];
		else if (!strcmp(argv[i], "--tag"))
			o.tag = argv[++i];
		else if (!strcmp(argv[i], "--opt"))
			o.opt = argv[++i];
		else if (!strcmp(argv[i], "--pair-ctl-port"))
			o.pair_ctl_port = num(argv[++i], 1, 65535);
		else if (!strcmp(argv[i], "--pair-socket"))
			o.pair_socket = argv[++i];
		else if (!strcmp(argv[i], "--pair-transport"))
			o.pair_transport = parse_transport(argv[++i]);
		else if (!strcmp(argv[i], "--pair-block"))
			o.pair_block = num(argv[++i], 1, 1000000);
		else
			usage(stderr, 2);
	}
	if (!o.server)
		usage(stderr, 2);
	paired = o.pair_socket || o.pair_ctl_port || o.pair_block ||
		 o.pair_transport >= 0;
	if (quit) {
		struct ctl c;
		char line[256];

		if (paired)
			usage_error("quit takes no --pair-* option");
		if (ctl_connect(&c, o.server, o.ctl_port, o.connect_timeout, err,
				sizeof(err))) {
			fprintf(stderr, "mlog-bench quit: %s\n", err);
			return 3;
		}
		if (ctl_printf(&c, "QUIT\n") ||
		    ctl_getline(&c, line, sizeof(line), 10)) {
			fprintf(stderr, "mlog-bench quit: %s\n", strerror(errno));
			return 1;
		}
		return 0;
	}
	o.test = test ? parse_test(test) : -1;
	if (o.test < 0 || o.size < 0)
		usage(stderr, 2);
	if (strcmp(o.opt, "on") && strcmp(o.opt, "off") && strcmp(o.opt, "-"))
		usage(stderr, 2);
	if (o.tag && (!*o.tag || strlen(o.tag) > 63 || strpbrk(o.tag, " \t\n'\"\\;$`&|<>")))
		usage(stderr, 2);
	if (o.insn_marks && !paired)
		usage_error("--insn-marks is for a paired client");
	if (paired) {
		if (o.test == X_BULK)
			usage_error("pairing is for --test rtt, xfer, stream and send, not %s",
				    xname[o.test]);
		if (o.pair_socket && o.pair_transport >= 0)
			usage_error("--pair-socket or --pair-transport, not both");
		if (o.test == X_RTT &&
		    (o.pair_transport < 0 || !o.pair_ctl_port))
			usage_error("paired rtt needs --pair-transport and --pair-ctl-port%s",
				    " (--pair-block needs both)");
		if (o.test != X_RTT && (!o.pair_socket || !o.pair_ctl_port))
			usage_error("--pair-socket and --pair-ctl-port go together%s",
				    " (--pair-block needs both; --pair-transport is for rtt)");
		if (o.pair_socket && o.transport == T_UDP)
			usage_error("pairing needs --transport rdm or dgram%s",
				    " (side B is an AF_MLOG socket)");
		if (o.pair_ctl_port == o.ctl_port)
			usage_error("--pair-ctl-port must differ from --ctl-port%s",
				    " (a server runs one test at a time)");
		if (o.pair_socket &&
		    (!*o.pair_socket ||
		     strlen(o.pair_socket) > sizeof(((struct sockaddr_un *)0)->sun_path) - 2))
			usage_error("bad --pair-socket name '%s'", o.pair_socket);
		if (!o.pair_block)
			o.pair_block = 10;
		a.name = "a";
		b.ctl_port = o.pair_ctl_port;
		b.tag = o.tag ? o.tag : "-";
		b.opt = o.opt;
	} else {
		a.tag = o.tag ? o.tag : "-";
		a.opt = o.opt;
	}
	a.ctl_port = o.ctl_port;
	a.transport = o.transport;
	b.transport = o.pair_transport >= 0 ? o.pair_transport : o.transport;
	if ((o.test == X_XFER || o.test == X_STREAM) && o.transport != T_RDM)
		return report_status("error", 1, "%s needs --transport rdm",
				     xname[o.test]);
	if (o.test == X_SEND && o.transport == T_RDM)
		return report_status("error", 1, "send needs --transport udp or dgram");
	if ((o.test == X_BULK || o.test == X_SEND) && o.size < 16) {
		fprintf(stderr, "mlog-bench: %s needs --size >= 16\n",
			xname[o.test]);
		return 2;
	}
	if ((a.transport == T_UDP || (paired && b.transport == T_UDP)) &&
	    o.size > 65507)
		return report_status("error", 1,
				     "UDP datagrams carry at most 65507 bytes");

	/*
	 * Side B's socket first: a missing fdsource, or transport, fails
	 * before anything.
	 */
	if (paired && o.pair_transport >= 0) {
		b.fd = data_socket(b.transport, &bf, err, sizeof(err), &na);
		if (b.fd < 0)
			return report_status(na ? "n/a" : "error", na ? 0 : 1,
					     "%s", err);
		if (set_rcvbuf(b.fd, 4 << 20) < 0)
			fprintf(stderr, "mlog-bench: SO_RCVBUF: %s\n",
				strerror(errno));
		set_sndtimeo(b.fd, SEND_STALL_S);
	} else if (paired) {
		b.fd = recv_pair_fd(o.pair_socket, &conn, &na, err, sizeof(err));
		if (b.fd < 0)
			return report_status(na ? "n/a" : "error", na ? 0 : 1,
					     "%s", err);
		if (check_pair_fd(b.fd, &bf, err, sizeof(err)))
			return report_status("error", 1, "%s", err);
	}
	/* A transport this kernel lacks is "n/a", not a failure. */
	a.fd = data_socket(o.transport, &af, err, sizeof(err), &na);
	if (a.fd < 0)
		return report_status(na ? "n/a" : "error", na ? 0 : 1, "%s", err);
	if (set_rcvbuf(a.fd, 4 << 20) < 0)
		fprintf(stderr, "mlog-bench: SO_RCVBUF: %s\n", strerror(errno));
	set_sndtimeo(a.fd, SEND_STALL_S);

	o.quiesce_ms = quiesce(30, &o.frag_left);
	run_snap(o.snap_cmd, o.tag, "before", o.opt);
	ret = side_open(&a, af, test, &na, err, sizeof(err));
	if (!ret && !na && paired)
		ret = side_open(&b, bf, test, &na, err, sizeof(err));
	if (ret == 3)
		return report_status("error", 3, "control: %s", err);
	if (ret || na)
		return report_status(ret ? "error" : "n/a", ret, "%s", err);
	o.srv_quiesce_ms = a.srv_quiesce_ms > b.srv_quiesce_ms ?
			   a.srv_quiesce_ms : b.srv_quiesce_ms;
	o.srv_frag_left = a.srv_frag_left > b.srv_frag_left ?
			  a.srv_frag_left : b.srv_frag_left;

	if (o.test == X_BULK)
		ret = client_bulk(&a.c, a.fd, &a.to, a.tolen);
	else if (paired)
		ret = client_paired(&a, &b);
	else if (o.test == X_RTT)
		ret = client_rtt(&a.c, a.fd, &a.to, a.tolen);
	else
		ret = client_single(&a);
	close(a.fd);
	close(a.c.fd);
	if (paired) {
		close(b.fd);
		close(b.c.fd);
		close(conn);
	}
	free(a.lat);
	free(b.lat);
	return ret;
}

/*
 * fdsource: create a data socket as the client does, pass it to the one
 * client that connects to the abstract AF_UNIX stream socket @name, and
 * stay until that connection is closed.  Under "mlog-host-run --index N"
 * the socket belongs to protected host N (a socket's host is the one of
 * the task that created it), whichever process uses it afterwards.
 */
static int do_fdsource(int argc, char **argv)
{
	char why[256], msg[300], cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = msg };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	const char *name = NULL;
	int t = -1, timeout = 120, i, r, fd, lfd, cfd, af, na;
	struct pollfd p = { .events = POLLIN };
	struct sockaddr_un sun;
	struct cmsghdr *cm;
	socklen_t len;

	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			usage(stdout, 0);
		if (i + 1 >= argc)
			usage(stderr, 2);
		if (!strcmp(argv[i], "--unix"))
			name = argv[++i];
		else if (!strcmp(argv[i], "--transport"))
			t = parse_transport(argv[++i]);
		else if (!strcmp(argv[i], "--timeout"))
			timeout = num(argv[++i], 1, 86400);
		else
			usage(stderr, 2);
	}
	if (!name || t < 0)
		usage_error("fdsource needs --unix NAME and --transport rdm|dgram");
	if (t == T_UDP)
		usage_error("fdsource passes AF_MLOG sockets: --transport rdm or dgram");
	if (!*name || strlen(name) > sizeof(sun.sun_path) - 2)
		usage_error("bad --unix name '%s'", name);

	fd = data_socket(t, &af, why, sizeof(why), &na);
	if (fd >= 0) {
		if (set_rcvbuf(fd, 4 << 20) < 0)
			fprintf(stderr, "mlog-bench fdsource: SO_RCVBUF: %s\n",
				strerror(errno));
		set_sndtimeo(fd, SEND_STALL_S);
		snprintf(msg, sizeof(msg), "OK");
	} else {
		/* Still answer the client: it reports n/a or the error. */
		fprintf(stderr, "mlog-bench fdsource: %s\n", why);
		snprintf(msg, sizeof(msg), "%s %s", na ? "NA" : "ERR", why);
	}
	len = unix_addr(name, &sun);
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sun, len) || listen(lfd, 1)) {
		fprintf(stderr, "mlog-bench fdsource: '@%s': %s\n", name,
			strerror(errno));
		return 1;
	}
	p.fd = lfd;
	do
		r = poll(&p, 1, timeout * 1000);
	while (r < 0 && errno == EINTR);
	if (r <= 0) {
		fprintf(stderr, "mlog-bench fdsource: no client on '@%s' within %d s\n",
			name, timeout);
		return 1;
	}
	cfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	close(lfd);
	if (cfd < 0) {
		perror("mlog-bench fdsource: accept");
		return 1;
	}
	iov.iov_len = strlen(msg);
	if (fd >= 0) {
		memset(cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(fd));
	}
	if (sendmsg(cfd, &mh, MSG_NOSIGNAL) < 0) {
		perror("mlog-bench fdsource: sendmsg");
		return 1;
	}
	if (fd < 0)
		return na ? 0 : 1;
	close(fd);
	/* Until the client is done: EOF (or an error) on the connection. */
	while ((r = read(cfd, msg, sizeof(msg))) > 0 || (r < 0 && errno == EINTR))
		;
	return 0;
}

int main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	if (argc < 2)
		usage(stderr, 2);
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))
		usage(stdout, 0);
	if (!strcmp(argv[1], "server"))
		return do_server(argc, argv);
	if (!strcmp(argv[1], "client"))
		return do_client(argc, argv, 0);
	if (!strcmp(argv[1], "quit"))
		return do_client(argc, argv, 1);
	if (!strcmp(argv[1], "fdsource"))
		return do_fdsource(argc, argv);
	usage(stderr, 2);
	return 2;
}
