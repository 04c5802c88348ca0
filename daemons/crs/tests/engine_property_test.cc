// SPDX-License-Identifier: GPL-2.0
// Thousands of random executions: after every input, batch == incremental ==
// brute-force oracle, the CRS never decreases, and the output-commit and
// garbage-collection answers match Lemmas 2.3-2.5 computed from the truth.
#include <gtest/gtest.h>

#include <cstdio>

#include "random_execution.h"

namespace mlog::crs {
namespace {

using testing::RandomRun;

constexpr int kExecutions = 4000;
constexpr int kStepsPerExecution = 90;

TEST(RandomExecutions, BatchIncrementalAndOracleAgreeAfterEveryEvent) {
  std::size_t checked = 0, skipped = 0, advanced = 0;
  for (int seed = 0; seed < kExecutions; ++seed) {
    RandomRun run(static_cast<std::uint64_t>(seed));
    std::vector<Interval> previous = run.engine.incremental_crs();
    for (int step = 0; step < kStepsPerExecution; ++step) {
      if (!run.step()) continue;
      const std::vector<Interval> incremental = run.engine.incremental_crs();
      const std::vector<Interval> batch = run.engine.batch_crs();
      ASSERT_EQ(batch, incremental) << "seed " << seed << " step " << step;
      // Never decreases (new hosts join at 0).
      for (std::size_t h = 0; h < previous.size(); ++h)
        ASSERT_GE(incremental[h], previous[h]) << "seed " << seed << " host " << h + 1;
      if (incremental != previous) ++advanced;
      previous = incremental;
      const auto oracle = testing::oracle_crs(run.truth);
      if (!oracle) {
        ++skipped;
        continue;
      }
      ++checked;
      ASSERT_EQ(*oracle, incremental) << "seed " << seed << " step " << step;
    }
  }
  std::printf("oracle checked %zu states, skipped %zu; the CRS advanced %zu times\n", checked,
              skipped, advanced);
  // The oracle must actually have judged the vast majority of states, and
  // the runs must have moved the CRS often enough to mean something.
  EXPECT_GT(checked, 50000u);
  EXPECT_LT(skipped * 100, checked);
  EXPECT_GT(advanced, 10000u);
}

TEST(RandomExecutions, OutputCommitAndGarbageCollectionFollowTheLemmas) {
  for (int seed = 0; seed < 600; ++seed) {
    RandomRun run(static_cast<std::uint64_t>(seed) + 100000);
    for (int step = 0; step < kStepsPerExecution; ++step) {
      if (!run.step()) continue;
      const std::vector<Interval> crs = run.engine.incremental_crs();
      for (HostId h = 1; h <= run.engine.host_count(); ++h) {
        const Interval at = crs[h - 1];
        const Interval current = run.truth.execution.current_interval(h);
        for (Interval s = 0; s <= current + 1; ++s)
          ASSERT_EQ(run.engine.may_release_output(h, s), s <= at) << "seed " << seed;
        // Lemmas 2.4 and 2.5 from the truth's own checkpoint list.
        const Interval effective = run.truth.effective_checkpoint(h, at);
        ASSERT_EQ(run.engine.gc_horizon(h).effective_checkpoint, effective);
        for (Interval c : run.truth.checkpoints.at(h))
          ASSERT_EQ(run.engine.checkpoint_deletable(h, c), c < effective);
        for (Interval s = 1; s <= current; ++s)
          ASSERT_EQ(run.engine.log_record_deletable(h, s), s <= effective);
        // What survives collection still rebuilds the CRS interval: the
        // effective checkpoint is kept and every later message up to the CRS
        // interval is logged and kept.
        for (Interval s = effective + 1; s <= at; ++s) {
          ASSERT_TRUE(run.truth.logged.contains({h, s}));
          ASSERT_FALSE(run.engine.log_record_deletable(h, s));
        }
      }
    }
  }
}

TEST(RandomExecutions, BatchOnlyEngineMatchesIncrementalEngine) {
  for (int seed = 0; seed < 300; ++seed) {
    RandomRun run(static_cast<std::uint64_t>(seed) + 200000);
    Engine batch_only(Engine::Options{.incremental = false});
    batch_only.add_hosts(run.engine.host_count());
    for (int step = 0; step < kStepsPerExecution; ++step) {
      const std::size_t before = run.truth.execution.host_count();
      const auto logged_before = run.truth.logged;
      if (!run.step()) continue;
      // Replay the same input into the batch-only engine by diffing truth.
      if (run.truth.execution.host_count() > before) batch_only.add_hosts(1);
      for (const auto& [h, s] : run.truth.logged)
        if (!logged_before.contains({h, s})) {
          const Dependency start = run.truth.execution.start_of(h, s);
          batch_only.log_message(h, s, start.host, start.interval);
        }
      for (const auto& [h, ckpts] : run.truth.checkpoints)
        for (Interval c : ckpts)
          if (!batch_only.has_checkpoint(h, c))
            batch_only.checkpoint(h, c, run.truth.execution.dependency_vector_at(h, c));
      ASSERT_EQ(batch_only.crs(), run.engine.incremental_crs()) << "seed " << seed;
    }
  }
}

TEST(RandomExecutions, LargerSystemsAgreeWithoutTheOracle) {
  for (int seed = 0; seed < 40; ++seed) {
    RandomRun run(static_cast<std::uint64_t>(seed) + 300000, 64);
    for (int step = 0; step < 1500; ++step) {
      if (!run.step()) continue;
      if (step % 7 == 0) {
        ASSERT_EQ(run.engine.batch_crs(), run.engine.incremental_crs()) << "seed " << seed;
      }
    }
    ASSERT_EQ(run.engine.batch_crs(), run.engine.incremental_crs()) << "seed " << seed;
  }
}

}  // namespace
}  // namespace mlog::crs

namespace mlog::crs {
namespace {

// §4.2.3 on random executions: survivors record their current state as a
// checkpoint, then the plan restores every failed host and every orphan to
// its CRS interval; the result is a recoverable state and nobody else moves.
TEST(RandomExecutions, OptimisticRecoveryRestoresARecoverableState) {
  std::mt19937_64 pick(7);
  std::size_t orphans_seen = 0;
  for (int seed = 0; seed < 400; ++seed) {
    testing::RandomRun run(static_cast<std::uint64_t>(seed) + 400000);
    for (int step = 0; step < 60; ++step) run.step();
    const HostId n = run.engine.host_count();
    std::vector<HostId> failed;
    std::vector<Interval> current;
    for (HostId h = 1; h <= n; ++h) {
      current.push_back(run.truth.execution.current_interval(h));
      if (pick() % 3 == 0) {
        failed.push_back(h);
      } else {
        run.truth.checkpoints[h].insert(current.back());
        run.engine.checkpoint(h, current.back(), run.truth.execution.dependency_vector(h));
      }
    }
    const auto plan = run.engine.plan_optimistic_recovery(current, failed);
    std::vector<Interval> after = current;
    for (const HostRestart& r : plan) {
      ASSERT_EQ(r.failed, std::find(failed.begin(), failed.end(), r.host) != failed.end());
      ASSERT_NE(r.failed, r.orphan);
      ASSERT_LE(r.restore_to, r.current);
      ASSERT_EQ(r.from_checkpoint, run.truth.effective_checkpoint(r.host, r.restore_to));
      after[r.host - 1] = r.restore_to;
      if (r.orphan) ++orphans_seen;
    }
    // Every failed host is in the plan; the resulting state is the oracle's.
    for (HostId f : failed)
      ASSERT_TRUE(
          std::any_of(plan.begin(), plan.end(), [f](const HostRestart& r) { return r.host == f; }));
    const auto oracle = testing::oracle_crs(run.truth);
    ASSERT_TRUE(oracle);
    ASSERT_EQ(after, *oracle) << "seed " << seed;
  }
  EXPECT_GT(orphans_seen, 50u);
}

}  // namespace
}  // namespace mlog::crs
