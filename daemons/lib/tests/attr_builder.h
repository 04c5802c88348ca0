// SPDX-License-Identifier: GPL-2.0
// Builds netlink attribute streams by hand, laid out as the kernel does
// (struct nlattr, payload, padding to 4 bytes), for the unit tests.
#pragma once

#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <vector>

#include "genl_client.h"

namespace mlog::test {

class AttrBuilder {
 public:
  AttrBuilder& bytes(uint16_t type, const std::vector<uint8_t>& payload) {
    const auto len = static_cast<uint16_t>(4 + payload.size());
    put16(len);
    put16(type);
    buf_.insert(buf_.end(), payload.begin(), payload.end());
    while (buf_.size() % 4) buf_.push_back(0);
    return *this;
  }
  AttrBuilder& u16(uint16_t type, uint16_t v) { return bytes(type, le(v)); }
  AttrBuilder& u32(uint16_t type, uint32_t v) { return bytes(type, le(v)); }
  AttrBuilder& u64(uint16_t type, uint64_t v) { return bytes(type, le(v)); }
  AttrBuilder& str(uint16_t type, const char* s) {
    return bytes(type, std::vector<uint8_t>(s, s + std::strlen(s) + 1));
  }
  // A nest, with NLA_F_NESTED set as nla_nest_start() does.
  AttrBuilder& nest(uint16_t type, const AttrBuilder& inner) {
    return bytes(static_cast<uint16_t>(type | 0x8000), inner.buf_);
  }
  // Bytes appended as they are, for malformed streams.
  AttrBuilder& raw(std::initializer_list<uint8_t> b) {
    buf_.insert(buf_.end(), b);
    return *this;
  }

  const std::vector<uint8_t>& data() const { return buf_; }
  Attr attr() const { return Attr{buf_}; }

  template <typename T>
  static std::vector<uint8_t> le(T v) {
    std::vector<uint8_t> out(sizeof(T));
    std::memcpy(out.data(), &v, sizeof(T));
    return out;
  }

 private:
  void put16(uint16_t v) {
    buf_.push_back(static_cast<uint8_t>(v & 0xff));
    buf_.push_back(static_cast<uint8_t>(v >> 8));
  }
  std::vector<uint8_t> buf_;
};

// The 16 bytes of ::ffff:a.b.c.d.
inline std::vector<uint8_t> v4_mapped(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  return {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, a, b, c, d};
}

}  // namespace mlog::test
