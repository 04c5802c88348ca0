// SPDX-License-Identifier: GPL-2.0
// Decoding and rendering of hosts, log entries, history runs, log settings
// and log events, from attribute streams laid out as the kernel sends them.
#include "sl_format.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "attr_builder.h"
#include "status_format.h"

namespace mlog {
namespace {

using test::AttrBuilder;
using test::v4_mapped;

AttrBuilder host_nest(uint32_t index, std::vector<std::pair<uint32_t, uint64_t>> deps) {
  AttrBuilder d;
  for (const auto& [host, interval] : deps) {
    AttrBuilder dep;
    dep.u32(MLOG_DEP_HOST, host).bytes(MLOG_DEP_PAD, {}).u64(MLOG_DEP_INTERVAL, interval);
    d.nest(MLOG_HOST_DEP, dep);
  }
  AttrBuilder h;
  h.u32(MLOG_HOST_INDEX, index)
      .u32(MLOG_HOST_INCARNATION, 2)
      .bytes(MLOG_HOST_PAD, {})
      .u64(MLOG_HOST_PIDNS, 4026532000 + index)
      .u64(MLOG_HOST_RSN, 10 * index)
      .u64(MLOG_HOST_SSN, 20 * index)
      .nest(MLOG_HOST_DEPS, d)
      .u32(MLOG_HOST_UNACKED, 1)
      .u32(MLOG_HOST_HISTORY, 4)
      .u32(MLOG_HOST_SOCKETS, 2)
      .u64(MLOG_HOST_TX_PLAIN, 30)
      .u64(MLOG_HOST_TX_PIGGYBACK, 8)
      .u64(MLOG_HOST_TX_DELAYED, 1)
      .u32(999, 5);  // a newer attribute: ignored
  return h;
}

AttrMap message(int attr, const AttrBuilder& nest) {
  AttrBuilder msg;
  msg.nest(static_cast<uint16_t>(attr), nest);
  return parse_attrs(msg.data());
}

AttrBuilder entry_nest(uint32_t state, uint64_t rsn, std::optional<std::vector<uint8_t>> data,
                       bool dgram = false) {
  AttrBuilder e;
  e.u32(MLOG_ENTRY_SRC_HOST, 1)
      .u32(MLOG_ENTRY_DST_HOST, state == MLOG_ENTRY_FULL ? 2 : 0)
      .bytes(MLOG_ENTRY_DST_NODE, v4_mapped(192, 0, 2, 12))
      .u16(MLOG_ENTRY_DST_PORT, 5000)
      .u16(MLOG_ENTRY_SRC_PORT, 4000)
      .u64(MLOG_ENTRY_SSN, 7)
      .u64(MLOG_ENTRY_HOST_SSN, 9)
      .u64(MLOG_ENTRY_INTERVAL, 3)
      .u64(MLOG_ENTRY_RSN, rsn)
      .u32(MLOG_ENTRY_STATE, state)
      .u32(MLOG_ENTRY_LEN, data ? static_cast<uint32_t>(data->size()) : 5)
      .u32(MLOG_ENTRY_EXTRA_RSNS, 0);
  if (dgram) e.bytes(MLOG_ENTRY_DGRAM, {});  // NLA_FLAG: no payload
  return e;
}

// One LOG_GET message as the kernel builds it: the entry's nest, then the
// message's bytes (if any) in MLOG_ATTR_DATA pieces of at most @chunk
// bytes, an empty message as one empty piece.
AttrList log_message(uint32_t state, uint64_t rsn, std::optional<std::vector<uint8_t>> data,
                     bool dgram = false, size_t chunk = MLOG_DATA_CHUNK) {
  AttrBuilder msg;
  msg.nest(MLOG_ATTR_LOG_ENTRY, entry_nest(state, rsn, data, dgram));
  if (data) {
    size_t off = 0;
    do {
      const size_t n = std::min(chunk, data->size() - off);
      msg.bytes(MLOG_ATTR_DATA, std::vector<uint8_t>(data->begin() + static_cast<long>(off),
                                                     data->begin() + static_cast<long>(off + n)));
      off += n;
    } while (off < data->size());
  }
  return parse_attr_list(msg.data());
}

AttrBuilder hist_nest(uint64_t rsn) {
  AttrBuilder r;
  r.u32(MLOG_HIST_HOST, 2)
      .u32(MLOG_HIST_SRC_HOST, 1)
      .bytes(MLOG_HIST_NODE, v4_mapped(192, 0, 2, 11))
      .u16(MLOG_HIST_PORT, 4000)
      .u16(MLOG_HIST_LPORT, 5000)
      .u64(MLOG_HIST_SSN, 1)
      .u64(MLOG_HIST_RSN, rsn)
      .u32(MLOG_HIST_COUNT, 3)
      .u64(MLOG_HIST_INTERVAL, 6);
  return r;
}

AttrBuilder log_nest() {
  AttrBuilder l;
  l.u64(MLOG_LOG_MAX_BYTES, 67108864)
      .u64(MLOG_LOG_BYTES, 49152)
      .u64(MLOG_LOG_ENTRIES, 12)
      .bytes(MLOG_LOG_PIGGYBACK, {1})
      .bytes(MLOG_LOG_RANGES, {0})
      .u32(MLOG_LOG_RSN_DELAY_US, 500)
      .u32(MLOG_LOG_BLOCK_SIZE, 4096);
  return l;
}

TEST(SlFormat, HostDecodesEveryField) {
  const HostInfo h = decode_host(host_nest(3, {{2, 5}, {1, 7}}).attr());
  EXPECT_EQ(h.index, 3u);
  EXPECT_EQ(h.incarnation, 2u);
  EXPECT_EQ(h.pidns, 4026532003u);
  EXPECT_EQ(h.rsn, 30u);
  EXPECT_EQ(h.ssn, 60u);
  EXPECT_EQ(h.deps, (std::map<uint32_t, uint64_t>{{1, 7}, {2, 5}}));
  EXPECT_EQ(h.unacked, 1u);
  EXPECT_EQ(h.history, 4u);
  EXPECT_EQ(h.sockets, 2u);
  EXPECT_EQ(h.tx_plain, 30u);
  EXPECT_EQ(h.tx_piggyback, 8u);
  EXPECT_EQ(h.tx_delayed, 1u);
}

TEST(SlFormat, HostsJson) {
  const auto hosts = decode_hosts(
      {message(MLOG_ATTR_HOST, host_nest(2, {})), message(MLOG_ATTR_HOST, host_nest(1, {{2, 5}}))});
  EXPECT_EQ(format_hosts_json(hosts),
            "[{\"index\":1,\"incarnation\":2,\"pidns\":4026532001,\"rsn\":10,\"ssn\":20,"
            "\"deps\":{\"2\":5},\"unacked\":1,\"history\":4,\"sockets\":2,\"tx_plain\":30,"
            "\"tx_piggyback\":8,\"tx_delayed\":1},"
            "{\"index\":2,\"incarnation\":2,\"pidns\":4026532002,\"rsn\":20,\"ssn\":40,"
            "\"deps\":{},\"unacked\":1,\"history\":4,\"sockets\":2,\"tx_plain\":30,"
            "\"tx_piggyback\":8,\"tx_delayed\":1}]\n");
  EXPECT_EQ(format_hosts_json({}), "[]\n");
  EXPECT_EQ(format_host_json(hosts[0]).front(), '{');
}

TEST(SlFormat, HostsText) {
  const auto hosts = decode_hosts({message(MLOG_ATTR_HOST, host_nest(1, {{2, 5}, {3, 9}}))});
  EXPECT_EQ(format_hosts_text(hosts),
            "INDEX  INCARNATION       PIDNS  RSN  SSN  UNACKED  HISTORY  SOCKETS  TX-PLAIN  "
            "TX-PIGGYBACK  TX-DELAYED  DEPS\n"
            "    1            2  4026532001   10   20        1        4        2        30  "
            "           8           1  2:5,3:9\n");
  EXPECT_EQ(format_deps({}), "-");
}

TEST(SlFormat, MalformedHost) {
  AttrBuilder no_index;
  no_index.u64(MLOG_HOST_RSN, 1);
  EXPECT_THROW(decode_host(no_index.attr()), MalformedMessage);
  AttrBuilder bad_dep, deps, h;
  bad_dep.u64(MLOG_DEP_INTERVAL, 1);
  deps.nest(MLOG_HOST_DEP, bad_dep);
  h.u32(MLOG_HOST_INDEX, 1).nest(MLOG_HOST_DEPS, deps);
  EXPECT_THROW(decode_host(h.attr()), MalformedMessage);
  EXPECT_THROW(reply_host({}, "host show"), MalformedMessage);
}

TEST(SlFormat, LogEntriesJsonKeepKernelOrder) {
  const auto entries =
      decode_log_entries({log_message(MLOG_ENTRY_FULL, 4, std::vector<uint8_t>{0x00, 0xab}),
                          log_message(MLOG_ENTRY_PARTIAL, 0, std::vector<uint8_t>{}), AttrList{}});
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(
      format_log_entries_json(entries, true),
      "[{\"src_host\":1,\"dst_host\":2,\"dst_node\":\"192.0.2.12\",\"dst_port\":5000,"
      "\"src_port\":4000,\"ssn\":7,\"host_ssn\":9,\"interval\":3,\"rsn\":4,\"state\":\"full\","
      "\"len\":2,\"extra_rsns\":0,\"dgram\":false,\"data\":\"00ab\"},"
      "{\"src_host\":1,\"dst_host\":0,\"dst_node\":\"192.0.2.12\",\"dst_port\":5000,"
      "\"src_port\":4000,\"ssn\":7,\"host_ssn\":9,\"interval\":3,\"rsn\":0,"
      "\"state\":\"partial\",\"len\":0,\"extra_rsns\":0,\"dgram\":false,\"data\":\"\"}]\n");
  // Without --data there is no "data" key.
  EXPECT_EQ(format_log_entries_json(entries, false).find("data"), std::string::npos);
}

TEST(SlFormat, LogEntriesText) {
  std::vector<uint8_t> big(40, 0x5a);
  const auto entries = decode_log_entries({log_message(MLOG_ENTRY_FULL, 4, big),
                                           log_message(MLOG_ENTRY_PARTIAL, 0, std::nullopt, true)});
  EXPECT_EQ(format_log_entries_text(entries, false),
            "SRC-HOST  DST-HOST  DST-NODE    DST-PORT  SRC-PORT  SSN  HOST-SSN  INTERVAL  RSN  "
            "STATE    LEN  EXTRA-RSNS  TYPE\n"
            "       1         2  192.0.2.12      5000      4000    7         9         3    4  "
            "full      40           0  rdm\n"
            "       1         -  192.0.2.12      5000      4000    7         9         3    -  "
            "partial    5           0  dgram\n");
  const std::string with = format_log_entries_text(entries, true);
  EXPECT_NE(with.find("  TYPE   DATA\n"), std::string::npos) << with;
  EXPECT_NE(
      with.find("rdm    5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a...\n"),
      std::string::npos)
      << with;
  EXPECT_NE(with.find("partial    5           0  dgram  -\n"), std::string::npos) << with;
}

TEST(SlFormat, DgramEntries) {
  // A datagram entry carries the MLOG_ENTRY_DGRAM flag; others lack it.
  const LogEntry d = decode_log_entry(entry_nest(MLOG_ENTRY_PARTIAL, 0, std::nullopt, true).attr());
  EXPECT_TRUE(d.dgram);
  EXPECT_FALSE(decode_log_entry(entry_nest(MLOG_ENTRY_FULL, 4, std::nullopt).attr()).dgram);
  const auto entries = decode_log_entries({log_message(MLOG_ENTRY_FULL, 4, std::nullopt, true)});
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(format_log_entries_json(entries, false),
            "[{\"src_host\":1,\"dst_host\":2,\"dst_node\":\"192.0.2.12\",\"dst_port\":5000,"
            "\"src_port\":4000,\"ssn\":7,\"host_ssn\":9,\"interval\":3,\"rsn\":4,"
            "\"state\":\"full\",\"len\":5,\"extra_rsns\":0,\"dgram\":true}]\n");
  EXPECT_NE(format_log_entries_json(entries, true).find("\"dgram\":true,\"data\":\"\"}"),
            std::string::npos);
  // A flag with a payload is malformed.
  AttrBuilder bad = entry_nest(MLOG_ENTRY_FULL, 4, std::nullopt);
  bad.u32(MLOG_ENTRY_DGRAM, 1);
  EXPECT_THROW(decode_log_entry(bad.attr()), MalformedMessage);
}

// A message of up to 64 KiB comes in MLOG_ATTR_DATA pieces after the
// nest; they are joined in the order they came, whatever their sizes.
TEST(SlFormat, LogEntryDataInPieces) {
  for (const size_t len : {size_t{1}, size_t{1376}, size_t{32767}, size_t{32768}, size_t{32769},
                           size_t{65450}, size_t{65535}, size_t{65536}}) {
    std::vector<uint8_t> bytes(len);
    for (size_t i = 0; i < len; ++i) bytes[i] = static_cast<uint8_t>(i * 7 + i / 251);
    const auto entries = decode_log_entries({log_message(MLOG_ENTRY_FULL, 4, bytes)});
    ASSERT_EQ(entries.size(), 1u) << len;
    EXPECT_EQ(entries[0].len, len);
    ASSERT_TRUE(entries[0].data) << len;
    EXPECT_EQ(*entries[0].data, bytes) << len;
    // smaller pieces than the kernel's join the same way
    const auto small = decode_log_entries({log_message(MLOG_ENTRY_FULL, 4, bytes, false, 1000)});
    EXPECT_EQ(*small.at(0).data, bytes) << len;
  }
  // an empty message: one empty piece, data present and empty
  const auto empty = decode_log_entries({log_message(MLOG_ENTRY_FULL, 4, std::vector<uint8_t>{})});
  ASSERT_TRUE(empty.at(0).data);
  EXPECT_TRUE(empty.at(0).data->empty());
  // no piece: the data was not asked for
  EXPECT_FALSE(decode_log_entries({log_message(MLOG_ENTRY_FULL, 4, std::nullopt)}).at(0).data);
  // the JSON of a 65536-byte message holds every byte
  std::vector<uint8_t> max(65536, 0x3c);
  max.back() = 0x7e;
  const std::string json =
      format_log_entries_json(decode_log_entries({log_message(MLOG_ENTRY_FULL, 4, max)}), true);
  std::string hex;
  for (size_t i = 0; i < 65535; ++i) hex += "3c";
  EXPECT_NE(json.find("\"len\":65536,"), std::string::npos);
  EXPECT_NE(json.find("\"data\":\"" + hex + "7e\"}]\n"), std::string::npos);
}

TEST(SlFormat, LogEntryDataMalformed) {
  // pieces that do not add up to the entry's length
  AttrList short_data = log_message(MLOG_ENTRY_FULL, 4, std::vector<uint8_t>(100, 1));
  short_data.back().second.data.pop_back();
  EXPECT_THROW(decode_log_entries({short_data}), MalformedMessage);
  AttrList extra = log_message(MLOG_ENTRY_FULL, 4, std::vector<uint8_t>(10, 1));
  extra.push_back({MLOG_ATTR_DATA, Attr{{1}}});
  EXPECT_THROW(decode_log_entries({extra}), MalformedMessage);
  // pieces without an entry
  AttrList orphan{{MLOG_ATTR_DATA, Attr{{1, 2}}}};
  EXPECT_THROW(decode_log_entries({orphan}), MalformedMessage);
  // MLOG_ENTRY_DATA is no reply attribute: inside the nest it is ignored
  AttrBuilder nest = entry_nest(MLOG_ENTRY_FULL, 4, std::nullopt);
  nest.bytes(MLOG_ENTRY_DATA, {1, 2, 3, 4, 5});
  EXPECT_FALSE(decode_log_entry(nest.attr()).data);
}

TEST(SlFormat, EntryStateNamesAndHex) {
  EXPECT_EQ(entry_state_name(MLOG_ENTRY_PARTIAL), "partial");
  EXPECT_EQ(entry_state_name(MLOG_ENTRY_FULL), "full");
  EXPECT_EQ(entry_state_name(7), "unknown(7)");
  EXPECT_EQ(hex_string(std::vector<uint8_t>{0x00, 0x0f, 0xf0, 0xff}), "000ff0ff");
  EXPECT_EQ(hex_string({}), "");
}

TEST(SlFormat, MalformedEntry) {
  AttrBuilder e;
  e.u32(MLOG_ENTRY_SRC_HOST, 1);  // no STATE
  EXPECT_THROW(decode_log_entry(e.attr()), MalformedMessage);
  AttrBuilder f;
  f.u32(MLOG_ENTRY_SRC_HOST, 1).u32(MLOG_ENTRY_STATE, 2).bytes(MLOG_ENTRY_DST_NODE, {1, 2, 3});
  EXPECT_THROW(decode_log_entry(f.attr()), MalformedMessage);
}

TEST(SlFormat, History) {
  const auto runs = decode_history(
      {message(MLOG_ATTR_HIST, hist_nest(11)), message(MLOG_ATTR_HIST, hist_nest(4))});
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].rsn, 11u);  // as the kernel sent them
  EXPECT_EQ(format_history_json({runs[1]}),
            "[{\"host\":2,\"src_host\":1,\"node\":\"192.0.2.11\",\"port\":4000,\"lport\":5000,"
            "\"ssn\":1,\"rsn\":4,\"count\":3,\"interval\":6}]\n");
  EXPECT_EQ(format_history_text({runs[1]}),
            "HOST  SRC-HOST  NODE        PORT  LPORT  SSN  RSN  COUNT  INTERVAL\n"
            "   2         1  192.0.2.11  4000   5000    1    4      3         6\n");
  EXPECT_EQ(format_history_json({}), "[]\n");
  AttrBuilder no_rsn;
  no_rsn.u32(MLOG_HIST_HOST, 2);
  EXPECT_THROW(decode_hist_run(no_rsn.attr()), MalformedMessage);
}

TEST(SlFormat, LogInfo) {
  const LogInfo l = decode_log_info(log_nest().attr());
  EXPECT_EQ(format_log_info_json(l),
            "{\"max_bytes\":67108864,\"bytes\":49152,\"entries\":12,\"block_size\":4096,"
            "\"piggyback\":true,\"ranges\":false,\"rsn_delay_us\":500}\n");
  EXPECT_EQ(format_log_info_text(l),
            "max_bytes     67108864\n"
            "bytes            49152\n"
            "entries             12\n"
            "block_size        4096\n"
            "piggyback           on\n"
            "ranges             off\n"
            "rsn_delay_us       500\n");
  EXPECT_EQ(
      format_log_info_line(l),
      "log: 12 entries, 49152 of 67108864 bytes, piggyback on, ranges off, rsn delay 500us\n");
  EXPECT_EQ(format_log_info_json(LogInfo{}), "{}\n");
  AttrBuilder bad;
  bad.u32(MLOG_LOG_PIGGYBACK, 1);  // a u8 sent as u32
  EXPECT_THROW(decode_log_info(bad.attr()), MalformedMessage);
  EXPECT_THROW(reply_log({}, "node"), MalformedMessage);
}

TEST(SlFormat, Purged) {
  AttrBuilder l;
  l.u64(MLOG_LOG_ENTRIES, 12);
  EXPECT_EQ(reply_purged(message(MLOG_ATTR_LOG, l)), 12u);
  EXPECT_EQ(format_purged_text(12), "purged 12 log entries\n");
  EXPECT_EQ(format_purged_text(1), "purged 1 log entry\n");
  EXPECT_EQ(format_purged_json(0), "{\"purged\":0}\n");
  EXPECT_THROW(reply_purged(message(MLOG_ATTR_LOG, AttrBuilder())), MalformedMessage);
}

TEST(SlFormat, LogEvent) {
  AttrBuilder l;
  l.u64(MLOG_LOG_BYTES, 60000).u64(MLOG_LOG_MAX_BYTES, 65536).bytes(MLOG_LOG_PRESSURE, {1});
  Notification n;
  n.cmd = MLOG_CMD_EVENT_LOG;
  n.attrs = message(MLOG_ATTR_LOG, l);
  const auto ev = decode_log_event(n);
  ASSERT_TRUE(ev);
  EXPECT_EQ(format_log_event_text(*ev), "log pressure on: 60000 of 65536 bytes\n");
  EXPECT_EQ(format_log_event_json(*ev),
            "{\"event\":\"log\",\"bytes\":60000,\"max_bytes\":65536,\"pressure\":true}\n");
  n.cmd = MLOG_CMD_EVENT_PEER;
  EXPECT_FALSE(decode_log_event(n));
  n.cmd = MLOG_CMD_EVENT_LOG;
  n.attrs.clear();
  EXPECT_THROW(decode_log_event(n), MalformedMessage);
}

TEST(SlFormat, StatusShowsLogAndNewCounters) {
  AttrBuilder stats;
  stats.u64(MLOG_STAT_TX_FRAMES, 5)
      .u64(MLOG_STAT_SL_TX_PLAIN, 3)
      .u64(MLOG_STAT_SL_HOLD_VIOLATION, 0);
  AttrBuilder reply;
  reply.u32(MLOG_ATTR_LOG_MODE, MLOG_LOG_SENDER)
      .nest(MLOG_ATTR_LOG, log_nest())
      .nest(MLOG_ATTR_STATS, stats);
  const AttrMap m = parse_attrs(reply.data());
  const std::string json = format_status_json(m);
  EXPECT_NE(json.find("\"log_mode\":\"sender\"},\"log\":{\"max_bytes\":67108864,"),
            std::string::npos)
      << json;
  EXPECT_NE(json.find("\"sl_tx_plain\":3,\"sl_hold_violation\":0}}\n"), std::string::npos) << json;
  const std::string text = format_status_text(m);
  EXPECT_NE(text.find("log mode sender\nlog: 12 entries,"), std::string::npos) << text;
  EXPECT_NE(text.find("  sl_hold_violation  0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  tx_frames          5\n"), std::string::npos) << text;
}

TEST(SlFormat, EveryCounterHasAName) {
  for (int s = MLOG_STAT_SOCKETS; s <= MLOG_STAT_MAX; ++s) EXPECT_TRUE(stat_name(s)) << s;
  EXPECT_STREQ(stat_name(MLOG_STAT_SL_TX_PIGGYBACK), "sl_tx_piggyback");
  EXPECT_STREQ(stat_name(MLOG_STAT_SL_RSNACK_RECEIVED), "sl_rsnack_received");
}

}  // namespace
}  // namespace mlog
