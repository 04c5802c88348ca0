// SPDX-License-Identifier: GPL-2.0
// Generic netlink client for the "mlog" family, on top of libnl-genl.
#pragma once

#include <linux/mlog.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

struct nl_sock;
struct nl_msg;

namespace mlog {

// The kernel module is not loaded in this network namespace.
class ModuleNotLoaded : public std::runtime_error {
 public:
  ModuleNotLoaded()
      : std::runtime_error("mlog kernel module is not loaded (no generic netlink family 'mlog')") {}
};

// The kernel refused a request; what() carries its extack message if any.
class KernelError : public std::runtime_error {
 public:
  KernelError(int err, const std::string& what) : std::runtime_error(what), error(err) {}
  int error;  // positive errno
};

// One attribute of a reply: raw payload bytes, decoded on demand.
struct Attr {
  std::vector<uint8_t> data;

  uint16_t u16() const;
  uint32_t u32() const;
  uint64_t u64() const;
  std::string str() const;
  // Nested attributes, keyed by type.
  std::map<int, Attr> nested() const;
};

using AttrMap = std::map<int, Attr>;

// Attributes of a request, in order.
class Request {
 public:
  explicit Request(uint8_t cmd) : cmd_(cmd) {}
  Request& u16(int type, uint16_t v);
  Request& u32(int type, uint32_t v);
  Request& bytes(int type, const void* data, size_t len);

  uint8_t cmd() const { return cmd_; }
  struct Item {
    int type;
    std::vector<uint8_t> data;
  };
  const std::vector<Item>& items() const { return items_; }

 private:
  uint8_t cmd_;
  std::vector<Item> items_;
};

class GenlClient {
 public:
  // Connects and resolves the family; throws ModuleNotLoaded.
  GenlClient();
  ~GenlClient();
  GenlClient(const GenlClient&) = delete;
  GenlClient& operator=(const GenlClient&) = delete;

  // Sends @req and returns the attributes of the (single) reply, or an
  // empty map for commands that only acknowledge.  Throws KernelError.
  AttrMap call(const Request& req);

 private:
  struct SockDeleter {
    void operator()(nl_sock* s) const;
  };
  std::unique_ptr<nl_sock, SockDeleter> sock_;
  int family_ = 0;
};

}  // namespace mlog
