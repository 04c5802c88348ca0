// SPDX-License-Identifier: GPL-2.0
#include "endpoint.h"

#include <cerrno>
#include <cstring>
#include <iostream>
#include <system_error>

namespace mlog::rpc {

void log_line(const std::string& name, const std::string& text) {
  std::cerr << name << ": " << text << std::endl;
}

std::string body_name(const pb::Envelope& env) {
  const auto* field = pb::Envelope::descriptor()->FindFieldByNumber(env.body_case());
  return field ? std::string(field->name()) : "empty";
}

Endpoint::Endpoint(EventLoop& loop, int family, int type, std::uint16_t port, std::string name)
    : loop_(loop), family_(family), type_(type), name_(std::move(name)), buf_(kMaxPiece + 64) {
  fd_.reset(::socket(family_, type_ | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd_)
    throw std::system_error(
        errno, std::generic_category(),
        "cannot open an AF_MLOG socket (family " + std::to_string(family) + ")");
  sockaddr_mlog sa{};
  sa.smlog_family = static_cast<__kernel_sa_family_t>(family_);
  sa.smlog_port = port;
  if (::bind(fd_.get(), reinterpret_cast<const sockaddr*>(&sa), sizeof(sa)) != 0)
    throw std::system_error(errno, std::generic_category(),
                            "cannot bind AF_MLOG port " + std::to_string(port));
  socklen_t len = sizeof(sa);
  if (::getsockname(fd_.get(), reinterpret_cast<sockaddr*>(&sa), &len) != 0)
    throw std::system_error(errno, std::generic_category(), "getsockname");
  port_ = sa.smlog_port;
  loop_.watch(fd_.get(), POLLIN, [this](short) { on_readable(); });
}

Endpoint::~Endpoint() {
  loop_.unwatch(fd_.get());
  if (flush_timer_) loop_.cancel(flush_timer_);
  for (auto& [id, c] : calls_) loop_.cancel(c.timer);
}

void Endpoint::on_readable() {
  // A bounded batch per wakeup keeps one busy peer from starving timers.
  for (int i = 0; i < 256; ++i) {
    sockaddr_mlog sa{};
    iovec iov{buf_.data(), buf_.size()};
    msghdr mh{};
    mh.msg_name = &sa;
    mh.msg_namelen = sizeof(sa);
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    const ssize_t n = ::recvmsg(fd_.get(), &mh, MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      if (errno == EINTR) continue;
      // Asynchronous transport errors (EHOSTUNREACH for a peer that stays
      // silent) are reported once; the socket stays usable.
      ++counters_.socket_errors;
      log_line(name_, std::string("socket error: ") + std::strerror(errno));
      continue;
    }
    if (mh.msg_flags & MSG_TRUNC) {
      ++counters_.malformed;
      log_line(name_, "dropped a truncated message");
      continue;
    }
    handle_piece(from_sockaddr(sa), std::span(buf_.data(), static_cast<std::size_t>(n)));
  }
}

void Endpoint::handle_piece(const Address& from, std::span<const std::uint8_t> piece) {
  auto r = reassembler_.feed(source_key(from), piece);
  if (r.status == Reassembler::Status::partial) return;
  if (r.status == Reassembler::Status::malformed) {
    ++counters_.malformed;
    log_line(name_, "refused a message from " + to_string(from) + ": " + r.problem);
    return;
  }
  pb::Envelope env;
  if (!env.ParseFromArray(r.message.data(), static_cast<int>(r.message.size()))) {
    ++counters_.malformed;
    log_line(name_, "refused a message from " + to_string(from) + ": not a valid Envelope (" +
                        std::to_string(r.message.size()) + " bytes)");
    return;
  }
  ++counters_.received;
  dispatch(from, env);
}

void Endpoint::dispatch(const Address& from, const pb::Envelope& env) {
  if (env.reply_to()) {
    auto it = calls_.find(env.reply_to());
    if (it == calls_.end()) {
      ++counters_.unexpected_replies;  // late answer to a call that timed out
      return;
    }
    ReplyHandler h = it->second.on_reply;
    loop_.cancel(it->second.timer);
    const std::uint64_t id = it->first;
    if (h(&env)) {
      calls_.erase(id);
    } else if (calls_.contains(id)) {
      arm_call_timer(id);
    }
    return;
  }
  if (handler_) handler_(from, env);
}

bool Endpoint::send(const Address& to, const pb::Envelope& env) {
  std::string bytes;
  if (!env.SerializeToString(&bytes)) {
    ++counters_.send_errors;
    return false;
  }
  auto pieces =
      split_message(std::span(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
  if (queued_bytes_ + bytes.size() > kMaxQueuedBytes) {
    ++counters_.dropped;
    log_line(name_, "send queue full, dropped a " + body_name(env) + " for " + to_string(to));
    return false;
  }
  auto& q = outbox_[to];
  for (auto& p : pieces) {
    queued_bytes_ += p.size();
    q.push_back(std::move(p));
  }
  if (q.size() == pieces.size() && !drain(to, q) && !flush_timer_)
    flush_timer_ = loop_.after(Millis(10), [this] {
      flush_timer_ = 0;
      flush();
    });
  if (q.empty()) outbox_.erase(to);
  return true;
}

bool Endpoint::drain(const Address& to, std::deque<std::vector<std::uint8_t>>& q) {
  const sockaddr_mlog sa = to_sockaddr(to, family_);
  bool retried = false;
  while (!q.empty()) {
    const auto& p = q.front();
    const ssize_t n = ::sendto(fd_.get(), p.data(), p.size(), MSG_DONTWAIT | MSG_NOSIGNAL,
                               reinterpret_cast<const sockaddr*>(&sa), sizeof(sa));
    if (n < 0) {
      if (errno == EINTR) continue;
      // A pending socket error (a suspected or restarted peer, maybe not
      // this one) is reported once by a send, which then queued nothing.
      if ((errno == EHOSTUNREACH || errno == ECONNRESET) && !retried) {
        ++counters_.socket_errors;
        log_line(name_, std::string("socket error: ") + std::strerror(errno));
        retried = true;
        continue;
      }
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS) return false;
      ++counters_.send_errors;
      log_line(name_, "cannot send to " + to_string(to) + ": " + std::strerror(errno));
      // The rest of this destination's queue would not fare better.
      for (const auto& rest : q) queued_bytes_ -= rest.size();
      q.clear();
      return true;
    }
    queued_bytes_ -= p.size();
    q.pop_front();
    retried = false;
  }
  return true;
}

void Endpoint::flush() {
  bool pushed_back = false;
  for (auto it = outbox_.begin(); it != outbox_.end();) {
    if (!drain(it->first, it->second)) pushed_back = true;
    it = it->second.empty() ? outbox_.erase(it) : std::next(it);
  }
  if (pushed_back && !flush_timer_)
    flush_timer_ = loop_.after(Millis(10), [this] {
      flush_timer_ = 0;
      flush();
    });
}

std::uint64_t Endpoint::call(const Address& to, pb::Envelope env, Millis timeout,
                             ReplyHandler on_reply) {
  const std::uint64_t id = next_id_++;
  env.set_id(id);
  calls_[id] = Call{to, timeout, std::move(on_reply), 0};
  arm_call_timer(id);
  if (!send(to, env)) {
    // Refused at once: answer with a timeout from the loop, not from here.
    loop_.cancel(calls_[id].timer);
    calls_[id].timer = loop_.after(Millis(0), [this, id] {
      auto it = calls_.find(id);
      if (it == calls_.end()) return;
      ReplyHandler h = std::move(it->second.on_reply);
      calls_.erase(it);
      h(nullptr);
    });
  }
  return id;
}

void Endpoint::arm_call_timer(std::uint64_t id) {
  auto& c = calls_.at(id);
  c.timer = loop_.after(c.timeout, [this, id] {
    auto it = calls_.find(id);
    if (it == calls_.end()) return;
    ReplyHandler h = std::move(it->second.on_reply);
    calls_.erase(it);
    h(nullptr);
  });
}

void Endpoint::cancel_call(std::uint64_t id) {
  auto it = calls_.find(id);
  if (it == calls_.end()) return;
  loop_.cancel(it->second.timer);
  calls_.erase(it);
}

bool Endpoint::reply(const Address& to, const pb::Envelope& request, pb::Envelope answer) {
  answer.set_reply_to(request.id());
  return send(to, answer);
}

}  // namespace mlog::rpc
