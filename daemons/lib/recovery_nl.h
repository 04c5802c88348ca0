// SPDX-License-Identifier: GPL-2.0
// The recovery commands of the "mlog" family (Documentation/recovery.rst):
// routes, replay, and the host and log requests the daemons make, built
// as requests and decoded from replies.  mlogctl's "route" commands and
// the daemons share them.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "cli_args.h"
#include "genl_client.h"
#include "node_addr.h"
#include "sl_format.h"

namespace mlog {

// One MLOG_ATTR_ROUTE nest.
struct RouteInfo {
  uint32_t host = 0;
  NodeAddr node{};
  uint32_t incarnation = 0;
  uint32_t state = 0;  // enum mlog_route_state
  uint64_t replayed = 0;
  bool local = false;  // the host runs on this node
};

// MLOG_ROUTE_HOST is required; a missing one throws MalformedMessage.
RouteInfo decode_route(const Attr& nest);
// Sorted by host index; messages without MLOG_ATTR_ROUTE are skipped.
std::vector<RouteInfo> decode_routes(const std::vector<AttrMap>& dump);

// "live", "recovering", or "unknown(N)".
std::string route_state_name(uint32_t state);
std::string format_routes_text(const std::vector<RouteInfo>& routes);
std::string format_routes_json(const std::vector<RouteInfo>& routes);

struct RouteSet {
  uint32_t host = 0;
  NodeAddr node{};
  std::optional<uint32_t> incarnation;
  std::optional<uint32_t> state;
  std::optional<uint64_t> replayed;
};
Request route_set_request(const RouteSet& r);
Request route_del_request(uint32_t host);
Request route_dump_request();

// mlogctl: route set --host H --node ADDR [--incarnation I]
//          [--state live|recovering] [--replayed R]
Request parse_route_set(const std::vector<std::string_view>& args);
// mlogctl: route del --host H
Request parse_route_del(const std::vector<std::string_view>& args);

// Host requests of the daemons.
Request host_add_request(uint32_t index, uint32_t incarnation, uint32_t pid, bool replay);
Request host_del_request(uint32_t index);
Request host_get_request(uint32_t index);
Request log_purge_sender_request(uint32_t src_host);

// LOG_GET (dump) of the entries received by @dst_host from RSN @from_rsn,
// with the message bytes if @data.
Request log_get_request(uint32_t dst_host, uint64_t from_rsn, bool data);

// A logged message and its bytes: the MLOG_ATTR_LOG_ENTRY nest of one dump
// message with its MLOG_ATTR_DATA pieces joined in order
// (decode_log_message()).
struct LoggedMessage {
  LogEntry entry;
  std::vector<uint8_t> data;
};
// Throws MalformedMessage when the bytes do not add up to MLOG_ENTRY_LEN.
std::vector<LoggedMessage> decode_logged_messages(const std::vector<AttrList>& dump);

// REPLAY_PUSH of one logged message for the replaying host @e.dst_host:
// the entry nest and the bytes in MLOG_ATTR_DATA pieces of at most
// MLOG_DATA_CHUNK bytes.
Request replay_push_request(const LogEntry& e, std::span<const uint8_t> data);
// REPLAY_END of host @host (MLOG_ATTR_HOST with MLOG_HOST_INDEX).
Request replay_end_request(uint32_t host);

// The host of a MLOG_CMD_EVENT_HOST notification; nullopt for other ones.
std::optional<HostInfo> decode_host_event(const Notification& n);
// The peer address and state of a MLOG_CMD_EVENT_PEER notification.
struct PeerEvent {
  NodeAddr addr{};
  uint32_t state = 0;
};
std::optional<PeerEvent> decode_peer_state_event(const Notification& n);

}  // namespace mlog
