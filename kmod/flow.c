// SPDX-License-Identifier: GPL-2.0
/*
 * Flows and reassembly.
 *
 * A flow (struct mlog_flow) is what a socket keeps per remote endpoint
 * (node or host key, port): both directions of SOCK_RDM, the reassembly
 * of fragmented SOCK_DGRAM messages, and the logging state of either.
 * Each socket keeps its flows in a small hash table under ms->lock.
 *
 * Messages larger than one frame arrive in fragments of MLOG_MAX_FRAG
 * bytes and are reassembled here, charged to the receiving socket as they
 * come; a complete message is queued for recvmsg() by mlog_deliver().
 *
 * Calls: peers (peer.c), and the reliability layer once per new flow,
 * for its timers (mlog_flow_init_rdm()).  Called by the socket types
 * (dgram.c, rdm.c) and replay.c.
 */
#include <linux/jhash.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <net/sock.h>

#include "mlog.h"

/* ---- flows ---- */

static u32 mlog_flow_hash(const struct in6_addr *addr, u16 port)
{
	return jhash_2words(jhash(addr, sizeof(*addr), 0), port, 0);
}

/* Caller holds ms->lock. */
static struct mlog_flow *mlog_flow_find(struct mlog_sock *ms,
					const struct in6_addr *addr, u16 port)
{
	struct mlog_flow *fl;

	lockdep_assert_held(&ms->lock);
	hash_for_each_possible(ms->flows, fl, node, mlog_flow_hash(addr, port))
		if (fl->port == port && ipv6_addr_equal(&fl->addr, addr))
			return fl;
	return NULL;
}

/*
 * Find or create the flow to (@addr, @port), @addr being a node's address
 * or a host's key; a new flow reaches it through node @node.  Called with
 * ms->lock held; @gfp must then be atomic.  NULL when closing, out of
 * memory, or the socket already has max_flows flows.
 */
struct mlog_flow *mlog_flow_get(struct mlog_sock *ms,
				const struct in6_addr *addr, u16 port,
				const struct in6_addr *node, gfp_t gfp)
{
	struct mlog_net *mn = mlog_sk_net(ms);
	struct mlog_peer *peer;
	struct mlog_flow *fl;

	lockdep_assert_held(&ms->lock);
	fl = mlog_flow_find(ms, addr, port);
	if (fl || ms->dead || ms->nflows >= mlog_max_flows)
		return fl;
	peer = mlog_peer_get(mn, node, gfp);
	if (!peer)
		return NULL;
	fl = kzalloc(sizeof(*fl), gfp | __GFP_ACCOUNT);
	if (!fl)
		return NULL;
	fl->ms = ms;
	fl->peer = peer;
	fl->addr = *addr;
	fl->port = port;
	mlog_flow_init_rdm(fl);
	hash_add(ms->flows, &fl->node, mlog_flow_hash(addr, port));
	ms->nflows++;
	return fl;
}

/*
 * A frame of type @type on @fl: its addresses (ports, host-form endpoints
 * and their incarnations) and the socket's epoch, everything else zero.
 */
void mlog_flow_frame_init(struct mlog_flow *fl, struct mlog_frame *f, u8 type)
{
	struct mlog_sock *ms = fl->ms;

	memset(f, 0, sizeof(*f));
	f->type = type;
	f->src_port = ms->port;
	f->dst_port = fl->port;
	f->epoch = ms->epoch;
	/* host-form endpoints: where the frame is from, whom it is for */
	if (ms->bound_host) {
		f->flags = MLOG_F_SRC_HOST;
		f->src_host = ms->bound_host;
		f->incarnation = ms->host->incarnation;
	}
	f->dst_host = mlog_key_host(&fl->addr);
	if (f->dst_host)
		f->dst_incarnation = fl->dst_incarnation;
}

/* ---- reassembly ---- */

/*
 * Drop whatever @r holds: its fragments or buffer, and the room it held.
 * Caller holds ms->lock.
 */
void mlog_reasm_reset(struct mlog_sock *ms, struct mlog_reasm *r)
{
	lockdep_assert_held(&ms->lock);
	WRITE_ONCE(ms->rcv_reserved, ms->rcv_reserved - r->reserved);
	kfree_skb(r->skb);
	kfree_skb_list(r->head);
	memset(r, 0, sizeof(*r));
}

/* Keep fragment @skb as it is, in offset order; it is charged already. */
static void mlog_reasm_insert(struct mlog_reasm *r, struct sk_buff *skb,
			      u32 off)
{
	struct sk_buff **pp = &r->head;

	mlog_skb_cb(skb)->frag_off = off;
	skb->next = NULL;
	/* Fragments mostly arrive in order: append. */
	if (!r->tail || mlog_skb_cb(r->tail)->frag_off < off) {
		if (r->tail)
			r->tail->next = skb;
		else
			r->head = skb;
		r->tail = skb;
		return;
	}
	while (mlog_skb_cb(*pp)->frag_off < off)
		pp = &(*pp)->next;
	skb->next = *pp;
	*pp = skb;
}

/* What a fragment of a message costs the receive buffer, at least. */
#define MLOG_FRAG_TRUESIZE	SKB_TRUESIZE(MLOG_MAX_FRAG)

/*
 * The receive buffer that message f->ssn takes, its first fragment to
 * arrive being @skb, and in *@copy how it is kept.  Keeping the fragments
 * as they came costs about what @skb does for each (a short last fragment
 * may come first: at least what a full one costs); if the socket's buffer
 * could not hold a whole message that way, the bytes are copied into one
 * buffer of the message's size instead.
 */
u32 mlog_reasm_cost(const struct mlog_sock *ms, const struct sk_buff *skb,
		    const struct mlog_frame *f, bool *copy)
{
	u32 nfrags = DIV_ROUND_UP(f->msg_len, MLOG_MAX_FRAG);

	*copy = (u64)nfrags * skb->truesize > READ_ONCE(ms->sk.sk_rcvbuf);
	if (*copy)
		return SKB_TRUESIZE(0) + PAGE_ALIGN(f->msg_len);
	return nfrags * max_t(u32, skb->truesize, MLOG_FRAG_TRUESIZE);
}

/*
 * Start reassembling message f->ssn, whose first fragment to arrive is
 * @skb, if the receive buffer has room for all of it (mlog_reasm_cost()).
 * A copy buffer is charged now.  Kept fragments are charged as they come,
 * and for SOCK_RDM the room for the whole message is reserved now: a
 * message admitted is always completed, whatever other flows send, so
 * that several flows' messages cannot fill the buffer half reassembled,
 * none able to finish.  False if there is no room; @r stays empty.
 * Caller holds ms->lock.
 */
bool mlog_reasm_start(struct mlog_sock *ms, struct mlog_reasm *r,
		      const struct sk_buff *skb, const struct mlog_frame *f)
{
	struct sock *sk = &ms->sk;
	bool copy;
	u32 cost = mlog_reasm_cost(ms, skb, f, &copy);

	lockdep_assert_held(&ms->lock);
	r->ssn = f->ssn;
	r->msg_len = f->msg_len;
	r->stamp = jiffies;
	if (copy) {
		struct sk_buff *m;
		int err;

		m = alloc_skb_with_frags(0, f->msg_len, 0, &err, GFP_ATOMIC);
		if (!m)
			return false;
		m->len = f->msg_len;
		m->data_len = f->msg_len;
		if (!mlog_charge(sk, m)) {
			kfree_skb(m);
			return false;
		}
		r->skb = m;
		mlog_stat_inc(mlog_sk_net(mlog_sk(sk)),
			      MLOG_STAT_RX_REASM_COPIED);
	} else if (sk->sk_type == SOCK_RDM) {
		if (!mlog_rcv_room(ms, cost))
			return false;
		r->admitted = true;
		r->reserved = cost;
		WRITE_ONCE(ms->rcv_reserved, ms->rcv_reserved + cost);
	}
	return true;
}

/*
 * Charge fragment @skb, kept in @r: out of the room reserved for an
 * admitted message, which takes all its fragments (their truesize may
 * exceed the estimate a little), else if it fits.
 */
static bool mlog_reasm_charge(struct mlog_sock *ms, struct mlog_reasm *r,
			      struct sk_buff *skb)
{
	u32 use;

	if (!r->admitted)
		return mlog_charge(&ms->sk, skb);
	use = min(r->reserved, skb->truesize);
	r->reserved -= use;
	WRITE_ONCE(ms->rcv_reserved, ms->rcv_reserved - use);
	skb_orphan(skb);
	skb_set_owner_r(skb, &ms->sk);
	return true;
}

/*
 * Add fragment @skb (payload only, described by @f) to @r, which must be
 * assembling message f->ssn or nothing.  Everything kept is charged to the
 * socket, so reassembly counts against SO_RCVBUF.  Consumes @skb.  Returns
 * false if the fragment could not be kept (no room or malformed), leaving
 * @r empty if it keeps nothing; the caller counts the drop.
 */
bool mlog_reasm_add(struct mlog_sock *ms, struct mlog_reasm *r,
		    struct sk_buff *skb, const struct mlog_frame *f)
{
	unsigned int idx = f->frag_off / MLOG_MAX_FRAG;

	/* mlog cuts messages at multiples of MLOG_MAX_FRAG. */
	if (f->frag_off % MLOG_MAX_FRAG ||
	    f->payload_len != min_t(u32, MLOG_MAX_FRAG,
				    f->msg_len - f->frag_off))
		goto drop;

	if (!mlog_reasm_started(r) && !mlog_reasm_start(ms, r, skb, f))
		goto drop;
	if (f->msg_len != r->msg_len)
		goto drop;
	r->stamp = jiffies;
	if (r->frags & BIT_ULL(idx)) {
		consume_skb(skb);	/* a copy we already have */
		return true;
	}
	if (r->skb) {
		if (skb_linearize(skb) ||
		    skb_store_bits(r->skb, f->frag_off, skb->data,
				   f->payload_len))
			goto drop;
		consume_skb(skb);
	} else {
		/*
		 * The fragment that ends up first carries the others in its
		 * frag_list: it must not share its data with a clone, and a
		 * fragment must not bring a frag_list of its own.
		 */
		if (skb_unclone(skb, GFP_ATOMIC) ||
		    (skb_has_frag_list(skb) && skb_linearize(skb)) ||
		    !mlog_reasm_charge(ms, r, skb))
			goto drop;
		mlog_reasm_insert(r, skb, f->frag_off);
	}
	r->frags |= BIT_ULL(idx);
	r->have += f->payload_len;
	return true;
drop:
	kfree_skb(skb);
	/* a message buffer charged, or room held, for no fragment neither */
	if (!r->have)
		mlog_reasm_reset(ms, r);
	return false;
}

/*
 * The reassembled message, once every fragment is in, charged to the
 * socket; @r is then empty again, and what it held beyond the charge is
 * free.  NULL while fragments are missing.
 */
struct sk_buff *mlog_reasm_take(struct mlog_sock *ms, struct mlog_reasm *r)
{
	struct sk_buff *m, *frag;

	if (!mlog_reasm_started(r) || r->have < r->msg_len)
		return NULL;
	if (r->skb) {
		m = r->skb;
		r->skb = NULL;
	} else {
		/* Each fragment keeps its own charge (and destructor). */
		m = r->head;
		skb_shinfo(m)->frag_list = m->next;
		for (frag = m->next; frag; frag = frag->next) {
			m->len += frag->len;
			m->data_len += frag->len;
		}
		m->next = NULL;
		r->head = NULL;
		r->tail = NULL;
	}
	mlog_reasm_reset(ms, r);
	return m;
}

/*
 * Queue a complete message for recvmsg().  @skb is charged to the socket
 * already.
 */
void mlog_deliver(struct mlog_sock *ms, struct sk_buff *skb,
		  const struct in6_addr *src, u16 src_port)
{
	struct mlog_net *mn = mlog_sk_net(ms);
	struct mlog_skb_cb *cb = mlog_skb_cb(skb);
	struct sock *sk = &ms->sk;

	cb->src_node = *src;
	cb->src_port = src_port;
	ms->stats.rx_msgs++;
	mlog_stat_inc(mn, MLOG_STAT_RX_FRAMES);
	mlog_stat_add(mn, MLOG_STAT_RX_BYTES, skb->len);
	skb_queue_tail(&sk->sk_receive_queue, skb);
	if (!sock_flag(sk, SOCK_DEAD))
		sk->sk_data_ready(sk);
}

/*
 * Charge @skb (a whole message, or the buffer a message is reassembled
 * into) to the socket; false if it does not fit SO_RCVBUF with what is
 * charged and reserved already (mlog_rcv_room()).
 */
bool mlog_charge(struct sock *sk, struct sk_buff *skb)
{
	if (!mlog_rcv_room(mlog_sk(sk), skb->truesize))
		return false;
	skb_orphan(skb);
	skb_set_owner_r(skb, sk);
	return true;
}
