// SPDX-License-Identifier: GPL-2.0
// Generic netlink client for the "mlog" family, on top of libnl-genl.
#pragma once

#include <linux/mlog.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
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

// A reply or notification that does not follow the netlink wire format
// (truncated attribute, attribute of the wrong size...).
class MalformedMessage : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The socket's receive buffer overflowed: notifications were dropped.
class EventsLost : public std::runtime_error {
 public:
  EventsLost()
      : std::runtime_error("notifications were lost: the netlink receive buffer overflowed") {}
};

// One attribute of a reply: raw payload bytes, decoded on demand.  The
// fixed-size accessors throw MalformedMessage on a payload of the wrong size.
struct Attr {
  std::vector<uint8_t> data;

  uint16_t u16() const;
  uint32_t u32() const;
  uint64_t u64() const;
  std::string str() const;
  // Nested attributes, keyed by type.
  std::map<int, Attr> nested() const;
  // Nested attributes in order, repeated types kept (a nest of MLOG_HOST_DEP
  // nests, for example).
  std::vector<std::pair<int, Attr>> nested_list() const;
};

using AttrMap = std::map<int, Attr>;
using AttrList = std::vector<std::pair<int, Attr>>;

// Parses a stream of netlink attributes (struct nlattr + payload, each
// padded to 4 bytes), as found after a genetlink header or inside a nest.
// Throws MalformedMessage if an attribute's length runs past the end.
// Later duplicates of a type replace earlier ones.
AttrMap parse_attrs(std::span<const uint8_t> stream);

// The same stream as a list, in order, keeping every attribute.
AttrList parse_attr_list(std::span<const uint8_t> stream);

// A list as a map: later duplicates of a type replace earlier ones.
AttrMap attr_map(AttrList list);

// The outcome carried by an NLMSG_ERROR or NLMSG_DONE message.
struct NetlinkOutcome {
  int error = 0;       // positive errno, 0 = success
  std::string extack;  // the kernel's NLMSGERR_ATTR_MSG, if it sent one
};

// Decodes a whole NLMSG_ERROR message (header included): struct nlmsgerr,
// then with NLM_F_ACK_TLVS the extended-ack attributes.  With
// NLM_F_CAPPED only the request's header is echoed back, otherwise the
// whole request, and the TLVs follow that.
NetlinkOutcome decode_error_message(std::span<const uint8_t> msg);

// Decodes a whole NLMSG_DONE message (header included): the int status
// of the dump, then with NLM_F_ACK_TLVS the extended-ack attributes.
NetlinkOutcome decode_done_message(std::span<const uint8_t> msg);

// The text a KernelError carries: "EXTACK (strerror)" or "strerror".
std::string kernel_error_text(const NetlinkOutcome& outcome);

// The payload of a nested attribute of a request: attributes laid out as
// the kernel parses them (struct nlattr, payload, padding to 4 bytes).
class Nest {
 public:
  Nest& u8(int type, uint8_t v);
  Nest& u16(int type, uint16_t v);
  Nest& u32(int type, uint32_t v);
  Nest& u64(int type, uint64_t v);
  Nest& flag(int type);  // NLA_FLAG: present, no payload
  Nest& bytes(int type, const void* data, size_t len);
  // An inner nest, with NLA_F_NESTED set as the kernel's strict policy wants.
  Nest& nest(int type, const Nest& inner);

  const std::vector<uint8_t>& data() const { return data_; }

 private:
  std::vector<uint8_t> data_;
};

// Attributes of a request, in order.
class Request {
 public:
  explicit Request(uint8_t cmd) : cmd_(cmd) {}
  Request& u8(int type, uint8_t v);
  Request& u16(int type, uint16_t v);
  Request& u32(int type, uint32_t v);
  Request& u64(int type, uint64_t v);
  Request& bytes(int type, const void* data, size_t len);
  // A nested attribute; its type gets NLA_F_NESTED.
  Request& nest(int type, const Nest& inner);

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

// A multicast notification of the family.
struct Notification {
  uint8_t cmd = 0;  // MLOG_CMD_EVENT_*
  AttrMap attrs;
};

class GenlClient {
 public:
  // Connects and resolves the family; throws ModuleNotLoaded.  Another
  // family name (e.g. "nlctrl") is for tests of the client itself and
  // throws std::runtime_error if that family does not exist.
  explicit GenlClient(const std::string& family = MLOG_GENL_NAME);
  ~GenlClient();
  GenlClient(const GenlClient&) = delete;
  GenlClient& operator=(const GenlClient&) = delete;

  // Sends @req and returns the attributes of the (single) reply, or an
  // empty map for commands that only acknowledge.  Throws KernelError.
  AttrMap call(const Request& req);

  // Sends @req with NLM_F_DUMP and returns the attributes of every message
  // of the multipart reply, in the order the kernel sent them, up to
  // NLMSG_DONE.  An error before or during the dump throws KernelError
  // with the kernel's extack message.  A dump the kernel marks as
  // inconsistent (NLM_F_DUMP_INTR) is retried up to three times; after
  // that the last attempt is returned as it is.
  std::vector<AttrMap> dump(const Request& req);

  // The same, each message's attributes as a list, in order: a type that
  // repeats (MLOG_ATTR_DATA, the pieces of a message) keeps every copy.
  std::vector<AttrList> dump_list(const Request& req);

  // Joins the family's multicast group @group (e.g. MLOG_GENL_MCGRP_EVENTS)
  // on a separate socket; notifications then queue up for
  // next_notification().  Throws std::runtime_error if the module has no
  // such group.
  void subscribe(const std::string& group);

  // Waits for the next notification of the joined groups, at most
  // @timeout (forever if nullopt).  Returns nullopt on timeout.  Throws
  // EventsLost if the kernel dropped notifications (the client stays
  // usable), std::logic_error if subscribe() was never called.
  std::optional<Notification> next_notification(std::optional<std::chrono::milliseconds> timeout);

  // Netlink port id of the socket subscribe() opened (0 before), so that
  // tests can unicast notifications to it.
  uint32_t notification_port() const;

  // The file descriptor of that socket (-1 before subscribe()), for an
  // event loop: when it is readable, next_notification(0ms) does not block.
  int notification_fd() const;

 private:
  struct SockDeleter {
    void operator()(nl_sock* s) const;
  };
  using SockPtr = std::unique_ptr<nl_sock, SockDeleter>;

  std::vector<AttrList> transact(const Request& req, int flags, bool* interrupted);
  void receive_notifications();

  SockPtr sock_;
  SockPtr events_;  // multicast listener, created by subscribe()
  std::string family_name_;
  int family_ = 0;
  std::deque<Notification> pending_;
};

}  // namespace mlog
