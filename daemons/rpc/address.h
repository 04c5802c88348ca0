// SPDX-License-Identifier: GPL-2.0
// AF_MLOG addresses of the node port space, as the daemons use them.
#pragma once

#include <linux/mlog.h>

#include <compare>
#include <cstdint>
#include <string>

#include "mlog.pb.h"
#include "node_addr.h"

namespace mlog::rpc {

inline constexpr std::uint16_t kRecoverdPort = 7700;
inline constexpr std::uint16_t kCkptdPort = 7701;
inline constexpr std::uint16_t kLogdPort = 7702;
// Each daemon's heartbeat SOCK_DGRAM socket is bound to its RDM port + 10.
inline constexpr std::uint16_t kHeartbeatPortOffset = 10;

struct Address {
  NodeAddr node{};
  std::uint16_t port = 0;
  auto operator<=>(const Address&) const = default;
};

// "192.0.2.11:7701"
std::string to_string(const Address& a);
// A key for per-source state (reassembly).
std::string source_key(const Address& a);

pb::Endpoint to_endpoint(const Address& a);
// Throws std::invalid_argument unless the node is 16 bytes and the port
// fits 16 bits.
Address from_endpoint(const pb::Endpoint& e);
NodeAddr node_from_bytes(const std::string& bytes);
std::string node_bytes(const NodeAddr& node);

sockaddr_mlog to_sockaddr(const Address& a, int family);
Address from_sockaddr(const sockaddr_mlog& sa);

// The AF_MLOG family number from MLOG_SYSFS_FAMILY; throws
// ModuleNotLoaded when the module is not there.
int mlog_family();

}  // namespace mlog::rpc
