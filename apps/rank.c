// SPDX-License-Identifier: GPL-2.0
/*
 * rank.c - read the rank contract from the environment (see rank.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rank.h"

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* A decimal number in [lo, hi]; 0 or -1. */
static int parse_num(const char *s, unsigned long long lo,
		     unsigned long long hi, unsigned long long *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 10);
	if (errno || *end || *v < lo || *v > hi)
		return -1;
	return 0;
}

static int read_family(int *family, char *err, size_t errlen)
{
	const char *s = getenv("MLOG_FAMILY");
	unsigned long long v;
	char line[32];
	FILE *f;

	if (s) {
		if (parse_num(s, 1, 255, &v))
			return fail(err, errlen,
				    "MLOG_FAMILY='%s' is not an address family number",
				    s);
		*family = (int)v;
		return 0;
	}
	f = fopen(MLOG_SYSFS_FAMILY, "r");
	if (!f)
		return fail(err, errlen,
			    "MLOG_FAMILY is not set and %s cannot be read (%s): is mlog.ko loaded?",
			    MLOG_SYSFS_FAMILY, strerror(errno));
	if (!fgets(line, sizeof(line), f))
		line[0] = 0;
	fclose(f);
	line[strcspn(line, "\n")] = 0;
	if (parse_num(line, 1, 255, &v))
		return fail(err, errlen, "%s holds '%s', not a family number",
			    MLOG_SYSFS_FAMILY, line);
	*family = (int)v;
	return 0;
}

/* Node-form address of @port on IPv4 node @ip (NULL: the wildcard). */
static int node_addr(struct sockaddr_mlog *sa, int family, const char *ip,
		     uint16_t port)
{
	memset(sa, 0, sizeof(*sa));
	sa->smlog_family = family;
	sa->smlog_port = port;
	if (!ip)
		return 0;
	sa->smlog_node[10] = 0xff;
	sa->smlog_node[11] = 0xff;
	return inet_pton(AF_INET, ip, &sa->smlog_node[12]) == 1 ? 0 : -1;
}

/* MLOG_PEERS: exactly env->size IPv4 addresses, comma-separated. */
static int read_peers(struct rank_env *env, const char *list, char *err,
		      size_t errlen)
{
	char *copy, *p, *next;
	int n = 1, r;

	for (p = strchr(list, ','); p; p = strchr(p + 1, ','))
		n++;
	if (n != env->size)
		return fail(err, errlen,
			    "MLOG_PEERS lists %d addresses, MLOG_SIZE is %d",
			    n, env->size);
	copy = strdup(list);
	if (!copy)
		return fail(err, errlen, "out of memory");
	for (p = copy, r = 0; r < n; p = next, r++) {
		next = strchr(p, ',');
		if (next)
			*next++ = 0;
		if (node_addr(&env->peer[r], env->family, p,
			      APP_PORT_BASE + r)) {
			fail(err, errlen,
			     "MLOG_PEERS: '%s' is not an IPv4 address (want A.B.C.D,A.B.C.D,...)",
			     p);
			free(copy);
			return -1;
		}
	}
	free(copy);
	return 0;
}

int rank_env_read(struct rank_env *env, char *err, size_t errlen)
{
	const char *rank = getenv("MLOG_RANK"), *size = getenv("MLOG_SIZE");
	const char *peers = getenv("MLOG_PEERS"), *base;
	unsigned long long v;
	int r;

	memset(env, 0, sizeof(*env));
	if (!rank)
		return fail(err, errlen,
			    "MLOG_RANK is not set: run under mlog-run, or set MLOG_RANK, MLOG_SIZE and MLOG_PEERS");
	if (!size)
		return fail(err, errlen,
			    "MLOG_SIZE is not set: run under mlog-run, or set MLOG_RANK, MLOG_SIZE and MLOG_PEERS");
	if (parse_num(size, 1, APP_MAX_RANKS, &v))
		return fail(err, errlen,
			    "MLOG_SIZE='%s' is not a number of ranks (want 1..%d)",
			    size, APP_MAX_RANKS);
	env->size = (int)v;
	if (parse_num(rank, 0, env->size - 1, &v))
		return fail(err, errlen,
			    "MLOG_RANK='%s' is not a rank of this job (want 0..%d)",
			    rank, env->size - 1);
	env->rank = (int)v;
	env->job = getenv("MLOG_JOB") ? : "";
	if (read_family(&env->family, err, errlen))
		return -1;

	env->peer = calloc(env->size, sizeof(*env->peer));
	if (!env->peer)
		return fail(err, errlen, "out of memory");
	if (peers) {
		env->node_form = 1;
		node_addr(&env->self, env->family, NULL,
			  APP_PORT_BASE + env->rank);
		if (read_peers(env, peers, err, errlen))
			goto err;
		return 0;
	}

	base = getenv("MLOG_HOST_BASE");
	if (!base) {
		fail(err, errlen,
		     "MLOG_HOST_BASE is not set: run under mlog-run, or set MLOG_PEERS for baseline mode");
		goto err;
	}
	if (parse_num(base, 1, UINT32_MAX - env->size + 1, &v)) {
		fail(err, errlen,
		     "MLOG_HOST_BASE='%s' is not a host index (want 1..%u)",
		     base, UINT32_MAX - env->size + 1);
		goto err;
	}
	env->host_base = (uint32_t)v;
	mlog_sockaddr_host(&env->self, env->family, 0,
			   APP_PORT_BASE + env->rank);
	for (r = 0; r < env->size; r++)
		mlog_sockaddr_host(&env->peer[r], env->family,
				   env->host_base + r, APP_PORT_BASE + r);
	return 0;
err:
	rank_env_free(env);
	return -1;
}

void rank_env_free(struct rank_env *env)
{
	free(env->peer);
	env->peer = NULL;
}
