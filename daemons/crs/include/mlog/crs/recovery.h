// SPDX-License-Identifier: GPL-2.0
// Recovery decisions for sender-based (pessimistic) logging after failures
// (thesis §3.2.4 and §3.5). Optimistic logging uses
// Engine::plan_optimistic_recovery instead.
#pragma once

#include <optional>
#include <utility>
#include <vector>

#include "mlog/crs/types.h"

namespace mlog::crs {

// A state a host can be put in, with its dependency vector.
struct CandidateState {
  Interval interval = 0;
  DependencyVector dv;
};

// The message that started `interval`, available for replay from a
// surviving sender's volatile log (fully logged: data and RSN both known).
struct ReplayableMessage {
  Interval interval = 0;
  Dependency from;
};

struct SenderBasedHost {
  bool failed = false;
  // Survivors only: where the host is now.
  Interval current_interval = 0;
  DependencyVector current_dv;
  // Checkpoints on stable storage: the latest only in the base protocol,
  // all of them with the §3.5 extension. Any order.
  std::vector<CandidateState> checkpoints;
  // Fully logged messages received by this host that can still be replayed.
  std::vector<ReplayableMessage> replayable;
};

struct SenderBasedAssessment {
  // Failed hosts: furthest interval reachable from the latest checkpoint by
  // replaying consecutive fully logged messages. Survivors: current interval.
  // Element h-1 is host h.
  std::vector<Interval> replay_limit;
  // (dependent host, failed host) pairs: the dependent names an interval of
  // the failed host beyond the failed host's replay limit.
  std::vector<std::pair<HostId, HostId>> violations;
  // True when replaying the failed hosts alone gives a consistent state.
  bool consistent_without_rollback = false;
  // Largest consistent state reachable from retained checkpoints, replay and
  // the survivors' current states; nullopt when none exists (for example,
  // the needed checkpoints were not kept).
  std::optional<std::vector<Interval>> restore_to;
  // Surviving hosts that must be rolled back to reach restore_to.
  std::vector<HostId> must_roll_back;
};

// `hosts[h-1]` describes host h. Refuses malformed input (unknown hosts in
// vectors, a failed host without any checkpoint, ...).
SenderBasedAssessment assess_sender_based_recovery(const std::vector<SenderBasedHost>& hosts);

}  // namespace mlog::crs
