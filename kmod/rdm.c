// SPDX-License-Identifier: GPL-2.0
/*
 * SOCK_RDM: reliable, ordered, connectionless messages.
 *
 * Each flow (local socket, remote endpoint) numbers its messages from 1
 * (SSN).  The sender keeps every message until the receiver acknowledges
 * it; the receiver delivers messages strictly in SSN order, drops
 * duplicates and anything beyond the next expected SSN, and returns a
 * cumulative acknowledgment with the room left in its receive buffer
 * (window).  Acknowledgments ride on data going the other way when there
 * is some, or in ACK frames (every second message, or after a short delay).
 *
 * Loss is repaired go-back-N from the sender's copy: on a retransmission
 * timeout (RTT-estimated, exponential backoff capped at MLOG_RTO_MAX) or
 * on repeated acknowledgments that do not advance.  What a flow has in
 * flight is bounded by the receiver's window and by a congestion window
 * that grows while acknowledgments come back and shrinks on loss (slow
 * start and additive increase, multiplicative decrease, as TCP), so that
 * a sender with a large buffer does not overrun the network.  A peer that stays
 * silent for mlog_suspect_after timeouts is suspected: the socket gets
 * EHOSTUNREACH once and an event goes out on netlink, but retransmission
 * goes on until the peer answers or the socket is closed.
 *
 * Memory: unacknowledged messages count against SO_SNDBUF at what they
 * cost, bookkeeping included (senders block or get EAGAIN), received and
 * half-reassembled ones against SO_RCVBUF (the window makes senders hold
 * back instead).
 *
 * This is the reliability layer.  It calls the logging layer's hooks
 * (slog.c) at fixed points and carries out their verdicts: it sends the
 * frames of their own they ask for, answers duplicates, holds and pushes
 * flows, and runs each flow's logging timer, for the datagram flows of
 * dgram.c too (their ACK frames carry RSNs and no transport state).
 *
 * Calls: the shared socket calls (sock.c), flows and reassembly
 * (flow.c), the logging layer (slog.c, log.c) and the transport
 * (transport.c, peer.c).
 */
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/sockios.h>
#include <linux/termios.h>
#include <linux/uio.h>
#include <net/sock.h>

#include "mlog.h"

#define MLOG_RTO_INIT	msecs_to_jiffies(100)
#define MLOG_RTO_MIN	max_t(unsigned long, msecs_to_jiffies(10), 2)
#define MLOG_RTO_MAX	msecs_to_jiffies(1000)
#define MLOG_DELACK	max_t(unsigned long, msecs_to_jiffies(2), 1)
#define MLOG_ACK_EVERY	2
/* Estimated receive buffer overhead of one fragment, beyond its bytes. */
#define MLOG_FRAG_OVERHEAD	1536

/* Congestion window bounds (in mlog_msg_cost() units): two largest messages at least. */
#define MLOG_MAX_MSG_COST	(MLOG_MAX_MSG + \
				 DIV_ROUND_UP(MLOG_MAX_MSG, MLOG_MAX_FRAG) * \
				 MLOG_FRAG_OVERHEAD)
#define MLOG_CWND_MIN	(2 * MLOG_MAX_MSG_COST)
#define MLOG_CWND_INIT	(4 * MLOG_MAX_MSG_COST)

static void mlog_rto_expired(struct timer_list *t);
static void mlog_ack_expired(struct timer_list *t);
static void mlog_sl_expired(struct timer_list *t);

/*
 * The sending side starts with a fresh window and no loss recovery under
 * way: a new flow, a flow whose peer socket was replaced, and a flow to a
 * recovered host that resends what its replay did not deliver.
 */
static void mlog_flow_reset_recovery(struct mlog_flow *fl)
{
	fl->cwnd = MLOG_CWND_INIT;
	fl->ssthresh = U32_MAX;
	fl->recover = 0;
	fl->map_ssn = 0;
	fl->frag_map = 0;
	fl->probe_ssn = 0;
	fl->rto_recovery = false;
	fl->undo_ssn = 0;
	fl->zero_window = false;
}

/* Both directions of a flow start over from SSN 1, with a fresh window. */
static void mlog_flow_reset_seq(struct mlog_flow *fl)
{
	mlog_flow_reset_recovery(fl);
	fl->next_ssn = 1;
	fl->snd_una = 1;
	fl->snd_nxt = 1;
	fl->rcv_nxt = 1;
	fl->unacked = 0;
	fl->rcv_refused = 0;
}

void mlog_flow_init_rdm(struct mlog_flow *fl)
{
	mlog_flow_reset_seq(fl);
	INIT_LIST_HEAD(&fl->txq);
	fl->peer_window = MLOG_MAX_MSG;
	fl->rto = MLOG_RTO_INIT;
	timer_setup(&fl->rto_timer, mlog_rto_expired, 0);
	timer_setup(&fl->ack_timer, mlog_ack_expired, 0);
	timer_setup(&fl->sl_timer, mlog_sl_expired, 0);
	mlog_sl_flow_init(fl);
}

/* Called without ms->lock, after ms->dead is set: timers stay stopped. */
void mlog_flow_stop(struct mlog_flow *fl)
{
	lockdep_assert_not_held(&fl->ms->lock);
	del_timer_sync(&fl->rto_timer);
	del_timer_sync(&fl->ack_timer);
	del_timer_sync(&fl->sl_timer);
}

/*
 * A message larger than this, with its struct mlog_txmsg, gets a buffer
 * of its own: one allocation of 64 KiB and the header would take 128 KiB.
 */
#define MLOG_TXMSG_INLINE_MAX	PAGE_SIZE

static bool mlog_txmsg_apart(u32 len)
{
	return sizeof(struct mlog_txmsg) + len > MLOG_TXMSG_INLINE_MAX;
}

/*
 * What a message costs its sender until its receiver acknowledges it,
 * counted in tx_queued against SO_SNDBUF and read by SIOCOUTQ: the memory
 * that holds it.  That is struct mlog_txmsg and the bytes, as the
 * allocator rounds them, or for a protected host the struct and the log
 * entry (the log's blocks are capped on their own).  Never 0: an empty
 * message is counted too, and a socket holds at most SO_SNDBUF / 64 + 1
 * messages.
 */
static u32 mlog_txmsg_cost(u32 len, bool logged)
{
	size_t head = kmalloc_size_roundup(sizeof(struct mlog_txmsg));

	if (logged)
		return head + mlog_log_rec_size(len);
	if (mlog_txmsg_apart(len))
		return head + kmalloc_size_roundup(len);
	return kmalloc_size_roundup(sizeof(struct mlog_txmsg) + len);
}

/* Free @m; its log entry, if any, is put already or by the caller. */
static void mlog_txmsg_kfree(struct mlog_txmsg *m)
{
	if (!m->logged && m->data != m->inline_data)
		kvfree(m->data);
	kfree(m);
}

static void mlog_txmsg_free(struct mlog_flow *fl, struct mlog_txmsg *m)
{
	if (m->rec)
		mlog_log_put(&mlog_sk_net(fl->ms)->log, m->rec);
	mlog_txmsg_kfree(m);
}

static void mlog_txq_purge(struct mlog_flow *fl)
{
	struct mlog_txmsg *m, *tmp;

	list_for_each_entry_safe(m, tmp, &fl->txq, list) {
		list_del(&m->list);
		fl->ms->tx_queued -= mlog_txmsg_cost(m->len, m->logged);
		mlog_txmsg_free(fl, m);
	}
	fl->inflight = 0;
}

/* Drop whatever the flow kept beyond a gap; its senders send it again. */
static void mlog_ooo_release(struct mlog_flow *fl)
{
	unsigned int i;

	if (!fl->ooo)
		return;
	for (i = 0; i < MLOG_OOO_MSGS; i++)
		mlog_reasm_reset(fl->ms, &fl->ooo->reasm[i]);
}

static void mlog_ooo_free(struct mlog_flow *fl)
{
	mlog_ooo_release(fl);
	kfree(fl->ooo);
	fl->ooo = NULL;
}

/* Caller holds ms->lock. */
void mlog_flow_free_rdm(struct mlog_flow *fl)
{
	lockdep_assert_held(&fl->ms->lock);
	mlog_sl_flow_detach(fl);
	mlog_txq_purge(fl);
	mlog_ooo_free(fl);
}

static void mlog_write_space(struct sock *sk)
{
	struct socket_wq *wq;

	rcu_read_lock();
	wq = rcu_dereference(sk->sk_wq);
	if (skwq_has_sleeper(wq))
		wake_up_interruptible_poll(&wq->wait, EPOLLOUT | EPOLLWRNORM |
					   EPOLLWRBAND);
	sk_wake_async(sk, SOCK_WAKE_SPACE, POLL_OUT);
	rcu_read_unlock();
}

/*
 * Would the next send of a message of any size the socket accepts, up to
 * MLOG_MAX_MSG bytes, find room in SO_SNDBUF?  An empty queue takes any
 * message.
 */
static bool mlog_sndbuf_writable(struct mlog_sock *ms)
{
	u32 queued = READ_ONCE(ms->tx_queued);

	return !queued ||
	       queued + mlog_txmsg_cost(MLOG_MAX_MSG, READ_ONCE(ms->host)) <=
	       (u32)READ_ONCE(ms->sk.sk_sndbuf);
}

/*
 * Messages left the send queue.  Wake writers, poll() and SIGIO once a
 * message of any size would fit again, and only if one of them found the
 * socket full (SOCK_NOSPACE), as TCP does: waking them on every
 * acknowledgment would have them find it full again, and spin.  Caller
 * holds ms->lock, under which senders set SOCK_NOSPACE.
 */
static void mlog_rdm_write_space(struct mlog_sock *ms)
{
	struct socket *sock = READ_ONCE(ms->sk.sk_socket);

	/* tx_queued went down before SOCK_NOSPACE is read: see poll */
	smp_mb();
	if (!sock || !test_bit(SOCK_NOSPACE, &sock->flags) ||
	    !mlog_sndbuf_writable(ms))
		return;
	clear_bit(SOCK_NOSPACE, &sock->flags);
	mlog_write_space(&ms->sk);
}

/* The socket is full: whoever finds it so is told when it is not. */
static void mlog_set_nospace(struct sock *sk)
{
	struct socket *sock = READ_ONCE(sk->sk_socket);

	sk_set_bit(SOCKWQ_ASYNC_NOSPACE, sk);
	if (sock)
		set_bit(SOCK_NOSPACE, &sock->flags);
}

static void mlog_report_error(struct sock *sk, int err)
{
	WRITE_ONCE(sk->sk_err, err);
	sk_error_report(sk);
}

/*
 * Receive buffer room offered to flow @fl: the free part of SO_RCVBUF,
 * shared out among the flows that send to us, so that several senders
 * together do not overrun it.  None while its next message waits for
 * room: its sender then waits to be told (mlog_rdm_recvmsg()).
 */
static u32 mlog_rcv_window(struct mlog_flow *fl)
{
	struct mlog_sock *ms = fl->ms;
	unsigned int flows = max_t(unsigned int, READ_ONCE(ms->nflows), 1);

	if (fl->rcv_refused)
		return 0;
	return mlog_rcv_space(ms) / flows;
}

/*
 * What a message costs the receiver's buffer: its bytes plus the buffer
 * overhead (sk_buff, shared info, rounding) of every fragment, since the
 * receiver keeps the fragments as they arrived (mlog_reasm_add()).
 * Senders count this against the window so that the receiver rarely has
 * to drop.
 */
static u32 mlog_msg_cost(u32 len)
{
	return len + max_t(u32, DIV_ROUND_UP(len, MLOG_MAX_FRAG), 1) *
		     MLOG_FRAG_OVERHEAD;
}

static void mlog_fill_transport_ack(struct mlog_flow *fl,
				    struct mlog_frame *f);

/*
 * Piggyback our acknowledgment of the reverse flow on frame @f, and what
 * the logging layer has to say to the peer (@standalone: a frame sent for
 * the logging layer alone).
 */
static void mlog_fill_ack(struct mlog_flow *fl, struct mlog_frame *f,
			  bool standalone)
{
	mlog_fill_transport_ack(fl, f);
	mlog_sl_fill(fl, f, standalone);
}

/*
 * Our cumulative acknowledgment and receive window, for frame @f, and
 * which fragments of the next message we hold already.
 */
static void mlog_fill_transport_ack(struct mlog_flow *fl, struct mlog_frame *f)
{
	struct sock *sk = &fl->ms->sk;
	struct mlog_reasm *r = &fl->reasm;

	BUILD_BUG_ON(DIV_ROUND_UP(MLOG_MAX_MSG, MLOG_MAX_FRAG) >
		     MLOG_FRAG_MAP_BITS);
	f->flags |= MLOG_F_ACK;
	/* a datagram flow has no transport state: RSN frames only */
	if (sk->sk_type != SOCK_RDM)
		return;
	f->ack = fl->rcv_nxt - 1;
	f->window = mlog_rcv_window(fl);
	/*
	 * The delayed acknowledgment goes now (typically on a reply): stop
	 * its timer rather than let it fire for nothing: on an idle CPU
	 * each firing is a wakeup, up to one per request.
	 */
	if (timer_pending(&fl->ack_timer))
		del_timer(&fl->ack_timer);
	if (mlog_reasm_started(r) && r->ssn == fl->rcv_nxt && r->frags) {
		f->flags |= MLOG_F_FRAG_MAP;
		f->frag_map = r->frags;
	}
	fl->unacked = 0;
	fl->window_low = f->window < (u32)READ_ONCE(sk->sk_rcvbuf) / 8;
	if (fl->window_low) {
		/* tell it when reading has made this much room */
		u32 need = fl->rcv_refused ?: (u32)READ_ONCE(sk->sk_rcvbuf) / 2;

		if (!fl->ms->window_low || need < fl->ms->wake_space)
			WRITE_ONCE(fl->ms->wake_space, need);
		WRITE_ONCE(fl->ms->window_low, true);
	}
}

static void mlog_rdm_ctl_out(struct mlog_flow *fl, bool standalone,
			     u16 flags)
{
	struct mlog_net *mn = mlog_sk_net(fl->ms);
	struct mlog_frame f;

	mlog_flow_frame_init(fl, &f, MLOG_FRAME_ACK);
	mlog_fill_ack(fl, &f, standalone);
	f.flags |= flags;
	if (!mlog_frame_out(mn, fl->peer, &f, NULL) && !standalone)
		mlog_stat_inc(mn, MLOG_STAT_TX_ACKS);
}

static void mlog_send_ack(struct mlog_flow *fl)
{
	mlog_rdm_ctl_out(fl, false, 0);
}

static void mlog_rdm_closing(struct mlog_flow *fl);

/*
 * A frame of its own for the logging layer: the RSNs and RSN acks of
 * @fl, for a flow of either socket type (a datagram flow's frame carries
 * no transport state).  Caller holds ms->lock.
 */
void mlog_rdm_sl_ctl(struct mlog_flow *fl)
{
	lockdep_assert_held(&fl->ms->lock);
	mlog_rdm_ctl_out(fl, true, 0);
	mlog_stat_inc(mlog_sk_net(fl->ms), MLOG_STAT_SL_EXTRA_FRAMES);
}

/* The frames of their own a logging hook's verdict @v asks for. */
static void mlog_rdm_sl_frames(struct mlog_flow *fl, u32 v)
{
	if (v & MLOG_SL_CTL)
		mlog_rdm_sl_ctl(fl);
}

/*
 * Answer a duplicate of message @ssn of @fl, as mlog_sl_duplicate() asked
 * (MLOG_SL_ANSWER): a frame of its own with its RSN @rsn, or DONT_LOG.
 * Caller holds ms->lock.
 */
void mlog_rdm_sl_answer(struct mlog_flow *fl, u64 ssn, u64 rsn)
{
	struct mlog_net *mn = mlog_sk_net(fl->ms);
	struct mlog_frame f;

	lockdep_assert_held(&fl->ms->lock);
	mlog_flow_frame_init(fl, &f, MLOG_FRAME_ACK);
	mlog_fill_transport_ack(fl, &f);
	mlog_sl_fill_answer(fl, &f, ssn, rsn);
	if (!mlog_frame_out(mn, fl->peer, &f, NULL))
		mlog_stat_inc(mn, MLOG_STAT_SL_EXTRA_FRAMES);
}

/*
 * The socket is closing: the RSN acks its flows owe go in frames of
 * their own, and then the delayed transport acknowledgments, since the
 * timers of both are about to be stopped.  Caller holds ms->lock.
 */
void mlog_rdm_sock_closing(struct mlog_sock *ms)
{
	struct mlog_flow *fl;
	int bkt;

	lockdep_assert_held(&ms->lock);
	hash_for_each(ms->flows, bkt, fl, node)
		mlog_rdm_sl_frames(fl, mlog_sl_flow_closing(fl));
	hash_for_each(ms->flows, bkt, fl, node)
		mlog_rdm_closing(fl);
}

/*
 * Flow @fl's socket is closing: a delayed acknowledgment still owed for
 * what it delivered goes now, since its timer is about to be stopped.
 * Without it the peer would resend its last messages to a port where
 * nobody answers any more.  Caller holds ms->lock.
 */
static void mlog_rdm_closing(struct mlog_flow *fl)
{
	lockdep_assert_held(&fl->ms->lock);
	if (fl->ms->sk.sk_type == SOCK_RDM && fl->unacked)
		mlog_send_ack(fl);
}

/*
 * Put message @m on the wire, all of it except the fragments in @skip
 * (bit i: the fragment at i * MLOG_MAX_FRAG), which the receiver holds.
 * @first: its first transmission.  Returns the number of frames sent.
 */
static u32 mlog_xmit_msg(struct mlog_flow *fl, struct mlog_txmsg *m,
			 bool first, u64 skip)
{
	struct mlog_net *mn = mlog_sk_net(fl->ms);
	struct mlog_frame f;
	u32 off = 0, sent = 0;

	mlog_flow_frame_init(fl, &f, MLOG_FRAME_RDATA);
	f.ssn = m->ssn;
	f.msg_len = m->len;
	if (m->rec) {
		/* the receiver returns an RSN; we depend on our interval */
		f.flags |= MLOG_F_NEED_RSN;
		f.interval = m->interval;
	}
	mlog_fill_ack(fl, &f, false);
	if (first)
		mlog_sl_check_frame(fl, &f);
	do {
		f.frag_off = off;
		f.payload_len = min_t(u32, m->len - off, MLOG_MAX_FRAG);
		if (!(skip & BIT_ULL(off / MLOG_MAX_FRAG))) {
			/* A lost frame is repaired like any other loss. */
			mlog_frame_out(mn, fl->peer, &f, m->data + off);
			sent++;
		}
		off += f.payload_len;
	} while (off < m->len);
	return sent;
}

static void mlog_count_retransmit(struct mlog_flow *fl, struct mlog_txmsg *m)
{
	m->retransmitted = true;
	fl->ms->stats.retransmits++;
	atomic64_inc(&fl->peer->retransmits);
	mlog_stat_inc(mlog_sk_net(fl->ms),
		      MLOG_STAT_TX_RETRANSMITS);
}

/*
 * Put on the wire what the peer's window allows, starting at snd_nxt.
 * One message may always be in flight.  If the window cannot take it,
 * only its last fragment goes, as a probe: the receiver admits a message
 * whole or not at all, at its first fragment to arrive, and answers the
 * last one at once, with the map of what it holds if it took the message
 * (the rest goes then, mlog_retransmit_una()), with a window of 0 if not
 * (it asks again when told there is room, or when the timer fires).
 * Sending all of it could cost up to 48 frames dropped for nothing.
 */
void mlog_rdm_push(struct mlog_flow *fl)
{
	struct mlog_txmsg *m;
	unsigned int nfrags;
	bool probe;
	u32 cost;

	/* a host being recovered takes no data until it is live */
	if (unlikely(fl->rhold))
		return;
	list_for_each_entry(m, &fl->txq, list) {
		if (m->ssn < fl->snd_nxt)
			continue;
		/* no more in flight than the receiver keeps beyond a gap */
		if (m->ssn - fl->snd_una >= MLOG_OOO_MSGS)
			break;
		cost = mlog_msg_cost(m->len);
		nfrags = DIV_ROUND_UP(m->len, MLOG_MAX_FRAG);
		probe = false;
		if (fl->inflight + cost > min(fl->peer_window, fl->cwnd)) {
			if (fl->inflight)
				break;
			probe = nfrags > 1 && cost > fl->peer_window;
		}
		/*
		 * Everything from snd_nxt on goes out for the first time
		 * (retransmissions are mlog_retransmit_una()'s and
		 * mlog_probe_una()'s): the logging layer's send rule
		 * applies.
		 */
		if (mlog_sl_may_send(fl, m) & MLOG_SL_HOLD) {
			/* pushed again when acknowledgments arrive */
			fl->held = true;
			break;
		}
		m->sent_ns = ktime_get_ns();
		m->probed = probe;
		if (probe)
			fl->probe_ssn = m->ssn;
		mlog_xmit_msg(fl, m, true, probe ? BIT_ULL(nfrags - 1) - 1 : 0);
		fl->inflight += cost;
		fl->snd_nxt = m->ssn + 1;
		if (probe)
			break;
	}
	if (fl->snd_una < fl->snd_nxt && !timer_pending(&fl->rto_timer))
		mod_timer(&fl->rto_timer, jiffies + fl->rto);
}

/* A flow held by the send rule tries again.  Caller holds ms->lock. */
void mlog_rdm_push_held(struct mlog_flow *fl)
{
	lockdep_assert_held(&fl->ms->lock);
	if (fl->held) {
		fl->held = false;
		mlog_rdm_push(fl);
	}
}

/*
 * The logging fields of frame @f for @fl, in the order the logging layer
 * takes them: the RSNs it returns (and the frames of their own their
 * acknowledgments need), then the RSN acks it carries, which may let
 * the flows that the send rule held go.  For a flow of either socket
 * type.  Caller holds ms->lock.
 */
void mlog_rdm_sl_rcv(struct mlog_flow *fl, const struct mlog_frame *f)
{
	struct mlog_sock *ms = fl->ms;
	struct mlog_flow *held;
	u32 v;
	int bkt;

	lockdep_assert_held(&ms->lock);
	v = mlog_sl_rsns_in(fl, f);
	if (v & MLOG_SL_FLUSH) {
		/* the owed acks had no room: some go now, then the rest */
		mlog_rdm_sl_ctl(fl);
		v = mlog_sl_rsns_flushed(fl, f);
	}
	mlog_rdm_sl_frames(fl, v);
	if (mlog_sl_acks_in(fl, f) & MLOG_SL_RELEASE) {
		hash_for_each(ms->flows, bkt, held, node)
			mlog_rdm_push_held(held);
		mlog_sl_released(fl);
	}
}

/*
 * A round trip measured in nanoseconds, not jiffies: at HZ=250 most round
 * trips on a cluster network would read 0 or 4 ms, and the estimator
 * would see neither the RTT nor its variation.
 */
static void mlog_rtt_sample(struct mlog_flow *fl, u64 sent_ns)
{
	unsigned int rtt_us = min_t(u64, div_u64(ktime_get_ns() - sent_ns,
						 NSEC_PER_USEC), UINT_MAX / 8);
	unsigned long rto;

	/* Jacobson/Karels, as TCP does (RFC 6298). */
	if (!fl->srtt_us) {
		fl->srtt_us = rtt_us;
		fl->rttvar_us = rtt_us / 2;
	} else {
		int delta = (int)rtt_us - (int)fl->srtt_us;

		fl->rttvar_us = (3 * fl->rttvar_us + abs(delta)) / 4;
		fl->srtt_us = (7 * fl->srtt_us + rtt_us) / 8;
	}
	rto = usecs_to_jiffies(fl->srtt_us + 4 * fl->rttvar_us);
	fl->rto = clamp_t(unsigned long, rto, MLOG_RTO_MIN, MLOG_RTO_MAX);
}

/*
 * Messages costing @acked in all (and @acked_sq, the sum of their costs
 * squared) left the network: open the congestion window.  Above the slow
 * start threshold it grows by about one message per round trip, as TCP's
 * grows by one segment: a message is what mlog sends as one unit, up to
 * 48 fragments back to back.
 */
static void mlog_cwnd_grow(struct mlog_flow *fl, u32 acked, u64 acked_sq)
{
	u32 inc;

	if (fl->cwnd < fl->ssthresh)
		inc = acked;					/* slow start */
	else
		inc = max_t(u32, div_u64(acked_sq, fl->cwnd), 1);
	fl->cwnd = min_t(u32, fl->cwnd + inc, 64 << 20);
}

/* Loss: halve the window (fast retransmit) or start over (timeout). */
static void mlog_cwnd_loss(struct mlog_flow *fl, bool timeout)
{
	if (!timeout) {
		fl->undo_ssn = 0;	/* a real loss: nothing to undo */
	} else if (fl->undo_ssn != fl->snd_una) {
		/* the first timeout of this message: what a backoff undoes */
		fl->undo_ssn = fl->snd_una;
		fl->undo_cwnd = fl->cwnd;
		fl->undo_ssthresh = fl->ssthresh;
	}
	fl->ssthresh = max_t(u32, fl->cwnd / 2, MLOG_CWND_MIN);
	fl->cwnd = timeout ? MLOG_CWND_MIN : fl->ssthresh;
}

/*
 * The acknowledgment in @f says whether the last retransmission timeout
 * was spurious (the Eifel idea, with the receiver's MLOG_F_DUP in the
 * role of TCP's D-SACK): if a copy of the timed-out message reached a
 * receiver that had delivered it already, the original got through, only
 * late (a peer that was not scheduled for a while, an ack stuck behind a
 * queue), and nothing was lost: the window returns to what it was and
 * the recovery ends.  The answer to the copy comes about a round trip
 * after the acknowledgment of the original, when new messages may be on
 * their way already; a fast retransmission (a real loss) or acks well
 * past the message end the wait.
 */
static void mlog_check_undo(struct mlog_flow *fl, const struct mlog_frame *f)
{
	struct mlog_net *mn = mlog_sk_net(fl->ms);

	if (!fl->undo_ssn || f->ack < fl->undo_ssn)
		return;
	if (f->flags & MLOG_F_DUP) {
		fl->cwnd = max(fl->cwnd, fl->undo_cwnd);
		fl->ssthresh = fl->undo_ssthresh;
		if (fl->recover > f->ack)
			fl->recover = f->ack;
		fl->undo_ssn = 0;
		mlog_stat_inc(mn, MLOG_STAT_TX_TIMEOUTS_UNDONE);
	} else if (f->ack >= fl->undo_ssn + MLOG_OOO_MSGS) {
		fl->undo_ssn = 0;
	}
}

/* The oldest unacknowledged message, if it has been sent; else NULL. */
static struct mlog_txmsg *mlog_una_sent(struct mlog_flow *fl)
{
	struct mlog_txmsg *m;

	m = list_first_entry_or_null(&fl->txq, struct mlog_txmsg, list);
	if (!m || m->ssn != fl->snd_una || m->ssn >= fl->snd_nxt)
		return NULL;
	return m;
}

/*
 * Send the oldest unacknowledged message again, alone: the receiver keeps
 * what arrived after it (struct mlog_ooo), so that is all it misses.  No
 * more is in flight than it can keep (mlog_rdm_push()); if it had to drop
 * some of it anyway, its next acknowledgment says so and the next
 * message goes again then (NewReno's partial acknowledgment).
 *
 * Only the fragments the receiver's latest fragment map does not list go.
 * A map that lists them all is stale (the receiver dropped the message
 * for want of room): then the whole message goes.
 */
static void mlog_retransmit_una(struct mlog_flow *fl)
{
	struct mlog_txmsg *m;
	u64 all, skip = 0;

	m = mlog_una_sent(fl);
	if (!m)
		return;
	if (fl->map_ssn == m->ssn) {
		all = BIT_ULL(DIV_ROUND_UP(m->len, MLOG_MAX_FRAG)) - 1;
		skip = fl->frag_map & all;
		if (skip == all)
			skip = 0;
	}
	if (m->probed) {
		/* only a window probe went: the rest goes for the first time */
		m->probed = false;
		m->sent_ns = ktime_get_ns();
		mlog_xmit_msg(fl, m, false, skip);
		return;
	}
	mlog_count_retransmit(fl, m);
	mlog_stat_add(mlog_sk_net(fl->ms), MLOG_STAT_TX_RESENT_FRAMES,
		      mlog_xmit_msg(fl, m, false, skip));
}

/*
 * The retransmission timer fired: send the last fragment of the oldest
 * unacknowledged message again, as TCP sends one segment.  Whatever
 * happened, the receiver answers it at once: a receiver that delivered
 * the message already (the timeout was spurious, or only our
 * acknowledgment was lost) says so with MLOG_F_DUP; one that still
 * assembles it sends its current fragment map, and the fragments the map
 * does not list go then (mlog_process_ack()).  Resending the whole
 * message instead, or what an older map said was missing, could cost up
 * to 48 frames for one lost frame, on every spurious timeout.
 */
static void mlog_probe_una(struct mlog_flow *fl)
{
	struct mlog_txmsg *m;
	unsigned int nfrags;

	m = mlog_una_sent(fl);
	if (!m)
		return;
	nfrags = max_t(unsigned int, DIV_ROUND_UP(m->len, MLOG_MAX_FRAG), 1);
	mlog_count_retransmit(fl, m);
	fl->probe_ssn = nfrags > 1 ? m->ssn : 0;
	mlog_stat_add(mlog_sk_net(fl->ms), MLOG_STAT_TX_RESENT_FRAMES,
		      mlog_xmit_msg(fl, m, false,
				    nfrags > 1 ? BIT_ULL(nfrags - 1) - 1 : 0));
}

/*
 * Has the oldest unacknowledged message gone again already?  Then its
 * repair is on the way, and the duplicate acknowledgments that follow
 * are the ones that messages sent before the repair arrived draw: a
 * second fast retransmission would resend it for nothing and, worse,
 * open a recovery whose partial acknowledgments resend, whole, messages
 * sent after the repair and still on their way.  If the repair is lost
 * too, the retransmission timer sends it again, as in TCP.  (A timeout
 * found spurious ends its recovery while the answer to its probe may
 * still be in flight: that is how this showed, on a busy host.)
 */
static bool mlog_una_resent(struct mlog_flow *fl)
{
	struct mlog_txmsg *m = mlog_una_sent(fl);

	return m && m->retransmitted;
}

/* The peer acknowledges everything up to f->ack and offers f->window. */
static void mlog_process_ack(struct mlog_flow *fl, const struct mlog_frame *f)
{
	struct mlog_net *mn = mlog_sk_net(fl->ms);
	struct mlog_sock *ms = fl->ms;
	struct mlog_txmsg *m, *tmp;
	u32 acked = 0, cost;
	u64 acked_sq = 0, ack;
	bool was_zero;

	if (!(f->flags & MLOG_F_ACK))
		return;
	/* Any sign of life ends the suspicion of this flow. */
	fl->timeouts = 0;
	fl->reported = false;
	ack = f->ack;
	if (ack >= fl->next_ssn) {
		/*
		 * A re-executing protected host sends again what its peer
		 * delivered long ago: the answer to such a duplicate
		 * acknowledges everything the peer has, more than we sent
		 * so far.  Anything else acknowledging what we never sent is
		 * forged or confused.
		 */
		if (!(f->flags & MLOG_F_DUP) || !ms->host) {
			mlog_stat_inc(mn, MLOG_STAT_RX_BAD);
			return;
		}
		ack = fl->next_ssn - 1;
	}
	fl->peer_window = f->window;
	was_zero = fl->zero_window;
	fl->zero_window = !f->window;
	fl->map_ssn = ack + 1;
	fl->frag_map = f->frag_map;	/* 0 without MLOG_F_FRAG_MAP */
	mlog_check_undo(fl, f);

	if (ack >= fl->snd_una) {
		list_for_each_entry_safe(m, tmp, &fl->txq, list) {
			if (m->ssn > ack)
				break;
			if (m->ssn == ack && !m->retransmitted)
				mlog_rtt_sample(fl, m->sent_ns);
			cost = mlog_msg_cost(m->len);
			if (m->ssn < fl->snd_nxt)
				fl->inflight -= cost;
			acked += cost;
			acked_sq += (u64)cost * cost;
			ms->tx_queued -= mlog_txmsg_cost(m->len, m->logged);
			list_del(&m->list);
			mlog_sl_acked(fl, m);
			mlog_txmsg_kfree(m);
		}
		if (acked)
			mlog_cwnd_grow(fl, acked, acked_sq);
		fl->snd_una = ack + 1;
		if (fl->snd_nxt < fl->snd_una)
			fl->snd_nxt = fl->snd_una;
		fl->dupacks = 0;
		if (fl->snd_una == fl->next_ssn)
			del_timer(&fl->rto_timer);
		else
			mod_timer(&fl->rto_timer, jiffies + fl->rto);
		/*
		 * Still short of what was in flight when the loss was seen:
		 * another gap, or the receiver could not keep everything
		 * beyond the first.  That message goes again at once.
		 */
		if (acked && fl->snd_una <= fl->recover && f->window) {
			/*
			 * After a timeout, this may be the late answer to the
			 * original, its map older than what followed: ask,
			 * rather than send what it says is missing.
			 */
			if (fl->rto_recovery)
				mlog_probe_una(fl);
			else
				mlog_retransmit_una(fl);
		}
	} else if (fl->probe_ssn == fl->snd_una &&
		   (f->flags & MLOG_F_FRAG_MAP)) {
		/* the answer to a probe: what the receiver misses */
		fl->probe_ssn = 0;
		mlog_retransmit_una(fl);
	} else if (!f->window) {
		/*
		 * The receiver has no room for snd_una and drops it, or
		 * would: no sign of loss, and nothing to send into it.  It
		 * offers a window again when it has room.
		 */
	} else if (was_zero && !(f->flags & MLOG_F_FRAG_MAP) &&
		   fl->snd_nxt > fl->snd_una) {
		/*
		 * Room again, and it holds nothing of snd_una: ask again,
		 * and ask for each message dropped with it in turn, as after
		 * a timeout (but the window stays: nothing was congested).
		 */
		fl->recover = fl->snd_nxt - 1;
		fl->rto_recovery = true;
		mlog_probe_una(fl);
	} else if (f->type == MLOG_FRAME_ACK && !(f->flags & MLOG_F_DUP) &&
		   fl->snd_nxt > fl->snd_una &&
		   ++fl->dupacks >= 2 && fl->snd_una > fl->recover &&
		   !mlog_una_resent(fl)) {
		/*
		 * The receiver keeps saying it still waits for snd_una while
		 * later messages reach it: repair at once, once per window.
		 */
		fl->recover = fl->snd_nxt - 1;
		fl->rto_recovery = false;
		fl->dupacks = 0;
		mlog_cwnd_loss(fl, false);
		mlog_retransmit_una(fl);
		return;
	}
	if (acked)
		mlog_rdm_write_space(ms);
	mlog_rdm_push(fl);
}

/* The remote endpoint is a new socket on the same port: start afresh. */
static void mlog_flow_restart(struct mlog_flow *fl)
{
	struct mlog_net *mn = mlog_sk_net(fl->ms);

	mlog_sl_flow_detach(fl);
	mlog_txq_purge(fl);
	mlog_reasm_reset(fl->ms, &fl->reasm);
	mlog_ooo_free(fl);
	mlog_flow_reset_seq(fl);
	del_timer(&fl->rto_timer);
	mlog_stat_inc(mn, MLOG_STAT_PEER_RESTARTED);
	mlog_rdm_write_space(fl->ms);
	mlog_report_error(&fl->ms->sk, ECONNRESET);
}

/*
 * The protected host at the other end of @fl was recovered: its replay
 * delivered its logged messages up to RSN @replayed again, and nothing
 * after.  Send again, in SSN order, from the first message the replay did
 * not deliver: those still waiting for their RSN (the log keeps them even
 * once the transport had them acknowledged) and those whose RSN came from
 * the execution that will not happen again.  The transport starts over
 * with the new incarnation: its window, timers and half-received messages
 * from the old one are void.  Caller holds ms->lock.
 */
static void mlog_rdm_rewind(struct mlog_flow *fl, u64 replayed)
{
	struct mlog_sock *ms = fl->ms;
	struct mlog_net *mn = mlog_sk_net(ms);
	struct mlog_txmsg *m, *first;
	struct mlog_log_rec *rec;
	LIST_HEAD(resend);
	u64 from;
	u32 n = 0;

	lockdep_assert_held(&ms->lock);
	mlog_sl_rewind(fl, replayed);
	first = list_first_entry_or_null(&fl->txq, struct mlog_txmsg, list);
	from = first ? first->ssn : fl->next_ssn;
	/* fl->partial is in SSN order; the txq holds from @from on */
	list_for_each_entry(rec, &fl->partial, fnode) {
		if (rec->ssn >= from)
			break;
		m = kzalloc(sizeof(*m), GFP_ATOMIC | __GFP_ACCOUNT);
		if (!m) {
			mlog_stat_inc(mn, MLOG_STAT_NO_MEMORY);
			break;
		}
		/* the flow's reference to the entry keeps it while we take ours */
		refcount_inc(&rec->refs);
		m->rec = rec;
		m->data = rec->data;
		m->logged = true;
		m->len = rec->len;
		m->ssn = rec->ssn;
		m->interval = rec->interval;
		m->delayed = true;	/* counted in Table 3.7 when first sent */
		m->retransmitted = true;	/* no RTT sample (Karn) */
		list_add_tail(&m->list, &resend);
		ms->tx_queued += mlog_txmsg_cost(m->len, true);
		n++;
	}
	list_splice(&resend, &fl->txq);

	first = list_first_entry_or_null(&fl->txq, struct mlog_txmsg, list);
	fl->snd_una = first ? first->ssn : fl->next_ssn;
	fl->snd_nxt = fl->snd_una;
	fl->inflight = 0;
	mlog_flow_reset_recovery(fl);
	/* and what a new flow starts with: nothing known of the path */
	fl->peer_window = MLOG_MAX_MSG;
	fl->rto = MLOG_RTO_INIT;
	fl->srtt_us = 0;
	fl->rttvar_us = 0;
	fl->timeouts = 0;
	fl->reported = false;
	fl->dupacks = 0;
	mlog_reasm_reset(ms, &fl->reasm);
	mlog_ooo_release(fl);
	del_timer(&fl->rto_timer);
	mlog_stat_inc(mn, MLOG_STAT_FLOWS_REWOUND);
	mlog_stat_add(mn, MLOG_STAT_TX_RESENT_LOGGED, n);
}

/*
 * The route of the host that @fl's remote endpoint belongs to changed
 * (route.c): follow the host to its node; hold data while it is being
 * recovered; once it is live again after a recovery (@rewind), send what
 * its replay did not deliver.  A sender that is not a protected host has
 * no log to send from: its flow restarts, and the socket is told
 * (ECONNRESET), since what the old incarnation received is lost to it.
 * Caller holds ms->lock.
 */
void mlog_rdm_route_changed(struct mlog_flow *fl, const struct mlog_route *r,
			    bool rewind)
{
	struct mlog_sock *ms = fl->ms;
	struct mlog_peer *peer;

	lockdep_assert_held(&ms->lock);
	peer = mlog_peer_get(mlog_sk_net(ms), &r->node, GFP_ATOMIC);
	if (peer)
		fl->peer = peer;
	fl->dst_incarnation = r->incarnation;
	if (r->state == MLOG_ROUTE_RECOVERING) {
		fl->rhold = true;
		return;
	}
	fl->rhold = false;
	if (ms->sk.sk_type != SOCK_RDM)
		return;
	if (rewind && ms->host)
		mlog_rdm_rewind(fl, r->replayed);
	else if (rewind)
		mlog_flow_restart(fl);
	mlog_rdm_push(fl);
}

/*
 * Keep fragment @skb of message f->ssn > rcv_nxt until the gap before it
 * is filled.  Consumes @skb.  True if the sender should hear of the gap:
 * once per message (its first fragment to arrive), not once per fragment.
 */
static bool mlog_ooo_add(struct mlog_flow *fl, struct sk_buff *skb,
			 const struct mlog_frame *f)
{
	struct mlog_sock *ms = fl->ms;
	struct mlog_net *mn = mlog_sk_net(ms);
	unsigned int i = f->ssn % MLOG_OOO_MSGS;
	struct mlog_reasm *r;
	bool first;

	if (f->ssn - fl->rcv_nxt >= MLOG_OOO_MSGS)
		goto drop;
	if (!fl->ooo) {
		fl->ooo = kzalloc(sizeof(*fl->ooo), GFP_ATOMIC);
		if (!fl->ooo)
			goto drop;
	}
	r = &fl->ooo->reasm[i];
	/* slots are emptied as rcv_nxt passes them; be safe anyway */
	if (mlog_reasm_started(r) && r->ssn != f->ssn)
		mlog_reasm_reset(ms, r);
	first = !mlog_reasm_started(r);
	if (!mlog_reasm_add(ms, r, skb, f)) {
		ms->stats.rx_drops++;
		mlog_stat_inc(mn, MLOG_STAT_RX_QUEUE_FULL);
		return first;
	}
	if (first)
		fl->ooo->frame[i] = *f;
	return first;
drop:
	mlog_stat_inc(mn, MLOG_STAT_RX_OUT_OF_ORDER);
	kfree_skb(skb);
	return !f->frag_off;
}

/*
 * rcv_nxt moved on: deliver, in order, what was kept beyond the gap, up
 * to the next gap; a message still missing fragments continues in
 * fl->reasm.  Caller holds ms->lock.
 */
static void mlog_ooo_drain(struct mlog_flow *fl)
{
	struct mlog_reasm *r;
	unsigned int i;
	u32 v;

	lockdep_assert_held(&fl->ms->lock);
	while (fl->ooo) {
		i = fl->rcv_nxt % MLOG_OOO_MSGS;
		r = &fl->ooo->reasm[i];
		if (!mlog_reasm_started(r) || r->ssn != fl->rcv_nxt)
			return;
		if (r->have < r->msg_len) {
			/* with the room it holds */
			mlog_reasm_reset(fl->ms, &fl->reasm);
			fl->reasm = *r;
			memset(r, 0, sizeof(*r));
			return;
		}
		/* its state interval starts before anyone can read it */
		v = mlog_sl_deliver(fl, &fl->ooo->frame[i]);
		if (v & MLOG_SL_DROP) {
			/* not acknowledged: its sender sends it again */
			mlog_reasm_reset(fl->ms, r);
			return;
		}
		mlog_rdm_sl_frames(fl, v);
		mlog_deliver(fl->ms, mlog_reasm_take(fl->ms, r), &fl->addr,
			     fl->port);
		fl->rcv_nxt++;
		fl->unacked++;
	}
}

/*
 * A message that stops getting fragments for this long has lost its
 * sender: a live one resends what is missing at least every MLOG_RTO_MAX.
 */
#define MLOG_REASM_STALE	(8 * MLOG_RTO_MAX)

/*
 * Message rcv_nxt of @fl finds no room.  The next message in order goes
 * first: what the socket's flows keep beyond their gaps is dropped (their
 * senders send it again), and so are messages of other flows whose
 * senders have been silent for MLOG_REASM_STALE, which would otherwise
 * hold their room for ever.  Caller holds ms->lock.
 */
static void mlog_rcv_make_room(struct mlog_flow *fl)
{
	struct mlog_sock *ms = fl->ms;
	struct mlog_flow *other;
	int bkt;

	lockdep_assert_held(&ms->lock);
	hash_for_each(ms->flows, bkt, other, node) {
		mlog_ooo_release(other);
		if (other != fl && mlog_reasm_started(&other->reasm) &&
		    time_after(jiffies, other->reasm.stamp + MLOG_REASM_STALE))
			mlog_reasm_reset(ms, &other->reasm);
	}
}

/*
 * Admit message rcv_nxt of @fl, whose first fragment to arrive is @skb,
 * into @r or, for a message of one fragment, charge @skb itself: false
 * if there is no room for all of it, even after mlog_rcv_make_room().
 */
static bool mlog_rdm_admit(struct mlog_flow *fl, struct mlog_reasm *r,
			   struct sk_buff *skb, const struct mlog_frame *f)
{
	struct mlog_sock *ms = fl->ms;
	bool whole = f->payload_len == f->msg_len;

	if (whole ? mlog_charge(&ms->sk, skb) : mlog_reasm_start(ms, r, skb, f))
		return true;
	mlog_rcv_make_room(fl);
	return whole ? mlog_charge(&ms->sk, skb) :
		       mlog_reasm_start(ms, r, skb, f);
}

static void mlog_rdm_data(struct mlog_flow *fl, struct sk_buff *skb,
			  const struct mlog_frame *f,
			  const struct in6_addr *src)
{
	struct mlog_sock *ms = fl->ms;
	struct mlog_net *mn = mlog_sk_net(ms);
	struct mlog_reasm *r = &fl->reasm;
	struct sk_buff *whole;
	bool copy, tell;
	u32 cost, v;
	u64 rsn;

	/*
	 * A replaying host takes only its logged messages (replay.c) until
	 * the last; its peers send the rest again once it is live.
	 */
	if (unlikely(mlog_host_replaying(ms->host))) {
		mlog_stat_inc(mn, MLOG_STAT_RX_REPLAY_HELD);
		consume_skb(skb);
		return;
	}
	if (f->ssn < fl->rcv_nxt) {
		ms->stats.rx_dup++;
		mlog_stat_inc(mn, MLOG_STAT_RX_DUP);
		consume_skb(skb);
		if (mlog_sl_duplicate(fl, f, &rsn) & MLOG_SL_ANSWER)
			mlog_rdm_sl_answer(fl, f->ssn, rsn);
		/*
		 * Our ack was lost, or the sender gave up waiting for it:
		 * repeat it, once or twice per message, saying why.
		 */
		if (!f->frag_off || f->frag_off + f->payload_len == f->msg_len)
			mlog_rdm_ctl_out(fl, false, MLOG_F_DUP);
		return;
	}
	if (f->ssn > fl->rcv_nxt) {
		if (mlog_ooo_add(fl, skb, f))
			mlog_send_ack(fl);	/* tell the sender of the gap */
		return;
	}

	if (f->payload_len == f->msg_len) {
		cost = skb->truesize;
		if (!mlog_rdm_admit(fl, r, skb, f)) {
			kfree_skb(skb);
			goto refuse;
		}
		fl->rcv_refused = 0;
		whole = skb;
	} else {
		if (mlog_reasm_started(r) && r->ssn != f->ssn)
			mlog_reasm_reset(ms, r);
		/* its first fragment to arrive: admitted whole, or not */
		if (!mlog_reasm_started(r)) {
			cost = mlog_reasm_cost(ms, skb, f, &copy);
			if (!mlog_rdm_admit(fl, r, skb, f)) {
				kfree_skb(skb);
				goto refuse;
			}
			fl->rcv_refused = 0;
		}
		if (!mlog_reasm_add(ms, r, skb, f))
			goto no_room;
		if (r->have < r->msg_len) {
			/*
			 * The last fragment goes last: with the message still
			 * incomplete, fragments were lost or reordered, or
			 * this is a retransmission timeout's probe.  Either
			 * way the sender needs our fragment map now.
			 */
			if (f->frag_off + f->payload_len == f->msg_len)
				mlog_send_ack(fl);
			return;		/* more fragments to come */
		}
		whole = mlog_reasm_take(ms, r);
	}

	/*
	 * The message starts a new state interval of a protected host
	 * before it is queued: a reader on another CPU could otherwise see
	 * it and send from the old interval, which the send rule would let
	 * through without the RSN that the new message depends on.
	 */
	v = mlog_sl_deliver(fl, f);
	if (v & MLOG_SL_DROP) {
		kfree_skb(whole);	/* uncharges it */
		goto no_room;
	}
	mlog_rdm_sl_frames(fl, v);
	mlog_deliver(ms, whole, src, f->src_port);
	fl->rcv_nxt++;
	fl->unacked++;
	mlog_ooo_drain(fl);
	if (fl->unacked >= MLOG_ACK_EVERY ||
	    mlog_rcv_space(ms) < (u32)READ_ONCE(ms->sk.sk_rcvbuf) / 4)
		mlog_send_ack(fl);
	else if (!timer_pending(&fl->ack_timer))
		mod_timer(&fl->ack_timer, jiffies + MLOG_DELACK);
	return;

refuse:
	/*
	 * No room for all of it: not acknowledged, and its sender offered
	 * a window of 0, once per message (its first fragment to arrive,
	 * and the last, which a probe is), until reading makes the room
	 * (mlog_rdm_recvmsg()); it then asks again.
	 */
	ms->stats.rx_drops++;
	mlog_stat_inc(mn, MLOG_STAT_RX_QUEUE_FULL);
	tell = !fl->rcv_refused || f->frag_off + f->payload_len == f->msg_len;
	/* an empty buffer takes any message (mlog_rcv_room()) */
	fl->rcv_refused = clamp_t(u32, cost, 1, READ_ONCE(ms->sk.sk_rcvbuf));
	if (tell)
		mlog_send_ack(fl);
	return;

no_room:
	/* Not acknowledged: the sender keeps it and tries again later. */
	ms->stats.rx_drops++;
	mlog_stat_inc(mn, MLOG_STAT_RX_QUEUE_FULL);
	/* what waits beyond the gap must not keep the gap from closing */
	mlog_ooo_release(fl);
	mlog_send_ack(fl);
}

/*
 * An RDATA or ACK frame for this SOCK_RDM socket from the endpoint keyed
 * @src, through node @node.  Consumes @skb.
 */
void mlog_rdm_rcv(struct mlog_sock *ms, struct sk_buff *skb,
		  const struct mlog_frame *f, const struct in6_addr *src,
		  const struct in6_addr *node)
{
	struct mlog_net *mn = mlog_sk_net(ms);
	struct mlog_flow *fl;

	spin_lock_bh(&ms->lock);
	if (ms->dead)
		goto drop;
	fl = mlog_flow_get(ms, src, f->src_port, node, GFP_ATOMIC);
	if (!fl) {
		mlog_stat_inc(mn, MLOG_STAT_NO_MEMORY);
		goto drop;
	}
	if (fl->peer_epoch != f->epoch) {
		if (fl->peer_epoch)
			mlog_flow_restart(fl);
		fl->peer_epoch = f->epoch;
	}
	if (mlog_sl_frame_ok(fl, f) & MLOG_SL_DROP)
		goto drop;
	mlog_rdm_sl_rcv(fl, f);
	mlog_process_ack(fl, f);
	if (f->type == MLOG_FRAME_RDATA)
		mlog_rdm_data(fl, skb, f, src);
	else
		consume_skb(skb);
	spin_unlock_bh(&ms->lock);
	return;
drop:
	spin_unlock_bh(&ms->lock);
	kfree_skb(skb);
}

static void mlog_rto_expired(struct timer_list *t)
{
	struct mlog_flow *fl = from_timer(fl, t, rto_timer);
	struct mlog_sock *ms = fl->ms;
	struct mlog_net *mn = mlog_sk_net(ms);

	spin_lock_bh(&ms->lock);
	/* nothing to resend, or a host being recovered: it is not silent */
	if (ms->dead || fl->snd_una == fl->next_ssn || fl->rhold)
		goto out;
	mlog_stat_inc(mn, MLOG_STAT_TX_TIMEOUTS);
	fl->rto = min_t(unsigned long, fl->rto * 2, MLOG_RTO_MAX);
	mlog_cwnd_loss(fl, true);
	if (++fl->timeouts >= mlog_suspect_after && !fl->reported) {
		fl->reported = true;
		mlog_peer_suspect(mn, fl->peer);
		/*
		 * Wake blocked senders; they see the error.  Not those of a
		 * protected host: a peer that failed is recovered, and the
		 * program must not notice (recovery.rst).
		 */
		if (!ms->host)
			mlog_report_error(&ms->sk, EHOSTUNREACH);
	}
	/* Nothing in flight is a window of zero: probe it. */
	if (fl->snd_nxt > fl->snd_una) {
		fl->recover = fl->snd_nxt - 1;
		fl->rto_recovery = true;
		mlog_probe_una(fl);
	} else {
		mlog_rdm_push(fl);
	}
	if (!timer_pending(&fl->rto_timer))
		mod_timer(&fl->rto_timer, jiffies + fl->rto);
out:
	spin_unlock_bh(&ms->lock);
}

static void mlog_ack_expired(struct timer_list *t)
{
	struct mlog_flow *fl = from_timer(fl, t, ack_timer);
	struct mlog_sock *ms = fl->ms;

	spin_lock_bh(&ms->lock);
	if (!ms->dead && fl->unacked)
		mlog_send_ack(fl);
	spin_unlock_bh(&ms->lock);
}

/*
 * The logging layer's timer of @fl (a flow of either socket type of a
 * protected host): RSNs or RSN acks due go in a frame of their own.
 */
static void mlog_sl_expired(struct timer_list *t)
{
	struct mlog_flow *fl = from_timer(fl, t, sl_timer);
	struct mlog_sock *ms = fl->ms;
	unsigned long now = jiffies;
	u32 npend, v;

	spin_lock_bh(&ms->lock);
	if (!ms->dead && ms->host) {
		v = mlog_sl_timer(fl, now, &npend);
		mlog_rdm_sl_frames(fl, v);
		mlog_sl_timer_done(fl, now, v & MLOG_SL_CTL, npend);
	}
	spin_unlock_bh(&ms->lock);
}

/* One message is always accepted into an empty queue. */
static bool mlog_has_room(struct mlog_sock *ms, u32 cost)
{
	return !ms->tx_queued ||
	       ms->tx_queued + cost <= (u32)READ_ONCE(ms->sk.sk_sndbuf);
}

int mlog_rdm_sendmsg(struct socket *sock, struct msghdr *msg, size_t len)
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	struct sock *sk = sock->sk;
	struct mlog_net *mn = mlog_sk_net(mlog_sk(sk));
	struct mlog_sock *ms = mlog_sk(sk);
	struct mlog_dest dest;
	struct mlog_txmsg *m;
	struct mlog_flow *fl;
	long timeo;
	u32 cost;
	int err;

	err = mlog_send_prepare(sk, msg, len, &dest);
	if (err)
		return err;

	timeo = sock_sndtimeo(sk, msg->msg_flags & MSG_DONTWAIT);
	if (ms->host) {
		/* A protected host's message lives in the log; we point at it. */
		struct mlog_log_rec *rec = mlog_sl_log_msg(ms, msg, len, &timeo);

		if (IS_ERR(rec))
			return PTR_ERR(rec);
		m = kzalloc(sizeof(*m), GFP_KERNEL_ACCOUNT);
		if (!m) {
			mlog_log_put(&mn->log, rec);
			return -ENOMEM;
		}
		m->rec = rec;
		m->data = rec->data;
		m->logged = true;
	} else {
		bool apart = mlog_txmsg_apart(len);

		m = kmalloc(apart ? sizeof(*m) : struct_size(m, inline_data, len),
			    GFP_KERNEL_ACCOUNT);
		if (!m)
			return -ENOMEM;
		m->logged = false;
		m->data = m->inline_data;
		if (apart) {
			m->data = kvmalloc(len, GFP_KERNEL_ACCOUNT);
			if (!m->data) {
				kfree(m);
				return -ENOMEM;
			}
		}
		if (!copy_from_iter_full(m->data, len, &msg->msg_iter)) {
			mlog_txmsg_kfree(m);
			return -EFAULT;
		}
		m->rec = NULL;
		m->interval = 0;
		m->delayed = false;
	}
	m->len = len;
	m->retransmitted = false;
	m->probed = false;
	cost = mlog_txmsg_cost(len, m->logged);

	add_wait_queue(sk_sleep(sk), &wait);
	for (;;) {
		spin_lock_bh(&ms->lock);
		if (ms->dead) {
			err = -EPIPE;
			break;
		}
		if (READ_ONCE(sk->sk_err)) {
			err = sock_error(sk);
			break;
		}
		if (mlog_has_room(ms, cost))
			break;
		mlog_set_nospace(sk);
		spin_unlock_bh(&ms->lock);
		if (!timeo) {
			err = -EAGAIN;
			goto out_unlocked;
		}
		if (signal_pending(current)) {
			err = sock_intr_errno(timeo);
			goto out_unlocked;
		}
		timeo = wait_woken(&wait, TASK_INTERRUPTIBLE, timeo);
	}
	if (!err) {
		fl = mlog_flow_get(ms, &dest.key, dest.port, &dest.node,
				   GFP_ATOMIC);
		if (!fl) {
			err = -ENOBUFS;
		} else {
			/* only ever raised: a route change may be racing */
			if (dest.incarnation > fl->dst_incarnation)
				fl->dst_incarnation = dest.incarnation;
			m->ssn = fl->next_ssn++;
			if (m->rec)
				mlog_sl_enqueue(fl, m);
			list_add_tail(&m->list, &fl->txq);
			ms->tx_queued += cost;
			ms->stats.tx_msgs++;
			m = NULL;
			mlog_rdm_push(fl);
		}
	}
	spin_unlock_bh(&ms->lock);
out_unlocked:
	remove_wait_queue(sk_sleep(sk), &wait);
	if (m) {
		if (m->rec)
			mlog_log_put(&mn->log, m->rec);
		mlog_txmsg_kfree(m);
	}
	if (err == -ENOBUFS)
		mlog_stat_inc(mn, MLOG_STAT_NO_MEMORY);
	return err ? err : len;
}

int mlog_rdm_recvmsg(struct socket *sock, struct msghdr *msg, size_t size,
		     int flags)
{
	struct sock *sk = sock->sk;
	struct mlog_sock *ms = mlog_sk(sk);
	u32 rcvbuf = READ_ONCE(sk->sk_rcvbuf);
	int ret;

	ret = mlog_recvmsg(sock, msg, size, flags);

	/*
	 * Reading made room: senders we told to hold back learn it now
	 * rather than at their next timeout, each once there is what it
	 * waits for: half the buffer, or all of the message it was refused.
	 */
	if (READ_ONCE(ms->window_low) &&
	    mlog_rcv_space(ms) >= READ_ONCE(ms->wake_space)) {
		struct mlog_flow *fl;
		u32 space, need;
		int bkt;

		spin_lock_bh(&ms->lock);
		WRITE_ONCE(ms->window_low, false);
		space = mlog_rcv_space(ms);
		hash_for_each(ms->flows, bkt, fl, node) {
			if (!fl->window_low || ms->dead)
				continue;
			need = fl->rcv_refused ?: rcvbuf / 2;
			if (space < need) {
				/* still waiting */
				if (!ms->window_low || need < ms->wake_space)
					WRITE_ONCE(ms->wake_space, need);
				WRITE_ONCE(ms->window_low, true);
				continue;
			}
			fl->rcv_refused = 0;
			mlog_send_ack(fl);
		}
		spin_unlock_bh(&ms->lock);
	}
	return ret;
}

/*
 * Writable: the next send of any message the socket accepts, up to
 * MLOG_MAX_MSG bytes, finds room at once, in SO_SNDBUF and, for a
 * protected host, in the log (a send that finds neither full never gets
 * EAGAIN).
 */
static bool mlog_rdm_writable(struct mlog_sock *ms)
{
	return mlog_sndbuf_writable(ms) &&
	       (!ms->host || mlog_log_writable(&mlog_sk_net(ms)->log));
}

__poll_t mlog_rdm_poll(struct file *file, struct socket *sock,
		       poll_table *wait)
{
	const __poll_t out = EPOLLOUT | EPOLLWRNORM | EPOLLWRBAND;
	struct sock *sk = sock->sk;
	struct mlog_sock *ms = mlog_sk(sk);
	__poll_t mask;

	mask = datagram_poll(file, sock, wait) & ~out;
	/* a protected host's log makes room when a block is freed */
	if (ms->host)
		poll_wait(file, &mlog_sk_net(ms)->log.wait, wait);
	if (mlog_rdm_writable(ms))
		return mask | out;
	mlog_set_nospace(sk);
	/*
	 * An acknowledgment may have made room meanwhile, seeing no
	 * SOCK_NOSPACE yet: look again (pairs with the barrier in
	 * mlog_rdm_write_space(), as tcp_poll() with tcp_check_space()).
	 */
	smp_mb__after_atomic();
	if (mlog_rdm_writable(ms))
		mask |= out;
	return mask;
}

int mlog_rdm_ioctl(struct socket *sock, unsigned int cmd, unsigned long arg)
{
	struct sock *sk = sock->sk;
	struct sk_buff *skb;
	int amount;

	switch (cmd) {
	case SIOCOUTQ:
		/*
		 * What the messages not yet acknowledged by their receivers
		 * cost (mlog_txmsg_cost()): 0 once and only once every
		 * message sent has been acknowledged, empty ones included.
		 */
		amount = READ_ONCE(mlog_sk(sk)->tx_queued);
		break;
	case SIOCINQ:
		/* size of the next message, as for UDP */
		spin_lock_bh(&sk->sk_receive_queue.lock);
		skb = skb_peek(&sk->sk_receive_queue);
		amount = skb ? skb->len : 0;
		spin_unlock_bh(&sk->sk_receive_queue.lock);
		break;
	default:
		return -ENOIOCTLCMD;
	}
	return put_user(amount, (int __user *)arg);
}
