// SPDX-License-Identifier: GPL-2.0
/*
 * Sender-based logging bookkeeping: pending RSNs, RSN history, owed RSN
 * acknowledgments.  Callers serialise access (the host's lock, or the
 * socket's for the ack set).
 */
#include <linux/slab.h>
#include <linux/string.h>

#include "slog_core.h"

int mlog_pend_init(struct mlog_pend_set *s, u32 cap, gfp_t gfp)
{
	s->buf = kcalloc(cap, sizeof(*s->buf), gfp);
	s->v = s->buf;
	s->n = 0;
	s->cap = s->buf ? cap : 0;
	s->breaks = 0;
	return s->buf ? 0 : -ENOMEM;
}

void mlog_pend_free(struct mlog_pend_set *s)
{
	kfree(s->buf);
	s->buf = NULL;
	s->v = NULL;
	s->n = 0;
	s->cap = 0;
	s->breaks = 0;
}

/*
 * Acknowledgments of the oldest entries move the start of the set
 * instead of the entries; when an append finds no room after the last
 * entry, they move back to the start of the buffer, once per cap - n
 * appends at most.
 */
void mlog_pend_compact(struct mlog_pend_set *s)
{
	memmove(s->buf, s->v, s->n * sizeof(*s->v));
	s->v = s->buf;
}

/* After entries were taken out of the middle: count the breaks again. */
static void mlog_pend_recount(struct mlog_pend_set *s)
{
	u32 i;

	s->breaks = 0;
	for (i = 1; i < s->n; i++)
		s->breaks += !mlog_pend_follows(&s->v[i - 1], &s->v[i]);
}

/* mlog_pend_run() on a set that is not empty */
bool __mlog_pend_run(const struct mlog_pend_set *s, const void *owner,
		     u32 max, struct mlog_rsn_run *run)
{
	bool skip_sent = false;
	u32 i;

	if (!s->breaks && max > 1) {
		/* one run: the oldest entries, if they are @owner's */
		run->n = 0;
		if (s->v[0].owner != owner)
			return false;
		run->ssn = s->v[0].ssn;
		run->rsn = s->v[0].rsn;
		run->n = min(s->n, max);
		return true;
	}
	if (max == 1) {
		for (i = 0; i < s->n; i++)
			if (s->v[i].owner == owner && !s->v[i].sent)
				skip_sent = true;
	}
	run->n = 0;
	for (i = 0; i < s->n; i++) {
		const struct mlog_pend *p = &s->v[i];

		if (p->owner != owner || (skip_sent && p->sent))
			continue;
		if (!run->n) {
			run->ssn = p->ssn;
			run->rsn = p->rsn;
			run->n = 1;
		} else if (p->rsn == run->rsn + run->n &&
			   p->ssn == run->ssn + run->n) {
			run->n++;
		} else {
			break;
		}
		if (run->n >= max)
			break;
	}
	return run->n > 0;
}

/*
 * The receiver acknowledged RSNs @first .. @first + @n - 1 that were
 * returned on @owner: forget them.  Returns how many were pending, and
 * in *@left (if given) how many of @owner's stay pending, counted in the
 * same pass rather than in a second one with mlog_pend_count().
 */
u32 mlog_pend_ack(struct mlog_pend_set *s, const void *owner, u64 first,
		  u32 n, u32 *left)
{
	u32 i, j = 0, removed = 0, kept = 0;
	u64 lo, off, cnt;

	if (!s->breaks) {
		if (!s->n || s->v[0].owner != owner) {
			if (left)
				*left = 0;
			return 0;
		}
		/* the acknowledged entries are v[lo .. lo + cnt - 1] */
		if (first > s->v[0].rsn) {
			lo = first - s->v[0].rsn;
			off = 0;
		} else {
			lo = 0;
			off = s->v[0].rsn - first;
		}
		cnt = lo < s->n && off < n ? min(s->n - lo, n - off) : 0;
		if (!lo || !cnt || lo + cnt == s->n) {
			/* the head or the tail: what stays is still one run */
			if (!lo)
				s->v += cnt;
			s->n -= cnt;
			if (!s->n)
				s->v = s->buf;
			if (left)
				*left = s->n;
			return cnt;
		}
		/* out of the middle: the general way, which counts breaks */
	}
	for (i = 0; i < s->n; i++) {
		struct mlog_pend *p = &s->v[i];

		if (p->owner == owner) {
			if (p->rsn >= first && p->rsn - first < n) {
				removed++;
				continue;
			}
			kept++;
		}
		if (i != j)
			s->v[j] = *p;
		j++;
	}
	s->n = j;
	mlog_pend_recount(s);
	if (left)
		*left = kept;
	return removed;
}

/* The flow is going away: nothing can acknowledge its RSNs any more. */
u32 mlog_pend_drop_owner(struct mlog_pend_set *s, const void *owner)
{
	u32 i, j = 0, removed = 0;

	for (i = 0; i < s->n; i++) {
		if (s->v[i].owner == owner) {
			removed++;
			continue;
		}
		if (i != j)
			s->v[j] = s->v[i];
		j++;
	}
	s->n = j;
	mlog_pend_recount(s);
	return removed;
}

void mlog_hist_init(struct mlog_hist *h)
{
	INIT_LIST_HEAD(&h->chunks);
	h->nruns = 0;
	h->entries = 0;
}

void mlog_hist_free(struct mlog_hist *h)
{
	struct mlog_hist_chunk *c, *tmp;

	list_for_each_entry_safe(c, tmp, &h->chunks, list) {
		list_del(&c->list);
		kfree(c);
	}
	mlog_hist_init(h);
}

static bool mlog_hist_same_flow(const struct mlog_hist_run *r,
				const struct mlog_hist_key *k)
{
	return r->port == k->port && r->lport == k->lport &&
	       r->src_host == k->src_host && !memcmp(r->node, k->node, 16);
}

/* mlog_hist_reserve() when the last chunk is full: another one. */
int __mlog_hist_reserve(struct mlog_hist *h, gfp_t gfp)
{
	struct mlog_hist_chunk *c = kmalloc(sizeof(*c), gfp | __GFP_NOWARN);

	if (!c)
		return -ENOMEM;
	c->first = 0;
	c->used = 0;
	list_add_tail(&c->list, &h->chunks);
	return 0;
}

/* Record that the message @ssn of flow @k got @rsn (the next RSN). */
int mlog_hist_add(struct mlog_hist *h, const struct mlog_hist_key *k,
		  u64 ssn, u64 rsn, u64 interval, gfp_t gfp)
{
	struct mlog_hist_chunk *c = NULL;
	struct mlog_hist_run *r;

	if (!list_empty(&h->chunks)) {
		c = list_last_entry(&h->chunks, struct mlog_hist_chunk, list);
		if (c->used > c->first) {
			r = &c->run[c->used - 1];
			if (mlog_hist_same_flow(r, k) && r->ssn + r->count == ssn &&
			    r->rsn + r->count == rsn && r->count < U32_MAX) {
				r->count++;
				if (interval > r->interval)
					r->interval = interval;
				h->entries++;
				return 0;
			}
		}
	}
	if (!c || c->used == MLOG_HIST_CHUNK) {
		c = kmalloc(sizeof(*c), gfp | __GFP_NOWARN);
		if (!c)
			return -ENOMEM;
		c->first = 0;
		c->used = 0;
		list_add_tail(&c->list, &h->chunks);
	}
	r = &c->run[c->used++];
	r->ssn = ssn;
	r->rsn = rsn;
	r->interval = interval;
	r->count = 1;
	r->src_host = k->src_host;
	r->port = k->port;
	r->lport = k->lport;
	memcpy(r->node, k->node, 16);
	h->nruns++;
	h->entries++;
	return 0;
}

/* The RSN the message @ssn of flow @k got, if the history still has it. */
bool mlog_hist_find(const struct mlog_hist *h, const struct mlog_hist_key *k,
		    u64 ssn, u64 *rsn)
{
	struct mlog_hist_chunk *c;
	int i;

	/* Duplicates are usually recent: search from the newest run. */
	list_for_each_entry_reverse(c, &h->chunks, list) {
		for (i = (int)c->used - 1; i >= (int)c->first; i--) {
			const struct mlog_hist_run *r = &c->run[i];

			if (mlog_hist_same_flow(r, k) && ssn >= r->ssn &&
			    ssn - r->ssn < r->count) {
				*rsn = r->rsn + (ssn - r->ssn);
				return true;
			}
		}
	}
	return false;
}

/*
 * The host was checkpointed in interval @upto: forget what it received
 * up to there.  Returns the number of messages forgotten.
 */
u64 mlog_hist_purge(struct mlog_hist *h, u64 upto)
{
	struct mlog_hist_chunk *c, *tmp;
	u64 dropped = 0;

	list_for_each_entry_safe(c, tmp, &h->chunks, list) {
		while (c->first < c->used) {
			struct mlog_hist_run *r = &c->run[c->first];
			u64 last = r->rsn + r->count - 1;
			u64 cut;

			if (r->rsn > upto)
				goto out;
			if (last > upto) {
				/* keep the tail of a run that straddles @upto */
				cut = upto - r->rsn + 1;
				r->ssn += cut;
				r->rsn += cut;
				r->count -= cut;
				dropped += cut;
				goto out;
			}
			dropped += r->count;
			c->first++;
			h->nruns--;
		}
		if (c->used < MLOG_HIST_CHUNK)
			break;		/* the tail chunk stays for appends */
		list_del(&c->list);
		kfree(c);
	}
out:
	h->entries -= dropped;
	return dropped;
}

/*
 * Owe acknowledgments of @first .. @first + @n - 1; false when full.
 * A receiver returns its whole pending run again and again until it is
 * acknowledged, so ranges that overlap or touch are merged into one.
 */
bool mlog_ackset_add(struct mlog_ackset *a, u64 first, u32 n)
{
	u64 end, lo, hi;
	u32 i, j;

	if (!n)
		return true;
	end = first + n;		/* the codec rules out wrapping */
	for (i = 0; i < a->used; i++) {
		lo = a->first[i];
		hi = lo + a->n[i];
		if (first > hi || end < lo)
			continue;
		lo = min(lo, first);
		hi = max(hi, end);
		if (hi - lo > U32_MAX)
			continue;
		a->first[i] = lo;
		a->n[i] = hi - lo;
		/* the union may now reach a later slot: fold it in */
		for (j = i + 1; j < a->used; j++) {
			u64 l2 = a->first[j], h2 = l2 + a->n[j];

			if (l2 > hi || h2 < lo || max(hi, h2) - min(lo, l2) > U32_MAX)
				continue;
			lo = min(lo, l2);
			hi = max(hi, h2);
			a->first[i] = lo;
			a->n[i] = hi - lo;
			a->first[j] = a->first[a->used - 1];
			a->n[j] = a->n[a->used - 1];
			a->used--;
			j = i;		/* rescan the rest */
		}
		return true;
	}
	if (a->used == MLOG_ACKSET_SLOTS)
		return false;
	a->first[a->used] = first;
	a->n[a->used] = n;
	a->used++;
	return true;
}

/* Take up to @max acknowledgments of the oldest owed range. */
u32 mlog_ackset_take(struct mlog_ackset *a, u32 max, u64 *first)
{
	u32 n;

	if (!a->used || !max)
		return 0;
	n = min(a->n[0], max);
	*first = a->first[0];
	a->first[0] += n;
	a->n[0] -= n;
	if (!a->n[0]) {
		memmove(&a->first[0], &a->first[1],
			(a->used - 1) * sizeof(a->first[0]));
		memmove(&a->n[0], &a->n[1], (a->used - 1) * sizeof(a->n[0]));
		a->used--;
	}
	return n;
}
