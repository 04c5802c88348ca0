// SPDX-License-Identifier: GPL-2.0
/*
 * Routes: where each protected host runs, and which of its incarnations
 * is the current one (Documentation/recovery.rst).
 *
 * A host-form address names a port of a protected host wherever it runs;
 * a send to it goes to the node its route names.  A host registered here
 * is routed here; mlog-recoverd sets the routes of hosts elsewhere
 * (MLOG_CMD_ROUTE_SET).  The thesis kept a per-host address cache that
 * any received packet could update (3.3.6); mlog only takes routes from
 * its control plane, so that no frame can redirect a host.
 *
 * The incarnation in a route fences the older ones off: their frames are
 * refused.  While a route is RECOVERING, flows to the host hold their
 * data; when it turns LIVE again they resend what the host's replay did
 * not deliver (rdm.c, mlog_rdm_route_changed()).
 *
 * Calls: the reliability layer (mlog_rdm_route_changed()) for the flows
 * to a host whose route changed.  Called by the control plane
 * (netlink.c, host.c) and read by the socket layer (sock.c, af_mlog.c).
 *
 * Locking: routes are replaced under mn->routes_lock and read under RCU.
 */
#include <linux/slab.h>

#include "mlog.h"

static struct mlog_route *mlog_route_find(struct mlog_net *mn, u32 host)
{
	return xa_load(&mn->routes, host);
}

/*
 * The node and incarnation of host @host (@incarnation may be NULL):
 * 0, or -EHOSTUNREACH when no route names it.
 */
int mlog_route_resolve(struct mlog_net *mn, u32 host, struct in6_addr *node,
		       u32 *incarnation)
{
	struct mlog_route *r;
	int err = -EHOSTUNREACH;

	rcu_read_lock();
	r = mlog_route_find(mn, host);
	if (r) {
		*node = r->node;
		if (incarnation)
			*incarnation = r->incarnation;
		err = 0;
	}
	rcu_read_unlock();
	return err;
}

bool mlog_route_is_local(struct mlog_net *mn, u32 host)
{
	struct mlog_route *r;
	bool local;

	rcu_read_lock();
	r = mlog_route_find(mn, host);
	local = r && r->local;
	rcu_read_unlock();
	return local;
}

/*
 * Is frame @f, which came from node @src and says it is from protected
 * host f->src_host, from an incarnation that is fenced off?  It is when a
 * newer incarnation of that host is known here, and when the host runs
 * here and the frame came from elsewhere without being newer (a stale
 * copy of a host that moved here, or an impostor).  Softirq.
 */
bool mlog_route_fenced(struct mlog_net *mn, const struct mlog_frame *f,
		       const struct in6_addr *src)
{
	struct mlog_route *r;
	bool fenced = false;

	rcu_read_lock();
	r = mlog_route_find(mn, f->src_host);
	if (r) {
		if (f->incarnation < r->incarnation)
			fenced = true;
		else if (r->local && f->incarnation == r->incarnation &&
			 !ipv6_addr_equal(src, &mn->node_addr))
			fenced = true;
	}
	rcu_read_unlock();
	return fenced;
}

/*
 * Apply route @r of host @host to every flow of the namespace whose
 * remote endpoint is a port of that host.  @rewind: the host is live
 * again after a recovery, and flows resend what its replay did not
 * deliver.  Caller holds routes_lock.
 */
static void mlog_route_apply(struct mlog_net *mn, u32 host,
			     const struct mlog_route *r, bool rewind)
{
	struct in6_addr key;
	struct mlog_sock *ms;
	struct mlog_flow *fl;
	int bkt, fbkt;

	lockdep_assert_held(&mn->routes_lock);
	mlog_host_key(&key, host);
	rcu_read_lock();
	hash_for_each_rcu(mn->ports, bkt, ms, port_node) {
		spin_lock_bh(&ms->lock);
		/* a host's own sockets do not follow it: they are it */
		if (!ms->dead && !(ms->host && ms->host->index == host)) {
			hash_for_each(ms->flows, fbkt, fl, node)
				if (ipv6_addr_equal(&fl->addr, &key))
					mlog_rdm_route_changed(fl, r, rewind);
		}
		spin_unlock_bh(&ms->lock);
	}
	rcu_read_unlock();
}

/* Replace the route of @host by @r (NULL: none).  Caller holds routes_lock. */
static int mlog_route_store(struct mlog_net *mn, u32 host,
			    struct mlog_route *r)
{
	struct mlog_route *old;

	lockdep_assert_held(&mn->routes_lock);
	old = xa_store(&mn->routes, host, r, GFP_KERNEL);
	if (xa_is_err(old))
		return xa_err(old);
	if (old)
		kfree_rcu(old, rcu);
	return 0;
}

static struct mlog_route *mlog_route_new(const struct in6_addr *node,
					 u32 incarnation, u32 state,
					 u64 replayed, bool local)
{
	struct mlog_route *r = kzalloc(sizeof(*r), GFP_KERNEL_ACCOUNT);

	if (!r)
		return NULL;
	r->node = *node;
	r->incarnation = incarnation;
	r->state = state;
	r->replayed = replayed;
	r->local = local;
	return r;
}

/*
 * Host @host runs on @node as incarnation @incarnation, in @state; with
 * state LIVE after a recovery, @replayed is the RSN its replay reached
 * (absent: every message it was sent must come again).
 */
int mlog_route_set(struct mlog_net *mn, u32 host, const struct in6_addr *node,
		   u32 incarnation, u32 state, const u64 *replayed,
		   struct netlink_ext_ack *extack)
{
	struct mlog_route *old, *r;
	bool rewind;
	int err;

	mutex_lock(&mn->routes_lock);
	/* only replaced under routes_lock: stays valid while we hold it */
	old = mlog_route_find(mn, host);
	if (old && incarnation < old->incarnation) {
		NL_SET_ERR_MSG(extack,
			       "a newer incarnation of this host is known: routes never go back");
		err = -ESTALE;
		goto out;
	}
	if (old && old->local && incarnation == old->incarnation &&
	    !ipv6_addr_equal(node, &old->node)) {
		NL_SET_ERR_MSG(extack,
			       "this incarnation of the host runs on this node");
		err = -EEXIST;
		goto out;
	}
	r = mlog_route_new(node, incarnation, state,
			   replayed ? *replayed : 0,
			   old && old->local &&
			   incarnation == old->incarnation);
	if (!r) {
		err = -ENOMEM;
		goto out;
	}
	/*
	 * Flows rewind when the host comes back: from a recovery, or as a
	 * newer incarnation straight away.
	 */
	rewind = state == MLOG_ROUTE_LIVE && old &&
		 (old->state == MLOG_ROUTE_RECOVERING ||
		  incarnation > old->incarnation);
	err = mlog_route_store(mn, host, r);
	if (err) {
		kfree(r);
		goto out;
	}
	mlog_route_apply(mn, host, r, rewind);
out:
	mutex_unlock(&mn->routes_lock);
	return err;
}

int mlog_route_del(struct mlog_net *mn, u32 host)
{
	struct mlog_route *old;

	mutex_lock(&mn->routes_lock);
	old = xa_erase(&mn->routes, host);
	mutex_unlock(&mn->routes_lock);
	if (!old)
		return -ENOENT;
	kfree_rcu(old, rcu);
	return 0;
}

/*
 * Host @h was registered here: it is routed here, unless a newer
 * incarnation of it is known (it was recovered elsewhere since).  A
 * replaying host is routed as RECOVERING until its replay ends; its own
 * node sends it nothing meanwhile either.
 */
int mlog_route_host_added(struct mlog_net *mn, struct mlog_host *h,
			  struct netlink_ext_ack *extack)
{
	struct mlog_route *old, *r;
	int err;

	mutex_lock(&mn->routes_lock);
	old = mlog_route_find(mn, h->index);
	if (old && h->incarnation < old->incarnation) {
		NL_SET_ERR_MSG(extack,
			       "a newer incarnation of this host is known here");
		err = -ESTALE;
		goto out;
	}
	r = mlog_route_new(&mn->node_addr, h->incarnation,
			   old ? old->state : MLOG_ROUTE_LIVE,
			   old ? old->replayed : 0, true);
	if (!r) {
		err = -ENOMEM;
		goto out;
	}
	err = mlog_route_store(mn, h->index, r);
	if (err)
		kfree(r);
	else
		mlog_route_apply(mn, h->index, r, false);
out:
	mutex_unlock(&mn->routes_lock);
	return err;
}

/* Host @h is no longer registered here: its local route goes with it. */
void mlog_route_host_removed(struct mlog_net *mn, struct mlog_host *h)
{
	struct mlog_route *old;

	mutex_lock(&mn->routes_lock);
	old = mlog_route_find(mn, h->index);
	if (old && old->local && old->incarnation == h->incarnation) {
		xa_erase(&mn->routes, h->index);
		kfree_rcu(old, rcu);
	}
	mutex_unlock(&mn->routes_lock);
}

/* Namespace exit: no socket is left. */
void mlog_routes_free(struct mlog_net *mn)
{
	struct mlog_route *r;
	unsigned long idx;

	xa_for_each(&mn->routes, idx, r)
		kfree_rcu(r, rcu);
	xa_destroy(&mn->routes);
}

/* Netlink dump of the routes, from host index cb->args[0]. */
int mlog_route_dump(struct sk_buff *skb, struct netlink_callback *cb,
		    int (*fill)(struct sk_buff *skb,
				struct netlink_callback *cb, u32 host,
				const struct mlog_route *r))
{
	struct mlog_net *mn = mlog_pernet(sock_net(skb->sk));
	unsigned long idx = cb->args[0];
	struct mlog_route *r;

	rcu_read_lock();
	xa_for_each_start(&mn->routes, idx, r, cb->args[0]) {
		if (fill(skb, cb, idx, r))
			break;
		cb->args[0] = idx + 1;
	}
	rcu_read_unlock();
	return skb->len;
}
