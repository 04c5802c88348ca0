// SPDX-License-Identifier: GPL-2.0
// Typed access to the attributes of a reply, with errors that name the
// attribute (MLOG_PEER_TX_FRAMES...) so a malformed reply is easy to trace.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "genl_client.h"
#include "node_addr.h"

namespace mlog {

// Each returns nullopt if @type is absent and throws MalformedMessage
// ("malformed attribute NAME: N bytes, expected M") if its payload has the
// wrong size.
std::optional<uint8_t> get_u8(const AttrMap& attrs, int type, std::string_view name);
std::optional<uint16_t> get_u16(const AttrMap& attrs, int type, std::string_view name);
std::optional<uint32_t> get_u32(const AttrMap& attrs, int type, std::string_view name);
std::optional<uint64_t> get_u64(const AttrMap& attrs, int type, std::string_view name);
std::optional<NodeAddr> get_addr(const AttrMap& attrs, int type, std::string_view name);

// The value of an attribute that must be present; throws MalformedMessage
// ("WHAT without NAME") otherwise.
template <typename T>
T require(std::optional<T> v, std::string_view what, std::string_view name) {
  if (!v) throw MalformedMessage(std::string(what) + " without " + std::string(name));
  return *v;
}

}  // namespace mlog
