// SPDX-License-Identifier: GPL-2.0
// A simulated failure-free execution: hosts that send and receive messages,
// so that a trace (or a random test) can say "log this interval" or
// "checkpoint that host" and the engine gets exactly the inputs a real
// recovery server would: the logged message with its sender's tag, or the
// checkpointed dependency vector.
#pragma once

#include <cstddef>
#include <vector>

#include "mlog/crs/types.h"

namespace mlog::crs {

class Execution {
 public:
  using MessageId = std::size_t;

  struct Message {
    HostId from = 0;
    HostId to = 0;
    Interval tag = 0;  // sender's interval when sent
    bool received = false;
    Interval started = 0;  // receiver's interval it began, once received
  };

  // Grows the system to hosts 1..count (never shrinks).
  void ensure_hosts(HostId count);
  HostId host_count() const { return static_cast<HostId>(hosts_.size() - 1); }
  bool host_exists(HostId h) const { return h >= 1 && h <= host_count(); }

  Interval current_interval(HostId h) const {
    return static_cast<Interval>(hosts_.at(h).starts.size() - 1);
  }
  MessageId send(HostId from, HostId to);
  // Delivers a sent, not yet received message; returns the interval it began.
  Interval receive(MessageId id);
  const Message& message(MessageId id) const { return messages_.at(id); }
  std::size_t message_count() const { return messages_.size(); }

  // The message that started interval s >= 1 of host h.
  Dependency start_of(HostId h, Interval s) const;
  // Current dependency vector of h (sparse, without h itself).
  const DependencyVector& dependency_vector(HostId h) const { return hosts_.at(h).dv; }
  // Dependency vector h had in interval s, rebuilt from the message history.
  DependencyVector dependency_vector_at(HostId h, Interval s) const;

 private:
  struct HostState {
    std::vector<Dependency> starts{Dependency{}};  // starts[0] unused
    DependencyVector dv;
  };
  std::vector<HostState> hosts_{HostState{}};
  std::vector<Message> messages_;
};

}  // namespace mlog::crs
