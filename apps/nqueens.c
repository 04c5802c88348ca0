// SPDX-License-Identifier: GPL-2.0
/*
 * nqueens - count the solutions of the n-queens problem on the ranks of
 * an mlog job (thesis §3.4.4; Documentation/apps.rst).
 *
 * The subproblems are the placements of the queens of the first two rows
 * that do not attack each other, numbered in (column 0, column 1) order.
 * Rank 0 is the master: it hands subproblems out, one per request, and
 * adds up the counts; every other rank is a worker that asks for a
 * subproblem, counts its solutions, and asks again, handing in the count
 * with the request.  With --static each worker instead gets one equal
 * share of the subproblems at once, as in the thesis: one exchange at the
 * start and one at the end.  A job of one rank counts everything itself.
 *
 * Messages (tag: the subproblem, or 0):
 *	REQ	worker -> master	u64 solutions of the work just done
 *	WORK	master -> worker	u32 first subproblem, u32 how many
 *	DONE	master -> worker	nothing left; the worker's last message
 *
 * Determinism: a rank's behaviour depends only on its arguments and on
 * the messages it reads (app.h); the total is a sum, whatever rank counted
 * which subproblem, so stdout is the same for any number of ranks.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"

enum { MSG_REQ = 1, MSG_WORK, MSG_DONE };

#define MAX_QUEENS	20

struct nq_work {
	uint32_t first;
	uint32_t count;
};

struct nq {
	int n;
	uint32_t nsub;
	uint8_t (*sub)[2];	/* columns of the queens of rows 0 and 1 */
	int depth;		/* rows placed by a subproblem: 1 or 2 */
	unsigned long long done;	/* subproblems this rank counted */
};

static const char usage_text[] =
	"Usage: mlog-nqueens [--size N] [--static] [--check] [--verbose]\n"
	"Count the solutions of the N-queens problem on the ranks of an mlog job\n"
	"(MLOG_RANK, MLOG_SIZE...: see Documentation/apps.rst).\n"
	"  -n, --size N   queens and board size, 1..20 (default 12)\n"
	"  -s, --seed S   accepted for symmetry with mlog-tsp and mlog-gauss;\n"
	"                 the problem has no random input\n"
	"  --static       one equal share of the subproblems per worker, at once\n"
	"                 (default: one subproblem per request)\n"
	"  --check        rank 0 counts again with a plain sequential search\n"
	"  -v, --verbose  each rank prints one line of statistics on stderr\n"
	"  -h, --help     this help\n";

/* Solutions below a board whose placed queens attack @cols, @ld, @rd. */
static unsigned long long solve(uint32_t all, uint32_t cols, uint32_t ld,
				uint32_t rd)
{
	uint32_t avail = all & ~(cols | ld | rd), bit;
	unsigned long long n = 0;

	if (cols == all)
		return 1;
	while (avail) {
		bit = avail & -avail;
		avail ^= bit;
		n += solve(all, cols | bit, (ld | bit) << 1, (rd | bit) >> 1);
	}
	return n;
}

static unsigned long long solve_sub(const struct nq *q, uint32_t s)
{
	uint32_t all = (1u << q->n) - 1, cols = 0, ld = 0, rd = 0, bit;
	int row;

	for (row = 0; row < q->depth; row++) {
		bit = 1u << q->sub[s][row];
		cols |= bit;
		ld = (ld | bit) << 1;
		rd = (rd | bit) >> 1;
	}
	return solve(all, cols, ld & all, rd);
}

/* The subproblems: every non-attacking placement of the first rows. */
static void subproblems(struct nq *q)
{
	int a, b, n = q->n;

	q->depth = n < 2 ? 1 : 2;
	q->sub = calloc(n * n, sizeof(*q->sub));
	if (!q->sub)
		app_die("out of memory");
	for (a = 0; a < n; a++) {
		if (q->depth == 1) {
			q->sub[q->nsub][0] = a;
			q->nsub++;
			continue;
		}
		for (b = 0; b < n; b++) {
			if (b == a || b == a - 1 || b == a + 1)
				continue;
			q->sub[q->nsub][0] = a;
			q->sub[q->nsub][1] = b;
			q->nsub++;
		}
	}
}

/* --check: a plain backtracking search over the whole board. */
static int safe(const int *col, int row, int c)
{
	int r;

	for (r = 0; r < row; r++)
		if (col[r] == c || abs(col[r] - c) == row - r)
			return 0;
	return 1;
}

static unsigned long long count_plain(int *col, int row, int n)
{
	unsigned long long total = 0;
	int c;

	if (row == n)
		return 1;
	for (c = 0; c < n; c++) {
		if (!safe(col, row, c))
			continue;
		col[row] = c;
		total += count_plain(col, row + 1, n);
	}
	return total;
}

static unsigned long long master(struct app_comm *c, struct nq *q,
				 int static_split)
{
	int workers = c->size - 1, finished = 0, w;
	unsigned long long total = 0, sol;
	uint32_t next = 0;
	char *given;
	struct app_msg *m;
	struct nq_work work;

	if (!workers) {
		for (next = 0; next < q->nsub; next++)
			total += solve_sub(q, next);
		q->done = q->nsub;
		return total;
	}
	given = calloc(c->size, 1);
	if (!given)
		app_die("out of memory");
	while (finished < workers) {
		m = comm_recv(c, APP_BIT(MSG_REQ), APP_ANY, APP_ANY_TAG);
		if (m->hdr.len != sizeof(sol))
			app_die("a %u-byte request from rank %u", m->hdr.len,
				m->hdr.from);
		memcpy(&sol, m->data, sizeof(sol));
		total += sol;
		w = m->hdr.from;
		free(m);
		if (static_split && !given[w]) {
			/* worker w (1..workers) gets the w-th equal share */
			work.first = (uint64_t)q->nsub * (w - 1) / workers;
			work.count = (uint64_t)q->nsub * w / workers - work.first;
		} else if (!static_split && next < q->nsub) {
			work.first = next++;
			work.count = 1;
		} else {
			comm_send(c, w, MSG_DONE, 0, NULL, 0);
			finished++;
			continue;
		}
		given[w] = 1;
		comm_send(c, w, MSG_WORK, work.first, &work, sizeof(work));
	}
	free(given);
	return total;
}

static void worker(struct app_comm *c, struct nq *q)
{
	unsigned long long sol = 0;
	struct app_msg *m;
	struct nq_work work;
	uint32_t s;

	for (;;) {
		comm_send(c, 0, MSG_REQ, 0, &sol, sizeof(sol));
		m = comm_recv(c, APP_BIT(MSG_WORK) | APP_BIT(MSG_DONE), 0,
			      APP_ANY_TAG);
		if (m->hdr.type == MSG_DONE) {
			free(m);
			return;
		}
		if (m->hdr.len != sizeof(work))
			app_die("rank %d: a %u-byte work message", c->rank,
				m->hdr.len);
		memcpy(&work, m->data, sizeof(work));
		free(m);
		if (work.first > q->nsub || work.count > q->nsub - work.first)
			app_die("rank %d: subproblems %u+%u of %u: is rank 0's --size this one?",
				c->rank, work.first, work.count, q->nsub);
		sol = 0;
		for (s = work.first; s < work.first + work.count; s++)
			sol += solve_sub(q, s);
		q->done += work.count;
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "size", required_argument, NULL, 'n' },
		{ "seed", required_argument, NULL, 's' },
		{ "static", no_argument, NULL, 'S' },
		{ "check", no_argument, NULL, 'c' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	int opt, static_split = 0, check = 0, verbose = 0;
	struct nq q = { .n = 12 };
	unsigned long long total;
	struct app_comm c;

	app_prog = "mlog-nqueens";
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "n:s:vh", opts, NULL)) != -1) {
		switch (opt) {
		case 'n':
			q.n = app_num("--size", optarg, 1, MAX_QUEENS);
			break;
		case 's':
			app_num("--seed", optarg, 0, UINT64_MAX);
			break;
		case 'S':
			static_split = 1;
			break;
		case 'c':
			check = 1;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			app_usage("bad option '%s'", app_bad_option(argc, argv));
		}
	}
	if (optind < argc)
		app_usage("unexpected argument '%s'", argv[optind]);

	subproblems(&q);
	comm_open(&c);
	if (c.rank == 0) {
		total = master(&c, &q, static_split);
		printf("nqueens: n=%d subproblems=%u solutions=%llu\n", q.n,
		       q.nsub, total);
		if (check) {
			int col[MAX_QUEENS];
			unsigned long long plain = count_plain(col, 0, q.n);

			if (plain != total)
				app_die("check FAILED: a sequential search finds %llu solutions",
					plain);
			printf("nqueens: check ok: a sequential search finds %llu too\n",
			       plain);
		}
		fflush(stdout);
	} else {
		worker(&c, &q);
	}
	if (verbose)
		comm_progress(&c, "%llu subproblems", q.done);
	comm_close(&c);
	free(q.sub);
	return 0;
}
