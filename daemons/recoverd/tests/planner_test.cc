// SPDX-License-Identifier: GPL-2.0
// The recovery planner: survivor states and log indices in, a restart plan
// or a report of what was lost out.
#include "planner.h"

#include <gtest/gtest.h>

namespace mlog::recoverd {
namespace {

// Job of three ranks, hosts 1..3.
PlanInput job3() {
  PlanInput in;
  in.host_base = 1;
  in.size = 3;
  return in;
}

std::vector<LoggedIndexEntry> logged(std::initializer_list<LoggedIndexEntry> l) { return l; }

TEST(Planner, SingleFailureReplaysEverythingLogged) {
  PlanInput in = job3();
  in.failed = {1};
  in.logged[1] = logged({{1, 2, 0}, {2, 3, 1}, {3, 2, 4}});
  in.survivors[2] = SurvivorState{5, {{1, 3}}};
  in.survivors[3] = SurvivorState{2, {{2, 1}}};
  const Plan p = plan_recovery(in);
  EXPECT_TRUE(p.ok) << p.report;
  EXPECT_EQ(p.replay_to.at(1), 3u);
  EXPECT_TRUE(p.losses.empty());
}

TEST(Planner, NothingLoggedRestartsFromTheStart) {
  PlanInput in = job3();
  in.failed = {2};
  in.survivors[1] = SurvivorState{0, {}};
  in.survivors[3] = SurvivorState{0, {}};
  const Plan p = plan_recovery(in);
  EXPECT_TRUE(p.ok);
  EXPECT_EQ(p.replay_to.at(2), 0u);
}

TEST(Planner, ReplayStopsAtTheFirstMissingRsn) {
  PlanInput in = job3();
  in.failed = {1};
  in.logged[1] = logged({{1, 2, 0}, {2, 2, 1}, {4, 3, 1}});
  in.survivors[2] = SurvivorState{3, {{1, 2}}};  // depends on interval 2: fine
  in.survivors[3] = SurvivorState{1, {}};
  const Plan ok = plan_recovery(in);
  EXPECT_TRUE(ok.ok);
  EXPECT_EQ(ok.replay_to.at(1), 2u);

  in.survivors[3] = SurvivorState{4, {{1, 3}}};  // depends on interval 3: lost
  const Plan bad = plan_recovery(in);
  EXPECT_FALSE(bad.ok);
  ASSERT_EQ(bad.losses.size(), 1u);
  EXPECT_EQ(bad.losses[0].failed_host, 1u);
  EXPECT_EQ(bad.losses[0].dependent_host, 3u);
  EXPECT_EQ(bad.losses[0].replay_limit, 2u);
  EXPECT_EQ(bad.losses[0].needed, 3u);
  EXPECT_EQ(bad.losses[0].dependent_interval, 4u);
  EXPECT_NE(bad.report.find("rank 0 (host 1)"), std::string::npos) << bad.report;
  EXPECT_NE(bad.report.find("rank 2 (host 3)"), std::string::npos) << bad.report;
  EXPECT_NE(bad.report.find("interval 3"), std::string::npos) << bad.report;
}

// Hosts 1 and 2 fail together after exchanging messages: what each logged
// of its sends to the other died with it.
TEST(Planner, ConcurrentFailuresWithoutDependentSurvivorsRecover) {
  PlanInput in = job3();
  in.failed = {1, 2};
  in.logged[1] = logged({{1, 3, 0}});  // RSN 2 (from host 2) is gone
  in.logged[2] = logged({});           // RSN 1 (from host 1) is gone
  in.survivors[3] = SurvivorState{0, {}};
  const Plan p = plan_recovery(in);
  EXPECT_TRUE(p.ok) << p.report;
  EXPECT_EQ(p.replay_to.at(1), 1u);
  EXPECT_EQ(p.replay_to.at(2), 0u);
}

TEST(Planner, ConcurrentFailuresWithADependentSurvivorStopTheJob) {
  PlanInput in = job3();
  in.failed = {1, 2};
  in.logged[1] = logged({{1, 3, 0}});
  in.survivors[3] = SurvivorState{2, {{1, 2}, {2, 1}}};
  const Plan p = plan_recovery(in);
  EXPECT_FALSE(p.ok);
  EXPECT_EQ(p.losses.size(), 2u);
  EXPECT_NE(p.report.find("cannot recover"), std::string::npos);
}

TEST(Planner, FailedHostDependingOnAnotherFailedHostsLostInterval) {
  PlanInput in = job3();
  in.failed = {1, 2};
  // Host 2 received in RSN 1 a message host 1 sent in its interval 2, but
  // host 1 can only replay to interval 1.
  in.logged[1] = logged({{1, 3, 0}});
  in.logged[2] = logged({{1, 1, 2}});
  in.survivors[3] = SurvivorState{0, {}};
  const Plan p = plan_recovery(in);
  EXPECT_FALSE(p.ok);
  ASSERT_EQ(p.losses.size(), 1u);
  EXPECT_EQ(p.losses[0].dependent_host, 2u);
  EXPECT_EQ(p.losses[0].needed, 2u);
}

TEST(Planner, DependenciesOutsideTheJobAreIgnored) {
  PlanInput in = job3();
  in.failed = {3};
  in.logged[3] = logged({{1, 99, 7}});
  in.survivors[1] = SurvivorState{1, {{50, 3}}};
  in.survivors[2] = SurvivorState{0, {}};
  const Plan p = plan_recovery(in);
  EXPECT_TRUE(p.ok) << p.report;
  EXPECT_EQ(p.replay_to.at(3), 1u);
}

}  // namespace
}  // namespace mlog::recoverd
