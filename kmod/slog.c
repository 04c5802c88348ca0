// SPDX-License-Identifier: GPL-2.0
/*
 * Sender-based pessimistic message logging (thesis chapter 3).
 *
 * A protected host is the set of tasks of one PID namespace.  Its sockets
 * copy every message they send into the node's log (log.c) before it
 * leaves, tagged with the host's current state interval (its RSN).  A
 * protected receiver gives every message it delivers the next RSN, records
 * it in its RSN history and dependency vector, and returns the RSN to the
 * sender on the reverse flow; the sender enters it into the log entry
 * (the message is then fully logged) and acknowledges it.
 *
 * The send rule: a message sent in interval t leaves only once every RSN
 * up to t that its host returned has been acknowledged - or when all of
 * those ride in the very frame carrying the message, to the peer that
 * must acknowledge them (piggybacking, 3.2.5), since the peer then handles
 * them before it sees the message.  Held messages stay queued on their
 * flow; standalone frames carry RSNs and acknowledgments when no frame is
 * going the right way soon enough, and RSNs are sent again until they are
 * acknowledged.  Contiguous RSNs go as one range of up to 255.
 *
 * Datagrams (SOCK_DGRAM) are logged the same way, on flows that exist
 * only for the logging: the entry waits for an RSN that comes only if the
 * datagram arrives (the thesis files it as an AdditionalRsn record), a
 * protected receiver drops duplicates by the sending socket's datagram
 * number, and a sender held by the send rule sleeps in sendmsg() instead
 * of queueing (dgram.c).  Hosts themselves are registered in host.c.
 *
 * This file is the logging layer's table of hooks (listed in mlog.h),
 * which the reliability layer (rdm.c, dgram.c) calls under the socket's
 * lock: a hook that needs a frame sent or a flow pushed returns a verdict
 * and never calls back.  It also answers, from af_mlog.c, frames that no
 * socket takes (RSNs for a closed socket, duplicates for a closed port)
 * and datagrams an unprotected socket cannot log.
 *
 * Calls: the log (log.c), the bookkeeping (slog_core.c) and, for those
 * answers, the transport (transport.c, peer.c).
 *
 * Locking: a socket's lock, then its host's lock, then the log's lock.
 */
#include <linux/module.h>
#include <linux/slab.h>

#include "mlog.h"

#define MLOG_RSN_RETRY_MAX	msecs_to_jiffies(1000)

static u32 mlog_sl_max_run(struct mlog_net *mn)
{
	return READ_ONCE(mn->log.ranges) ? 255 : 1;
}

/*
 * How long, in jiffies, an RSN or an acknowledgment waits for a frame to
 * ride on: at least rsn_delay_us.  The current tick may be about to end,
 * so one more is added; with "jiffies + 1" the wait would be anything
 * from nothing to one tick (4 ms at HZ=250), and an exchange answered
 * well within rsn_delay_us would still pay for frames of their own now
 * and then.  Computed when the delay is set (mlog_log_set_rsn_delay()).
 */
static unsigned long mlog_sl_delay(struct mlog_net *mn)
{
	return READ_ONCE(mn->log.rsn_delay);
}

static void mlog_sl_arm(struct mlog_flow *fl, unsigned long when)
{
	if (!timer_pending(&fl->sl_timer) ||
	    time_before(when, fl->sl_timer.expires))
		mod_timer(&fl->sl_timer, when);
}

/*
 * Nothing is due on @fl any more: stop its timer rather than let it fire
 * for nothing (on an idle CPU every firing is a wakeup, which a
 * request-reply exchange would pay for on each message).  Caller holds
 * ms->lock; a callback already running finds nothing due and stops.
 *
 * Not while more than one message of a SOCK_RDM flow is queued or in
 * flight: their acknowledgments bring RSNs to acknowledge in turn, and
 * deleting the timer at each frame only to arm it again at the next RSNs
 * costs a stream more than the timer firing for nothing, which it does
 * at most once per arming: finding nothing due, it stops.
 */
static void mlog_sl_disarm_idle(struct mlog_flow *fl)
{
	bool stream = fl->ms->sk.sk_type == SOCK_RDM &&
		      fl->next_ssn - fl->snd_una > 1;

	lockdep_assert_held(&fl->ms->lock);
	if (!fl->rsn_due && !fl->ack_due && !stream)
		del_timer(&fl->sl_timer);
}

/*
 * The flow's logging timer fired (rdm.c runs it, under ms->lock, for
 * every flow of a protected host's socket): MLOG_SL_CTL if RSNs or RSN
 * acks are due and a frame of their own must carry them now.  The number
 * of the flow's pending RSNs goes to *@npend for mlog_sl_timer_done(),
 * which the caller runs next, after that frame.
 *
 * The timer is left armed for the earliest time ever due (see
 * mlog_sl_arm()), so it often fires with nothing due yet: then it only
 * re-arms, without the host's lock.  The flow's pending RSNs are counted
 * only when a frame may go.
 */
u32 mlog_sl_timer(struct mlog_flow *fl, unsigned long now, u32 *npend)
{
	struct mlog_host *h = fl->ms->host;
	bool send;

	lockdep_assert_held(&fl->ms->lock);
	*npend = 0;
	send = (fl->rsn_due && time_after_eq(now, fl->rsn_due)) ||
	       (fl->ack_due && time_after_eq(now, fl->ack_due));
	if (send) {
		spin_lock(&h->lock);
		*npend = mlog_pend_count(&h->pend, fl);
		spin_unlock(&h->lock);
		if (!*npend) {
			fl->rsn_due = 0;
			fl->rsn_wait = false;
			send = fl->ack_due && time_after_eq(now, fl->ack_due);
		}
	}
	return send ? MLOG_SL_CTL : MLOG_SL_PASS;
}

/*
 * After mlog_sl_timer() (and the frame it asked for, if @sent): what is
 * due next, and the timer armed for it.  Caller holds ms->lock.
 */
void mlog_sl_timer_done(struct mlog_flow *fl, unsigned long now, bool sent,
			u32 npend)
{
	unsigned long next = 0;

	lockdep_assert_held(&fl->ms->lock);
	if (sent) {
		fl->ack_due = fl->owed.used ? now + 1 : 0;
		if (npend) {
			/* Sent again until acknowledged, backing off. */
			fl->rsn_backoff = min_t(unsigned int,
						fl->rsn_backoff + 1, 8);
			fl->rsn_due = now + min_t(unsigned long,
						  fl->rto << fl->rsn_backoff,
						  MLOG_RSN_RETRY_MAX);
		}
	}
	if (fl->rsn_due)
		next = fl->rsn_due;
	if (fl->ack_due && (!next || time_before(fl->ack_due, next)))
		next = fl->ack_due;
	if (next)
		mlog_sl_arm(fl, next);
}

void mlog_sl_flow_init(struct mlog_flow *fl)
{
	INIT_LIST_HEAD(&fl->partial);
}

/*
 * RSNs left the pending set: datagram senders waiting in sendmsg() and
 * poll() look again.  Caller holds h->lock.
 */
static void mlog_sl_pend_gone(struct mlog_host *h)
{
	lockdep_assert_held(&h->lock);
	WRITE_ONCE(h->ack_gen, h->ack_gen + 1);
	/* pairs with the barrier of the waiters' prepare_to_wait */
	if (wq_has_sleeper(&h->sendq))
		wake_up_interruptible_all(&h->sendq);
}

/* Forget what ties @fl to its host and the log.  Caller holds ms->lock. */
void mlog_sl_flow_detach(struct mlog_flow *fl)
{
	struct mlog_net *mn = mlog_sk_net(fl->ms);
	struct mlog_host *h = fl->ms->host;
	struct mlog_log_rec *rec, *tmp;

	lockdep_assert_held(&fl->ms->lock);
	if (!h)
		return;
	spin_lock(&h->lock);
	if (mlog_pend_drop_owner(&h->pend, fl))
		mlog_sl_pend_gone(h);
	spin_unlock(&h->lock);
	list_for_each_entry_safe(rec, tmp, &fl->partial, fnode) {
		list_del_init(&rec->fnode);
		mlog_log_put(&mn->log, rec);
	}
	fl->rsn_due = 0;
	fl->rsn_wait = false;
	fl->ack_due = 0;
	fl->owed.used = 0;
	fl->remote_known = false;
	fl->remote_host = 0;
}

static void mlog_sl_bad(struct mlog_net *mn, enum mlog_stat why)
{
	mlog_stat_inc(mn, why);
	mlog_stat_inc(mn, MLOG_STAT_RX_BAD);
}

/*
 * Check the logging fields of a frame for @fl before anything of it is
 * used.  Caller holds ms->lock.  MLOG_SL_DROP: drop the frame (counted).
 */
u32 mlog_sl_frame_ok(struct mlog_flow *fl, const struct mlog_frame *f)
{
	struct mlog_net *mn = mlog_sk_net(fl->ms);
	struct mlog_host *h = fl->ms->host;
	u64 last;

	lockdep_assert_held(&fl->ms->lock);
	if (f->src_host > mlog_max_hosts ||
	    (fl->remote_known && f->src_host != fl->remote_host)) {
		mlog_sl_bad(mn, MLOG_STAT_SL_BAD_HOST);
		return MLOG_SL_DROP;
	}
	/* an interval no host reaches (and the dependency vector can't hold) */
	if (f->interval > MLOG_INTERVAL_MAX) {
		mlog_sl_bad(mn, MLOG_STAT_SL_BAD_RANGE);
		return MLOG_SL_DROP;
	}
	/* RSNs for a socket that logs nothing */
	if (f->rsn_count && !h) {
		mlog_sl_bad(mn, MLOG_STAT_SL_BAD_RANGE);
		return MLOG_SL_DROP;
	}
	/*
	 * RSNs for messages this flow never sent are ignored (mlog_sl_rsns_in()
	 * uses only those of messages sent), not the rest of the frame: a
	 * recovered host re-executes, and its peer returns, on every frame,
	 * the RSNs of all it still had pending for its old execution, even
	 * of messages not sent again yet.  Still counted (but not as a bad
	 * frame: the frame is used): that is also what a forged one does.
	 */
	if (f->rsn_count && f->ssn2 >= fl->next_ssn)
		mlog_stat_inc(mn, MLOG_STAT_SL_BAD_RANGE);
	if (f->rsnack_count) {
		/* acknowledges RSNs our host has not assigned */
		last = f->rsn2 + f->rsnack_count - 1;
		if (!h || last > READ_ONCE(h->rsn)) {
			mlog_sl_bad(mn, MLOG_STAT_SL_BAD_RANGE);
			return MLOG_SL_DROP;
		}
	}
	return MLOG_SL_PASS;
}

/* RSNs of @fl still waiting for a frame to piggyback on go now. */
void mlog_sl_hurry_flow(struct mlog_flow *fl)
{
	if (fl->rsn_wait) {
		fl->rsn_due = jiffies;
		mlog_sl_arm(fl, jiffies);
	}
}

/*
 * RSN acks for @fl are owed now: they wait a little for a frame going
 * back to ride on, or, with piggybacking off, go in a frame of their own
 * (MLOG_SL_CTL).  Caller holds ms->lock.
 */
static u32 mlog_sl_owe(struct mlog_flow *fl)
{
	struct mlog_net *mn = mlog_sk_net(fl->ms);

	lockdep_assert_held(&fl->ms->lock);
	if (!READ_ONCE(mn->log.piggyback))
		return MLOG_SL_CTL;
	if (!fl->ack_due) {
		fl->ack_due = jiffies + mlog_sl_delay(mn);
		mlog_sl_arm(fl, fl->ack_due);
	}
	return MLOG_SL_PASS;
}

/*
 * The RSNs a frame for @fl returns for messages it sent: they are logged
 * and acknowledgments of them are owed.  MLOG_SL_CTL asks for a frame of
 * their own; MLOG_SL_FLUSH says the owed acknowledgments had no room: the
 * caller sends a frame of their own at once, which makes some, and then
 * calls mlog_sl_rsns_flushed().  Caller holds ms->lock.
 */
u32 mlog_sl_rsns_in(struct mlog_flow *fl, const struct mlog_frame *f)
{
	struct mlog_sock *ms = fl->ms;
	struct mlog_net *mn = mlog_sk_net(ms);
	bool dont_log;
	u32 matched, n;

	lockdep_assert_held(&ms->lock);
	if (!fl->remote_known) {
		fl->remote_host = f->src_host;
		fl->remote_known = true;
	}
	if (!ms->host || !f->rsn_count || f->ssn2 >= fl->next_ssn)
		return MLOG_SL_PASS;

	dont_log = f->flags & MLOG_F_DONT_LOG;
	/* only for messages sent (mlog_sl_frame_ok()) */
	n = min_t(u64, f->rsn_count, fl->next_ssn - f->ssn2);
	matched = mlog_log_rsns(&mn->log, &fl->partial, f->ssn2, n,
				fl->remote_host, f->rsn, dont_log);
	if (dont_log) {
		mlog_stat_add(mn, MLOG_STAT_SL_DONT_LOG, n);
		return MLOG_SL_PASS;
	}
	mlog_stat_add(mn, MLOG_STAT_SL_RSN_LOGGED, matched);
	/*
	 * Acknowledge (again, if our ack was lost) the RSNs of what we sent
	 * and logged, no more: an RSN acknowledged lets its receiver send
	 * what depends on it.
	 */
	if (!mlog_ackset_add(&fl->owed, f->rsn, n))
		return MLOG_SL_FLUSH;
	return mlog_sl_owe(fl);
}

/*
 * After MLOG_SL_FLUSH from mlog_sl_rsns_in() and the frame it asked for:
 * the acknowledgments of frame @f's RSNs are owed now.  Returns as
 * mlog_sl_rsns_in() does, less MLOG_SL_FLUSH.  Caller holds ms->lock.
 */
u32 mlog_sl_rsns_flushed(struct mlog_flow *fl, const struct mlog_frame *f)
{
	u32 n = min_t(u64, f->rsn_count, fl->next_ssn - f->ssn2);

	lockdep_assert_held(&fl->ms->lock);
	mlog_ackset_add(&fl->owed, f->rsn, n);
	return mlog_sl_owe(fl);
}

/*
 * The RSN acks a frame for @fl carries: those RSNs leave the host's
 * pending set.  MLOG_SL_RELEASE: flows held by the send rule may go now;
 * the caller pushes those of this socket and then calls
 * mlog_sl_released().  Caller holds ms->lock.
 */
u32 mlog_sl_acks_in(struct mlog_flow *fl, const struct mlog_frame *f)
{
	struct mlog_sock *ms = fl->ms;
	struct mlog_net *mn = mlog_sk_net(ms);
	struct mlog_host *h = ms->host;
	u32 removed, left;
	bool held;

	lockdep_assert_held(&ms->lock);
	if (!h || !f->rsnack_count)
		return MLOG_SL_PASS;
	spin_lock(&h->lock);
	removed = mlog_pend_ack(&h->pend, fl, f->rsn2, f->rsnack_count, &left);
	if (!left)
		fl->rsn_due = 0;
	if (removed)
		mlog_sl_pend_gone(h);
	/* no flow of the host is held: nothing to push (see below) */
	held = h->held_any;
	spin_unlock(&h->lock);
	if (removed) {
		fl->rsn_backoff = 0;
		mlog_stat_add(mn, MLOG_STAT_SL_RSNACK_RECEIVED, removed);
		if (held)
			return MLOG_SL_RELEASE;
	}
	mlog_sl_disarm_idle(fl);
	return MLOG_SL_PASS;
}

/*
 * After MLOG_SL_RELEASE from mlog_sl_acks_in() for @fl, the flows of its
 * socket held by the send rule were pushed: those of the host's other
 * sockets go from its work item.  Only asked for when h->held_any was
 * seen set: a SOCK_RDM flow is held only after it set h->held_any (under
 * h->lock), which stays set until the work item clears it and then
 * pushes every held flow, and a flow that stays held sets it again.
 * Caller holds ms->lock.
 */
void mlog_sl_released(struct mlog_flow *fl)
{
	struct mlog_host *h = fl->ms->host;
	bool others;

	lockdep_assert_held(&fl->ms->lock);
	spin_lock(&h->lock);
	others = h->held_any;
	if (others)
		h->kick_push = true;
	spin_unlock(&h->lock);
	if (others)
		queue_work(system_highpri_wq, &h->kick_work);
	mlog_sl_disarm_idle(fl);
}

static void mlog_sl_hist_key(struct mlog_flow *fl, const struct mlog_frame *f,
			     struct mlog_hist_key *k)
{
	k->node = fl->addr.s6_addr;
	k->port = fl->port;
	k->lport = fl->ms->port;
	k->src_host = f->src_host;
}

/* mlog_sl_dep() when the entry may have to grow: a walk of the array. */
static noinline void mlog_sl_dep_raise(struct mlog_net *mn,
				       struct mlog_host *h, u32 src,
				       u64 interval)
{
	XA_STATE(xas, &h->deps, src);
	void *old;

	lockdep_assert_held(&h->lock);
	do {
		xas_lock(&xas);
		old = xas_load(&xas);
		if (!old || xa_to_value(old) < interval)
			xas_store(&xas, xa_mk_value(interval));
		xas_unlock(&xas);
	} while (xas_nomem(&xas, GFP_ATOMIC));
	if (xas_error(&xas)) {
		mlog_stat_inc(mn, MLOG_STAT_NO_MEMORY);
		return;
	}
	h->dep_src = src;
	h->dep_interval = max(interval, old ? xa_to_value(old) : 0);
}

/*
 * The host now depends on interval @interval of host @src: raise its
 * dependency vector entry, in one walk of the array.  Entries only grow
 * (until mlog_sl_state_set() replaces them all), so a message from the
 * same sender in an interval already recorded, as in any stream of
 * messages, needs no walk at all (nor the walk's state on the stack of
 * every message).  Caller holds h->lock.
 */
static inline void mlog_sl_dep(struct mlog_net *mn, struct mlog_host *h,
			       u32 src, u64 interval)
{
	if (src != h->dep_src || interval > h->dep_interval)
		mlog_sl_dep_raise(mn, h, src, interval);
}

/*
 * Message f->ssn of @fl, charged to the socket, is about to be queued
 * for the application: it starts a new state interval of the host.  The
 * RSNs awaiting acknowledgment and the history are bounded; at a bound
 * the message is not taken (false), and not acknowledged either, so its
 * sender keeps it and tries again later: MLOG_SL_DROP.  MLOG_SL_CTL: the
 * RSN goes back in a frame of its own, now (piggybacking is off); the
 * caller sends it before it queues the message.  Caller holds ms->lock.
 */
u32 mlog_sl_deliver(struct mlog_flow *fl, const struct mlog_frame *f)
{
	struct mlog_sock *ms = fl->ms;
	struct mlog_net *mn = mlog_sk_net(ms);
	struct mlog_host *h = ms->host;
	/* only a protected sender can log the RSN */
	bool need = (f->flags & MLOG_F_NEED_RSN) && f->src_host;
	struct mlog_hist_key k;
	u64 rsn;

	lockdep_assert_held(&ms->lock);
	if (!h)
		return MLOG_SL_PASS;
	mlog_sl_hist_key(fl, f, &k);
	spin_lock(&h->lock);
	if (h->pend.n >= h->pend.cap ||
	    h->hist.nruns >= READ_ONCE(mlog_max_history) ||
	    mlog_hist_reserve(&h->hist, GFP_ATOMIC)) {
		spin_unlock(&h->lock);
		return MLOG_SL_DROP;
	}
	/* read without the lock by mlog_dgram_sendmsg_logged() */
	rsn = h->rsn + 1;
	WRITE_ONCE(h->rsn, rsn);
	if (f->src_host)
		mlog_sl_dep(mn, h, f->src_host, f->interval);
	/* there is room for both, as just checked */
	mlog_hist_add(&h->hist, &k, f->ssn, rsn, f->interval, GFP_ATOMIC);
	if (need)
		mlog_pend_add(&h->pend, f->ssn, rsn, fl);
	spin_unlock(&h->lock);
	mlog_stat_inc(mn, MLOG_STAT_SL_RSN_ASSIGNED);
	if (!need)
		return MLOG_SL_PASS;
	/*
	 * A frame of its own: the frame carries the RSN and arms the
	 * timer until it is acknowledged (mlog_sl_fill()).
	 */
	if (!READ_ONCE(mn->log.piggyback))
		return MLOG_SL_CTL;
	if (!fl->rsn_wait) {
		/* wait a little for a frame going back to carry it */
		fl->rsn_wait = true;
		fl->rsn_due = jiffies + mlog_sl_delay(mn);
	}
	mlog_sl_arm(fl, fl->rsn_due);
	return MLOG_SL_PASS;
}

/*
 * Logged message @m of @fl is delivered again to its replaying host
 * (replay.c): it starts the same state interval as the first time, with
 * the same dependency and history entry, but no RSN goes back, since the
 * sender's log has it.  Caller holds ms->lock.
 */
void mlog_sl_replay_deliver(struct mlog_flow *fl,
			    const struct mlog_replay_msg *m)
{
	struct mlog_sock *ms = fl->ms;
	struct mlog_net *mn = mlog_sk_net(ms);
	struct mlog_host *h = ms->host;
	struct mlog_hist_key k = {
		.node = fl->addr.s6_addr,
		.port = fl->port,
		.lport = ms->port,
		.src_host = m->src_host,
	};

	lockdep_assert_held(&ms->lock);
	spin_lock(&h->lock);
	WRITE_ONCE(h->rsn, m->rsn);
	if (m->src_host)
		mlog_sl_dep(mn, h, m->src_host, m->interval);
	if (!mlog_hist_reserve(&h->hist, GFP_ATOMIC))
		mlog_hist_add(&h->hist, &k, m->ssn, m->rsn, m->interval,
			      GFP_ATOMIC);
	else
		mlog_stat_inc(mn, MLOG_STAT_NO_MEMORY);
	spin_unlock(&h->lock);
}

/*
 * The recovered host at the other end of @fl re-executed through RSN
 * @replayed.  The RSNs it had given our messages beyond that belong to an
 * execution that will not happen again: those messages go back to
 * waiting for an RSN, with the partially logged ones, and are sent again
 * (rdm.c, mlog_rdm_rewind()); RSN acknowledgments we owed the old
 * execution are void.  Caller holds ms->lock.
 */
void mlog_sl_rewind(struct mlog_flow *fl, u64 replayed)
{
	struct mlog_sock *ms = fl->ms;
	struct mlog_log_flow_id id = {
		.dst = fl->addr,
		.src_epoch = ms->epoch,
		.src_port = ms->port,
		.dst_port = fl->port,
	};

	lockdep_assert_held(&ms->lock);
	if (!ms->host)
		return;
	mlog_log_unlog(&mlog_sk_net(ms)->log, mlog_key_host(&fl->addr),
		       replayed, &id, &fl->partial);
	fl->owed.used = 0;
	fl->ack_due = 0;
}

/*
 * The logging fields of a frame of its own that answers a duplicate,
 * message @ssn of @fl: its RSN @rsn, or DONT_LOG if @rsn is 0.  The
 * caller built the frame's header and transport acknowledgment.
 */
void mlog_sl_fill_answer(struct mlog_flow *fl, struct mlog_frame *f, u64 ssn,
			 u64 rsn)
{
	f->src_host = fl->ms->host->index;
	f->incarnation = fl->ms->host->incarnation;
	f->ssn2 = ssn;
	f->rsn_count = 1;
	if (rsn)
		f->rsn = rsn;
	else
		f->flags |= MLOG_F_DONT_LOG;
}

/*
 * A message @fl delivered before arrived again (the sender retransmits,
 * or re-executes after its recovery).  It gets no new RSN: the original
 * one if it is still pending (which goes again soon), else
 * MLOG_SL_ANSWER: the caller answers at once, in a frame of its own
 * (mlog_sl_fill_answer()), with the RSN found in the history, in *@rsn,
 * or with DONT_LOG if that is 0.
 *
 * A datagram below the last one delivered on its flow need not be a copy
 * of a delivered one: it may have been overtaken, and was then dropped
 * as lost (dgram.c).  DONT_LOG would make its sender discard the entry
 * of a message that is neither purged nor delivered, leaving a hole in
 * the host's SSNs; a datagram the history does not hold gets no answer,
 * and its entry stays partial like any lost datagram's.  Caller holds
 * ms->lock.
 */
u32 mlog_sl_duplicate(struct mlog_flow *fl, const struct mlog_frame *f,
		      u64 *rsn)
{
	struct mlog_net *mn = mlog_sk_net(fl->ms);
	struct mlog_host *h = fl->ms->host;
	struct mlog_hist_key k;
	bool pending, found;

	lockdep_assert_held(&fl->ms->lock);
	*rsn = 0;
	if (!h || !(f->flags & MLOG_F_NEED_RSN) || f->frag_off)
		return MLOG_SL_PASS;
	mlog_sl_hist_key(fl, f, &k);
	spin_lock(&h->lock);
	found = mlog_hist_find(&h->hist, &k, f->ssn, rsn);
	pending = found && mlog_pend_has(&h->pend, *rsn);
	spin_unlock(&h->lock);
	if (pending) {
		/* it is in flight already; hurry it */
		fl->rsn_due = jiffies;
		mlog_sl_arm(fl, jiffies);
		return MLOG_SL_PASS;
	}
	if (!found) {
		*rsn = 0;
		if (fl->ms->sk.sk_type == SOCK_DGRAM)
			return MLOG_SL_PASS;
	}
	mlog_stat_inc(mn, found ? MLOG_STAT_SL_DUP_RSN : MLOG_STAT_SL_DONT_LOG);
	return MLOG_SL_ANSWER;
}

/* The RSNs frame @f carries to be logged (none if it says DONT_LOG). */
static void mlog_sl_frame_run(const struct mlog_frame *f,
			      struct mlog_rsn_run *run)
{
	run->ssn = f->ssn2;
	run->rsn = f->rsn;
	run->n = (f->flags & MLOG_F_DONT_LOG) ? 0 : f->rsn_count;
}

/*
 * Put this flow's RSNs and owed RSN acks in frame @f: any frame may carry
 * them when piggybacking is on, only standalone ones when it is off.
 * Caller holds ms->lock.
 */
void mlog_sl_fill(struct mlog_flow *fl, struct mlog_frame *f, bool standalone)
{
	struct mlog_net *mn = mlog_sk_net(fl->ms);
	struct mlog_host *h = fl->ms->host;
	u32 max = mlog_sl_max_run(mn);
	struct mlog_rsn_run run;
	bool rule_clear;
	u64 first;
	u32 n;

	lockdep_assert_held(&fl->ms->lock);
	if (!h)
		return;
	f->src_host = h->index;
	f->incarnation = h->incarnation;
	fl->chk_valid = false;
	rule_clear = fl->rule_clear;
	fl->rule_clear = false;
	if (!standalone && !READ_ONCE(mn->log.piggyback))
		return;
	if ((f->flags & MLOG_F_NEED_RSN) && rule_clear &&
	    fl->rule_interval == f->interval) {
		/*
		 * The message's first frame, right after the send rule found
		 * nothing of this flow pending (so nothing to carry) and every
		 * RSN up to the interval acknowledged: only other flows' RSNs
		 * went since, or came, newer than the interval.
		 */
		fl->chk_run.n = 0;
		fl->chk_interval = f->interval;
		fl->chk_ok = true;
		fl->chk_valid = true;
		goto acks;
	}
	spin_lock(&h->lock);
	if (mlog_pend_run(&h->pend, fl, max, &run)) {
		f->rsn = run.rsn;
		f->ssn2 = run.ssn;
		f->rsn_count = run.n;
		f->flags |= MLOG_F_NEED_RSNACK;
		mlog_pend_mark_sent(&h->pend, fl, &run);
	}
	if (f->flags & MLOG_F_NEED_RSN) {
		/* the send rule on what the frame now carries */
		mlog_sl_frame_run(f, &fl->chk_run);
		fl->chk_interval = f->interval;
		fl->chk_ok = mlog_pend_may_send(&h->pend, fl, f->interval,
						&fl->chk_run);
		fl->chk_valid = true;
	}
	spin_unlock(&h->lock);
	if (f->rsn_count) {
		mlog_stat_add(mn, MLOG_STAT_SL_RSN_RETURNED, f->rsn_count);
		/* sent: again after a retransmission timeout if not acked */
		fl->rsn_wait = false;
		fl->rsn_due = jiffies + min_t(unsigned long,
					      fl->rto << fl->rsn_backoff,
					      MLOG_RSN_RETRY_MAX);
		mlog_sl_arm(fl, fl->rsn_due);
	}
acks:
	if (fl->owed.used) {
		n = mlog_ackset_take(&fl->owed, max, &first);
		f->rsn2 = first;
		f->rsnack_count = n;
	}
	if (!fl->owed.used)
		fl->ack_due = 0;
	mlog_sl_disarm_idle(fl);
}

/*
 * A message is held: RSNs still waiting for a frame to piggyback on must
 * go now, in frames of their own, so that their acks come back soon.
 */
static void mlog_sl_hurry(struct mlog_sock *ms)
{
	struct mlog_host *h = ms->host;
	struct mlog_flow *fl;
	bool others = false;
	u32 i;
	int bkt;

	spin_lock(&h->lock);
	for (i = 0; i < h->pend.n; i++) {
		fl = h->pend.v[i].owner;
		if (fl->ms != ms && !h->pend.v[i].sent)
			others = true;
	}
	if (others)
		h->kick_rsn = true;
	spin_unlock(&h->lock);

	hash_for_each(ms->flows, bkt, fl, node)
		mlog_sl_hurry_flow(fl);
	if (others)
		queue_work(system_highpri_wq, &h->kick_work);
}

/* A message counted in one of Table 3.7's columns, per host and node. */
static void mlog_sl_count_tx(struct mlog_net *mn, atomic64_t *host_count,
			     enum mlog_stat s)
{
	atomic64_inc(host_count);
	mlog_stat_inc(mn, s);
}

/*
 * The send rule for a message of @interval going to @fl, counted once per
 * message in one of the three Table 3.7 columns (*@delayed remembers an
 * earlier refusal).  A message that may go gets its host SSN in
 * *@host_ssn if that is given.  Caller holds ms->lock.
 */
static bool mlog_sl_rule(struct mlog_flow *fl, u64 interval, bool *delayed,
			 u64 *host_ssn, bool *clear)
{
	struct mlog_sock *ms = fl->ms;
	struct mlog_net *mn = mlog_sk_net(ms);
	struct mlog_host *h = ms->host;
	bool piggy = READ_ONCE(mn->log.piggyback);
	struct mlog_rsn_run run = { 0 };
	bool ok;

	lockdep_assert_held(&ms->lock);
	spin_lock(&h->lock);
	if (piggy)
		mlog_pend_run(&h->pend, fl, mlog_sl_max_run(mn), &run);
	ok = mlog_pend_may_send(&h->pend, fl, interval, piggy ? &run : NULL);
	if (ok && !*delayed) {
		if (run.n)
			mlog_sl_count_tx(mn, &h->tx_piggyback,
					 MLOG_STAT_SL_TX_PIGGYBACK);
		else
			mlog_sl_count_tx(mn, &h->tx_plain, MLOG_STAT_SL_TX_PLAIN);
	} else if (!ok && !*delayed) {
		*delayed = true;
		mlog_sl_count_tx(mn, &h->tx_delayed, MLOG_STAT_SL_TX_DELAYED);
	}
	if (!ok && ms->sk.sk_type == SOCK_RDM)
		h->held_any = true;
	if (ok && host_ssn)
		*host_ssn = ++h->ssn;
	if (clear)
		*clear = ok && piggy && !run.n;
	spin_unlock(&h->lock);
	if (!ok)
		mlog_sl_hurry(ms);
	return ok;
}

/*
 * The send rule for a datagram of @interval going to @fl: MLOG_SL_PASS if
 * it may go now, its host SSN then in *@host_ssn, else MLOG_SL_HOLD.
 * *@delayed remembers an earlier refusal, for counting.  Caller holds
 * ms->lock.
 */
u32 mlog_sl_dgram_rule(struct mlog_flow *fl, u64 interval, bool *delayed,
		       u64 *host_ssn)
{
	lockdep_assert_held(&fl->ms->lock);
	if (mlog_sl_rule(fl, interval, delayed, host_ssn, NULL))
		return MLOG_SL_PASS;
	return MLOG_SL_HOLD;
}

/*
 * May message @m of @fl go on the wire for the first time?  Applies the
 * send rule: MLOG_SL_PASS, or MLOG_SL_HOLD, and the caller holds the
 * flow until acknowledgments arrive (MLOG_SL_RELEASE).  Caller holds
 * ms->lock.
 */
u32 mlog_sl_may_send(struct mlog_flow *fl, struct mlog_txmsg *m)
{
	struct mlog_net *mn = mlog_sk_net(fl->ms);
	struct mlog_host *h = fl->ms->host;

	lockdep_assert_held(&fl->ms->lock);
	if (!h)
		return MLOG_SL_PASS;
	if (!READ_ONCE(h->pend.n)) {
		/*
		 * No RSN of the host awaits acknowledgment: nothing to carry,
		 * nothing to wait for, and no need for the lock.  Every RSN
		 * up to the message's interval entered the set before the
		 * message got that interval, under h->lock, which this CPU
		 * (or the one that queued the message under ms->lock) took
		 * since; and an RSN never enters the set again, so finding
		 * it empty now means each of them was acknowledged.
		 */
		if (!m->delayed)
			mlog_sl_count_tx(mn, &h->tx_plain, MLOG_STAT_SL_TX_PLAIN);
		fl->rule_clear = READ_ONCE(mn->log.piggyback);
		fl->rule_interval = m->interval;
		return MLOG_SL_PASS;
	}
	if (mlog_sl_rule(fl, m->interval, &m->delayed, NULL, &fl->rule_clear)) {
		fl->rule_interval = m->interval;
		return MLOG_SL_PASS;
	}
	return MLOG_SL_HOLD;
}

/*
 * Instrumented check of the send rule on the frame actually built: every
 * RSN up to the message's interval (f->interval) is acknowledged or
 * carried by @f.  mlog_sl_fill() evaluated it already, under the host's
 * lock it held anyway, on the RSNs it had just put in the frame (or took
 * the verdict of the send rule, which found none to put); if the frame
 * still carries exactly those, for the same interval, that verdict
 * stands: the flow's own pending RSNs cannot change while the caller
 * holds ms->lock, and the other flows' can only go (acknowledged) or be
 * newer than the interval.  Otherwise the rule is evaluated again here.
 * Caller holds ms->lock.
 */
void mlog_sl_check_frame(struct mlog_flow *fl, const struct mlog_frame *f)
{
	struct mlog_net *mn = mlog_sk_net(fl->ms);
	struct mlog_host *h = fl->ms->host;
	struct mlog_rsn_run run;
	bool ok;

	lockdep_assert_held(&fl->ms->lock);
	if (!h)
		return;
	mlog_sl_frame_run(f, &run);
	if (fl->chk_valid && fl->chk_interval == f->interval &&
	    fl->chk_run.n == run.n &&
	    (!run.n || (fl->chk_run.ssn == run.ssn &&
			fl->chk_run.rsn == run.rsn))) {
		ok = fl->chk_ok;
	} else {
		spin_lock(&h->lock);
		ok = mlog_pend_may_send(&h->pend, fl, f->interval, &run);
		spin_unlock(&h->lock);
	}
	fl->chk_valid = false;
	if (!ok)
		mlog_stat_inc(mn, MLOG_STAT_SL_HOLD_VIOLATION);
}

/* The receiver has message @m: its transmission copy is not needed. */
void mlog_sl_acked(struct mlog_flow *fl, struct mlog_txmsg *m)
{
	struct mlog_net *mn = mlog_sk_net(fl->ms);
	struct mlog_log_rec *rec = m->rec;

	if (!rec)
		return;
	/* An unprotected receiver never returns an RSN: nothing to keep. */
	if (fl->remote_known && !fl->remote_host) {
		mlog_log_unfile(&mn->log, rec);
		if (!list_empty(&rec->fnode)) {
			list_del_init(&rec->fnode);
			mlog_log_put(&mn->log, rec);
		}
	}
	m->rec = NULL;
	mlog_log_put(&mn->log, rec);
}

/*
 * A message of @len bytes is about to be sent by a protected host: copy
 * it into the log.  Process context, no locks held.
 */
struct mlog_log_rec *mlog_sl_log_msg(struct mlog_sock *ms, struct msghdr *msg,
				     u32 len, long *timeo)
{
	struct mlog_net *mn = mlog_sk_net(ms);
	struct mlog_log_rec *rec;

	rec = mlog_log_reserve(mn, len, timeo);
	if (IS_ERR(rec))
		return rec;
	if (!copy_from_iter_full(rec->data, len, &msg->msg_iter)) {
		mlog_log_put(&mn->log, rec);
		return ERR_PTR(-EFAULT);
	}
	return rec;
}

/*
 * Complete log entry @rec of a message sent on @fl with @ssn in @interval
 * (its host_ssn is set already) and file it; the flow keeps it until the
 * receiver's RSN arrives, with the caller's reference for a datagram.
 * Caller holds ms->lock.  Inline: once per message logged.
 */
static __always_inline void mlog_sl_file(struct mlog_flow *fl,
					 struct mlog_log_rec *rec, u64 ssn,
					 u64 interval, bool dgram)
{
	struct mlog_sock *ms = fl->ms;
	struct mlog_net *mn = mlog_sk_net(ms);
	struct mlog_host *h = ms->host;

	lockdep_assert_held(&ms->lock);
	rec->src_host = h->index;
	rec->dst_host = fl->remote_host;
	rec->dst_node = fl->addr;
	rec->dst_port = fl->port;
	rec->src_port = ms->port;
	rec->src_epoch = ms->epoch;
	rec->src_hostaddr = ms->bound_host;
	rec->ssn = ssn;
	rec->interval = interval;
	rec->dgram = dgram;
	/*
	 * The flow keeps it until the receiver's RSN arrives: a SOCK_RDM
	 * message keeps the caller's reference for retransmission, a
	 * datagram's passes to the flow.
	 */
	mlog_log_file(&mn->log, rec, !dgram, &fl->log_dst);
	list_add_tail(&rec->fnode, &fl->partial);
	mlog_stat_inc(mn, MLOG_STAT_SL_LOGGED);
	mlog_stat_add(mn, MLOG_STAT_SL_LOG_BYTES, rec->len);
}

/*
 * Message @m, logged in m->rec, gets its SSN on @fl: it belongs to the
 * host's current state interval.  Caller holds ms->lock.
 */
void mlog_sl_enqueue(struct mlog_flow *fl, struct mlog_txmsg *m)
{
	struct mlog_host *h = fl->ms->host;

	lockdep_assert_held(&fl->ms->lock);
	spin_lock(&h->lock);
	m->interval = h->rsn;
	m->rec->host_ssn = ++h->ssn;
	spin_unlock(&h->lock);
	mlog_sl_file(fl, m->rec, m->ssn, m->interval, false);
}

/*
 * Log entry @rec of a datagram sent on @fl with @ssn in @interval, host
 * SSN @host_ssn: complete it and file it; the caller's reference passes
 * to the flow, which keeps it until the receiver's RSN arrives.  Caller
 * holds ms->lock.
 */
void mlog_sl_file_dgram(struct mlog_flow *fl, struct mlog_log_rec *rec,
			u64 ssn, u64 interval, u64 host_ssn)
{
	lockdep_assert_held(&fl->ms->lock);
	rec->host_ssn = host_ssn;
	mlog_sl_file(fl, rec, ssn, interval, true);
}

/*
 * The socket of @fl is closing: MLOG_SL_CTL if it owes RSN acks, which
 * go at once (with the RSNs it holds) in a frame of their own rather
 * than leave the peer waiting for a timer that will not fire any more.
 * Caller holds ms->lock.
 */
u32 mlog_sl_flow_closing(struct mlog_flow *fl)
{
	struct mlog_sock *ms = fl->ms;

	lockdep_assert_held(&ms->lock);
	if (!ms->host || ms->dead || !fl->owed.used)
		return MLOG_SL_PASS;
	return MLOG_SL_CTL;
}

/*
 * Answer frame @f, which came from @src, with an ACK frame from the port
 * it was sent to, in the name of a socket with @epoch: for the cases where
 * no flow answers (a closed socket, an unprotected one).
 */
static void mlog_sl_answer_init(struct mlog_frame *ack,
				const struct mlog_frame *f, u32 epoch)
{
	memset(ack, 0, sizeof(*ack));
	ack->type = MLOG_FRAME_ACK;
	ack->flags = MLOG_F_ACK;
	ack->src_port = f->dst_port;
	ack->dst_port = f->src_port;
	ack->epoch = epoch;
	/* back to a host-form sender, from the port space it wrote to */
	if (f->flags & MLOG_F_SRC_HOST)
		ack->dst_host = f->src_host;
	if (f->dst_host) {
		ack->flags |= MLOG_F_SRC_HOST;
		ack->src_host = f->dst_host;
	}
}

/* Send @ack to the node frame it answers came from, @node. */
static void mlog_sl_answer(struct mlog_net *mn, const struct in6_addr *node,
			   struct mlog_frame *ack)
{
	struct mlog_peer *peer = mlog_peer_get(mn, node, GFP_ATOMIC);

	if (peer && !mlog_frame_out(mn, peer, ack, NULL))
		mlog_stat_inc(mn, MLOG_STAT_SL_EXTRA_FRAMES);
}

/* Caller holds log->lock. */
static bool mlog_sl_rec_matches(const struct mlog_log_rec *rec,
				const struct in6_addr *src,
				const struct mlog_frame *f)
{
	return rec->dst_port == f->src_port && rec->src_port == f->dst_port &&
	       ipv6_addr_equal(&rec->dst_node, src) &&
	       rec->ssn >= f->ssn2 && rec->ssn - f->ssn2 < f->rsn_count;
}

/*
 * RSNs arrived for messages whose sending socket has closed.  The log
 * entries outlive the socket, so log the RSNs and acknowledge them in the
 * closed socket's name (its port and epoch): the receiver must not wait
 * for an acknowledgment that no socket would send.  Softirq.
 */
void mlog_sl_orphan_rsns(struct mlog_net *mn, const struct in6_addr *src,
			 const struct in6_addr *node,
			 const struct mlog_frame *f)
{
	struct mlog_log *log = &mn->log;
	struct mlog_log_rec *rec, *tmp;
	struct mlog_log_dst *d;
	struct mlog_frame ack;
	bool found = false;
	u32 epoch = 0, host = 0;
	unsigned long idx;

	if ((f->flags & MLOG_F_DONT_LOG) || !f->src_host ||
	    f->src_host > mlog_max_hosts)
		return;
	spin_lock_bh(&log->lock);
	xa_for_each(&log->dsts, idx, d) {
		if (d->host && d->host != f->src_host)
			continue;
		list_for_each_entry_safe(rec, tmp, &d->partial, dnode) {
			if (!mlog_sl_rec_matches(rec, src, f))
				continue;
			found = true;
			epoch = rec->src_epoch;
			host = rec->src_host;
			list_del_init(&rec->dnode);
			rec->dst_host = f->src_host;
			rec->rsn = f->rsn + (rec->ssn - f->ssn2);
			rec->state = MLOG_REC_FULL;
			mlog_log_reindex(log, rec);
		}
		if (d->host != f->src_host || found)
			continue;
		/* logged already: our acknowledgment was lost, repeat it */
		for (rec = mlog_log_first_from(d, f->rsn);
		     rec && rec->rsn == f->rsn && !found;
		     rec = mlog_log_next(d, rec)) {
			if (mlog_sl_rec_matches(rec, src, f)) {
				found = true;
				epoch = rec->src_epoch;
				host = rec->src_host;
			}
		}
	}
	spin_unlock_bh(&log->lock);
	if (!found)
		return;
	mlog_sl_answer_init(&ack, f, epoch);
	ack.src_host = host;
	ack.rsn2 = f->rsn;
	ack.rsnack_count = f->rsn_count;
	mlog_sl_answer(mn, node, &ack);
}

/*
 * Message @f from the endpoint keyed @src (through node @node) is for a
 * port of local host f->dst_host where no socket is bound any more.  A
 * re-executing peer sends again what it sent before its failure; if the
 * host's history shows the closed socket delivered this one, answer as
 * that socket would have: acknowledged, with its RSN, so that the peer's
 * log gets the entry back and its flow drains.  Softirq.
 */
void mlog_sl_closed_dup(struct mlog_net *mn, const struct in6_addr *src,
			const struct in6_addr *node, const struct mlog_frame *f)
{
	struct mlog_hist_key k = {
		.node = src->s6_addr,
		.port = f->src_port,
		.lport = f->dst_port,
		.src_host = f->src_host,
	};
	struct mlog_frame ack;
	struct mlog_host *h;
	u32 epoch = 0, inc = 0;
	bool found = false;
	u64 rsn = 0;
	void *v;

	if (f->type != MLOG_FRAME_RDATA || f->frag_off ||
	    !(f->flags & MLOG_F_NEED_RSN))
		return;
	/* a host found under RCU keeps its history until we leave */
	rcu_read_lock();
	h = mlog_host_find_rcu(mn, f->dst_host);
	if (h) {
		v = xa_load(&h->closed_epochs, f->dst_port);
		spin_lock_bh(&h->lock);
		if (v)
			found = mlog_hist_find(&h->hist, &k, f->ssn, &rsn);
		spin_unlock_bh(&h->lock);
		epoch = v ? xa_to_value(v) : 0;
		inc = h->incarnation;
	}
	rcu_read_unlock();
	if (!found)
		return;
	mlog_sl_answer_init(&ack, f, epoch);
	ack.flags |= MLOG_F_DUP;
	ack.incarnation = inc;
	/* it was delivered, so was everything before it on the flow */
	ack.ack = f->ssn;
	ack.window = MLOG_MAX_MSG;
	ack.ssn2 = f->ssn;
	ack.rsn = rsn;
	ack.rsn_count = 1;
	mlog_stat_inc(mn, MLOG_STAT_SL_DUP_RSN);
	mlog_sl_answer(mn, node, &ack);
}

/*
 * An unprotected socket got (the first fragment of) a datagram from a
 * protected sender: no RSN will ever come back for it, so say so at once
 * and the sender drops its log entry.  Softirq.
 */
void mlog_sl_dgram_unlogged(struct mlog_sock *ms, const struct in6_addr *node,
			    const struct mlog_frame *f)
{
	struct mlog_frame ack;

	if (!f->ssn || f->frag_off || !f->src_host ||
	    !(f->flags & MLOG_F_NEED_RSN))
		return;
	mlog_sl_answer_init(&ack, f, ms->epoch);
	ack.flags |= MLOG_F_DONT_LOG;
	ack.ssn2 = f->ssn;
	ack.rsn_count = 1;
	mlog_sl_answer(mlog_sk_net(ms), node, &ack);
}

/*
 * poll() of a protected SOCK_DGRAM socket: while its host has RSNs not
 * yet acknowledged, a send may have to wait, so the socket is not
 * writable; those RSNs are hurried, and an acknowledgment wakes it.
 * Returns the write events to take away.
 */
__poll_t mlog_sl_dgram_poll(struct mlog_sock *ms, struct file *file,
			    poll_table *wait)
{
	const __poll_t out = EPOLLOUT | EPOLLWRNORM | EPOLLWRBAND;
	struct mlog_host *h = ms->host;
	bool busy;

	/*
	 * Always on the queue: epoll registers once, and a later
	 * EPOLL_CTL_MOD may ask for EPOLLOUT without registering again.
	 */
	poll_wait(file, &h->sendq, wait);
	/*
	 * A reader waiting for input does not send: its RSNs keep waiting
	 * for a frame to ride on (rsn_delay_us) instead of each going in a
	 * frame of its own at every poll().
	 */
	if (!(poll_requested_events(wait) & out))
		return 0;
	spin_lock_bh(&ms->lock);
	spin_lock(&h->lock);
	busy = h->pend.n;
	spin_unlock(&h->lock);
	if (busy && !ms->dead)
		mlog_sl_hurry(ms);
	spin_unlock_bh(&ms->lock);
	return busy ? out : 0;
}
