// SPDX-License-Identifier: GPL-2.0
/*
 * AF_MLOG socket API on one node: every test runs in a fresh network
 * namespace whose loopback carries the frames.
 */
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <linux/sockios.h>

#include "kselftest_harness.h"
#include "mlog_util.h"

static int lo_up(void)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	int err;

	if (fd < 0)
		return -1;
	err = ioctl(fd, SIOCGIFFLAGS, &ifr);
	ifr.ifr_flags |= IFF_UP;
	if (!err)
		err = ioctl(fd, SIOCSIFFLAGS, &ifr);
	close(fd);
	return err;
}

FIXTURE(node) {
	struct mlog_nl nl;
	int af;
};

FIXTURE_SETUP(node)
{
	uint8_t addr[16] = { [10] = 0xff, [11] = 0xff, 127, 0, 0, 1 };
	struct mlog_nl_attr set = { MLOG_ATTR_NODE_ADDR, sizeof(addr), addr };

	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	ASSERT_EQ(0, lo_up());
	ASSERT_EQ(0, mlog_nl_open(&self->nl));
	ASSERT_EQ(0, mlog_nl_call(&self->nl, self->nl.family,
				  MLOG_CMD_NODE_SET, &set, 1));
	self->af = mlog_af();
	ASSERT_LT(0, self->af);
}

FIXTURE_TEARDOWN(node)
{
	close(self->nl.fd);
}

static int bound_socket(int af, uint16_t port)
{
	struct sockaddr_mlog a = mlog_addr(NULL, port);
	int fd = socket(af, SOCK_DGRAM, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)))
		return -1;
	return fd;
}

TEST_F(node, only_dgram_and_protocol_zero)
{
	int fd;

	EXPECT_EQ(-1, socket(self->af, SOCK_STREAM, 0));
	EXPECT_EQ(ESOCKTNOSUPPORT, errno);
	EXPECT_EQ(-1, socket(self->af, SOCK_DGRAM, 1));
	EXPECT_EQ(EPROTONOSUPPORT, errno);
	fd = socket(self->af, SOCK_DGRAM, 0);
	ASSERT_LE(0, fd);
	close(fd);
}

TEST_F(node, bind_port_zero_picks_ephemeral)
{
	struct sockaddr_mlog a = mlog_addr(NULL, 0);
	socklen_t len = sizeof(a);
	int fd = bound_socket(self->af, 0);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, getsockname(fd, (struct sockaddr *)&a, &len));
	EXPECT_EQ(sizeof(a), len);
	EXPECT_EQ(self->af, a.smlog_family);
	EXPECT_LE(32768, a.smlog_port);
	EXPECT_GE(60999, a.smlog_port);
	/* getsockname reports the node address configured over netlink */
	EXPECT_EQ(127, a.smlog_node[12]);
	EXPECT_EQ(1, a.smlog_node[15]);
	close(fd);
}

TEST_F(node, bind_refusals)
{
	struct sockaddr_mlog a = mlog_addr(NULL, 5000);
	int fd = bound_socket(self->af, 5000), fd2;

	ASSERT_LE(0, fd);
	/* a socket binds once */
	EXPECT_EQ(-1, bind(fd, (struct sockaddr *)&a, sizeof(a)));
	EXPECT_EQ(EINVAL, errno);
	/* one port, one socket */
	fd2 = socket(self->af, SOCK_DGRAM, 0);
	EXPECT_EQ(-1, bind(fd2, (struct sockaddr *)&a, sizeof(a)));
	EXPECT_EQ(EADDRINUSE, errno);
	/* short address */
	EXPECT_EQ(-1, bind(fd2, (struct sockaddr *)&a, sizeof(a) - 1));
	EXPECT_EQ(EINVAL, errno);
	/* reserved flags */
	a.smlog_port = 5001;
	a.smlog_flags = 2;
	EXPECT_EQ(-1, bind(fd2, (struct sockaddr *)&a, sizeof(a)));
	EXPECT_EQ(EINVAL, errno);
	/* a host-form address: only a protected host has a port space */
	mlog_sockaddr_host(&a, self->af, 0, 5001);
	EXPECT_EQ(-1, bind(fd2, (struct sockaddr *)&a, sizeof(a)));
	EXPECT_EQ(EADDRNOTAVAIL, errno);
	/* ... and its host index takes the last four bytes, no more */
	a.smlog_node[0] = 1;
	EXPECT_EQ(-1, bind(fd2, (struct sockaddr *)&a, sizeof(a)));
	EXPECT_EQ(EINVAL, errno);
	a = mlog_addr(NULL, 5001);
	/* wrong family */
	a.smlog_flags = 0;
	a.smlog_family = AF_INET;
	EXPECT_EQ(-1, bind(fd2, (struct sockaddr *)&a, sizeof(a)));
	EXPECT_EQ(EAFNOSUPPORT, errno);
	/* an address that is not this node's */
	a = mlog_addr("192.0.2.99", 5001);
	EXPECT_EQ(-1, bind(fd2, (struct sockaddr *)&a, sizeof(a)));
	EXPECT_EQ(EADDRNOTAVAIL, errno);
	/* this node's own address is fine */
	a = mlog_addr("127.0.0.1", 5001);
	EXPECT_EQ(0, bind(fd2, (struct sockaddr *)&a, sizeof(a)));
	close(fd);
	close(fd2);
	/* the port is free again once its socket is closed */
	fd = bound_socket(self->af, 5000);
	EXPECT_LE(0, fd);
	close(fd);
}

TEST_F(node, host_form_destination_needs_a_route)
{
	struct sockaddr_mlog to;
	int fd = socket(self->af, SOCK_RDM, 0);

	ASSERT_LE(0, fd);
	/* no route names host 77 on this node */
	mlog_sockaddr_host(&to, self->af, 77, 5000);
	EXPECT_EQ(-1, sendto(fd, "x", 1, 0, (struct sockaddr *)&to,
			     sizeof(to)));
	EXPECT_EQ(EHOSTUNREACH, errno);
	/* host 0 is "my host" only when binding */
	mlog_sockaddr_host(&to, self->af, 0, 5000);
	EXPECT_EQ(-1, sendto(fd, "x", 1, 0, (struct sockaddr *)&to,
			     sizeof(to)));
	EXPECT_EQ(EINVAL, errno);
	close(fd);
}

TEST_F(node, datagram_roundtrip_with_source_address)
{
	struct sockaddr_mlog to = mlog_addr("127.0.0.1", 6000), from, me;
	socklen_t len = sizeof(from), mlen = sizeof(me);
	int rx = bound_socket(self->af, 6000);
	int tx = socket(self->af, SOCK_DGRAM, 0);
	char buf[64];

	ASSERT_LE(0, rx);
	ASSERT_LE(0, tx);
	ASSERT_EQ(5, sendto(tx, "hello", 5, 0, (struct sockaddr *)&to,
			    sizeof(to)));
	ASSERT_EQ(5, recvfrom(rx, buf, sizeof(buf), 0,
			      (struct sockaddr *)&from, &len));
	EXPECT_EQ(0, memcmp(buf, "hello", 5));
	ASSERT_EQ(0, getsockname(tx, (struct sockaddr *)&me, &mlen));
	EXPECT_EQ(sizeof(from), len);
	EXPECT_EQ(self->af, from.smlog_family);
	EXPECT_EQ(me.smlog_port, from.smlog_port);	/* autobound port */
	EXPECT_EQ(0, memcmp(to.smlog_node, from.smlog_node, 16));
	close(rx);
	close(tx);
}

TEST_F(node, boundaries_peek_trunc_and_empty)
{
	struct sockaddr_mlog to = mlog_addr("127.0.0.1", 6001);
	int rx = bound_socket(self->af, 6001);
	int tx = socket(self->af, SOCK_DGRAM, 0);
	char buf[64];

	ASSERT_LE(0, rx);
	ASSERT_EQ(3, sendto(tx, "abc", 3, 0, (struct sockaddr *)&to, sizeof(to)));
	ASSERT_EQ(10, sendto(tx, "0123456789", 10, 0, (struct sockaddr *)&to,
			     sizeof(to)));
	ASSERT_EQ(0, sendto(tx, "", 0, 0, (struct sockaddr *)&to, sizeof(to)));

	/* PEEK leaves the message queued */
	EXPECT_EQ(3, recv(rx, buf, sizeof(buf), MSG_PEEK));
	EXPECT_EQ(3, recv(rx, buf, sizeof(buf), 0));
	EXPECT_EQ(0, memcmp(buf, "abc", 3));
	/* a short buffer truncates; MSG_TRUNC reports the real length */
	EXPECT_EQ(10, recv(rx, buf, 4, MSG_TRUNC));
	EXPECT_EQ(0, memcmp(buf, "0123", 4));
	/* boundaries hold: the zero-length message is its own message */
	EXPECT_EQ(0, recv(rx, buf, sizeof(buf), 0));
	EXPECT_EQ(-1, recv(rx, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_EQ(EAGAIN, errno);
	close(rx);
	close(tx);
}

TEST_F(node, truncation_flag_in_recvmsg)
{
	struct sockaddr_mlog to = mlog_addr("127.0.0.1", 6002);
	int rx = bound_socket(self->af, 6002);
	int tx = socket(self->af, SOCK_DGRAM, 0);
	char buf[4];
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };

	ASSERT_EQ(8, sendto(tx, "abcdefgh", 8, 0, (struct sockaddr *)&to,
			    sizeof(to)));
	EXPECT_EQ(4, recvmsg(rx, &m, 0));
	EXPECT_TRUE(m.msg_flags & MSG_TRUNC);
	close(rx);
	close(tx);
}

TEST_F(node, poll_and_nonblocking)
{
	struct sockaddr_mlog to = mlog_addr("127.0.0.1", 6003);
	int rx = bound_socket(self->af, 6003);
	int tx = socket(self->af, SOCK_DGRAM, 0);
	struct pollfd p = { .fd = rx, .events = POLLIN };
	char c;

	ASSERT_EQ(0, poll(&p, 1, 0));
	ASSERT_EQ(0, fcntl(rx, F_SETFL, O_NONBLOCK));
	EXPECT_EQ(-1, recv(rx, &c, 1, 0));
	EXPECT_EQ(EAGAIN, errno);
	ASSERT_EQ(1, sendto(tx, "x", 1, 0, (struct sockaddr *)&to, sizeof(to)));
	ASSERT_EQ(1, poll(&p, 1, 5000));
	EXPECT_TRUE(p.revents & POLLIN);
	EXPECT_EQ(1, recv(rx, &c, 1, 0));
	p.fd = tx;
	p.events = POLLOUT;
	EXPECT_EQ(1, poll(&p, 1, 0));
	close(rx);
	close(tx);
}

TEST_F(node, connect_sets_default_destination)
{
	struct sockaddr_mlog to = mlog_addr("127.0.0.1", 6004), peer;
	struct sockaddr_mlog unspec = { .smlog_family = AF_UNSPEC };
	socklen_t len = sizeof(peer);
	int rx = bound_socket(self->af, 6004);
	int tx = socket(self->af, SOCK_DGRAM, 0);
	char buf[8];

	/* nowhere to send yet */
	EXPECT_EQ(-1, send(tx, "a", 1, 0));
	EXPECT_EQ(EDESTADDRREQ, errno);
	EXPECT_EQ(-1, getpeername(tx, (struct sockaddr *)&peer, &len));
	EXPECT_EQ(ENOTCONN, errno);

	ASSERT_EQ(0, connect(tx, (struct sockaddr *)&to, sizeof(to)));
	ASSERT_EQ(0, getpeername(tx, (struct sockaddr *)&peer, &len));
	EXPECT_EQ(6004, peer.smlog_port);
	ASSERT_EQ(2, send(tx, "hi", 2, 0));
	ASSERT_EQ(2, recv(rx, buf, sizeof(buf), 0));

	ASSERT_EQ(0, connect(tx, (struct sockaddr *)&unspec, sizeof(unspec)));
	EXPECT_EQ(-1, send(tx, "a", 1, 0));
	EXPECT_EQ(EDESTADDRREQ, errno);
	close(rx);
	close(tx);
}

TEST_F(node, size_limits)
{
	struct sockaddr_mlog to = mlog_addr("127.0.0.1", 6005);
	int rx = bound_socket(self->af, 6005), tx = socket(self->af, SOCK_DGRAM, 0);
	int big = MLOG_MAX_PAYLOAD;
	char *buf = calloc(1, big + 1);

	ASSERT_NE(NULL, buf);
	for (int i = 0; i < big; i++)
		buf[i] = (char)(i * 7);
	ASSERT_EQ(-1, sendto(tx, buf, big + 1, 0, (struct sockaddr *)&to,
			     sizeof(to)));
	EXPECT_EQ(EMSGSIZE, errno);
	ASSERT_EQ(big, sendto(tx, buf, big, 0, (struct sockaddr *)&to,
			      sizeof(to)));
	{
		char *in = calloc(1, big);

		ASSERT_EQ(big, recv(rx, in, big, 0));
		EXPECT_EQ(0, memcmp(in, buf, big));
		free(in);
	}
	free(buf);
	close(rx);
	close(tx);
}

/*
 * Large messages are reassembled from their fragments without a copy when
 * the receive buffer can hold them that way, and copied into one buffer
 * when it cannot (rx_reasm_copied); either way the bytes come back
 * exactly, to MSG_PEEK and to the read that follows it.
 */
TEST_F(node, reassembly_kept_or_copied)
{
	struct sockaddr_mlog to = mlog_addr("127.0.0.1", 6010);
	int rx = bound_socket(self->af, 6010), tx = socket(self->af, SOCK_DGRAM, 0);
	uint64_t s0[MLOG_STAT_MAX + 1], s1[MLOG_STAT_MAX + 1];
	int big = MLOG_MAX_PAYLOAD, small = 40000, round, i;
	char *out = malloc(big), *in = malloc(big + 1);

	ASSERT_NE(NULL, out);
	ASSERT_NE(NULL, in);
	ASSERT_LE(0, rx);
	for (round = 0; round < 6; round++) {
		/* rounds 0-2: default buffer; 3-5: too small to keep fragments */
		if (round == 3)
			ASSERT_EQ(0, setsockopt(rx, SOL_SOCKET, SO_RCVBUF,
						&small, sizeof(small)));
		for (i = 0; i < big; i++)
			out[i] = (char)(i * 7 + round * 31 + i / MLOG_MAX_FRAG);
		ASSERT_EQ(0, mlog_nl_stats(&self->nl, s0));
		ASSERT_EQ(big, sendto(tx, out, big, 0, (struct sockaddr *)&to,
				      sizeof(to)));
		memset(in, 0, big + 1);
		ASSERT_EQ(big, recv(rx, in, big + 1, MSG_PEEK));
		EXPECT_EQ(0, memcmp(in, out, big));
		memset(in, 0, big + 1);
		ASSERT_EQ(big, recv(rx, in, big + 1, 0));
		EXPECT_EQ(0, memcmp(in, out, big));
		ASSERT_EQ(0, mlog_nl_stats(&self->nl, s1));
		EXPECT_EQ(round < 3 ? 0 : 1, s1[MLOG_STAT_RX_REASM_COPIED] -
					     s0[MLOG_STAT_RX_REASM_COPIED]);
		EXPECT_EQ(0, s1[MLOG_STAT_RX_QUEUE_FULL]);
	}
	free(out);
	free(in);
	close(rx);
	close(tx);
}

TEST_F(node, frames_for_unbound_port_are_counted)
{
	struct sockaddr_mlog to = mlog_addr("127.0.0.1", 6999);
	uint64_t s[MLOG_STAT_MAX + 1];
	int tx = socket(self->af, SOCK_DGRAM, 0);
	int i;

	for (i = 0; i < 3; i++)
		ASSERT_EQ(1, sendto(tx, "z", 1, 0, (struct sockaddr *)&to,
				    sizeof(to)));
	usleep(100000);
	ASSERT_EQ(0, mlog_nl_stats(&self->nl, s));
	EXPECT_EQ(3, s[MLOG_STAT_TX_FRAMES]);
	EXPECT_EQ(3, s[MLOG_STAT_RX_NO_PORT]);
	EXPECT_EQ(0, s[MLOG_STAT_RX_FRAMES]);
	close(tx);
}

/*
 * Raw UDP datagrams aimed at the transport port: each malformed one must
 * be dropped and counted in rx_bad, the well-formed one delivered.
 */
TEST_F(node, bad_frames_dropped_and_counted)
{
	struct sockaddr_in udp = {
		.sin_family = AF_INET,
		.sin_port = htons(MLOG_DEFAULT_UDP_PORT),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	struct mlog_wire_hdr good = {
		.magic = htons(MLOG_WIRE_MAGIC),
		.version = MLOG_WIRE_VERSION,
		.type = MLOG_FRAME_DATA,
		.hdr_len = htons(sizeof(struct mlog_wire_hdr)),
		.src_port = htons(1234),
		.dst_port = htons(6006),
		.payload_len = htonl(2),
		.msg_len = htonl(2),
	};
	struct { struct mlog_wire_hdr h; char p[2]; } __attribute__((packed)) f;
	uint64_t s[MLOG_STAT_MAX + 1];
	int rx = bound_socket(self->af, 6006);
	int u = socket(AF_INET, SOCK_DGRAM, 0);
	int nbad = 0;
	char buf[8];

	ASSERT_LE(0, rx);
	ASSERT_LE(0, u);
#define SEND_BAD(mutate, len) do {				\
		ssize_t __len = (len);					\
		f.h = good; memcpy(f.p, "ok", 2); mutate;		\
		ASSERT_EQ(__len, sendto(u, &f, __len, 0,		\
			(struct sockaddr *)&udp, sizeof(udp)));		\
		nbad++;							\
	} while (0)
	SEND_BAD((void)0, 10);				/* truncated */
	SEND_BAD(f.h.magic = 0, sizeof(f));
	SEND_BAD(f.h.version = 9, sizeof(f));
	SEND_BAD(f.h.type = 0x7f, sizeof(f));
	SEND_BAD(f.h.flags = htons(0x8000), sizeof(f));
	SEND_BAD(f.h.hdr_len = htons(8), sizeof(f));
	SEND_BAD(f.h.payload_len = htonl(1000), sizeof(f));
	SEND_BAD(f.h.rsn_count = 3, sizeof(f));		/* range from RSN 0 */
	SEND_BAD(f.h.msg_len = htonl(1), sizeof(f));	/* fragment overflows */
	SEND_BAD(f.h.ack = htobe64(5), sizeof(f));	/* ack without flag */
	SEND_BAD(f.h.frag_map_lo = htonl(1), sizeof(f)); /* map, no flag */
	SEND_BAD(f.h.flags = htons(MLOG_F_FRAG_MAP), sizeof(f)); /* no ack */
	SEND_BAD((void)0, 0);				/* empty datagram */

	f.h = good;
	memcpy(f.p, "ok", 2);
	ASSERT_EQ(sizeof(f), sendto(u, &f, sizeof(f), 0,
				    (struct sockaddr *)&udp, sizeof(udp)));
	/* The good frame comes through, and only it. */
	ASSERT_EQ(2, recv(rx, buf, sizeof(buf), 0));
	EXPECT_EQ(0, memcmp(buf, "ok", 2));
	EXPECT_EQ(-1, recv(rx, buf, sizeof(buf), MSG_DONTWAIT));
	ASSERT_EQ(0, mlog_nl_stats(&self->nl, s));
	EXPECT_EQ(nbad, s[MLOG_STAT_RX_BAD]);
	EXPECT_EQ(1, s[MLOG_STAT_RX_FRAMES]);
	close(u);
	close(rx);
}

TEST_F(node, full_receive_queue_drops_and_counts)
{
	struct sockaddr_mlog to = mlog_addr("127.0.0.1", 6007);
	uint64_t s[MLOG_STAT_MAX + 1];
	int rx = bound_socket(self->af, 6007), tx = socket(self->af, SOCK_DGRAM, 0);
	int small = 4096, i, got = 0;
	static char buf[1024];

	ASSERT_EQ(0, setsockopt(rx, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small)));
	for (i = 0; i < 200; i++)
		ASSERT_EQ(sizeof(buf), sendto(tx, buf, sizeof(buf), 0,
					      (struct sockaddr *)&to, sizeof(to)));
	usleep(100000);
	while (recv(rx, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		got++;
	ASSERT_EQ(0, mlog_nl_stats(&self->nl, s));
	/* Datagram loss is not hidden: every frame is delivered or counted. */
	EXPECT_LT(0, s[MLOG_STAT_RX_QUEUE_FULL]);
	EXPECT_EQ(200, got + s[MLOG_STAT_RX_QUEUE_FULL]);
	EXPECT_EQ(got, s[MLOG_STAT_RX_FRAMES]);
	close(rx);
	close(tx);
}

static int bound_rdm(int af, uint16_t port)
{
	struct sockaddr_mlog a = mlog_addr(NULL, port);
	int fd = socket(af, SOCK_RDM, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)))
		return -1;
	return fd;
}

static int outq(int fd)
{
	int n = -1;

	if (ioctl(fd, SIOCOUTQ, &n))
		return -1;
	return n;
}

/* A node nobody answers for: the namespace has no route to it. */
#define NOWHERE "192.0.2.99"

/*
 * SIOCOUTQ reads 0 only once every message sent is acknowledged, empty
 * ones included: that is how a program knows everything arrived before
 * it closes (Documentation/sockets.rst).
 */
TEST_F(node, rdm_empty_message_counts_until_acknowledged)
{
	struct sockaddr_mlog nowhere = mlog_addr(NOWHERE, 7000);
	struct sockaddr_mlog to = mlog_addr("127.0.0.1", 6020);
	int rx = bound_rdm(self->af, 6020), tx = socket(self->af, SOCK_RDM, 0);
	int q0, i;
	char c;

	ASSERT_LE(0, rx);
	ASSERT_LE(0, tx);
	ASSERT_EQ(0, sendto(tx, "", 0, 0, (struct sockaddr *)&nowhere,
			    sizeof(nowhere)));
	q0 = outq(tx);
	EXPECT_LT(0, q0);
	ASSERT_EQ(1, sendto(tx, "x", 1, 0, (struct sockaddr *)&nowhere,
			    sizeof(nowhere)));
	EXPECT_LT(q0, outq(tx));
	close(tx);

	/* to a receiver: 0 once it has acknowledged the empty message */
	tx = socket(self->af, SOCK_RDM, 0);
	ASSERT_EQ(0, sendto(tx, "", 0, 0, (struct sockaddr *)&to, sizeof(to)));
	EXPECT_EQ(0, recv(rx, &c, 1, 0));
	for (i = 0; i < 1000 && outq(tx) > 0; i++)
		usleep(10000);
	EXPECT_EQ(0, outq(tx));
	close(tx);
	close(rx);
}

/*
 * What a socket holds for unacknowledged messages is bounded by SO_SNDBUF
 * whatever their size, empty ones too: non-blocking sends to a node that
 * never answers end in EAGAIN, and SIOCOUTQ counts every message queued.
 */
TEST_F(node, rdm_send_buffer_bounds_small_messages)
{
	struct sockaddr_mlog nowhere = mlog_addr(NOWHERE, 7000);
	const int tries = 200000;
	int size, sndbuf, n, err, q;
	socklen_t len = sizeof(sndbuf);

	for (size = 0; size <= 1; size++) {
		int tx = socket(self->af, SOCK_RDM, 0);

		ASSERT_LE(0, tx);
		ASSERT_EQ(0, getsockopt(tx, SOL_SOCKET, SO_SNDBUF, &sndbuf, &len));
		err = 0;
		for (n = 0; n < tries; n++) {
			if (sendto(tx, "x", size, MSG_DONTWAIT,
				   (struct sockaddr *)&nowhere, sizeof(nowhere)) == size)
				continue;
			err = errno;
			/* the peer's silence is reported once */
			if (err != EHOSTUNREACH)
				break;
			n--;
		}
		q = outq(tx);
		TH_LOG("%d-byte messages: %d queued, SIOCOUTQ %d, SO_SNDBUF %d",
		       size, n, q, sndbuf);
		EXPECT_EQ(EAGAIN, err);
		EXPECT_LT(n, tries);
		EXPECT_LE(n, q);
		EXPECT_LE(q, sndbuf);
		close(tx);
	}
}

/*
 * POLLOUT means that the next send of any message the socket accepts, up
 * to 64 KiB, goes without EAGAIN.  Fill the queue to a node that never
 * answers, with messages of mixed sizes, each sent as soon as poll() says
 * so: none fails; then the socket is full for a 64 KiB message.
 */
TEST_F(node, rdm_pollout_means_any_message_fits)
{
	static char buf[MLOG_MAX_MSG];
	static const int sizes[] = { MLOG_MAX_MSG, 1, 30000, 0, MLOG_MAX_MSG - 1, 1376 };
	struct sockaddr_mlog nowhere = mlog_addr(NOWHERE, 7000);
	int tx = socket(self->af, SOCK_RDM, 0), n, size;

	ASSERT_LE(0, tx);
	for (n = 0; n < 10000; n++) {
		struct pollfd p = { .fd = tx, .events = POLLOUT };

		if (poll(&p, 1, 0) != 1 || !(p.revents & POLLOUT))
			break;
		size = sizes[n % ARRAY_SIZE(sizes)];
		if (sendto(tx, buf, size, MSG_DONTWAIT, (struct sockaddr *)&nowhere,
			   sizeof(nowhere)) == size)
			continue;
		if (errno == EHOSTUNREACH)
			continue;
		TH_LOG("message %d (%d bytes) after POLLOUT: %s", n, size,
		       strerror(errno));
		ASSERT_TRUE(0);
	}
	TH_LOG("%d messages queued, SIOCOUTQ %d", n, outq(tx));
	EXPECT_LT(0, n);
	EXPECT_LT(n, 10000);
	EXPECT_EQ(-1, sendto(tx, buf, MLOG_MAX_MSG, MSG_DONTWAIT,
			     (struct sockaddr *)&nowhere, sizeof(nowhere)));
	EXPECT_EQ(EAGAIN, errno);
	close(tx);
}

/*
 * A full socket becomes writable again, and wakes its poller, once its
 * receiver has acknowledged enough for a 64 KiB message to fit.
 */
TEST_F(node, rdm_pollout_wakes_when_room_returns)
{
	static char buf[MLOG_MAX_MSG];
	struct sockaddr_mlog to = mlog_addr("127.0.0.1", 6021);
	struct timeval tv = { .tv_sec = 2 };
	int rx = bound_rdm(self->af, 6021), tx = socket(self->af, SOCK_RDM, 0);
	struct pollfd p = { .fd = tx, .events = POLLOUT };
	int n, status;
	pid_t child;

	ASSERT_LE(0, rx);
	ASSERT_LE(0, tx);
	/* the receiver does not read yet: its buffer, then ours, fill up */
	for (n = 0; n < 1000; n++) {
		if (sendto(tx, buf, MLOG_MAX_MSG, MSG_DONTWAIT,
			   (struct sockaddr *)&to, sizeof(to)) != MLOG_MAX_MSG)
			break;
	}
	ASSERT_EQ(EAGAIN, errno);
	ASSERT_EQ(0, poll(&p, 1, 0));
	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		/* read everything, until nothing comes for 2 s */
		setsockopt(rx, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		usleep(200000);
		while (recv(rx, buf, sizeof(buf), 0) >= 0)
			;
		_exit(0);
	}
	/* woken by the acknowledgments, not by a timeout */
	EXPECT_EQ(1, poll(&p, 1, 10000));
	EXPECT_TRUE(p.revents & POLLOUT);
	EXPECT_EQ(MLOG_MAX_MSG, sendto(tx, buf, MLOG_MAX_MSG, MSG_DONTWAIT,
				       (struct sockaddr *)&to, sizeof(to)));
	waitpid(child, &status, 0);
	close(tx);
	close(rx);
}

TEST_HARNESS_MAIN
