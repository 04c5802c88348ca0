// SPDX-License-Identifier: GPL-2.0
/*
 * gauss - solve A x = b, A a random N x N matrix, by Gaussian elimination
 * with partial pivoting on the ranks of an mlog job (thesis §3.4.4;
 * Documentation/apps.rst).
 *
 * Data-parallel: row i of [A | b] belongs to rank i mod MLOG_SIZE.  Rank 0
 * generates the rows (from --seed) and sends every rank its own, in
 * messages of --chunk bytes at most.  At step k every rank proposes the
 * row among its rows not yet used as a pivot whose entry in column k is
 * largest in magnitude; rank 0, which also holds rows, picks the best
 * proposal (ties go to the lowest row) and tells the rank that holds it,
 * which sends the pivot row, columns k..N, to every other rank; then each
 * rank eliminates column k from its rows.  In the end rank 0 collects the
 * rows of every rank, asking one rank after the other so that only one
 * streams large messages to it at a time (--gather-at-once: all at once),
 * solves the triangular system and prints a checksum of x and the
 * residual max |b - A x| (with the matrix generated again).
 *
 * Messages (tag: the step k, or N for ROWS):
 *	ROWS	0 -> every rank		its rows, N + 1 doubles each
 *	CAND	rank -> 0		s32 row (-1: none left), double |a[row][k]|
 *	PIVOT	0 -> holder		s32 row
 *	ROW	holder -> every other	s32 row, pad, double a[row][k..N]
 *	GATHER	0 -> rank		send your rows (not with --gather-at-once)
 *	RESULT	rank -> 0		its rows, eliminated
 *
 * Determinism: a rank's behaviour depends only on its arguments and on
 * the messages it reads (app.h).  Every row sees the same floating-point
 * operations in the same order whichever rank holds it, and the pivots
 * do not depend on who proposed them first, so x is the same bit for bit
 * for any number of ranks, and so is stdout.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"

enum { MSG_ROWS = 1, MSG_CAND, MSG_PIVOT, MSG_ROW, MSG_GATHER, MSG_RESULT };

#define MAX_N		4096

struct cand {
	int32_t row;
	int32_t pad;
	double mag;
};

struct gauss {
	int n, w;		/* N, row width N + 1 */
	uint64_t seed;
	int rank, size;
	int at_once;		/* --gather-at-once */
	int m;			/* rows this rank holds */
	double *a;		/* those rows, m x w */
	char *used;		/* used[l]: local row l was a pivot */
	int *piv;		/* rank 0: piv[k], the row of step k */
	unsigned char *rowbuf;	/* a ROW message */
	double *pr;		/* the pivot row in rowbuf, columns k..N */
};

static const char usage_text[] =
	"Usage: mlog-gauss [--size N] [--seed S] [--chunk B] [--gather-at-once]\n"
	"                  [--check] [--verbose]\n"
	"Solve a random N x N linear system by Gaussian elimination with partial\n"
	"pivoting, rows spread over the ranks of an mlog job (MLOG_RANK,\n"
	"MLOG_SIZE...: see Documentation/apps.rst).\n"
	"  -n, --size N   matrix size, 1..4096 (default 200)\n"
	"  -s, --seed S   the matrix's random seed, 0..2^64-1 (default 1)\n"
	"  --chunk B      send large data in messages of at most B bytes of\n"
	"                 payload, 64..65524 (default 65524: 64 KiB messages)\n"
	"  --gather-at-once  every rank returns its rows as soon as it is done,\n"
	"                 rather than when rank 0 asks for them, one rank at a time\n"
	"  --check        rank 0 solves again alone, swapping rows, and compares\n"
	"  -v, --verbose  each rank prints one line of statistics on stderr\n"
	"  -h, --help     this help\n";

/* Row @i of [A | b]: its own random stream, so any rank can make it. */
static void gen_row(uint64_t seed, int i, int w, double *row)
{
	uint64_t st = seed ^ (uint64_t)(i + 1) * 0xd1b54a32d192ed03ULL;
	int j;

	app_rand(&st);
	for (j = 0; j < w; j++)
		row[j] = app_rand_sym(&st);
}

static int rows_of(int n, int size, int r)
{
	return r < n ? (n - r + size - 1) / size : 0;
}

static double *row_ptr(struct gauss *g, int l)
{
	return g->a + (size_t)l * g->w;
}

/* Is proposal @x better than @y?  Larger magnitude, then lower row. */
static int better(const struct cand *x, const struct cand *y)
{
	if (x->row < 0)
		return 0;
	if (y->row < 0)
		return 1;
	if (x->mag != y->mag)
		return x->mag > y->mag;
	return x->row < y->row;
}

static void propose(struct gauss *g, int k, struct cand *c)
{
	double v;
	int l;

	c->row = -1;
	c->pad = 0;
	c->mag = 0;
	for (l = 0; l < g->m; l++) {
		if (g->used[l])
			continue;
		v = fabs(row_ptr(g, l)[k]);
		if (c->row < 0 || v > c->mag) {
			c->row = g->rank + l * g->size;
			c->mag = v;
		}
	}
}

/* Rank 0: every rank's proposal for step @k; returns the pivot row. */
static int choose(struct app_comm *c, struct gauss *g, int k)
{
	struct cand best, x;
	struct app_msg *msg;
	int r;

	propose(g, k, &best);
	for (r = 1; r < g->size; r++) {
		msg = comm_recv(c, APP_BIT(MSG_CAND), APP_ANY, k);
		if (msg->hdr.len != sizeof(x))
			app_die("a %u-byte proposal from rank %u",
				msg->hdr.len, msg->hdr.from);
		memcpy(&x, msg->data, sizeof(x));
		if (x.row >= 0 && (x.row >= g->n || x.row % g->size != msg->hdr.from))
			app_die("rank %u proposed row %d", msg->hdr.from, x.row);
		free(msg);
		if (better(&x, &best))
			best = x;
	}
	return best.row;
}

/* This rank holds pivot row @p: send it, columns k..N, to every other. */
static void send_pivot(struct app_comm *c, struct gauss *g, int k, int p)
{
	int l = p / g->size, r;
	size_t len = 8 + sizeof(double) * (g->w - k);

	g->used[l] = 1;
	memcpy(g->rowbuf, &p, sizeof(p));
	memcpy(g->pr, row_ptr(g, l) + k, sizeof(double) * (g->w - k));
	for (r = 0; r < g->size; r++)
		if (r != g->rank)
			comm_send_big(c, r, MSG_ROW, k, g->rowbuf, len);
}

static void eliminate(struct gauss *g, int k)
{
	double piv = g->pr[0], f, *row;
	int l, j;

	if (piv == 0)		/* column k is zero below: singular */
		return;
	for (l = 0; l < g->m; l++) {
		if (g->used[l])
			continue;
		row = row_ptr(g, l);
		f = row[k] / piv;
		row[k] = 0;
		for (j = k + 1; j < g->w; j++)
			row[j] -= f * g->pr[j - k];
	}
}

static void step(struct app_comm *c, struct gauss *g, int k)
{
	size_t len = 8 + sizeof(double) * (g->w - k);
	struct app_msg *msg;
	struct cand x;
	int p;

	if (g->rank == 0) {
		p = choose(c, g, k);
		g->piv[k] = p;
		if (p % g->size == 0) {
			send_pivot(c, g, k, p);
		} else {
			comm_send(c, p % g->size, MSG_PIVOT, k, &p, sizeof(p));
			comm_recv_big(c, MSG_ROW, p % g->size, k, g->rowbuf,
				      len);
		}
	} else {
		propose(g, k, &x);
		comm_send(c, 0, MSG_CAND, k, &x, sizeof(x));
		msg = comm_recv(c, APP_BIT(MSG_PIVOT) | APP_BIT(MSG_ROW),
				APP_ANY, k);
		if (msg->hdr.type == MSG_PIVOT) {
			memcpy(&p, msg->data, sizeof(p));
			free(msg);
			if (p < 0 || p >= g->n || p % g->size != g->rank ||
			    g->used[p / g->size])
				app_die("rank %d: told to send pivot row %d",
					g->rank, p);
			send_pivot(c, g, k, p);
		} else {
			comm_recv_rest(c, msg, g->rowbuf, len);
		}
	}
	eliminate(g, k);
}

/* Rank 0: the rows of every rank, in place in @u (N x w). */
static void gather(struct app_comm *c, struct gauss *g, double *u)
{
	double *buf = malloc(sizeof(double) * rows_of(g->n, g->size, 1) * g->w + 1);
	int r, l, m;

	if (!buf)
		app_die("out of memory");
	for (l = 0; l < g->m; l++)
		memcpy(u + (size_t)l * g->size * g->w, row_ptr(g, l),
		       sizeof(double) * g->w);
	for (r = 1; r < g->size; r++) {
		m = rows_of(g->n, g->size, r);
		if (!g->at_once)
			comm_send(c, r, MSG_GATHER, 0, NULL, 0);
		comm_recv_big(c, MSG_RESULT, r, 0, buf,
			      sizeof(double) * m * g->w);
		for (l = 0; l < m; l++)
			memcpy(u + ((size_t)l * g->size + r) * g->w,
			       buf + (size_t)l * g->w, sizeof(double) * g->w);
	}
	free(buf);
}

/* Back substitution through the pivot rows; 0, or -1 if singular. */
static int back_substitute(int n, const double *u, const int *piv, double *x)
{
	const double *row;
	double s;
	int k, j;

	for (k = n - 1; k >= 0; k--) {
		row = u + (size_t)piv[k] * (n + 1);
		if (row[k] == 0)
			return -1;
		s = row[n];
		for (j = k + 1; j < n; j++)
			s -= row[j] * x[j];
		x[k] = s / row[k];
	}
	return 0;
}

/* --check: plain elimination of the whole system, swapping rows. */
static void solve_alone(int n, uint64_t seed, double *x)
{
	int w = n + 1, i, j, k, p, *piv;
	double *a = malloc(sizeof(double) * n * w), *r, *t, f;

	piv = malloc(sizeof(int) * n);
	t = malloc(sizeof(double) * w);
	if (!a || !piv || !t)
		app_die("out of memory");
	for (i = 0; i < n; i++)
		gen_row(seed, i, w, a + (size_t)i * w);
	for (k = 0; k < n; k++) {
		for (p = k, i = k + 1; i < n; i++)
			if (fabs(a[(size_t)i * w + k]) > fabs(a[(size_t)p * w + k]))
				p = i;
		memcpy(t, a + (size_t)p * w, sizeof(double) * w);
		memcpy(a + (size_t)p * w, a + (size_t)k * w, sizeof(double) * w);
		memcpy(a + (size_t)k * w, t, sizeof(double) * w);
		piv[k] = k;
		if (a[(size_t)k * w + k] == 0)
			continue;
		for (i = k + 1; i < n; i++) {
			r = a + (size_t)i * w;
			f = r[k] / t[k];
			r[k] = 0;
			for (j = k + 1; j < w; j++)
				r[j] -= f * t[j];
		}
	}
	if (back_substitute(n, a, piv, x))
		app_die("check FAILED: the sequential elimination finds the matrix singular");
	free(t);
	free(piv);
	free(a);
}

static void report(struct gauss *g, double *u, int check)
{
	double *x = malloc(sizeof(double) * g->n), *orig, *y;
	double sum = 0, res = 0, s, diff = 0, scale = 1;
	uint64_t hash = 0xcbf29ce484222325ULL, bits;
	int i, j, b;

	orig = malloc(sizeof(double) * g->w);
	if (!x || !orig)
		app_die("out of memory");
	if (back_substitute(g->n, u, g->piv, x)) {
		printf("gauss: n=%d seed=%llu singular\n", g->n,
		       (unsigned long long)g->seed);
		return;
	}
	for (i = 0; i < g->n; i++) {
		sum += x[i];
		memcpy(&bits, &x[i], sizeof(bits));
		for (b = 0; b < 64; b += 8) {	/* FNV-1a over the bytes */
			hash ^= (bits >> b) & 0xff;
			hash *= 0x100000001b3ULL;
		}
		gen_row(g->seed, i, g->w, orig);
		for (s = orig[g->n], j = 0; j < g->n; j++)
			s -= orig[j] * x[j];
		if (fabs(s) > res)
			res = fabs(s);
	}
	printf("gauss: n=%d seed=%llu xsum=%.12e xhash=%016llx residual=%.3e\n",
	       g->n, (unsigned long long)g->seed, sum,
	       (unsigned long long)hash, res);
	if (check) {
		y = malloc(sizeof(double) * g->n);
		if (!y)
			app_die("out of memory");
		solve_alone(g->n, g->seed, y);
		for (i = 0; i < g->n; i++) {
			if (fabs(x[i] - y[i]) > diff)
				diff = fabs(x[i] - y[i]);
			if (fabs(x[i]) > scale)
				scale = fabs(x[i]);
		}
		if (!(diff <= scale / 1e9))
			app_die("check FAILED: the sequential solution differs by %.3e",
				diff);
		printf("gauss: check ok: a sequential elimination differs by %.1e at most\n",
		       diff);
		free(y);
	}
	free(orig);
	free(x);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "size", required_argument, NULL, 'n' },
		{ "seed", required_argument, NULL, 's' },
		{ "chunk", required_argument, NULL, 'C' },
		{ "gather-at-once", no_argument, NULL, 'G' },
		{ "check", no_argument, NULL, 'c' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct gauss g = { .n = 200, .seed = 1 };
	size_t chunk = APP_PAYLOAD_MAX, bytes;
	int opt, check = 0, verbose = 0, r, k, l;
	double *u = NULL, *buf;
	struct app_msg *msg;
	struct app_comm c;

	app_prog = "mlog-gauss";
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "n:s:vh", opts, NULL)) != -1) {
		switch (opt) {
		case 'n':
			g.n = app_num("--size", optarg, 1, MAX_N);
			break;
		case 's':
			g.seed = app_num("--seed", optarg, 0, UINT64_MAX);
			break;
		case 'C':
			chunk = app_num("--chunk", optarg, 64, APP_PAYLOAD_MAX);
			break;
		case 'G':
			g.at_once = 1;
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

	comm_open(&c);
	c.chunk = chunk;
	g.rank = c.rank;
	g.size = c.size;
	g.w = g.n + 1;
	g.m = rows_of(g.n, g.size, g.rank);
	g.a = malloc(sizeof(double) * g.m * g.w + 1);
	g.used = calloc(g.m + 1, 1);
	g.rowbuf = malloc(8 + sizeof(double) * g.w);
	g.pr = (double *)(g.rowbuf + 8);
	if (!g.a || !g.used || !g.rowbuf)
		app_die("out of memory");

	/* rank 0 makes the rows and hands them out */
	bytes = sizeof(double) * g.m * g.w;
	if (g.rank == 0) {
		g.piv = malloc(sizeof(int) * g.n);
		u = malloc(sizeof(double) * g.n * g.w);
		buf = malloc(sizeof(double) * rows_of(g.n, g.size, 1) * g.w + 1);
		if (!g.piv || !u || !buf)
			app_die("out of memory");
		for (l = 0; l < g.m; l++)
			gen_row(g.seed, l * g.size, g.w, row_ptr(&g, l));
		for (r = 1; r < g.size; r++) {
			int mr = rows_of(g.n, g.size, r);

			for (l = 0; l < mr; l++)
				gen_row(g.seed, r + l * g.size, g.w,
					buf + (size_t)l * g.w);
			comm_send_big(&c, r, MSG_ROWS, g.n, buf,
				      sizeof(double) * mr * g.w);
		}
		free(buf);
	} else {
		msg = comm_recv(&c, APP_BIT(MSG_ROWS), 0, APP_ANY_TAG);
		if (msg->hdr.tag != (uint32_t)g.n)
			app_die("rank %d: rank 0 runs --size %u, this rank --size %d",
				g.rank, msg->hdr.tag, g.n);
		comm_recv_rest(&c, msg, g.a, bytes);
	}

	for (k = 0; k < g.n; k++)
		step(&c, &g, k);

	if (g.rank == 0) {
		gather(&c, &g, u);
		report(&g, u, check);
		fflush(stdout);
	} else {
		if (!g.at_once)
			free(comm_recv(&c, APP_BIT(MSG_GATHER), 0, 0));
		comm_send_big(&c, 0, MSG_RESULT, 0, g.a, bytes);
	}
	if (verbose)
		comm_progress(&c, "%d rows", g.m);
	comm_close(&c);
	free(u);
	free(g.piv);
	free(g.rowbuf);
	free(g.used);
	free(g.a);
	return 0;
}
