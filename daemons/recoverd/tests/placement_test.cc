// SPDX-License-Identifier: GPL-2.0
#include "placement.h"

#include <gtest/gtest.h>

namespace mlog::recoverd {
namespace {

const std::vector<MemberLoad> kLive = {
    {10, 3, false, 0}, {11, 1, false, 4}, {12, 2, true, 0}, {13, 2, false, 1}};

TEST(Placement, DefaultCyclesNonSpareNodesInIdOrder) {
  const auto p = place_ranks(5, {}, kLive);
  ASSERT_TRUE(std::holds_alternative<std::vector<std::uint64_t>>(p));
  EXPECT_EQ(std::get<std::vector<std::uint64_t>>(p),
            (std::vector<std::uint64_t>{11, 13, 10, 11, 13}));
}

TEST(Placement, ListedNodesCycleAndMayBeSpare) {
  // Node 2 has a spare and a non-spare member: the first listed wins.
  const auto p = place_ranks(3, {3, 1}, kLive);
  EXPECT_EQ(std::get<std::vector<std::uint64_t>>(p), (std::vector<std::uint64_t>{10, 11, 10}));
}

TEST(Placement, UnknownNodeIsRefused) {
  const auto p = place_ranks(2, {1, 7}, kLive);
  ASSERT_TRUE(std::holds_alternative<std::string>(p));
  EXPECT_NE(std::get<std::string>(p).find("unknown node id 7"), std::string::npos);
}

TEST(Placement, NoNodes) {
  EXPECT_TRUE(std::holds_alternative<std::string>(place_ranks(1, {}, {})));
  EXPECT_TRUE(std::holds_alternative<std::string>(place_ranks(1, {}, {{1, 1, true, 0}})));
}

TEST(Placement, RecoveryPrefersSparesThenFewestHosts) {
  const auto t = choose_recovery_targets(4, kLive);
  ASSERT_TRUE(t);
  // A spare node takes restarted hosts before any other node does.
  EXPECT_EQ(*t, (std::vector<std::uint64_t>{12, 12, 12, 12}));
  const std::vector<MemberLoad> no_spare = {{1, 1, false, 2}, {2, 2, false, 0}, {3, 3, false, 1}};
  EXPECT_EQ(*choose_recovery_targets(3, no_spare), (std::vector<std::uint64_t>{2, 2, 3}));
  EXPECT_FALSE(choose_recovery_targets(1, {}));
}

}  // namespace
}  // namespace mlog::recoverd
