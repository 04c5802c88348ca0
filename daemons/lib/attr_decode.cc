// SPDX-License-Identifier: GPL-2.0
#include "attr_decode.h"

#include <cstring>

namespace mlog {

namespace {

template <typename T, size_t N = sizeof(T)>
std::optional<T> get_fixed(const AttrMap& attrs, int type, std::string_view name) {
  const auto it = attrs.find(type);
  if (it == attrs.end()) return std::nullopt;
  const auto& data = it->second.data;
  if (data.size() != N)
    throw MalformedMessage("malformed attribute " + std::string(name) + ": " +
                           std::to_string(data.size()) + " bytes, expected " + std::to_string(N));
  T v{};
  std::memcpy(&v, data.data(), N);
  return v;
}

}  // namespace

std::optional<uint8_t> get_u8(const AttrMap& attrs, int type, std::string_view name) {
  return get_fixed<uint8_t>(attrs, type, name);
}

std::optional<uint16_t> get_u16(const AttrMap& attrs, int type, std::string_view name) {
  return get_fixed<uint16_t>(attrs, type, name);
}

std::optional<uint32_t> get_u32(const AttrMap& attrs, int type, std::string_view name) {
  return get_fixed<uint32_t>(attrs, type, name);
}

std::optional<uint64_t> get_u64(const AttrMap& attrs, int type, std::string_view name) {
  return get_fixed<uint64_t>(attrs, type, name);
}

std::optional<NodeAddr> get_addr(const AttrMap& attrs, int type, std::string_view name) {
  return get_fixed<NodeAddr>(attrs, type, name);
}

}  // namespace mlog
