// SPDX-License-Identifier: GPL-2.0
#include "recovery_nl.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "attr_decode.h"
#include "text_table.h"

namespace mlog {

RouteInfo decode_route(const Attr& nest) {
  const AttrMap a = nest.nested();
  RouteInfo r;
  r.host = require(get_u32(a, MLOG_ROUTE_HOST, "MLOG_ROUTE_HOST"), "route", "MLOG_ROUTE_HOST");
  r.node = get_addr(a, MLOG_ROUTE_NODE, "MLOG_ROUTE_NODE").value_or(NodeAddr{});
  r.incarnation = get_u32(a, MLOG_ROUTE_INCARNATION, "MLOG_ROUTE_INCARNATION").value_or(0);
  r.state = get_u32(a, MLOG_ROUTE_STATE, "MLOG_ROUTE_STATE").value_or(0);
  r.replayed = get_u64(a, MLOG_ROUTE_REPLAYED, "MLOG_ROUTE_REPLAYED").value_or(0);
  r.local = a.contains(MLOG_ROUTE_LOCAL);
  return r;
}

std::vector<RouteInfo> decode_routes(const std::vector<AttrMap>& dump) {
  std::vector<RouteInfo> out;
  for (const auto& msg : dump)
    if (auto it = msg.find(MLOG_ATTR_ROUTE); it != msg.end())
      out.push_back(decode_route(it->second));
  std::stable_sort(out.begin(), out.end(),
                   [](const RouteInfo& a, const RouteInfo& b) { return a.host < b.host; });
  return out;
}

std::string route_state_name(uint32_t state) {
  switch (state) {
    case MLOG_ROUTE_LIVE:
      return "live";
    case MLOG_ROUTE_RECOVERING:
      return "recovering";
    default:
      return "unknown(" + std::to_string(state) + ")";
  }
}

std::string format_routes_text(const std::vector<RouteInfo>& routes) {
  Table t({{"HOST", true},
           {"NODE", false},
           {"INCARNATION", true},
           {"STATE", false},
           {"REPLAYED", true},
           {"LOCAL", false}});
  for (const auto& r : routes)
    t.add({std::to_string(r.host), format_node_addr(r.node), std::to_string(r.incarnation),
           route_state_name(r.state), std::to_string(r.replayed), r.local ? "yes" : "no"});
  return t.render();
}

std::string format_routes_json(const std::vector<RouteInfo>& routes) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& r : routes)
    out.push_back({{"host", r.host},
                   {"node", format_node_addr(r.node)},
                   {"incarnation", r.incarnation},
                   {"state", route_state_name(r.state)},
                   {"replayed", r.replayed},
                   {"local", r.local}});
  return out.dump() + "\n";
}

Request route_set_request(const RouteSet& r) {
  Nest n;
  n.u32(MLOG_ROUTE_HOST, r.host);
  n.bytes(MLOG_ROUTE_NODE, r.node.data(), r.node.size());
  if (r.incarnation) n.u32(MLOG_ROUTE_INCARNATION, *r.incarnation);
  if (r.state) n.u32(MLOG_ROUTE_STATE, *r.state);
  if (r.replayed) n.u64(MLOG_ROUTE_REPLAYED, *r.replayed);
  return Request(MLOG_CMD_ROUTE_SET).nest(MLOG_ATTR_ROUTE, n);
}

Request route_del_request(uint32_t host) {
  return Request(MLOG_CMD_ROUTE_DEL).nest(MLOG_ATTR_ROUTE, Nest().u32(MLOG_ROUTE_HOST, host));
}

Request route_dump_request() { return Request(MLOG_CMD_ROUTE_GET); }

namespace {

// --opt VALUE pairs; a repeated option or one without a value is refused.
std::map<std::string, std::string> option_pairs(const std::vector<std::string_view>& args,
                                                const std::string& what,
                                                const std::vector<std::string>& known) {
  std::map<std::string, std::string> out;
  for (size_t i = 0; i < args.size(); i += 2) {
    const std::string opt(args[i]);
    if (std::find(known.begin(), known.end(), opt) == known.end())
      throw UsageError(what + ": unknown option " + opt);
    if (i + 1 >= args.size()) throw UsageError(what + ": " + opt + " needs a value");
    if (!out.emplace(opt, std::string(args[i + 1])).second)
      throw UsageError(what + ": " + opt + " given twice");
  }
  return out;
}

uint32_t host_option(const std::map<std::string, std::string>& o, const std::string& what) {
  auto it = o.find("--host");
  if (it == o.end()) throw UsageError(what + ": give --host H");
  const auto h = parse_uint(it->second, 1, UINT32_MAX);
  if (!h) throw UsageError(what + ": --host wants 1..4294967295, got " + it->second);
  return static_cast<uint32_t>(*h);
}

}  // namespace

Request parse_route_set(const std::vector<std::string_view>& args) {
  const std::string what = "route set";
  const auto o =
      option_pairs(args, what, {"--host", "--node", "--incarnation", "--state", "--replayed"});
  RouteSet r;
  r.host = host_option(o, what);
  auto node = o.find("--node");
  if (node == o.end()) throw UsageError(what + ": give --node ADDRESS");
  const auto addr = parse_node_addr(node->second);
  if (!addr) throw UsageError(what + ": not an IP address: " + node->second);
  r.node = *addr;
  if (auto it = o.find("--incarnation"); it != o.end()) {
    const auto v = parse_uint(it->second, 0, UINT32_MAX);
    if (!v) throw UsageError(what + ": --incarnation wants 0..4294967295, got " + it->second);
    r.incarnation = static_cast<uint32_t>(*v);
  }
  if (auto it = o.find("--state"); it != o.end()) {
    if (it->second == "live")
      r.state = MLOG_ROUTE_LIVE;
    else if (it->second == "recovering")
      r.state = MLOG_ROUTE_RECOVERING;
    else
      throw UsageError(what + ": --state wants live or recovering, got " + it->second);
  }
  if (auto it = o.find("--replayed"); it != o.end()) {
    const auto v = parse_uint(it->second, 0, UINT64_MAX);
    if (!v) throw UsageError(what + ": --replayed wants an RSN, got " + it->second);
    r.replayed = *v;
  }
  return route_set_request(r);
}

Request parse_route_del(const std::vector<std::string_view>& args) {
  const auto o = option_pairs(args, "route del", {"--host"});
  return route_del_request(host_option(o, "route del"));
}

Request host_add_request(uint32_t index, uint32_t incarnation, uint32_t pid, bool replay) {
  Nest n;
  n.u32(MLOG_HOST_INDEX, index).u32(MLOG_HOST_INCARNATION, incarnation).u32(MLOG_HOST_PID, pid);
  if (replay) n.flag(MLOG_HOST_REPLAY);
  return Request(MLOG_CMD_HOST_ADD).nest(MLOG_ATTR_HOST, n);
}

Request host_del_request(uint32_t index) {
  return Request(MLOG_CMD_HOST_DEL).nest(MLOG_ATTR_HOST, Nest().u32(MLOG_HOST_INDEX, index));
}

Request host_get_request(uint32_t index) {
  return Request(MLOG_CMD_HOST_GET).nest(MLOG_ATTR_HOST, Nest().u32(MLOG_HOST_INDEX, index));
}

Request log_purge_sender_request(uint32_t src_host) {
  return Request(MLOG_CMD_LOG_PURGE)
      .nest(MLOG_ATTR_LOG_ENTRY, Nest().u32(MLOG_ENTRY_SRC_HOST, src_host));
}

Request log_get_request(uint32_t dst_host, uint64_t from_rsn, bool data) {
  Nest n;
  n.u32(MLOG_ENTRY_DST_HOST, dst_host).u64(MLOG_ENTRY_RSN, from_rsn);
  if (data) n.flag(MLOG_ENTRY_DATA);
  return Request(MLOG_CMD_LOG_GET).nest(MLOG_ATTR_LOG_ENTRY, n);
}

std::vector<LoggedMessage> decode_logged_messages(const std::vector<AttrList>& dump) {
  std::vector<LoggedMessage> out;
  for (const AttrList& msg : dump) {
    auto e = decode_log_message(msg);
    if (!e) continue;
    LoggedMessage m;
    if (e->data) m.data = std::move(*e->data);
    e->data.reset();
    m.entry = std::move(*e);
    out.push_back(std::move(m));
  }
  return out;
}

Request replay_push_request(const LogEntry& e, std::span<const uint8_t> data) {
  Nest n;
  n.u32(MLOG_ENTRY_DST_HOST, e.dst_host)
      .u32(MLOG_ENTRY_SRC_HOST, e.src_host)
      .u16(MLOG_ENTRY_SRC_PORT, e.src_port)
      .u16(MLOG_ENTRY_DST_PORT, e.dst_port)
      .u64(MLOG_ENTRY_SSN, e.ssn)
      .u64(MLOG_ENTRY_INTERVAL, e.interval)
      .u64(MLOG_ENTRY_RSN, e.rsn)
      .u32(MLOG_ENTRY_LEN, static_cast<uint32_t>(data.size()))
      .u32(MLOG_ENTRY_SRC_EPOCH, e.src_epoch)
      .bytes(MLOG_ENTRY_SRC_NODE, e.src_node.data(), e.src_node.size());
  if (e.dgram) n.flag(MLOG_ENTRY_DGRAM);
  if (e.src_hostaddr) n.flag(MLOG_ENTRY_SRC_HOSTADDR);
  if (e.dst_hostaddr) n.flag(MLOG_ENTRY_DST_HOSTADDR);
  Request req(MLOG_CMD_REPLAY_PUSH);
  req.nest(MLOG_ATTR_LOG_ENTRY, n);
  for (size_t at = 0; at < data.size(); at += MLOG_DATA_CHUNK)
    req.bytes(MLOG_ATTR_DATA, data.data() + at,
              std::min<size_t>(MLOG_DATA_CHUNK, data.size() - at));
  return req;
}

Request replay_end_request(uint32_t host) {
  return Request(MLOG_CMD_REPLAY_END).nest(MLOG_ATTR_HOST, Nest().u32(MLOG_HOST_INDEX, host));
}

std::optional<HostInfo> decode_host_event(const Notification& n) {
  if (n.cmd != MLOG_CMD_EVENT_HOST) return std::nullopt;
  auto it = n.attrs.find(MLOG_ATTR_HOST);
  if (it == n.attrs.end()) throw MalformedMessage("host event without MLOG_ATTR_HOST");
  return decode_host(it->second);
}

std::optional<PeerEvent> decode_peer_state_event(const Notification& n) {
  if (n.cmd != MLOG_CMD_EVENT_PEER) return std::nullopt;
  auto it = n.attrs.find(MLOG_ATTR_PEER);
  if (it == n.attrs.end()) throw MalformedMessage("peer event without MLOG_ATTR_PEER");
  const AttrMap a = it->second.nested();
  PeerEvent e;
  e.addr = require(get_addr(a, MLOG_PEER_ADDR, "MLOG_PEER_ADDR"), "peer event", "MLOG_PEER_ADDR");
  e.state = get_u32(a, MLOG_PEER_STATE, "MLOG_PEER_STATE").value_or(0);
  return e;
}

}  // namespace mlog
