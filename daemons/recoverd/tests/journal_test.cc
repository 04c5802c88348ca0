// SPDX-License-Identifier: GPL-2.0
// A restarted recoverd rebuilds its state from the record file, including
// a recovery in progress, and survives a torn tail.
#include "journal.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "fixtures.h"

namespace mlog::recoverd {
namespace {

using namespace test;
namespace fs = std::filesystem;

class JournalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = fs::temp_directory_path() /
          ("mlog-recoverd-test-" + std::to_string(::getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir);
    fs::create_directories(dir);
    path = (dir / "recoverd.records").string();
  }
  void TearDown() override { fs::remove_all(dir); }
  fs::path dir;
  std::string path;
};

TEST_F(JournalTest, RestartRebuildsARecoveryInProgress) {
  {
    ClusterState s;
    Journal j(path, s);
    j.record(member_joined(member(1, 1)));
    j.record(member_joined(member(2, 2)));
    j.record(member_joined(member(3, 3, true)));
    j.record(submitted(1, 1, {1, 2}));
    j.record(rank_exit(1, 0, 0));
    j.record(member_failed(2, 2300));
    j.record(begun(1, {{1, 3, 1}}));
  }
  ClusterState s;
  Journal j(path, s);
  EXPECT_TRUE(j.report().clean());
  EXPECT_EQ(j.report().records, 7u);
  EXPECT_TRUE(s.member(2)->failed);
  EXPECT_TRUE(s.member(3)->spare);
  const Job& job = *s.job(1);
  EXPECT_EQ(job.ranks[0].state, RankState::exited);
  EXPECT_EQ(job.ranks[1].state, RankState::recovering);
  EXPECT_EQ(job.ranks[1].member, 3u);
  EXPECT_EQ(job.ranks[1].incarnation, 1u);
  EXPECT_EQ(job.failed_at_ms, 1000u);
  // The restarted recoverd finds what it has to finish.
  EXPECT_EQ(s.ranks_needing_recovery().at(1), (std::vector<std::uint32_t>{1}));
  EXPECT_EQ(s.next_host(), 3u);
  EXPECT_EQ(s.next_member_id(), 4u);
  // And goes on recording after the replayed records.
  j.record(rank_live(1, 1, 5));
  ClusterState again;
  Journal j2(path, again);
  EXPECT_EQ(again.job(1)->ranks[1].state, RankState::running);
  EXPECT_TRUE(again.ranks_needing_recovery().empty());
}

TEST_F(JournalTest, ChangeThatDoesNotFitIsNotWritten) {
  ClusterState s;
  Journal j(path, s);
  j.record(member_joined(member(1, 1)));
  const auto size = j.size();
  EXPECT_THROW(j.record(member_failed(9, 0)), std::invalid_argument);
  EXPECT_EQ(j.size(), size);
  EXPECT_EQ(fs::file_size(path), size);
}

TEST_F(JournalTest, TornTailIsCutAndTheRestKept) {
  {
    ClusterState s;
    Journal j(path, s);
    j.record(member_joined(member(1, 1)));
    j.record(member_joined(member(2, 2)));
  }
  fs::resize_file(path, fs::file_size(path) - 3);
  ClusterState s;
  Journal j(path, s);
  EXPECT_FALSE(j.report().clean());
  EXPECT_EQ(j.report().records, 1u);
  EXPECT_EQ(s.members().size(), 1u);
  j.record(member_joined(member(2, 2)));
  EXPECT_EQ(s.members().size(), 2u);
}

TEST_F(JournalTest, EngineRecordsAreRefused) {
  {
    crs::DurableEngine engine(path);
    engine.add_hosts(2);
  }
  ClusterState s;
  Journal j(path, s);
  EXPECT_FALSE(j.report().clean());
  EXPECT_EQ(j.report().records, 0u);
}

}  // namespace
}  // namespace mlog::recoverd
