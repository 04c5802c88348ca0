// SPDX-License-Identifier: GPL-2.0
/*
 * Peers: the other nodes a namespace exchanges frames with.
 *
 * A peer is suspected when a flow to it keeps timing out while it stays
 * silent, and alive again as soon as any frame arrives from it.  Both
 * transitions are announced on the "events" multicast group.  Peers live
 * until their namespace goes away; their number is capped (max_peers).
 *
 * Calls nothing of mlog's but the notification interface (notify.h).
 */
#include <linux/jhash.h>
#include <linux/slab.h>

#include "mlog.h"
#include "notify.h"

static u32 mlog_peer_hash(const struct in6_addr *addr)
{
	return jhash(addr, sizeof(*addr), 0);
}

/* Caller holds rcu_read_lock() or peers_lock. */
static struct mlog_peer *__mlog_peer_find(struct mlog_net *mn,
					  const struct in6_addr *addr)
{
	struct mlog_peer *p;

	hash_for_each_possible_rcu(mn->peers, p, node, mlog_peer_hash(addr),
				   lockdep_is_held(&mn->peers_lock))
		if (ipv6_addr_equal(&p->addr, addr))
			return p;
	return NULL;
}

/*
 * Find or create the peer for @addr.  Returns NULL when memory is short or
 * the namespace already knows max_peers peers.  The pointer stays valid
 * for as long as the namespace lives.
 */
struct mlog_peer *mlog_peer_get(struct mlog_net *mn,
				const struct in6_addr *addr, gfp_t gfp)
{
	struct mlog_peer *p, *found;

	rcu_read_lock();
	p = __mlog_peer_find(mn, addr);
	rcu_read_unlock();
	if (p)
		return p;

	p = kzalloc(sizeof(*p), gfp | __GFP_ACCOUNT);
	if (!p)
		return NULL;
	p->addr = *addr;
	p->state = MLOG_PEER_ALIVE;
	/* without its route cache, a peer's frames look the route up */
	dst_cache_init(&p->dst_cache, gfp);

	spin_lock_bh(&mn->peers_lock);
	found = __mlog_peer_find(mn, addr);
	if (!found && mn->npeers < mlog_max_peers) {
		hash_add_rcu(mn->peers, &p->node, mlog_peer_hash(addr));
		mn->npeers++;
		found = p;
		p = NULL;
	}
	spin_unlock_bh(&mn->peers_lock);
	if (p) {
		dst_cache_destroy(&p->dst_cache);
		kfree(p);
	}
	return found;
}

/* A frame arrived from @peer: it is alive. */
void mlog_peer_heard(struct mlog_net *mn, struct mlog_peer *peer)
{
	WRITE_ONCE(peer->last_heard, jiffies ? jiffies : 1);
	atomic64_inc(&peer->rx_frames);
	if (READ_ONCE(peer->state) == MLOG_PEER_SUSPECTED &&
	    cmpxchg(&peer->state, MLOG_PEER_SUSPECTED, MLOG_PEER_ALIVE) ==
	    MLOG_PEER_SUSPECTED)
		mlog_notify(mn, MLOG_EVENT_PEER, peer);
}

void mlog_peer_suspect(struct mlog_net *mn, struct mlog_peer *peer)
{
	if (cmpxchg(&peer->state, MLOG_PEER_ALIVE, MLOG_PEER_SUSPECTED) ==
	    MLOG_PEER_ALIVE) {
		mlog_stat_inc(mn, MLOG_STAT_PEER_SUSPECTED);
		mlog_notify(mn, MLOG_EVENT_PEER, peer);
	}
}

/* The namespace is going away: no socket and no transport are left. */
void mlog_peers_free(struct mlog_net *mn)
{
	struct hlist_node *tmp;
	struct mlog_peer *p;
	int bkt;

	spin_lock_bh(&mn->peers_lock);
	hash_for_each_safe(mn->peers, bkt, tmp, p, node) {
		hash_del_rcu(&p->node);
		/* no transport left: nothing uses the route cache any more */
		dst_cache_destroy(&p->dst_cache);
		kfree_rcu(p, rcu);
	}
	mn->npeers = 0;
	spin_unlock_bh(&mn->peers_lock);
}
