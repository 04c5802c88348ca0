// SPDX-License-Identifier: GPL-2.0
// STATE_DIR/recoverd.addr: where mlog-recoverd runs now, as one JSON object
// {"node": "192.0.2.11", "port": 7700, "start": 3}.  "start" counts the
// recoverd's starts, so a daemon sees that it was restarted.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "address.h"

namespace mlog::common {

struct RecoverdAddr {
  rpc::Address address;
  std::uint64_t start = 0;
};

std::string recoverd_addr_path(const std::string& state_dir);
// Throws std::runtime_error with a one-line reason.
std::string encode_recoverd_addr(const RecoverdAddr& a);
RecoverdAddr decode_recoverd_addr(const std::string& text);
// nullopt when the file does not exist; throws when it is malformed.
std::optional<RecoverdAddr> read_recoverd_addr(const std::string& state_dir);
// Written to a temporary file, fsync'ed and renamed into place.
void write_recoverd_addr(const std::string& state_dir, const RecoverdAddr& a);

// This node's address and id from the module (NODE_GET); throws
// ModuleNotLoaded, or std::runtime_error when the node is not configured.
struct LocalNode {
  NodeAddr addr{};
  std::uint32_t id = 0;
};
LocalNode local_node();

}  // namespace mlog::common
