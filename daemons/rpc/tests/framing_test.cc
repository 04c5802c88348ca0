// SPDX-License-Identifier: GPL-2.0
// Cutting messages into pieces and putting them back together, including
// what a malformed or hostile sender can throw at the reassembler.
#include "framing.h"

#include <gtest/gtest.h>

#include <numeric>

namespace mlog::rpc {
namespace {

std::vector<std::uint8_t> bytes(std::size_t n) {
  std::vector<std::uint8_t> v(n);
  std::iota(v.begin(), v.end(), std::uint8_t{0});
  return v;
}

TEST(Framing, SmallMessageIsOnePiece) {
  const auto pieces = split_message(bytes(10));
  ASSERT_EQ(pieces.size(), 1u);
  EXPECT_EQ(pieces[0].size(), 11u);
  EXPECT_EQ(pieces[0][0], 0);
}

TEST(Framing, EmptyMessageIsAHeaderOnly) {
  const auto pieces = split_message({});
  ASSERT_EQ(pieces.size(), 1u);
  EXPECT_EQ(pieces[0], std::vector<std::uint8_t>{0});
  Reassembler r;
  const auto res = r.feed("a", pieces[0]);
  EXPECT_EQ(res.status, Reassembler::Status::complete);
  EXPECT_TRUE(res.message.empty());
}

TEST(Framing, BoundariesOfPieces) {
  for (std::size_t n : {kMaxPieceData - 1, kMaxPieceData, kMaxPieceData + 1, 3 * kMaxPieceData}) {
    const auto msg = bytes(n);
    const auto pieces = split_message(msg);
    EXPECT_EQ(pieces.size(), (n + kMaxPieceData - 1) / kMaxPieceData) << n;
    for (std::size_t i = 0; i < pieces.size(); ++i) {
      EXPECT_LE(pieces[i].size(), kMaxPiece);
      EXPECT_EQ(pieces[i][0], i + 1 < pieces.size() ? kMoreFollows : 0);
    }
    Reassembler r;
    Reassembler::Result res;
    for (const auto& p : pieces) res = r.feed("src", p);
    ASSERT_EQ(res.status, Reassembler::Status::complete);
    EXPECT_EQ(res.message, msg);
    EXPECT_EQ(r.partial_sources(), 0u);
  }
}

TEST(Framing, SourcesAreReassembledSeparately) {
  const auto a = split_message(bytes(kMaxPieceData + 5));
  auto b_msg = bytes(kMaxPieceData + 9);
  b_msg[0] = 42;
  const auto b = split_message(b_msg);
  Reassembler r;
  EXPECT_EQ(r.feed("a", a[0]).status, Reassembler::Status::partial);
  EXPECT_EQ(r.feed("b", b[0]).status, Reassembler::Status::partial);
  EXPECT_EQ(r.partial_sources(), 2u);
  const auto rb = r.feed("b", b[1]);
  ASSERT_EQ(rb.status, Reassembler::Status::complete);
  EXPECT_EQ(rb.message, b_msg);
  const auto ra = r.feed("a", a[1]);
  ASSERT_EQ(ra.status, Reassembler::Status::complete);
  EXPECT_EQ(ra.message.size(), kMaxPieceData + 5);
}

TEST(Framing, MalformedPiecesAreRefused) {
  Reassembler r;
  EXPECT_EQ(r.feed("x", {}).status, Reassembler::Status::malformed);
  const std::vector<std::uint8_t> bad_header{0x82, 1, 2};
  const auto res = r.feed("x", bad_header);
  EXPECT_EQ(res.status, Reassembler::Status::malformed);
  EXPECT_FALSE(res.problem.empty());
  // A bad piece in the middle drops what was gathered.
  const std::vector<std::uint8_t> first{kMoreFollows, 1, 2};
  EXPECT_EQ(r.feed("x", first).status, Reassembler::Status::partial);
  EXPECT_EQ(r.feed("x", bad_header).status, Reassembler::Status::malformed);
  EXPECT_EQ(r.partial_sources(), 0u);
  const std::vector<std::uint8_t> whole{0, 9};
  const auto ok = r.feed("x", whole);
  ASSERT_EQ(ok.status, Reassembler::Status::complete);
  EXPECT_EQ(ok.message, std::vector<std::uint8_t>{9});
}

TEST(Framing, OversizedMessageIsDroppedToItsEnd) {
  Reassembler r(8);
  const std::vector<std::uint8_t> more{kMoreFollows, 1, 2, 3, 4, 5};
  const std::vector<std::uint8_t> last{0, 6};
  EXPECT_EQ(r.feed("x", more).status, Reassembler::Status::partial);
  EXPECT_EQ(r.feed("x", more).status, Reassembler::Status::malformed);
  EXPECT_EQ(r.feed("x", more).status, Reassembler::Status::partial);  // discarded quietly
  EXPECT_EQ(r.feed("x", last).status, Reassembler::Status::partial);  // its end
  EXPECT_EQ(r.partial_sources(), 0u);
  const auto next = r.feed("x", last);
  ASSERT_EQ(next.status, Reassembler::Status::complete);
  EXPECT_EQ(next.message, std::vector<std::uint8_t>{6});
}

TEST(Framing, PieceLargerThanAllowed) {
  Reassembler r;
  std::vector<std::uint8_t> big(kMaxPiece + 1, 0);
  EXPECT_EQ(r.feed("x", big).status, Reassembler::Status::malformed);
}

}  // namespace
}  // namespace mlog::rpc
