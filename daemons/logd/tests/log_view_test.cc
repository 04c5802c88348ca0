// SPDX-License-Identifier: GPL-2.0
#include "log_view.h"

#include <gtest/gtest.h>

namespace mlog::logd {
namespace {

LoggedMessage entry(std::uint32_t dst, std::uint64_t rsn, std::uint32_t state,
                    std::string data = "x") {
  LoggedMessage m;
  m.entry.dst_host = dst;
  m.entry.src_host = 9;
  m.entry.rsn = rsn;
  m.entry.state = state;
  m.entry.interval = rsn + 100;
  m.entry.len = static_cast<std::uint32_t>(data.size());
  m.entry.src_hostaddr = true;
  m.data.assign(data.begin(), data.end());
  return m;
}

const std::vector<LoggedMessage> kDump = {
    entry(1, 3, MLOG_ENTRY_FULL), entry(1, 1, MLOG_ENTRY_FULL, "first"),
    entry(2, 2, MLOG_ENTRY_FULL), entry(1, 0, MLOG_ENTRY_PARTIAL),
    entry(1, 2, MLOG_ENTRY_FULL, "second")};

TEST(LogView, IndexHasFullEntriesOfTheHostInRsnOrder) {
  const auto idx = make_index(1, 2, kDump);
  EXPECT_TRUE(idx.ok());
  ASSERT_EQ(idx.entries_size(), 2);
  EXPECT_EQ(idx.entries(0).rsn(), 2u);
  EXPECT_EQ(idx.entries(0).size(), 6u);
  EXPECT_EQ(idx.entries(0).interval(), 102u);
  EXPECT_EQ(idx.entries(1).rsn(), 3u);
  EXPECT_EQ(idx.entries(1).src_host(), 9u);
}

TEST(LogView, RangeCarriesTheBytes) {
  const auto msgs = select_range(1, 1, 2, kDump);
  ASSERT_EQ(msgs.size(), 2u);
  EXPECT_EQ(msgs[0].rsn(), 1u);
  EXPECT_EQ(msgs[0].data(), "first");
  EXPECT_EQ(msgs[1].data(), "second");
  EXPECT_TRUE(msgs[1].src_hostaddr());
  EXPECT_TRUE(select_range(3, 1, 9, kDump).empty());
}

}  // namespace
}  // namespace mlog::logd
