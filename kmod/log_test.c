// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the message log's receiver index (log.c): entries filed
 * partially logged, given their RSNs in and out of order, purged and
 * walked, against a model that keeps the RSNs in a sorted array.
 */
#include <kunit/test.h>
#include <linux/prandom.h>

#include "mlog.h"

#define LOG_TEST_HOST	7
#define LOG_TEST_STEPS	6000
#define LOG_TEST_MAX	4096

/* Fully logged entries of the receiver, sorted by RSN, and their senders */
struct log_model {
	u64 rsn[LOG_TEST_MAX];
	u32 src[LOG_TEST_MAX];
	u32 n;
	u64 purged;
};

static void model_add(struct log_model *m, u64 rsn, u32 src)
{
	u32 i = m->n;

	if (rsn <= m->purged)
		return;		/* the index drops what a purge covered */
	/* after any equal ones, as the index files them */
	while (i && m->rsn[i - 1] > rsn) {
		m->rsn[i] = m->rsn[i - 1];
		m->src[i] = m->src[i - 1];
		i--;
	}
	m->rsn[i] = rsn;
	m->src[i] = src;
	m->n++;
}

/* Drop RSNs up to @upto, or, with @src, all that host sent. */
static u32 model_purge(struct log_model *m, u64 upto, u32 src)
{
	u32 i, k = 0;

	for (i = 0; i < m->n; i++) {
		if (src ? m->src[i] == src : m->rsn[i] <= upto)
			continue;
		m->rsn[k] = m->rsn[i];
		m->src[k++] = m->src[i];
	}
	i = m->n - k;
	m->n = k;
	if (!src)
		m->purged = max(m->purged, upto);
	return i;
}

/*
 * The index's fully logged entries must be the model's, in order; with
 * @probe, the first one from that RSN on must be the model's too.
 */
static void log_check(struct kunit *test, struct mlog_log *log,
		      const struct log_model *m, u64 probe)
{
	struct mlog_log_dst *d = xa_load(&log->dsts, LOG_TEST_HOST);
	struct mlog_log_rec *rec;
	u32 i = 0, k = 0;

	if (!d) {
		/* nothing filed yet */
		KUNIT_EXPECT_EQ(test, m->n, 0U);
		return;
	}
	spin_lock_bh(&log->lock);
	for (rec = mlog_log_next(d, NULL); rec; rec = mlog_log_next(d, rec)) {
		if (i < m->n)
			KUNIT_EXPECT_EQ(test, rec->rsn, m->rsn[i]);
		KUNIT_EXPECT_EQ(test, rec->state, (u8)MLOG_REC_FULL);
		i++;
	}
	KUNIT_EXPECT_EQ(test, i, m->n);
	if (m->n)
		KUNIT_EXPECT_TRUE(test, d->last && d->last->rsn == m->rsn[m->n - 1]);
	else
		KUNIT_EXPECT_NULL(test, d->last);

	/* the lookup a dump starts from (it folds the tail into the tree) */
	if (!probe)
		goto out;
	while (k < m->n && m->rsn[k] < probe)
		k++;
	rec = mlog_log_first_from(d, probe);
	if (k < m->n)
		KUNIT_EXPECT_TRUE(test, rec && rec->rsn == m->rsn[k]);
	else
		KUNIT_EXPECT_NULL(test, rec);
out:
	spin_unlock_bh(&log->lock);
}

/*
 * Seeded random steps: messages of two sending hosts sent (filed
 * partially logged), RSNs returned mostly in order but also a little
 * below the highest, equal to one filed already, or below a purge;
 * purges by RSN (a checkpoint of the receiver) and by sender (a host
 * removed); lookups.  After every step the index must hold exactly the
 * model's RSNs, in order, with the right highest entry.
 */
static void log_index_matches_model(struct kunit *test)
{
	struct mlog_net *mn = kunit_kzalloc(test, sizeof(*mn), GFP_KERNEL);
	struct log_model *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	bool *gone = kunit_kzalloc(test, LOG_TEST_STEPS + 1, GFP_KERNEL);
	struct mlog_log_dst *hint = NULL;
	struct rnd_state rnd;
	struct mlog_log_rec *rec, *tmp;
	struct mlog_log *log;
	LIST_HEAD(partial);
	u64 next_ssn = 1, next_rsn = 1, upto;
	u32 step, npartial = 0, tailed = 0, folded = 0, by_src = 0;
	long timeo = 0;
	u64 expect;

	KUNIT_ASSERT_NOT_NULL(test, mn);
	KUNIT_ASSERT_NOT_NULL(test, m);
	KUNIT_ASSERT_NOT_NULL(test, gone);
	log = &mn->log;
	mlog_log_init(log);
	prandom_seed_state(&rnd, 1989);

	for (step = 0; step < LOG_TEST_STEPS; step++) {
		u32 r = prandom_u32_state(&rnd) % 100;
		struct mlog_log_dst *d;
		u64 rsn;

		if (r < 45 && npartial < 64 && m->n < LOG_TEST_MAX - 64) {
			/* a message is sent: logged, awaiting its RSN */
			rec = mlog_log_reserve(mn, 8, &timeo);
			KUNIT_ASSERT_FALSE(test, IS_ERR(rec));
			rec->dst_host = LOG_TEST_HOST;
			rec->src_host = 1 + prandom_u32_state(&rnd) % 2;
			rec->ssn = next_ssn++;
			local_bh_disable();
			mlog_log_file(log, rec, false, &hint);
			local_bh_enable();
			list_add_tail(&rec->fnode, &partial);
			npartial++;
			continue;
		}
		if (r < 90 && npartial) {
			/* the receiver returns an RSN for the oldest or newest */
			rec = r & 1 ? list_first_entry(&partial,
						       struct mlog_log_rec, fnode) :
				      list_last_entry(&partial,
						      struct mlog_log_rec, fnode);
			r = prandom_u32_state(&rnd) % 100;
			if (r < 80 || !m->n)
				rsn = next_rsn++;
			else if (r < 90)	/* a little below the highest */
				rsn = next_rsn - 1 -
				      prandom_u32_state(&rnd) % min(next_rsn - 1, 40ULL);
			else			/* one filed already */
				rsn = m->rsn[prandom_u32_state(&rnd) % m->n];
			d = xa_load(&log->dsts, LOG_TEST_HOST);
			if (gone[rec->ssn] || rsn <= m->purged)
				;
			else if (d->last && rsn < d->last->rsn)
				folded++;
			else
				tailed++;
			local_bh_disable();
			KUNIT_EXPECT_EQ(test, mlog_log_rsns(log, &partial, rec->ssn,
							    1, LOG_TEST_HOST,
							    rsn, false), 1U);
			local_bh_enable();
			if (!gone[rec->ssn])
				model_add(m, rsn, rec->src_host);
			npartial--;
		} else if (r < 98 && m->n) {
			/* the receiver's checkpoint covers some of them */
			upto = m->rsn[prandom_u32_state(&rnd) % m->n];
			KUNIT_EXPECT_EQ(test, mlog_log_purge(mn, LOG_TEST_HOST,
							     upto, 0),
					(u64)model_purge(m, upto, 0));
		} else if (m->n) {
			/* sending host 2 is removed: its entries, partial too */
			expect = model_purge(m, 0, 2);
			list_for_each_entry(rec, &partial, fnode) {
				if (rec->src_host == 2 && !gone[rec->ssn]) {
					gone[rec->ssn] = true;
					expect++;
				}
			}
			KUNIT_EXPECT_EQ(test, mlog_log_purge(mn, 0, 0, 2), expect);
			by_src++;
		}
		/* now and then a lookup, which folds: let tails grow */
		log_check(test, log, m, prandom_u32_state(&rnd) % 50 ? 0 :
			  1 + prandom_u32_state(&rnd) % next_rsn);
		if (test->status == KUNIT_FAILURE) {
			kunit_info(test, "failed at step %u\n", step);
			break;
		}
	}
	kunit_info(test, "%u RSNs appended in order, %u below the highest, %u sender purges\n",
		   tailed, folded, by_src);
	KUNIT_EXPECT_GT(test, folded, 100U);
	KUNIT_EXPECT_GT(test, tailed, 1000U);
	KUNIT_EXPECT_GT(test, by_src, 10U);

	/* everything goes: no entry may be left behind */
	mlog_log_purge(mn, LOG_TEST_HOST, U64_MAX, 0);
	list_for_each_entry_safe(rec, tmp, &partial, fnode) {
		list_del_init(&rec->fnode);
		mlog_log_put(log, rec);
	}
	KUNIT_EXPECT_EQ(test, log->entries, 0ULL);
	mlog_log_destroy(log);
}

static struct kunit_case mlog_log_cases[] = {
	KUNIT_CASE(log_index_matches_model),
	{}
};

static struct kunit_suite mlog_log_suite = {
	.name = "mlog-log",
	.test_cases = mlog_log_cases,
};

kunit_test_suite(mlog_log_suite);
