// SPDX-License-Identifier: GPL-2.0
/*
 * AF_MLOG frame header encoding and decoding.
 *
 * Everything here runs on bytes that came off the wire, so every field is
 * checked before anything else in the module looks at it.  No allocation,
 * no locking, no kernel-only calls: see frame_compat.h.  The bottom of
 * the module: calls nothing of mlog's.
 */
#include "frame.h"

#define OFF(field) offsetof(struct mlog_wire_hdr, field)

static const char * const mlog_frame_errors[__MLOG_FRAME_EMAX] = {
	[MLOG_FRAME_OK]		= "ok",
	[MLOG_FRAME_ETRUNCATED]	= "truncated header",
	[MLOG_FRAME_EMAGIC]	= "bad magic",
	[MLOG_FRAME_EVERSION]	= "unsupported version",
	[MLOG_FRAME_EHDRLEN]	= "bad header length",
	[MLOG_FRAME_ETYPE]	= "unknown frame type",
	[MLOG_FRAME_EFLAGS]	= "unknown flags or stray fragment map",
	[MLOG_FRAME_ELENGTH]	= "payload length mismatch",
	[MLOG_FRAME_ERANGE]	= "inconsistent RSN range",
	[MLOG_FRAME_EFRAG]	= "fragment outside its message",
	[MLOG_FRAME_EACK]	= "inconsistent acknowledgment",
	[MLOG_FRAME_EHOST]	= "inconsistent host addressing",
};

const char *mlog_frame_strerror(enum mlog_frame_error err)
{
	if ((unsigned int)err >= __MLOG_FRAME_EMAX)
		return "unknown error";
	return mlog_frame_errors[err];
}

enum mlog_frame_error mlog_frame_decode(const void *buf, size_t len,
					struct mlog_frame *f)
{
	const u8 *p = buf;

	if (len < MLOG_WIRE_HDR_LEN)
		return MLOG_FRAME_ETRUNCATED;
	if (get_unaligned_be16(p + OFF(magic)) != MLOG_WIRE_MAGIC)
		return MLOG_FRAME_EMAGIC;

	f->version = p[OFF(version)];
	if (f->version != MLOG_WIRE_VERSION)
		return MLOG_FRAME_EVERSION;

	/*
	 * A later version may append fields (hdr_len grows, 8-byte steps);
	 * a header shorter than ours or running past the datagram is junk.
	 */
	f->hdr_len = get_unaligned_be16(p + OFF(hdr_len));
	if (f->hdr_len < MLOG_WIRE_HDR_LEN || f->hdr_len > len ||
	    (f->hdr_len & 7))
		return MLOG_FRAME_EHDRLEN;

	f->type = p[OFF(type)];
	if (f->type == 0 || f->type >= __MLOG_FRAME_TYPE_MAX)
		return MLOG_FRAME_ETYPE;

	f->flags = get_unaligned_be16(p + OFF(flags));
	f->frag_map = (u64)get_unaligned_be16(p + OFF(frag_map_hi)) << 32 |
		      get_unaligned_be32(p + OFF(frag_map_lo));
	if ((f->flags & ~MLOG_F_KNOWN) ||
	    (f->frag_map && !(f->flags & MLOG_F_FRAG_MAP)))
		return MLOG_FRAME_EFLAGS;

	f->payload_len = get_unaligned_be32(p + OFF(payload_len));
	if (f->payload_len != len - f->hdr_len)
		return MLOG_FRAME_ELENGTH;

	/* The fragment lies inside a message no larger than we accept. */
	f->msg_len = get_unaligned_be32(p + OFF(msg_len));
	f->frag_off = get_unaligned_be32(p + OFF(frag_off));
	if (f->msg_len > MLOG_MAX_MSG || f->frag_off > f->msg_len ||
	    f->payload_len > f->msg_len - f->frag_off)
		return MLOG_FRAME_EFRAG;
	/* Only the empty message may travel in an empty fragment. */
	if (!f->payload_len && f->msg_len)
		return MLOG_FRAME_EFRAG;

	f->src_port = get_unaligned_be16(p + OFF(src_port));
	f->dst_port = get_unaligned_be16(p + OFF(dst_port));
	f->src_host = get_unaligned_be32(p + OFF(src_host));
	f->incarnation = get_unaligned_be32(p + OFF(incarnation));
	f->epoch = get_unaligned_be32(p + OFF(epoch));
	f->ssn = get_unaligned_be64(p + OFF(ssn));
	f->ack = get_unaligned_be64(p + OFF(ack));
	f->window = get_unaligned_be32(p + OFF(window));
	f->interval = get_unaligned_be64(p + OFF(interval));
	f->rsn = get_unaligned_be64(p + OFF(rsn));
	f->ssn2 = get_unaligned_be64(p + OFF(ssn2));
	f->rsn2 = get_unaligned_be64(p + OFF(rsn2));
	f->rsn_count = p[OFF(rsn_count)];
	f->rsnack_count = p[OFF(rsnack_count)];

	/*
	 * A range of n RSNs starting at r covers r .. r + n - 1; it must not
	 * wrap, and RSN 0 is never assigned (interval 0 is the initial state).
	 */
	if (f->rsn_count && !(f->flags & MLOG_F_DONT_LOG) &&
	    (f->rsn == 0 || f->rsn + f->rsn_count - 1 < f->rsn))
		return MLOG_FRAME_ERANGE;
	/* DONT_LOG names messages (by SSN) and returns no RSN. */
	if ((f->flags & MLOG_F_DONT_LOG) && (!f->rsn_count || f->rsn))
		return MLOG_FRAME_ERANGE;
	if (f->rsn_count &&
	    (f->ssn2 == 0 || f->ssn2 + f->rsn_count - 1 < f->ssn2))
		return MLOG_FRAME_ERANGE;
	if (f->rsnack_count &&
	    (f->rsn2 == 0 || f->rsn2 + f->rsnack_count - 1 < f->rsn2))
		return MLOG_FRAME_ERANGE;
	if (!f->rsn_count && (f->rsn || f->ssn2))
		return MLOG_FRAME_ERANGE;
	if (!f->rsnack_count && f->rsn2)
		return MLOG_FRAME_ERANGE;

	/*
	 * Acknowledgment fields mean something only with MLOG_F_ACK; an
	 * ACK frame carries nothing else, and reliable data is numbered
	 * from 1.
	 */
	if (!(f->flags & MLOG_F_ACK) && (f->ack || f->window))
		return MLOG_FRAME_EACK;
	if (f->type == MLOG_FRAME_ACK &&
	    (!(f->flags & MLOG_F_ACK) || f->msg_len))
		return MLOG_FRAME_EACK;
	if (f->type == MLOG_FRAME_RDATA && !f->ssn)
		return MLOG_FRAME_EACK;
	/* A fragment map belongs to an acknowledgment and names something. */
	if ((f->flags & MLOG_F_FRAG_MAP) &&
	    (!(f->flags & MLOG_F_ACK) || !f->frag_map))
		return MLOG_FRAME_EACK;
	if ((f->flags & MLOG_F_DUP) && !(f->flags & MLOG_F_ACK))
		return MLOG_FRAME_EACK;

	/*
	 * A host-form source is a protected host's; an incarnation names
	 * the incarnation of a host that is named.
	 */
	f->dst_host = get_unaligned_be32(p + OFF(dst_host));
	f->dst_incarnation = get_unaligned_be32(p + OFF(dst_incarnation));
	if (((f->flags & MLOG_F_SRC_HOST) && !f->src_host) ||
	    (f->dst_incarnation && !f->dst_host))
		return MLOG_FRAME_EHOST;

	return MLOG_FRAME_OK;
}

void mlog_frame_encode(const struct mlog_frame *f, void *buf)
{
	u8 *p = buf;

	memset(p, 0, MLOG_WIRE_HDR_LEN);
	put_unaligned_be16(MLOG_WIRE_MAGIC, p + OFF(magic));
	p[OFF(version)] = MLOG_WIRE_VERSION;
	p[OFF(type)] = f->type;
	put_unaligned_be16(f->flags, p + OFF(flags));
	put_unaligned_be16(MLOG_WIRE_HDR_LEN, p + OFF(hdr_len));
	put_unaligned_be16(f->src_port, p + OFF(src_port));
	put_unaligned_be16(f->dst_port, p + OFF(dst_port));
	put_unaligned_be32(f->payload_len, p + OFF(payload_len));
	put_unaligned_be32(f->msg_len, p + OFF(msg_len));
	put_unaligned_be32(f->frag_off, p + OFF(frag_off));
	put_unaligned_be32(f->src_host, p + OFF(src_host));
	put_unaligned_be32(f->incarnation, p + OFF(incarnation));
	put_unaligned_be32(f->epoch, p + OFF(epoch));
	put_unaligned_be64(f->ssn, p + OFF(ssn));
	put_unaligned_be64(f->ack, p + OFF(ack));
	put_unaligned_be32(f->window, p + OFF(window));
	put_unaligned_be64(f->interval, p + OFF(interval));
	put_unaligned_be64(f->rsn, p + OFF(rsn));
	put_unaligned_be64(f->ssn2, p + OFF(ssn2));
	put_unaligned_be64(f->rsn2, p + OFF(rsn2));
	p[OFF(rsn_count)] = f->rsn_count;
	p[OFF(rsnack_count)] = f->rsnack_count;
	put_unaligned_be16(f->frag_map >> 32, p + OFF(frag_map_hi));
	put_unaligned_be32(f->frag_map, p + OFF(frag_map_lo));
	put_unaligned_be32(f->dst_host, p + OFF(dst_host));
	put_unaligned_be32(f->dst_incarnation, p + OFF(dst_incarnation));
}
