// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for the AF_MLOG frame header codec (kmod/frame.c).
 *
 * The decoder is linked from kmod/frame.c itself, so this exercises the
 * very code mlog.ko runs on every datagram it receives.  For every input:
 *
 *  - the verdict of mlog_frame_decode() must equal the one of an
 *    independent model of the rules in Documentation/protocol.rst
 *    (so a check that goes missing, or a valid frame that gets refused,
 *    is found as well as a frame that should have been refused);
 *  - an error code must be in range and have a message;
 *  - an accepted frame must satisfy every invariant the rest of the
 *    module relies on, its fields must equal the big-endian bytes read
 *    here independently, and mlog_frame_encode() followed by
 *    mlog_frame_decode() must give the same fields back (and, when the
 *    header has the current length, the very same bytes).
 *
 * Any violation prints what failed and calls abort(), which libFuzzer
 * reports as a crash.  ASan and UBSan catch the rest.
 *
 * Build with -DMLOG_FUZZ_NO_ORACLE to keep only the invariants on
 * accepted frames (e.g. while the validation rules are being changed).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"

#define OFF(field) offsetof(struct mlog_wire_hdr, field)

#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "frame_fuzz: invariant failed: %s"	\
				" (%s:%d)\n", #cond, __FILE__, __LINE__);	\
			abort();					\
		}							\
	} while (0)

/* Shift-based readers, deliberately not the helpers frame.c uses. */
static uint64_t be(const uint8_t *p, unsigned int n)
{
	uint64_t v = 0;

	while (n--)
		v = (v << 8) | *p++;
	return v;
}

#define RAW(d, field) be((d) + OFF(field), sizeof(((struct mlog_wire_hdr *)0)->field))

_Static_assert(MLOG_WIRE_HDR_LEN % 8 == 0, "header is a multiple of 8");
_Static_assert(MLOG_MAX_FRAG + MLOG_WIRE_HDR_LEN + 8 + 20 <= 1500,
	       "largest fragment fits a 1500-byte MTU over IPv4/UDP");

/* A range of @n values starting at @first neither starts at 0 nor wraps. */
static int range_ok(uint64_t first, unsigned int n)
{
	if (!n)
		return 1;
	return first != 0 && first <= UINT64_MAX - (n - 1);
}

#ifndef MLOG_FUZZ_NO_ORACLE
/* The validation rules, written from the protocol description. */
static enum mlog_frame_error model(const uint8_t *d, size_t len)
{
	uint64_t hdr_len, type, flags, payload_len, msg_len, frag_off;

	if (len < MLOG_WIRE_HDR_LEN)
		return MLOG_FRAME_ETRUNCATED;
	if (RAW(d, magic) != MLOG_WIRE_MAGIC)
		return MLOG_FRAME_EMAGIC;
	if (RAW(d, version) != MLOG_WIRE_VERSION)
		return MLOG_FRAME_EVERSION;
	hdr_len = RAW(d, hdr_len);
	if (hdr_len < MLOG_WIRE_HDR_LEN || hdr_len > len || hdr_len % 8)
		return MLOG_FRAME_EHDRLEN;
	type = RAW(d, type);
	if (type != MLOG_FRAME_DATA && type != MLOG_FRAME_RDATA &&
	    type != MLOG_FRAME_ACK)
		return MLOG_FRAME_ETYPE;
	flags = RAW(d, flags);
	if ((flags & ~(uint64_t)(MLOG_F_NEED_RSN | MLOG_F_NEED_RSNACK |
				 MLOG_F_DONT_LOG | MLOG_F_ACK |
				 MLOG_F_FRAG_MAP | MLOG_F_DUP |
				 MLOG_F_SRC_HOST)) ||
	    (!(flags & MLOG_F_FRAG_MAP) &&
	     (RAW(d, frag_map_hi) || RAW(d, frag_map_lo))))
		return MLOG_FRAME_EFLAGS;
	payload_len = RAW(d, payload_len);
	if (payload_len + hdr_len != len)
		return MLOG_FRAME_ELENGTH;
	msg_len = RAW(d, msg_len);
	frag_off = RAW(d, frag_off);
	if (msg_len > MLOG_MAX_MSG || frag_off + payload_len > msg_len ||
	    (payload_len == 0 && msg_len != 0))
		return MLOG_FRAME_EFRAG;
	/* RSNs returned (none with DONT_LOG), for a range of sent SSNs */
	if ((flags & MLOG_F_DONT_LOG) ?
	    (!RAW(d, rsn_count) || RAW(d, rsn)) :
	    !range_ok(RAW(d, rsn), RAW(d, rsn_count)))
		return MLOG_FRAME_ERANGE;
	if (!range_ok(RAW(d, ssn2), RAW(d, rsn_count)) ||
	    !range_ok(RAW(d, rsn2), RAW(d, rsnack_count)) ||
	    (!RAW(d, rsn_count) && (RAW(d, rsn) || RAW(d, ssn2))) ||
	    (!RAW(d, rsnack_count) && RAW(d, rsn2)))
		return MLOG_FRAME_ERANGE;
	if (!(flags & MLOG_F_ACK) && (RAW(d, ack) || RAW(d, window)))
		return MLOG_FRAME_EACK;
	if (type == MLOG_FRAME_ACK && (!(flags & MLOG_F_ACK) || msg_len))
		return MLOG_FRAME_EACK;
	if (type == MLOG_FRAME_RDATA && !RAW(d, ssn))
		return MLOG_FRAME_EACK;
	/* a fragment map: only in an acknowledgment, never empty */
	if ((flags & MLOG_F_FRAG_MAP) &&
	    (!(flags & MLOG_F_ACK) ||
	     (!RAW(d, frag_map_hi) && !RAW(d, frag_map_lo))))
		return MLOG_FRAME_EACK;
	/* so is the answer to a duplicate */
	if ((flags & MLOG_F_DUP) && !(flags & MLOG_F_ACK))
		return MLOG_FRAME_EACK;
	/* a host-form source names its host; an incarnation, its host */
	if (((flags & MLOG_F_SRC_HOST) && !RAW(d, src_host)) ||
	    (RAW(d, dst_incarnation) && !RAW(d, dst_host)))
		return MLOG_FRAME_EHOST;
	return MLOG_FRAME_OK;
}
#endif

/* The decoded fields are exactly the header's bytes. */
static void check_fields(const struct mlog_frame *f, const uint8_t *d)
{
	CHECK(RAW(d, magic) == MLOG_WIRE_MAGIC);
	CHECK(f->version == RAW(d, version));
	CHECK(f->type == RAW(d, type));
	CHECK(f->flags == RAW(d, flags));
	CHECK(f->hdr_len == RAW(d, hdr_len));
	CHECK(f->src_port == RAW(d, src_port));
	CHECK(f->dst_port == RAW(d, dst_port));
	CHECK(f->payload_len == RAW(d, payload_len));
	CHECK(f->msg_len == RAW(d, msg_len));
	CHECK(f->frag_off == RAW(d, frag_off));
	CHECK(f->src_host == RAW(d, src_host));
	CHECK(f->incarnation == RAW(d, incarnation));
	CHECK(f->epoch == RAW(d, epoch));
	CHECK(f->ssn == RAW(d, ssn));
	CHECK(f->ack == RAW(d, ack));
	CHECK(f->window == RAW(d, window));
	CHECK(f->interval == RAW(d, interval));
	CHECK(f->rsn == RAW(d, rsn));
	CHECK(f->ssn2 == RAW(d, ssn2));
	CHECK(f->rsn2 == RAW(d, rsn2));
	CHECK(f->rsn_count == RAW(d, rsn_count));
	CHECK(f->rsnack_count == RAW(d, rsnack_count));
	CHECK(f->frag_map == (RAW(d, frag_map_hi) << 32 | RAW(d, frag_map_lo)));
	CHECK(f->dst_host == RAW(d, dst_host));
	CHECK(f->dst_incarnation == RAW(d, dst_incarnation));
}

/* What the rest of mlog.ko may assume about an accepted frame. */
static void check_invariants(const struct mlog_frame *f, size_t len)
{
	CHECK(f->version == MLOG_WIRE_VERSION);
	CHECK(f->hdr_len >= MLOG_WIRE_HDR_LEN);
	CHECK(f->hdr_len <= len);
	CHECK(f->hdr_len % 8 == 0);
	CHECK(f->payload_len == len - f->hdr_len);
	CHECK(f->msg_len <= MLOG_MAX_MSG);
	CHECK((uint64_t)f->frag_off + f->payload_len <= f->msg_len);
	CHECK(f->payload_len || !f->msg_len);
	CHECK((f->flags & ~MLOG_F_KNOWN) == 0);
	CHECK(f->type == MLOG_FRAME_DATA || f->type == MLOG_FRAME_RDATA ||
	      f->type == MLOG_FRAME_ACK);
	CHECK((f->flags & MLOG_F_DONT_LOG) ? (f->rsn_count && !f->rsn) :
	      range_ok(f->rsn, f->rsn_count));
	CHECK(range_ok(f->ssn2, f->rsn_count));
	CHECK(range_ok(f->rsn2, f->rsnack_count));
	CHECK(f->rsn_count || (!f->rsn && !f->ssn2));
	CHECK(f->rsnack_count || !f->rsn2);
	CHECK((f->flags & MLOG_F_ACK) || (!f->ack && !f->window));
	CHECK(f->type != MLOG_FRAME_ACK ||
	      ((f->flags & MLOG_F_ACK) && !f->msg_len && !f->payload_len));
	CHECK(f->type != MLOG_FRAME_RDATA || f->ssn);
	CHECK(f->frag_map < (1ULL << MLOG_FRAG_MAP_BITS));
	CHECK((f->flags & MLOG_F_FRAG_MAP) ?
	      (f->frag_map && (f->flags & MLOG_F_ACK)) : !f->frag_map);
	CHECK(!(f->flags & MLOG_F_DUP) || (f->flags & MLOG_F_ACK));
}

static void check_same(const struct mlog_frame *a, const struct mlog_frame *b)
{
	CHECK(a->version == b->version);
	CHECK(a->type == b->type);
	CHECK(a->flags == b->flags);
	CHECK(a->src_port == b->src_port);
	CHECK(a->dst_port == b->dst_port);
	CHECK(a->payload_len == b->payload_len);
	CHECK(a->msg_len == b->msg_len);
	CHECK(a->frag_off == b->frag_off);
	CHECK(a->src_host == b->src_host);
	CHECK(a->incarnation == b->incarnation);
	CHECK(a->epoch == b->epoch);
	CHECK(a->ssn == b->ssn);
	CHECK(a->ack == b->ack);
	CHECK(a->window == b->window);
	CHECK(a->interval == b->interval);
	CHECK(a->rsn == b->rsn);
	CHECK(a->ssn2 == b->ssn2);
	CHECK(a->rsn2 == b->rsn2);
	CHECK(a->rsn_count == b->rsn_count);
	CHECK(a->rsnack_count == b->rsnack_count);
	CHECK(a->frag_map == b->frag_map);
}

/*
 * Re-encode an accepted frame (always with the current header length,
 * followed by the same payload) and decode it again.
 */
static void check_roundtrip(const struct mlog_frame *f, const uint8_t *d,
			    size_t len)
{
	size_t len2 = MLOG_WIRE_HDR_LEN + f->payload_len;
	struct mlog_frame g;
	uint8_t *buf;

	buf = malloc(len2);
	CHECK(buf != NULL);
	mlog_frame_encode(f, buf);
	memcpy(buf + MLOG_WIRE_HDR_LEN, d + f->hdr_len, f->payload_len);

	memset(&g, 0xa5, sizeof(g));
	CHECK(mlog_frame_decode(buf, len2, &g) == MLOG_FRAME_OK);
	CHECK(g.hdr_len == MLOG_WIRE_HDR_LEN);
	check_same(f, &g);
	check_fields(&g, buf);
	if (f->hdr_len == MLOG_WIRE_HDR_LEN) {
		CHECK(len2 == len);
		CHECK(memcmp(buf, d, len) == 0);
	}
	free(buf);
}

static void check_strerror(enum mlog_frame_error err)
{
	const char *s = mlog_frame_strerror(err);

	CHECK(s != NULL);
	CHECK(s[0] != '\0');
	CHECK(strlen(s) < 64);
	if ((unsigned int)err < __MLOG_FRAME_EMAX)
		CHECK(strcmp(s, "unknown error") != 0);
	else
		CHECK(strcmp(s, "unknown error") == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum mlog_frame_error err;
	struct mlog_frame f;

	/* Uninitialised-looking garbage: decode must not depend on it. */
	memset(&f, 0x5a, sizeof(f));
	err = mlog_frame_decode(data, size, &f);

	CHECK((unsigned int)err < __MLOG_FRAME_EMAX);
	check_strerror(err);
#ifndef MLOG_FUZZ_NO_ORACLE
	{
		enum mlog_frame_error want = model(data, size);

		if (err != want) {
			fprintf(stderr, "frame_fuzz: decode says %d (%s), "
				"model says %d (%s)\n", err,
				mlog_frame_strerror(err), want,
				mlog_frame_strerror(want));
			abort();
		}
	}
#endif
	/* Out-of-range codes, derived from the input so they vary. */
	check_strerror((enum mlog_frame_error)(__MLOG_FRAME_EMAX +
					       (size ? data[0] : 0)));
	check_strerror((enum mlog_frame_error)-1);

	if (err != MLOG_FRAME_OK)
		return 0;

	check_invariants(&f, size);
	check_fields(&f, data);
	check_roundtrip(&f, data, size);
	return 0;
}
