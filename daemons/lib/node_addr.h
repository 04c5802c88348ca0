// SPDX-License-Identifier: GPL-2.0
// Node addresses as mlog.ko sees them: 16 bytes, IPv4 stored v4-mapped.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mlog {

using NodeAddr = std::array<uint8_t, 16>;

// Parses "a.b.c.d" (stored as ::ffff:a.b.c.d) or an IPv6 literal.
std::optional<NodeAddr> parse_node_addr(std::string_view text);

// Formats an address: dotted quad for v4-mapped, IPv6 text otherwise.
std::string format_node_addr(const NodeAddr& addr);

// Parses a decimal integer in [lo, hi]; nullopt on junk or out of range.
std::optional<uint64_t> parse_uint(std::string_view text, uint64_t lo, uint64_t hi);

}  // namespace mlog
