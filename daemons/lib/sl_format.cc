// SPDX-License-Identifier: GPL-2.0
#include "sl_format.h"

#include <algorithm>
#include <sstream>

#include "attr_decode.h"
#include "status_format.h"
#include "text_table.h"

namespace mlog {

namespace {

// Bytes of message shown in the DATA column of the text table.
constexpr size_t kTextDataBytes = 32;

std::optional<bool> get_switch(const AttrMap& a, int type, std::string_view name) {
  const auto v = get_u8(a, type, name);
  if (!v) return std::nullopt;
  return *v != 0;
}

const char* on_off(bool v) { return v ? "on" : "off"; }
const char* json_bool(bool v) { return v ? "true" : "false"; }

std::string host_json_fields(const HostInfo& h) {
  std::ostringstream out;
  out << "\"index\":" << h.index << ",\"incarnation\":" << h.incarnation << ",\"pidns\":" << h.pidns
      << ",\"rsn\":" << h.rsn << ",\"ssn\":" << h.ssn << ",\"deps\":{";
  bool first = true;
  for (const auto& [host, interval] : h.deps) {
    out << (first ? "\"" : ",\"") << host << "\":" << interval;
    first = false;
  }
  out << "},\"unacked\":" << h.unacked << ",\"history\":" << h.history
      << ",\"sockets\":" << h.sockets << ",\"tx_plain\":" << h.tx_plain
      << ",\"tx_piggyback\":" << h.tx_piggyback << ",\"tx_delayed\":" << h.tx_delayed;
  return out.str();
}

Table hosts_table() {
  return Table({{"INDEX", true},
                {"INCARNATION", true},
                {"PIDNS", true},
                {"RSN", true},
                {"SSN", true},
                {"UNACKED", true},
                {"HISTORY", true},
                {"SOCKETS", true},
                {"TX-PLAIN", true},
                {"TX-PIGGYBACK", true},
                {"TX-DELAYED", true},
                {"DEPS", false}});
}

void add_host_row(Table& t, const HostInfo& h) {
  t.add({std::to_string(h.index), std::to_string(h.incarnation), std::to_string(h.pidns),
         std::to_string(h.rsn), std::to_string(h.ssn), std::to_string(h.unacked),
         std::to_string(h.history), std::to_string(h.sockets), std::to_string(h.tx_plain),
         std::to_string(h.tx_piggyback), std::to_string(h.tx_delayed), format_deps(h.deps)});
}

// The fields of a LogInfo that are present, in a fixed order, as
// (name, text value, JSON value).
struct LogField {
  const char* name;
  std::string text;
  std::string json;
};

std::vector<LogField> log_fields(const LogInfo& l) {
  std::vector<LogField> f;
  auto num = [&](const char* name, const auto& v) {
    if (v) f.push_back({name, std::to_string(*v), std::to_string(*v)});
  };
  auto sw = [&](const char* name, const std::optional<bool>& v) {
    if (v) f.push_back({name, on_off(*v), json_bool(*v)});
  };
  num("max_bytes", l.max_bytes);
  num("bytes", l.bytes);
  num("entries", l.entries);
  num("block_size", l.block_size);
  sw("piggyback", l.piggyback);
  sw("ranges", l.ranges);
  num("rsn_delay_us", l.rsn_delay_us);
  sw("pressure", l.pressure);
  return f;
}

template <typename T, typename Decode>
std::vector<T> decode_dump(const std::vector<AttrMap>& dump, int attr, Decode decode) {
  std::vector<T> out;
  for (const auto& msg : dump)
    if (auto it = msg.find(attr); it != msg.end()) out.push_back(decode(it->second));
  return out;
}

}  // namespace

HostInfo decode_host(const Attr& nest) {
  const AttrMap a = nest.nested();
  HostInfo h;
  h.index = require(get_u32(a, MLOG_HOST_INDEX, "MLOG_HOST_INDEX"), "host", "MLOG_HOST_INDEX");
  h.incarnation = get_u32(a, MLOG_HOST_INCARNATION, "MLOG_HOST_INCARNATION").value_or(0);
  h.pidns = get_u64(a, MLOG_HOST_PIDNS, "MLOG_HOST_PIDNS").value_or(0);
  h.rsn = get_u64(a, MLOG_HOST_RSN, "MLOG_HOST_RSN").value_or(0);
  h.ssn = get_u64(a, MLOG_HOST_SSN, "MLOG_HOST_SSN").value_or(0);
  if (auto it = a.find(MLOG_HOST_DEPS); it != a.end()) {
    for (const auto& [type, dep] : it->second.nested_list()) {
      if (type != MLOG_HOST_DEP) continue;
      const AttrMap d = dep.nested();
      const uint32_t host =
          require(get_u32(d, MLOG_DEP_HOST, "MLOG_DEP_HOST"), "dependency", "MLOG_DEP_HOST");
      h.deps[host] = get_u64(d, MLOG_DEP_INTERVAL, "MLOG_DEP_INTERVAL").value_or(0);
    }
  }
  h.unacked = get_u32(a, MLOG_HOST_UNACKED, "MLOG_HOST_UNACKED").value_or(0);
  h.history = get_u32(a, MLOG_HOST_HISTORY, "MLOG_HOST_HISTORY").value_or(0);
  h.sockets = get_u32(a, MLOG_HOST_SOCKETS, "MLOG_HOST_SOCKETS").value_or(0);
  h.tx_plain = get_u64(a, MLOG_HOST_TX_PLAIN, "MLOG_HOST_TX_PLAIN").value_or(0);
  h.tx_piggyback = get_u64(a, MLOG_HOST_TX_PIGGYBACK, "MLOG_HOST_TX_PIGGYBACK").value_or(0);
  h.tx_delayed = get_u64(a, MLOG_HOST_TX_DELAYED, "MLOG_HOST_TX_DELAYED").value_or(0);
  if (auto it = a.find(MLOG_HOST_REPLAYING); it != a.end()) {
    if (it->second.data.size() != 1)
      throw MalformedMessage("malformed attribute MLOG_HOST_REPLAYING: " +
                             std::to_string(it->second.data.size()) + " bytes, expected 1");
    h.replaying = it->second.data[0] != 0;
  }
  h.replay_queued = get_u32(a, MLOG_HOST_REPLAY_QUEUED, "MLOG_HOST_REPLAY_QUEUED").value_or(0);
  h.replayed = get_u64(a, MLOG_HOST_REPLAYED, "MLOG_HOST_REPLAYED").value_or(0);
  h.pend_first = get_u64(a, MLOG_HOST_PEND_FIRST, "MLOG_HOST_PEND_FIRST");
  return h;
}

LogEntry decode_log_entry(const Attr& nest) {
  const AttrMap a = nest.nested();
  LogEntry e;
  e.src_host = require(get_u32(a, MLOG_ENTRY_SRC_HOST, "MLOG_ENTRY_SRC_HOST"), "log entry",
                       "MLOG_ENTRY_SRC_HOST");
  e.state =
      require(get_u32(a, MLOG_ENTRY_STATE, "MLOG_ENTRY_STATE"), "log entry", "MLOG_ENTRY_STATE");
  e.dst_host = get_u32(a, MLOG_ENTRY_DST_HOST, "MLOG_ENTRY_DST_HOST").value_or(0);
  e.dst_node = get_addr(a, MLOG_ENTRY_DST_NODE, "MLOG_ENTRY_DST_NODE").value_or(NodeAddr{});
  e.dst_port = get_u16(a, MLOG_ENTRY_DST_PORT, "MLOG_ENTRY_DST_PORT").value_or(0);
  e.src_port = get_u16(a, MLOG_ENTRY_SRC_PORT, "MLOG_ENTRY_SRC_PORT").value_or(0);
  e.ssn = get_u64(a, MLOG_ENTRY_SSN, "MLOG_ENTRY_SSN").value_or(0);
  e.host_ssn = get_u64(a, MLOG_ENTRY_HOST_SSN, "MLOG_ENTRY_HOST_SSN").value_or(0);
  e.interval = get_u64(a, MLOG_ENTRY_INTERVAL, "MLOG_ENTRY_INTERVAL").value_or(0);
  e.rsn = get_u64(a, MLOG_ENTRY_RSN, "MLOG_ENTRY_RSN").value_or(0);
  e.len = get_u32(a, MLOG_ENTRY_LEN, "MLOG_ENTRY_LEN").value_or(0);
  e.extra_rsns = get_u32(a, MLOG_ENTRY_EXTRA_RSNS, "MLOG_ENTRY_EXTRA_RSNS").value_or(0);
  if (auto it = a.find(MLOG_ENTRY_DGRAM); it != a.end()) {
    if (!it->second.data.empty())
      throw MalformedMessage("malformed attribute MLOG_ENTRY_DGRAM: " +
                             std::to_string(it->second.data.size()) + " bytes, expected 0");
    e.dgram = true;
  }
  e.src_epoch = get_u32(a, MLOG_ENTRY_SRC_EPOCH, "MLOG_ENTRY_SRC_EPOCH").value_or(0);
  e.src_hostaddr = a.contains(MLOG_ENTRY_SRC_HOSTADDR);
  e.dst_hostaddr = a.contains(MLOG_ENTRY_DST_HOSTADDR);
  e.src_node = get_addr(a, MLOG_ENTRY_SRC_NODE, "MLOG_ENTRY_SRC_NODE").value_or(NodeAddr{});
  return e;
}

HistRun decode_hist_run(const Attr& nest) {
  const AttrMap a = nest.nested();
  HistRun r;
  r.host = require(get_u32(a, MLOG_HIST_HOST, "MLOG_HIST_HOST"), "history run", "MLOG_HIST_HOST");
  r.rsn = require(get_u64(a, MLOG_HIST_RSN, "MLOG_HIST_RSN"), "history run", "MLOG_HIST_RSN");
  r.src_host = get_u32(a, MLOG_HIST_SRC_HOST, "MLOG_HIST_SRC_HOST").value_or(0);
  r.node = get_addr(a, MLOG_HIST_NODE, "MLOG_HIST_NODE").value_or(NodeAddr{});
  r.port = get_u16(a, MLOG_HIST_PORT, "MLOG_HIST_PORT").value_or(0);
  r.lport = get_u16(a, MLOG_HIST_LPORT, "MLOG_HIST_LPORT").value_or(0);
  r.ssn = get_u64(a, MLOG_HIST_SSN, "MLOG_HIST_SSN").value_or(0);
  r.count = get_u32(a, MLOG_HIST_COUNT, "MLOG_HIST_COUNT").value_or(0);
  r.interval = get_u64(a, MLOG_HIST_INTERVAL, "MLOG_HIST_INTERVAL").value_or(0);
  return r;
}

LogInfo decode_log_info(const Attr& nest) {
  const AttrMap a = nest.nested();
  LogInfo l;
  l.max_bytes = get_u64(a, MLOG_LOG_MAX_BYTES, "MLOG_LOG_MAX_BYTES");
  l.bytes = get_u64(a, MLOG_LOG_BYTES, "MLOG_LOG_BYTES");
  l.entries = get_u64(a, MLOG_LOG_ENTRIES, "MLOG_LOG_ENTRIES");
  l.piggyback = get_switch(a, MLOG_LOG_PIGGYBACK, "MLOG_LOG_PIGGYBACK");
  l.ranges = get_switch(a, MLOG_LOG_RANGES, "MLOG_LOG_RANGES");
  l.rsn_delay_us = get_u32(a, MLOG_LOG_RSN_DELAY_US, "MLOG_LOG_RSN_DELAY_US");
  l.block_size = get_u32(a, MLOG_LOG_BLOCK_SIZE, "MLOG_LOG_BLOCK_SIZE");
  l.pressure = get_switch(a, MLOG_LOG_PRESSURE, "MLOG_LOG_PRESSURE");
  return l;
}

std::vector<HostInfo> decode_hosts(const std::vector<AttrMap>& dump) {
  auto hosts = decode_dump<HostInfo>(dump, MLOG_ATTR_HOST, decode_host);
  std::stable_sort(hosts.begin(), hosts.end(),
                   [](const HostInfo& a, const HostInfo& b) { return a.index < b.index; });
  return hosts;
}

std::optional<LogEntry> decode_log_message(const AttrList& msg) {
  std::optional<LogEntry> e;
  std::optional<std::vector<uint8_t>> data;
  for (const auto& [type, attr] : msg) {
    if (type == MLOG_ATTR_LOG_ENTRY && !e) {
      e = decode_log_entry(attr);
    } else if (type == MLOG_ATTR_DATA) {
      if (!data) data.emplace();
      data->insert(data->end(), attr.data.begin(), attr.data.end());
    }
  }
  if (!e) {
    if (data) throw MalformedMessage("MLOG_ATTR_DATA without MLOG_ATTR_LOG_ENTRY");
    return std::nullopt;
  }
  if (data && data->size() != e->len)
    throw MalformedMessage("log entry of " + std::to_string(e->len) + " bytes carries " +
                           std::to_string(data->size()) + " bytes of MLOG_ATTR_DATA");
  e->data = std::move(data);
  return e;
}

std::vector<LogEntry> decode_log_entries(const std::vector<AttrList>& dump) {
  std::vector<LogEntry> out;
  for (const auto& msg : dump)
    if (auto e = decode_log_message(msg)) out.push_back(std::move(*e));
  return out;
}

std::vector<HistRun> decode_history(const std::vector<AttrMap>& dump) {
  return decode_dump<HistRun>(dump, MLOG_ATTR_HIST, decode_hist_run);
}

HostInfo reply_host(const AttrMap& reply, const char* what) {
  auto it = reply.find(MLOG_ATTR_HOST);
  if (it == reply.end())
    throw MalformedMessage(std::string(what) + " reply without MLOG_ATTR_HOST");
  return decode_host(it->second);
}

LogInfo reply_log(const AttrMap& reply, const char* what) {
  auto it = reply.find(MLOG_ATTR_LOG);
  if (it == reply.end()) throw MalformedMessage(std::string(what) + " reply without MLOG_ATTR_LOG");
  return decode_log_info(it->second);
}

uint64_t reply_purged(const AttrMap& reply) {
  const AttrMap a = [&] {
    auto it = reply.find(MLOG_ATTR_LOG);
    if (it == reply.end()) throw MalformedMessage("log purge reply without MLOG_ATTR_LOG");
    return it->second.nested();
  }();
  return require(get_u64(a, MLOG_LOG_ENTRIES, "MLOG_LOG_ENTRIES"), "log purge reply",
                 "MLOG_LOG_ENTRIES");
}

std::optional<LogInfo> decode_log_event(const Notification& n) {
  if (n.cmd != MLOG_CMD_EVENT_LOG) return std::nullopt;
  auto it = n.attrs.find(MLOG_ATTR_LOG);
  if (it == n.attrs.end()) throw MalformedMessage("log event without MLOG_ATTR_LOG");
  return decode_log_info(it->second);
}

std::string entry_state_name(uint32_t state) {
  switch (state) {
    case MLOG_ENTRY_PARTIAL:
      return "partial";
    case MLOG_ENTRY_FULL:
      return "full";
    default:
      return "unknown(" + std::to_string(state) + ")";
  }
}

std::string hex_string(std::span<const uint8_t> bytes) {
  static const char* hex = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const uint8_t b : bytes) {
    out += hex[b >> 4];
    out += hex[b & 15];
  }
  return out;
}

std::string format_deps(const std::map<uint32_t, uint64_t>& deps) {
  if (deps.empty()) return "-";
  std::string out;
  for (const auto& [host, interval] : deps)
    out += (out.empty() ? "" : ",") + std::to_string(host) + ":" + std::to_string(interval);
  return out;
}

std::string format_hosts_text(const std::vector<HostInfo>& hosts) {
  Table t = hosts_table();
  for (const auto& h : hosts) add_host_row(t, h);
  return t.render();
}

std::string format_hosts_json(const std::vector<HostInfo>& hosts) {
  std::string out = "[";
  for (size_t i = 0; i < hosts.size(); ++i)
    out += (i ? ",{" : "{") + host_json_fields(hosts[i]) + "}";
  return out + "]\n";
}

std::string format_host_text(const HostInfo& host) { return format_hosts_text({host}); }

std::string format_host_json(const HostInfo& host) { return "{" + host_json_fields(host) + "}\n"; }

std::string format_log_entries_text(const std::vector<LogEntry>& entries, bool with_data) {
  std::vector<Table::Column> columns = {
      {"SRC-HOST", true}, {"DST-HOST", true}, {"DST-NODE", false}, {"DST-PORT", true},
      {"SRC-PORT", true}, {"SSN", true},      {"HOST-SSN", true},  {"INTERVAL", true},
      {"RSN", true},      {"STATE", false},   {"LEN", true},       {"EXTRA-RSNS", true},
      {"TYPE", false}};
  if (with_data) columns.push_back({"DATA", false});
  Table t(std::move(columns));
  for (const auto& e : entries) {
    std::vector<std::string> row = {std::to_string(e.src_host),
                                    e.dst_host ? std::to_string(e.dst_host) : "-",
                                    format_node_addr(e.dst_node),
                                    std::to_string(e.dst_port),
                                    std::to_string(e.src_port),
                                    std::to_string(e.ssn),
                                    std::to_string(e.host_ssn),
                                    std::to_string(e.interval),
                                    e.state == MLOG_ENTRY_PARTIAL ? "-" : std::to_string(e.rsn),
                                    entry_state_name(e.state),
                                    std::to_string(e.len),
                                    std::to_string(e.extra_rsns),
                                    e.dgram ? "dgram" : "rdm"};
    if (with_data) {
      const std::vector<uint8_t> data = e.data.value_or(std::vector<uint8_t>{});
      std::string cell = hex_string(std::span(data).first(std::min(data.size(), kTextDataBytes)));
      if (data.size() > kTextDataBytes) cell += "...";
      row.push_back(cell.empty() ? "-" : cell);
    }
    t.add(std::move(row));
  }
  return t.render();
}

std::string format_log_entries_json(const std::vector<LogEntry>& entries, bool with_data) {
  std::ostringstream out;
  out << '[';
  for (size_t i = 0; i < entries.size(); ++i) {
    const LogEntry& e = entries[i];
    out << (i ? ",{" : "{") << "\"src_host\":" << e.src_host << ",\"dst_host\":" << e.dst_host
        << ",\"dst_node\":" << json_quote(format_node_addr(e.dst_node))
        << ",\"dst_port\":" << e.dst_port << ",\"src_port\":" << e.src_port << ",\"ssn\":" << e.ssn
        << ",\"host_ssn\":" << e.host_ssn << ",\"interval\":" << e.interval << ",\"rsn\":" << e.rsn
        << ",\"state\":" << json_quote(entry_state_name(e.state)) << ",\"len\":" << e.len
        << ",\"extra_rsns\":" << e.extra_rsns << ",\"dgram\":" << json_bool(e.dgram);
    if (with_data) out << ",\"data\":\"" << (e.data ? hex_string(*e.data) : std::string()) << '"';
    out << '}';
  }
  out << "]\n";
  return out.str();
}

std::string format_history_text(const std::vector<HistRun>& runs) {
  Table t({{"HOST", true},
           {"SRC-HOST", true},
           {"NODE", false},
           {"PORT", true},
           {"LPORT", true},
           {"SSN", true},
           {"RSN", true},
           {"COUNT", true},
           {"INTERVAL", true}});
  for (const auto& r : runs)
    t.add({std::to_string(r.host), r.src_host ? std::to_string(r.src_host) : "-",
           format_node_addr(r.node), std::to_string(r.port), std::to_string(r.lport),
           std::to_string(r.ssn), std::to_string(r.rsn), std::to_string(r.count),
           std::to_string(r.interval)});
  return t.render();
}

std::string format_history_json(const std::vector<HistRun>& runs) {
  std::ostringstream out;
  out << '[';
  for (size_t i = 0; i < runs.size(); ++i) {
    const HistRun& r = runs[i];
    out << (i ? ",{" : "{") << "\"host\":" << r.host << ",\"src_host\":" << r.src_host
        << ",\"node\":" << json_quote(format_node_addr(r.node)) << ",\"port\":" << r.port
        << ",\"lport\":" << r.lport << ",\"ssn\":" << r.ssn << ",\"rsn\":" << r.rsn
        << ",\"count\":" << r.count << ",\"interval\":" << r.interval << '}';
  }
  out << "]\n";
  return out.str();
}

std::string format_log_info_text(const LogInfo& log) {
  const auto fields = log_fields(log);
  size_t name_width = 0;
  size_t value_width = 0;
  for (const auto& f : fields) {
    name_width = std::max(name_width, std::string_view(f.name).size());
    value_width = std::max(value_width, f.text.size());
  }
  std::string out;
  for (const auto& f : fields) {
    const std::string name = f.name;
    out += name + std::string(name_width - name.size() + 2 + value_width - f.text.size(), ' ') +
           f.text + "\n";
  }
  return out;
}

std::string format_log_info_json(const LogInfo& log) {
  std::string out = "{";
  for (const auto& f : log_fields(log))
    out += (out.size() > 1 ? ",\"" : "\"") + std::string(f.name) + "\":" + f.json;
  return out + "}\n";
}

std::string format_log_info_line(const LogInfo& log) {
  std::vector<std::string> parts;
  if (log.entries) parts.push_back(std::to_string(*log.entries) + " entries");
  if (log.bytes && log.max_bytes)
    parts.push_back(std::to_string(*log.bytes) + " of " + std::to_string(*log.max_bytes) +
                    " bytes");
  else if (log.bytes)
    parts.push_back(std::to_string(*log.bytes) + " bytes");
  else if (log.max_bytes)
    parts.push_back("cap " + std::to_string(*log.max_bytes) + " bytes");
  if (log.piggyback) parts.push_back(std::string("piggyback ") + on_off(*log.piggyback));
  if (log.ranges) parts.push_back(std::string("ranges ") + on_off(*log.ranges));
  if (log.rsn_delay_us) parts.push_back("rsn delay " + std::to_string(*log.rsn_delay_us) + "us");
  std::string out = "log:";
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? ", " : " ") + parts[i];
  return out + "\n";
}

std::string format_purged_text(uint64_t purged) {
  return "purged " + std::to_string(purged) + (purged == 1 ? " log entry\n" : " log entries\n");
}

std::string format_purged_json(uint64_t purged) {
  return "{\"purged\":" + std::to_string(purged) + "}\n";
}

std::string format_log_event_text(const LogInfo& log) {
  std::string out = "log pressure ";
  out += log.pressure ? on_off(*log.pressure) : "unknown";
  out += ": " + std::to_string(log.bytes.value_or(0)) + " of " +
         std::to_string(log.max_bytes.value_or(0)) + " bytes\n";
  return out;
}

std::string format_log_event_json(const LogInfo& log) {
  return "{\"event\":\"log\",\"bytes\":" + std::to_string(log.bytes.value_or(0)) +
         ",\"max_bytes\":" + std::to_string(log.max_bytes.value_or(0)) +
         ",\"pressure\":" + json_bool(log.pressure.value_or(false)) + "}\n";
}

}  // namespace mlog
