// SPDX-License-Identifier: GPL-2.0
#include "info_format.h"

#include <sys/socket.h>

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "attr_decode.h"
#include "status_format.h"
#include "text_table.h"

#ifndef SOCK_RDM
#define SOCK_RDM 4
#endif

namespace mlog {

namespace {

std::string peer_json_fields(const PeerInfo& p) {
  std::ostringstream out;
  out << "\"address\":" << json_quote(format_node_addr(p.addr))
      << ",\"state\":" << json_quote(peer_state_name(p.state)) << ",\"last_heard_ms\":";
  if (p.last_heard_ms)
    out << *p.last_heard_ms;
  else
    out << "null";
  out << ",\"tx_frames\":" << p.tx_frames << ",\"rx_frames\":" << p.rx_frames
      << ",\"retransmits\":" << p.retransmits;
  return out.str();
}

std::string flow_json_fields(const FlowInfo& f) {
  std::ostringstream out;
  out << "\"address\":" << json_quote(format_node_addr(f.addr)) << ",\"port\":" << f.port
      << ",\"next_ssn\":" << f.next_ssn << ",\"snd_una\":" << f.snd_una
      << ",\"snd_nxt\":" << f.snd_nxt << ",\"rcv_nxt\":" << f.rcv_nxt
      << ",\"inflight\":" << f.inflight << ",\"cwnd\":" << f.cwnd << ",\"ssthresh\":";
  if (f.ssthresh)
    out << *f.ssthresh;
  else
    out << "null";
  out << ",\"peer_window\":" << f.peer_window << ",\"srtt_us\":" << f.srtt_us
      << ",\"rttvar_us\":" << f.rttvar_us << ",\"rto_us\":" << f.rto_us
      << ",\"timeouts\":" << f.timeouts;
  return out.str();
}

}  // namespace

PeerInfo decode_peer(const Attr& nest) {
  const AttrMap a = nest.nested();
  PeerInfo p;
  p.addr = require(get_addr(a, MLOG_PEER_ADDR, "MLOG_PEER_ADDR"), "peer", "MLOG_PEER_ADDR");
  p.state = require(get_u32(a, MLOG_PEER_STATE, "MLOG_PEER_STATE"), "peer", "MLOG_PEER_STATE");
  p.last_heard_ms = get_u64(a, MLOG_PEER_LAST_HEARD_MS, "MLOG_PEER_LAST_HEARD_MS");
  p.tx_frames = get_u64(a, MLOG_PEER_TX_FRAMES, "MLOG_PEER_TX_FRAMES").value_or(0);
  p.rx_frames = get_u64(a, MLOG_PEER_RX_FRAMES, "MLOG_PEER_RX_FRAMES").value_or(0);
  p.retransmits = get_u64(a, MLOG_PEER_RETRANSMITS, "MLOG_PEER_RETRANSMITS").value_or(0);
  return p;
}

SockInfo decode_sock(const Attr& nest) {
  const AttrMap a = nest.nested();
  SockInfo s;
  s.port = require(get_u16(a, MLOG_SOCK_PORT, "MLOG_SOCK_PORT"), "socket", "MLOG_SOCK_PORT");
  s.type = require(get_u32(a, MLOG_SOCK_TYPE, "MLOG_SOCK_TYPE"), "socket", "MLOG_SOCK_TYPE");
  s.inode = get_u64(a, MLOG_SOCK_INODE, "MLOG_SOCK_INODE").value_or(0);
  s.flows = get_u32(a, MLOG_SOCK_FLOWS, "MLOG_SOCK_FLOWS").value_or(0);
  s.tx_queued = get_u64(a, MLOG_SOCK_TX_QUEUED, "MLOG_SOCK_TX_QUEUED").value_or(0);
  s.rx_queued = get_u64(a, MLOG_SOCK_RX_QUEUED, "MLOG_SOCK_RX_QUEUED").value_or(0);
  s.tx_msgs = get_u64(a, MLOG_SOCK_TX_MSGS, "MLOG_SOCK_TX_MSGS").value_or(0);
  s.rx_msgs = get_u64(a, MLOG_SOCK_RX_MSGS, "MLOG_SOCK_RX_MSGS").value_or(0);
  s.retransmits = get_u64(a, MLOG_SOCK_RETRANSMITS, "MLOG_SOCK_RETRANSMITS").value_or(0);
  s.rx_dup = get_u64(a, MLOG_SOCK_RX_DUP, "MLOG_SOCK_RX_DUP").value_or(0);
  s.rx_drops = get_u64(a, MLOG_SOCK_RX_DROPS, "MLOG_SOCK_RX_DROPS").value_or(0);
  // A flag: present (no payload) or absent.
  s.flows_truncated = a.count(MLOG_SOCK_FLOWS_TRUNCATED) != 0;
  for (const auto& [type, flow] : nest.nested_list())
    if (type == MLOG_SOCK_FLOW) s.flows_detail.push_back(decode_flow(flow));
  return s;
}

FlowInfo decode_flow(const Attr& nest) {
  const AttrMap a = nest.nested();
  FlowInfo f;
  f.addr = require(get_addr(a, MLOG_FLOW_ADDR, "MLOG_FLOW_ADDR"), "flow", "MLOG_FLOW_ADDR");
  f.port = require(get_u16(a, MLOG_FLOW_PORT, "MLOG_FLOW_PORT"), "flow", "MLOG_FLOW_PORT");
  f.next_ssn = get_u64(a, MLOG_FLOW_NEXT_SSN, "MLOG_FLOW_NEXT_SSN").value_or(0);
  f.snd_una = get_u64(a, MLOG_FLOW_SND_UNA, "MLOG_FLOW_SND_UNA").value_or(0);
  f.snd_nxt = get_u64(a, MLOG_FLOW_SND_NXT, "MLOG_FLOW_SND_NXT").value_or(0);
  f.rcv_nxt = get_u64(a, MLOG_FLOW_RCV_NXT, "MLOG_FLOW_RCV_NXT").value_or(0);
  f.inflight = get_u32(a, MLOG_FLOW_INFLIGHT, "MLOG_FLOW_INFLIGHT").value_or(0);
  f.cwnd = get_u32(a, MLOG_FLOW_CWND, "MLOG_FLOW_CWND").value_or(0);
  f.ssthresh = get_u32(a, MLOG_FLOW_SSTHRESH, "MLOG_FLOW_SSTHRESH");
  if (f.ssthresh == UINT32_MAX) f.ssthresh.reset();
  f.peer_window = get_u32(a, MLOG_FLOW_PEER_WINDOW, "MLOG_FLOW_PEER_WINDOW").value_or(0);
  f.srtt_us = get_u32(a, MLOG_FLOW_SRTT_US, "MLOG_FLOW_SRTT_US").value_or(0);
  f.rttvar_us = get_u32(a, MLOG_FLOW_RTTVAR_US, "MLOG_FLOW_RTTVAR_US").value_or(0);
  f.rto_us = get_u32(a, MLOG_FLOW_RTO_US, "MLOG_FLOW_RTO_US").value_or(0);
  f.timeouts = get_u32(a, MLOG_FLOW_TIMEOUTS, "MLOG_FLOW_TIMEOUTS").value_or(0);
  return f;
}

std::vector<PeerInfo> decode_peers(const std::vector<AttrMap>& dump) {
  std::vector<PeerInfo> peers;
  for (const auto& msg : dump)
    if (auto it = msg.find(MLOG_ATTR_PEER); it != msg.end())
      peers.push_back(decode_peer(it->second));
  std::stable_sort(peers.begin(), peers.end(),
                   [](const PeerInfo& a, const PeerInfo& b) { return a.addr < b.addr; });
  return peers;
}

std::vector<SockInfo> decode_socks(const std::vector<AttrMap>& dump) {
  std::vector<SockInfo> socks;
  for (const auto& msg : dump)
    if (auto it = msg.find(MLOG_ATTR_SOCK); it != msg.end())
      socks.push_back(decode_sock(it->second));
  std::stable_sort(socks.begin(), socks.end(),
                   [](const SockInfo& a, const SockInfo& b) { return a.port < b.port; });
  return socks;
}

std::optional<PeerInfo> decode_peer_event(const Notification& n) {
  if (n.cmd != MLOG_CMD_EVENT_PEER) return std::nullopt;
  auto it = n.attrs.find(MLOG_ATTR_PEER);
  if (it == n.attrs.end()) throw MalformedMessage("peer event without MLOG_ATTR_PEER");
  return decode_peer(it->second);
}

std::string peer_state_name(uint32_t state) {
  switch (state) {
    case MLOG_PEER_ALIVE:
      return "alive";
    case MLOG_PEER_SUSPECTED:
      return "suspected";
    default:
      return "unknown(" + std::to_string(state) + ")";
  }
}

std::string sock_type_name(uint32_t type) {
  switch (type) {
    case SOCK_DGRAM:
      return "dgram";
    case SOCK_RDM:
      return "rdm";
    default:
      return "unknown(" + std::to_string(type) + ")";
  }
}

std::string format_duration_ms(uint64_t ms) {
  char buf[48];
  if (ms < 1000) {
    std::snprintf(buf, sizeof(buf), "%llums", static_cast<unsigned long long>(ms));
  } else if (ms < 60'000) {
    std::snprintf(buf, sizeof(buf), "%llu.%llus", static_cast<unsigned long long>(ms / 1000),
                  static_cast<unsigned long long>(ms % 1000 / 100));
  } else if (ms < 3'600'000) {
    const uint64_t s = ms / 1000;
    std::snprintf(buf, sizeof(buf), "%llum%02llus", static_cast<unsigned long long>(s / 60),
                  static_cast<unsigned long long>(s % 60));
  } else if (ms < 86'400'000) {
    const uint64_t m = ms / 60'000;
    std::snprintf(buf, sizeof(buf), "%lluh%02llum", static_cast<unsigned long long>(m / 60),
                  static_cast<unsigned long long>(m % 60));
  } else {
    const uint64_t h = ms / 3'600'000;
    std::snprintf(buf, sizeof(buf), "%llud%02lluh", static_cast<unsigned long long>(h / 24),
                  static_cast<unsigned long long>(h % 24));
  }
  return buf;
}

std::string format_flow_text(const FlowInfo& f) {
  const std::string addr = format_node_addr(f.addr);
  std::ostringstream out;
  // An IPv6 address is bracketed before its port, as in URLs.
  if (addr.find(':') != std::string::npos)
    out << '[' << addr << ']';
  else
    out << addr;
  out << ':' << f.port << " next_ssn:" << f.next_ssn << " snd_una:" << f.snd_una
      << " snd_nxt:" << f.snd_nxt << " rcv_nxt:" << f.rcv_nxt << " inflight:" << f.inflight
      << " cwnd:" << f.cwnd << " ssthresh:";
  if (f.ssthresh)
    out << *f.ssthresh;
  else
    out << '-';
  out << " peer_window:" << f.peer_window << " srtt_us:" << f.srtt_us
      << " rttvar_us:" << f.rttvar_us << " rto_us:" << f.rto_us << " timeouts:" << f.timeouts;
  return out.str();
}

std::string format_peers_text(const std::vector<PeerInfo>& peers) {
  Table t({{"ADDRESS", false},
           {"STATE", false},
           {"LAST-HEARD", true},
           {"TX-FRAMES", true},
           {"RX-FRAMES", true},
           {"RETRANSMITS", true}});
  for (const auto& p : peers)
    t.add({format_node_addr(p.addr), peer_state_name(p.state),
           p.last_heard_ms ? format_duration_ms(*p.last_heard_ms) + " ago" : "never",
           std::to_string(p.tx_frames), std::to_string(p.rx_frames),
           std::to_string(p.retransmits)});
  return t.render();
}

std::string format_peers_json(const std::vector<PeerInfo>& peers) {
  std::string out = "[";
  for (size_t i = 0; i < peers.size(); ++i)
    out += (i ? ",{" : "{") + peer_json_fields(peers[i]) + "}";
  return out + "]\n";
}

std::string format_socks_text(const std::vector<SockInfo>& socks) {
  Table t({{"PORT", true},
           {"TYPE", false},
           {"INODE", true},
           {"FLOWS", true},
           {"TX-QUEUED", true},
           {"RX-QUEUED", true},
           {"TX-MSGS", true},
           {"RX-MSGS", true},
           {"RETRANSMITS", true},
           {"RX-DUP", true},
           {"RX-DROPS", true}});
  for (const auto& s : socks)
    t.add({std::to_string(s.port), sock_type_name(s.type), std::to_string(s.inode),
           std::to_string(s.flows), std::to_string(s.tx_queued), std::to_string(s.rx_queued),
           std::to_string(s.tx_msgs), std::to_string(s.rx_msgs), std::to_string(s.retransmits),
           std::to_string(s.rx_dup), std::to_string(s.rx_drops)});
  // The table has a header line, then one line per socket, in order: put
  // each socket's flows under its line.
  const std::string table = t.render();
  std::string out;
  size_t pos = table.find('\n') + 1;
  out += table.substr(0, pos);
  for (const auto& s : socks) {
    const size_t end = table.find('\n', pos) + 1;
    out += table.substr(pos, end - pos);
    pos = end;
    for (const auto& f : s.flows_detail) out += "    " + format_flow_text(f) + "\n";
    if (s.flows_truncated) {
      const size_t shown = s.flows_detail.size();
      out += "    (" +
             (s.flows > shown ? std::to_string(s.flows - shown) + " more flows" : "more flows") +
             " not shown: they did not fit in the dump message)\n";
    }
  }
  return out;
}

std::string format_socks_json(const std::vector<SockInfo>& socks) {
  std::ostringstream out;
  out << '[';
  for (size_t i = 0; i < socks.size(); ++i) {
    const SockInfo& s = socks[i];
    out << (i ? ",{" : "{") << "\"port\":" << s.port
        << ",\"type\":" << json_quote(sock_type_name(s.type)) << ",\"inode\":" << s.inode
        << ",\"flows\":" << s.flows << ",\"tx_queued\":" << s.tx_queued
        << ",\"rx_queued\":" << s.rx_queued << ",\"tx_msgs\":" << s.tx_msgs
        << ",\"rx_msgs\":" << s.rx_msgs << ",\"retransmits\":" << s.retransmits
        << ",\"rx_dup\":" << s.rx_dup << ",\"rx_drops\":" << s.rx_drops
        << ",\"flows_truncated\":" << (s.flows_truncated ? "true" : "false")
        << ",\"flows_detail\":[";
    for (size_t j = 0; j < s.flows_detail.size(); ++j)
      out << (j ? ",{" : "{") << flow_json_fields(s.flows_detail[j]) << '}';
    out << "]}";
  }
  out << "]\n";
  return out.str();
}

std::string format_peer_event_text(const PeerInfo& peer) {
  return "peer " + format_node_addr(peer.addr) + " " + peer_state_name(peer.state) + "\n";
}

std::string format_peer_event_json(const PeerInfo& peer) {
  return "{\"event\":\"peer\"," + peer_json_fields(peer) + "}\n";
}

}  // namespace mlog
