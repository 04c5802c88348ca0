// SPDX-License-Identifier: GPL-2.0
/*
 * mlog-dgram: exchange AF_MLOG datagrams from the shell, for selftests and
 * the demo.
 *
 *   mlog-dgram echo --port P [--timeout S] [--clients K] [--ack-quit]
 *	answer every datagram with the same bytes, until "QUIT" has come from
 *	K distinct senders (default 1), or fail once S seconds (default 60)
 *	pass without traffic.  "QUIT" is answered only with --ack-quit
 *   mlog-dgram ping --to A.B.C.D:P [--count N] [--size B] [--timeout S]
 *	    [--quit-tries Q]
 *	send N numbered requests, each retried until its echo arrives (the
 *	datagram service may lose frames); exit 0 when all N came back
 *	intact within S seconds (default 60).  Then tell the server to quit:
 *	send "QUIT" three times and go; with --quit-tries, send it until the
 *	server (--ack-quit) echoes it, at most Q times (0: never), 300 ms
 *	apart.  An unanswered QUIT is not an error
 *   mlog-dgram open [--type dgram|rdm]
 *	only create an AF_MLOG socket of that type (default dgram) and print
 *	"ok", or the name of the error the kernel refused it with (as in
 *	"ESOCKTNOSUPPORT"); exit 0 if it was created, 1 if not
 *
 * echo and ping also take
 *   --done FILE	once the work is done, create FILE
 *   --linger DIR:N	then keep the socket open, still answering (echo) or
 *			reading (ping) datagrams, until DIR holds N files, at
 *			most S seconds more: a protected host's RSNs and their
 *			acknowledgments travel only while its socket is open
 * and end with one line of counts: echo "echo: served R requests, D
 * datagrams received, QUIT from K senders", ping "ping: N/N echoed intact,
 * R retries, QUIT sent 3 times|echoed|not echoed|not sent; sent S,
 * received D" (every datagram counted, QUITs and retries included).  A
 * send waits at most S seconds (SO_SNDTIMEO; the send rule of a protected
 * host may hold it).
 */
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "mlog_util.h"

#define MAX_CLIENTS	64
#define QUIT_WAIT_MS	300

static const char *linger_dir;
static long linger_count;
static const char *done_file;

static void usage(void)
{
	fprintf(stderr,
		"Usage: mlog-dgram echo --port P [--timeout S] [--clients K] [--ack-quit]\n"
		"       mlog-dgram ping --to A.B.C.D:P [--count N] [--size B] [--timeout S]\n"
		"                  [--quit-tries Q]\n"
		"       mlog-dgram open [--type dgram|rdm]\n"
		"   echo and ping also take --done FILE: once done, create FILE, and\n"
		"   --linger DIR:N: then keep the socket open (still answering or\n"
		"   reading) until DIR holds N files, at most S seconds more\n");
	exit(2);
}

/* Files in @dir, not counting . and .. (-1 if it cannot be read). */
static long count_files(const char *dir)
{
	struct dirent *d;
	long n = 0;
	DIR *p = opendir(dir);

	if (!p)
		return -1;
	while ((d = readdir(p)))
		if (strcmp(d->d_name, ".") && strcmp(d->d_name, ".."))
			n++;
	closedir(p);
	return n;
}

/* The work is done: say so in the --done file.  0, or 1 on error. */
static int say_done(void)
{
	FILE *f;

	fflush(stdout);
	if (!done_file)
		return 0;
	f = fopen(done_file, "w");
	if (!f) {
		perror(done_file);
		return 1;
	}
	fclose(f);
	return 0;
}

/*
 * Lingering after the work: 1 while --linger DIR:N asks to stay, 0 once
 * DIR holds N files (or without --linger), -1 after @deadline.
 */
static int linger_more(double deadline, const char *who)
{
	if (!linger_dir || count_files(linger_dir) >= linger_count)
		return 0;
	if (mlog_now() > deadline) {
		fprintf(stderr, "mlog-dgram: %s: %s still holds fewer than %ld files\n",
			who, linger_dir, linger_count);
		return -1;
	}
	return 1;
}

static int same_sender(const struct sockaddr_mlog *a,
		       const struct sockaddr_mlog *b)
{
	return a->smlog_port == b->smlog_port &&
	       !memcmp(a->smlog_node, b->smlog_node, sizeof(a->smlog_node));
}

static int do_echo(int fd, double timeout, long clients, int ack_quit)
{
	static char buf[MLOG_MAX_PAYLOAD];
	struct sockaddr_mlog from, quit[MAX_CLIENTS];
	long served = 0, received = 0, nquit = 0, i;
	double linger_end = 0;
	int done = 0, rc = 0, more, is_quit;

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		socklen_t len = sizeof(from);
		ssize_t n;
		int r;

		if (done) {
			more = linger_more(linger_end, "echo");
			if (more <= 0) {
				rc = more < 0;
				break;
			}
		}
		r = poll(&p, 1, done ? 100 : (int)(timeout * 1000));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			perror("mlog-dgram: echo: poll");
			return 1;
		}
		if (r == 0) {
			if (done)
				continue;
			fprintf(stderr,
				"mlog-dgram: echo: idle for %.0f s, giving up after %ld requests, QUIT from %ld of %ld senders\n",
				timeout, served, nquit, clients);
			return 1;
		}
		n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len);
		if (n < 0) {
			perror("mlog-dgram: recvfrom");
			return 1;
		}
		received++;
		is_quit = n == 4 && !memcmp(buf, "QUIT", 4);
		if ((!is_quit || ack_quit) &&
		    sendto(fd, buf, n, 0, (struct sockaddr *)&from, len) != n) {
			perror("mlog-dgram: echo: sendto");
			return 1;
		}
		if (!is_quit) {
			served++;
			continue;
		}
		for (i = 0; i < nquit && !same_sender(&quit[i], &from); i++)
			;
		if (i == nquit && nquit < MAX_CLIENTS)
			quit[nquit++] = from;
		if (!done && nquit >= clients) {
			done = 1;
			if (say_done())
				return 1;
			linger_end = mlog_now() + timeout;
		}
	}
	printf("echo: served %ld requests, %ld datagrams received, QUIT from %ld senders\n",
	       served, received, nquit);
	return rc;
}

static void fill(char *buf, size_t size, long seq)
{
	size_t i;

	memset(buf, 0, size);
	snprintf(buf, size, "%ld", seq);
	for (i = 24; i < size; i++)
		buf[i] = (char)(seq * 31 + i);
}

static long sent, received;

static int send_to(int fd, const void *buf, size_t size,
		   const struct sockaddr_mlog *to)
{
	if (sendto(fd, buf, size, 0, (const struct sockaddr *)to,
		   sizeof(*to)) != (ssize_t)size) {
		perror("mlog-dgram: ping: sendto");
		return 1;
	}
	sent++;
	return 0;
}

/* Send "QUIT" until its echo comes back, at most @tries times: 1 if it did. */
static int quit(int fd, const struct sockaddr_mlog *to, long tries)
{
	static char in[MLOG_MAX_PAYLOAD];
	long t;

	for (t = 0; t < tries; t++) {
		double end = mlog_now() + QUIT_WAIT_MS / 1000.0;
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;
		int ms;

		if (send_to(fd, "QUIT", 4, to))
			return 0;
		/* skip late echoes of requests */
		while ((ms = (int)((end - mlog_now()) * 1000)) > 0 &&
		       poll(&p, 1, ms) > 0) {
			n = recv(fd, in, sizeof(in), 0);
			if (n < 0)
				break;
			received++;
			if (n == 4 && !memcmp(in, "QUIT", 4))
				return 1;
		}
	}
	return 0;
}

static int do_ping(int fd, const struct sockaddr_mlog *to, long count,
		   size_t size, double timeout, long quit_tries)
{
	static char out[MLOG_MAX_PAYLOAD], in[MLOG_MAX_PAYLOAD];
	double deadline = mlog_now() + timeout;
	long seq, retries = 0;
	const char *quit_state = "not sent";
	int more;

	for (seq = 1; seq <= count; seq++) {
		fill(out, size, seq);
		for (;;) {
			struct pollfd p = { .fd = fd, .events = POLLIN };
			ssize_t n;

			if (mlog_now() > deadline) {
				fprintf(stderr,
					"mlog-dgram: ping: timed out at request %ld of %ld\n",
					seq, count);
				return 1;
			}
			if (send_to(fd, out, size, to))
				return 1;
			if (poll(&p, 1, 300) == 0) {
				retries++;
				continue;
			}
			n = recv(fd, in, sizeof(in), 0);
			if (n >= 0)
				received++;
			/* A late echo of an earlier request: wait for ours. */
			while (n == (ssize_t)size && memcmp(in, out, size)) {
				if (poll(&p, 1, 300) == 0)
					break;
				n = recv(fd, in, sizeof(in), 0);
				if (n >= 0)
					received++;
			}
			if (n == (ssize_t)size && !memcmp(in, out, size))
				break;
			retries++;
		}
	}
	if (quit_tries < 0) {
		/* unacknowledged: the server may be gone after the first */
		for (seq = 0; seq < 3; seq++)
			if (sendto(fd, "QUIT", 4, 0, (const struct sockaddr *)to,
				   sizeof(*to)) == 4)
				sent++;
		quit_state = "sent 3 times";
	} else if (quit_tries) {
		quit_state = quit(fd, to, quit_tries) ? "echoed" : "not echoed";
	}
	if (say_done())
		return 1;
	/* keep reading: late echoes still arrive */
	deadline = mlog_now() + timeout;
	while ((more = linger_more(deadline, "ping")) > 0) {
		while (recv(fd, in, sizeof(in), MSG_DONTWAIT) >= 0)
			received++;
		usleep(100000);
	}
	printf("ping: %ld/%ld echoed intact, %ld retries, QUIT %s; sent %ld, received %ld\n",
	       count, count, retries, quit_state, sent, received);
	return more < 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_mlog to = { 0 }, me;
	long count = 100, size = 64, port = -1, clients = 1, quit_tries = -1;
	double timeout = 60;
	int fd, i, af = mlog_af(), type = SOCK_DGRAM, ack_quit = 0;
	struct timeval tv;
	char *colon;

	if (argc < 2)
		usage();
	if (af < 0) {
		fprintf(stderr, "mlog-dgram: mlog module not loaded (%s)\n",
			MLOG_SYSFS_FAMILY);
		return 1;
	}
	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--ack-quit")) {
			ack_quit = 1;
			continue;
		}
		if (i + 1 >= argc)
			usage();
		if (!strcmp(argv[i], "--port")) {
			port = mlog_num(argv[++i], 1, 65535);
		} else if (!strcmp(argv[i], "--count")) {
			count = mlog_num(argv[++i], 1, 100000000);
		} else if (!strcmp(argv[i], "--size")) {
			size = mlog_num(argv[++i], 24, MLOG_MAX_PAYLOAD);
		} else if (!strcmp(argv[i], "--timeout")) {
			timeout = mlog_num(argv[++i], 1, 86400);
		} else if (!strcmp(argv[i], "--clients")) {
			clients = mlog_num(argv[++i], 1, MAX_CLIENTS);
		} else if (!strcmp(argv[i], "--quit-tries")) {
			quit_tries = mlog_num(argv[++i], 0, 1000);
		} else if (!strcmp(argv[i], "--done")) {
			done_file = argv[++i];
		} else if (!strcmp(argv[i], "--linger")) {
			colon = strrchr(argv[++i], ':');
			if (!colon)
				usage();
			*colon = 0;
			linger_dir = argv[i];
			linger_count = mlog_num(colon + 1, 1, 1000);
		} else if (!strcmp(argv[i], "--type")) {
			i++;
			if (!strcmp(argv[i], "dgram"))
				type = SOCK_DGRAM;
			else if (!strcmp(argv[i], "rdm"))
				type = SOCK_RDM;
			else
				usage();
		} else if (!strcmp(argv[i], "--to")) {
			colon = strrchr(argv[++i], ':');
			if (!colon)
				usage();
			*colon = 0;
			to = mlog_addr(argv[i], mlog_num(colon + 1, 1, 65535));
			if (!to.smlog_node[12] && !to.smlog_node[15])
				usage();
		} else {
			usage();
		}
	}

	if (!strcmp(argv[1], "open")) {
		/* e.g. refused by a kernel that cannot log datagrams */
		fd = socket(af, type, 0);
		if (fd < 0) {
			const char *name = strerrorname_np(errno);

			printf("%s\n", name ? name : "unknown error");
			return 1;
		}
		printf("ok\n");
		close(fd);
		return 0;
	}
	fd = socket(af, SOCK_DGRAM, 0);
	if (fd < 0) {
		perror("mlog-dgram: socket");
		return 1;
	}
	/* the send rule may hold a protected host's send: not forever */
	tv.tv_sec = (time_t)timeout;
	tv.tv_usec = 0;
	if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv))) {
		perror("mlog-dgram: SO_SNDTIMEO");
		return 1;
	}
	if (!strcmp(argv[1], "echo")) {
		if (port < 0)
			usage();
		me = mlog_addr(NULL, port);
		if (bind(fd, (struct sockaddr *)&me, sizeof(me))) {
			perror("mlog-dgram: bind");
			return 1;
		}
		return do_echo(fd, timeout, clients, ack_quit);
	}
	if (!strcmp(argv[1], "ping")) {
		if (!to.smlog_port)
			usage();
		return do_ping(fd, &to, count, size, timeout, quit_tries);
	}
	usage();
	return 2;
}
