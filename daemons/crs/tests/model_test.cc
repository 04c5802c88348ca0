// SPDX-License-Identifier: GPL-2.0
// The dependency matrices of thesis Figures 2.1 and 2.2.
#include "mlog/crs/model.h"

#include <gtest/gtest.h>

namespace mlog::crs {
namespace {

constexpr std::nullopt_t B = std::nullopt;  // bottom

SystemState figure_2_1_a() {
  return SystemState({{2, 0, B, B}, {B, 0, B, B}, {B, 0, 2, 0}, {B, B, B, 0}});
}
SystemState figure_2_1_b() {
  return SystemState({{1, 0, B, B}, {B, 0, B, B}, {B, 0, 2, 0}, {B, B, 2, 1}});
}

TEST(Figure21, StatesAreIncomparable) {
  const SystemState a = figure_2_1_a();
  const SystemState b = figure_2_1_b();
  EXPECT_FALSE(a.precedes_or_equals(b));
  EXPECT_FALSE(b.precedes_or_equals(a));
  EXPECT_TRUE(a.precedes_or_equals(a));
}

TEST(Figure21, MeetTakesTheRowThatIsBehind) {
  const SystemState meet = figure_2_1_a().meet(figure_2_1_b());
  EXPECT_EQ(meet, SystemState({{1, 0, B, B}, {B, 0, B, B}, {B, 0, 2, 0}, {B, B, B, 0}}));
  EXPECT_TRUE(meet.precedes_or_equals(figure_2_1_a()));
  EXPECT_TRUE(meet.precedes_or_equals(figure_2_1_b()));
}

TEST(Figure21, JoinTakesTheRowThatIsAhead) {
  const SystemState join = figure_2_1_a().join(figure_2_1_b());
  EXPECT_EQ(join, SystemState({{2, 0, B, B}, {B, 0, B, B}, {B, 0, 2, 0}, {B, B, 2, 1}}));
  EXPECT_TRUE(figure_2_1_a().precedes_or_equals(join));
  EXPECT_TRUE(figure_2_1_b().precedes_or_equals(join));
}

TEST(Figure21, ConsistentStatesStayConsistentUnderMeetAndJoin) {
  const SystemState a = figure_2_1_a();
  const SystemState b = figure_2_1_b();
  ASSERT_TRUE(a.consistent());
  ASSERT_TRUE(b.consistent());
  EXPECT_TRUE(a.meet(b).consistent());
  EXPECT_TRUE(a.join(b).consistent());
}

TEST(Figure22, HostOneDependsOnAFutureIntervalOfHostTwo) {
  const SystemState d({{1, 4, B}, {0, 2, 0}, {B, 2, 1}});
  EXPECT_FALSE(d.consistent());
  // Lowering the offending entry to host 2's own interval makes it consistent.
  EXPECT_TRUE(SystemState({{1, 2, B}, {0, 2, 0}, {B, 2, 1}}).consistent());
}

TEST(Recoverable, NeedsConsistencyAndStability) {
  const SystemState a = figure_2_1_a();
  EXPECT_TRUE(a.recoverable([](HostId, Interval) { return true; }));
  EXPECT_FALSE(a.recoverable([](HostId h, Interval s) { return !(h == 1 && s == 2); }));
  const SystemState d({{1, 4, B}, {0, 2, 0}, {B, 2, 1}});
  EXPECT_FALSE(d.recoverable([](HostId, Interval) { return true; }));
}

TEST(SystemStateInput, RefusesMalformedMatrices) {
  EXPECT_THROW(SystemState({{0, 1}, {0}}), CrsError);
  EXPECT_THROW(SystemState({{B, 1}, {0, 0}}), CrsError);
}

}  // namespace
}  // namespace mlog::crs
