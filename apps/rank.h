/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rank.h - where the ranks of an mlog application are.
 *
 * A job has MLOG_SIZE ranks, 0..MLOG_SIZE-1; this process is rank
 * MLOG_RANK.  Rank r owns one SOCK_RDM socket bound to port
 * APP_PORT_BASE + r, named in one of two ways:
 *
 * host form (the default: under mlog-run, Documentation/recovery.rst)
 *	MLOG_HOST_BASE is the protected host index of rank 0 and rank r is
 *	host MLOG_HOST_BASE + r, wherever that host runs now.  A rank binds
 *	the host-form address of "my host" (index 0).  These addresses stay
 *	valid when a rank is recovered on another node.
 *
 * node form (baseline mode: MLOG_PEERS is set)
 *	MLOG_PEERS lists one IPv4 node address per rank, comma-separated;
 *	rank r is port APP_PORT_BASE + r of the r-th node listed, and a rank
 *	binds the wildcard node address.  For plain-transport benchmarks and
 *	for tests without the recovery daemons.
 *
 * The AF_MLOG number is MLOG_FAMILY, or MLOG_SYSFS_FAMILY when unset.
 * MLOG_JOB, the job's name, is only shown in progress lines.
 */
#ifndef _MLOG_APP_RANK_H
#define _MLOG_APP_RANK_H

#include <stddef.h>
#include <stdint.h>
#include <linux/mlog.h>

#define APP_PORT_BASE	7000
#define APP_MAX_RANKS	1024	/* the message header holds 16 bits */

struct rank_env {
	int rank;
	int size;
	int family;
	int node_form;			/* 1: MLOG_PEERS (baseline mode) */
	uint32_t host_base;		/* host form: host index of rank 0 */
	const char *job;		/* MLOG_JOB, "" when unset */
	struct sockaddr_mlog self;	/* what this rank binds */
	struct sockaddr_mlog *peer;	/* peer[r]: rank r's socket */
};

/*
 * Fill @env from the environment.  Returns 0, or -1 with a one-line
 * reason (no trailing newline) in @err.
 */
int rank_env_read(struct rank_env *env, char *err, size_t errlen);
void rank_env_free(struct rank_env *env);

#endif /* _MLOG_APP_RANK_H */
