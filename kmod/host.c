// SPDX-License-Identifier: GPL-2.0
/*
 * Protected hosts (the thesis's logical hosts): registration, the sockets
 * that belong to each, and the host-wide work of the send rule.
 *
 * A protected host is the set of tasks of one PID namespace (and those
 * nested in it).  It is registered over netlink with an index unique in
 * the cluster; a socket created by one of its tasks belongs to it for its
 * whole life, and logs what it sends and numbers what it receives in the
 * host's name (slog.c).  The protocol state itself (RSN, SSN, dependency
 * vector, pending RSNs, history) is in struct mlog_host, under h->lock;
 * the logging layer's hooks keep it, this file creates, writes back and
 * frees it.
 *
 * Calls: routes (route.c, a registered host is routed here), replay
 * (replay.c), the logging layer (slog.c) and the reliability layer
 * (rdm.c) for the flows of the host's sockets.  Called by the control
 * plane (netlink.c) and the socket layer (af_mlog.c).
 *
 * Locking: hosts_lock serialises registration; the list is read under
 * RCU.  A host's socks_lock (a mutex) nests outside its sockets' locks.
 */
#include <linux/capability.h>
#include <linux/module.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/rculist.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/slab.h>

#include "mlog.h"

static void mlog_host_kick_work(struct work_struct *w);

static void mlog_host_free(struct mlog_host *h)
{
	cancel_work_sync(&h->kick_work);
	mlog_replay_free(h);
	xa_destroy(&h->closed_epochs);
	put_pid_ns(h->pidns);
	xa_destroy(&h->deps);
	mlog_pend_free(&h->pend);
	mlog_hist_free(&h->hist);
	kfree_rcu(h, rcu);
}

/* Process context only: the last reference frees the host. */
void mlog_host_put(struct mlog_host *h)
{
	if (refcount_dec_and_test(&h->ref))
		mlog_host_free(h);
}

struct mlog_host *mlog_host_get(struct mlog_net *mn, u32 index)
{
	struct mlog_host *h;

	rcu_read_lock();
	h = mlog_host_find_rcu(mn, index);
	if (h && !refcount_inc_not_zero(&h->ref))
		h = NULL;
	rcu_read_unlock();
	return h;
}

int mlog_host_add(struct mlog_net *mn, u32 index, u32 incarnation,
		  pid_t pid, bool replay, struct netlink_ext_ack *extack)
{
	struct pid_namespace *ns = NULL;
	struct task_struct *task;
	struct pid *spid;
	struct mlog_host *h, *o;
	int err;

	if (!index || index > mlog_max_hosts) {
		NL_SET_ERR_MSG(extack,
			       "host index must be 1..max_hosts (module parameter)");
		return -ERANGE;
	}
	spid = find_get_pid(pid);	/* in the caller's PID namespace */
	task = get_pid_task(spid, PIDTYPE_PID);
	put_pid(spid);
	if (task) {
		ns = get_pid_ns(task_active_pid_ns(task));
		put_task_struct(task);
	}
	if (!ns) {
		NL_SET_ERR_MSG(extack, "no such process");
		return -ESRCH;
	}
	if (ns == &init_pid_ns || ns == task_active_pid_ns(current)) {
		NL_SET_ERR_MSG(extack,
			       "the process must run in a PID namespace of its own");
		err = -EINVAL;
		goto out_ns;
	}
	/*
	 * A host's sockets are logged, held by the send rule and killed
	 * when fenced: only someone who may administer its PID namespace
	 * (as setns() into it requires) may make a host of it, not a user
	 * who merely sees the process from a user namespace of their own.
	 */
	if (!ns_capable(ns->user_ns, CAP_SYS_ADMIN)) {
		NL_SET_ERR_MSG(extack,
			       "not permitted: CAP_SYS_ADMIN over the process's PID namespace is needed");
		err = -EPERM;
		goto out_ns;
	}

	h = kzalloc(sizeof(*h), GFP_KERNEL_ACCOUNT);
	if (!h) {
		err = -ENOMEM;
		goto out_ns;
	}
	err = mlog_pend_init(&h->pend, mlog_max_unacked, GFP_KERNEL_ACCOUNT);
	if (err) {
		kfree(h);
		goto out_ns;
	}
	refcount_set(&h->ref, 1);
	h->mn = mn;
	h->pidns = ns;
	h->index = index;
	h->incarnation = incarnation;
	spin_lock_init(&h->lock);
	xa_init(&h->deps);
	mlog_hist_init(&h->hist);
	mutex_init(&h->socks_lock);
	INIT_LIST_HEAD(&h->socks);
	INIT_WORK(&h->kick_work, mlog_host_kick_work);
	init_waitqueue_head(&h->sendq);
	h->next_ephemeral = MLOG_EPHEMERAL_LOW;
	xa_init(&h->closed_epochs);
	mutex_init(&h->replay_lock);
	INIT_LIST_HEAD(&h->replay_q);
	h->replaying = replay;

	mutex_lock(&mn->hosts_lock);
	err = 0;
	list_for_each_entry(o, &mn->hosts, node) {
		if (o->index == index) {
			NL_SET_ERR_MSG(extack, "host index already registered");
			err = -EEXIST;
		} else if (o->pidns == ns) {
			NL_SET_ERR_MSG(extack,
				       "this PID namespace is already a protected host");
			err = -EBUSY;
		}
	}
	if (!err && mn->nhosts >= mlog_max_hosts) {
		NL_SET_ERR_MSG(extack, "too many protected hosts");
		err = -ENOSPC;
	}
	/* it is routed here, unless a newer incarnation is known */
	if (!err)
		err = mlog_route_host_added(mn, h, extack);
	if (!err) {
		list_add_tail_rcu(&h->node, &mn->hosts);
		mn->nhosts++;
		WRITE_ONCE(mn->log_mode, MLOG_LOG_SENDER);
	}
	mutex_unlock(&mn->hosts_lock);
	if (err) {
		h->pidns = NULL;
		mlog_pend_free(&h->pend);
		kfree(h);
		goto out_ns;
	}
	return 0;
out_ns:
	put_pid_ns(ns);
	return err;
}

int mlog_host_del(struct mlog_net *mn, u32 index)
{
	struct mlog_host *h;

	mutex_lock(&mn->hosts_lock);
	h = mlog_host_find_rcu(mn, index);
	if (h) {
		list_del_rcu(&h->node);
		if (!--mn->nhosts)
			WRITE_ONCE(mn->log_mode, MLOG_LOG_NONE);
		mlog_route_host_removed(mn, h);
	}
	mutex_unlock(&mn->hosts_lock);
	if (!h)
		return -ENOENT;
	synchronize_rcu();
	mlog_host_put(h);
	return 0;
}

/* Namespace exit: every socket is gone. */
void mlog_hosts_free(struct mlog_net *mn)
{
	struct mlog_host *h, *tmp;

	mutex_lock(&mn->hosts_lock);
	list_for_each_entry_safe(h, tmp, &mn->hosts, node) {
		list_del_rcu(&h->node);
		mn->nhosts--;
		mlog_host_put(h);
	}
	mutex_unlock(&mn->hosts_lock);
}

static bool mlog_pidns_within(struct pid_namespace *ns,
			      struct pid_namespace *top)
{
	for (; ns; ns = ns->parent)
		if (ns == top)
			return true;
	return false;
}

/*
 * A new socket belongs to the protected host whose PID namespace holds
 * (or encloses) the creating task's.
 */
int mlog_sock_join_host(struct mlog_sock *ms)
{
	struct mlog_net *mn = mlog_sk_net(ms);
	struct pid_namespace *ns = task_active_pid_ns(current);
	struct mlog_host *h, *found = NULL;

	INIT_LIST_HEAD(&ms->host_node);
	rcu_read_lock();
	/* the innermost enclosing host, if hosts are nested */
	list_for_each_entry_rcu(h, &mn->hosts, node)
		if (mlog_pidns_within(ns, h->pidns) &&
		    (!found || h->pidns->level > found->pidns->level))
			found = h;
	if (found && !refcount_inc_not_zero(&found->ref))
		found = NULL;
	rcu_read_unlock();
	if (!found)
		return 0;
	mutex_lock(&found->socks_lock);
	list_add_tail(&ms->host_node, &found->socks);
	found->nsocks++;
	mutex_unlock(&found->socks_lock);
	ms->host = found;
	return 0;
}

/* Closing: after the flows are gone, before the socket is freed. */
void mlog_sock_leave_host(struct mlog_sock *ms)
{
	struct mlog_host *h = ms->host;

	if (!h)
		return;
	mutex_lock(&h->socks_lock);
	list_del_init(&ms->host_node);
	h->nsocks--;
	mutex_unlock(&h->socks_lock);
	ms->host = NULL;
	mlog_host_put(h);
}

/*
 * The host's other sockets: hurry RSNs that wait for a piggyback, and
 * push flows held by the send rule once acknowledgments came in.
 */
static void mlog_host_kick_work(struct work_struct *w)
{
	struct mlog_host *h = container_of(w, struct mlog_host, kick_work);
	struct mlog_sock *ms;
	struct mlog_flow *fl;
	bool rsn, push;
	int bkt;

	spin_lock_bh(&h->lock);
	rsn = h->kick_rsn;
	push = h->kick_push;
	h->kick_rsn = false;
	h->kick_push = false;
	/* flows that stay held say so again */
	if (push)
		h->held_any = false;
	spin_unlock_bh(&h->lock);

	mutex_lock(&h->socks_lock);
	list_for_each_entry(ms, &h->socks, host_node) {
		spin_lock_bh(&ms->lock);
		if (ms->dead) {
			spin_unlock_bh(&ms->lock);
			continue;
		}
		hash_for_each(ms->flows, bkt, fl, node) {
			if (rsn)
				mlog_sl_hurry_flow(fl);
			if (push)
				mlog_rdm_push_held(fl);
		}
		spin_unlock_bh(&ms->lock);
	}
	mutex_unlock(&h->socks_lock);
}

/*
 * A host-form socket of a protected host closes: remember its epoch, so
 * that duplicates for its port can still be answered in its name
 * (mlog_sl_closed_dup()).  Process context.
 */
void mlog_host_port_closed(struct mlog_sock *ms)
{
	if (!ms->bound_host || !ms->port)
		return;
	/* no memory: such duplicates then go unanswered, as before */
	xa_store(&ms->host->closed_epochs, ms->port, xa_mk_value(ms->epoch),
		 GFP_KERNEL);
}

/*
 * Write back a host's protocol state (restore from a checkpoint), or
 * purge its history after a checkpoint.  @deps, when given, replaces the
 * whole dependency vector.
 */
int mlog_host_state_set(struct mlog_host *h, const u64 *rsn, const u64 *ssn,
			const u32 *incarnation, struct xarray *deps,
			const u64 *hist_purge)
{
	unsigned long idx;
	void *v;
	int err = 0;

	spin_lock_bh(&h->lock);
	if (rsn)
		WRITE_ONCE(h->rsn, *rsn);
	if (ssn)
		h->ssn = *ssn;
	if (incarnation)
		h->incarnation = *incarnation;
	if (hist_purge)
		mlog_hist_purge(&h->hist, *hist_purge);
	if (deps) {
		xa_destroy(&h->deps);
		h->dep_src = 0;		/* what it vouched for is gone */
		xa_for_each(deps, idx, v) {
			err = xa_err(xa_store(&h->deps, idx, v, GFP_ATOMIC));
			if (err)
				break;
		}
	}
	spin_unlock_bh(&h->lock);
	return err;
}
