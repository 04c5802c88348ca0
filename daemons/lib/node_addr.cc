// SPDX-License-Identifier: GPL-2.0
#include "node_addr.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace mlog {

std::optional<NodeAddr> parse_node_addr(std::string_view text) {
  const std::string s(text);
  NodeAddr addr{};
  in_addr v4;
  if (inet_pton(AF_INET, s.c_str(), &v4) == 1) {
    addr[10] = 0xff;
    addr[11] = 0xff;
    std::memcpy(&addr[12], &v4, sizeof(v4));
    return addr;
  }
  in6_addr v6;
  if (inet_pton(AF_INET6, s.c_str(), &v6) == 1) {
    std::memcpy(addr.data(), &v6, sizeof(v6));
    return addr;
  }
  return std::nullopt;
}

std::string format_node_addr(const NodeAddr& addr) {
  char buf[INET6_ADDRSTRLEN];
  static constexpr uint8_t kV4Prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(addr.data(), kV4Prefix, sizeof(kV4Prefix)) == 0) {
    inet_ntop(AF_INET, &addr[12], buf, sizeof(buf));
  } else {
    inet_ntop(AF_INET6, addr.data(), buf, sizeof(buf));
  }
  return buf;
}

std::optional<uint64_t> parse_uint(std::string_view text, uint64_t lo, uint64_t hi) {
  uint64_t v = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (text.empty() || ec != std::errc() || ptr != end || v < lo || v > hi) return std::nullopt;
  return v;
}

}  // namespace mlog
