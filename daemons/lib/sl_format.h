// SPDX-License-Identifier: GPL-2.0
// Decoding and rendering of the sender-based logging replies: protected
// hosts (HOST_GET), the message log (MLOG_ATTR_LOG, LOG_GET, LOG_PURGE),
// RSN histories (HIST_GET) and the log events of the "events" group.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "genl_client.h"
#include "node_addr.h"

namespace mlog {

// One MLOG_ATTR_HOST nest.
struct HostInfo {
  uint32_t index = 0;
  uint32_t incarnation = 0;
  uint64_t pidns = 0;  // inode of its PID namespace
  uint64_t rsn = 0;
  uint64_t ssn = 0;
  std::map<uint32_t, uint64_t> deps;  // host index -> interval depended on
  uint32_t unacked = 0;
  uint32_t history = 0;
  uint32_t sockets = 0;
  uint64_t tx_plain = 0;
  uint64_t tx_piggyback = 0;
  uint64_t tx_delayed = 0;
  // Recovery (Documentation/recovery.rst).
  bool replaying = false;
  uint32_t replay_queued = 0;
  uint64_t replayed = 0;
  std::optional<uint64_t> pend_first;  // oldest unacknowledged RSN, if any
};

// One MLOG_ATTR_LOG_ENTRY nest.
struct LogEntry {
  uint32_t src_host = 0;
  uint32_t dst_host = 0;  // 0 until the receiver answered
  NodeAddr dst_node{};
  uint16_t dst_port = 0;
  uint16_t src_port = 0;
  uint64_t ssn = 0;
  uint64_t host_ssn = 0;
  uint64_t interval = 0;
  uint64_t rsn = 0;
  uint32_t state = 0;  // enum mlog_entry_state
  uint32_t len = 0;
  std::optional<std::vector<uint8_t>> data;  // only if asked for (MLOG_ATTR_DATA)
  uint32_t extra_rsns = 0;
  bool dgram = false;  // MLOG_ENTRY_DGRAM: a SOCK_DGRAM message, ssn is the
                       // sending socket's datagram number
  uint32_t src_epoch = 0;
  bool src_hostaddr = false;  // sent from a host-form socket
  bool dst_hostaddr = false;  // sent to a host-form address
  NodeAddr src_node{};        // the sender's node: the node whose log it is
};

// One MLOG_ATTR_HIST nest: a run of RSNs a host assigned.
struct HistRun {
  uint32_t host = 0;
  uint32_t src_host = 0;
  NodeAddr node{};
  uint16_t port = 0;
  uint16_t lport = 0;
  uint64_t ssn = 0;
  uint64_t rsn = 0;
  uint32_t count = 0;
  uint64_t interval = 0;
};

// An MLOG_ATTR_LOG nest: settings and usage of the node's message log, or
// (with pressure) a log event.  Every field is optional: only what the
// kernel sent is printed.
struct LogInfo {
  std::optional<uint64_t> max_bytes;
  std::optional<uint64_t> bytes;
  std::optional<uint64_t> entries;
  std::optional<bool> piggyback;
  std::optional<bool> ranges;
  std::optional<uint32_t> rsn_delay_us;
  std::optional<uint32_t> block_size;
  std::optional<bool> pressure;
};

// Decode one nest.  MLOG_HOST_INDEX (MLOG_ENTRY_SRC_HOST and
// MLOG_ENTRY_STATE; MLOG_HIST_HOST and MLOG_HIST_RSN) are required, absent
// numbers read as 0, unknown attribute types are ignored; a missing
// required attribute or one of the wrong size throws MalformedMessage
// naming it.
HostInfo decode_host(const Attr& nest);
LogEntry decode_log_entry(const Attr& nest);
HistRun decode_hist_run(const Attr& nest);
LogInfo decode_log_info(const Attr& nest);

// One message of a LOG_GET dump, its attributes in order: the entry's
// nest and, if the data was asked for, the message's bytes, the
// MLOG_ATTR_DATA pieces after it joined in order (one empty piece for an
// empty message).  nullopt without the nest; MalformedMessage if the bytes
// do not add up to MLOG_ENTRY_LEN or come without a nest.
std::optional<LogEntry> decode_log_message(const AttrList& msg);

// Decode a whole dump (one AttrMap per message); messages without the nest
// are skipped.  Hosts come sorted by index; log entries and history runs
// in the order the kernel sent them (RSN order).
std::vector<HostInfo> decode_hosts(const std::vector<AttrMap>& dump);
std::vector<LogEntry> decode_log_entries(const std::vector<AttrList>& dump);
std::vector<HistRun> decode_history(const std::vector<AttrMap>& dump);

// The MLOG_ATTR_HOST (MLOG_ATTR_LOG) of a reply; throws MalformedMessage
// ("WHAT reply without MLOG_ATTR_HOST") if it is absent.
HostInfo reply_host(const AttrMap& reply, const char* what);
LogInfo reply_log(const AttrMap& reply, const char* what);
// MLOG_LOG_ENTRIES of a LOG_PURGE reply: how many entries went.
uint64_t reply_purged(const AttrMap& reply);

// The log of a MLOG_CMD_EVENT_LOG notification; nullopt for other
// commands.
std::optional<LogInfo> decode_log_event(const Notification& n);

// "partial", "full", or "unknown(N)".
std::string entry_state_name(uint32_t state);
// Lower-case hex, two digits a byte, no separators.
std::string hex_string(std::span<const uint8_t> bytes);
// "2:5,3:7" (host:interval, by host), "-" if empty.
std::string format_deps(const std::map<uint32_t, uint64_t>& deps);

// Tables with a header line; JSON as one array document.
std::string format_hosts_text(const std::vector<HostInfo>& hosts);
std::string format_hosts_json(const std::vector<HostInfo>& hosts);
// One host: the same table with one row; a JSON object.
std::string format_host_text(const HostInfo& host);
std::string format_host_json(const HostInfo& host);

// A TYPE column ("rdm" or "dgram") or a "dgram" key (true/false); with
// @with_data, a DATA column (text: the first 32 bytes in hex, "..." after
// them if there are more) or a "data" key (JSON: every byte in hex).
std::string format_log_entries_text(const std::vector<LogEntry>& entries, bool with_data);
std::string format_log_entries_json(const std::vector<LogEntry>& entries, bool with_data);

std::string format_history_text(const std::vector<HistRun>& runs);
std::string format_history_json(const std::vector<HistRun>& runs);

// "name  value" lines (text) or a JSON object, keys as in the struct;
// switches print as on/off (text) or true/false (JSON).
std::string format_log_info_text(const LogInfo& log);
std::string format_log_info_json(const LogInfo& log);
// The same on one line, for status: "log: 12 entries, 49152 of 67108864
// bytes, piggyback on, ranges on, rsn delay 500us".
std::string format_log_info_line(const LogInfo& log);

// "purged 12 log entries" or {"purged":12}.
std::string format_purged_text(uint64_t purged);
std::string format_purged_json(uint64_t purged);

// One line per event: "log pressure on: 60000 of 65536 bytes" or a JSON
// object {"event":"log","bytes":...,"max_bytes":...,"pressure":true}.
std::string format_log_event_text(const LogInfo& log);
std::string format_log_event_json(const LogInfo& log);

}  // namespace mlog
