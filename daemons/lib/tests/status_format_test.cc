// SPDX-License-Identifier: GPL-2.0
#include "status_format.h"

#include <gtest/gtest.h>

#include <cstring>

namespace mlog {
namespace {

Attr u32_attr(uint32_t v) {
  Attr a;
  a.data.resize(4);
  std::memcpy(a.data.data(), &v, 4);
  return a;
}

Attr u64_attr(uint64_t v) {
  Attr a;
  a.data.resize(8);
  std::memcpy(a.data.data(), &v, 8);
  return a;
}

// Builds a nested attribute payload the way the kernel lays it out.
Attr nest(const std::vector<std::pair<uint16_t, uint64_t>>& stats) {
  Attr a;
  for (const auto& [type, value] : stats) {
    const uint16_t len = 4 + 8;
    a.data.push_back(static_cast<uint8_t>(len & 0xff));
    a.data.push_back(static_cast<uint8_t>(len >> 8));
    a.data.push_back(static_cast<uint8_t>(type & 0xff));
    a.data.push_back(static_cast<uint8_t>(type >> 8));
    const auto v = u64_attr(value);
    a.data.insert(a.data.end(), v.data.begin(), v.data.end());
  }
  return a;
}

AttrMap sample() {
  AttrMap m;
  m[MLOG_ATTR_VERSION].data = {'0', '.', '1', '\0'};
  m[MLOG_ATTR_FAMILY] = u32_attr(19);
  m[MLOG_ATTR_WIRE_VERSION] = u32_attr(1);
  m[MLOG_ATTR_NODE_ID] = u32_attr(2);
  m[MLOG_ATTR_UDP_PORT].data = {0x2f, 0x1d};  // 7471, host order on x86
  m[MLOG_ATTR_NODE_ADDR].data = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 12};
  m[MLOG_ATTR_STATS] = nest({{MLOG_STAT_TX_FRAMES, 5}, {MLOG_STAT_RX_BAD, 1}, {999, 7}});
  return m;
}

TEST(StatusFormat, Json) {
  EXPECT_EQ(format_status_json(sample()),
            "{\"version\":\"0.1\",\"family\":19,\"wire_version\":1,"
            "\"node\":{\"id\":2,\"address\":\"192.0.2.12\",\"udp_port\":7471},"
            "\"stats\":{\"tx_frames\":5,\"rx_bad\":1}}\n");
}

TEST(StatusFormat, TextNamesEveryKnownCounter) {
  const std::string text = format_status_text(sample());
  EXPECT_NE(text.find("AF_MLOG is address family 19"), std::string::npos);
  EXPECT_NE(text.find("address 192.0.2.12, udp port 7471"), std::string::npos);
  EXPECT_NE(text.find("tx_frames"), std::string::npos);
  EXPECT_NE(text.find("rx_bad"), std::string::npos);
  // Counters this mlogctl does not know are skipped, not printed as junk.
  EXPECT_EQ(text.find("999"), std::string::npos);
}

TEST(StatusFormat, JsonEscapesStrings) {
  auto m = sample();
  m[MLOG_ATTR_VERSION].data = {'a', '"', '\\', '\n'};
  EXPECT_NE(format_status_json(m).find("\"version\":\"a\\\"\\\\\\u000a\""), std::string::npos);
}

TEST(StatusFormat, MalformedAttributeIsAnError) {
  auto m = sample();
  m[MLOG_ATTR_FAMILY].data = {1, 2};
  EXPECT_THROW(format_status_json(m), std::runtime_error);
}

TEST(StatusFormat, EveryStatHasAName) {
  for (int s = MLOG_STAT_SOCKETS; s <= MLOG_STAT_MAX; ++s) EXPECT_NE(stat_name(s), nullptr) << s;
  EXPECT_EQ(stat_name(MLOG_STAT_PAD), nullptr);
}

}  // namespace
}  // namespace mlog
