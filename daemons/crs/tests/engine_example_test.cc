// SPDX-License-Identifier: GPL-2.0
// The worked example of thesis §4.4.3 (Figure 4.4), step by step, with the
// DEFER sets the incremental algorithm builds on the way.
#include <gtest/gtest.h>

#include "mlog/crs/engine.h"

namespace mlog::crs {
namespace {

using Crs = std::vector<Interval>;

// Messages of Figure 4.4: host 1 -> 2 (tag 0) starts 2:1; a: 2 -> 1 (tag 1)
// starts 1:1; b: 2 -> 3 (tag 1) starts 3:1; 3 -> 2 (tag 1) starts 2:2.
class Figure44 : public ::testing::Test {
 protected:
  void SetUp() override { engine.add_hosts(3); }
  Engine engine;
};

TEST_F(Figure44, CrsAdvancesOnlyOnceMessageBIsLogged) {
  EXPECT_EQ(engine.incremental_crs(), (Crs{0, 0, 0}));

  engine.log_message(1, 1, 2, 1);  // message a
  EXPECT_TRUE(engine.is_stable(1, 1));
  EXPECT_EQ(engine.dependency_vector(1, 1), (DependencyVector{{2, 1}}));
  EXPECT_EQ(engine.incremental_crs(), (Crs{0, 0, 0}));
  EXPECT_EQ(engine.batch_crs(), (Crs{0, 0, 0}));
  EXPECT_EQ(engine.deferred(2, 1), (std::vector<StableRef>{{1, 1}}));

  engine.checkpoint(2, 2, {{1, 0}, {3, 1}});
  EXPECT_TRUE(engine.is_stable(2, 2));
  EXPECT_FALSE(engine.is_stable(2, 1));
  EXPECT_EQ(engine.incremental_crs(), (Crs{0, 0, 0}));
  EXPECT_EQ(engine.batch_crs(), (Crs{0, 0, 0}));
  EXPECT_EQ(engine.deferred(3, 1), (std::vector<StableRef>{{2, 2}}));
  EXPECT_EQ(engine.deferred(2, 1), (std::vector<StableRef>{{1, 1}}));

  engine.log_message(3, 1, 2, 1);  // message b
  EXPECT_EQ(engine.incremental_crs(), (Crs{1, 2, 1}));
  EXPECT_EQ(engine.batch_crs(), (Crs{1, 2, 1}));
  // Every DEFER set was at or below the new CRS and has been dropped.
  EXPECT_EQ(engine.deferred_entry_count(), 0u);
  // The two unlogged messages (1 -> 2 and 3 -> 2) are never needed now.
  EXPECT_FALSE(engine.is_logged(2, 1));
  EXPECT_FALSE(engine.is_logged(2, 2));
}

TEST_F(Figure44, DerivedAnswersFollowTheCrs) {
  engine.log_message(1, 1, 2, 1);
  engine.checkpoint(2, 2, {{1, 0}, {3, 1}});
  EXPECT_FALSE(engine.may_release_output(1, 1));
  EXPECT_TRUE(engine.may_release_output(1, 0));
  EXPECT_EQ(engine.gc_horizon(2).effective_checkpoint, 0u);
  EXPECT_FALSE(engine.checkpoint_deletable(2, 0));
  engine.log_message(3, 1, 2, 1);
  EXPECT_TRUE(engine.may_release_output(1, 1));
  EXPECT_TRUE(engine.may_release_output(2, 2));
  EXPECT_FALSE(engine.may_release_output(2, 3));
  // Host 2's CRS interval 2 is its own checkpoint: the older checkpoint and
  // the records of messages starting intervals 1 and 2 can go.
  EXPECT_EQ(engine.gc_horizon(2).effective_checkpoint, 2u);
  EXPECT_TRUE(engine.checkpoint_deletable(2, 0));
  EXPECT_FALSE(engine.checkpoint_deletable(2, 2));
  EXPECT_TRUE(engine.log_record_deletable(2, 1));
  EXPECT_TRUE(engine.log_record_deletable(2, 2));
  EXPECT_FALSE(engine.log_record_deletable(2, 3));
  // Host 1's effective checkpoint is still interval 0: keep its log record.
  EXPECT_FALSE(engine.log_record_deletable(1, 1));
  EXPECT_TRUE(engine.log_record_deletable(1, 0));
}

TEST_F(Figure44, OptimisticFailureRollsBackOrphans) {
  engine.log_message(1, 1, 2, 1);
  engine.checkpoint(2, 2, {{1, 0}, {3, 1}});
  // Host 3 fails in interval 1 before message b is logged. Survivors 1 and 2
  // have flushed (their current states are checkpoints now) — host 1's is
  // interval 1, already stable; host 2's interval 2 too.
  const auto plan = engine.plan_optimistic_recovery({1, 2, 1}, {3});
  // CRS is 0 0 0: host 3 restarts at 0, host 1 and host 2 are orphans.
  ASSERT_EQ(plan.size(), 3u);
  EXPECT_TRUE(plan[0].orphan);
  EXPECT_EQ(plan[0].restore_to, 0u);
  EXPECT_TRUE(plan[1].orphan);
  EXPECT_EQ(plan[1].restore_to, 0u);
  EXPECT_EQ(plan[1].from_checkpoint, 0u);
  EXPECT_TRUE(plan[2].failed);
  EXPECT_FALSE(plan[2].orphan);
  EXPECT_EQ(plan[2].restore_to, 0u);
}

TEST(EngineInput, RefusesBadEventsWithoutChangingState) {
  Engine engine;
  engine.add_hosts(2);
  EXPECT_THROW(engine.log_message(3, 1, 1, 0), CrsError);
  EXPECT_THROW(engine.log_message(1, 1, 9, 0), CrsError);
  EXPECT_THROW(engine.log_message(1, 0, 2, 0), CrsError);
  EXPECT_THROW(engine.checkpoint(1, 1, {{7, 0}}), CrsError);
  EXPECT_THROW(engine.log_message(1, Engine::kMaxIntervalJump + 5, 2, 0), CrsError);
  EXPECT_THROW(engine.add_hosts(0), CrsError);
  engine.log_message(1, 1, 2, 0);
  engine.log_message(1, 1, 2, 0);  // a repeated record is harmless
  EXPECT_THROW(engine.log_message(1, 1, 2, 1), CrsError);
  EXPECT_THROW(engine.checkpoint(1, 0, {{2, 3}}), CrsError);
  EXPECT_EQ(engine.incremental_crs(), (Crs{1, 0}));
  EXPECT_EQ(engine.stable_interval_count(), 3u);
}

TEST(EngineModel, StabilityFollowsDefinition26) {
  Engine engine;
  engine.add_hosts(2);
  engine.log_message(1, 2, 2, 0);
  engine.log_message(1, 3, 2, 0);
  EXPECT_FALSE(engine.is_stable(1, 2));
  engine.checkpoint(1, 5, {{2, 0}});
  EXPECT_TRUE(engine.is_stable(1, 5));
  EXPECT_FALSE(engine.is_stable(1, 4));
  EXPECT_EQ(engine.min_stable_at_least(1, 1), 5u);
  engine.log_message(1, 1, 2, 0);  // fills the gap: 1, 2, 3 become stable
  EXPECT_TRUE(engine.is_stable(1, 3));
  EXPECT_FALSE(engine.is_stable(1, 4));
  EXPECT_EQ(engine.max_stable_below(1, 5), 3u);
  EXPECT_EQ(engine.effective_checkpoint(1, 4), 0u);
  EXPECT_EQ(engine.effective_checkpoint(1, 5), 5u);
  EXPECT_EQ(engine.max_stable(1), 5u);
  EXPECT_EQ(engine.incremental_crs(), (Crs{5, 0}));
  EXPECT_EQ(engine.batch_crs(), (Crs{5, 0}));
}

}  // namespace
}  // namespace mlog::crs
