/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sender-based logging: the bookkeeping that needs no sockets, kept apart
 * so that KUnit can drive it directly (slog_test.c).
 */
#ifndef _MLOG_SLOG_CORE_H
#define _MLOG_SLOG_CORE_H

#include <linux/list.h>
#include <linux/minmax.h>
#include <linux/types.h>

/*
 * The RSNs a protected host returned and that were not acknowledged yet,
 * in RSN order (RSNs are assigned in increasing order, so adding is an
 * append).  @owner names the flow each was returned on.
 *
 * The entries of one owner that have been sent are always a prefix of
 * that owner's entries: a run starts at the owner's oldest entry (or,
 * with ranges off, at its oldest one not sent), entries are appended
 * unsent, and acknowledgments only remove.
 */
struct mlog_pend {
	u64	ssn;
	u64	rsn;
	void	*owner;
	bool	sent;		/* carried by a frame at least once */
};

/*
 * @breaks counts the entries that do not continue the one before them
 * (another owner, or a gap in the SSNs or the RSNs).  Usually there is
 * none: one flow's messages are all the host received lately.  Then the
 * whole set is a single run and the operations below that each frame
 * goes through take constant time instead of a walk of the set, which
 * holds up to one entry per message of a window in flight.
 */
struct mlog_pend_set {
	struct mlog_pend	*v;	/* the entries: v[0 .. n - 1] */
	struct mlog_pend	*buf;	/* where they live: buf[0 .. cap - 1] */
	u32			n;
	u32			cap;
	u32			breaks;
};

/* A contiguous range: SSNs ssn .. ssn + n - 1 got RSNs rsn .. rsn + n - 1. */
struct mlog_rsn_run {
	u64	ssn;
	u64	rsn;
	u32	n;
};

int mlog_pend_init(struct mlog_pend_set *s, u32 cap, gfp_t gfp);
void mlog_pend_free(struct mlog_pend_set *s);
bool __mlog_pend_run(const struct mlog_pend_set *s, const void *owner,
		     u32 max, struct mlog_rsn_run *run);
u32 mlog_pend_ack(struct mlog_pend_set *s, const void *owner, u64 first,
		  u32 n, u32 *left);
u32 mlog_pend_drop_owner(struct mlog_pend_set *s, const void *owner);
void mlog_pend_compact(struct mlog_pend_set *s);

/* Does @q continue @p's run: the same owner, the next SSN and RSN? */
static inline bool mlog_pend_follows(const struct mlog_pend *p,
				     const struct mlog_pend *q)
{
	return q->owner == p->owner && q->ssn == p->ssn + 1 &&
	       q->rsn == p->rsn + 1;
}

/*
 * The small operations on the pending RSNs that every message sent or
 * received goes through are inline: they are a few instructions on a
 * set that holds one or two RSNs, less than the call and return around
 * them (a return is an indirect jump: a lookup of translated code under
 * TCG, where the benchmarks run).
 */
/* Record that @rsn was returned for @ssn on @owner; false when full. */
static inline bool mlog_pend_add(struct mlog_pend_set *s, u64 ssn, u64 rsn,
				 void *owner)
{
	struct mlog_pend *p;

	if (s->n >= s->cap || (s->n && s->v[s->n - 1].rsn >= rsn))
		return false;
	if (s->v + s->n == s->buf + s->cap)
		mlog_pend_compact(s);
	p = &s->v[s->n];
	p->ssn = ssn;
	p->rsn = rsn;
	p->owner = owner;
	p->sent = false;
	if (s->n && !mlog_pend_follows(&p[-1], p))
		s->breaks++;
	s->n++;
	return true;
}

/*
 * The range a frame on @owner returns: its oldest pending RSN and those
 * that follow it without a gap in either the SSNs or the RSNs, at most
 * @max of them.  With @max 1 (ranges off), the oldest RSN not sent yet,
 * if any, so that RSNs go out one per frame instead of the oldest over
 * and over.  False if @owner has nothing pending, as a sender of a
 * stream that gets no reply has on every frame.
 */
static inline bool mlog_pend_run(const struct mlog_pend_set *s,
				 const void *owner, u32 max,
				 struct mlog_rsn_run *run)
{
	if (!s->n) {
		run->n = 0;
		return false;
	}
	return __mlog_pend_run(s, owner, max, run);
}

static inline u32 mlog_pend_count(const struct mlog_pend_set *s,
				  const void *owner)
{
	u32 i, c = 0;

	if (!s->breaks)
		return s->n && s->v[0].owner == owner ? s->n : 0;
	for (i = 0; i < s->n; i++)
		c += s->v[i].owner == owner;
	return c;
}

/* Is @rsn still awaiting its acknowledgment?  The set is in RSN order. */
static inline bool mlog_pend_has(const struct mlog_pend_set *s, u64 rsn)
{
	u32 lo = 0, hi = s->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (s->v[mid].rsn < rsn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->n && s->v[lo].rsn == rsn;
}

/*
 * The send-hold rule.  A message sent in state interval @tag may go out
 * on @owner only if every RSN up to @tag was acknowledged, except those
 * that the same frame carries (@run, returned on @owner): the receiver
 * then learns them before it sees the message.
 */
static inline bool mlog_pend_may_send(const struct mlog_pend_set *s,
				      const void *owner, u64 tag,
				      const struct mlog_rsn_run *run)
{
	const struct mlog_pend *p = s->v;
	u64 last;
	u32 i;

	if (!s->breaks) {
		/* one run: RSNs v[0].rsn .. last are due, all of one owner */
		if (!s->n || p->rsn > tag)
			return true;
		last = min(tag, p->rsn + (s->n - 1));
		return run && run->n && p->owner == owner &&
		       p->rsn >= run->rsn && last - run->rsn < run->n;
	}
	for (i = 0; i < s->n && s->v[i].rsn <= tag; i++) {
		p = &s->v[i];
		if (!run || !run->n || p->owner != owner ||
		    p->rsn < run->rsn || p->rsn - run->rsn >= run->n)
			return false;
	}
	return true;
}

/* The RSNs of @run, returned on @owner, went out in a frame. */
static inline void mlog_pend_mark_sent(struct mlog_pend_set *s,
				       const void *owner,
				       const struct mlog_rsn_run *run)
{
	u64 first, end, lo, hi;
	u32 i;

	if (!s->breaks) {
		if (!s->n || s->v[0].owner != owner)
			return;
		/* the run's entries are v[lo .. hi - 1] */
		first = s->v[0].rsn;
		end = run->rsn + run->n;	/* the codec rules out wrapping */
		lo = run->rsn > first ? run->rsn - first : 0;
		hi = end > first ? min_t(u64, s->n, end - first) : 0;
		/*
		 * Newest first: the sent ones are a prefix, so the first one
		 * found sent ends the walk, and each entry is marked once
		 * however often its run goes out.
		 */
		for (i = hi; i > lo && !s->v[i - 1].sent; i--)
			s->v[i - 1].sent = true;
		return;
	}
	for (i = 0; i < s->n; i++) {
		struct mlog_pend *p = &s->v[i];

		if (p->owner == owner && p->rsn >= run->rsn &&
		    p->rsn - run->rsn < run->n)
			p->sent = true;
	}
}

/*
 * RSN history of a host: runs in RSN order, stored in chunks so that it
 * grows without large atomic allocations and is purged from the head.
 */
#define MLOG_HIST_CHUNK	64

struct mlog_hist_run {
	u64	ssn;
	u64	rsn;
	u64	interval;	/* highest sender interval in the run */
	u32	count;
	u32	src_host;
	u16	port;		/* sender's port */
	u16	lport;		/* receiving socket's port */
	u8	node[16];	/* sender's node */
};

struct mlog_hist_chunk {
	struct list_head	list;
	u32			first;	/* runs before this index were purged */
	u32			used;
	struct mlog_hist_run	run[MLOG_HIST_CHUNK];
};

struct mlog_hist {
	struct list_head	chunks;
	u32			nruns;
	u64			entries;	/* messages covered */
};

/* Identity of a message for the history: flow key and SSN. */
struct mlog_hist_key {
	const u8	*node;
	u16		port;
	u16		lport;
	u32		src_host;
};

void mlog_hist_init(struct mlog_hist *h);
void mlog_hist_free(struct mlog_hist *h);
int __mlog_hist_reserve(struct mlog_hist *h, gfp_t gfp);

/*
 * Make sure the next mlog_hist_add() needs no memory, so that a message
 * is only taken when its history entry is sure to be kept.  Inline: the
 * last chunk almost always has room.
 */
static inline int mlog_hist_reserve(struct mlog_hist *h, gfp_t gfp)
{
	const struct mlog_hist_chunk *c;

	if (!list_empty(&h->chunks)) {
		c = list_last_entry(&h->chunks, struct mlog_hist_chunk, list);
		if (c->used < MLOG_HIST_CHUNK)
			return 0;
	}
	return __mlog_hist_reserve(h, gfp);
}

int mlog_hist_add(struct mlog_hist *h, const struct mlog_hist_key *k,
		  u64 ssn, u64 rsn, u64 interval, gfp_t gfp);
bool mlog_hist_find(const struct mlog_hist *h, const struct mlog_hist_key *k,
		    u64 ssn, u64 *rsn);
u64 mlog_hist_purge(struct mlog_hist *h, u64 upto);

/*
 * RSN acknowledgments a sender owes a receiver: a few ranges, merged when
 * they touch.  When all slots are used the caller sends at once.
 */
#define MLOG_ACKSET_SLOTS	8

struct mlog_ackset {
	u64	first[MLOG_ACKSET_SLOTS];
	u32	n[MLOG_ACKSET_SLOTS];
	u32	used;
};

bool mlog_ackset_add(struct mlog_ackset *a, u64 first, u32 n);
u32 mlog_ackset_take(struct mlog_ackset *a, u32 max, u64 *first);

#endif /* _MLOG_SLOG_CORE_H */
