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

TEST(StatusFormat, LogModeShownOnlyWhenPresent) {
  auto m = sample();
  EXPECT_EQ(format_status_text(m).find("log mode"), std::string::npos);
  m[MLOG_ATTR_LOG_MODE] = u32_attr(MLOG_LOG_NONE);
  EXPECT_NE(format_status_text(m).find("udp port 7471, log mode none\n"), std::string::npos);
  EXPECT_NE(format_status_json(m).find("\"udp_port\":7471,\"log_mode\":\"none\"}"),
            std::string::npos);
  m[MLOG_ATTR_LOG_MODE] = u32_attr(7);
  EXPECT_NE(format_status_json(m).find("\"log_mode\":\"unknown(7)\""), std::string::npos);
}

TEST(StatusFormat, MalformedLogModeNamesTheAttribute) {
  auto m = sample();
  m[MLOG_ATTR_LOG_MODE].data = {0};
  try {
    format_status_text(m);
    FAIL() << "no exception";
  } catch (const MalformedMessage& e) {
    EXPECT_STREQ(e.what(), "malformed attribute MLOG_ATTR_LOG_MODE: 1 bytes, expected 4");
  }
}

TEST(StatusFormat, NodeGetReplyWithoutStatusFields) {
  // NODE_GET carries only the node's attributes.
  AttrMap m;
  m[MLOG_ATTR_NODE_ID] = u32_attr(3);
  m[MLOG_ATTR_UDP_PORT].data = {0x2f, 0x1d};
  m[MLOG_ATTR_NODE_ADDR].data = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 3};
  m[MLOG_ATTR_LOG_MODE] = u32_attr(MLOG_LOG_NONE);
  EXPECT_EQ(format_status_text(m), "node 3: address 10.0.0.3, udp port 7471, log mode none\n");
  EXPECT_EQ(format_status_json(m),
            "{\"version\":\"\",\"family\":0,\"wire_version\":0,"
            "\"node\":{\"id\":3,\"address\":\"10.0.0.3\",\"udp_port\":7471,\"log_mode\":\"none\"},"
            "\"stats\":{}}\n");
}

AttrMap stats_reply() {
  AttrMap m;
  m[MLOG_ATTR_STATS] = nest({{MLOG_STAT_SOCKETS, 2},
                             {MLOG_STAT_PAD, 0},
                             {MLOG_STAT_TX_FRAMES, 123456},
                             {MLOG_STAT_RX_OUT_OF_ORDER, 7},
                             {MLOG_STAT_NO_MEMORY, 0},
                             {MLOG_STAT_MAX + 1, 5},
                             {999, 9}});
  return m;
}

TEST(StatsFormat, TextAlignsNamesAndValues) {
  EXPECT_EQ(format_stats_text(stats_reply()),
            "sockets               2\n"
            "tx_frames        123456\n"
            "rx_out_of_order       7\n"
            "no_memory             0\n");
}

TEST(StatsFormat, JsonHasKnownCountersOnly) {
  EXPECT_EQ(format_stats_json(stats_reply()),
            "{\"sockets\":2,\"tx_frames\":123456,\"rx_out_of_order\":7,\"no_memory\":0}\n");
}

TEST(StatsFormat, EveryCounterInEnumOrder) {
  std::vector<std::pair<uint16_t, uint64_t>> all;
  for (int s = MLOG_STAT_MAX; s >= MLOG_STAT_SOCKETS; --s)
    all.emplace_back(static_cast<uint16_t>(s), static_cast<uint64_t>(s));
  AttrMap m;
  m[MLOG_ATTR_STATS] = nest(all);
  const std::string json = format_stats_json(m);
  EXPECT_EQ(json.find("{\"sockets\":2,\"tx_frames\":3,"), 0u) << json;
  const std::string last =
      std::string(",\"") + stat_name(MLOG_STAT_MAX) + "\":" + std::to_string(MLOG_STAT_MAX) + "}\n";
  EXPECT_EQ(json.substr(json.size() - last.size()), last) << json;
  EXPECT_NE(json.find(",\"peer_suspected\":16,\"no_memory\":17,"), std::string::npos) << json;
}

TEST(StatsFormat, WrongSizedCounterIsAnError) {
  AttrMap m;
  m[MLOG_ATTR_STATS] = nest({{MLOG_STAT_SOCKETS, 2}});
  m[MLOG_ATTR_STATS].data[0] = 8;  // nla_len 8: a 4-byte counter...
  m[MLOG_ATTR_STATS].data.resize(8);
  try {
    format_stats_text(m);
    FAIL() << "no exception";
  } catch (const MalformedMessage& e) {
    EXPECT_STREQ(e.what(), "malformed attribute MLOG_ATTR_STATS/sockets: 4 bytes, expected 8");
  }
}

TEST(StatsFormat, UnknownCounterOfAnySizeIsIgnored) {
  AttrMap m = stats_reply();
  m[MLOG_ATTR_STATS].data.insert(m[MLOG_ATTR_STATS].data.end(), {6, 0, 77, 0, 1, 2, 0, 0});
  EXPECT_NE(format_stats_json(m).find("\"sockets\":2"), std::string::npos);
}

TEST(StatsFormat, ReplyWithoutStatsIsAnError) {
  EXPECT_THROW(format_stats_text(AttrMap{}), MalformedMessage);
  EXPECT_THROW(format_stats_json(AttrMap{}), MalformedMessage);
}

TEST(JsonQuote, EscapesQuotesBackslashesAndControls) {
  EXPECT_EQ(json_quote("plain"), "\"plain\"");
  EXPECT_EQ(json_quote(std::string("a\"b\\c\x01\x1f", 7)), "\"a\\\"b\\\\c\\u0001\\u001f\"");
  EXPECT_EQ(json_quote("caf\xc3\xa9"), "\"caf\xc3\xa9\"");  // UTF-8 passes through
}

}  // namespace
}  // namespace mlog
