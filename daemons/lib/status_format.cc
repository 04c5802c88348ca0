// SPDX-License-Identifier: GPL-2.0
#include "status_format.h"

#include <cstring>
#include <sstream>

#include "node_addr.h"

namespace mlog {

namespace {

struct StatusView {
  std::string version;
  uint32_t family = 0;
  uint32_t wire_version = 0;
  uint32_t node_id = 0;
  uint16_t udp_port = 0;
  std::string node_addr = "-";
  std::map<int, uint64_t> stats;
};

StatusView view(const AttrMap& a) {
  StatusView v;
  if (auto it = a.find(MLOG_ATTR_VERSION); it != a.end()) v.version = it->second.str();
  if (auto it = a.find(MLOG_ATTR_FAMILY); it != a.end()) v.family = it->second.u32();
  if (auto it = a.find(MLOG_ATTR_WIRE_VERSION); it != a.end()) v.wire_version = it->second.u32();
  if (auto it = a.find(MLOG_ATTR_NODE_ID); it != a.end()) v.node_id = it->second.u32();
  if (auto it = a.find(MLOG_ATTR_UDP_PORT); it != a.end()) v.udp_port = it->second.u16();
  if (auto it = a.find(MLOG_ATTR_NODE_ADDR); it != a.end()) {
    NodeAddr addr{};
    if (it->second.data.size() != addr.size()) throw std::runtime_error("malformed node address");
    std::memcpy(addr.data(), it->second.data.data(), addr.size());
    v.node_addr = format_node_addr(addr);
  }
  if (auto it = a.find(MLOG_ATTR_STATS); it != a.end()) {
    for (const auto& [type, attr] : it->second.nested())
      if (type != MLOG_STAT_PAD && stat_name(type)) v.stats[type] = attr.u64();
  }
  return v;
}

// Quotes a string for JSON; the kernel's version string is data, not trusted.
std::string json_string(const std::string& s) {
  std::ostringstream out;
  out << '"';
  for (const unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out << '\\' << c;
    } else if (c < 0x20) {
      static const char* hex = "0123456789abcdef";
      out << "\\u00" << hex[c >> 4] << hex[c & 15];
    } else {
      out << c;
    }
  }
  out << '"';
  return out.str();
}

}  // namespace

const char* stat_name(int stat) {
  switch (stat) {
    case MLOG_STAT_SOCKETS:
      return "sockets";
    case MLOG_STAT_TX_FRAMES:
      return "tx_frames";
    case MLOG_STAT_TX_BYTES:
      return "tx_bytes";
    case MLOG_STAT_TX_ERRORS:
      return "tx_errors";
    case MLOG_STAT_RX_FRAMES:
      return "rx_frames";
    case MLOG_STAT_RX_BYTES:
      return "rx_bytes";
    case MLOG_STAT_RX_BAD:
      return "rx_bad";
    case MLOG_STAT_RX_NO_PORT:
      return "rx_no_port";
    case MLOG_STAT_RX_QUEUE_FULL:
      return "rx_queue_full";
    default:
      return nullptr;
  }
}

std::string format_status_text(const AttrMap& status) {
  const StatusView v = view(status);
  std::ostringstream out;
  out << "mlog " << v.version << ": AF_MLOG is address family " << v.family << ", wire version "
      << v.wire_version << "\n";
  out << "node " << v.node_id << ": address " << v.node_addr << ", udp port " << v.udp_port << "\n";
  for (const auto& [type, value] : v.stats) {
    out << "  " << stat_name(type);
    for (size_t pad = std::strlen(stat_name(type)); pad < 16; ++pad) out << ' ';
    out << value << "\n";
  }
  return out.str();
}

std::string format_status_json(const AttrMap& status) {
  const StatusView v = view(status);
  std::ostringstream out;
  out << "{\"version\":" << json_string(v.version) << ",\"family\":" << v.family
      << ",\"wire_version\":" << v.wire_version << ",\"node\":{\"id\":" << v.node_id
      << ",\"address\":\"" << v.node_addr << "\",\"udp_port\":" << v.udp_port << "},\"stats\":{";
  bool first = true;
  for (const auto& [type, value] : v.stats) {
    out << (first ? "" : ",") << '"' << stat_name(type) << "\":" << value;
    first = false;
  }
  out << "}}\n";
  return out.str();
}

}  // namespace mlog
