// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the AF_MLOG frame codec: every way a frame from the wire
 * can be wrong must be refused with the right reason, and everything the
 * encoder writes must decode to the same fields.
 */
#include <kunit/test.h>
#include <linux/kernel.h>
#include <linux/string.h>

#include "frame.h"

#define BUFSZ (MLOG_WIRE_HDR_LEN + 64)

static struct mlog_frame sample_frame(u32 payload_len)
{
	struct mlog_frame f = {
		.type		= MLOG_FRAME_RDATA,
		.src_port	= 40000,
		.dst_port	= 7,
		.payload_len	= payload_len,
		/* a fragment at offset 100, or the empty message */
		.msg_len	= payload_len ? payload_len + 100 : 0,
		.frag_off	= payload_len ? 100 : 0,
		.src_host	= 3,
		.incarnation	= 2,
		.epoch		= 0xdeadbeef,
		.ssn		= 0x0102030405060708ULL,
		.ack		= 0x1112131415161718ULL,
		.window		= 65536,
		.flags		= MLOG_F_NEED_RSN | MLOG_F_ACK,
		.interval	= 42,
		.rsn		= 17,
		.ssn2		= 99,
		.rsn2		= 5,
		.rsn_count	= 255,
		.rsnack_count	= 1,
		.frag_map	= 0x0000800000000001ULL,
	};
	f.flags |= MLOG_F_FRAG_MAP;
	return f;
}

static void frame_roundtrip(struct kunit *test)
{
	struct mlog_frame in = sample_frame(10), out;
	u8 buf[BUFSZ];

	mlog_frame_encode(&in, buf);
	KUNIT_ASSERT_EQ(test, mlog_frame_decode(buf, MLOG_WIRE_HDR_LEN + 10, &out),
			MLOG_FRAME_OK);
	KUNIT_EXPECT_EQ(test, out.version, MLOG_WIRE_VERSION);
	KUNIT_EXPECT_EQ(test, out.hdr_len, MLOG_WIRE_HDR_LEN);
	KUNIT_EXPECT_EQ(test, out.type, in.type);
	KUNIT_EXPECT_EQ(test, out.flags, in.flags);
	KUNIT_EXPECT_EQ(test, out.src_port, in.src_port);
	KUNIT_EXPECT_EQ(test, out.dst_port, in.dst_port);
	KUNIT_EXPECT_EQ(test, out.payload_len, in.payload_len);
	KUNIT_EXPECT_EQ(test, out.msg_len, in.msg_len);
	KUNIT_EXPECT_EQ(test, out.frag_off, in.frag_off);
	KUNIT_EXPECT_EQ(test, out.ack, in.ack);
	KUNIT_EXPECT_EQ(test, out.window, in.window);
	KUNIT_EXPECT_EQ(test, out.src_host, in.src_host);
	KUNIT_EXPECT_EQ(test, out.incarnation, in.incarnation);
	KUNIT_EXPECT_EQ(test, out.epoch, in.epoch);
	KUNIT_EXPECT_EQ(test, out.ssn, in.ssn);
	KUNIT_EXPECT_EQ(test, out.interval, in.interval);
	KUNIT_EXPECT_EQ(test, out.rsn, in.rsn);
	KUNIT_EXPECT_EQ(test, out.ssn2, in.ssn2);
	KUNIT_EXPECT_EQ(test, out.rsn2, in.rsn2);
	KUNIT_EXPECT_EQ(test, out.rsn_count, in.rsn_count);
	KUNIT_EXPECT_EQ(test, out.rsnack_count, in.rsnack_count);
	KUNIT_EXPECT_EQ(test, out.frag_map, in.frag_map);
}

static void frame_wire_is_big_endian(struct kunit *test)
{
	struct mlog_frame in = sample_frame(0);
	u8 buf[BUFSZ];

	mlog_frame_encode(&in, buf);
	/* magic "ML", then version, then type */
	KUNIT_EXPECT_EQ(test, buf[0], 'M');
	KUNIT_EXPECT_EQ(test, buf[1], 'L');
	KUNIT_EXPECT_EQ(test, buf[2], MLOG_WIRE_VERSION);
	KUNIT_EXPECT_EQ(test, buf[3], MLOG_FRAME_RDATA);
	KUNIT_EXPECT_EQ(test, buf[offsetof(struct mlog_wire_hdr, ssn)], 0x01);
	KUNIT_EXPECT_EQ(test, buf[offsetof(struct mlog_wire_hdr, ssn) + 7], 0x08);
	/* fragment map bit 47 is the top bit of frag_map_hi, bit 0 the last */
	KUNIT_EXPECT_EQ(test, buf[offsetof(struct mlog_wire_hdr, frag_map_hi)], 0x80);
	KUNIT_EXPECT_EQ(test, buf[offsetof(struct mlog_wire_hdr, frag_map_lo) + 3], 0x01);
}

/* One malformed-frame case: mutate an encoded header, expect a reason. */
struct frame_bad_case {
	const char *name;
	size_t off;		/* byte to overwrite, or SIZE_MAX for none */
	u8 val;
	unsigned int len;	/* datagram length to decode */
	enum mlog_frame_error want;
};

#define HDR MLOG_WIRE_HDR_LEN
#define AT(field) offsetof(struct mlog_wire_hdr, field)

static const struct frame_bad_case frame_bad_cases[] = {
	{ "empty", SIZE_MAX, 0, 0, MLOG_FRAME_ETRUNCATED },
	{ "one byte", SIZE_MAX, 0, 1, MLOG_FRAME_ETRUNCATED },
	{ "header minus one", SIZE_MAX, 0, HDR - 1, MLOG_FRAME_ETRUNCATED },
	{ "bad magic", AT(magic), 0x00, HDR + 8, MLOG_FRAME_EMAGIC },
	{ "version 0", AT(version), 0, HDR + 8, MLOG_FRAME_EVERSION },
	{ "version 1", AT(version), 1, HDR + 8, MLOG_FRAME_EVERSION },
	{ "version 3", AT(version), 3, HDR + 8, MLOG_FRAME_EVERSION },
	{ "hdr_len too small", AT(hdr_len) + 1, HDR - 8, HDR + 8, MLOG_FRAME_EHDRLEN },
	{ "hdr_len past datagram", AT(hdr_len) + 1, HDR + 16, HDR + 8, MLOG_FRAME_EHDRLEN },
	{ "hdr_len unaligned", AT(hdr_len) + 1, HDR + 4, HDR + 8, MLOG_FRAME_EHDRLEN },
	{ "type 0", AT(type), 0, HDR + 8, MLOG_FRAME_ETYPE },
	{ "type unknown", AT(type), 0xff, HDR + 8, MLOG_FRAME_ETYPE },
	{ "unknown flag", AT(flags), 0x80, HDR + 8, MLOG_FRAME_EFLAGS },
	{ "map high bits without flag", AT(frag_map_hi) + 1, 1, HDR + 8, MLOG_FRAME_EFLAGS },
	{ "map low bits without flag", AT(frag_map_lo), 1, HDR + 8, MLOG_FRAME_EFLAGS },
	{ "map flag without ack", AT(flags), MLOG_F_FRAG_MAP >> 8, HDR + 8, MLOG_FRAME_EACK },
	{ "dup flag without ack", AT(flags), MLOG_F_DUP >> 8, HDR + 8, MLOG_FRAME_EACK },
	{ "payload longer than said", SIZE_MAX, 0, HDR + 9, MLOG_FRAME_ELENGTH },
	{ "payload shorter than said", SIZE_MAX, 0, HDR + 7, MLOG_FRAME_ELENGTH },
	{ "payload_len huge", AT(payload_len), 0xff, HDR + 8, MLOG_FRAME_ELENGTH },
	{ "msg_len over 64 KiB", AT(msg_len) + 1, 0x02, HDR + 8, MLOG_FRAME_EFRAG },
	{ "fragment past message end", AT(frag_off) + 3, 200, HDR + 8, MLOG_FRAME_EFRAG },
	{ "msg_len shorter than fragment", AT(msg_len) + 3, 4, HDR + 8, MLOG_FRAME_EFRAG },
	{ "ack without ACK flag", AT(ack) + 7, 1, HDR + 8, MLOG_FRAME_EACK },
	{ "window without ACK flag", AT(window) + 3, 1, HDR + 8, MLOG_FRAME_EACK },
	{ "reliable data with SSN 0", AT(type), MLOG_FRAME_RDATA, HDR + 8, MLOG_FRAME_EACK },
	{ "host-form source, no host", AT(flags), MLOG_F_SRC_HOST >> 8, HDR + 8, MLOG_FRAME_EHOST },
	{ "incarnation of no host", AT(dst_incarnation) + 3, 1, HDR + 8, MLOG_FRAME_EHOST },
};

static void frame_bad_desc(const struct frame_bad_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(frame_bad, frame_bad_cases, frame_bad_desc);

static void frame_rejects_malformed(struct kunit *test)
{
	const struct frame_bad_case *c = test->param_value;
	struct mlog_frame in = sample_frame(8), out;
	u8 buf[BUFSZ] = { 0 };

	in.rsn_count = 0;
	in.rsn = 0;
	in.ssn2 = 0;
	in.rsnack_count = 0;
	in.rsn2 = 0;
	/* a plain datagram: one whole fragment, no acknowledgment */
	in.type = MLOG_FRAME_DATA;
	in.flags = 0;
	in.frag_map = 0;
	in.ack = 0;
	in.window = 0;
	in.ssn = 0;
	in.msg_len = 8;
	in.frag_off = 0;
	in.src_host = 0;	/* unprotected: a host-form source needs one */
	mlog_frame_encode(&in, buf);
	if (c->off != SIZE_MAX)
		buf[c->off] = c->val;
	KUNIT_EXPECT_EQ(test, mlog_frame_decode(buf, c->len, &out), c->want);
}

static void frame_rsn_ranges(struct kunit *test)
{
	struct mlog_frame in = sample_frame(0), out;
	u8 buf[BUFSZ];

	/* A range may not include RSN 0. */
	in.rsn = 0;
	mlog_frame_encode(&in, buf);
	KUNIT_EXPECT_EQ(test, mlog_frame_decode(buf, HDR, &out), MLOG_FRAME_ERANGE);

	/* Nor wrap past the largest RSN. */
	in = sample_frame(0);
	in.rsn = U64_MAX - 10;
	mlog_frame_encode(&in, buf);
	KUNIT_EXPECT_EQ(test, mlog_frame_decode(buf, HDR, &out), MLOG_FRAME_ERANGE);

	/* The largest range that just fits is fine. */
	in.rsn = U64_MAX - 254;
	mlog_frame_encode(&in, buf);
	KUNIT_EXPECT_EQ(test, mlog_frame_decode(buf, HDR, &out), MLOG_FRAME_OK);

	/* An ack range that wraps. */
	in = sample_frame(0);
	in.rsn2 = U64_MAX;
	in.rsnack_count = 2;
	mlog_frame_encode(&in, buf);
	KUNIT_EXPECT_EQ(test, mlog_frame_decode(buf, HDR, &out), MLOG_FRAME_ERANGE);

	/* RSN fields set while the count says there is no range. */
	in = sample_frame(0);
	in.rsn_count = 0;
	mlog_frame_encode(&in, buf);
	KUNIT_EXPECT_EQ(test, mlog_frame_decode(buf, HDR, &out), MLOG_FRAME_ERANGE);

	in = sample_frame(0);
	in.rsnack_count = 0;
	mlog_frame_encode(&in, buf);
	KUNIT_EXPECT_EQ(test, mlog_frame_decode(buf, HDR, &out), MLOG_FRAME_ERANGE);
}

static void frame_fragments_and_acks(struct kunit *test)
{
	struct mlog_frame in = sample_frame(0), out;
	u8 buf[BUFSZ];

	/* the empty message: one empty fragment */
	in.msg_len = 0;
	in.frag_off = 0;
	mlog_frame_encode(&in, buf);
	KUNIT_EXPECT_EQ(test, mlog_frame_decode(buf, HDR, &out), MLOG_FRAME_OK);

	/* an empty fragment of a non-empty message is junk */
	in.msg_len = 10;
	mlog_frame_encode(&in, buf);
	KUNIT_EXPECT_EQ(test, mlog_frame_decode(buf, HDR, &out), MLOG_FRAME_EFRAG);

	/* the last fragment of a 64 KiB message */
	in = sample_frame(16);
	in.msg_len = MLOG_MAX_MSG;
	in.frag_off = MLOG_MAX_MSG - 16;
	mlog_frame_encode(&in, buf);
	KUNIT_EXPECT_EQ(test, mlog_frame_decode(buf, HDR + 16, &out), MLOG_FRAME_OK);

	/* a pure acknowledgment */
	in = sample_frame(0);
	in.type = MLOG_FRAME_ACK;
	in.msg_len = 0;
	in.frag_off = 0;
	mlog_frame_encode(&in, buf);
	KUNIT_EXPECT_EQ(test, mlog_frame_decode(buf, HDR, &out), MLOG_FRAME_OK);

	/* an ACK frame must say it is one, and carry no message */
	in.flags = 0;
	in.frag_map = 0;
	in.ack = 0;
	in.window = 0;
	mlog_frame_encode(&in, buf);
	KUNIT_EXPECT_EQ(test, mlog_frame_decode(buf, HDR, &out), MLOG_FRAME_EACK);
}

static void frame_fragment_map(struct kunit *test)
{
	struct mlog_frame in = sample_frame(0), out;
	u8 buf[BUFSZ];

	/* all 48 fragments of the largest message */
	in.frag_map = BIT_ULL(MLOG_FRAG_MAP_BITS) - 1;
	mlog_frame_encode(&in, buf);
	KUNIT_ASSERT_EQ(test, mlog_frame_decode(buf, HDR, &out), MLOG_FRAME_OK);
	KUNIT_EXPECT_EQ(test, out.frag_map, in.frag_map);

	/* the flag with an empty map names nothing */
	in.frag_map = 0;
	mlog_frame_encode(&in, buf);
	KUNIT_EXPECT_EQ(test, mlog_frame_decode(buf, HDR, &out), MLOG_FRAME_EACK);

	/* a map only comes with an acknowledgment */
	in = sample_frame(0);
	in.flags &= ~MLOG_F_ACK;
	in.ack = 0;
	in.window = 0;
	mlog_frame_encode(&in, buf);
	KUNIT_EXPECT_EQ(test, mlog_frame_decode(buf, HDR, &out), MLOG_FRAME_EACK);

	/* the answer to a duplicate is an acknowledgment */
	in = sample_frame(0);
	in.flags |= MLOG_F_DUP;
	mlog_frame_encode(&in, buf);
	KUNIT_EXPECT_EQ(test, mlog_frame_decode(buf, HDR, &out), MLOG_FRAME_OK);
	KUNIT_EXPECT_TRUE(test, out.flags & MLOG_F_DUP);

	/* a map without its flag is refused, whatever else the frame says */
	in = sample_frame(0);
	in.flags &= ~MLOG_F_FRAG_MAP;
	mlog_frame_encode(&in, buf);
	KUNIT_EXPECT_EQ(test, mlog_frame_decode(buf, HDR, &out), MLOG_FRAME_EFLAGS);
}

static void frame_longer_header_accepted(struct kunit *test)
{
	struct mlog_frame in = sample_frame(4), out;
	u8 buf[BUFSZ] = { 0 };

	/* A later revision appends 8 bytes of header we do not know. */
	mlog_frame_encode(&in, buf);
	buf[AT(hdr_len)] = 0;
	buf[AT(hdr_len) + 1] = HDR + 8;
	KUNIT_ASSERT_EQ(test, mlog_frame_decode(buf, HDR + 8 + 4, &out),
			MLOG_FRAME_OK);
	KUNIT_EXPECT_EQ(test, out.hdr_len, HDR + 8);
	KUNIT_EXPECT_EQ(test, out.payload_len, 4);
}

static void frame_strerror(struct kunit *test)
{
	int i;

	for (i = 0; i < __MLOG_FRAME_EMAX; i++)
		KUNIT_EXPECT_NOT_ERR_OR_NULL(test, mlog_frame_strerror(i));
	KUNIT_EXPECT_STREQ(test, mlog_frame_strerror(__MLOG_FRAME_EMAX),
			   "unknown error");
}

static struct kunit_case mlog_frame_cases[] = {
	KUNIT_CASE(frame_roundtrip),
	KUNIT_CASE(frame_wire_is_big_endian),
	KUNIT_CASE_PARAM(frame_rejects_malformed, frame_bad_gen_params),
	KUNIT_CASE(frame_rsn_ranges),
	KUNIT_CASE(frame_fragments_and_acks),
	KUNIT_CASE(frame_fragment_map),
	KUNIT_CASE(frame_longer_header_accepted),
	KUNIT_CASE(frame_strerror),
	{}
};

static struct kunit_suite mlog_frame_suite = {
	.name = "mlog_frame",
	.test_cases = mlog_frame_cases,
};

kunit_test_suite(mlog_frame_suite);
