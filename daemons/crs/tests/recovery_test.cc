// SPDX-License-Identifier: GPL-2.0
// Sender-based logging after failures (thesis §3.2.4, §3.5): whether the
// surviving dependency vectors allow a consistent state, and who rolls back.
#include "mlog/crs/recovery.h"

#include <gtest/gtest.h>

namespace mlog::crs {
namespace {

// Host 1 checkpointed at 0 and received messages starting 1..3 (sent by
// host 2 in its intervals 0, 1, 2). Host 2 received from host 1 twice.
SenderBasedHost survivor(Interval current, DependencyVector dv,
                         std::vector<CandidateState> checkpoints) {
  SenderBasedHost h;
  h.current_interval = current;
  h.current_dv = std::move(dv);
  h.checkpoints = std::move(checkpoints);
  return h;
}

TEST(SenderBased, SingleFailureReplaysToAConsistentState) {
  SenderBasedHost failed;
  failed.failed = true;
  failed.checkpoints = {{0, {}}};
  failed.replayable = {{1, {2, 0}}, {2, {2, 1}}};
  // Host 2 depends on host 1's interval 2 at most: fully logged, replayable.
  const auto result = assess_sender_based_recovery({failed, survivor(2, {{1, 2}}, {{0, {}}})});
  EXPECT_EQ(result.replay_limit, (std::vector<Interval>{2, 2}));
  EXPECT_TRUE(result.consistent_without_rollback);
  EXPECT_TRUE(result.violations.empty());
  ASSERT_TRUE(result.restore_to);
  EXPECT_EQ(*result.restore_to, (std::vector<Interval>{2, 2}));
  EXPECT_TRUE(result.must_roll_back.empty());
}

TEST(SenderBased, ConcurrentFailuresLoseALogAndForceARollback) {
  // Host 1 failed; the message that started its interval 3 was logged only
  // at host 3, which failed too, so host 1 replays to interval 2. Host 2
  // received a message host 1 sent in interval 3.
  SenderBasedHost h1;
  h1.failed = true;
  h1.checkpoints = {{0, {}}};
  h1.replayable = {{1, {2, 0}}, {2, {2, 0}}};
  SenderBasedHost h3;
  h3.failed = true;
  h3.checkpoints = {{0, {}}};
  // Host 2 has a checkpoint at interval 1, taken before the offending
  // message (which started its interval 2), and one at 2 after it.
  SenderBasedHost h2 = survivor(2, {{1, 3}}, {{1, {{1, 0}}}});
  const auto base = assess_sender_based_recovery({h1, h2, h3});
  EXPECT_FALSE(base.consistent_without_rollback);
  EXPECT_EQ(base.violations, (std::vector<std::pair<HostId, HostId>>{{2, 1}}));
  ASSERT_TRUE(base.restore_to);
  EXPECT_EQ(*base.restore_to, (std::vector<Interval>{2, 1, 0}));
  EXPECT_EQ(base.must_roll_back, (std::vector<HostId>{2}));

  // If only the later checkpoint had been kept, no consistent state exists.
  h2.checkpoints = {{2, {{1, 3}}}};
  const auto stuck = assess_sender_based_recovery({h1, h2, h3});
  EXPECT_FALSE(stuck.consistent_without_rollback);
  EXPECT_FALSE(stuck.restore_to);
}

TEST(SenderBased, RollbackCascadesThroughDependencies) {
  // Host 1 fails and can replay only to 1. Host 2 depends on 1:2 and must
  // go back to its checkpoint at 0; host 3 depends on 2:1 and must follow.
  SenderBasedHost h1;
  h1.failed = true;
  h1.checkpoints = {{0, {}}};
  h1.replayable = {{1, {3, 0}}};
  SenderBasedHost h2 = survivor(1, {{1, 2}}, {{0, {}}});
  SenderBasedHost h3 = survivor(1, {{2, 1}}, {{0, {}}});
  const auto result = assess_sender_based_recovery({h1, h2, h3});
  EXPECT_EQ(result.violations, (std::vector<std::pair<HostId, HostId>>{{2, 1}}));
  ASSERT_TRUE(result.restore_to);
  EXPECT_EQ(*result.restore_to, (std::vector<Interval>{1, 0, 0}));
  EXPECT_EQ(result.must_roll_back, (std::vector<HostId>{2, 3}));
}

TEST(SenderBased, RefusesMalformedInput) {
  SenderBasedHost lonely;
  lonely.failed = true;
  EXPECT_THROW(assess_sender_based_recovery({lonely}), CrsError);
  EXPECT_THROW(assess_sender_based_recovery({survivor(1, {{5, 0}}, {})}), CrsError);
}

}  // namespace
}  // namespace mlog::crs
