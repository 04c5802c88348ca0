// SPDX-License-Identifier: GPL-2.0
// The recovery commands without a kernel: routes, logged messages with
// their MLOG_ATTR_DATA pieces, replay requests, mlogctl's route parsing.
#include "recovery_nl.h"

#include <gtest/gtest.h>
#include <linux/netlink.h>

#include "attr_builder.h"

namespace mlog {
namespace {

using test::AttrBuilder;

AttrMap route_msg(uint32_t host, uint32_t inc, uint32_t state, bool local) {
  AttrBuilder r;
  r.u32(MLOG_ROUTE_HOST, host)
      .bytes(MLOG_ROUTE_NODE, test::v4_mapped(192, 0, 2, 12))
      .u32(MLOG_ROUTE_INCARNATION, inc)
      .u32(MLOG_ROUTE_STATE, state)
      .u64(MLOG_ROUTE_REPLAYED, 7);
  if (local) r.bytes(MLOG_ROUTE_LOCAL, {});
  return parse_attrs(AttrBuilder().nest(MLOG_ATTR_ROUTE, r).data());
}

TEST(Routes, DecodeSortsByHostAndFormats) {
  const auto routes = decode_routes({route_msg(5, 2, MLOG_ROUTE_RECOVERING, false),
                                     route_msg(3, 1, MLOG_ROUTE_LIVE, true), AttrMap{}});
  ASSERT_EQ(routes.size(), 2u);
  EXPECT_EQ(routes[0].host, 3u);
  EXPECT_TRUE(routes[0].local);
  EXPECT_EQ(routes[1].incarnation, 2u);
  EXPECT_EQ(routes[1].replayed, 7u);
  const std::string text = format_routes_text(routes);
  EXPECT_NE(text.find("HOST"), std::string::npos);
  EXPECT_NE(text.find("recovering"), std::string::npos);
  EXPECT_NE(text.find("192.0.2.12"), std::string::npos);
  const std::string json = format_routes_json(routes);
  EXPECT_NE(json.find("\"state\":\"live\""), std::string::npos);
  EXPECT_NE(json.find("\"local\":true"), std::string::npos);
}

TEST(Routes, RouteWithoutHostIsMalformed) {
  const auto msg = parse_attrs(
      AttrBuilder().nest(MLOG_ATTR_ROUTE, AttrBuilder().u32(MLOG_ROUTE_STATE, 1)).data());
  EXPECT_THROW(decode_routes({msg}), MalformedMessage);
}

TEST(Routes, ParseSet) {
  const auto req = parse_route_set({"--host", "4", "--node", "192.0.2.13", "--incarnation", "2",
                                    "--state", "recovering", "--replayed", "9"});
  EXPECT_EQ(req.cmd(), MLOG_CMD_ROUTE_SET);
  ASSERT_EQ(req.items().size(), 1u);
  EXPECT_EQ(req.items()[0].type & NLA_TYPE_MASK, MLOG_ATTR_ROUTE);
  const AttrMap nest = parse_attrs(req.items()[0].data);
  EXPECT_EQ(nest.at(MLOG_ROUTE_HOST).u32(), 4u);
  EXPECT_EQ(nest.at(MLOG_ROUTE_INCARNATION).u32(), 2u);
  EXPECT_EQ(nest.at(MLOG_ROUTE_STATE).u32(), static_cast<uint32_t>(MLOG_ROUTE_RECOVERING));
  EXPECT_EQ(nest.at(MLOG_ROUTE_REPLAYED).u64(), 9u);
  EXPECT_EQ(nest.at(MLOG_ROUTE_NODE).data.size(), 16u);
}

TEST(Routes, ParseRefusals) {
  using A = std::vector<std::string_view>;
  for (const A& args :
       {A{}, A{"--host", "1"}, A{"--node", "192.0.2.1"}, A{"--host", "0", "--node", "192.0.2.1"},
        A{"--host", "1", "--node", "nowhere"}, A{"--host", "1", "--node", "192.0.2.1", "--state"},
        A{"--host", "1", "--node", "192.0.2.1", "--state", "dead"},
        A{"--host", "1", "--host", "2", "--node", "192.0.2.1"},
        A{"--host", "1", "--node", "192.0.2.1", "--incarnation", "-1"},
        A{"--host", "1", "--node", "192.0.2.1", "--bogus", "1"}})
    EXPECT_THROW(parse_route_set(args), UsageError);
  EXPECT_THROW(parse_route_del({}), UsageError);
  EXPECT_THROW(parse_route_del({"--host", "x"}), UsageError);
  EXPECT_EQ(parse_route_del({"--host", "3"}).cmd(), MLOG_CMD_ROUTE_DEL);
}

AttrBuilder entry(uint64_t rsn, uint32_t len) {
  AttrBuilder e;
  e.u32(MLOG_ENTRY_SRC_HOST, 2)
      .u32(MLOG_ENTRY_DST_HOST, 1)
      .u16(MLOG_ENTRY_DST_PORT, 100)
      .u16(MLOG_ENTRY_SRC_PORT, 200)
      .u64(MLOG_ENTRY_SSN, rsn + 10)
      .u64(MLOG_ENTRY_INTERVAL, 3)
      .u64(MLOG_ENTRY_RSN, rsn)
      .u32(MLOG_ENTRY_STATE, MLOG_ENTRY_FULL)
      .u32(MLOG_ENTRY_LEN, len)
      .u32(MLOG_ENTRY_SRC_EPOCH, 77)
      .bytes(MLOG_ENTRY_SRC_HOSTADDR, {})
      .bytes(MLOG_ENTRY_DST_HOSTADDR, {});
  return e;
}

TEST(LoggedMessages, DataPiecesAreJoinedInOrder) {
  std::vector<uint8_t> a(MLOG_DATA_CHUNK, 0xaa), b(5, 0xbb);
  AttrBuilder m;
  m.nest(MLOG_ATTR_LOG_ENTRY, entry(1, MLOG_DATA_CHUNK + 5))
      .bytes(MLOG_ATTR_DATA, a)
      .bytes(MLOG_ATTR_DATA, b);
  const auto msgs = decode_logged_messages({parse_attr_list(m.data())});
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].data.size(), MLOG_DATA_CHUNK + 5u);
  EXPECT_EQ(msgs[0].data.front(), 0xaa);
  EXPECT_EQ(msgs[0].data.back(), 0xbb);
  EXPECT_EQ(msgs[0].entry.src_epoch, 77u);
  EXPECT_TRUE(msgs[0].entry.src_hostaddr);
  EXPECT_TRUE(msgs[0].entry.dst_hostaddr);
}

TEST(LoggedMessages, WrongTotalIsMalformed) {
  AttrBuilder m;
  m.nest(MLOG_ATTR_LOG_ENTRY, entry(1, 10)).bytes(MLOG_ATTR_DATA, std::vector<uint8_t>(4, 1));
  EXPECT_THROW(decode_logged_messages({parse_attr_list(m.data())}), MalformedMessage);
}

TEST(LoggedMessages, IndexWithoutData) {
  AttrBuilder m;
  m.nest(MLOG_ATTR_LOG_ENTRY, entry(4, 10));
  const auto msgs = decode_logged_messages({parse_attr_list(m.data())});
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_TRUE(msgs[0].data.empty());
  EXPECT_EQ(msgs[0].entry.len, 10u);
}

TEST(Replay, PushCutsDataIntoChunks) {
  LogEntry e;
  e.dst_host = 1;
  e.src_host = 2;
  e.rsn = 3;
  e.dgram = true;
  std::vector<uint8_t> data(2 * MLOG_DATA_CHUNK + 1, 7);
  const auto req = replay_push_request(e, data);
  EXPECT_EQ(req.cmd(), MLOG_CMD_REPLAY_PUSH);
  ASSERT_EQ(req.items().size(), 4u);
  EXPECT_EQ(req.items()[0].type & NLA_TYPE_MASK, MLOG_ATTR_LOG_ENTRY);
  const AttrMap nest = parse_attrs(req.items()[0].data);
  EXPECT_TRUE(nest.contains(MLOG_ENTRY_DGRAM));
  EXPECT_FALSE(nest.contains(MLOG_ENTRY_SRC_HOSTADDR));
  EXPECT_EQ(nest.at(MLOG_ENTRY_RSN).u64(), 3u);
  EXPECT_EQ(req.items()[1].data.size(), size_t{MLOG_DATA_CHUNK});
  EXPECT_EQ(req.items()[3].data.size(), 1u);
  EXPECT_EQ(replay_end_request(1).cmd(), MLOG_CMD_REPLAY_END);
}

TEST(Hosts, RecoveryFieldsDecode) {
  AttrBuilder h;
  h.u32(MLOG_HOST_INDEX, 3)
      .bytes(MLOG_HOST_REPLAYING, {1})
      .u64(MLOG_HOST_REPLAYED, 4)
      .u64(MLOG_HOST_PEND_FIRST, 9);
  Notification n;
  n.cmd = MLOG_CMD_EVENT_HOST;
  n.attrs = parse_attrs(AttrBuilder().nest(MLOG_ATTR_HOST, h).data());
  const auto host = decode_host_event(n);
  ASSERT_TRUE(host);
  EXPECT_TRUE(host->replaying);
  EXPECT_EQ(host->replayed, 4u);
  EXPECT_EQ(host->pend_first, 9u);
  n.cmd = MLOG_CMD_EVENT_PEER;
  EXPECT_FALSE(decode_host_event(n));
}

}  // namespace
}  // namespace mlog
