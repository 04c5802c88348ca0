// SPDX-License-Identifier: GPL-2.0
/*
 * Replay: a recovered protected host re-executes through the messages it
 * had received (thesis 3.2.4, Documentation/recovery.rst).
 *
 * The host is registered with MLOG_HOST_REPLAY.  Its node's mlog-ckptd
 * collects the fully logged messages it received from every surviving
 * node's log and queues them here in RSN order (MLOG_CMD_REPLAY_PUSH).
 * Each is delivered to the socket it was for as soon as the re-executing
 * program has bound that socket, strictly in RSN order: a program binds
 * its sockets in the same order in every execution, before it can have
 * read anything that came later, so the head of the queue never waits
 * for something only a later message could bring about.  Delivery starts
 * the same state interval as the first time (slog.c,
 * mlog_sl_replay_deliver()) but returns no RSN: the message is logged
 * already.  Until the queue is empty and MLOG_CMD_REPLAY_END said nothing
 * follows, the host takes no other data (rdm.c); then it is live and an
 * MLOG_CMD_EVENT_HOST notification goes out.
 *
 * What the queue holds is charged to the daemon that pushed it and
 * bounded per host (replay_max_kb); a push beyond fails with ENOBUFS and
 * is retried once the host has consumed some.
 *
 * Calls: the port table (port.c), flows (flow.c), the logging layer
 * (mlog_sl_replay_deliver()) and the notification interface (notify.h).
 *
 * Locking: h->replay_lock (a mutex: delivery runs in process context,
 * from the push, a bind or a read) nests outside the socket locks.
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "mlog.h"
#include "notify.h"

unsigned int mlog_replay_max_kb = 65536;
module_param_named(replay_max_kb, mlog_replay_max_kb, uint, 0644);
MODULE_PARM_DESC(replay_max_kb,
		 "most message bytes queued for one replaying host, KiB");

struct mlog_replay_msg *mlog_replay_alloc(u32 len)
{
	struct mlog_replay_msg *m;

	return kvzalloc(struct_size(m, data, len), GFP_KERNEL_ACCOUNT);
}

/* Caller holds h->replay_lock. */
static void mlog_replay_pop(struct mlog_host *h, struct mlog_replay_msg *m)
{
	lockdep_assert_held(&h->replay_lock);
	list_del(&m->list);
	h->replay_queued--;
	h->replay_bytes -= m->len;
	kvfree(m);
}

/*
 * The socket of @h message @m is for, with a reference, or NULL while the
 * program has not bound it yet.
 */
static struct mlog_sock *mlog_replay_target(struct mlog_host *h,
					    const struct mlog_replay_msg *m)
{
	struct sock *sk;

	sk = mlog_lookup_port(h->mn, m->dst_hostaddr ? h->index : 0,
			      m->dst_port);
	if (!sk)
		return NULL;
	/* a node-form port of someone else: not ours (yet) */
	if (mlog_sk(sk)->host != h ||
	    sk->sk_type != (m->dgram ? SOCK_DGRAM : SOCK_RDM)) {
		sock_put(sk);
		return NULL;
	}
	return mlog_sk(sk);
}

/*
 * Queue message @m for @ms, as it arrived the first time.  -ENOBUFS: no
 * room in the receive buffer now (the reader makes some and delivery goes
 * on from its recvmsg()).
 */
static int mlog_replay_deliver(struct mlog_sock *ms,
			       const struct mlog_replay_msg *m)
{
	struct mlog_net *mn = mlog_sk_net(ms);
	struct in6_addr key = m->src_node;
	struct mlog_flow *fl;
	struct sk_buff *skb;
	int err = 0;

	/* in pages, as reassembly does: no high-order allocation */
	skb = alloc_skb_with_frags(0, m->len, 0, &err, GFP_KERNEL);
	if (!skb)
		return -ENOMEM;
	skb->len = m->len;
	skb->data_len = m->len;
	if (skb_store_bits(skb, 0, m->data, m->len)) {
		kfree_skb(skb);
		return -EFAULT;
	}
	/* the sender as the host knew it: a host's key, or its node */
	if (m->src_hostaddr)
		mlog_host_key(&key, m->src_host);

	spin_lock_bh(&ms->lock);
	if (ms->dead) {
		err = -EPIPE;
		goto out;
	}
	if (!mlog_charge(&ms->sk, skb)) {
		err = -ENOBUFS;
		goto out;
	}
	fl = mlog_flow_get(ms, &key, m->src_port, &m->src_node, GFP_ATOMIC);
	if (!fl) {
		err = -ENOMEM;
		goto out;
	}
	if (!fl->peer_epoch)
		fl->peer_epoch = m->src_epoch;
	/*
	 * The flow expects this SSN next; anything below it reached the
	 * host already, which a consistent log cannot say.
	 */
	if (m->ssn < fl->rcv_nxt) {
		err = -EILSEQ;
		goto out;
	}
	mlog_sl_replay_deliver(fl, m);
	mlog_deliver(ms, skb, &key, m->src_port);
	skb = NULL;
	fl->rcv_nxt = m->ssn + 1;
	mlog_stat_inc(mn, MLOG_STAT_REPLAYED);
out:
	spin_unlock_bh(&ms->lock);
	kfree_skb(skb);		/* uncharges it if it was charged */
	return err;
}

/*
 * Deliver what the program is ready for, in RSN order; once the queue is
 * empty and nothing follows, the host is live.  Process context.
 */
void mlog_replay_run(struct mlog_host *h)
{
	struct mlog_replay_msg *m;
	struct mlog_sock *ms;
	bool done = false;
	int err;

	mutex_lock(&h->replay_lock);
	while (h->replaying &&
	       (m = list_first_entry_or_null(&h->replay_q,
					     struct mlog_replay_msg, list))) {
		ms = mlog_replay_target(h, m);
		if (!ms)
			break;
		err = mlog_replay_deliver(ms, m);
		sock_put(&ms->sk);
		if (err == -ENOBUFS || err == -ENOMEM)
			break;
		if (err)
			/*
			 * The program did not go where it went the first time
			 * (it is not deterministic) or its socket is closing:
			 * nothing sensible can be done with the message.
			 */
			pr_warn_ratelimited("host %u: logged message RSN %llu cannot be replayed (%d)\n",
					    h->index, m->rsn, err);
		h->replayed = m->rsn;
		mlog_replay_pop(h, m);
	}
	if (h->replaying && h->replay_end && list_empty(&h->replay_q)) {
		WRITE_ONCE(h->replaying, false);
		done = true;
	}
	mutex_unlock(&h->replay_lock);
	if (done)
		mlog_notify(h->mn, MLOG_EVENT_HOST, h);
}

/*
 * Queue @m (taken over, freed on failure) for replaying host @h: it must
 * be the next RSN, and the queue within its bound.
 */
int mlog_replay_push(struct mlog_host *h, struct mlog_replay_msg *m,
		     struct netlink_ext_ack *extack)
{
	struct mlog_replay_msg *last;
	u64 next;
	int err = 0;

	mutex_lock(&h->replay_lock);
	if (!h->replaying || h->replay_end) {
		NL_SET_ERR_MSG(extack,
			       "the host is not replaying, or its replay was ended");
		err = -EINVAL;
		goto out;
	}
	last = list_empty(&h->replay_q) ? NULL :
	       list_last_entry(&h->replay_q, struct mlog_replay_msg, list);
	next = (last ? last->rsn : h->replayed) + 1;
	if (m->rsn != next) {
		NL_SET_ERR_MSG(extack,
			       "replay goes in RSN order, from RSN 1 without a gap");
		err = -EINVAL;
		goto out;
	}
	if (h->replay_queued &&
	    h->replay_bytes + m->len > (u64)mlog_replay_max_kb * 1024) {
		NL_SET_ERR_MSG(extack,
			       "replay queue full: push again once the host has read some");
		err = -ENOBUFS;
		goto out;
	}
	list_add_tail(&m->list, &h->replay_q);
	h->replay_queued++;
	h->replay_bytes += m->len;
	m = NULL;
out:
	mutex_unlock(&h->replay_lock);
	kvfree(m);
	if (!err)
		mlog_replay_run(h);
	return err;
}

/* Nothing follows what is queued: once it is delivered the host is live. */
int mlog_replay_end(struct mlog_host *h, struct netlink_ext_ack *extack)
{
	int err = 0;

	mutex_lock(&h->replay_lock);
	if (!h->replaying) {
		NL_SET_ERR_MSG(extack, "the host is not replaying");
		err = -EINVAL;
	} else {
		h->replay_end = true;
	}
	mutex_unlock(&h->replay_lock);
	if (!err)
		mlog_replay_run(h);
	return err;
}

/* The host goes away: whatever is still queued with it. */
void mlog_replay_free(struct mlog_host *h)
{
	struct mlog_replay_msg *m, *tmp;

	mutex_lock(&h->replay_lock);
	list_for_each_entry_safe(m, tmp, &h->replay_q, list)
		mlog_replay_pop(h, m);
	WRITE_ONCE(h->replaying, false);
	mutex_unlock(&h->replay_lock);
}
