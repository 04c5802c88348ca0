// SPDX-License-Identifier: GPL-2.0
/*
 * UDP transport: one kernel UDP socket per network namespace carries the
 * frames of every AF_MLOG socket of that namespace between nodes.
 *
 * Incoming datagrams are taken over in the UDP encapsulation hook (after
 * the UDP checksum has been verified), decoded, and queued to the socket
 * bound to the destination port.  Anything malformed is dropped and
 * counted by reason.
 */
#include <linux/module.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/uio.h>
#include <linux/udp.h>
#include <net/sock.h>
#include <net/udp.h>
#include <net/udp_tunnel.h>

#include "mlog.h"

static void mlog_drop_bad(struct mlog_net *mn, enum mlog_frame_error why)
{
	atomic64_inc(&mn->rx_bad[why]);
	mlog_stat_inc(mn, MLOG_STAT_RX_BAD);
}

static int mlog_udp_encap_rcv(struct sock *usk, struct sk_buff *skb)
{
	struct mlog_net *mn = rcu_dereference_sk_user_data(usk);
	const unsigned int uhlen = sizeof(struct udphdr);
	enum mlog_frame_error ferr;
	struct mlog_frame f;
	struct mlog_skb_cb *cb;
	struct sock *sk;
	__be32 saddr;

	if (!mn)
		goto drop;

	if (!pskb_may_pull(skb, uhlen + MLOG_WIRE_HDR_LEN)) {
		mlog_drop_bad(mn, MLOG_FRAME_ETRUNCATED);
		goto drop;
	}
	ferr = mlog_frame_decode(skb->data + uhlen, skb->len - uhlen, &f);
	if (ferr != MLOG_FRAME_OK) {
		mlog_drop_bad(mn, ferr);
		goto drop;
	}
	/* A longer header from a later minor revision: skip what we ignore. */
	if (!pskb_may_pull(skb, uhlen + f.hdr_len)) {
		mlog_drop_bad(mn, MLOG_FRAME_ETRUNCATED);
		goto drop;
	}

	sk = mlog_lookup_port(mn, f.dst_port);
	if (!sk) {
		mlog_stat_inc(mn, MLOG_STAT_RX_NO_PORT);
		goto drop;
	}

	saddr = ip_hdr(skb)->saddr;
	__skb_pull(skb, uhlen + f.hdr_len);
	skb_dst_drop(skb);
	nf_reset_ct(skb);

	cb = mlog_skb_cb(skb);
	ipv6_addr_set_v4mapped(saddr, &cb->src_node);
	cb->src_port = f.src_port;

	if (sock_queue_rcv_skb(sk, skb) < 0) {
		mlog_stat_inc(mn, MLOG_STAT_RX_QUEUE_FULL);
		sock_put(sk);
		goto drop;
	}
	mlog_stat_inc(mn, MLOG_STAT_RX_FRAMES);
	mlog_stat_add(mn, MLOG_STAT_RX_BYTES, f.payload_len);
	sock_put(sk);
	return 0;
drop:
	kfree_skb(skb);
	return 0;
}

static int mlog_udp_open(struct mlog_net *mn, u16 port, struct socket **sockp)
{
	struct udp_port_cfg cfg = {
		.family			= AF_INET,
		.local_ip.s_addr	= htonl(INADDR_ANY),
		.local_udp_port		= htons(port),
		.use_udp_checksums	= 1,
	};
	struct udp_tunnel_sock_cfg tcfg = {
		.sk_user_data	= mn,
		.encap_type	= 1,
		.encap_rcv	= mlog_udp_encap_rcv,
	};
	int err;

	err = udp_sock_create(mn->net, &cfg, sockp);
	if (err)
		return err;
	setup_udp_tunnel_sock(mn->net, *sockp, &tcfg);
	return 0;
}

/* Make sure this namespace's transport socket exists. */
int mlog_transport_get(struct mlog_net *mn)
{
	bool open;
	int err = 0;

	down_read(&mn->cfg_sem);
	open = mn->udp;
	up_read(&mn->cfg_sem);
	if (open)
		return 0;

	down_write(&mn->cfg_sem);
	if (!mn->udp)
		err = mlog_udp_open(mn, mn->udp_port, &mn->udp);
	up_write(&mn->cfg_sem);
	return err;
}

/*
 * Move the transport to another UDP port.  The new socket is opened before
 * the old one is closed, so a refused port leaves the node as it was.
 */
int mlog_transport_reconfigure(struct mlog_net *mn, u16 udp_port)
{
	struct socket *nsock, *old;
	int err = 0;

	down_write(&mn->cfg_sem);
	if (udp_port == mn->udp_port)
		goto out;
	if (mn->udp) {
		err = mlog_udp_open(mn, udp_port, &nsock);
		if (err)
			goto out;
		old = mn->udp;
		mn->udp = nsock;
		udp_tunnel_sock_release(old);
	}
	mn->udp_port = udp_port;
out:
	up_write(&mn->cfg_sem);
	return err;
}

void mlog_transport_release(struct mlog_net *mn)
{
	down_write(&mn->cfg_sem);
	if (mn->udp) {
		udp_tunnel_sock_release(mn->udp);
		mn->udp = NULL;
	}
	up_write(&mn->cfg_sem);
}

/*
 * Send one frame: header @f followed by @len bytes from @payload, to the
 * node @node.  Copies the payload once into a kernel buffer charged to
 * the caller's memory cgroup, then hands both to UDP.
 */
int mlog_transport_send(struct mlog_net *mn, const struct in6_addr *node,
			const struct mlog_frame *f, struct iov_iter *payload,
			size_t len)
{
	u8 hdr[MLOG_WIRE_HDR_LEN];
	struct sockaddr_in to = {
		.sin_family	= AF_INET,
		.sin_addr.s_addr = node->s6_addr32[3],
	};
	struct msghdr m = { .msg_name = &to, .msg_namelen = sizeof(to) };
	struct kvec vec[2];
	void *buf = NULL;
	int err;

	if (len) {
		buf = kvmalloc(len, GFP_KERNEL_ACCOUNT);
		if (!buf)
			return -ENOMEM;
		if (!copy_from_iter_full(buf, len, payload)) {
			err = -EFAULT;
			goto out;
		}
	}
	mlog_frame_encode(f, hdr);
	vec[0].iov_base = hdr;
	vec[0].iov_len = sizeof(hdr);
	vec[1].iov_base = buf;
	vec[1].iov_len = len;

	down_read(&mn->cfg_sem);
	if (!mn->udp) {
		err = -ENOTCONN;
	} else {
		to.sin_port = htons(mn->udp_port);
		err = kernel_sendmsg(mn->udp, &m, vec, len ? 2 : 1,
				     sizeof(hdr) + len);
	}
	up_read(&mn->cfg_sem);

	if (err < 0) {
		mlog_stat_inc(mn, MLOG_STAT_TX_ERRORS);
	} else {
		mlog_stat_inc(mn, MLOG_STAT_TX_FRAMES);
		mlog_stat_add(mn, MLOG_STAT_TX_BYTES, len);
		err = 0;
	}
out:
	kvfree(buf);
	return err;
}
