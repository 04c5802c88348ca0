// SPDX-License-Identifier: GPL-2.0
// A daemon's AF_MLOG socket speaking Envelopes: framing, reassembly per
// source, a send queue for when the transport pushes back, and request /
// reply matching with timeouts.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "address.h"
#include "event_loop.h"
#include "framing.h"
#include "mlog.pb.h"
#include "unique_fd.h"

namespace mlog::rpc {

struct EndpointCounters {
  std::uint64_t received = 0;     // envelopes handled
  std::uint64_t malformed = 0;    // pieces or envelopes refused
  std::uint64_t send_errors = 0;  // sends the transport refused
  std::uint64_t dropped = 0;      // envelopes dropped: send queue full
  std::uint64_t socket_errors = 0;
  std::uint64_t unexpected_replies = 0;
};

class Endpoint {
 public:
  using Handler = std::function<void(const Address& from, const pb::Envelope& env)>;
  // Called with each reply; nullptr when the call timed out.  Return true
  // when the call is complete (false keeps it open for more replies: a
  // stream).  The timeout restarts with every reply.
  using ReplyHandler = std::function<bool(const pb::Envelope* reply)>;

  // An AF_MLOG socket of @type (SOCK_RDM or SOCK_DGRAM) bound to @port of
  // this node, 0 for an ephemeral port.  @name prefixes log lines.
  Endpoint(EventLoop& loop, int family, int type, std::uint16_t port, std::string name);
  ~Endpoint();
  Endpoint(const Endpoint&) = delete;
  Endpoint& operator=(const Endpoint&) = delete;

  std::uint16_t port() const { return port_; }
  const EndpointCounters& counters() const { return counters_; }

  // Every envelope that is not a reply to an open call.
  void on_message(Handler h) { handler_ = std::move(h); }

  // Fire and forget.  Returns false when the message could not be queued.
  bool send(const Address& to, const pb::Envelope& env);
  // A request: @env gets a fresh id.  Returns the id.
  std::uint64_t call(const Address& to, pb::Envelope env, Millis timeout, ReplyHandler on_reply);
  void cancel_call(std::uint64_t id);
  // Answer @request (reply_to is set here).
  bool reply(const Address& to, const pb::Envelope& request, pb::Envelope answer);

  // Bytes waiting in send queues.
  std::size_t queued_bytes() const { return queued_bytes_; }

 private:
  struct Call {
    Address to;
    Millis timeout;
    ReplyHandler on_reply;
    EventLoop::TimerId timer = 0;
  };
  void on_readable();
  void handle_piece(const Address& from, std::span<const std::uint8_t> piece);
  void dispatch(const Address& from, const pb::Envelope& env);
  void arm_call_timer(std::uint64_t id);
  void flush();
  // Sends what can be sent of @q; false when the transport pushed back.
  bool drain(const Address& to, std::deque<std::vector<std::uint8_t>>& q);

  EventLoop& loop_;
  int family_;
  int type_;
  std::string name_;
  Fd fd_;
  std::uint16_t port_ = 0;
  Reassembler reassembler_;
  Handler handler_;
  std::map<std::uint64_t, Call> calls_;
  std::uint64_t next_id_ = 1;
  std::map<Address, std::deque<std::vector<std::uint8_t>>> outbox_;
  std::size_t queued_bytes_ = 0;
  EventLoop::TimerId flush_timer_ = 0;
  EndpointCounters counters_;
  std::vector<std::uint8_t> buf_;
};

// Largest total of queued pieces before sends are refused.
inline constexpr std::size_t kMaxQueuedBytes = std::size_t{256} << 20;

// Protobuf text of an envelope's body kind, for log lines.
std::string body_name(const pb::Envelope& env);

// Log a line on stderr: "NAME: TEXT".
void log_line(const std::string& name, const std::string& text);

}  // namespace mlog::rpc
