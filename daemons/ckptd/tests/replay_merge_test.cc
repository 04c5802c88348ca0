// SPDX-License-Identifier: GPL-2.0
#include "replay_merge.h"

#include <gtest/gtest.h>

namespace mlog::ckptd {
namespace {

pb::LoggedMessage msg(std::uint64_t rsn, std::uint32_t src, std::string data = "d") {
  pb::LoggedMessage m;
  m.set_rsn(rsn);
  m.set_src_host(src);
  m.set_ssn(rsn * 10);
  m.set_data(std::move(data));
  return m;
}

TEST(ReplayMerge, MergesSourcesByRsn) {
  const auto r = merge_replay({{msg(2, 5), msg(4, 5)}, {msg(1, 6), msg(3, 6), msg(5, 6)}}, 4);
  ASSERT_TRUE(r.ok) << r.error;
  ASSERT_EQ(r.messages.size(), 4u);
  for (std::uint64_t i = 0; i < 4; ++i) EXPECT_EQ(r.messages[i].rsn(), i + 1);
  EXPECT_EQ(r.per_source.at(0), 2u);
  EXPECT_EQ(r.per_source.at(1), 2u);
}

TEST(ReplayMerge, GapIsReported) {
  const auto r = merge_replay({{msg(1, 5), msg(3, 5)}}, 3);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("RSN 2"), std::string::npos);
  EXPECT_TRUE(r.messages.empty());
}

TEST(ReplayMerge, SameMessageTwiceIsFineDifferentIsNot) {
  EXPECT_TRUE(merge_replay({{msg(1, 5)}, {msg(1, 5)}}, 1).ok);
  const auto r = merge_replay({{msg(1, 5)}, {msg(1, 5, "other")}}, 1);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("RSN 1"), std::string::npos);
}

TEST(ReplayMerge, NothingToReplay) {
  const auto r = merge_replay({}, 0);
  EXPECT_TRUE(r.ok);
  EXPECT_TRUE(r.messages.empty());
}

}  // namespace
}  // namespace mlog::ckptd
