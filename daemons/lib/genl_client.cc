// SPDX-License-Identifier: GPL-2.0
#include "genl_client.h"

#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

namespace mlog {

namespace {

template <typename T>
T fixed(const std::vector<uint8_t>& d, const char* what) {
  if (d.size() != sizeof(T)) throw std::runtime_error(std::string("malformed attribute: ") + what);
  T v;
  std::memcpy(&v, d.data(), sizeof(T));
  return v;
}

AttrMap parse_attrs(const uint8_t* p, size_t len) {
  AttrMap out;
  while (len >= NLA_HDRLEN) {
    nlattr hdr;
    std::memcpy(&hdr, p, sizeof(hdr));
    if (hdr.nla_len < NLA_HDRLEN || hdr.nla_len > len) break;
    const int type = hdr.nla_type & NLA_TYPE_MASK;
    out[type].data.assign(p + NLA_HDRLEN, p + hdr.nla_len);
    const size_t step = NLA_ALIGN(hdr.nla_len);
    if (step >= len) break;
    p += step;
    len -= step;
  }
  return out;
}

// State shared with libnl's callbacks for one request.
struct CallState {
  AttrMap attrs;
  int error = 0;
  std::string extack;
  bool done = false;
};

int on_valid(nl_msg* msg, void* arg) {
  auto* st = static_cast<CallState*>(arg);
  nlmsghdr* nlh = nlmsg_hdr(msg);
  auto* gnlh = static_cast<genlmsghdr*>(nlmsg_data(nlh));
  const auto* start = reinterpret_cast<const uint8_t*>(genlmsg_attrdata(gnlh, 0));
  st->attrs = parse_attrs(start, static_cast<size_t>(genlmsg_attrlen(gnlh, 0)));
  return NL_OK;
}

// With NETLINK_CAP_ACK and NETLINK_EXT_ACK set, the TLVs after struct
// nlmsgerr carry the kernel's human-readable reason.
int on_error(sockaddr_nl*, nlmsgerr* err, void* arg) {
  auto* st = static_cast<CallState*>(arg);
  st->error = -err->error;
  st->done = true;
  auto* nlh = reinterpret_cast<nlmsghdr*>(reinterpret_cast<uint8_t*>(err) - NLMSG_HDRLEN);
  if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
    const auto* tlvs = reinterpret_cast<const uint8_t*>(err) + sizeof(*err);
    const size_t hdr_used = NLMSG_HDRLEN + sizeof(*err);
    if (nlh->nlmsg_len > hdr_used) {
      AttrMap tl = parse_attrs(tlvs, nlh->nlmsg_len - hdr_used);
      auto it = tl.find(NLMSGERR_ATTR_MSG);
      if (it != tl.end()) st->extack = it->second.str();
    }
  }
  return NL_STOP;
}

int on_ack(nl_msg*, void* arg) {
  static_cast<CallState*>(arg)->done = true;
  return NL_STOP;
}

}  // namespace

uint16_t Attr::u16() const { return fixed<uint16_t>(data, "u16"); }
uint32_t Attr::u32() const { return fixed<uint32_t>(data, "u32"); }
uint64_t Attr::u64() const { return fixed<uint64_t>(data, "u64"); }

std::string Attr::str() const {
  std::string s(data.begin(), data.end());
  if (auto nul = s.find('\0'); nul != std::string::npos) s.resize(nul);
  return s;
}

AttrMap Attr::nested() const { return parse_attrs(data.data(), data.size()); }

Request& Request::u16(int type, uint16_t v) { return bytes(type, &v, sizeof(v)); }
Request& Request::u32(int type, uint32_t v) { return bytes(type, &v, sizeof(v)); }

Request& Request::bytes(int type, const void* data, size_t len) {
  const auto* p = static_cast<const uint8_t*>(data);
  items_.push_back({type, std::vector<uint8_t>(p, p + len)});
  return *this;
}

void GenlClient::SockDeleter::operator()(nl_sock* s) const { nl_socket_free(s); }

GenlClient::GenlClient() : sock_(nl_socket_alloc()) {
  if (!sock_) throw std::bad_alloc();
  if (int err = genl_connect(sock_.get()); err < 0)
    throw std::runtime_error(std::string("cannot open generic netlink socket: ") +
                             nl_geterror(err));
  const int one = 1;
  // Best effort: older kernels simply give no extack text.
  setsockopt(nl_socket_get_fd(sock_.get()), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
  setsockopt(nl_socket_get_fd(sock_.get()), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
  family_ = genl_ctrl_resolve(sock_.get(), MLOG_GENL_NAME);
  if (family_ < 0) throw ModuleNotLoaded();
}

GenlClient::~GenlClient() = default;

AttrMap GenlClient::call(const Request& req) {
  std::unique_ptr<nl_msg, decltype(&nlmsg_free)> msg(nlmsg_alloc(), &nlmsg_free);
  if (!msg) throw std::bad_alloc();
  if (!genlmsg_put(msg.get(), NL_AUTO_PORT, NL_AUTO_SEQ, family_, 0, NLM_F_ACK, req.cmd(),
                   MLOG_GENL_VERSION))
    throw std::runtime_error("cannot build netlink request");
  for (const auto& item : req.items()) {
    if (nla_put(msg.get(), item.type, static_cast<int>(item.data.size()), item.data.data()) < 0)
      throw std::runtime_error("netlink request too large");
  }

  CallState st;
  std::unique_ptr<nl_cb, decltype(&nl_cb_put)> cb(nl_cb_alloc(NL_CB_DEFAULT), &nl_cb_put);
  if (!cb) throw std::bad_alloc();
  nl_cb_set(cb.get(), NL_CB_VALID, NL_CB_CUSTOM, on_valid, &st);
  nl_cb_set(cb.get(), NL_CB_ACK, NL_CB_CUSTOM, on_ack, &st);
  nl_cb_err(cb.get(), NL_CB_CUSTOM, on_error, &st);

  if (int err = nl_send_auto(sock_.get(), msg.get()); err < 0)
    throw std::runtime_error(std::string("cannot send netlink request: ") + nl_geterror(err));
  while (!st.done) {
    if (int err = nl_recvmsgs(sock_.get(), cb.get()); err < 0 && !st.done)
      throw std::runtime_error(std::string("netlink receive failed: ") + nl_geterror(err));
  }
  if (st.error) {
    std::string what = std::strerror(st.error);
    if (!st.extack.empty()) what = st.extack + " (" + what + ")";
    throw KernelError(st.error, what);
  }
  return std::move(st.attrs);
}

}  // namespace mlog
