// SPDX-License-Identifier: GPL-2.0
#include "stall_watch.h"

#include <gtest/gtest.h>

namespace mlog::rpc {
namespace {

TEST(StallWatch, OnTimeTicksAreNoStall) {
  StallWatch w(Millis(200));
  const Clock::time_point t0{};
  EXPECT_FALSE(w.tick(t0));
  EXPECT_FALSE(w.tick(t0 + Millis(200)));
  EXPECT_FALSE(w.tick(t0 + Millis(590)));  // late, but within two periods
}

TEST(StallWatch, ALongGapIsTheStallLessOnePeriod) {
  StallWatch w(Millis(200));
  const Clock::time_point t0{};
  w.tick(t0);
  const auto s = w.tick(t0 + Millis(3200));
  ASSERT_TRUE(s);
  EXPECT_EQ(*s, Millis(3000));
  // measured from the late tick, not from the first one
  EXPECT_FALSE(w.tick(t0 + Millis(3400)));
}

}  // namespace
}  // namespace mlog::rpc
