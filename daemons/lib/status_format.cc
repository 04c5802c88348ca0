// SPDX-License-Identifier: GPL-2.0
#include "status_format.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <sstream>

#include "attr_decode.h"
#include "node_addr.h"
#include "sl_format.h"

namespace mlog {

namespace {

struct StatusView {
  std::string version;
  uint32_t family = 0;
  uint32_t wire_version = 0;
  uint32_t node_id = 0;
  uint16_t udp_port = 0;
  std::string node_addr = "-";
  std::optional<uint32_t> log_mode;
  std::optional<LogInfo> log;
  std::map<int, uint64_t> stats;
};

StatusView view(const AttrMap& a) {
  StatusView v;
  if (auto it = a.find(MLOG_ATTR_VERSION); it != a.end()) v.version = it->second.str();
  v.family = get_u32(a, MLOG_ATTR_FAMILY, "MLOG_ATTR_FAMILY").value_or(0);
  v.wire_version = get_u32(a, MLOG_ATTR_WIRE_VERSION, "MLOG_ATTR_WIRE_VERSION").value_or(0);
  v.node_id = get_u32(a, MLOG_ATTR_NODE_ID, "MLOG_ATTR_NODE_ID").value_or(0);
  v.udp_port = get_u16(a, MLOG_ATTR_UDP_PORT, "MLOG_ATTR_UDP_PORT").value_or(0);
  if (auto addr = get_addr(a, MLOG_ATTR_NODE_ADDR, "MLOG_ATTR_NODE_ADDR"))
    v.node_addr = format_node_addr(*addr);
  v.log_mode = get_u32(a, MLOG_ATTR_LOG_MODE, "MLOG_ATTR_LOG_MODE");
  if (auto it = a.find(MLOG_ATTR_LOG); it != a.end()) v.log = decode_log_info(it->second);
  if (auto it = a.find(MLOG_ATTR_STATS); it != a.end()) v.stats = decode_stats(it->second);
  return v;
}

const AttrMap::mapped_type& stats_nest(const AttrMap& reply) {
  auto it = reply.find(MLOG_ATTR_STATS);
  if (it == reply.end()) throw MalformedMessage("stats reply without MLOG_ATTR_STATS");
  return it->second;
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
    case MLOG_STAT_RX_DUP:
      return "rx_dup";
    case MLOG_STAT_RX_OUT_OF_ORDER:
      return "rx_out_of_order";
    case MLOG_STAT_RX_WRONG_TYPE:
      return "rx_wrong_type";
    case MLOG_STAT_TX_RETRANSMITS:
      return "tx_retransmits";
    case MLOG_STAT_TX_ACKS:
      return "tx_acks";
    case MLOG_STAT_PEER_SUSPECTED:
      return "peer_suspected";
    case MLOG_STAT_NO_MEMORY:
      return "no_memory";
    case MLOG_STAT_RX_INCOMPLETE:
      return "rx_incomplete";
    case MLOG_STAT_PEER_RESTARTED:
      return "peer_restarted";
    case MLOG_STAT_SL_TX_PLAIN:
      return "sl_tx_plain";
    case MLOG_STAT_SL_TX_PIGGYBACK:
      return "sl_tx_piggyback";
    case MLOG_STAT_SL_TX_DELAYED:
      return "sl_tx_delayed";
    case MLOG_STAT_SL_EXTRA_FRAMES:
      return "sl_extra_frames";
    case MLOG_STAT_SL_LOGGED:
      return "sl_logged";
    case MLOG_STAT_SL_LOG_BYTES:
      return "sl_log_bytes";
    case MLOG_STAT_SL_RSN_ASSIGNED:
      return "sl_rsn_assigned";
    case MLOG_STAT_SL_RSN_RETURNED:
      return "sl_rsn_returned";
    case MLOG_STAT_SL_RSN_LOGGED:
      return "sl_rsn_logged";
    case MLOG_STAT_SL_RSNACK_RECEIVED:
      return "sl_rsnack_received";
    case MLOG_STAT_SL_DUP_RSN:
      return "sl_dup_rsn";
    case MLOG_STAT_SL_DONT_LOG:
      return "sl_dont_log";
    case MLOG_STAT_SL_BAD_RANGE:
      return "sl_bad_range";
    case MLOG_STAT_SL_BAD_HOST:
      return "sl_bad_host";
    case MLOG_STAT_SL_LOG_FULL:
      return "sl_log_full";
    case MLOG_STAT_SL_HOLD_VIOLATION:
      return "sl_hold_violation";
    case MLOG_STAT_SL_PURGED:
      return "sl_purged";
    case MLOG_STAT_RX_REASM_COPIED:
      return "rx_reasm_copied";
    case MLOG_STAT_TX_RESENT_FRAMES:
      return "tx_resent_frames";
    case MLOG_STAT_TX_TIMEOUTS:
      return "tx_timeouts";
    case MLOG_STAT_TX_TIMEOUTS_UNDONE:
      return "tx_timeouts_undone";
    case MLOG_STAT_RX_FENCED:
      return "rx_fenced";
    case MLOG_STAT_RX_NO_HOST:
      return "rx_no_host";
    case MLOG_STAT_RX_REPLAY_HELD:
      return "rx_replay_held";
    case MLOG_STAT_REPLAYED:
      return "replayed";
    case MLOG_STAT_FLOWS_REWOUND:
      return "flows_rewound";
    case MLOG_STAT_TX_RESENT_LOGGED:
      return "tx_resent_logged";
    default:
      return nullptr;
  }
}

std::string log_mode_name(uint32_t mode) {
  switch (mode) {
    case MLOG_LOG_NONE:
      return "none";
    case MLOG_LOG_SENDER:
      return "sender";
    default:
      return "unknown(" + std::to_string(mode) + ")";
  }
}

std::string json_quote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '"';
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20) {
      static const char* hex = "0123456789abcdef";
      out += "\\u00";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += ch;
    }
  }
  out += '"';
  return out;
}

std::map<int, uint64_t> decode_stats(const Attr& nest) {
  std::map<int, uint64_t> stats;
  const AttrMap counters = nest.nested();
  for (const auto& [type, attr] : counters) {
    const char* name = stat_name(type);
    if (!name) continue;  // MLOG_STAT_PAD, or a counter newer than us
    stats[type] = *get_u64(counters, type, std::string("MLOG_ATTR_STATS/") + name);
  }
  return stats;
}

std::string format_status_text(const AttrMap& status) {
  const StatusView v = view(status);
  std::ostringstream out;
  // NODE_GET replies carry only the node: no module line for them.
  if (status.count(MLOG_ATTR_FAMILY))
    out << "mlog " << v.version << ": AF_MLOG is address family " << v.family << ", wire version "
        << v.wire_version << "\n";
  out << "node " << v.node_id << ": address " << v.node_addr << ", udp port " << v.udp_port;
  if (v.log_mode) out << ", log mode " << log_mode_name(*v.log_mode);
  out << "\n";
  if (v.log) out << format_log_info_line(*v.log);
  // Names padded to 16 columns, or wider if a name needs it.
  size_t width = 16;
  for (const auto& [type, value] : v.stats)
    width = std::max(width, std::strlen(stat_name(type)) + 2);
  for (const auto& [type, value] : v.stats) {
    out << "  " << stat_name(type);
    for (size_t pad = std::strlen(stat_name(type)); pad < width; ++pad) out << ' ';
    out << value << "\n";
  }
  return out.str();
}

std::string format_status_json(const AttrMap& status) {
  const StatusView v = view(status);
  std::ostringstream out;
  out << "{\"version\":" << json_quote(v.version) << ",\"family\":" << v.family
      << ",\"wire_version\":" << v.wire_version << ",\"node\":{\"id\":" << v.node_id
      << ",\"address\":\"" << v.node_addr << "\",\"udp_port\":" << v.udp_port;
  if (v.log_mode) out << ",\"log_mode\":" << json_quote(log_mode_name(*v.log_mode));
  out << '}';
  // format_log_info_json() ends its object with a newline: not here.
  if (v.log) {
    std::string log = format_log_info_json(*v.log);
    log.pop_back();
    out << ",\"log\":" << log;
  }
  out << ",\"stats\":{";
  bool first = true;
  for (const auto& [type, value] : v.stats) {
    out << (first ? "" : ",") << '"' << stat_name(type) << "\":" << value;
    first = false;
  }
  out << "}}\n";
  return out.str();
}

std::string format_stats_text(const AttrMap& reply) {
  const auto stats = decode_stats(stats_nest(reply));
  size_t name_width = 0;
  size_t value_width = 0;
  for (const auto& [type, value] : stats) {
    name_width = std::max(name_width, std::strlen(stat_name(type)));
    value_width = std::max(value_width, std::to_string(value).size());
  }
  std::ostringstream out;
  for (const auto& [type, value] : stats) {
    const std::string name = stat_name(type);
    const std::string num = std::to_string(value);
    out << name << std::string(name_width - name.size() + 2 + value_width - num.size(), ' ') << num
        << "\n";
  }
  return out.str();
}

std::string format_stats_json(const AttrMap& reply) {
  const auto stats = decode_stats(stats_nest(reply));
  std::ostringstream out;
  out << '{';
  bool first = true;
  for (const auto& [type, value] : stats) {
    out << (first ? "" : ",") << '"' << stat_name(type) << "\":" << value;
    first = false;
  }
  out << "}\n";
  return out.str();
}

}  // namespace mlog
