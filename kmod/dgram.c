// SPDX-License-Identifier: GPL-2.0
/*
 * SOCK_DGRAM: unreliable messages.
 *
 * A datagram goes out once, in fragments that share its number (the
 * sending socket's datagram SSN); the receiver reassembles it on the
 * sender's flow (flow.c) and drops what is incomplete when a newer one
 * begins.  Nothing is acknowledged or sent again.
 *
 * The datagrams of a protected host are logged as its SOCK_RDM messages
 * are (slog.c): the sender copies each into the node's log and waits in
 * sendmsg() while the send rule holds it (a datagram has no queue to wait
 * in); the receiver gives each an RSN, drops duplicates by their number,
 * and RSNs and their acknowledgments travel in ACK frames on the flow.
 *
 * Calls: the socket layer's shared calls (af_mlog.c), flows and
 * reassembly (flow.c), the logging layer's hooks (slog.c), the log
 * (log.c), control frames of a flow (rdm.c), the transport (transport.c,
 * peer.c).
 */
#include <linux/module.h>
#include <linux/net.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <linux/uio.h>
#include <net/sock.h>

#include "mlog.h"

/* ---- logged datagrams, of a protected host ---- */

/*
 * Log entry @rec of a datagram goes out on @fl now, with the RSNs and
 * acks due there, and the caller's reference to it passes to the flow.
 * No copy is kept for retransmission: the entry waits only for the
 * receiver's RSN.  Caller holds ms->lock.
 */
static void mlog_dgram_xmit_logged(struct mlog_flow *fl,
				   struct mlog_log_rec *rec, u64 interval,
				   u64 host_ssn)
{
	struct mlog_sock *ms = fl->ms;
	struct mlog_net *mn = mlog_sk_net(ms);
	struct mlog_frame f;
	u32 off = 0;
	u64 ssn;

	lockdep_assert_held(&fl->ms->lock);
	/* numbered here, under the lock, so fl->partial stays in order */
	ssn = atomic64_inc_return(&ms->dgram_ssn);
	mlog_sl_file_dgram(fl, rec, ssn, interval, host_ssn);
	if (ssn >= fl->next_ssn)
		fl->next_ssn = ssn + 1;
	mlog_flow_frame_init(fl, &f, MLOG_FRAME_DATA);
	f.ssn = ssn;
	f.msg_len = rec->len;
	f.flags |= MLOG_F_NEED_RSN;
	f.interval = interval;
	mlog_sl_fill(fl, &f, false);
	mlog_sl_check_frame(fl, &f);
	do {
		f.frag_off = off;
		f.payload_len = min_t(u32, rec->len - off, MLOG_MAX_FRAG);
		if (mlog_frame_out(mn, fl->peer, &f, rec->data + off))
			break;	/* as lost on the wire: the entry stays partial */
		off += f.payload_len;
	} while (off < rec->len);
	ms->stats.tx_msgs++;
}

/*
 * A protected host sends a datagram of @len bytes to (@dst, @dport): copy
 * it into the log, wait until the send rule lets it go (the datagram has
 * no queue to wait in, so the sender sleeps; EAGAIN if it may not), then
 * send it.  Process context, no locks held.
 */
static int mlog_dgram_sendmsg_logged(struct mlog_sock *ms,
				     struct msghdr *msg, u32 len,
				     const struct mlog_dest *dest)
{
	struct sock *sk = &ms->sk;
	struct mlog_net *mn = mlog_sk_net(ms);
	struct mlog_host *h = ms->host;
	long timeo = sock_sndtimeo(sk, msg->msg_flags & MSG_DONTWAIT);
	struct mlog_log_rec *rec;
	struct mlog_flow *fl;
	bool delayed = false, sent;
	u64 interval, host_ssn;
	u32 gen;
	long t;
	int err = 0;

	rec = mlog_sl_log_msg(ms, msg, len, &timeo);
	if (IS_ERR(rec))
		return PTR_ERR(rec);
	/*
	 * The message belongs to the state the sender is in now.  The
	 * interval is a single word, written under h->lock; a message the
	 * sender has read was delivered after its interval began (see
	 * mlog_sl_deliver()), so a plain read sees at least that one.
	 */
	interval = READ_ONCE(h->rsn);
	for (;;) {
		gen = READ_ONCE(h->ack_gen);
		spin_lock_bh(&ms->lock);
		fl = mlog_flow_get(ms, &dest->key, dest->port, &dest->node,
				   GFP_ATOMIC);
		if (fl && dest->incarnation > fl->dst_incarnation)
			fl->dst_incarnation = dest->incarnation;
		sent = fl && !(mlog_sl_dgram_rule(fl, interval, &delayed,
						   &host_ssn) & MLOG_SL_HOLD);
		if (sent)
			mlog_dgram_xmit_logged(fl, rec, interval, host_ssn);
		spin_unlock_bh(&ms->lock);
		if (sent)
			break;
		if (!fl) {
			mlog_stat_inc(mn, MLOG_STAT_NO_MEMORY);
			err = -ENOBUFS;
			break;
		}
		if (!timeo) {
			err = -EAGAIN;
			break;
		}
		if (signal_pending(current)) {
			err = sock_intr_errno(timeo);
			break;
		}
		t = wait_event_interruptible_timeout(h->sendq,
						     READ_ONCE(h->ack_gen) != gen,
						     timeo);
		if (t < 0) {
			err = sock_intr_errno(timeo);
			break;
		}
		timeo = t;
	}
	/* a sent entry is the flow's now; an unsent one goes away */
	if (!sent)
		mlog_log_put(&mn->log, rec);
	return err ? err : len;
}

/*
 * The peer socket of a datagram flow was replaced: what we knew of the
 * old one (its numbering, RSNs it owes or is owed) is void.  Caller holds
 * ms->lock.
 */
static void mlog_dgram_restart(struct mlog_flow *fl)
{
	struct mlog_net *mn = mlog_sk_net(fl->ms);

	lockdep_assert_held(&fl->ms->lock);
	mlog_sl_flow_detach(fl);
	mlog_reasm_reset(fl->ms, &fl->reasm);
	fl->rcv_nxt = 1;
	mlog_stat_inc(mn, MLOG_STAT_PEER_RESTARTED);
}

/*
 * A DATA or ACK frame for a SOCK_DGRAM socket of a protected host: RSNs
 * and acks for our datagrams, and datagrams that get RSNs when they are
 * delivered.  Each sender's datagram numbers only grow, so anything not
 * above the last one delivered is a duplicate (or overtaken, which for a
 * datagram is as good as lost) and is not delivered.  Consumes @skb.
 */
static void mlog_dgram_rcv_logged(struct mlog_sock *ms, struct sk_buff *skb,
				  const struct mlog_frame *f,
				  const struct in6_addr *src,
				  const struct in6_addr *node)
{
	struct mlog_net *mn = mlog_sk_net(ms);
	struct sk_buff *whole = NULL;
	struct mlog_reasm *r;
	struct mlog_flow *fl;
	u64 rsn;
	u32 v;

	spin_lock_bh(&ms->lock);
	fl = ms->dead ? NULL : mlog_flow_get(ms, src, f->src_port, node,
					     GFP_ATOMIC);
	if (!fl) {
		mlog_stat_inc(mn, MLOG_STAT_NO_MEMORY);
		goto drop;
	}
	if (fl->peer_epoch != f->epoch) {
		if (fl->peer_epoch)
			mlog_dgram_restart(fl);
		fl->peer_epoch = f->epoch;
	}
	if (mlog_sl_frame_ok(fl, f) & MLOG_SL_DROP)
		goto drop;
	mlog_rdm_sl_rcv(fl, f);
	if (f->type != MLOG_FRAME_DATA) {
		consume_skb(skb);
		goto out;
	}
	/* a replaying host takes only its logged messages (replay.c) */
	if (unlikely(mlog_host_replaying(ms->host))) {
		mlog_stat_inc(mn, MLOG_STAT_RX_REPLAY_HELD);
		consume_skb(skb);
		goto out;
	}
	if (f->ssn < fl->rcv_nxt) {
		ms->stats.rx_dup++;
		mlog_stat_inc(mn, MLOG_STAT_RX_DUP);
		if (mlog_sl_duplicate(fl, f, &rsn) & MLOG_SL_ANSWER)
			mlog_rdm_sl_answer(fl, f->ssn, rsn);
		consume_skb(skb);
		goto out;
	}

	r = &fl->reasm;
	if (f->payload_len == f->msg_len) {
		whole = skb;
	} else {
		/* a fragment of a newer message: the older one lost one */
		if (mlog_reasm_started(r) && r->ssn != f->ssn) {
			mlog_reasm_reset(ms, r);
			mlog_stat_inc(mn, MLOG_STAT_RX_INCOMPLETE);
		}
		if (!mlog_reasm_add(ms, r, skb, f))
			goto no_room;
		if (r->have < r->msg_len)
			goto out;
		whole = mlog_reasm_take(ms, r);
	}
	/* a new state interval before anyone can read it (see rdm.c) */
	if (whole == skb && !mlog_charge(&ms->sk, whole)) {
		kfree_skb(whole);
		goto no_room;
	}
	v = mlog_sl_deliver(fl, f);
	if (v & MLOG_SL_DROP) {
		kfree_skb(whole);	/* uncharges it */
		goto no_room;
	}
	if (v & MLOG_SL_CTL)
		mlog_rdm_sl_ctl(fl);
	mlog_deliver(ms, whole, src, f->src_port);
	fl->rcv_nxt = f->ssn + 1;
	goto out;

no_room:
	/* a datagram: lost; its sender's entry stays partial */
	ms->stats.rx_drops++;
	mlog_stat_inc(mn, MLOG_STAT_RX_QUEUE_FULL);
	goto out;
drop:
	kfree_skb(skb);
out:
	spin_unlock_bh(&ms->lock);
}

/* ---- every datagram socket ---- */

/*
 * A DATA frame for a SOCK_DGRAM socket (or, for a protected host's, an ACK
 * frame too) from the endpoint keyed @src, through node @node.  A
 * protected host's datagrams take the logged path; the others are queued
 * as they come, fragments reassembled on the sender's flow.  Consumes @skb.
 */
void mlog_dgram_rcv(struct mlog_sock *ms, struct sk_buff *skb,
		    const struct mlog_frame *f, const struct in6_addr *src,
		    const struct in6_addr *node)
{
	struct mlog_net *mn = mlog_sk_net(ms);
	struct mlog_reasm *r;
	struct mlog_flow *fl;

	if (ms->host) {
		mlog_dgram_rcv_logged(ms, skb, f, src, node);
		return;
	}
	if (f->flags & MLOG_F_NEED_RSN)
		mlog_sl_dgram_unlogged(ms, node, f);
	if (f->payload_len == f->msg_len) {
		if (!mlog_charge(&ms->sk, skb)) {
			ms->stats.rx_drops++;
			mlog_stat_inc(mn, MLOG_STAT_RX_QUEUE_FULL);
			kfree_skb(skb);
			return;
		}
		spin_lock_bh(&ms->lock);
		mlog_deliver(ms, skb, src, f->src_port);
		spin_unlock_bh(&ms->lock);
		return;
	}

	spin_lock_bh(&ms->lock);
	fl = mlog_flow_get(ms, src, f->src_port, node, GFP_ATOMIC);
	if (!fl) {
		spin_unlock_bh(&ms->lock);
		mlog_stat_inc(mn, MLOG_STAT_NO_MEMORY);
		kfree_skb(skb);
		return;
	}
	r = &fl->reasm;
	/* A fragment of a newer message: the older one lost a fragment. */
	if (mlog_reasm_started(r) && r->ssn != f->ssn) {
		mlog_reasm_reset(ms, r);
		mlog_stat_inc(mn, MLOG_STAT_RX_INCOMPLETE);
	}
	if (!mlog_reasm_add(ms, r, skb, f)) {
		ms->stats.rx_drops++;
		mlog_stat_inc(mn, MLOG_STAT_RX_QUEUE_FULL);
	} else if (r->have == r->msg_len) {
		mlog_deliver(ms, mlog_reasm_take(ms, r), src, f->src_port);
	}
	spin_unlock_bh(&ms->lock);
}

/* Send each fragment of a datagram; they share the message's SSN. */
int mlog_dgram_sendmsg(struct socket *sock, struct msghdr *msg, size_t len)
{
	struct sock *sk = sock->sk;
	struct mlog_net *mn = mlog_sk_net(mlog_sk(sk));
	struct mlog_sock *ms = mlog_sk(sk);
	struct mlog_dest dest;
	struct mlog_frame f = { .type = MLOG_FRAME_DATA };
	struct mlog_peer *peer;
	u32 off = 0;
	void *buf;
	int err;

	err = mlog_send_prepare(sk, msg, len, &dest);
	if (err)
		return err;
	if (ms->host)
		return mlog_dgram_sendmsg_logged(ms, msg, len, &dest);
	/* The port is fixed once bound; the epoch for the socket's life. */
	f.src_port = READ_ONCE(ms->port);
	f.epoch = ms->epoch;
	f.ssn = atomic64_inc_return(&ms->dgram_ssn);
	f.dst_host = mlog_key_host(&dest.key);

	peer = mlog_peer_get(mn, &dest.node, GFP_KERNEL);
	if (!peer)
		return -ENOBUFS;
	buf = kvmalloc(len ? len : 1, GFP_KERNEL_ACCOUNT);
	if (!buf)
		return -ENOMEM;
	if (!copy_from_iter_full(buf, len, &msg->msg_iter)) {
		err = -EFAULT;
		goto out;
	}
	f.dst_port = dest.port;
	f.msg_len = len;
	do {
		f.frag_off = off;
		f.payload_len = min_t(u32, len - off, MLOG_MAX_FRAG);
		err = mlog_frame_out(mn, peer, &f, buf + off);
		if (err)
			break;
		off += f.payload_len;
	} while (off < len);
	if (!err)
		ms->stats.tx_msgs++;
out:
	kvfree(buf);
	return err ? err : len;
}

__poll_t mlog_dgram_poll(struct file *file, struct socket *sock,
			 poll_table *wait)
{
	struct mlog_sock *ms = mlog_sk(sock->sk);
	__poll_t mask = datagram_poll(file, sock, wait);

	if (ms->host)
		mask &= ~mlog_sl_dgram_poll(ms, file, wait);
	return mask;
}
