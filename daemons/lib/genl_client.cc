// SPDX-License-Identifier: GPL-2.0
#include "genl_client.h"

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <exception>
#include <system_error>

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

namespace mlog {

namespace {

template <typename T>
T fixed(const std::vector<uint8_t>& d, const char* what) {
  if (d.size() != sizeof(T))
    throw MalformedMessage(std::string("malformed attribute: ") + what + " payload of " +
                           std::to_string(d.size()) + " bytes, expected " +
                           std::to_string(sizeof(T)));
  T v;
  std::memcpy(&v, d.data(), sizeof(T));
  return v;
}

template <typename T>
T read_at(std::span<const uint8_t> bytes, size_t offset) {
  T v;
  std::memcpy(&v, bytes.data() + offset, sizeof(T));
  return v;
}

// The bytes of a received message, as its header says, within what libnl
// actually holds.
std::span<const uint8_t> message_bytes(const nlmsghdr* nlh) {
  return {reinterpret_cast<const uint8_t*>(nlh), nlh->nlmsg_len};
}

// The outcome's TLVs start at @offset of @msg (if the kernel sent any).
void decode_ack_tlvs(std::span<const uint8_t> msg, uint16_t flags, size_t offset,
                     NetlinkOutcome& out) {
  if (!(flags & NLM_F_ACK_TLVS) || offset >= msg.size()) return;
  const AttrMap tlvs = parse_attrs(msg.subspan(offset));
  if (auto it = tlvs.find(NLMSGERR_ATTR_MSG); it != tlvs.end()) out.extack = it->second.str();
}

nlmsghdr checked_header(std::span<const uint8_t> msg, size_t payload, const char* what) {
  if (msg.size() < NLMSG_HDRLEN + payload)
    throw MalformedMessage(std::string("truncated netlink ") + what + " message");
  const auto hdr = read_at<nlmsghdr>(msg, 0);
  if (hdr.nlmsg_len < NLMSG_HDRLEN + payload || hdr.nlmsg_len > msg.size())
    throw MalformedMessage(std::string("netlink ") + what + " message with bad length " +
                           std::to_string(hdr.nlmsg_len));
  return hdr;
}

// The attributes of a generic netlink message, after its genlmsghdr.
std::span<const uint8_t> genl_attr_bytes(std::span<const uint8_t> msg, uint8_t* cmd) {
  const nlmsghdr hdr = checked_header(msg, GENL_HDRLEN, "generic");
  if (cmd) *cmd = read_at<genlmsghdr>(msg, NLMSG_HDRLEN).cmd;
  return msg.subspan(NLMSG_HDRLEN + GENL_HDRLEN, hdr.nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN);
}

// State shared with libnl's callbacks for one request.  Callbacks run
// inside libnl's C code and must not throw: they record the first failure
// and the request rethrows it once libnl has returned.
struct Transaction {
  std::vector<AttrList> messages;
  NetlinkOutcome outcome;
  bool done = false;
  bool interrupted = false;
  std::exception_ptr failure;

  void fail() {
    if (!failure) failure = std::current_exception();
  }
};

int on_valid(nl_msg* msg, void* arg) {
  auto* t = static_cast<Transaction*>(arg);
  try {
    t->messages.push_back(parse_attr_list(genl_attr_bytes(message_bytes(nlmsg_hdr(msg)), nullptr)));
  } catch (...) {
    t->fail();
  }
  // Keep reading to the end of the reply even after a bad message, so
  // that no stale part of it is left in the socket.
  return NL_OK;
}

// With NETLINK_CAP_ACK and NETLINK_EXT_ACK set, the TLVs after struct
// nlmsgerr carry the kernel's human-readable reason.
int on_error(sockaddr_nl*, nlmsgerr* err, void* arg) {
  auto* t = static_cast<Transaction*>(arg);
  t->done = true;
  try {
    const auto* nlh =
        reinterpret_cast<const nlmsghdr*>(reinterpret_cast<const uint8_t*>(err) - NLMSG_HDRLEN);
    t->outcome = decode_error_message(message_bytes(nlh));
  } catch (...) {
    t->outcome.error = -err->error;
    t->fail();
  }
  return NL_STOP;
}

int on_ack(nl_msg*, void* arg) {
  static_cast<Transaction*>(arg)->done = true;
  return NL_STOP;
}

// NLMSG_DONE ends a dump; it carries the dump's status.
int on_finish(nl_msg* msg, void* arg) {
  auto* t = static_cast<Transaction*>(arg);
  t->done = true;
  try {
    t->outcome = decode_done_message(message_bytes(nlmsg_hdr(msg)));
  } catch (...) {
    t->fail();
  }
  return NL_STOP;
}

int on_dump_intr(nl_msg*, void* arg) {
  static_cast<Transaction*>(arg)->interrupted = true;
  return NL_OK;
}

struct NotifyState {
  int family;
  std::deque<Notification>* queue;
  std::exception_ptr failure;
};

int on_notification(nl_msg* msg, void* arg) {
  auto* st = static_cast<NotifyState*>(arg);
  const nlmsghdr* nlh = nlmsg_hdr(msg);
  if (nlh->nlmsg_type != st->family) return NL_SKIP;
  try {
    Notification n;
    n.attrs = parse_attrs(genl_attr_bytes(message_bytes(nlh), &n.cmd));
    st->queue->push_back(std::move(n));
  } catch (...) {
    if (!st->failure) st->failure = std::current_exception();
  }
  return NL_OK;
}

// Notifications answer no request: their sequence number (0 from the
// kernel) must not be checked against the socket's next expected one.
int accept_any_seq(nl_msg*, void*) { return NL_OK; }

using CbPtr = std::unique_ptr<nl_cb, decltype(&nl_cb_put)>;

CbPtr new_cb() {
  CbPtr cb(nl_cb_alloc(NL_CB_DEFAULT), &nl_cb_put);
  if (!cb) throw std::bad_alloc();
  return cb;
}

}  // namespace

AttrMap parse_attrs(std::span<const uint8_t> stream) { return attr_map(parse_attr_list(stream)); }

AttrMap attr_map(AttrList list) {
  AttrMap out;
  for (auto& [type, attr] : list) out[type] = std::move(attr);
  return out;
}

AttrList parse_attr_list(std::span<const uint8_t> stream) {
  AttrList out;
  while (stream.size() >= NLA_HDRLEN) {
    const auto hdr = read_at<nlattr>(stream, 0);
    const int type = hdr.nla_type & NLA_TYPE_MASK;
    if (hdr.nla_len < NLA_HDRLEN || hdr.nla_len > stream.size())
      throw MalformedMessage("malformed netlink attribute: type " + std::to_string(type) +
                             " claims " + std::to_string(hdr.nla_len) + " bytes, " +
                             std::to_string(stream.size()) + " left");
    out.emplace_back(type, Attr{std::vector<uint8_t>(stream.begin() + NLA_HDRLEN,
                                                     stream.begin() + hdr.nla_len)});
    const size_t step = NLA_ALIGN(hdr.nla_len);
    if (step >= stream.size()) break;
    stream = stream.subspan(step);
  }
  // Fewer than NLA_HDRLEN bytes left over can only be padding.
  return out;
}

NetlinkOutcome decode_error_message(std::span<const uint8_t> msg) {
  const nlmsghdr hdr = checked_header(msg, sizeof(nlmsgerr), "error");
  msg = msg.first(hdr.nlmsg_len);
  const auto err = read_at<nlmsgerr>(msg, NLMSG_HDRLEN);
  NetlinkOutcome out;
  out.error = -err.error;
  // Unless capped, the kernel echoes the whole request after nlmsgerr.
  size_t payload = sizeof(nlmsgerr);
  if (!(hdr.nlmsg_flags & NLM_F_CAPPED) && err.msg.nlmsg_len > NLMSG_HDRLEN)
    payload += err.msg.nlmsg_len - NLMSG_HDRLEN;
  decode_ack_tlvs(msg, hdr.nlmsg_flags, NLMSG_HDRLEN + NLMSG_ALIGN(payload), out);
  return out;
}

NetlinkOutcome decode_done_message(std::span<const uint8_t> msg) {
  const nlmsghdr hdr = checked_header(msg, 0, "done");
  msg = msg.first(hdr.nlmsg_len);
  NetlinkOutcome out;
  // Some producers send a bare NLMSG_DONE: that is a successful end.
  if (msg.size() < NLMSG_HDRLEN + sizeof(int)) return out;
  const int status = read_at<int>(msg, NLMSG_HDRLEN);
  if (status < 0) out.error = -status;
  decode_ack_tlvs(msg, hdr.nlmsg_flags, NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(int)), out);
  return out;
}

std::string kernel_error_text(const NetlinkOutcome& outcome) {
  std::string what = std::strerror(outcome.error);
  if (!outcome.extack.empty()) what = outcome.extack + " (" + what + ")";
  return what;
}

uint16_t Attr::u16() const { return fixed<uint16_t>(data, "u16"); }
uint32_t Attr::u32() const { return fixed<uint32_t>(data, "u32"); }
uint64_t Attr::u64() const { return fixed<uint64_t>(data, "u64"); }

std::string Attr::str() const {
  std::string s(data.begin(), data.end());
  if (auto nul = s.find('\0'); nul != std::string::npos) s.resize(nul);
  return s;
}

AttrMap Attr::nested() const { return parse_attrs(data); }
AttrList Attr::nested_list() const { return parse_attr_list(data); }

Nest& Nest::u8(int type, uint8_t v) { return bytes(type, &v, sizeof(v)); }
Nest& Nest::u16(int type, uint16_t v) { return bytes(type, &v, sizeof(v)); }
Nest& Nest::u32(int type, uint32_t v) { return bytes(type, &v, sizeof(v)); }
Nest& Nest::u64(int type, uint64_t v) { return bytes(type, &v, sizeof(v)); }
Nest& Nest::flag(int type) { return bytes(type, nullptr, 0); }

Nest& Nest::bytes(int type, const void* data, size_t len) {
  if (len > UINT16_MAX - NLA_HDRLEN) throw std::length_error("netlink attribute too large");
  nlattr hdr{};
  hdr.nla_len = static_cast<uint16_t>(NLA_HDRLEN + len);
  hdr.nla_type = static_cast<uint16_t>(type);
  const auto* h = reinterpret_cast<const uint8_t*>(&hdr);
  data_.insert(data_.end(), h, h + sizeof(hdr));
  if (len) {
    const auto* p = static_cast<const uint8_t*>(data);
    data_.insert(data_.end(), p, p + len);
  }
  data_.resize(NLA_ALIGN(data_.size()), 0);
  return *this;
}

Nest& Nest::nest(int type, const Nest& inner) {
  return bytes(type | NLA_F_NESTED, inner.data().data(), inner.data().size());
}

Request& Request::u8(int type, uint8_t v) { return bytes(type, &v, sizeof(v)); }
Request& Request::u16(int type, uint16_t v) { return bytes(type, &v, sizeof(v)); }
Request& Request::u32(int type, uint32_t v) { return bytes(type, &v, sizeof(v)); }
Request& Request::u64(int type, uint64_t v) { return bytes(type, &v, sizeof(v)); }

Request& Request::nest(int type, const Nest& inner) {
  return bytes(type | NLA_F_NESTED, inner.data().data(), inner.data().size());
}

Request& Request::bytes(int type, const void* data, size_t len) {
  const auto* p = static_cast<const uint8_t*>(data);
  items_.push_back({type, len ? std::vector<uint8_t>(p, p + len) : std::vector<uint8_t>()});
  return *this;
}

void GenlClient::SockDeleter::operator()(nl_sock* s) const { nl_socket_free(s); }

GenlClient::GenlClient(const std::string& family) : sock_(nl_socket_alloc()), family_name_(family) {
  if (!sock_) throw std::bad_alloc();
  if (int err = genl_connect(sock_.get()); err < 0)
    throw std::runtime_error(std::string("cannot open generic netlink socket: ") +
                             nl_geterror(err));
  // libnl's default send buffer (32 KiB) refuses a request carrying a
  // replayed 64 KiB message; the kernel caps it at net.core.wmem_max.
  nl_socket_set_buffer_size(sock_.get(), 0, 1 << 20);
  const int one = 1;
  // Best effort: older kernels simply give no extack text.
  setsockopt(nl_socket_get_fd(sock_.get()), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
  setsockopt(nl_socket_get_fd(sock_.get()), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
  family_ = genl_ctrl_resolve(sock_.get(), family_name_.c_str());
  if (family_ < 0) {
    if (family_name_ == MLOG_GENL_NAME) throw ModuleNotLoaded();
    throw std::runtime_error("no generic netlink family '" + family_name_ + "'");
  }
}

GenlClient::~GenlClient() = default;

std::vector<AttrList> GenlClient::transact(const Request& req, int flags, bool* interrupted) {
  // nlmsg_alloc() gives one page: a replayed 64 KiB message needs more.
  size_t size = NLMSG_HDRLEN + GENL_HDRLEN;
  for (const auto& item : req.items())
    size += static_cast<size_t>(nla_total_size(static_cast<int>(item.data.size())));
  std::unique_ptr<nl_msg, decltype(&nlmsg_free)> msg(nlmsg_alloc_size(size), &nlmsg_free);
  if (!msg) throw std::bad_alloc();
  if (!genlmsg_put(msg.get(), NL_AUTO_PORT, NL_AUTO_SEQ, family_, 0, flags, req.cmd(),
                   MLOG_GENL_VERSION))
    throw std::runtime_error("cannot build netlink request");
  for (const auto& item : req.items()) {
    if (nla_put(msg.get(), item.type, static_cast<int>(item.data.size()), item.data.data()) < 0)
      throw std::runtime_error("netlink request too large");
  }

  Transaction t;
  CbPtr cb = new_cb();
  nl_cb_set(cb.get(), NL_CB_VALID, NL_CB_CUSTOM, on_valid, &t);
  nl_cb_set(cb.get(), NL_CB_ACK, NL_CB_CUSTOM, on_ack, &t);
  nl_cb_set(cb.get(), NL_CB_FINISH, NL_CB_CUSTOM, on_finish, &t);
  nl_cb_set(cb.get(), NL_CB_DUMP_INTR, NL_CB_CUSTOM, on_dump_intr, &t);
  nl_cb_err(cb.get(), NL_CB_CUSTOM, on_error, &t);

  if (int err = nl_send_auto(sock_.get(), msg.get()); err < 0)
    throw std::runtime_error(std::string("cannot send netlink request: ") + nl_geterror(err));
  while (!t.done) {
    if (int err = nl_recvmsgs(sock_.get(), cb.get()); err < 0 && !t.done)
      throw std::runtime_error(std::string("netlink receive failed: ") + nl_geterror(err));
  }
  if (t.outcome.error) throw KernelError(t.outcome.error, kernel_error_text(t.outcome));
  if (t.failure) std::rethrow_exception(t.failure);
  if (interrupted) *interrupted = t.interrupted;
  return std::move(t.messages);
}

AttrMap GenlClient::call(const Request& req) {
  auto messages = transact(req, NLM_F_ACK, nullptr);
  if (messages.empty()) return {};
  return attr_map(std::move(messages.back()));
}

std::vector<AttrMap> GenlClient::dump(const Request& req) {
  std::vector<AttrMap> out;
  for (auto& list : dump_list(req)) out.push_back(attr_map(std::move(list)));
  return out;
}

std::vector<AttrList> GenlClient::dump_list(const Request& req) {
  // A dump that changed under the kernel's feet is worth another try; the
  // last attempt is returned as it is.
  constexpr int kAttempts = 4;
  std::vector<AttrList> messages;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    bool interrupted = false;
    messages = transact(req, NLM_F_DUMP, &interrupted);
    if (!interrupted) break;
  }
  return messages;
}

int GenlClient::notification_fd() const { return events_ ? nl_socket_get_fd(events_.get()) : -1; }

void GenlClient::subscribe(const std::string& group) {
  const int id = genl_ctrl_resolve_grp(sock_.get(), family_name_.c_str(), group.c_str());
  if (id < 0)
    throw std::runtime_error("generic netlink family '" + family_name_ +
                             "' has no multicast group '" + group + "': " + nl_geterror(id));
  if (!events_) {
    SockPtr s(nl_socket_alloc());
    if (!s) throw std::bad_alloc();
    // Notifications carry sequence number 0 and answer no request.
    nl_socket_disable_seq_check(s.get());
    if (int err = genl_connect(s.get()); err < 0)
      throw std::runtime_error(std::string("cannot open generic netlink socket: ") +
                               nl_geterror(err));
    if (int err = nl_socket_set_nonblocking(s.get()); err < 0)
      throw std::runtime_error(std::string("cannot make netlink socket non-blocking: ") +
                               nl_geterror(err));
    // Room for bursts (a partition suspects many peers at once); the
    // kernel caps it at net.core.rmem_max.  Best effort.
    nl_socket_set_buffer_size(s.get(), 1 << 20, 0);
    events_ = std::move(s);
  }
  if (int err = nl_socket_add_membership(events_.get(), id); err < 0)
    throw std::runtime_error("cannot join multicast group '" + group + "': " + nl_geterror(err));
}

uint32_t GenlClient::notification_port() const {
  return events_ ? nl_socket_get_local_port(events_.get()) : 0;
}

void GenlClient::receive_notifications() {
  NotifyState st{family_, &pending_, nullptr};
  CbPtr cb = new_cb();
  nl_cb_set(cb.get(), NL_CB_VALID, NL_CB_CUSTOM, on_notification, &st);
  // nl_socket_disable_seq_check() only changes the socket's own callback
  // set; this one is separate and needs the same.
  nl_cb_set(cb.get(), NL_CB_SEQ_CHECK, NL_CB_CUSTOM, accept_any_seq, nullptr);
  errno = 0;
  const int err = nl_recvmsgs(events_.get(), cb.get());
  // libnl maps ENOBUFS (the kernel dropped multicast messages for us) to
  // NLE_NOMEM; errno tells it apart from a failed allocation.
  if (err == -NLE_NOMEM && errno == ENOBUFS) throw EventsLost();
  if (err < 0) throw std::runtime_error(std::string("netlink receive failed: ") + nl_geterror(err));
  if (st.failure) std::rethrow_exception(st.failure);
}

std::optional<Notification> GenlClient::next_notification(
    std::optional<std::chrono::milliseconds> timeout) {
  if (!events_) throw std::logic_error("next_notification() without subscribe()");
  using Clock = std::chrono::steady_clock;
  const auto deadline = timeout ? Clock::now() + *timeout : Clock::time_point::max();
  while (pending_.empty()) {
    int wait_ms = -1;
    if (timeout) {
      const auto left =
          std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) return std::nullopt;
      wait_ms = left > INT_MAX ? INT_MAX : static_cast<int>(left);
    }
    pollfd pfd{nl_socket_get_fd(events_.get()), POLLIN, 0};
    const int n = poll(&pfd, 1, wait_ms);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::system_error(errno, std::generic_category(), "poll on netlink socket");
    }
    if (n == 0) continue;  // the deadline check above decides
    receive_notifications();
  }
  Notification n = std::move(pending_.front());
  pending_.pop_front();
  return n;
}

}  // namespace mlog
