/* SPDX-License-Identifier: GPL-2.0 */
/*
 * AF_MLOG frame header encoding and decoding.
 *
 * This file and frame.c depend on nothing but fixed-width types and the
 * byte-order helpers, so the very same source is compiled into mlog.ko,
 * into the KUnit tests and into the userspace fuzzer (frame_compat.h
 * supplies the helpers outside the kernel).
 */
#ifndef _MLOG_FRAME_H
#define _MLOG_FRAME_H

#include "frame_compat.h"
#include <linux/mlog.h>

/* Decoded, host-order view of struct mlog_wire_hdr. */
struct mlog_frame {
	u8	version;
	u8	type;
	u16	flags;
	u16	hdr_len;
	u16	src_port;
	u16	dst_port;
	u32	payload_len;
	u32	msg_len;
	u32	frag_off;
	u32	src_host;
	u32	incarnation;
	u32	epoch;
	u64	ssn;
	u64	ack;
	u32	window;
	u64	interval;
	u64	rsn;
	u64	ssn2;
	u64	rsn2;
	u8	rsn_count;
	u8	rsnack_count;
	u64	frag_map;	/* with MLOG_F_FRAG_MAP: 48 bits, else 0 */
	u32	dst_host;
	u32	dst_incarnation;
};

/*
 * Why a frame was refused.  Each reason has its own counter so that an
 * operator can tell a version mismatch from line noise.
 */
enum mlog_frame_error {
	MLOG_FRAME_OK = 0,
	MLOG_FRAME_ETRUNCATED,	/* shorter than the fixed header */
	MLOG_FRAME_EMAGIC,	/* not an mlog frame */
	MLOG_FRAME_EVERSION,	/* frame version we do not speak */
	MLOG_FRAME_EHDRLEN,	/* header length impossible */
	MLOG_FRAME_ETYPE,	/* unknown frame type */
	MLOG_FRAME_EFLAGS,	/* unknown flags, or a map without its flag */
	MLOG_FRAME_ELENGTH,	/* payload length disagrees with datagram */
	MLOG_FRAME_ERANGE,	/* RSN range fields inconsistent */
	MLOG_FRAME_EFRAG,	/* fragment does not fit its message */
	MLOG_FRAME_EACK,	/* acknowledgment fields inconsistent */
	MLOG_FRAME_EHOST,	/* host addressing fields inconsistent */

	__MLOG_FRAME_EMAX
};

const char *mlog_frame_strerror(enum mlog_frame_error err);

/*
 * Decode the header at @buf of a datagram of @len bytes.  On success fills
 * @f and returns MLOG_FRAME_OK; the payload then starts at @buf +
 * @f->hdr_len and is exactly @f->payload_len bytes long.
 */
enum mlog_frame_error mlog_frame_decode(const void *buf, size_t len,
					struct mlog_frame *f);

/* Encode @f into @buf, which has room for MLOG_WIRE_HDR_LEN bytes. */
void mlog_frame_encode(const struct mlog_frame *f, void *buf);

#endif /* _MLOG_FRAME_H */
