// SPDX-License-Identifier: GPL-2.0
// Decoding and rendering of PEER_GET / SOCK_GET dumps and peer events.
#include "info_format.h"

#include <gtest/gtest.h>
#include <sys/socket.h>

#include "attr_builder.h"

namespace mlog {
namespace {

using test::AttrBuilder;
using test::v4_mapped;

AttrBuilder peer_nest(uint8_t last_octet, uint32_t state, std::optional<uint64_t> last_heard) {
  AttrBuilder p;
  p.bytes(MLOG_PEER_ADDR, v4_mapped(192, 0, 2, last_octet)).u32(MLOG_PEER_STATE, state);
  if (last_heard) p.u64(MLOG_PEER_LAST_HEARD_MS, *last_heard);
  p.bytes(MLOG_PEER_PAD, {})
      .u64(MLOG_PEER_TX_FRAMES, 100 + last_octet)
      .u64(MLOG_PEER_RX_FRAMES, 200 + last_octet)
      .u64(MLOG_PEER_RETRANSMITS, 3);
  return p;
}

// One message of a PEER_GET dump: attributes after the genetlink header.
AttrMap peer_message(const AttrBuilder& nest) {
  AttrBuilder msg;
  msg.nest(MLOG_ATTR_PEER, nest);
  return parse_attrs(msg.data());
}

AttrBuilder sock_nest(uint16_t port, uint32_t type) {
  AttrBuilder s;
  s.u16(MLOG_SOCK_PORT, port)
      .u32(MLOG_SOCK_TYPE, type)
      .bytes(MLOG_SOCK_PAD, {})
      .u64(MLOG_SOCK_INODE, 31337)
      .u32(MLOG_SOCK_FLOWS, type == SOCK_RDM ? 2 : 0)
      .u64(MLOG_SOCK_TX_QUEUED, 1384)
      .u64(MLOG_SOCK_RX_QUEUED, 0)
      .u64(MLOG_SOCK_TX_MSGS, 10)
      .u64(MLOG_SOCK_RX_MSGS, 11)
      .u64(MLOG_SOCK_RETRANSMITS, 1)
      .u64(MLOG_SOCK_RX_DUP, 2)
      .u64(MLOG_SOCK_RX_DROPS, 0);
  return s;
}

// A flow nest as the kernel fills it (u64s after a zero-length pad).
AttrBuilder flow_nest(uint8_t last_octet, uint16_t port, uint32_t ssthresh) {
  AttrBuilder f;
  f.bytes(MLOG_FLOW_ADDR, v4_mapped(192, 0, 2, last_octet))
      .u16(MLOG_FLOW_PORT, port)
      .bytes(MLOG_FLOW_PAD, {})
      .u64(MLOG_FLOW_NEXT_SSN, 51)
      .u64(MLOG_FLOW_SND_UNA, 49)
      .u64(MLOG_FLOW_SND_NXT, 51)
      .u64(MLOG_FLOW_RCV_NXT, 7)
      .u32(MLOG_FLOW_INFLIGHT, 10880)
      .u32(MLOG_FLOW_CWND, 557056)
      .u32(MLOG_FLOW_SSTHRESH, ssthresh)
      .u32(MLOG_FLOW_PEER_WINDOW, 212992)
      .u32(MLOG_FLOW_SRTT_US, 10250)
      .u32(MLOG_FLOW_RTTVAR_US, 1500)
      .u32(MLOG_FLOW_RTO_US, 16000)
      .u32(MLOG_FLOW_TIMEOUTS, 1);
  return f;
}

AttrMap sock_message(const AttrBuilder& nest) {
  AttrBuilder msg;
  msg.nest(MLOG_ATTR_SOCK, nest);
  return parse_attrs(msg.data());
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const MalformedMessage& e) {
    return e.what();
  }
  return "(no MalformedMessage)";
}

TEST(DecodePeer, AllAttributes) {
  const PeerInfo p = decode_peer(peer_nest(12, MLOG_PEER_ALIVE, 250).attr());
  EXPECT_EQ(format_node_addr(p.addr), "192.0.2.12");
  EXPECT_EQ(p.state, MLOG_PEER_ALIVE);
  ASSERT_TRUE(p.last_heard_ms);
  EXPECT_EQ(*p.last_heard_ms, 250u);
  EXPECT_EQ(p.tx_frames, 112u);
  EXPECT_EQ(p.rx_frames, 212u);
  EXPECT_EQ(p.retransmits, 3u);
}

TEST(DecodePeer, NeverHeardFrom) {
  const PeerInfo p = decode_peer(peer_nest(13, MLOG_PEER_SUSPECTED, std::nullopt).attr());
  EXPECT_FALSE(p.last_heard_ms);
}

TEST(DecodePeer, UnknownAttributesAreIgnored) {
  AttrBuilder n = peer_nest(12, MLOG_PEER_ALIVE, 1);
  n.u64(MLOG_PEER_MAX + 1, 99).bytes(200, {1, 2, 3});
  const PeerInfo p = decode_peer(n.attr());
  EXPECT_EQ(p.tx_frames, 112u);
}

TEST(DecodePeer, WrongSizeNamesTheAttribute) {
  AttrBuilder n;
  n.bytes(MLOG_PEER_ADDR, v4_mapped(192, 0, 2, 1))
      .u32(MLOG_PEER_STATE, 1)
      .u32(MLOG_PEER_TX_FRAMES, 5);  // u64 sent as u32
  EXPECT_EQ(error_of([&] { decode_peer(n.attr()); }),
            "malformed attribute MLOG_PEER_TX_FRAMES: 4 bytes, expected 8");
}

TEST(DecodePeer, ShortAddressIsAnError) {
  AttrBuilder n;
  n.bytes(MLOG_PEER_ADDR, {192, 0, 2, 1}).u32(MLOG_PEER_STATE, 1);
  EXPECT_EQ(error_of([&] { decode_peer(n.attr()); }),
            "malformed attribute MLOG_PEER_ADDR: 4 bytes, expected 16");
}

TEST(DecodePeer, MissingAddressOrStateIsAnError) {
  AttrBuilder no_addr;
  no_addr.u32(MLOG_PEER_STATE, 1);
  EXPECT_EQ(error_of([&] { decode_peer(no_addr.attr()); }), "peer without MLOG_PEER_ADDR");
  AttrBuilder no_state;
  no_state.bytes(MLOG_PEER_ADDR, v4_mapped(192, 0, 2, 1));
  EXPECT_EQ(error_of([&] { decode_peer(no_state.attr()); }), "peer without MLOG_PEER_STATE");
}

TEST(DecodePeer, TruncatedNestIsAnError) {
  AttrBuilder n = peer_nest(12, MLOG_PEER_ALIVE, 1);
  n.raw({20, 0, MLOG_PEER_RX_FRAMES, 0, 1, 2});
  EXPECT_THROW(decode_peer(n.attr()), MalformedMessage);
}

TEST(DecodePeers, SortsByAddressAndSkipsMessagesWithoutNest) {
  std::vector<AttrMap> dump = {peer_message(peer_nest(20, MLOG_PEER_ALIVE, 5)), AttrMap{},
                               peer_message(peer_nest(3, MLOG_PEER_SUSPECTED, 9000))};
  const auto peers = decode_peers(dump);
  ASSERT_EQ(peers.size(), 2u);
  EXPECT_EQ(format_node_addr(peers[0].addr), "192.0.2.3");
  EXPECT_EQ(format_node_addr(peers[1].addr), "192.0.2.20");
}

TEST(FormatPeers, Text) {
  const std::vector<PeerInfo> peers = {
      decode_peer(peer_nest(12, MLOG_PEER_ALIVE, 250).attr()),
      decode_peer(peer_nest(130, MLOG_PEER_SUSPECTED, 65'000).attr()),
      decode_peer(peer_nest(14, 9, std::nullopt).attr())};
  EXPECT_EQ(format_peers_text(peers),
            "ADDRESS      STATE       LAST-HEARD  TX-FRAMES  RX-FRAMES  RETRANSMITS\n"
            "192.0.2.12   alive        250ms ago        112        212            3\n"
            "192.0.2.130  suspected    1m05s ago        230        330            3\n"
            "192.0.2.14   unknown(9)       never        114        214            3\n");
}

TEST(FormatPeers, EmptyTableHasOnlyTheHeader) {
  EXPECT_EQ(format_peers_text({}),
            "ADDRESS  STATE  LAST-HEARD  TX-FRAMES  RX-FRAMES  RETRANSMITS\n");
  EXPECT_EQ(format_peers_json({}), "[]\n");
}

TEST(FormatPeers, Json) {
  const std::vector<PeerInfo> peers = {
      decode_peer(peer_nest(12, MLOG_PEER_ALIVE, 250).attr()),
      decode_peer(peer_nest(13, MLOG_PEER_SUSPECTED, std::nullopt).attr())};
  EXPECT_EQ(format_peers_json(peers),
            "[{\"address\":\"192.0.2.12\",\"state\":\"alive\",\"last_heard_ms\":250,"
            "\"tx_frames\":112,\"rx_frames\":212,\"retransmits\":3},"
            "{\"address\":\"192.0.2.13\",\"state\":\"suspected\",\"last_heard_ms\":null,"
            "\"tx_frames\":113,\"rx_frames\":213,\"retransmits\":3}]\n");
}

TEST(FormatPeers, Ipv6PeerAddress) {
  AttrBuilder n;
  n.bytes(MLOG_PEER_ADDR, {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1})
      .u32(MLOG_PEER_STATE, MLOG_PEER_ALIVE);
  EXPECT_EQ(format_peer_event_text(decode_peer(n.attr())), "peer 2001:db8::1 alive\n");
}

TEST(DecodeSock, AllAttributes) {
  const SockInfo s = decode_sock(sock_nest(5000, SOCK_RDM).attr());
  EXPECT_EQ(s.port, 5000);
  EXPECT_EQ(s.type, static_cast<uint32_t>(SOCK_RDM));
  EXPECT_EQ(s.inode, 31337u);
  EXPECT_EQ(s.flows, 2u);
  EXPECT_EQ(s.tx_queued, 1384u);
  EXPECT_EQ(s.tx_msgs, 10u);
  EXPECT_EQ(s.rx_msgs, 11u);
  EXPECT_EQ(s.retransmits, 1u);
  EXPECT_EQ(s.rx_dup, 2u);
  EXPECT_EQ(s.rx_drops, 0u);
}

TEST(DecodeSock, WrongSizeNamesTheAttribute) {
  AttrBuilder n;
  n.u32(MLOG_SOCK_PORT, 5000).u32(MLOG_SOCK_TYPE, SOCK_DGRAM);  // port sent as u32
  EXPECT_EQ(error_of([&] { decode_sock(n.attr()); }),
            "malformed attribute MLOG_SOCK_PORT: 4 bytes, expected 2");
  AttrBuilder inode;
  inode.u16(MLOG_SOCK_PORT, 1).u32(MLOG_SOCK_TYPE, SOCK_DGRAM).u32(MLOG_SOCK_INODE, 7);
  EXPECT_EQ(error_of([&] { decode_sock(inode.attr()); }),
            "malformed attribute MLOG_SOCK_INODE: 4 bytes, expected 8");
}

TEST(DecodeSock, MissingPortIsAnErrorUnknownIgnored) {
  AttrBuilder n;
  n.u32(MLOG_SOCK_TYPE, SOCK_DGRAM);
  EXPECT_EQ(error_of([&] { decode_sock(n.attr()); }), "socket without MLOG_SOCK_PORT");
  AttrBuilder extra = sock_nest(7, SOCK_DGRAM);
  extra.u32(MLOG_SOCK_MAX + 3, 1);
  EXPECT_EQ(decode_sock(extra.attr()).port, 7);
}

TEST(DecodeFlow, AllAttributes) {
  const FlowInfo f = decode_flow(flow_nest(12, 5000, 278528).attr());
  EXPECT_EQ(format_node_addr(f.addr), "192.0.2.12");
  EXPECT_EQ(f.port, 5000);
  EXPECT_EQ(f.next_ssn, 51u);
  EXPECT_EQ(f.snd_una, 49u);
  EXPECT_EQ(f.snd_nxt, 51u);
  EXPECT_EQ(f.rcv_nxt, 7u);
  EXPECT_EQ(f.inflight, 10880u);
  EXPECT_EQ(f.cwnd, 557056u);
  ASSERT_TRUE(f.ssthresh);
  EXPECT_EQ(*f.ssthresh, 278528u);
  EXPECT_EQ(f.peer_window, 212992u);
  EXPECT_EQ(f.srtt_us, 10250u);
  EXPECT_EQ(f.rttvar_us, 1500u);
  EXPECT_EQ(f.rto_us, 16000u);
  EXPECT_EQ(f.timeouts, 1u);
}

TEST(DecodeFlow, SsthreshAllOnesOrAbsentIsNone) {
  EXPECT_FALSE(decode_flow(flow_nest(12, 5000, UINT32_MAX).attr()).ssthresh);
  AttrBuilder n;
  n.bytes(MLOG_FLOW_ADDR, v4_mapped(192, 0, 2, 1)).u16(MLOG_FLOW_PORT, 1);
  const FlowInfo f = decode_flow(n.attr());
  EXPECT_FALSE(f.ssthresh);
  // Every other counter absent reads as 0.
  EXPECT_EQ(f.next_ssn, 0u);
  EXPECT_EQ(f.cwnd, 0u);
  EXPECT_EQ(f.srtt_us, 0u);
}

TEST(DecodeFlow, MissingAddressOrPortIsAnError) {
  AttrBuilder no_addr;
  no_addr.u16(MLOG_FLOW_PORT, 5000).u32(MLOG_FLOW_CWND, 1);
  EXPECT_EQ(error_of([&] { decode_flow(no_addr.attr()); }), "flow without MLOG_FLOW_ADDR");
  AttrBuilder no_port;
  no_port.bytes(MLOG_FLOW_ADDR, v4_mapped(192, 0, 2, 1));
  EXPECT_EQ(error_of([&] { decode_flow(no_port.attr()); }), "flow without MLOG_FLOW_PORT");
}

TEST(DecodeFlow, ShortAttributesNameTheAttribute) {
  AttrBuilder addr;
  addr.bytes(MLOG_FLOW_ADDR, {192, 0, 2, 1}).u16(MLOG_FLOW_PORT, 1);
  EXPECT_EQ(error_of([&] { decode_flow(addr.attr()); }),
            "malformed attribute MLOG_FLOW_ADDR: 4 bytes, expected 16");
  AttrBuilder cwnd;
  cwnd.bytes(MLOG_FLOW_ADDR, v4_mapped(192, 0, 2, 1))
      .u16(MLOG_FLOW_PORT, 1)
      .u16(MLOG_FLOW_CWND, 9);  // u32 sent as u16
  EXPECT_EQ(error_of([&] { decode_flow(cwnd.attr()); }),
            "malformed attribute MLOG_FLOW_CWND: 2 bytes, expected 4");
  AttrBuilder una;
  una.bytes(MLOG_FLOW_ADDR, v4_mapped(192, 0, 2, 1))
      .u16(MLOG_FLOW_PORT, 1)
      .u32(MLOG_FLOW_SND_UNA, 9);  // u64 sent as u32
  EXPECT_EQ(error_of([&] { decode_flow(una.attr()); }),
            "malformed attribute MLOG_FLOW_SND_UNA: 4 bytes, expected 8");
}

TEST(DecodeFlow, UnknownAttributesAreIgnored) {
  AttrBuilder n = flow_nest(12, 5000, UINT32_MAX);
  n.u64(MLOG_FLOW_MAX + 1, 99).bytes(200, {1, 2, 3});
  EXPECT_EQ(decode_flow(n.attr()).cwnd, 557056u);
}

TEST(DecodeSock, FlowNestsInOrderAndTruncationFlag) {
  AttrBuilder n = sock_nest(5000, SOCK_RDM);
  n.nest(MLOG_SOCK_FLOW, flow_nest(14, 7001, UINT32_MAX))
      .nest(MLOG_SOCK_FLOW, flow_nest(12, 7000, 278528));
  SockInfo s = decode_sock(n.attr());
  ASSERT_EQ(s.flows_detail.size(), 2u);  // repeated nests all kept, in order
  EXPECT_EQ(s.flows_detail[0].port, 7001);
  EXPECT_EQ(format_node_addr(s.flows_detail[1].addr), "192.0.2.12");
  EXPECT_FALSE(s.flows_truncated);
  n.bytes(MLOG_SOCK_FLOWS_TRUNCATED, {});
  s = decode_sock(n.attr());
  EXPECT_TRUE(s.flows_truncated);
  EXPECT_EQ(s.flows_detail.size(), 2u);
}

TEST(DecodeSock, NoFlowNests) {
  const SockInfo s = decode_sock(sock_nest(42, SOCK_DGRAM).attr());
  EXPECT_TRUE(s.flows_detail.empty());
  EXPECT_FALSE(s.flows_truncated);
}

TEST(DecodeSock, MalformedFlowNestIsAnError) {
  AttrBuilder bad;
  bad.u16(MLOG_FLOW_PORT, 7000);
  AttrBuilder n = sock_nest(5000, SOCK_RDM);
  n.nest(MLOG_SOCK_FLOW, bad);
  EXPECT_EQ(error_of([&] { decode_sock(n.attr()); }), "flow without MLOG_FLOW_ADDR");
  AttrBuilder cut = sock_nest(5000, SOCK_RDM);
  AttrBuilder short_flow = flow_nest(12, 7000, 1);
  short_flow.raw({12, 0, MLOG_FLOW_CWND, 0, 1, 2});  // runs past the nest's end
  cut.nest(MLOG_SOCK_FLOW, short_flow);
  EXPECT_THROW(decode_sock(cut.attr()), MalformedMessage);
}

TEST(FormatSocks, FlowLinesUnderTheirSocket) {
  AttrBuilder rdm = sock_nest(5000, SOCK_RDM);
  rdm.nest(MLOG_SOCK_FLOW, flow_nest(12, 7000, UINT32_MAX))
      .nest(MLOG_SOCK_FLOW, flow_nest(13, 7001, 278528));
  AttrBuilder v6flow;
  v6flow.bytes(MLOG_FLOW_ADDR, {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1})
      .u16(MLOG_FLOW_PORT, 9);
  AttrBuilder cut = sock_nest(6000, SOCK_RDM);  // claims 2 flows, gives 1
  cut.nest(MLOG_SOCK_FLOW, v6flow).bytes(MLOG_SOCK_FLOWS_TRUNCATED, {});
  const auto socks =
      decode_socks({sock_message(cut), sock_message(rdm), sock_message(sock_nest(42, SOCK_DGRAM))});
  ASSERT_EQ(socks.size(), 3u);
  EXPECT_EQ(format_socks_text(socks),
            "PORT  TYPE   INODE  FLOWS  TX-QUEUED  RX-QUEUED  TX-MSGS  RX-MSGS  RETRANSMITS  "
            "RX-DUP  RX-DROPS\n"
            "  42  dgram  31337      0       1384          0       10       11            1  "
            "     2         0\n"
            "5000  rdm    31337      2       1384          0       10       11            1  "
            "     2         0\n"
            "    192.0.2.12:7000 next_ssn:51 snd_una:49 snd_nxt:51 rcv_nxt:7 inflight:10880 "
            "cwnd:557056 ssthresh:- peer_window:212992 srtt_us:10250 rttvar_us:1500 "
            "rto_us:16000 timeouts:1\n"
            "    192.0.2.13:7001 next_ssn:51 snd_una:49 snd_nxt:51 rcv_nxt:7 inflight:10880 "
            "cwnd:557056 ssthresh:278528 peer_window:212992 srtt_us:10250 rttvar_us:1500 "
            "rto_us:16000 timeouts:1\n"
            "6000  rdm    31337      2       1384          0       10       11            1  "
            "     2         0\n"
            "    [2001:db8::1]:9 next_ssn:0 snd_una:0 snd_nxt:0 rcv_nxt:0 inflight:0 cwnd:0 "
            "ssthresh:- peer_window:0 srtt_us:0 rttvar_us:0 rto_us:0 timeouts:0\n"
            "    (1 more flows not shown: they did not fit in the dump message)\n");
  const std::vector<SockInfo> one = {socks[1]};
  EXPECT_EQ(format_socks_json(one),
            "[{\"port\":5000,\"type\":\"rdm\",\"inode\":31337,\"flows\":2,\"tx_queued\":1384,"
            "\"rx_queued\":0,\"tx_msgs\":10,\"rx_msgs\":11,\"retransmits\":1,\"rx_dup\":2,"
            "\"rx_drops\":0,\"flows_truncated\":false,\"flows_detail\":["
            "{\"address\":\"192.0.2.12\",\"port\":7000,\"next_ssn\":51,\"snd_una\":49,"
            "\"snd_nxt\":51,\"rcv_nxt\":7,\"inflight\":10880,\"cwnd\":557056,\"ssthresh\":null,"
            "\"peer_window\":212992,\"srtt_us\":10250,\"rttvar_us\":1500,\"rto_us\":16000,"
            "\"timeouts\":1},"
            "{\"address\":\"192.0.2.13\",\"port\":7001,\"next_ssn\":51,\"snd_una\":49,"
            "\"snd_nxt\":51,\"rcv_nxt\":7,\"inflight\":10880,\"cwnd\":557056,"
            "\"ssthresh\":278528,\"peer_window\":212992,\"srtt_us\":10250,\"rttvar_us\":1500,"
            "\"rto_us\":16000,\"timeouts\":1}]}]\n");
  const std::vector<SockInfo> truncated = {socks[2]};
  EXPECT_NE(
      format_socks_json(truncated).find(
          "\"flows_truncated\":true,\"flows_detail\":[{\"address\":\"2001:db8::1\",\"port\":9,"),
      std::string::npos);
}

TEST(FormatSocks, TextAndJson) {
  const auto socks = decode_socks(
      {sock_message(sock_nest(5000, SOCK_RDM)), sock_message(sock_nest(42, SOCK_DGRAM))});
  ASSERT_EQ(socks.size(), 2u);
  EXPECT_EQ(socks[0].port, 42);  // sorted by port
  EXPECT_EQ(format_socks_text(socks),
            "PORT  TYPE   INODE  FLOWS  TX-QUEUED  RX-QUEUED  TX-MSGS  RX-MSGS  RETRANSMITS  "
            "RX-DUP  RX-DROPS\n"
            "  42  dgram  31337      0       1384          0       10       11            1  "
            "     2         0\n"
            "5000  rdm    31337      2       1384          0       10       11            1  "
            "     2         0\n");
  EXPECT_EQ(format_socks_json(socks),
            "[{\"port\":42,\"type\":\"dgram\",\"inode\":31337,\"flows\":0,\"tx_queued\":1384,"
            "\"rx_queued\":0,\"tx_msgs\":10,\"rx_msgs\":11,\"retransmits\":1,\"rx_dup\":2,"
            "\"rx_drops\":0,\"flows_truncated\":false,\"flows_detail\":[]},"
            "{\"port\":5000,\"type\":\"rdm\",\"inode\":31337,\"flows\":2,\"tx_queued\":1384,"
            "\"rx_queued\":0,\"tx_msgs\":10,\"rx_msgs\":11,\"retransmits\":1,\"rx_dup\":2,"
            "\"rx_drops\":0,\"flows_truncated\":false,\"flows_detail\":[]}]\n");
  EXPECT_EQ(format_socks_json({}), "[]\n");
}

TEST(Names, StatesAndTypes) {
  EXPECT_EQ(peer_state_name(MLOG_PEER_ALIVE), "alive");
  EXPECT_EQ(peer_state_name(MLOG_PEER_SUSPECTED), "suspected");
  EXPECT_EQ(peer_state_name(0), "unknown(0)");
  EXPECT_EQ(sock_type_name(SOCK_DGRAM), "dgram");
  EXPECT_EQ(sock_type_name(SOCK_RDM), "rdm");
  EXPECT_EQ(sock_type_name(SOCK_STREAM), "unknown(1)");
}

TEST(FormatDuration, EachRange) {
  EXPECT_EQ(format_duration_ms(0), "0ms");
  EXPECT_EQ(format_duration_ms(999), "999ms");
  EXPECT_EQ(format_duration_ms(1000), "1.0s");
  EXPECT_EQ(format_duration_ms(2599), "2.5s");
  EXPECT_EQ(format_duration_ms(59'999), "59.9s");
  EXPECT_EQ(format_duration_ms(60'000), "1m00s");
  EXPECT_EQ(format_duration_ms(3'599'999), "59m59s");
  EXPECT_EQ(format_duration_ms(3'600'000), "1h00m");
  EXPECT_EQ(format_duration_ms(86'399'999), "23h59m");
  EXPECT_EQ(format_duration_ms(86'400'000 + 4 * 3'600'000), "1d04h");
  EXPECT_EQ(format_duration_ms(UINT64_MAX), "213503982334d14h");
}

Notification event(uint8_t cmd, const AttrBuilder& attrs) {
  return Notification{cmd, parse_attrs(attrs.data())};
}

TEST(PeerEvent, SuspectedAndAliveAgain) {
  AttrBuilder suspected;
  suspected.nest(MLOG_ATTR_PEER, peer_nest(12, MLOG_PEER_SUSPECTED, 3200));
  const auto p = decode_peer_event(event(MLOG_CMD_EVENT_PEER, suspected));
  ASSERT_TRUE(p);
  EXPECT_EQ(format_peer_event_text(*p), "peer 192.0.2.12 suspected\n");
  EXPECT_EQ(format_peer_event_json(*p),
            "{\"event\":\"peer\",\"address\":\"192.0.2.12\",\"state\":\"suspected\","
            "\"last_heard_ms\":3200,\"tx_frames\":112,\"rx_frames\":212,\"retransmits\":3}\n");

  AttrBuilder alive;
  alive.nest(MLOG_ATTR_PEER, peer_nest(12, MLOG_PEER_ALIVE, 0));
  EXPECT_EQ(format_peer_event_text(*decode_peer_event(event(MLOG_CMD_EVENT_PEER, alive))),
            "peer 192.0.2.12 alive\n");
}

TEST(PeerEvent, OtherCommandsAreIgnored) {
  AttrBuilder a;
  a.nest(MLOG_ATTR_PEER, peer_nest(12, MLOG_PEER_ALIVE, 0));
  EXPECT_FALSE(decode_peer_event(event(MLOG_CMD_MAX + 1, a)));
  EXPECT_FALSE(decode_peer_event(event(MLOG_CMD_STATUS_GET, a)));
}

TEST(PeerEvent, WithoutNestIsAnError) {
  AttrBuilder a;
  a.u32(MLOG_ATTR_NODE_ID, 1);
  EXPECT_EQ(error_of([&] { decode_peer_event(event(MLOG_CMD_EVENT_PEER, a)); }),
            "peer event without MLOG_ATTR_PEER");
}

}  // namespace
}  // namespace mlog
