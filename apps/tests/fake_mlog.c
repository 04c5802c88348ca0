// SPDX-License-Identifier: GPL-2.0
/*
 * fake_mlog.so - an LD_PRELOAD stand-in for AF_MLOG SOCK_RDM on a machine
 * without mlog.ko, so that the applications' protocols can be tested on
 * the build host (apps/tests/local_test.sh).
 *
 * A socket of family $MLOG_FAMILY and type SOCK_RDM becomes an AF_UNIX
 * datagram socket, which is reliable, keeps message boundaries and order,
 * and blocks a sender whose receiver is behind.  Port P (of any node or
 * host: only the port counts) is the abstract socket "mlog-fake-$NS-P",
 * NS being $MLOG_FAKE_NS.  A send to a port nobody has bound yet is tried
 * again until someone does, as AF_MLOG retransmits.  SIOCOUTQ is AF_UNIX's:
 * bytes sent and not yet read.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <linux/mlog.h>

#define MAX_FD	1024

static char fake[MAX_FD];	/* fake[fd]: fd is a stand-in socket */

static int family(void)
{
	const char *s = getenv("MLOG_FAMILY");

	return s ? atoi(s) : MLOG_DEFAULT_FAMILY;
}

static void *next(const char *name)
{
	void *f = dlsym(RTLD_NEXT, name);

	if (!f) {
		fprintf(stderr, "fake_mlog: no %s\n", name);
		abort();
	}
	return f;
}

/* The AF_UNIX name of @port; returns its length. */
static socklen_t unix_addr(struct sockaddr_un *un, unsigned int port)
{
	const char *ns = getenv("MLOG_FAKE_NS");
	int n;

	memset(un, 0, sizeof(*un));
	un->sun_family = AF_UNIX;
	n = snprintf(un->sun_path + 1, sizeof(un->sun_path) - 1,
		     "mlog-fake-%s-%u", ns ? ns : "0", port);
	return offsetof(struct sockaddr_un, sun_path) + 1 + n;
}

static int is_fake(int fd)
{
	return fd >= 0 && fd < MAX_FD && fake[fd];
}

int socket(int domain, int type, int protocol)
{
	int (*real)(int domain, int type, int protocol) = next("socket");
	int fd;

	if (domain != family() || (type & 0xff) != SOCK_RDM)
		return real(domain, type, protocol);
	fd = real(AF_UNIX, SOCK_DGRAM | (type & ~0xff), 0);
	if (fd >= 0 && fd < MAX_FD)
		fake[fd] = 1;
	return fd;
}

int close(int fd)
{
	int (*real)(int fd) = next("close");

	if (fd >= 0 && fd < MAX_FD)
		fake[fd] = 0;
	return real(fd);
}

int bind(int fd, const struct sockaddr *sa, socklen_t len)
{
	int (*real)(int fd, const struct sockaddr *sa, socklen_t len) =
		next("bind");
	const struct sockaddr_mlog *a = (const void *)sa;
	struct sockaddr_un un;

	if (!is_fake(fd))
		return real(fd, sa, len);
	if (len < sizeof(*a)) {
		errno = EINVAL;
		return -1;
	}
	return real(fd, (struct sockaddr *)&un, unix_addr(&un, a->smlog_port));
}

ssize_t sendmsg(int fd, const struct msghdr *mh, int flags)
{
	ssize_t (*real)(int fd, const struct msghdr *mh, int flags) =
		next("sendmsg");
	const struct sockaddr_mlog *a = mh->msg_name;
	struct msghdr m = *mh;
	struct sockaddr_un un;
	ssize_t n;

	if (!is_fake(fd))
		return real(fd, mh, flags);
	if (!a || mh->msg_namelen < sizeof(*a)) {
		errno = EDESTADDRREQ;
		return -1;
	}
	m.msg_name = &un;
	m.msg_namelen = unix_addr(&un, a->smlog_port);
	for (;;) {
		n = real(fd, &m, flags);
		if (n >= 0 || (errno != ECONNREFUSED && errno != ENOENT))
			return n;
		usleep(10000);	/* not bound yet: "retransmit" */
	}
}

ssize_t recvfrom(int fd, void *buf, size_t len, int flags,
		 struct sockaddr *sa, socklen_t *salen)
{
	ssize_t (*real)(int fd, void *buf, size_t len, int flags,
			struct sockaddr *sa, socklen_t *salen) =
		next("recvfrom");
	struct sockaddr_un un = { 0 };
	socklen_t ul = sizeof(un) - 1;	/* the name stays 0-terminated */
	struct sockaddr_mlog a;
	const char *dash;
	ssize_t n;

	if (!is_fake(fd))
		return real(fd, buf, len, flags, sa, salen);
	n = real(fd, buf, len, flags, (struct sockaddr *)&un, &ul);
	if (n < 0 || !sa)
		return n;
	memset(&a, 0, sizeof(a));
	a.smlog_family = family();
	dash = strrchr(un.sun_path + 1, '-');
	if (dash)
		a.smlog_port = atoi(dash + 1);
	memcpy(sa, &a, *salen < sizeof(a) ? *salen : sizeof(a));
	*salen = sizeof(a);
	return n;
}
