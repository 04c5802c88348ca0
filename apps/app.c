// SPDX-License-Identifier: GPL-2.0
/*
 * app.c - messages, errors and numbers of the mlog applications (app.h).
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/sockios.h>

#include "app.h"

const char *app_prog = "mlog app";

void app_die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", app_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

void app_usage(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", app_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (see --help)\n", stderr);
	exit(2);
}

unsigned long long app_num(const char *opt, const char *s,
			   unsigned long long lo, unsigned long long hi)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (*s < '0' || *s > '9' || errno || *end || v < lo || v > hi)
		app_usage("bad %s '%s' (want %llu..%llu)", opt, s, lo, hi);
	return v;
}

const char *app_bad_option(int argc, char **argv)
{
	/* getopt_long() has moved past the option it refused */
	if (optind > 0 && optind <= argc)
		return argv[optind - 1];
	return "?";
}

void comm_open(struct app_comm *c)
{
	char err[256];
	int fd;

	memset(c, 0, sizeof(*c));
	if (rank_env_read(&c->env, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", app_prog, err);
		exit(2);
	}
	c->rank = c->env.rank;
	c->size = c->env.size;
	c->chunk = APP_PAYLOAD_MAX;
	c->buf = malloc(MLOG_MAX_MSG);
	if (!c->buf)
		app_die("out of memory");
	fd = socket(c->env.family, SOCK_RDM, 0);
	if (fd < 0)
		app_die("cannot open an AF_MLOG socket (family %d): %s%s",
			c->env.family, strerror(errno),
			errno == EAFNOSUPPORT ? ": is mlog.ko loaded?" : "");
	if (bind(fd, (struct sockaddr *)&c->env.self, sizeof(c->env.self)))
		app_die("rank %d: cannot bind %s port %u: %s", c->rank,
			c->env.node_form ? "node" : "host",
			c->env.self.smlog_port, strerror(errno));
	c->fd = fd;
}

void comm_send(struct app_comm *c, int to, unsigned int type, uint32_t tag,
	       const void *data, size_t len)
{
	struct app_hdr h = {
		.type = type, .from = c->rank, .tag = tag, .len = len,
	};
	struct iovec iov[2] = {
		{ .iov_base = &h, .iov_len = sizeof(h) },
		{ .iov_base = (void *)data, .iov_len = len },
	};
	struct msghdr mh = {
		.msg_name = &c->env.peer[to],
		.msg_namelen = sizeof(c->env.peer[to]),
		.msg_iov = iov,
		.msg_iovlen = 2,
	};

	if (to < 0 || to >= c->size || to == c->rank || type > 31 ||
	    len > APP_PAYLOAD_MAX)
		app_die("rank %d: bad send (to %d, type %u, %zu bytes)",
			c->rank, to, type, len);
	while (sendmsg(c->fd, &mh, 0) < 0) {
		/*
		 * EHOSTUNREACH: the peer was silent for a while (not up yet,
		 * or slow); the message was not queued, so send it again.
		 */
		if (errno == EINTR || errno == EHOSTUNREACH)
			continue;
		app_die("rank %d: send to rank %d: %s%s", c->rank, to,
			strerror(errno),
			errno == ECONNRESET ? " (it restarted: messages lost)" : "");
	}
	c->sent++;
	c->bytes_sent += sizeof(h) + len;
}

void comm_send_big(struct app_comm *c, int to, unsigned int type,
		   uint32_t tag, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t n;

	do {
		n = len < c->chunk ? len : c->chunk;
		comm_send(c, to, type, tag, p, n);
		p += n;
		len -= n;
	} while (len);
}

/* Read one message, whatever it is. */
static struct app_msg *comm_read(struct app_comm *c)
{
	struct sockaddr_mlog from;
	socklen_t fl = sizeof(from);
	struct app_msg *m;
	struct app_hdr h;
	ssize_t n;

	for (;;) {
		n = recvfrom(c->fd, c->buf, MLOG_MAX_MSG, 0,
			     (struct sockaddr *)&from, &fl);
		if (n >= 0)
			break;
		/* a peer's silence is reported once; it is not a loss */
		if (errno == EINTR || errno == EHOSTUNREACH)
			continue;
		app_die("rank %d: receive: %s%s", c->rank, strerror(errno),
			errno == ECONNRESET ?
			" (a peer restarted: messages lost)" : "");
	}
	if (n < (ssize_t)sizeof(h))
		app_die("rank %d: a %zd-byte message from port %u", c->rank,
			n, from.smlog_port);
	memcpy(&h, c->buf, sizeof(h));
	if (h.len != n - sizeof(h) || h.from >= c->size || h.type > 31 ||
	    from.smlog_port != APP_PORT_BASE + h.from)
		app_die("rank %d: not this job's: port %u, type %u, from %u, %u of %zd bytes",
			c->rank, from.smlog_port, h.type, h.from, h.len, n);
	m = malloc(sizeof(*m) + h.len);
	if (!m)
		app_die("out of memory");
	m->next = NULL;
	m->hdr = h;
	memcpy(m->data, c->buf + sizeof(h), h.len);
	c->received++;
	c->bytes_received += n;
	return m;
}

static int match(const struct app_msg *m, uint32_t types, int from,
		 uint32_t tag)
{
	return (types & APP_BIT(m->hdr.type)) &&
	       (from == APP_ANY || m->hdr.from == from) &&
	       (tag == APP_ANY_TAG || m->hdr.tag == tag);
}

struct app_msg *comm_recv(struct app_comm *c, uint32_t types, int from,
			  uint32_t tag)
{
	struct app_msg **pp, *m;

	for (pp = &c->kept; *pp; pp = &(*pp)->next) {
		m = *pp;
		if (match(m, types, from, tag)) {
			*pp = m->next;
			m->next = NULL;
			return m;
		}
	}
	for (;;) {
		m = comm_read(c);
		if (match(m, types, from, tag))
			return m;
		*pp = m;		/* keep it, after the others */
		pp = &m->next;
	}
}

void comm_recv_rest(struct app_comm *c, struct app_msg *first, void *buf,
		    size_t len)
{
	struct app_msg *m = first;
	unsigned char *p = buf;

	for (;;) {
		if (m->hdr.len > len || (!m->hdr.len && len))
			app_die("rank %d: %u bytes from rank %u (type %u, tag %u), %zu to come",
				c->rank, m->hdr.len, m->hdr.from, m->hdr.type,
				m->hdr.tag, len);
		memcpy(p, m->data, m->hdr.len);
		p += m->hdr.len;
		len -= m->hdr.len;
		if (!len)
			break;
		first = m;
		m = comm_recv(c, APP_BIT(first->hdr.type), first->hdr.from,
			      first->hdr.tag);
		free(first);
	}
	free(m);
}

void comm_recv_big(struct app_comm *c, unsigned int type, int from,
		   uint32_t tag, void *buf, size_t len)
{
	comm_recv_rest(c, comm_recv(c, APP_BIT(type), from, tag), buf, len);
}

void comm_progress(struct app_comm *c, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: rank %d/%d%s%s: ", app_prog, c->rank, c->size,
		*c->env.job ? " of job " : "", c->env.job);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "; %llu messages (%llu bytes) sent, %llu (%llu bytes) received\n",
		c->sent, c->bytes_sent, c->received, c->bytes_received);
}

void comm_close(struct app_comm *c)
{
	struct app_msg *m;
	int outq, n = 0;

	for (m = c->kept; m; m = m->next)
		n++;
	if (n)
		app_die("rank %d: %d messages nobody asked for, the first of type %u from rank %u",
			c->rank, n, c->kept->hdr.type, c->kept->hdr.from);
	/* closing frees what is not acknowledged yet: wait for it */
	for (;;) {
		if (ioctl(c->fd, SIOCOUTQ, &outq))
			app_die("rank %d: SIOCOUTQ: %s", c->rank,
				strerror(errno));
		if (!outq)
			break;
		usleep(2000);
	}
	close(c->fd);
	free(c->buf);
	rank_env_free(&c->env);
}
