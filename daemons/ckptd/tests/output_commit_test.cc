// SPDX-License-Identifier: GPL-2.0
#include "output_commit.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

namespace mlog::ckptd {
namespace {

TEST(OutputCommit, ReleasesOnlyCommittedIntervalsInOrder) {
  OutputCommit c;
  c.add_output(StreamId::out, "a", 0);
  c.add_output(StreamId::err, "bb", 2);
  c.add_output(StreamId::out, "ccc", 3);
  c.add_exit(0, false, 3);
  // RSN 2 is not acknowledged yet: only interval 0 and 1 output may go.
  auto r = c.release(2);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].data, "a");
  EXPECT_EQ(r[0].offset, 0u);
  // Interval 3 output waits behind interval 2's even when... RSN 3 pending.
  r = c.release(3);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].stream, StreamId::err);
  EXPECT_EQ(r[0].offset, 0u);
  r = c.release(std::nullopt);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].offset, 1u);  // stdout continues after "a"
  EXPECT_TRUE(r[1].is_exit);
  EXPECT_TRUE(c.empty());
  EXPECT_EQ(c.bytes(StreamId::out), 4u);
  EXPECT_EQ(c.bytes(StreamId::err), 2u);
}

TEST(OutputCommit, NothingLeavesWhileAnEarlierRsnIsPending) {
  OutputCommit c;
  c.add_output(StreamId::out, "x", 5);
  EXPECT_TRUE(c.release(1).empty());
  EXPECT_TRUE(c.release(5).empty());
  EXPECT_EQ(c.release(6).size(), 1u);
}

TEST(OutputCommit, EmptyChunksAreNotQueued) {
  OutputCommit c;
  c.add_output(StreamId::out, "", 0);
  EXPECT_TRUE(c.empty());
}

TEST(OutputCommit, WaitStatus) {
  EXPECT_EQ(decode_wait_status(3 << 8).status, 3);
  const auto sig = decode_wait_status(9);
  EXPECT_EQ(sig.status, 137);
  EXPECT_TRUE(sig.signaled);
}

}  // namespace
}  // namespace mlog::ckptd
