// SPDX-License-Identifier: GPL-2.0
/*
 * tsp - the length of the shortest round trip through N cities, by branch
 * and bound on the ranks of an mlog job (thesis §3.4.4;
 * Documentation/apps.rst).
 *
 * The map: N cities at random integer points of a 1000 x 1000 square
 * (from --seed), distances rounded to integers.  Tours start at city 0.  A
 * subproblem fixes the first two edges, 0 -> a -> b; the subproblems are
 * handed out cheapest start first.  A search is depth-first, nearest city
 * first, and drops a partial tour whose lower bound (half the sum, over
 * the cities still to enter or leave, of their cheapest edges) is not
 * below the best tour known.
 *
 * Rank 0 is the master: it sends every worker the map, then answers
 * requests for work with a subproblem and the best length known, and
 * reports of better tours with the best length known (maybe another
 * worker's, better still).  Workers block for the master's answer, so
 * this is how a bound found by one worker reaches the others: with each
 * piece of work and each answer to a report.  A job of one rank searches
 * everything itself.
 *
 * Messages (tag: the subproblem, the number of cities for MAP, else 0):
 *	MAP	master -> worker	s32 distance[N][N]
 *	REQ	worker -> master	nothing
 *	WORK	master -> worker	s32 best known, u8 a, u8 b
 *	FOUND	worker -> master	s32 length, u8 tour[N]
 *	BEST	master -> worker	s32 best known
 *	DONE	master -> worker	nothing left; the worker's last message
 *
 * Determinism: a rank's behaviour depends only on its arguments and on
 * the messages it reads (app.h).  Which worker finds which tour, and how
 * much the bounds prune, depend on timing; the optimal length printed
 * does not (the tour itself is not printed: several can be optimal).
 */
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"

enum { MSG_MAP = 1, MSG_REQ, MSG_WORK, MSG_FOUND, MSG_BEST, MSG_DONE };

#define MAX_CITIES	32
#define MAX_CHECK	20	/* Held-Karp needs 2^(N-1) * (N-1) words */

struct tsp_work {
	int32_t best;
	uint8_t a, b, pad[2];
};

struct tsp_found {
	int32_t len;
	uint8_t tour[MAX_CITIES];
};

struct tsp {
	int n;
	int32_t d[MAX_CITIES][MAX_CITIES];
	uint8_t near[MAX_CITIES][MAX_CITIES - 1];	/* nearest first */
	int32_t m12[MAX_CITIES];	/* the city's two cheapest edges */
	int32_t m1[MAX_CITIES];		/* its cheapest edge */
	uint32_t nsub;
	uint8_t (*sub)[2];
	int32_t best;
	uint8_t path[MAX_CITIES];
	uint8_t best_tour[MAX_CITIES];
	int progress;	/* --progress: the master reports each hand-out */
	struct app_comm *c;
	unsigned long long nodes, subs_done, found;
};

static const char usage_text[] =
	"Usage: mlog-tsp [--cities N] [--seed S] [--check] [--verbose] [--progress]\n"
	"Shortest round trip through N random cities, by branch and bound on the\n"
	"ranks of an mlog job (MLOG_RANK, MLOG_SIZE...: see Documentation/apps.rst).\n"
	"  -n, --cities N, --size N   number of cities, 3..32 (default 12)\n"
	"  -s, --seed S   the map's random seed, 0..2^64-1 (default 1)\n"
	"  --check        rank 0 solves again by dynamic programming (N <= 20)\n"
	"  -v, --verbose  each rank prints one line of statistics on stderr\n"
	"  --progress     rank 0 prints a line on stderr for each subproblem it\n"
	"                 hands out (a test's sign that it has received requests)\n"
	"  -h, --help     this help\n";

static void make_map(struct tsp *t, uint64_t seed)
{
	int x[MAX_CITIES], y[MAX_CITIES], i, j;
	uint64_t st = seed;
	double dx, dy;

	for (i = 0; i < t->n; i++) {
		x[i] = app_rand(&st) % 1000;
		y[i] = app_rand(&st) % 1000;
	}
	for (i = 0; i < t->n; i++)
		for (j = 0; j < t->n; j++) {
			dx = x[i] - x[j];
			dy = y[i] - y[j];
			t->d[i][j] = (int32_t)(sqrt(dx * dx + dy * dy) + 0.5);
		}
}

static struct tsp *sort_t;	/* qsort() has no context argument */
static int sort_city;

static int by_distance(const void *pa, const void *pb)
{
	int a = *(const uint8_t *)pa, b = *(const uint8_t *)pb;
	int32_t da = sort_t->d[sort_city][a], db = sort_t->d[sort_city][b];

	if (da != db)
		return da < db ? -1 : 1;
	return a - b;
}

static int by_start_cost(const void *pa, const void *pb)
{
	const uint8_t *a = pa, *b = pb;
	int32_t ca = sort_t->d[0][a[0]] + sort_t->d[a[0]][a[1]];
	int32_t cb = sort_t->d[0][b[0]] + sort_t->d[b[0]][b[1]];

	if (ca != cb)
		return ca < cb ? -1 : 1;
	if (a[0] != b[0])
		return a[0] - b[0];
	return a[1] - b[1];
}

/* Everything a rank derives from the map: orders, bounds, subproblems. */
static void prepare(struct tsp *t)
{
	int i, j, k, n = t->n;

	sort_t = t;
	for (i = 0; i < n; i++) {
		for (j = 0, k = 0; j < n; j++)
			if (j != i)
				t->near[i][k++] = j;
		sort_city = i;
		qsort(t->near[i], n - 1, 1, by_distance);
		t->m1[i] = t->d[i][t->near[i][0]];
		t->m12[i] = t->m1[i] + t->d[i][t->near[i][1]];
	}
	t->sub = calloc((n - 1) * (n - 2), sizeof(*t->sub));
	if (!t->sub)
		app_die("out of memory");
	for (i = 1; i < n; i++)
		for (j = 1; j < n; j++)
			if (i != j) {
				t->sub[t->nsub][0] = i;
				t->sub[t->nsub][1] = j;
				t->nsub++;
			}
	qsort(t->sub, t->nsub, sizeof(*t->sub), by_start_cost);
	t->best = INT32_MAX;
}

/* A tour shorter than t->best: tell the master, learn the best known. */
static void found(struct tsp *t, int32_t len)
{
	struct tsp_found f = { .len = len };
	struct app_msg *m;
	int32_t best;

	t->found++;
	t->best = len;
	if (!t->c || t->c->rank == 0) {
		memcpy(t->best_tour, t->path, t->n);
		return;
	}
	memcpy(f.tour, t->path, t->n);
	comm_send(t->c, 0, MSG_FOUND, 0, &f, sizeof(f.len) + t->n);
	m = comm_recv(t->c, APP_BIT(MSG_BEST), 0, APP_ANY_TAG);
	if (m->hdr.len != sizeof(best))
		app_die("rank %d: a %u-byte bound", t->c->rank, m->hdr.len);
	memcpy(&best, m->data, sizeof(best));
	free(m);
	if (best < t->best)
		t->best = best;
}

/*
 * Extend the path of @depth cities ending at @cur, of length @cost;
 * @rest is the sum of m12[] over the cities not visited yet.
 */
static void search(struct tsp *t, int cur, int depth, int32_t cost,
		   uint32_t visited, int32_t rest)
{
	int32_t nc, lb;
	int i, v;

	t->nodes++;
	if (depth == t->n) {
		nc = cost + t->d[cur][0];
		if (nc < t->best)
			found(t, nc);
		return;
	}
	for (i = 0; i < t->n - 1; i++) {
		v = t->near[cur][i];
		if (visited & (1u << v))
			continue;
		nc = cost + t->d[cur][v];
		/*
		 * What is left is a path v -> (every unvisited city) -> 0: each
		 * unvisited city has two of its edges, v and 0 one each.
		 */
		lb = nc + (rest - t->m12[v] + t->m1[v] + t->m1[0] + 1) / 2;
		if (lb >= t->best)
			continue;
		t->path[depth] = v;
		search(t, v, depth + 1, nc, visited | 1u << v,
		       rest - t->m12[v]);
	}
}

static void solve_sub(struct tsp *t, uint32_t s)
{
	int a = t->sub[s][0], b = t->sub[s][1], i;
	int32_t rest = 0;

	for (i = 1; i < t->n; i++)
		if (i != a && i != b)
			rest += t->m12[i];
	t->path[0] = 0;
	t->path[1] = a;
	t->path[2] = b;
	t->subs_done++;
	search(t, b, 3, t->d[0][a] + t->d[a][b], 1u | 1u << a | 1u << b,
	       rest);
}

/* A worker's tour must visit every city once and be as long as it says. */
static void check_tour(const struct tsp *t, const struct tsp_found *f,
		       int from)
{
	uint32_t seen = 0;
	int32_t len = 0;
	int i, v;

	for (i = 0; i < t->n; i++) {
		v = f->tour[i];
		if (v >= t->n || (seen & 1u << v) || (!i && v))
			break;
		seen |= 1u << v;
		len += t->d[v][f->tour[(i + 1) % t->n]];
	}
	if (i < t->n || len != f->len)
		app_die("rank %d reported a tour that is not one of length %d",
			from, f->len);
}

static void master(struct app_comm *c, struct tsp *t)
{
	int workers = c->size - 1, finished = 0, w;
	struct tsp_work work = { 0 };
	struct tsp_found f;
	struct app_msg *m;
	uint32_t next = 0;

	if (!workers) {
		for (next = 0; next < t->nsub; next++)
			solve_sub(t, next);
		return;
	}
	for (w = 1; w <= workers; w++)
		comm_send(c, w, MSG_MAP, t->n, t->d, sizeof(t->d));
	while (finished < workers) {
		m = comm_recv(c, APP_BIT(MSG_REQ) | APP_BIT(MSG_FOUND), APP_ANY,
			      APP_ANY_TAG);
		w = m->hdr.from;
		if (m->hdr.type == MSG_FOUND) {
			if (m->hdr.len != sizeof(f.len) + t->n)
				app_die("a %u-byte tour from rank %d",
					m->hdr.len, w);
			memcpy(&f, m->data, m->hdr.len);
			check_tour(t, &f, w);
			if (f.len < t->best) {
				t->best = f.len;
				memcpy(t->best_tour, f.tour, t->n);
				t->found++;
			}
			comm_send(c, w, MSG_BEST, 0, &t->best,
				  sizeof(t->best));
		} else if (next < t->nsub) {
			work.best = t->best;
			work.a = t->sub[next][0];
			work.b = t->sub[next][1];
			comm_send(c, w, MSG_WORK, next, &work, sizeof(work));
			if (t->progress)
				fprintf(stderr, "tsp: subproblem %u to rank %d\n",
					next, w);
			next++;
		} else {
			comm_send(c, w, MSG_DONE, 0, NULL, 0);
			finished++;
		}
		free(m);
	}
}

static void worker(struct app_comm *c, struct tsp *t)
{
	struct tsp_work work;
	struct app_msg *m;
	uint32_t s;

	m = comm_recv(c, APP_BIT(MSG_MAP), 0, APP_ANY_TAG);
	if (m->hdr.tag != (uint32_t)t->n || m->hdr.len != sizeof(t->d))
		app_die("rank %d: rank 0 has a map of %u cities, this rank --cities %d",
			c->rank, m->hdr.tag, t->n);
	memcpy(t->d, m->data, sizeof(t->d));
	free(m);
	prepare(t);
	for (;;) {
		comm_send(c, 0, MSG_REQ, 0, NULL, 0);
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
		s = m->hdr.tag;
		free(m);
		if (work.best < t->best)
			t->best = work.best;
		if (s >= t->nsub || t->sub[s][0] != work.a ||
		    t->sub[s][1] != work.b)
			app_die("rank %d: rank 0's subproblem %u is not this rank's",
				c->rank, s);
		solve_sub(t, s);
	}
}

/* --check: Held-Karp dynamic programming over the subsets of cities. */
static int32_t held_karp(const struct tsp *t)
{
	int m = t->n - 1, j, k;
	uint32_t full = 1u << m, s;
	int32_t *dp, v, best = INT32_MAX;

	dp = malloc(sizeof(*dp) * full * m);
	if (!dp)
		app_die("out of memory");
	for (s = 0; s < full * m; s++)
		dp[s] = INT32_MAX;
	/* dp[s * m + j]: shortest path 0 -> (cities s) ending at j + 1 */
	for (j = 0; j < m; j++)
		dp[(1u << j) * m + j] = t->d[0][j + 1];
	for (s = 1; s < full; s++)
		for (j = 0; j < m; j++) {
			v = dp[s * m + j];
			if (!(s & 1u << j) || v == INT32_MAX)
				continue;
			for (k = 0; k < m; k++) {
				int32_t *to = &dp[(s | 1u << k) * m + k];

				if (!(s & 1u << k) && v + t->d[j + 1][k + 1] < *to)
					*to = v + t->d[j + 1][k + 1];
			}
		}
	for (j = 0; j < m; j++) {
		v = dp[(full - 1) * m + j] + t->d[j + 1][0];
		if (v < best)
			best = v;
	}
	free(dp);
	return best;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cities", required_argument, NULL, 'n' },
		{ "size", required_argument, NULL, 'N' },
		{ "seed", required_argument, NULL, 's' },
		{ "check", no_argument, NULL, 'c' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "progress", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	int opt, check = 0, verbose = 0;
	static struct tsp t = { .n = 12 };
	unsigned long long seed = 1;
	struct app_comm c;
	int32_t dp;

	app_prog = "mlog-tsp";
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "n:s:vh", opts, NULL)) != -1) {
		switch (opt) {
		case 'n':
		case 'N':
			t.n = app_num(opt == 'N' ? "--size" : "--cities", optarg,
				      3, MAX_CITIES);
			break;
		case 's':
			seed = app_num("--seed", optarg, 0, UINT64_MAX);
			break;
		case 'c':
			check = 1;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'p':
			t.progress = 1;
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
	if (check && t.n > MAX_CHECK)
		app_usage("--check needs --cities %d or fewer", MAX_CHECK);

	comm_open(&c);
	t.c = &c;
	if (c.rank == 0) {
		make_map(&t, seed);
		prepare(&t);
		master(&c, &t);
		printf("tsp: cities=%d seed=%llu subproblems=%u length=%d\n",
		       t.n, seed, t.nsub, t.best);
		if (check) {
			dp = held_karp(&t);
			if (dp != t.best)
				app_die("check FAILED: dynamic programming finds length %d",
					dp);
			printf("tsp: check ok: dynamic programming finds length %d too\n",
			       dp);
		}
		fflush(stdout);
	} else {
		worker(&c, &t);
	}
	if (verbose)
		comm_progress(&c, "%llu subproblems, %llu nodes, %llu better tours",
			      t.subs_done, t.nodes, t.found);
	comm_close(&c);
	free(t.sub);
	return 0;
}
