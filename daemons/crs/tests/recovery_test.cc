// SPDX-License-Identifier: GPL-2.0
// Sender-based logging after failures (thesis §3.2.4, §3.5): whether the
// surviving dependency vectors allow a consistent state, and who rolls back.
#include "mlog/crs/recovery.h"

#include <gtest/gtest.h>

#include <cstdio>

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

#include <random>

#include "random_execution.h"

namespace mlog::crs {
namespace {

// Largest consistent combination of candidate intervals by exhaustive
// search; nullopt when no consistent combination exists at all.
std::optional<std::vector<Interval>> brute_force_max(
    const testing::Truth& truth, const std::vector<std::vector<Interval>>& candidates) {
  const HostId n = truth.execution.host_count();
  std::vector<Interval> best(n, 0);
  bool any = false;
  std::vector<Interval> choice(n + 1, 0);
  std::function<void(HostId)> go = [&](HostId h) {
    if (h > n) {
      any = true;
      for (HostId i = 1; i <= n; ++i) best[i - 1] = std::max(best[i - 1], choice[i]);
      return;
    }
    for (Interval s : candidates[h]) {
      choice[h] = s;
      bool ok = true;
      for (HostId j = 1; j <= h && ok; ++j) {
        Interval v = 0;
        // j (already chosen) must not depend on h beyond s, nor h on j.
        if (j != h && lookup_dependency(truth.execution.dependency_vector_at(j, choice[j]), h, v))
          ok = v <= s;
        if (ok && j != h && lookup_dependency(truth.execution.dependency_vector_at(h, s), j, v))
          ok = v <= choice[j];
      }
      if (ok) go(h + 1);
    }
  };
  go(1);
  if (!any) return std::nullopt;
  return best;
}

TEST(SenderBased, RandomFailuresMatchExhaustiveSearch) {
  std::mt19937_64 pick(11);
  std::size_t rollbacks = 0, impossible = 0;
  for (int seed = 0; seed < 1500; ++seed) {
    testing::RandomRun run(static_cast<std::uint64_t>(seed) + 500000, 5);
    for (int step = 0; step < 40; ++step) run.step();
    const testing::Truth& truth = run.truth;
    const HostId n = truth.execution.host_count();
    std::vector<SenderBasedHost> hosts(n);
    std::vector<std::vector<Interval>> candidates(n + 1);
    for (HostId h = 1; h <= n; ++h) {
      SenderBasedHost& host = hosts[h - 1];
      host.failed = pick() % 2 == 0;
      const Interval current = truth.execution.current_interval(h);
      host.current_interval = current;
      host.current_dv = truth.execution.dependency_vector(h);
      // Keep a random subset of checkpoints (always at least one for a
      // failed host); the logged messages are the replayable ones.
      const auto& all = truth.checkpoints.at(h);
      for (Interval c : all)
        if (pick() % 2 == 0 || c == *all.rbegin())
          host.checkpoints.push_back({c, truth.execution.dependency_vector_at(h, c)});
      for (Interval s = 1; s <= current; ++s)
        if (truth.logged.contains({h, s}))
          host.replayable.push_back({s, truth.execution.start_of(h, s)});
      std::set<Interval> states;
      for (const CandidateState& c : host.checkpoints)
        for (Interval s = c.interval;; ++s) {
          states.insert(s);
          if (!truth.logged.contains({h, s + 1}) || s + 1 > current) break;
        }
      if (!host.failed) states.insert(current);
      candidates[h].assign(states.rbegin(), states.rend());
    }
    const auto result = assess_sender_based_recovery(hosts);
    const auto expected = brute_force_max(truth, candidates);
    ASSERT_EQ(result.restore_to.has_value(), expected.has_value()) << "seed " << seed;
    if (!expected) {
      ++impossible;
      continue;
    }
    ASSERT_EQ(*result.restore_to, *expected) << "seed " << seed;
    for (HostId h = 1; h <= n; ++h) {
      const bool rolled = std::find(result.must_roll_back.begin(), result.must_roll_back.end(),
                                    h) != result.must_roll_back.end();
      ASSERT_EQ(rolled, !hosts[h - 1].failed && (*expected)[h - 1] < hosts[h - 1].current_interval);
      if (rolled) ++rollbacks;
    }
    // Without rollback, each failed host sits at its replay limit: that is
    // consistent exactly when no violation was reported.
    std::vector<Interval> plain = result.replay_limit;
    bool consistent = true;
    for (HostId j = 1; j <= n; ++j)
      for (const Dependency& d : truth.execution.dependency_vector_at(j, plain[j - 1]))
        if (d.interval > plain[d.host - 1]) consistent = false;
    ASSERT_EQ(result.consistent_without_rollback, consistent) << "seed " << seed;
  }
  EXPECT_GT(rollbacks, 50u);
  EXPECT_GT(impossible, 0u);
  std::printf("sender-based: %zu rollbacks, %zu runs with no consistent state\n", rollbacks,
              impossible);
}

}  // namespace
}  // namespace mlog::crs
