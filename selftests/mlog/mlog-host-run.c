// SPDX-License-Identifier: GPL-2.0
/*
 * mlog-host-run: run a command as a protected host of sender-based logging.
 *
 *   mlog-host-run --index N [--incarnation I] [--replay] [--unregister]
 *		   -- CMD ARGS...
 *
 * The command runs as the first process of a new PID namespace, which is
 * registered with MLOG_CMD_HOST_ADD before the command starts, so every
 * AF_MLOG socket it (or any of its descendants) creates belongs to host N.
 * The registration outlives the command unless --unregister is given, so
 * that a test can read the host's log, history and counters afterwards.
 */
#include <errno.h>
#include <signal.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mlog_util.h"

static void usage(FILE *out, int status)
{
	fprintf(out,
		"Usage: mlog-host-run --index N [--incarnation I] [--replay] [--unregister]\n"
		"                     -- CMD [ARGS...]\n"
		"\n"
		"Run CMD as protected host N of sender-based logging: CMD becomes the\n"
		"first process of a new PID namespace, registered with the mlog module\n"
		"(MLOG_CMD_HOST_ADD) before CMD starts, so every AF_MLOG socket CMD or\n"
		"its descendants create belongs to host N.\n"
		"\n"
		"  --index N        host index, 1..65535, unique in the cluster\n"
		"  --incarnation I  incarnation number (default 0)\n"
		"  --replay         register it replaying (MLOG_HOST_REPLAY): it takes\n"
		"                   only the logged messages pushed to it until\n"
		"                   MLOG_CMD_REPLAY_END (Documentation/recovery.rst)\n"
		"  --unregister     remove the host (MLOG_CMD_HOST_DEL) once CMD has\n"
		"                   exited; by default the registration is kept, so its\n"
		"                   log, RSN history and counters can still be read\n"
		"  -h, --help       this help\n"
		"\n"
		"SIGINT, SIGTERM and SIGHUP kill CMD (it is the init of its namespace and\n"
		"would ignore them).  Exit status: CMD's, 128 + signal if it was killed,\n"
		"2 for a bad command line or when the module refused the host (the kernel's\n"
		"message is printed).\n");
	exit(status);
}

static pid_t child;

static void forward(int sig)
{
	if (child > 0)
		kill(child, SIGKILL);
}

/* HOST_ADD (with @pid) or HOST_DEL (@pid 0) of host @index. */
static int host_cmd(struct mlog_nl *nl, uint8_t cmd, uint32_t index,
		    uint32_t incarnation, uint32_t pid, int replay)
{
	struct mlog_nl_attr nest;
	char buf[64];
	int off = 0;

	off = __nl_put(buf, off, MLOG_HOST_INDEX, &index, sizeof(index));
	if (cmd == MLOG_CMD_HOST_ADD) {
		off = __nl_put(buf, off, MLOG_HOST_INCARNATION, &incarnation,
			       sizeof(incarnation));
		off = __nl_put(buf, off, MLOG_HOST_PID, &pid, sizeof(pid));
		if (replay)
			off = __nl_put(buf, off, MLOG_HOST_REPLAY, NULL, 0);
	}
	nest.type = MLOG_ATTR_HOST | NLA_F_NESTED;
	nest.len = off;
	nest.data = buf;
	return mlog_nl_call(nl, nl->family, cmd, &nest, 1);
}

static void report(const char *what, int err, struct mlog_nl *nl)
{
	fprintf(stderr, "mlog-host-run: %s: %s%s%s\n", what, strerror(-err),
		nl && nl->extack[0] ? ": " : "", nl ? nl->extack : "");
}

int main(int argc, char **argv)
{
	long index = -1, incarnation = 0;
	struct sigaction sa;
	int unregister = 0, replay = 0;
	int pfd[2], i, err, status;
	struct mlog_nl nl;
	char go = 'g';
	pid_t w;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			usage(stdout, 0);
		if (!strcmp(argv[i], "--unregister")) {
			unregister = 1;
			continue;
		}
		if (!strcmp(argv[i], "--replay")) {
			replay = 1;
			continue;
		}
		if (i + 1 >= argc)
			usage(stderr, 2);
		if (!strcmp(argv[i], "--index"))
			index = mlog_num(argv[++i], 1, 65535);
		else if (!strcmp(argv[i], "--incarnation"))
			incarnation = mlog_num(argv[++i], 0, 0x7fffffffL);
		else
			usage(stderr, 2);
	}
	if (index < 0 || i >= argc)
		usage(stderr, 2);

	err = mlog_nl_open(&nl);
	if (err) {
		report("generic netlink family \"" MLOG_GENL_NAME "\"", err, NULL);
		return 2;
	}
	if (pipe(pfd)) {
		perror("mlog-host-run: pipe");
		return 2;
	}
	if (unshare(CLONE_NEWPID)) {
		perror("mlog-host-run: unshare(CLONE_NEWPID)");
		return 2;
	}
	fflush(NULL);
	child = fork();
	if (child < 0) {
		perror("mlog-host-run: fork");
		return 2;
	}
	if (!child) {
		/* Wait for the registration; EOF means it failed. */
		close(pfd[1]);
		close(nl.fd);
		if (read(pfd[0], &go, 1) != 1)
			_exit(2);
		close(pfd[0]);
		execvp(argv[i], &argv[i]);
		fprintf(stderr, "mlog-host-run: %s: %s\n", argv[i], strerror(errno));
		_exit(127);
	}
	close(pfd[0]);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = forward;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	err = host_cmd(&nl, MLOG_CMD_HOST_ADD, index, incarnation, child,
		       replay);
	if (err) {
		report("MLOG_CMD_HOST_ADD", err, &nl);
		close(pfd[1]);
		waitpid(child, NULL, 0);
		return 2;
	}
	if (write(pfd[1], &go, 1) != 1) {
		perror("mlog-host-run: write");
		kill(child, SIGKILL);
	}
	close(pfd[1]);

	do {
		w = waitpid(child, &status, 0);
	} while (w < 0 && errno == EINTR);
	if (w < 0) {
		perror("mlog-host-run: waitpid");
		return 2;
	}
	if (unregister) {
		err = host_cmd(&nl, MLOG_CMD_HOST_DEL, index, 0, 0, 0);
		if (err) {
			report("MLOG_CMD_HOST_DEL", err, &nl);
			return 2;
		}
	}
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
