// SPDX-License-Identifier: GPL-2.0
/*
 * mlog-dgram-hold: show the send rule holding a datagram.
 *
 *   mlog-dgram-hold --port P --sink A.B.C.D:Q [--timeout S]
 *
 * Run as a protected host (mlog-host-run), with a long RSN delay
 * ("mlogctl log set --rsn-delay-us 1000000") so that RSNs wait for a
 * frame to ride on.  Waits for one datagram on port P from a protected
 * sender: the host owes that sender an RSN which is not acknowledged yet,
 * so a datagram to a third endpoint (the sink) may not leave.  Then
 *
 *   0. poll() for input only, for half a second: a reader does not send,
 *      so the RSN must keep waiting for a frame to ride on (no RSN may
 *      leave the node meanwhile, counter sl_rsn_returned);
 *   1. sendto(sink, MSG_DONTWAIT) must fail with EAGAIN (and the RSN is
 *      hurried out);
 *   2. a blocking sendto(sink) must succeed once it is acknowledged;
 *   3. the request is echoed to its sender, which then stops;
 *   4. poll() must report the socket writable within S seconds: the RSNs
 *      of requests the sender repeated meanwhile are acknowledged too.
 *      (While a peer keeps sending, a protected socket is rarely
 *      writable: every new message owes an RSN.)
 *
 * Prints one line per step and exits 0 if every step went as described,
 * 1 otherwise.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mlog_util.h"

static void usage(void)
{
	fprintf(stderr,
		"Usage: mlog-dgram-hold --port P --sink A.B.C.D:Q [--timeout S]\n"
		"Receive one datagram from a protected sender on port P, then check\n"
		"that a datagram to the sink is held until the RSN is acknowledged.\n");
	exit(2);
}

/* Step 0: half a second of poll(POLLIN) must not send the RSN. */
static int idle_poll_keeps_rsn(int fd)
{
	uint64_t s0[MLOG_STAT_MAX + 1], s1[MLOG_STAT_MAX + 1];
	struct pollfd p = { .fd = fd, .events = POLLIN };
	double end = mlog_now() + 0.5, left;
	struct mlog_nl nl;
	uint64_t sent;

	if (mlog_nl_open(&nl) || mlog_nl_stats(&nl, s0)) {
		fprintf(stderr, "mlog-dgram-hold: cannot read the counters\n");
		return 0;
	}
	/* A repeated request makes poll() return at once: then just wait. */
	while ((left = end - mlog_now()) > 0)
		if (poll(&p, 1, left * 1000 + 1) > 0)
			usleep(left * 1e6);
	if (mlog_nl_stats(&nl, s1)) {
		fprintf(stderr, "mlog-dgram-hold: cannot read the counters\n");
		close(nl.fd);
		return 0;
	}
	close(nl.fd);
	sent = s1[MLOG_STAT_SL_RSN_RETURNED] - s0[MLOG_STAT_SL_RSN_RETURNED];
	if (sent)
		printf("idle poll: %llu RSNs sent while only reading\n",
		       (unsigned long long)sent);
	return !sent;
}

int main(int argc, char **argv)
{
	static char buf[MLOG_MAX_PAYLOAD];
	struct sockaddr_mlog me, from, sink;
	socklen_t len = sizeof(from);
	struct pollfd p;
	long port = 0, timeout = 30;
	const char *sinkarg = NULL;
	char host[64], *colon;
	long sinkport = 0;
	int fd, i, ok = 1;
	ssize_t n;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			usage();
		if (i + 1 >= argc)
			usage();
		if (!strcmp(argv[i], "--port"))
			port = mlog_num(argv[++i], 1, 65535);
		else if (!strcmp(argv[i], "--sink"))
			sinkarg = argv[++i];
		else if (!strcmp(argv[i], "--timeout"))
			timeout = mlog_num(argv[++i], 1, 3600);
		else
			usage();
	}
	if (!port || !sinkarg)
		usage();
	colon = strrchr(sinkarg, ':');
	if (!colon || colon - sinkarg >= (long)sizeof(host))
		usage();
	memcpy(host, sinkarg, colon - sinkarg);
	host[colon - sinkarg] = 0;
	sinkport = mlog_num(colon + 1, 1, 65535);
	sink = mlog_addr(host, sinkport);

	fd = socket(mlog_af(), SOCK_DGRAM, 0);
	if (fd < 0) {
		perror("mlog-dgram-hold: socket");
		return 1;
	}
	me = mlog_addr(NULL, port);
	if (bind(fd, (struct sockaddr *)&me, sizeof(me))) {
		perror("mlog-dgram-hold: bind");
		return 1;
	}
	p.fd = fd;
	p.events = POLLIN;
	if (poll(&p, 1, timeout * 1000) != 1) {
		fprintf(stderr, "mlog-dgram-hold: no request in %ld s\n", timeout);
		return 1;
	}
	n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len);
	if (n < 0) {
		perror("mlog-dgram-hold: recvfrom");
		return 1;
	}

	if (idle_poll_keeps_rsn(fd))
		printf("idle poll: no RSN sent\n");
	else
		ok = 0;

	if (sendto(fd, "held?", 5, MSG_DONTWAIT, (struct sockaddr *)&sink,
		   sizeof(sink)) < 0 && errno == EAGAIN) {
		printf("dontwait: EAGAIN\n");
	} else {
		printf("dontwait: sent (%s)\n", strerror(errno));
		ok = 0;
	}

	if (sendto(fd, "held", 4, 0, (struct sockaddr *)&sink,
		   sizeof(sink)) == 4) {
		printf("blocking: sent\n");
	} else {
		printf("blocking: %s\n", strerror(errno));
		ok = 0;
	}

	if (sendto(fd, buf, n, 0, (struct sockaddr *)&from, len) != n) {
		perror("mlog-dgram-hold: reply");
		ok = 0;
	}
	p.events = POLLOUT;
	if (poll(&p, 1, timeout * 1000) == 1 && (p.revents & POLLOUT)) {
		printf("poll: writable\n");
	} else {
		printf("poll: not writable after %ld s\n", timeout);
		ok = 0;
	}

	close(fd);
	return ok ? 0 : 1;
}
