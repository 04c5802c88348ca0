// SPDX-License-Identifier: GPL-2.0
/*
 * mlog-dgram: exchange AF_MLOG datagrams from the shell, for selftests and
 * the demo.
 *
 *   mlog-dgram echo --port P [--timeout S]
 *	answer every datagram with the same bytes, until "QUIT" arrives or
 *	S seconds (default 60) pass without traffic
 *   mlog-dgram ping --to A.B.C.D:P [--count N] [--size B] [--timeout S]
 *	send N numbered requests, each retried until its echo arrives (the
 *	datagram service may lose frames); exit 0 when all N came back
 *	intact within S seconds (default 60), then tell the server to quit
 *   mlog-dgram open [--type dgram|rdm]
 *	only create an AF_MLOG socket of that type (default dgram) and print
 *	"ok", or the name of the error the kernel refused it with (as in
 *	"ESOCKTNOSUPPORT"); exit 0 if it was created, 1 if not
 */
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

static void usage(void)
{
	fprintf(stderr,
		"Usage: mlog-dgram echo --port P [--timeout S]\n"
		"       mlog-dgram ping --to A.B.C.D:P [--count N] [--size B] [--timeout S]\n"
		"       mlog-dgram open [--type dgram|rdm]\n");
	exit(2);
}

static int do_echo(int fd, double timeout)
{
	static char buf[MLOG_MAX_PAYLOAD];
	struct sockaddr_mlog from;
	long served = 0;

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		socklen_t len = sizeof(from);
		ssize_t n;

		if (poll(&p, 1, (int)(timeout * 1000)) == 0) {
			fprintf(stderr,
				"mlog-dgram: echo: idle for %.0f s, giving up after %ld\n",
				timeout, served);
			return 1;
		}
		n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len);
		if (n < 0) {
			perror("mlog-dgram: recvfrom");
			return 1;
		}
		if (n == 4 && !memcmp(buf, "QUIT", 4)) {
			printf("echo: served %ld requests\n", served);
			return 0;
		}
		if (sendto(fd, buf, n, 0, (struct sockaddr *)&from, len) != n) {
			perror("mlog-dgram: sendto");
			return 1;
		}
		served++;
	}
}

static void fill(char *buf, size_t size, long seq)
{
	size_t i;

	memset(buf, 0, size);
	snprintf(buf, size, "%ld", seq);
	for (i = 24; i < size; i++)
		buf[i] = (char)(seq * 31 + i);
}

static int do_ping(int fd, const struct sockaddr_mlog *to, long count,
		   size_t size, double timeout)
{
	static char out[MLOG_MAX_PAYLOAD], in[MLOG_MAX_PAYLOAD];
	double deadline = mlog_now() + timeout;
	long seq, retries = 0;
	int i;

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
			if (sendto(fd, out, size, 0, (const struct sockaddr *)to,
				   sizeof(*to)) != (ssize_t)size) {
				perror("mlog-dgram: sendto");
				return 1;
			}
			if (poll(&p, 1, 300) == 0) {
				retries++;
				continue;
			}
			n = recv(fd, in, sizeof(in), 0);
			/* A late echo of an earlier request: wait for ours. */
			while (n == (ssize_t)size && memcmp(in, out, size)) {
				if (poll(&p, 1, 300) == 0)
					break;
				n = recv(fd, in, sizeof(in), 0);
			}
			if (n == (ssize_t)size && !memcmp(in, out, size))
				break;
			retries++;
		}
	}
	for (i = 0; i < 3; i++)
		sendto(fd, "QUIT", 4, 0, (const struct sockaddr *)to, sizeof(*to));
	printf("ping: %ld/%ld echoed intact, %ld retries\n", count, count, retries);
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_mlog to = { 0 }, me;
	long count = 100, size = 64, port = -1;
	double timeout = 60;
	int fd, i, af = mlog_af(), type = SOCK_DGRAM;
	char *colon;

	if (argc < 2)
		usage();
	if (af < 0) {
		fprintf(stderr, "mlog-dgram: mlog module not loaded (%s)\n",
			MLOG_SYSFS_FAMILY);
		return 1;
	}
	for (i = 2; i < argc; i++) {
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
		/* e.g. refused in a protected host: datagrams are not logged */
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
	if (!strcmp(argv[1], "echo")) {
		if (port < 0)
			usage();
		me = mlog_addr(NULL, port);
		if (bind(fd, (struct sockaddr *)&me, sizeof(me))) {
			perror("mlog-dgram: bind");
			return 1;
		}
		return do_echo(fd, timeout);
	}
	if (!strcmp(argv[1], "ping")) {
		if (!to.smlog_port)
			usage();
		return do_ping(fd, &to, count, size, timeout);
	}
	usage();
	return 2;
}
