// SPDX-License-Identifier: GPL-2.0
// Parsing of raw netlink messages and attribute streams, without a kernel.
#include <gtest/gtest.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include <cerrno>
#include <cstring>

#include "attr_builder.h"
#include "genl_client.h"

namespace mlog {
namespace {

using test::AttrBuilder;

// An NLMSG_ERROR message as the kernel's netlink_ack() builds it.
std::vector<uint8_t> error_message(int error, bool capped, const std::vector<uint8_t>& request,
                                   const AttrBuilder* tlvs) {
  nlmsgerr err{};
  err.error = error;
  err.msg.nlmsg_len = static_cast<uint32_t>(NLMSG_HDRLEN + request.size());
  err.msg.nlmsg_type = 0x1234;
  err.msg.nlmsg_seq = 7;
  std::vector<uint8_t> body(sizeof(err));
  std::memcpy(body.data(), &err, sizeof(err));
  if (!capped) {
    body.insert(body.end(), request.begin(), request.end());
    while (body.size() % 4) body.push_back(0);
  }
  if (tlvs) body.insert(body.end(), tlvs->data().begin(), tlvs->data().end());
  nlmsghdr hdr{};
  hdr.nlmsg_len = static_cast<uint32_t>(NLMSG_HDRLEN + body.size());
  hdr.nlmsg_type = NLMSG_ERROR;
  hdr.nlmsg_flags =
      static_cast<uint16_t>((capped ? NLM_F_CAPPED : 0) | (tlvs ? NLM_F_ACK_TLVS : 0));
  std::vector<uint8_t> msg(NLMSG_HDRLEN);
  std::memcpy(msg.data(), &hdr, sizeof(hdr));
  msg.insert(msg.end(), body.begin(), body.end());
  return msg;
}

// An NLMSG_DONE message as netlink_dump_done() builds it.
std::vector<uint8_t> done_message(int status, const AttrBuilder* tlvs) {
  std::vector<uint8_t> body(sizeof(int));
  std::memcpy(body.data(), &status, sizeof(int));
  if (tlvs) body.insert(body.end(), tlvs->data().begin(), tlvs->data().end());
  nlmsghdr hdr{};
  hdr.nlmsg_len = static_cast<uint32_t>(NLMSG_HDRLEN + body.size());
  hdr.nlmsg_type = NLMSG_DONE;
  hdr.nlmsg_flags = static_cast<uint16_t>(NLM_F_MULTI | (tlvs ? NLM_F_ACK_TLVS : 0));
  std::vector<uint8_t> msg(NLMSG_HDRLEN);
  std::memcpy(msg.data(), &hdr, sizeof(hdr));
  msg.insert(msg.end(), body.begin(), body.end());
  return msg;
}

TEST(ParseAttrs, ReadsTypesPayloadsAndPadding) {
  AttrBuilder b;
  b.u16(1, 7471).str(2, "abc").u64(3, 42).bytes(4, {});
  const AttrMap m = parse_attrs(b.data());
  ASSERT_EQ(m.size(), 4u);
  EXPECT_EQ(m.at(1).u16(), 7471);
  EXPECT_EQ(m.at(2).str(), "abc");
  EXPECT_EQ(m.at(2).data.size(), 4u);  // NUL included, padding not
  EXPECT_EQ(m.at(3).u64(), 42u);
  EXPECT_TRUE(m.at(4).data.empty());
}

TEST(ParseAttrs, MasksNestedFlagAndParsesNests) {
  AttrBuilder inner;
  inner.u32(5, 9);
  AttrBuilder outer;
  outer.nest(MLOG_ATTR_PEER, inner);
  const AttrMap m = parse_attrs(outer.data());
  ASSERT_EQ(m.count(MLOG_ATTR_PEER), 1u);
  EXPECT_EQ(m.at(MLOG_ATTR_PEER).nested().at(5).u32(), 9u);
}

TEST(ParseAttrs, EmptyStreamAndTrailingPaddingAreFine) {
  EXPECT_TRUE(parse_attrs({}).empty());
  AttrBuilder b;
  b.u32(1, 1).raw({0, 0});
  EXPECT_EQ(parse_attrs(b.data()).size(), 1u);
}

TEST(ParseAttrs, LengthPastTheEndIsAnError) {
  AttrBuilder b;
  b.u32(1, 1).raw({12, 0, 2, 0, 1, 2, 3, 4});  // claims 12 bytes, has 8
  try {
    parse_attrs(b.data());
    FAIL() << "no exception";
  } catch (const MalformedMessage& e) {
    EXPECT_NE(std::string(e.what()).find("type 2 claims 12 bytes"), std::string::npos) << e.what();
  }
}

TEST(ParseAttrs, LengthShorterThanHeaderIsAnError) {
  AttrBuilder b;
  b.raw({2, 0, 1, 0, 0, 0, 0, 0});
  EXPECT_THROW(parse_attrs(b.data()), MalformedMessage);
}

TEST(ParseAttrs, LaterDuplicateWins) {
  AttrBuilder b;
  b.u32(1, 1).u32(1, 2);
  EXPECT_EQ(parse_attrs(b.data()).at(1).u32(), 2u);
}

TEST(Attr, WrongSizeNamesTheExpectedSize) {
  const Attr a{{1, 2, 3}};
  try {
    (void)a.u32();
    FAIL() << "no exception";
  } catch (const MalformedMessage& e) {
    EXPECT_STREQ(e.what(), "malformed attribute: u32 payload of 3 bytes, expected 4");
  }
  EXPECT_THROW((void)a.u16(), MalformedMessage);
  EXPECT_THROW((void)a.u64(), MalformedMessage);
}

TEST(Attr, StrStopsAtNul) {
  EXPECT_EQ((Attr{{'a', 'b', 0, 'c'}}).str(), "ab");
  EXPECT_EQ((Attr{{'a', 'b'}}).str(), "ab");
}

TEST(DecodeError, AckIsSuccess) {
  const auto msg = error_message(0, true, {}, nullptr);
  const auto out = decode_error_message(msg);
  EXPECT_EQ(out.error, 0);
  EXPECT_EQ(out.extack, "");
}

TEST(DecodeError, CappedWithExtack) {
  AttrBuilder tlvs;
  tlvs.str(NLMSGERR_ATTR_MSG, "node address must be an IPv4-mapped IPv6 address")
      .u32(NLMSGERR_ATTR_OFFS, 20);
  const auto msg = error_message(-EAFNOSUPPORT, true, {}, &tlvs);
  const auto out = decode_error_message(msg);
  EXPECT_EQ(out.error, EAFNOSUPPORT);
  EXPECT_EQ(out.extack, "node address must be an IPv4-mapped IPv6 address");
  EXPECT_EQ(kernel_error_text(out),
            "node address must be an IPv4-mapped IPv6 address (Address family not supported by "
            "protocol)");
}

TEST(DecodeError, UncappedSkipsTheEchoedRequest) {
  // The request is echoed whole (genl header + an odd-sized attribute)
  // before the TLVs; the TLVs must still be found.
  std::vector<uint8_t> request = {MLOG_CMD_NODE_SET, 1, 0, 0, 5, 0, 7, 0, 0xaa};
  AttrBuilder tlvs;
  tlvs.str(NLMSGERR_ATTR_MSG, "bad port");
  const auto msg = error_message(-EINVAL, false, request, &tlvs);
  const auto out = decode_error_message(msg);
  EXPECT_EQ(out.error, EINVAL);
  EXPECT_EQ(out.extack, "bad port");
}

TEST(DecodeError, WithoutTlvsHasNoExtack) {
  const auto msg = error_message(-EPERM, false, {1, 2, 3, 4}, nullptr);
  const auto out = decode_error_message(msg);
  EXPECT_EQ(out.error, EPERM);
  EXPECT_EQ(out.extack, "");
  EXPECT_EQ(kernel_error_text(out), "Operation not permitted");
}

TEST(DecodeError, TruncatedIsAnError) {
  auto msg = error_message(-EPERM, true, {}, nullptr);
  msg.resize(NLMSG_HDRLEN + 8);
  EXPECT_THROW(decode_error_message(msg), MalformedMessage);
  auto lying = error_message(-EPERM, true, {}, nullptr);
  lying[0] = 200;  // nlmsg_len beyond the bytes received
  EXPECT_THROW(decode_error_message(lying), MalformedMessage);
}

TEST(DecodeDone, ZeroIsSuccess) {
  const auto out = decode_done_message(done_message(0, nullptr));
  EXPECT_EQ(out.error, 0);
}

TEST(DecodeDone, NegativeStatusWithExtack) {
  AttrBuilder tlvs;
  tlvs.str(NLMSGERR_ATTR_MSG, "peer table changed");
  const auto out = decode_done_message(done_message(-EAGAIN, &tlvs));
  EXPECT_EQ(out.error, EAGAIN);
  EXPECT_EQ(out.extack, "peer table changed");
}

TEST(DecodeDone, BareDoneIsSuccess) {
  auto msg = done_message(0, nullptr);
  msg.resize(NLMSG_HDRLEN);
  msg[0] = NLMSG_HDRLEN;
  EXPECT_EQ(decode_done_message(msg).error, 0);
}

TEST(ParseAttrList, KeepsRepeatedTypesInOrder) {
  AttrBuilder b;
  b.u32(5, 1).u16(6, 2).u32(5, 3);
  const AttrList l = parse_attr_list(b.data());
  ASSERT_EQ(l.size(), 3u);
  EXPECT_EQ(l[0].first, 5);
  EXPECT_EQ(l[0].second.u32(), 1u);
  EXPECT_EQ(l[1].first, 6);
  EXPECT_EQ(l[2].second.u32(), 3u);
  EXPECT_EQ(b.attr().nested_list().size(), 3u);
}

TEST(Nest, LaysOutAttributesAsTheKernelParsesThem) {
  Nest inner;
  inner.u32(2, 9);
  Nest n;
  n.u8(1, 0xab).u16(2, 0x1234).u32(3, 7).u64(4, 8).flag(5).nest(6, inner);
  AttrBuilder in;
  in.u32(2, 9);
  AttrBuilder want;
  want.bytes(1, {0xab}).u16(2, 0x1234).u32(3, 7).u64(4, 8).bytes(5, {}).nest(6, in);
  EXPECT_EQ(n.data(), want.data());

  Request r(MLOG_CMD_HOST_SET);
  r.nest(MLOG_ATTR_HOST, n).u8(7, 1).u64(8, 2);
  ASSERT_EQ(r.items().size(), 3u);
  EXPECT_EQ(r.items()[0].type, MLOG_ATTR_HOST | NLA_F_NESTED);
  EXPECT_EQ(r.items()[0].data, want.data());
  EXPECT_EQ(r.items()[1].data.size(), 1u);
  EXPECT_EQ(r.items()[2].data.size(), 8u);
}

}  // namespace
}  // namespace mlog
