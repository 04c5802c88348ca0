// SPDX-License-Identifier: GPL-2.0
/*
 * UDP transport and frame layer.
 *
 * One kernel UDP socket per network namespace carries the frames of every
 * AF_MLOG socket of that namespace between nodes.  Incoming datagrams are
 * taken over in the UDP encapsulation hook (after the UDP checksum has
 * been verified), decoded and handed up to the socket layer in one call,
 * mlog_rcv() (af_mlog.c), which finds the socket bound to the destination
 * port.  Anything malformed is dropped and counted by reason.
 *
 * Frames are sent from process context and from timers and the receive
 * softirq (retransmissions, acknowledgments), so the transport socket is
 * published under RCU and allocates atomically.
 *
 * Calls: the wire codec (frame.c) and peers (peer.c); mlog_rcv() is its
 * only call up.
 */
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/uio.h>
#include <linux/udp.h>
#include <net/checksum.h>
#include <net/ip.h>
#include <net/route.h>
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
	struct mlog_peer *peer;
	struct mlog_frame f;
	struct in6_addr src;

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

	ipv6_addr_set_v4mapped(ip_hdr(skb)->saddr, &src);
	peer = mlog_peer_get(mn, &src, GFP_ATOMIC);
	if (peer)
		mlog_peer_heard(mn, peer);

	__skb_pull(skb, uhlen + f.hdr_len);
	skb_dst_drop(skb);
	nf_reset_ct(skb);

	/* the one call up: the socket layer takes it from here */
	mlog_rcv(mn, skb, &f, &src);
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
	struct sock *sk;
	int err;

	err = udp_sock_create(mn->net, &cfg, sockp);
	if (err)
		return err;
	sk = (*sockp)->sk;
	/* Sends happen in softirq too; never sleep for memory. */
	sk->sk_allocation = GFP_ATOMIC;
	/* Room for many sockets' frames in flight at once. */
	sk->sk_sndbuf = 8 * 1024 * 1024;
	sk->sk_userlocks |= SOCK_SNDBUF_LOCK;
	setup_udp_tunnel_sock(mn->net, *sockp, &tcfg);
	return 0;
}

/* Make sure this namespace's transport socket exists. */
int mlog_transport_get(struct mlog_net *mn)
{
	struct socket *sock;
	int err = 0;

	if (rcu_access_pointer(mn->udp))
		return 0;
	mutex_lock(&mn->cfg_lock);
	if (!rcu_access_pointer(mn->udp)) {
		err = mlog_udp_open(mn, mn->udp_port, &sock);
		if (!err)
			rcu_assign_pointer(mn->udp, sock);
	}
	mutex_unlock(&mn->cfg_lock);
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

	mutex_lock(&mn->cfg_lock);
	if (udp_port == mn->udp_port)
		goto out;
	old = rcu_dereference_protected(mn->udp,
					lockdep_is_held(&mn->cfg_lock));
	if (old) {
		err = mlog_udp_open(mn, udp_port, &nsock);
		if (err)
			goto out;
		rcu_assign_pointer(mn->udp, nsock);
		synchronize_net();
		udp_tunnel_sock_release(old);
	}
	WRITE_ONCE(mn->udp_port, udp_port);
out:
	mutex_unlock(&mn->cfg_lock);
	return err;
}

void mlog_transport_release(struct mlog_net *mn)
{
	struct socket *old;

	mutex_lock(&mn->cfg_lock);
	old = rcu_dereference_protected(mn->udp,
					lockdep_is_held(&mn->cfg_lock));
	RCU_INIT_POINTER(mn->udp, NULL);
	mutex_unlock(&mn->cfg_lock);
	if (old) {
		synchronize_net();
		udp_tunnel_sock_release(old);
	}
}

/*
 * Build the frame in an skb of its own and hand it to IP, as udp_sendmsg()
 * would for the transport socket @usk, minus what a frame never needs
 * (corking, ancillary data): the route comes from the peer's cache, as
 * tunnel drivers keep theirs, and the header is encoded in place and the
 * payload copied once, summed on the way unless the device sums it.
 * Called with BHs disabled (the route cache is per CPU).  Returns 0 or a
 * negative errno as udp_sendmsg() does, or 1 when the frame needs IP
 * fragmentation (a path MTU below the frame size), left to udp_sendmsg().
 */
static int mlog_udp_xmit(struct mlog_net *mn, struct sock *usk,
			 struct mlog_peer *peer, const struct mlog_frame *f,
			 const void *data)
{
	const unsigned int ulen = sizeof(struct udphdr) + MLOG_WIRE_HDR_LEN +
				  f->payload_len;
	const __be32 daddr = peer->addr.s6_addr32[3];
	const __be16 dport = htons(READ_ONCE(mn->udp_port));
	struct inet_sock *inet = inet_sk(usk);
	struct net *net = sock_net(usk);
	struct sk_buff *skb;
	struct udphdr *uh;
	struct iphdr *iph;
	struct flowi4 fl4;
	struct rtable *rt;
	unsigned int hh;
	__wsum csum = 0;
	__be32 saddr;
	bool hwcsum;
	int err;

	lockdep_assert_in_softirq();
	rt = dst_cache_get_ip4(&peer->dst_cache, &saddr);
	if (!rt) {
		rt = ip_route_output_ports(net, &fl4, usk, daddr, 0, dport,
					   inet->inet_sport, IPPROTO_UDP,
					   RT_TOS(inet->tos),
					   usk->sk_bound_dev_if);
		if (IS_ERR(rt))
			return PTR_ERR(rt);
		saddr = fl4.saddr;
		dst_cache_set_ip4(&peer->dst_cache, &rt->dst, saddr);
	}
	if ((rt->rt_flags & RTCF_BROADCAST) && !sock_flag(usk, SOCK_BROADCAST)) {
		err = -EACCES;
		goto out_rt;
	}
	if (sizeof(*iph) + ulen > dst_mtu(&rt->dst)) {
		err = 1;
		goto out_rt;
	}

	hh = LL_RESERVED_SPACE(rt->dst.dev);
	skb = sock_alloc_send_skb(usk, hh + sizeof(*iph) + ulen, 1, &err);
	if (!skb)
		goto out_rt;
	skb_reserve(skb, hh + sizeof(*iph) + sizeof(*uh));
	mlog_frame_encode(f, skb_put(skb, MLOG_WIRE_HDR_LEN));
	hwcsum = rt->dst.dev->features & (NETIF_F_HW_CSUM | NETIF_F_IP_CSUM);
	if (f->payload_len && hwcsum)
		skb_put_data(skb, data, f->payload_len);
	else if (f->payload_len)
		csum = csum_partial_copy_nocheck(data,
						 skb_put(skb, f->payload_len),
						 f->payload_len);
	if (!hwcsum)
		csum = csum_partial(skb->data, MLOG_WIRE_HDR_LEN, csum);

	uh = skb_push(skb, sizeof(*uh));
	skb_reset_transport_header(skb);
	uh->source = inet->inet_sport;
	uh->dest = dport;
	uh->len = htons(ulen);
	uh->check = 0;
	if (hwcsum) {
		skb->ip_summed = CHECKSUM_PARTIAL;
		udp4_hwcsum(skb, saddr, daddr);
	} else {
		uh->check = csum_tcpudp_magic(saddr, daddr, ulen,
					      IPPROTO_UDP,
					      csum_partial(uh, sizeof(*uh),
							   csum));
		if (!uh->check)
			uh->check = CSUM_MANGLED_0;
		skb->ip_summed = CHECKSUM_NONE;
	}

	iph = skb_push(skb, sizeof(*iph));
	skb_reset_network_header(skb);
	iph->version = 4;
	iph->ihl = 5;
	iph->tos = inet->tos;
	iph->frag_off = inet->pmtudisc == IP_PMTUDISC_PROBE ||
			ip_dont_fragment(usk, &rt->dst) ? htons(IP_DF) : 0;
	iph->ttl = inet->uc_ttl < 0 ? ip4_dst_hoplimit(&rt->dst) :
				      inet->uc_ttl;
	iph->protocol = IPPROTO_UDP;
	iph->saddr = saddr;
	iph->daddr = daddr;
	skb->ignore_df = ip_sk_ignore_df(usk);
	ip_select_ident(net, skb, usk);
	skb->priority = usk->sk_priority;
	skb->mark = usk->sk_mark;
	skb_dst_set(skb, &rt->dst);

	/* What ip_send_skb() and udp_send_skb() make of the outcome. */
	err = ip_local_out(net, usk, skb);
	if (err > 0)
		err = net_xmit_errno(err);
	if (err) {
		IP_INC_STATS(net, IPSTATS_MIB_OUTDISCARDS);
		if (err == -ENOBUFS && !inet->recverr) {
			UDP_INC_STATS(net, UDP_MIB_SNDBUFERRORS, 0);
			err = 0;
		}
	} else {
		UDP_INC_STATS(net, UDP_MIB_OUTDATAGRAMS, 0);
	}
	return err;
out_rt:
	ip_rt_put(rt);
	return err;
}

/* The general path, for frames that must be fragmented by IP. */
static int mlog_udp_sendmsg(struct mlog_net *mn, struct socket *sock,
			    struct mlog_peer *peer, const struct mlog_frame *f,
			    const void *data)
{
	u8 hdr[MLOG_WIRE_HDR_LEN];
	struct sockaddr_in to = {
		.sin_family	= AF_INET,
		.sin_addr.s_addr = peer->addr.s6_addr32[3],
		.sin_port	= htons(READ_ONCE(mn->udp_port)),
	};
	struct msghdr m = {
		.msg_name	= &to,
		.msg_namelen	= sizeof(to),
		.msg_flags	= MSG_DONTWAIT | MSG_NOSIGNAL,
	};
	struct kvec vec[2] = {
		{ .iov_base = hdr, .iov_len = sizeof(hdr) },
		{ .iov_base = (void *)data, .iov_len = f->payload_len },
	};

	mlog_frame_encode(f, hdr);
	return kernel_sendmsg(sock, &m, vec, f->payload_len ? 2 : 1,
			      sizeof(hdr) + f->payload_len);
}

/*
 * Send one frame to @peer: header @f and f->payload_len bytes at @data.
 * Every frame mlog sends passes here.  Callable
 * in any context; returns 0 or a negative errno (the frame is then lost,
 * as any datagram may be).
 */
int mlog_frame_out(struct mlog_net *mn, struct mlog_peer *peer,
		   struct mlog_frame *f, const void *data)
{
	struct socket *sock;
	int err;

	rcu_read_lock();
	sock = rcu_dereference(mn->udp);
	if (!sock) {
		err = -ENOTCONN;
	} else {
		local_bh_disable();
		err = mlog_udp_xmit(mn, sock->sk, peer, f, data);
		local_bh_enable();
		if (err > 0)
			err = mlog_udp_sendmsg(mn, sock, peer, f, data);
	}
	rcu_read_unlock();

	if (err < 0) {
		mlog_stat_inc(mn, MLOG_STAT_TX_ERRORS);
		return err;
	}
	mlog_stat_inc(mn, MLOG_STAT_TX_FRAMES);
	mlog_stat_add(mn, MLOG_STAT_TX_BYTES, f->payload_len);
	atomic64_inc(&peer->tx_frames);
	return 0;
}
