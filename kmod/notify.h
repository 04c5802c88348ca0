/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Notifications: the one way the layers below the control plane tell
 * userspace that something changed.  netlink.c implements it and sends
 * each event on the "events" multicast group of the generic netlink
 * family; peer.c, log.c and replay.c raise them, and include this header
 * instead of calling into netlink.c.  Like a notifier chain, an event
 * names what changed and hands over the object it is about.
 */
#ifndef _MLOG_NOTIFY_H
#define _MLOG_NOTIFY_H

struct mlog_net;

enum mlog_event {
	/* a peer was suspected, or heard from again: @subject is it */
	MLOG_EVENT_PEER,
	/* the log's pressure changed (process context): no @subject */
	MLOG_EVENT_LOG,
	/* a host's replay ended (process context): @subject is the host */
	MLOG_EVENT_HOST,
};

/* Any context for MLOG_EVENT_PEER; process context for the others. */
void mlog_notify(struct mlog_net *mn, enum mlog_event ev, void *subject);

#endif /* _MLOG_NOTIFY_H */
