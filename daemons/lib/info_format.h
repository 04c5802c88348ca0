// SPDX-License-Identifier: GPL-2.0
// Decoding and rendering of the PEER_GET and SOCK_GET dumps and of the
// peer events of the "events" multicast group.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "genl_client.h"
#include "node_addr.h"

namespace mlog {

// One MLOG_ATTR_PEER nest.
struct PeerInfo {
  NodeAddr addr{};
  uint32_t state = 0;                     // enum mlog_peer_state
  std::optional<uint64_t> last_heard_ms;  // nullopt: never heard from
  uint64_t tx_frames = 0;
  uint64_t rx_frames = 0;
  uint64_t retransmits = 0;
};

// One MLOG_SOCK_FLOW nest: the transport state of a SOCK_RDM flow.
// Window sizes count message costs (bytes plus a per-fragment overhead).
struct FlowInfo {
  NodeAddr addr{};    // remote node
  uint16_t port = 0;  // remote AF_MLOG port
  uint64_t next_ssn = 0;
  uint64_t snd_una = 0;
  uint64_t snd_nxt = 0;
  uint64_t rcv_nxt = 0;
  uint32_t inflight = 0;
  uint32_t cwnd = 0;
  std::optional<uint32_t> ssthresh;  // nullopt: no loss yet (sent as U32_MAX)
  uint32_t peer_window = 0;
  uint32_t srtt_us = 0;  // 0: no RTT sample yet
  uint32_t rttvar_us = 0;
  uint32_t rto_us = 0;
  uint32_t timeouts = 0;  // consecutive retransmission timeouts
};

// One MLOG_ATTR_SOCK nest.
struct SockInfo {
  uint16_t port = 0;
  uint32_t type = 0;  // SOCK_DGRAM or SOCK_RDM
  uint64_t inode = 0;
  uint32_t flows = 0;
  uint64_t tx_queued = 0;
  uint64_t rx_queued = 0;
  uint64_t tx_msgs = 0;
  uint64_t rx_msgs = 0;
  uint64_t retransmits = 0;
  uint64_t rx_dup = 0;
  uint64_t rx_drops = 0;
  std::vector<FlowInfo> flows_detail;  // the MLOG_SOCK_FLOW nests, in dump order
  bool flows_truncated = false;        // MLOG_SOCK_FLOWS_TRUNCATED: some left out
};

// Decode one nest.  MLOG_PEER_ADDR and MLOG_PEER_STATE (MLOG_SOCK_PORT and
// MLOG_SOCK_TYPE, MLOG_FLOW_ADDR and MLOG_FLOW_PORT) are required, absent
// counters read as 0, unknown attribute types are ignored; a missing
// required attribute or one of the wrong size throws MalformedMessage
// naming it.  decode_sock() decodes the socket's flow nests too.
PeerInfo decode_peer(const Attr& nest);
SockInfo decode_sock(const Attr& nest);
FlowInfo decode_flow(const Attr& nest);

// Decode a whole dump (one AttrMap per message).  Messages without the
// nest are skipped.  Peers come sorted by address, sockets by port.
std::vector<PeerInfo> decode_peers(const std::vector<AttrMap>& dump);
std::vector<SockInfo> decode_socks(const std::vector<AttrMap>& dump);

// The peer of a MLOG_CMD_EVENT_PEER notification; nullopt for
// notifications of other commands (newer kernels may send more kinds).
std::optional<PeerInfo> decode_peer_event(const Notification& n);

// "alive", "suspected", or "unknown(N)".
std::string peer_state_name(uint32_t state);
// "dgram", "rdm", or "unknown(N)".
std::string sock_type_name(uint32_t type);
// A duration for people: "350ms", "2.5s", "1m05s", "2h03m", "3d04h".
std::string format_duration_ms(uint64_t ms);
// One flow as "192.0.2.12:5000 next_ssn:51 snd_una:49 ... timeouts:0".
std::string format_flow_text(const FlowInfo& f);

// Tables with a header line; JSON as one array document.  In the socket
// table each flow gets an indented line under its socket; in JSON each
// socket has "flows_truncated" and a "flows_detail" array.
std::string format_peers_text(const std::vector<PeerInfo>& peers);
std::string format_peers_json(const std::vector<PeerInfo>& peers);
std::string format_socks_text(const std::vector<SockInfo>& socks);
std::string format_socks_json(const std::vector<SockInfo>& socks);

// One line per event: "peer 192.0.2.12 suspected" or a JSON object.
std::string format_peer_event_text(const PeerInfo& peer);
std::string format_peer_event_json(const PeerInfo& peer);

}  // namespace mlog
