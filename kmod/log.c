// SPDX-License-Identifier: GPL-2.0
/*
 * The node's volatile message log (sender-based logging, thesis 3.3.2).
 *
 * Every message a protected host of this namespace sends is copied into
 * an entry of this log before it leaves; retransmissions come from that
 * copy.  Entries are carved out of fixed-size blocks filled in order; a
 * block is freed when no entry in it is referenced any more (the index,
 * an unacknowledged transmission, a flow waiting for the RSN).  The log
 * is capped: at the cap senders wait (or get EAGAIN) instead of losing
 * entries, and nearing it raises a netlink event for the logging daemon.
 *
 * Entries are found by receiving host: fully logged ones by RSN (a list
 * while the RSNs arrive in order, a red-black tree below it), partially
 * logged ones in send order.
 *
 * Calls nothing of mlog's but the notification interface (notify.h).
 */
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <net/genetlink.h>

#include "mlog.h"
#include "notify.h"

static void mlog_log_free_work(struct work_struct *w)
{
	struct mlog_log *log = container_of(w, struct mlog_log, free_work);
	struct mlog_log_block *b, *tmp;
	LIST_HEAD(victims);

	spin_lock_bh(&log->lock);
	list_splice_init(&log->free_list, &victims);
	spin_unlock_bh(&log->lock);
	list_for_each_entry_safe(b, tmp, &victims, list) {
		list_del(&b->list);
		kvfree(b);
	}
}

static void mlog_log_event_work(struct work_struct *w)
{
	struct mlog_log *log = container_of(w, struct mlog_log, event_work);
	struct mlog_net *mn = container_of(log, struct mlog_net, log);

	mlog_notify(mn, MLOG_EVENT_LOG, NULL);
}

void mlog_log_init(struct mlog_log *log)
{
	spin_lock_init(&log->lock);
	INIT_LIST_HEAD(&log->blocks);
	INIT_LIST_HEAD(&log->free_list);
	xa_init(&log->dsts);
	init_waitqueue_head(&log->wait);
	INIT_WORK(&log->free_work, mlog_log_free_work);
	INIT_WORK(&log->event_work, mlog_log_event_work);
	log->max_bytes = max_t(u64, (u64)mlog_log_max_kb * 1024,
			       MLOG_LOG_BLOCK_BYTES);
	log->piggyback = true;
	log->ranges = true;
	mlog_log_set_rsn_delay(log, 2000);
}

/* Namespace exit: no socket is left, so no entry is referenced. */
void mlog_log_destroy(struct mlog_log *log)
{
	struct mlog_log_block *b, *tmp;
	struct mlog_log_dst *d;
	unsigned long idx;

	cancel_work_sync(&log->event_work);
	flush_work(&log->free_work);
	list_for_each_entry_safe(b, tmp, &log->blocks, list) {
		list_del(&b->list);
		kvfree(b);
	}
	xa_for_each(&log->dsts, idx, d)
		kfree(d);
	xa_destroy(&log->dsts);
}

/* Caller holds log->lock. */
static void mlog_log_pressure(struct mlog_log *log)
{
	bool high = log->bytes * 4 >= log->max_bytes * 3;
	bool low = log->bytes * 2 < log->max_bytes;

	lockdep_assert_held(&log->lock);
	if ((high && !log->pressure) || (low && log->pressure)) {
		log->pressure = high;
		schedule_work(&log->event_work);
	}
}

/* Caller holds log->lock. */
static void mlog_block_release(struct mlog_log *log, struct mlog_log_block *b)
{
	lockdep_assert_held(&log->lock);
	list_move(&b->list, &log->free_list);
	log->bytes -= MLOG_LOG_BLOCK_BYTES;
	schedule_work(&log->free_work);
	mlog_log_pressure(log);
	wake_up_interruptible_all(&log->wait);
}

/* Caller holds log->lock.  Inline: once per message logged. */
static __always_inline struct mlog_log_rec *
mlog_log_carve(struct mlog_log *log, u32 len)
{
	u32 size = mlog_log_rec_size(len);
	struct mlog_log_block *b = log->cur;
	struct mlog_log_rec *rec;

	lockdep_assert_held(&log->lock);
	if (!b || b->used + size > MLOG_LOG_BLOCK_BYTES -
	    offsetof(struct mlog_log_block, data))
		return NULL;
	rec = (struct mlog_log_rec *)(b->data + b->used);
	b->used += size;
	b->live++;
	memset(rec, 0, sizeof(*rec));
	rec->blk = b;
	rec->len = len;
	refcount_set(&rec->refs, 1);
	RB_CLEAR_NODE(&rec->rb);
	INIT_LIST_HEAD(&rec->dnode);
	INIT_LIST_HEAD(&rec->fnode);
	log->entries++;
	return rec;
}

static bool mlog_log_has_room(struct mlog_log *log)
{
	bool room;

	spin_lock_bh(&log->lock);
	room = log->bytes + MLOG_LOG_BLOCK_BYTES <= log->max_bytes;
	spin_unlock_bh(&log->lock);
	return room;
}

/*
 * Could an entry for a message of any size be reserved now, without
 * waiting for a purge?  For poll() on a protected host's socket.
 */
bool mlog_log_writable(struct mlog_log *log)
{
	u32 max = MLOG_LOG_BLOCK_BYTES - offsetof(struct mlog_log_block, data);
	bool room;

	spin_lock_bh(&log->lock);
	room = log->bytes + MLOG_LOG_BLOCK_BYTES <= log->max_bytes ||
	       (log->cur &&
		log->cur->used + mlog_log_rec_size(MLOG_MAX_MSG) <= max);
	spin_unlock_bh(&log->lock);
	return room;
}

/*
 * Reserve an entry for a message of @len bytes; the caller fills it and
 * files it.  Process context.  Waits up to *@timeo for room when the log
 * is at its cap.  Returns the entry (one reference) or an ERR_PTR.
 */
struct mlog_log_rec *mlog_log_reserve(struct mlog_net *mn, u32 len,
				      long *timeo)
{
	struct mlog_log *log = &mn->log;
	struct mlog_log_block *b, *old;
	struct mlog_log_rec *rec;
	bool counted = false;

	for (;;) {
		spin_lock_bh(&log->lock);
		rec = mlog_log_carve(log, len);
		if (rec)
			goto out;
		if (log->bytes + MLOG_LOG_BLOCK_BYTES <= log->max_bytes)
			break;
		spin_unlock_bh(&log->lock);

		/* At the cap: wait for a purge rather than lose an entry. */
		if (!counted) {
			mlog_stat_inc(mn, MLOG_STAT_SL_LOG_FULL);
			counted = true;
		}
		if (!*timeo)
			return ERR_PTR(-EAGAIN);
		if (signal_pending(current))
			return ERR_PTR(sock_intr_errno(*timeo));
		*timeo = wait_event_interruptible_timeout(log->wait,
							  mlog_log_has_room(log),
							  *timeo);
		if (*timeo < 0)
			return ERR_PTR(*timeo);
	}
	/* Count the block before allocating so that racers see the cap. */
	log->bytes += MLOG_LOG_BLOCK_BYTES;
	spin_unlock_bh(&log->lock);

	b = kvmalloc(MLOG_LOG_BLOCK_BYTES, GFP_KERNEL_ACCOUNT);
	spin_lock_bh(&log->lock);
	if (!b) {
		log->bytes -= MLOG_LOG_BLOCK_BYTES;
		spin_unlock_bh(&log->lock);
		return ERR_PTR(-ENOMEM);
	}
	b->used = 0;
	b->live = 0;
	list_add_tail(&b->list, &log->blocks);
	old = log->cur;
	log->cur = b;
	if (old && !old->live)
		mlog_block_release(log, old);
	rec = mlog_log_carve(log, len);
	mlog_log_pressure(log);
out:
	spin_unlock_bh(&log->lock);
	return rec;
}

/* The index of receiver @host, made if need be.  Caller holds log->lock. */
static struct mlog_log_dst *mlog_log_dst_get(struct mlog_log *log, u32 host)
{
	struct mlog_log_dst *d = xa_load(&log->dsts, host);

	lockdep_assert_held(&log->lock);
	if (d)
		return d;
	d = kzalloc(sizeof(*d), GFP_ATOMIC | __GFP_ACCOUNT);
	if (!d)
		return NULL;
	d->host = host;
	d->full = RB_ROOT;
	INIT_LIST_HEAD(&d->tail);
	INIT_LIST_HEAD(&d->partial);
	if (xa_err(xa_store(&log->dsts, host, d, GFP_ATOMIC))) {
		kfree(d);
		return NULL;
	}
	return d;
}

/*
 * The same, where @hint, if it is that receiver's index, saves the
 * lookup: an index lives as long as the namespace, so a pointer to one
 * kept anywhere stays valid.
 */
static inline struct mlog_log_dst *mlog_log_dst(struct mlog_log *log,
						u32 host,
						struct mlog_log_dst *hint)
{
	if (hint && hint->host == host)
		return hint;
	return mlog_log_dst_get(log, host);
}

static struct mlog_log_rec *mlog_log_tree_last(struct mlog_log_dst *d)
{
	struct rb_node *n = rb_last(&d->full);

	return n ? rb_entry(n, struct mlog_log_rec, rb) : NULL;
}

/*
 * Move @d's in-order tail into its tree, which then holds every fully
 * logged entry.  Each one goes right of the tree's highest, without a
 * walk.  An entry is folded at most once, so folding costs no more than
 * putting every entry in the tree at once would have.  Caller holds
 * log->lock.
 */
static void mlog_log_fold(struct mlog_log_dst *d)
{
	struct rb_node *parent = rb_last(&d->full);
	struct mlog_log_rec *rec, *tmp;

	list_for_each_entry_safe(rec, tmp, &d->tail, dnode) {
		INIT_LIST_HEAD(&rec->dnode);
		rb_link_node(&rec->rb, parent,
			     parent ? &parent->rb_right : &d->full.rb_node);
		rb_insert_color(&rec->rb, &d->full);
		parent = &rec->rb;
	}
	INIT_LIST_HEAD(&d->tail);
}

/*
 * The first fully logged entry of @d with an RSN of at least @rsn, or
 * NULL; the entries above it follow by mlog_log_next().  Folds the tail.
 * Caller holds log->lock.
 */
struct mlog_log_rec *mlog_log_first_from(struct mlog_log_dst *d, u64 rsn)
{
	struct rb_node *n, *best = NULL;

	mlog_log_fold(d);
	for (n = d->full.rb_node; n;) {
		if (rb_entry(n, struct mlog_log_rec, rb)->rsn >= rsn) {
			best = n;
			n = n->rb_left;
		} else {
			n = n->rb_right;
		}
	}
	return best ? rb_entry(best, struct mlog_log_rec, rb) : NULL;
}

/*
 * The fully logged entry of @d after @rec in RSN order (the first one if
 * @rec is NULL), or NULL: the tree's, then the tail's.  Caller holds
 * log->lock.
 */
struct mlog_log_rec *mlog_log_next(struct mlog_log_dst *d,
				   struct mlog_log_rec *rec)
{
	struct rb_node *n;

	if (rec && RB_EMPTY_NODE(&rec->rb))
		return list_is_last(&rec->dnode, &d->tail) ? NULL :
		       list_next_entry(rec, dnode);
	n = rec ? rb_next(&rec->rb) : rb_first(&d->full);
	if (n)
		return rb_entry(n, struct mlog_log_rec, rb);
	return list_first_entry_or_null(&d->tail, struct mlog_log_rec, dnode);
}

/* Put @rec into @d, its receiver's index.  Caller holds log->lock. */
static void __mlog_log_index_in(struct mlog_log_dst *d,
				struct mlog_log_rec *rec)
{
	struct rb_node **p, *parent = NULL;

	rec->dst = d;
	if (rec->state == MLOG_REC_PARTIAL) {
		list_add_tail(&rec->dnode, &d->partial);
		return;
	}
	if (!d->last || rec->rsn >= d->last->rsn) {
		/*
		 * RSNs mostly arrive in order: the entry joins the tail,
		 * with no rebalancing of the tree (whose entries are spread
		 * over many pages).
		 */
		list_add_tail(&rec->dnode, &d->tail);
		d->last = rec;
		return;
	}
	/* below the highest: only the tree can take it */
	mlog_log_fold(d);
	p = &d->full.rb_node;
	while (*p) {
		struct mlog_log_rec *r = rb_entry(*p, struct mlog_log_rec, rb);

		parent = *p;
		p = rec->rsn < r->rsn ? &(*p)->rb_left : &(*p)->rb_right;
	}
	rb_link_node(&rec->rb, parent, p);
	rb_insert_color(&rec->rb, &d->full);
}

/*
 * Put @rec (state PARTIAL or FULL) into its receiver's index.  Caller
 * holds log->lock and passes on the index's reference if this fails.
 */
static bool __mlog_log_index(struct mlog_log *log, struct mlog_log_rec *rec,
			     struct mlog_log_dst *hint)
{
	struct mlog_log_dst *d = mlog_log_dst(log, rec->dst_host, hint);

	if (!d) {
		/*
		 * No memory for the receiver's index: the entry still serves
		 * retransmission but cannot be found for replay.
		 */
		rec->state = MLOG_REC_DEAD;
		return false;
	}
	__mlog_log_index_in(d, rec);
	return true;
}

/*
 * Take @rec out of the index; true if it was in it (the caller then drops
 * the index's reference).  Caller holds log->lock.
 */
static bool __mlog_log_unindex(struct mlog_log *log, struct mlog_log_rec *rec)
{
	struct mlog_log_dst *d;

	lockdep_assert_held(&log->lock);
	if (rec->state == MLOG_REC_DEAD)
		return false;
	if (rec->state == MLOG_REC_PARTIAL) {
		list_del_init(&rec->dnode);
		goto out;
	}
	d = rec->dst;
	if (!d)
		goto out;
	if (RB_EMPTY_NODE(&rec->rb)) {
		/* in the tail, whose entry before it is the next highest */
		if (d->last == rec)
			d->last = list_is_first(&rec->dnode, &d->tail) ?
				  mlog_log_tree_last(d) :
				  list_prev_entry(rec, dnode);
		list_del_init(&rec->dnode);
	} else {
		/* the tree's highest is the last only when the tail is empty */
		if (d->last == rec) {
			struct rb_node *prev = rb_prev(&rec->rb);

			d->last = prev ? rb_entry(prev, struct mlog_log_rec, rb) :
					 NULL;
		}
		rb_erase(&rec->rb, &d->full);
		RB_CLEAR_NODE(&rec->rb);
	}
out:
	rec->state = MLOG_REC_DEAD;
	return true;
}

/* Caller holds log->lock. */
static void __mlog_log_put(struct mlog_log *log, struct mlog_log_rec *rec)
{
	struct mlog_log_block *b = rec->blk;

	lockdep_assert_held(&log->lock);
	if (!refcount_dec_and_test(&rec->refs))
		return;
	log->entries--;
	if (!--b->live && b != log->cur)
		mlog_block_release(log, b);
}

/*
 * Enter a newly filled (partial) entry into the index.  The flow that
 * keeps it until its RSN arrives gets a reference of its own if
 * @flow_ref, else it takes over the caller's.  *@hint is the receiver's
 * index the flow last filed in; it is updated.  Caller holds the flow's
 * socket lock, so BHs are off already.
 */
void mlog_log_file(struct mlog_log *log, struct mlog_log_rec *rec,
		   bool flow_ref, struct mlog_log_dst **hint)
{
	struct mlog_log_dst *d = *hint;
	unsigned int refs = flow_ref;

	lockdep_assert_in_softirq();
	spin_lock(&log->lock);
	rec->state = MLOG_REC_PARTIAL;
	if (d && d->host == rec->dst_host) {
		/* the flow's usual receiver: what __mlog_log_index() does */
		rec->dst = d;
		list_add_tail(&rec->dnode, &d->partial);
		refs++;
	} else if (__mlog_log_index(log, rec, d)) {
		refs++;
		*hint = rec->dst;
	}
	if (refs)
		refcount_add(refs, &rec->refs);
	spin_unlock(&log->lock);
}

/*
 * File @rec, just taken off its partial list and made FULL, by its RSN;
 * an RSN the receiver's checkpoint covers already leaves nothing to keep.
 * Caller holds log->lock; the index's reference moves with the entry.
 */
void mlog_log_reindex(struct mlog_log *log, struct mlog_log_rec *rec)
{
	struct mlog_log_dst *d = mlog_log_dst(log, rec->dst_host, rec->dst);

	lockdep_assert_held(&log->lock);
	if (d && rec->rsn > d->purged) {
		__mlog_log_index_in(d, rec);
	} else {
		/* purged already, or no memory for the receiver's index */
		rec->state = MLOG_REC_DEAD;
		__mlog_log_put(log, rec);
	}
}

/*
 * The receiver @dst_host assigned @rsn: the entry is fully logged.  A
 * second, different RSN for the same message is kept as an additional
 * RSN record (the message was received again, as a new message).
 * Caller holds log->lock.
 */
static void __mlog_log_set_rsn(struct mlog_log *log, struct mlog_log_rec *rec,
			       u32 dst_host, u64 rsn)
{
	struct mlog_log_dst *d;

	lockdep_assert_held(&log->lock);
	if (rec->state == MLOG_REC_FULL) {
		if (rec->rsn != rsn)
			rec->extra_rsns++;
		return;
	}
	if (rec->state == MLOG_REC_DEAD)
		return;
	d = rec->dst;
	if (d && d->host == dst_host && rsn > d->purged &&
	    (!d->last || rsn >= d->last->rsn)) {
		/*
		 * The common case, RSNs in order: from the receiver's partial
		 * list straight to the end of its tail, as unindexing and
		 * indexing again would do.
		 */
		list_move_tail(&rec->dnode, &d->tail);
		d->last = rec;
		rec->rsn = rsn;
		rec->state = MLOG_REC_FULL;
		return;
	}
	__mlog_log_unindex(log, rec);
	rec->dst_host = dst_host;
	rec->rsn = rsn;
	rec->state = MLOG_REC_FULL;
	mlog_log_reindex(log, rec);
}

/* Caller holds log->lock. */
static void __mlog_log_unfile(struct mlog_log *log, struct mlog_log_rec *rec)
{
	lockdep_assert_held(&log->lock);
	if (__mlog_log_unindex(log, rec))
		__mlog_log_put(log, rec);
}

/* Take an entry out of the index (receiver unprotected, or DONT_LOG). */
void mlog_log_unfile(struct mlog_log *log, struct mlog_log_rec *rec)
{
	spin_lock_bh(&log->lock);
	__mlog_log_unfile(log, rec);
	spin_unlock_bh(&log->lock);
}

/*
 * A frame returned RSNs @rsn .. for the messages @ssn .. @ssn + @n - 1
 * of a flow whose entries awaiting RSNs are @partial (linked by fnode, in
 * SSN order), or said @dont_log for them.  Each entry found is logged
 * with its RSN (or taken out of the index) and leaves @partial with the
 * flow's reference, all under one hold of the log's lock.  Returns how
 * many were found.  Caller holds the flow's socket lock (BHs off).
 */
u32 mlog_log_rsns(struct mlog_log *log, struct list_head *partial, u64 ssn,
		  u32 n, u32 dst_host, u64 rsn, bool dont_log)
{
	struct mlog_log_rec *rec, *tmp;
	u64 end = ssn + n;
	u32 matched = 0;

	lockdep_assert_in_softirq();
	spin_lock(&log->lock);
	list_for_each_entry_safe(rec, tmp, partial, fnode) {
		if (rec->ssn >= end)
			break;
		if (rec->ssn < ssn)
			continue;
		if (dont_log)
			__mlog_log_unfile(log, rec);
		else
			__mlog_log_set_rsn(log, rec, dst_host,
					   rsn + (rec->ssn - ssn));
		list_del_init(&rec->fnode);
		__mlog_log_put(log, rec);
		matched++;
	}
	spin_unlock(&log->lock);
	return matched;
}

void mlog_log_put(struct mlog_log *log, struct mlog_log_rec *rec)
{
	/*
	 * Only the last reference frees anything (under the lock, which
	 * the block's count needs); the others, such as the transmission
	 * copy's once the receiver has the message, go without it.  An
	 * entry with references left keeps its block, so @rec stays valid.
	 */
	if (refcount_dec_not_one(&rec->refs))
		return;
	spin_lock_bh(&log->lock);
	__mlog_log_put(log, rec);
	spin_unlock_bh(&log->lock);
}

/*
 * Drop the entries for receiver @dst_host with RSNs up to @upto (its
 * checkpoint covers them), all its entries when @upto is U64_MAX, or, with
 * @src_host set, every entry that host sent.  Returns how many.
 */
u64 mlog_log_purge(struct mlog_net *mn, u32 dst_host, u64 upto, u32 src_host)
{
	struct mlog_log *log = &mn->log;
	struct mlog_log_rec *rec, *tmp;
	struct mlog_log_dst *d;
	unsigned long idx;
	u64 count = 0;

	spin_lock_bh(&log->lock);
	xa_for_each(&log->dsts, idx, d) {
		if (!src_host && d->host != dst_host)
			continue;
		for (rec = mlog_log_next(d, NULL); rec; rec = tmp) {
			tmp = mlog_log_next(d, rec);
			if (!src_host && rec->rsn > upto)
				break;
			if (src_host && rec->src_host != src_host)
				continue;
			__mlog_log_unindex(log, rec);
			__mlog_log_put(log, rec);
			count++;
		}
		if (!src_host && upto != U64_MAX) {
			d->purged = max(d->purged, upto);
			continue;
		}
		/*
		 * Everything for this receiver is gone: a host that takes its
		 * index later starts from RSN 1 again.
		 */
		if (!src_host)
			d->purged = 0;
		list_for_each_entry_safe(rec, tmp, &d->partial, dnode) {
			if (src_host && rec->src_host != src_host)
				continue;
			__mlog_log_unindex(log, rec);
			__mlog_log_put(log, rec);
			count++;
		}
	}
	spin_unlock_bh(&log->lock);
	mlog_stat_add(mn, MLOG_STAT_SL_PURGED, count);
	return count;
}

/* Is @rec a message of the flow @id names?  Caller holds log->lock. */
static bool mlog_log_rec_of(const struct mlog_log_rec *rec,
			    const struct mlog_log_flow_id *id)
{
	return !rec->dgram && rec->src_port == id->src_port &&
	       rec->dst_port == id->dst_port &&
	       rec->src_epoch == id->src_epoch &&
	       ipv6_addr_equal(&rec->dst_node, &id->dst);
}

/* Put @rec into @partial, a flow's entries awaiting RSNs, by SSN. */
static void mlog_log_partial_insert(struct list_head *partial,
				    struct mlog_log_rec *rec)
{
	struct mlog_log_rec *pos;

	list_for_each_entry_reverse(pos, partial, fnode) {
		if (pos->ssn < rec->ssn) {
			list_add(&rec->fnode, &pos->fnode);
			return;
		}
	}
	list_add(&rec->fnode, partial);
}

/*
 * The receiver @dst_host was recovered and re-executed through RSN
 * @above: the messages of the flow @id that it had given higher RSNs are
 * partially logged again, in the flow's list @partial (by SSN, with a
 * reference of the flow's), to be sent again and get new RSNs.  Returns
 * how many.  Caller holds the flow's socket lock (BHs off).
 */
u32 mlog_log_unlog(struct mlog_log *log, u32 dst_host, u64 above,
		   const struct mlog_log_flow_id *id, struct list_head *partial)
{
	struct mlog_log_rec *rec, *next;
	struct mlog_log_dst *d;
	u32 n = 0;

	lockdep_assert_in_softirq();
	spin_lock(&log->lock);
	d = dst_host ? xa_load(&log->dsts, dst_host) : NULL;
	if (!d)
		goto out;
	for (rec = mlog_log_first_from(d, above + 1); rec; rec = next) {
		next = mlog_log_next(d, rec);
		if (!mlog_log_rec_of(rec, id))
			continue;
		/* the index keeps its reference through the move */
		__mlog_log_unindex(log, rec);
		rec->state = MLOG_REC_PARTIAL;
		rec->rsn = 0;
		__mlog_log_index_in(d, rec);
		refcount_inc(&rec->refs);
		mlog_log_partial_insert(partial, rec);
		n++;
	}
out:
	spin_unlock(&log->lock);
	return n;
}

/*
 * How long RSNs and acknowledgments wait for a frame to ride on, kept in
 * jiffies too (see mlog_sl_delay()): the conversion is a call.
 */
void mlog_log_set_rsn_delay(struct mlog_log *log, u32 us)
{
	WRITE_ONCE(log->rsn_delay_us, us);
	WRITE_ONCE(log->rsn_delay, usecs_to_jiffies(us) + 1);
}

/*
 * The largest cap a namespace owned by a user namespace other than the
 * initial one may give its log (log_limit_kb, else a quarter of RAM): a
 * user with a user namespace of their own may not let kernel memory grow
 * without bound.  Root on the node sets any cap.
 */
u64 mlog_log_limit(void)
{
	unsigned long kb = READ_ONCE(mlog_log_limit_kb);

	if (kb)
		return (u64)kb * 1024;
	return ((u64)totalram_pages() << PAGE_SHIFT) / 4;
}

int mlog_log_set_max(struct mlog_log *log, u64 max_bytes)
{
	if (max_bytes < MLOG_LOG_BLOCK_BYTES)
		return -EINVAL;
	spin_lock_bh(&log->lock);
	log->max_bytes = max_bytes;
	mlog_log_pressure(log);
	spin_unlock_bh(&log->lock);
	wake_up_interruptible_all(&log->wait);
	return 0;
}

/*
 * Netlink dump of the entries, receiver by receiver: fully logged ones
 * in RSN order from the requested RSN, then partially logged ones in send
 * order.  Entries added or purged between two parts of a dump may be
 * missed or repeated in the partial phase; the RSN order is exact.  Each
 * entry is whole in one part: one that does not fit ends the part and
 * opens the next.  An entry too large for an empty part (the caller sets
 * cb->min_dump_alloc so that none is) fails the dump rather than end it
 * early, which would look like the end of the log.
 */
int mlog_log_dump(struct sk_buff *skb, struct netlink_callback *cb,
		  int (*fill)(struct sk_buff *skb, struct netlink_callback *cb,
			      const struct mlog_log_rec *rec, bool data))
{
	struct mlog_log_dump_ctx *ctx = (void *)cb->ctx;
	struct mlog_net *mn = mlog_pernet(sock_net(skb->sk));
	struct mlog_log *log = &mn->log;
	struct mlog_log_rec *rec;
	struct mlog_log_dst *d;
	unsigned long idx;
	u64 skip;

	BUILD_BUG_ON(sizeof(*ctx) > sizeof(cb->ctx));
	if (ctx->done)
		return 0;

	spin_lock_bh(&log->lock);
	xa_for_each_start(&log->dsts, idx, d, ctx->dst) {
		if (ctx->dst_host != U32_MAX && d->host != ctx->dst_host)
			continue;
		if (idx != ctx->dst) {
			ctx->dst = idx;
			ctx->phase = 0;
			ctx->pos = ctx->from_rsn;
		}
		if (ctx->phase == 0) {
			for (rec = mlog_log_first_from(d, ctx->pos); rec;
			     rec = mlog_log_next(d, rec)) {
				if (ctx->src_host && rec->src_host != ctx->src_host)
					continue;
				if (fill(skb, cb, rec, ctx->data)) {
					ctx->pos = rec->rsn;
					goto full;
				}
			}
			ctx->phase = 1;
			ctx->pos = 0;
		}
		skip = ctx->pos;
		list_for_each_entry(rec, &d->partial, dnode) {
			if (skip) {
				skip--;
				continue;
			}
			if (!ctx->src_host || rec->src_host == ctx->src_host)
				if (fill(skb, cb, rec, ctx->data))
					goto full;
			ctx->pos++;
		}
		/* on to the next receiver */
		ctx->dst = idx + 1;
		ctx->phase = 0;
		ctx->pos = ctx->from_rsn;
		if (idx == ULONG_MAX)
			break;
	}
	ctx->done = true;
	spin_unlock_bh(&log->lock);
	return skb->len;
full:
	spin_unlock_bh(&log->lock);
	return skb->len ? skb->len : -EMSGSIZE;
}
