/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the mlog selftests: the AF_MLOG number, addresses, and
 * a minimal generic netlink client that returns the kernel's extack text.
 */
#ifndef _MLOG_SELFTEST_UTIL_H
#define _MLOG_SELFTEST_UTIL_H

#include <arpa/inet.h>
#include <errno.h>
#include <linux/genetlink.h>
#include <linux/mlog.h>
#include <linux/netlink.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/* Monotonic seconds, for the tools' deadlines. */
static inline double mlog_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A command-line number in [lo, hi]; bad input exits with status 2. */
static inline long mlog_num(const char *s, long lo, long hi)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (!*s || *end || v < lo || v > hi) {
		fprintf(stderr, "bad number '%s' (want %ld..%ld)\n", s, lo, hi);
		exit(2);
	}
	return v;
}

static inline int mlog_af(void)
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

static inline struct sockaddr_mlog mlog_addr(const char *ipv4, uint16_t port)
{
	struct sockaddr_mlog a;

	memset(&a, 0, sizeof(a));
	a.smlog_family = mlog_af();
	a.smlog_port = port;
	if (ipv4) {
		a.smlog_node[10] = 0xff;
		a.smlog_node[11] = 0xff;
		inet_pton(AF_INET, ipv4, &a.smlog_node[12]);
	}
	return a;
}

/*
 * "A.B.C.D" names a node; "hN" names protected host N (a host-form
 * address, Documentation/recovery.rst).  Exits with status 2 if neither.
 */
static inline struct sockaddr_mlog mlog_addr_parse(const char *s,
						   uint16_t port)
{
	struct sockaddr_mlog a;

	if (s[0] == 'h') {
		mlog_sockaddr_host(&a, mlog_af(), mlog_num(s + 1, 1, 65535),
				   port);
		return a;
	}
	a = mlog_addr(s, port);
	if (inet_pton(AF_INET, s, &a.smlog_node[12]) != 1) {
		fprintf(stderr, "bad address '%s' (want A.B.C.D or hN)\n", s);
		exit(2);
	}
	return a;
}

/* ---- generic netlink ---- */

struct mlog_nl {
	int fd;
	uint16_t family;
	uint32_t seq;
	char extack[256];	/* kernel's message for the last error */
	char buf[16384];	/* last reply */
	char rbuf[16384];	/* receive scratch */
	int len;
};

struct mlog_nl_attr {
	uint16_t type;
	uint16_t len;
	const void *data;
};

static inline int __nl_put(char *p, int off, uint16_t type, const void *d,
			   uint16_t len)
{
	struct nlattr *a = (struct nlattr *)(p + off);

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	memcpy(p + off + NLA_HDRLEN, d, len);
	return off + NLA_ALIGN(a->nla_len);
}

/*
 * Send one request; returns 0 or -errno.  On error nl->extack holds the
 * kernel's message ("" if none); on success nl->buf holds the reply.
 */
static inline int mlog_nl_call(struct mlog_nl *nl, uint16_t family,
			       uint8_t cmd, const struct mlog_nl_attr *attrs,
			       int nattrs)
{
	struct {
		struct nlmsghdr n;
		struct genlmsghdr g;
		char attrs[1024];
	} req;
	int off = 0, i, len;

	memset(&req, 0, sizeof(req));
	for (i = 0; i < nattrs; i++)
		off = __nl_put(req.attrs, off, attrs[i].type, attrs[i].data,
			       attrs[i].len);
	req.n.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN) + off;
	req.n.nlmsg_type = family;
	req.n.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	req.n.nlmsg_seq = ++nl->seq;
	req.g.cmd = cmd;
	req.g.version = 1;
	nl->extack[0] = 0;
	if (send(nl->fd, &req, req.n.nlmsg_len, 0) < 0)
		return -errno;

	for (;;) {
		struct nlmsghdr *h;

		len = recv(nl->fd, nl->rbuf, sizeof(nl->rbuf), 0);
		if (len < 0)
			return -errno;
		for (h = (struct nlmsghdr *)nl->rbuf; NLMSG_OK(h, len);
		     h = NLMSG_NEXT(h, len)) {
			struct nlmsgerr *e;
			struct nlattr *a;
			int rem;

			if (h->nlmsg_seq != nl->seq)
				continue;
			if (h->nlmsg_type != NLMSG_ERROR) {
				nl->len = h->nlmsg_len;
				memcpy(nl->buf, h, h->nlmsg_len);
				/* The ACK follows; keep reading for it. */
				goto next;
			}
			e = NLMSG_DATA(h);
			if (!e->error)
				return 0;
			/* NETLINK_CAP_ACK: TLVs follow the error header. */
			rem = h->nlmsg_len - NLMSG_HDRLEN - sizeof(*e);
			a = (struct nlattr *)((char *)e + sizeof(*e));
			while (rem >= (int)NLA_HDRLEN && a->nla_len >= NLA_HDRLEN &&
			       a->nla_len <= rem) {
				if (a->nla_type == NLMSGERR_ATTR_MSG)
					snprintf(nl->extack, sizeof(nl->extack),
						 "%s", (char *)a + NLA_HDRLEN);
				rem -= NLA_ALIGN(a->nla_len);
				a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len));
			}
			return e->error;
		}
next:
		;
	}
}

static inline int mlog_nl_open(struct mlog_nl *nl)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct mlog_nl_attr name = {
		CTRL_ATTR_FAMILY_NAME, sizeof(MLOG_GENL_NAME), MLOG_GENL_NAME
	};
	struct nlmsghdr *h;
	struct nlattr *a;
	int one = 1, rem, err;

	memset(nl, 0, sizeof(*nl));
	nl->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (nl->fd < 0)
		return -errno;
	setsockopt(nl->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(nl->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	if (bind(nl->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;

	err = mlog_nl_call(nl, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, &name, 1);
	if (err)
		return err;
	h = (struct nlmsghdr *)nl->buf;
	rem = h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);
	a = (struct nlattr *)((char *)NLMSG_DATA(h) + GENL_HDRLEN);
	for (; rem >= (int)NLA_HDRLEN; rem -= NLA_ALIGN(a->nla_len),
	     a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len)))
		if (a->nla_type == CTRL_ATTR_FAMILY_ID)
			nl->family = *(uint16_t *)((char *)a + NLA_HDRLEN);
	return nl->family ? 0 : -ENOENT;
}

/* Find attribute @type at the top level of the last reply. */
static inline struct nlattr *mlog_nl_attr(struct mlog_nl *nl, uint16_t type)
{
	struct nlmsghdr *h = (struct nlmsghdr *)nl->buf;
	struct nlattr *a = (struct nlattr *)((char *)NLMSG_DATA(h) + GENL_HDRLEN);
	int rem = h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);

	for (; rem >= (int)NLA_HDRLEN && a->nla_len >= NLA_HDRLEN;
	     rem -= NLA_ALIGN(a->nla_len),
	     a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len)))
		if ((a->nla_type & NLA_TYPE_MASK) == type)
			return a;
	return NULL;
}

/* Read this namespace's counters into @stats (indexed by MLOG_STAT_*). */
static inline int mlog_nl_stats(struct mlog_nl *nl, uint64_t *stats)
{
	struct nlattr *nest, *a;
	int err, rem;

	memset(stats, 0, sizeof(uint64_t) * (MLOG_STAT_MAX + 1));
	err = mlog_nl_call(nl, nl->family, MLOG_CMD_STATUS_GET, NULL, 0);
	if (err)
		return err;
	nest = mlog_nl_attr(nl, MLOG_ATTR_STATS);
	if (!nest)
		return -ENODATA;
	rem = nest->nla_len - NLA_HDRLEN;
	a = (struct nlattr *)((char *)nest + NLA_HDRLEN);
	for (; rem >= (int)NLA_HDRLEN; rem -= NLA_ALIGN(a->nla_len),
	     a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len)))
		if (a->nla_type <= MLOG_STAT_MAX)
			memcpy(&stats[a->nla_type], (char *)a + NLA_HDRLEN, 8);
	return 0;
}

#endif /* _MLOG_SELFTEST_UTIL_H */
