// SPDX-License-Identifier: GPL-2.0
#include "cluster_state.h"

#include <gtest/gtest.h>

#include "fixtures.h"

namespace mlog::recoverd {
namespace {

using namespace test;

ClusterState three_nodes_one_job() {
  ClusterState s;
  for (std::uint64_t i = 1; i <= 3; ++i)
    s.apply(member_joined(member(i, static_cast<std::uint32_t>(i), i == 3)));
  s.apply(submitted(1, 1, {1, 2, 1, 2}));
  return s;
}

TEST(ClusterState, MembersJobsAndIds) {
  const ClusterState s = three_nodes_one_job();
  EXPECT_EQ(s.live_members().size(), 3u);
  EXPECT_EQ(s.next_member_id(), 4u);
  EXPECT_EQ(s.next_job_id(), 2u);
  EXPECT_EQ(s.next_host(), 5u);
  EXPECT_EQ(s.hosts_on(1), 2u);
  EXPECT_EQ(s.hosts_on(3), 0u);
  EXPECT_EQ(s.job(1)->ranks[3].host, 4u);
  EXPECT_EQ(s.live_member_on_node(2)->id, 2u);
  EXPECT_TRUE(s.ranks_needing_recovery().empty());
}

TEST(ClusterState, JoinsAreJudgedByMemberAndToken) {
  ClusterState s;
  Member m = member(1, 2);
  m.join_token = 77;
  s.apply(member_joined(m));
  const NodeAddr node2 = m.node;
  const NodeAddr node3 = member(9, 3).node;

  // The join whose answer was late, again: the member it already got.
  JoinVerdict v = s.judge_join(node2, 0, 77);
  EXPECT_EQ(v.kind, JoinVerdict::repeated);
  EXPECT_EQ(v.member, 1u);
  // Another ckptd on that node (another token, or none): a new member
  // that replaces the live one.
  v = s.judge_join(node2, 0, 78);
  EXPECT_EQ(v.kind, JoinVerdict::new_member);
  EXPECT_EQ(v.member, 1u);
  EXPECT_EQ(s.judge_join(node2, 0, 0).kind, JoinVerdict::new_member);
  // A new node: a new member that replaces nobody.
  v = s.judge_join(node3, 0, 77);
  EXPECT_EQ(v.kind, JoinVerdict::new_member);
  EXPECT_EQ(v.member, 0u);
  // A live member joining again, from its own node only.
  v = s.judge_join(node2, 1, 0);
  EXPECT_EQ(v.kind, JoinVerdict::rejoined);
  EXPECT_EQ(s.judge_join(node3, 1, 0).kind, JoinVerdict::declared_failed);

  // Once declared failed, its id and its token are refused.
  s.apply(member_failed(1, 5000));
  EXPECT_EQ(s.judge_join(node2, 1, 77).kind, JoinVerdict::declared_failed);
  v = s.judge_join(node2, 0, 77);
  EXPECT_EQ(v.kind, JoinVerdict::new_member);
  EXPECT_EQ(v.member, 0u);
}

TEST(ClusterState, JoinTokenSurvivesTheRecordFile) {
  Member m = member(1, 2);
  m.join_token = 0x123456789abcdefULL;
  ClusterState s;
  s.apply(member_joined(m));
  EXPECT_EQ(s.member(1)->join_token, m.join_token);
}

TEST(ClusterState, HostIndicesAreNeverReused) {
  ClusterState s = three_nodes_one_job();
  s.apply(job_finished(1, 0, false, "done"));
  EXPECT_THROW(s.apply(submitted(2, 3, {1})), std::invalid_argument);
  s.apply(submitted(2, 5, {1}));
  EXPECT_EQ(s.next_host(), 6u);
}

TEST(ClusterState, FailureMarksRanksForRecovery) {
  ClusterState s = three_nodes_one_job();
  s.apply(member_failed(2, 2100));
  const auto need = s.ranks_needing_recovery();
  ASSERT_EQ(need.size(), 1u);
  EXPECT_EQ(need.at(1), (std::vector<std::uint32_t>{1, 3}));
  s.apply(begun(1, {{1, 3, 1}, {3, 3, 1}}));
  EXPECT_EQ(s.job(1)->ranks[1].state, RankState::recovering);
  EXPECT_EQ(s.hosts_on(3), 2u);
  // Still in progress until each rank is live.
  EXPECT_EQ(s.ranks_needing_recovery().at(1).size(), 2u);
  s.apply(rank_live(1, 1, 12));
  EXPECT_EQ(s.ranks_needing_recovery().at(1), (std::vector<std::uint32_t>{3}));
  EXPECT_EQ(s.job(1)->ranks[1].replayed, 12u);
}

TEST(ClusterState, IncarnationMustGoUp) {
  ClusterState s = three_nodes_one_job();
  s.apply(begun(1, {{0, 3, 1}}));
  EXPECT_THROW(s.apply(begun(1, {{0, 3, 1}})), std::invalid_argument);
  s.apply(begun(1, {{0, 2, 2}}));
  EXPECT_EQ(s.job(1)->ranks[0].incarnation, 2u);
}

TEST(ClusterState, ExitsAndFirstFailure) {
  ClusterState s = three_nodes_one_job();
  s.apply(rank_exit(1, 0, 0));
  s.apply(rank_exit(1, 2, 3));
  s.apply(rank_exit(1, 1, 4));
  EXPECT_FALSE(ClusterState::all_exited(*s.job(1)));
  s.apply(rank_exit(1, 3, 0));
  EXPECT_TRUE(ClusterState::all_exited(*s.job(1)));
  EXPECT_EQ(s.job(1)->first_failure, 3);
  // Exited ranks of a failed node need no recovery.
  s.apply(member_failed(1, 0));
  EXPECT_TRUE(s.ranks_needing_recovery().empty());
}

TEST(ClusterState, RefusesWhatDoesNotFit) {
  ClusterState s = three_nodes_one_job();
  EXPECT_THROW(s.apply(member_joined(member(2, 9))), std::invalid_argument);
  EXPECT_THROW(s.apply(member_failed(42, 0)), std::invalid_argument);
  EXPECT_THROW(s.apply(rank_exit(9, 0, 0)), std::invalid_argument);
  EXPECT_THROW(s.apply(rank_exit(1, 4, 0)), std::invalid_argument);
  EXPECT_THROW(s.apply(submitted(3, 10, {77})), std::invalid_argument);
  EXPECT_THROW(s.apply(pb::StateChange{}), std::invalid_argument);
}

}  // namespace
}  // namespace mlog::recoverd
