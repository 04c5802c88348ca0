// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the sender-based logging bookkeeping (slog_core.c) and of
 * the RSN range fields of the frame codec.
 */
#include <kunit/test.h>
#include <linux/prandom.h>

#include "frame.h"
#include "slog_core.h"

static int flow_a, flow_b;
#define A	(&flow_a)
#define B	(&flow_b)

static struct mlog_pend_set *pend_new(struct kunit *test, u32 cap)
{
	struct mlog_pend_set *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_ASSERT_EQ(test, mlog_pend_init(s, cap, GFP_KERNEL), 0);
	return s;
}

/* RSNs are assigned in increasing order; the set refuses anything else. */
static void pend_rsn_assignment(struct kunit *test)
{
	struct mlog_pend_set *s = pend_new(test, 3);

	KUNIT_EXPECT_TRUE(test, mlog_pend_add(s, 1, 1, A));
	KUNIT_EXPECT_TRUE(test, mlog_pend_add(s, 7, 2, B));
	KUNIT_EXPECT_FALSE(test, mlog_pend_add(s, 2, 2, A));	/* reused */
	KUNIT_EXPECT_FALSE(test, mlog_pend_add(s, 2, 1, A));	/* older */
	KUNIT_EXPECT_TRUE(test, mlog_pend_add(s, 2, 3, A));
	KUNIT_EXPECT_FALSE(test, mlog_pend_add(s, 3, 4, A));	/* full */
	KUNIT_EXPECT_EQ(test, mlog_pend_count(s, A), 2U);
	KUNIT_EXPECT_EQ(test, mlog_pend_count(s, B), 1U);
	mlog_pend_free(s);
}

/* Range encoding: 0 pending, 1, exactly 255, more than 255, gaps. */
static void pend_ranges(struct kunit *test)
{
	struct mlog_pend_set *s = pend_new(test, 600);
	struct mlog_rsn_run run;
	u32 i;

	KUNIT_EXPECT_FALSE(test, mlog_pend_run(s, A, 255, &run));
	KUNIT_EXPECT_EQ(test, run.n, 0U);

	KUNIT_ASSERT_TRUE(test, mlog_pend_add(s, 10, 100, A));
	KUNIT_EXPECT_TRUE(test, mlog_pend_run(s, A, 255, &run));
	KUNIT_EXPECT_EQ(test, run.n, 1U);
	KUNIT_EXPECT_EQ(test, run.ssn, 10ULL);
	KUNIT_EXPECT_EQ(test, run.rsn, 100ULL);

	for (i = 1; i < 300; i++)
		KUNIT_ASSERT_TRUE(test, mlog_pend_add(s, 10 + i, 100 + i, A));
	KUNIT_EXPECT_TRUE(test, mlog_pend_run(s, A, 255, &run));
	KUNIT_EXPECT_EQ(test, run.n, 255U);
	/* ranges switched off: one at a time, each RSN once, then again */
	KUNIT_EXPECT_TRUE(test, mlog_pend_run(s, A, 1, &run));
	KUNIT_EXPECT_EQ(test, run.n, 1U);
	KUNIT_EXPECT_EQ(test, run.rsn, 100ULL);
	mlog_pend_mark_sent(s, A, &run);
	KUNIT_EXPECT_TRUE(test, mlog_pend_run(s, A, 1, &run));
	KUNIT_EXPECT_EQ(test, run.rsn, 101ULL);
	for (i = 0; i < 300; i++) {
		mlog_pend_run(s, A, 1, &run);
		mlog_pend_mark_sent(s, A, &run);
	}
	KUNIT_EXPECT_TRUE(test, mlog_pend_run(s, A, 1, &run));
	KUNIT_EXPECT_EQ(test, run.rsn, 100ULL);	/* all sent: oldest again */
	/* a range still starts at the oldest, sent or not */
	KUNIT_EXPECT_TRUE(test, mlog_pend_run(s, A, 255, &run));
	KUNIT_EXPECT_EQ(test, run.rsn, 100ULL);

	/* after acknowledging the first 255, the rest (45) form the run */
	KUNIT_EXPECT_EQ(test, mlog_pend_ack(s, A, 100, 255, NULL), 255U);
	KUNIT_EXPECT_TRUE(test, mlog_pend_run(s, A, 255, &run));
	KUNIT_EXPECT_EQ(test, run.n, 45U);
	KUNIT_EXPECT_EQ(test, run.rsn, 355ULL);
	KUNIT_EXPECT_EQ(test, run.ssn, 265ULL);

	/* an RSN given to another flow in between ends the run */
	mlog_pend_ack(s, A, 0, U32_MAX, NULL);
	KUNIT_ASSERT_TRUE(test, mlog_pend_add(s, 1, 500, A));
	KUNIT_ASSERT_TRUE(test, mlog_pend_add(s, 1, 501, B));
	KUNIT_ASSERT_TRUE(test, mlog_pend_add(s, 2, 502, A));
	KUNIT_EXPECT_TRUE(test, mlog_pend_run(s, A, 255, &run));
	KUNIT_EXPECT_EQ(test, run.n, 1U);
	/* as does a gap in the SSNs */
	mlog_pend_ack(s, B, 501, 1, NULL);
	KUNIT_ASSERT_TRUE(test, mlog_pend_add(s, 9, 503, A));
	KUNIT_EXPECT_TRUE(test, mlog_pend_run(s, A, 255, &run));
	KUNIT_EXPECT_EQ(test, run.n, 1U);
	mlog_pend_free(s);
}

/* Acknowledgments only remove what the same flow was given. */
static void pend_ack(struct kunit *test)
{
	struct mlog_pend_set *s = pend_new(test, 8);
	u32 left = 99;

	mlog_pend_add(s, 1, 1, A);
	mlog_pend_add(s, 1, 2, B);
	mlog_pend_add(s, 2, 3, A);
	KUNIT_EXPECT_EQ(test, mlog_pend_ack(s, A, 2, 1, &left), 0U); /* B's */
	KUNIT_EXPECT_EQ(test, left, 2U);
	KUNIT_EXPECT_EQ(test, mlog_pend_ack(s, A, 1, 1, &left), 1U);
	KUNIT_EXPECT_EQ(test, left, 1U);
	KUNIT_EXPECT_EQ(test, mlog_pend_ack(s, A, 1, 3, &left), 1U);
	KUNIT_EXPECT_EQ(test, left, 0U);
	KUNIT_EXPECT_EQ(test, s->n, 1U);
	KUNIT_EXPECT_EQ(test, mlog_pend_ack(s, A, 1, 3, NULL), 0U); /* again */
	/* a range reaching the end of the RSN space does not wrap */
	KUNIT_EXPECT_EQ(test, mlog_pend_ack(s, B, U64_MAX - 1, 2, &left), 0U);
	KUNIT_EXPECT_EQ(test, left, 1U);
	KUNIT_EXPECT_EQ(test, mlog_pend_drop_owner(s, B), 1U);
	KUNIT_EXPECT_EQ(test, s->n, 0U);
	mlog_pend_free(s);
}

/*
 * Whether one RSN is still pending: how a duplicate of a message is told
 * from one whose RSN was acknowledged (mlog_sl_duplicate()).
 */
static void pend_has(struct kunit *test)
{
	struct mlog_pend_set *s = pend_new(test, 16);
	u64 rsn;

	KUNIT_EXPECT_FALSE(test, mlog_pend_has(s, 1));
	/* every third RSN, of two owners */
	for (rsn = 3; rsn <= 30; rsn += 3)
		mlog_pend_add(s, rsn, rsn, rsn % 2 ? A : B);
	for (rsn = 0; rsn <= 33; rsn++)
		KUNIT_EXPECT_EQ_MSG(test, mlog_pend_has(s, rsn),
				    rsn && rsn <= 30 && !(rsn % 3),
				    "RSN %llu", rsn);
	/* acknowledged ones are gone, the others stay */
	mlog_pend_ack(s, A, 3, 1, NULL);
	mlog_pend_ack(s, B, 30, 1, NULL);
	KUNIT_EXPECT_FALSE(test, mlog_pend_has(s, 3));
	KUNIT_EXPECT_FALSE(test, mlog_pend_has(s, 30));
	KUNIT_EXPECT_TRUE(test, mlog_pend_has(s, 6));
	KUNIT_EXPECT_TRUE(test, mlog_pend_has(s, 27));
	mlog_pend_free(s);
}

/* The send-hold rule and the piggyback decision. */
static void pend_send_rule(struct kunit *test)
{
	struct mlog_pend_set *s = pend_new(test, 8);
	struct mlog_rsn_run run;

	/* nothing pending: anything may go, piggybacked or not */
	KUNIT_EXPECT_TRUE(test, mlog_pend_may_send(s, A, 5, NULL));

	mlog_pend_add(s, 1, 3, A);
	mlog_pend_add(s, 2, 4, A);
	/* sent in interval 2: RSNs 3, 4 came later, no need to wait */
	KUNIT_EXPECT_TRUE(test, mlog_pend_may_send(s, B, 2, NULL));
	/* sent in interval 4 without piggybacking: held */
	KUNIT_EXPECT_FALSE(test, mlog_pend_may_send(s, A, 4, NULL));
	/* to the flow the RSNs go back on, carrying both: may go */
	mlog_pend_run(s, A, 255, &run);
	KUNIT_EXPECT_TRUE(test, mlog_pend_may_send(s, A, 4, &run));
	/* to another flow: held even if that frame carried them */
	KUNIT_EXPECT_FALSE(test, mlog_pend_may_send(s, B, 4, &run));
	/* ranges off: the frame carries only RSN 3; RSN 4 holds it */
	mlog_pend_run(s, A, 1, &run);
	KUNIT_EXPECT_FALSE(test, mlog_pend_may_send(s, A, 4, &run));
	KUNIT_EXPECT_TRUE(test, mlog_pend_may_send(s, A, 3, &run));

	/* an RSN of another flow among them: held until acknowledged */
	mlog_pend_add(s, 1, 5, B);
	mlog_pend_run(s, A, 255, &run);
	KUNIT_EXPECT_FALSE(test, mlog_pend_may_send(s, A, 5, &run));
	mlog_pend_ack(s, B, 5, 1, NULL);
	KUNIT_EXPECT_TRUE(test, mlog_pend_may_send(s, A, 5, &run));
	mlog_pend_free(s);
}

/*
 * The pending set's operations take shortcuts while it is a single run.
 * A model that always walks every entry, as the definitions say, checks
 * them: random sequences of appends (mostly continuing the run, sometimes
 * another flow or an SSN gap), runs marked sent, acknowledgments of the
 * head, the tail, the middle or nothing, send-rule checks and drops.
 */
#define MODEL_CAP	48

struct pend_model {
	struct mlog_pend	v[MODEL_CAP];
	u32			n;
};

static bool model_run(const struct pend_model *m, const void *owner, u32 max,
		      struct mlog_rsn_run *run)
{
	bool skip_sent = false;
	u32 i;

	for (i = 0; i < m->n && max == 1; i++)
		if (m->v[i].owner == owner && !m->v[i].sent)
			skip_sent = true;
	run->n = 0;
	for (i = 0; i < m->n && run->n < max; i++) {
		const struct mlog_pend *p = &m->v[i];

		if (p->owner != owner || (skip_sent && p->sent))
			continue;
		if (!run->n) {
			run->ssn = p->ssn;
			run->rsn = p->rsn;
		} else if (p->rsn != run->rsn + run->n ||
			   p->ssn != run->ssn + run->n) {
			break;
		}
		run->n++;
	}
	return run->n > 0;
}

static bool model_in_run(const struct mlog_pend *p, const void *owner,
			 const struct mlog_rsn_run *run)
{
	return run && p->owner == owner && p->rsn >= run->rsn &&
	       p->rsn - run->rsn < run->n;
}

static bool model_may_send(const struct pend_model *m, const void *owner,
			   u64 tag, const struct mlog_rsn_run *run)
{
	u32 i;

	for (i = 0; i < m->n; i++)
		if (m->v[i].rsn <= tag && !model_in_run(&m->v[i], owner, run))
			return false;
	return true;
}

/* Remove @owner's entries in @first .. + @n - 1 (all of them: n == 0). */
static u32 model_remove(struct pend_model *m, const void *owner, u64 first,
			u32 n, u32 *left)
{
	u32 i, j = 0, removed = 0;

	*left = 0;
	for (i = 0; i < m->n; i++) {
		struct mlog_pend *p = &m->v[i];

		if (p->owner == owner &&
		    (!n || (p->rsn >= first && p->rsn - first < n))) {
			removed++;
			continue;
		}
		*left += p->owner == owner;
		m->v[j++] = *p;
	}
	m->n = j;
	return removed;
}

static void pend_shortcuts_match_walk(struct kunit *test)
{
	struct mlog_pend_set *s = pend_new(test, MODEL_CAP);
	struct pend_model *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	static const u32 maxes[] = { 255, 1, 3 };
	struct rnd_state rnd;
	u64 ssn[2] = { 1, 1 }, rsn = 1, first, tag;
	struct mlog_rsn_run r1, r2;
	u32 i, k, op, len, left1, left2, shortcuts = 0;
	const void *owner;

	KUNIT_ASSERT_NOT_NULL(test, m);
	prandom_seed_state(&rnd, 1989);
	for (i = 0; i < 20000; i++) {
		op = prandom_u32_state(&rnd) % 100;
		/* B gets an RSN now and then, and has them taken often */
		k = prandom_u32_state(&rnd) % (op < 40 ? 32 : 4) ? 0 : 1;
		owner = k ? B : A;
		shortcuts += !s->breaks;
		if (op < 40) {
			if (prandom_u32_state(&rnd) % 64 == 0)
				ssn[k]++;			/* a gap */
			if (m->n < MODEL_CAP) {
				KUNIT_ASSERT_TRUE(test, mlog_pend_add(s, ssn[k],
								      rsn,
								      (void *)owner));
				m->v[m->n].ssn = ssn[k];
				m->v[m->n].rsn = rsn;
				m->v[m->n].owner = (void *)owner;
				m->v[m->n].sent = false;
				m->n++;
				ssn[k]++;
				rsn++;
			}
		} else if (op < 65) {
			len = maxes[prandom_u32_state(&rnd) % 3];
			KUNIT_ASSERT_EQ(test, mlog_pend_run(s, owner, len, &r1),
					model_run(m, owner, len, &r2));
			KUNIT_ASSERT_EQ(test, r1.n, r2.n);
			if (!r1.n)
				continue;
			KUNIT_ASSERT_EQ(test, r1.ssn, r2.ssn);
			KUNIT_ASSERT_EQ(test, r1.rsn, r2.rsn);
			mlog_pend_mark_sent(s, owner, &r1);
			for (k = 0; k < m->n; k++)
				if (model_in_run(&m->v[k], owner, &r2))
					m->v[k].sent = true;
		} else if (op < 90) {
			/* around what is pending: head, tail, middle, none */
			first = m->n ? m->v[prandom_u32_state(&rnd) %
					    m->n].rsn : rsn;
			first -= prandom_u32_state(&rnd) % 3;
			len = 1 + prandom_u32_state(&rnd) % 12;
			if (prandom_u32_state(&rnd) % 4 == 0)
				len = U32_MAX;
			KUNIT_ASSERT_EQ(test, mlog_pend_ack(s, owner, first, len,
							    &left1),
					model_remove(m, owner, first, len,
						     &left2));
			KUNIT_ASSERT_EQ(test, left1, left2);
		} else if (op < 98) {
			tag = rsn - prandom_u32_state(&rnd) % (m->n + 2);
			len = maxes[prandom_u32_state(&rnd) % 3];
			mlog_pend_run(s, owner, len, &r1);
			KUNIT_ASSERT_EQ(test,
					mlog_pend_may_send(s, owner, tag, &r1),
					model_may_send(m, owner, tag, &r1));
			KUNIT_ASSERT_EQ(test,
					mlog_pend_may_send(s, owner, tag, NULL),
					model_may_send(m, owner, tag, NULL));
			for (k = 0, len = 0; k < m->n; k++)
				len += m->v[k].owner == owner;
			KUNIT_ASSERT_EQ(test, mlog_pend_count(s, owner), len);
		} else {
			KUNIT_ASSERT_EQ(test, mlog_pend_drop_owner(s, owner),
					model_remove(m, owner, 0, 0, &left2));
		}
		/* the same entries, sent or not, in the same order */
		KUNIT_ASSERT_EQ(test, s->n, m->n);
		for (k = 0; k < m->n; k++) {
			KUNIT_ASSERT_EQ(test, s->v[k].rsn, m->v[k].rsn);
			KUNIT_ASSERT_EQ(test, s->v[k].ssn, m->v[k].ssn);
			KUNIT_ASSERT_PTR_EQ(test, s->v[k].owner, m->v[k].owner);
			KUNIT_ASSERT_EQ(test, s->v[k].sent, m->v[k].sent);
		}
	}
	kunit_info(test, "%u of 20000 steps began with a single run\n",
		   shortcuts);
	/* both ways were taken, many times */
	KUNIT_EXPECT_GT(test, shortcuts, 2000U);
	KUNIT_EXPECT_LT(test, shortcuts, 18000U);
	mlog_pend_free(s);
}

static void hist_key(struct mlog_hist_key *k, const u8 *node, u16 port)
{
	k->node = node;
	k->port = port;
	k->lport = 7;
	k->src_host = 2;
}

/* RSN history: runs, lookups for duplicates, purges at checkpoints. */
static void hist_runs(struct kunit *test)
{
	static const u8 n1[16] = { 1 }, n2[16] = { 2 };
	struct mlog_hist h;
	struct mlog_hist_key k1, k2;
	u64 rsn = 0;
	u32 i;

	hist_key(&k1, n1, 100);
	hist_key(&k2, n2, 100);
	mlog_hist_init(&h);
	KUNIT_EXPECT_FALSE(test, mlog_hist_find(&h, &k1, 1, &rsn));

	/* a blast from one sender is one run */
	for (i = 0; i < 10; i++)
		KUNIT_ASSERT_EQ(test, mlog_hist_add(&h, &k1, 1 + i, 1 + i, i,
						    GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, h.nruns, 1U);
	KUNIT_EXPECT_EQ(test, h.entries, 10ULL);
	KUNIT_EXPECT_TRUE(test, mlog_hist_find(&h, &k1, 7, &rsn));
	KUNIT_EXPECT_EQ(test, rsn, 7ULL);
	KUNIT_EXPECT_FALSE(test, mlog_hist_find(&h, &k2, 7, &rsn));
	KUNIT_EXPECT_FALSE(test, mlog_hist_find(&h, &k1, 11, &rsn));

	/* interleaved senders: a run each time the sender changes */
	for (i = 0; i < 200; i++)
		KUNIT_ASSERT_EQ(test, mlog_hist_add(&h, i % 2 ? &k2 : &k1,
						    11 + i / 2 + (i % 2) * 1000,
						    11 + i, 0, GFP_KERNEL), 0);
	/* (the first of them continues the blast's run) */
	KUNIT_EXPECT_EQ(test, h.nruns, 200U);
	/* k2's SSN 1011 + j came as message 2j + 1, RSN 12 + 2j */
	KUNIT_EXPECT_TRUE(test, mlog_hist_find(&h, &k2, 1011 + 39, &rsn));
	KUNIT_EXPECT_EQ(test, rsn, 12ULL + 2 * 39);

	/* checkpoint at RSN 5 cuts the first run in two */
	KUNIT_EXPECT_EQ(test, mlog_hist_purge(&h, 5), 5ULL);
	KUNIT_EXPECT_FALSE(test, mlog_hist_find(&h, &k1, 5, &rsn));
	KUNIT_EXPECT_TRUE(test, mlog_hist_find(&h, &k1, 6, &rsn));
	KUNIT_EXPECT_EQ(test, rsn, 6ULL);
	/* purging everything leaves an empty history that still grows */
	KUNIT_EXPECT_EQ(test, mlog_hist_purge(&h, U64_MAX), 205ULL);
	KUNIT_EXPECT_EQ(test, h.entries, 0ULL);
	KUNIT_EXPECT_EQ(test, h.nruns, 0U);
	KUNIT_EXPECT_EQ(test, mlog_hist_add(&h, &k1, 500, 300, 0, GFP_KERNEL), 0);
	KUNIT_EXPECT_TRUE(test, mlog_hist_find(&h, &k1, 500, &rsn));
	KUNIT_EXPECT_EQ(test, rsn, 300ULL);
	mlog_hist_free(&h);
}

/* Owed RSN acknowledgments merge, fill up and drain in ranges. */
static void ackset(struct kunit *test)
{
	struct mlog_ackset a = { 0 };
	u64 first;
	u32 i;

	KUNIT_EXPECT_EQ(test, mlog_ackset_take(&a, 255, &first), 0U);
	KUNIT_EXPECT_TRUE(test, mlog_ackset_add(&a, 10, 5));
	KUNIT_EXPECT_TRUE(test, mlog_ackset_add(&a, 15, 5));	/* after */
	KUNIT_EXPECT_TRUE(test, mlog_ackset_add(&a, 8, 2));	/* before */
	KUNIT_EXPECT_TRUE(test, mlog_ackset_add(&a, 12, 2));	/* inside */
	KUNIT_EXPECT_EQ(test, a.used, 1U);
	KUNIT_EXPECT_EQ(test, mlog_ackset_take(&a, 255, &first), 12U);
	KUNIT_EXPECT_EQ(test, first, 8ULL);

	/* the same pending run returned again, longer each time: one range */
	KUNIT_EXPECT_TRUE(test, mlog_ackset_add(&a, 1, 2));
	KUNIT_EXPECT_TRUE(test, mlog_ackset_add(&a, 1, 4));
	KUNIT_EXPECT_TRUE(test, mlog_ackset_add(&a, 3, 6));
	KUNIT_EXPECT_EQ(test, a.used, 1U);
	/* a range bridging two owed ones merges all three */
	KUNIT_EXPECT_TRUE(test, mlog_ackset_add(&a, 20, 5));
	KUNIT_EXPECT_EQ(test, a.used, 2U);
	KUNIT_EXPECT_TRUE(test, mlog_ackset_add(&a, 9, 11));
	KUNIT_EXPECT_EQ(test, a.used, 1U);
	KUNIT_EXPECT_EQ(test, mlog_ackset_take(&a, 255, &first), 24U);
	KUNIT_EXPECT_EQ(test, first, 1ULL);
	KUNIT_EXPECT_EQ(test, a.used, 0U);

	for (i = 0; i < MLOG_ACKSET_SLOTS; i++)
		KUNIT_EXPECT_TRUE(test, mlog_ackset_add(&a, 100 * i + 1, 1));
	KUNIT_EXPECT_FALSE(test, mlog_ackset_add(&a, 5000, 1));	/* full */

	/* 600 owed in one range go out 255, 255, 90 */
	a.used = 0;
	mlog_ackset_add(&a, 1, 600);
	KUNIT_EXPECT_EQ(test, mlog_ackset_take(&a, 255, &first), 255U);
	KUNIT_EXPECT_EQ(test, mlog_ackset_take(&a, 255, &first), 255U);
	KUNIT_EXPECT_EQ(test, first, 256ULL);
	KUNIT_EXPECT_EQ(test, mlog_ackset_take(&a, 255, &first), 90U);
	KUNIT_EXPECT_EQ(test, a.used, 0U);
}

/* The codec's RSN fields: SSN ranges and DONT_LOG. */
static void frame_logging_ranges(struct kunit *test)
{
	struct mlog_frame in = {
		.type = MLOG_FRAME_ACK, .flags = MLOG_F_ACK | MLOG_F_NEED_RSNACK,
		.rsn = 1, .ssn2 = 1, .rsn_count = 255,
	}, out;
	u8 buf[MLOG_WIRE_HDR_LEN];

	mlog_frame_encode(&in, buf);
	KUNIT_EXPECT_EQ(test, mlog_frame_decode(buf, sizeof(buf), &out),
			MLOG_FRAME_OK);
	KUNIT_EXPECT_EQ(test, out.rsn_count, 255);

	in.ssn2 = 0;			/* SSN 0 is never sent */
	mlog_frame_encode(&in, buf);
	KUNIT_EXPECT_EQ(test, mlog_frame_decode(buf, sizeof(buf), &out),
			MLOG_FRAME_ERANGE);
	in.ssn2 = U64_MAX - 1;		/* wraps */
	mlog_frame_encode(&in, buf);
	KUNIT_EXPECT_EQ(test, mlog_frame_decode(buf, sizeof(buf), &out),
			MLOG_FRAME_ERANGE);

	/* DONT_LOG names SSNs and returns no RSN */
	in.ssn2 = 5;
	in.flags = MLOG_F_ACK | MLOG_F_DONT_LOG;
	in.rsn = 0;
	in.rsn_count = 1;
	mlog_frame_encode(&in, buf);
	KUNIT_EXPECT_EQ(test, mlog_frame_decode(buf, sizeof(buf), &out),
			MLOG_FRAME_OK);
	in.rsn = 9;
	mlog_frame_encode(&in, buf);
	KUNIT_EXPECT_EQ(test, mlog_frame_decode(buf, sizeof(buf), &out),
			MLOG_FRAME_ERANGE);
	in.rsn = 0;
	in.rsn_count = 0;
	in.ssn2 = 0;
	mlog_frame_encode(&in, buf);
	KUNIT_EXPECT_EQ(test, mlog_frame_decode(buf, sizeof(buf), &out),
			MLOG_FRAME_ERANGE);
}

static struct kunit_case mlog_slog_cases[] = {
	KUNIT_CASE(pend_rsn_assignment),
	KUNIT_CASE(pend_ranges),
	KUNIT_CASE(pend_ack),
	KUNIT_CASE(pend_has),
	KUNIT_CASE(pend_send_rule),
	KUNIT_CASE(pend_shortcuts_match_walk),
	KUNIT_CASE(hist_runs),
	KUNIT_CASE(ackset),
	KUNIT_CASE(frame_logging_ranges),
	{}
};

static struct kunit_suite mlog_slog_suite = {
	.name = "mlog-slog",
	.test_cases = mlog_slog_cases,
};

kunit_test_suite(mlog_slog_suite);
