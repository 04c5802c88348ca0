// SPDX-License-Identifier: GPL-2.0
// The recovery decision for one job (recovery.rst, thesis §3.2.4): given
// the surviving hosts' states and what the live nodes' logs hold for the
// failed hosts, either a restart plan (replay each failed host to its
// replay limit) or, when some survivor depends on an interval that no
// longer exists, a report in plain words of what was lost.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace mlog::recoverd {

struct SurvivorState {
  std::uint64_t interval = 0;
  std::map<std::uint32_t, std::uint64_t> deps;  // host -> interval
};

// A fully logged message received by a failed host, from a live logd index.
struct LoggedIndexEntry {
  std::uint64_t rsn = 0;
  std::uint32_t src_host = 0;
  std::uint64_t interval = 0;  // the sender's interval when it sent it
};

struct PlanInput {
  std::uint32_t host_base = 0;  // rank r is host host_base + r
  std::uint32_t size = 0;
  std::set<std::uint32_t> failed;                                 // host indices
  std::map<std::uint32_t, SurvivorState> survivors;               // host -> state
  std::map<std::uint32_t, std::vector<LoggedIndexEntry>> logged;  // failed host -> entries
};

struct Loss {
  std::uint32_t failed_host = 0;
  std::uint64_t replay_limit = 0;  // its state after replay
  std::uint32_t dependent_host = 0;
  std::uint64_t dependent_interval = 0;  // the dependent's current interval
  std::uint64_t needed = 0;              // the failed host's interval it depends on
};

struct Plan {
  bool ok = false;
  std::map<std::uint32_t, std::uint64_t> replay_to;  // failed host -> last RSN to replay
  std::vector<Loss> losses;
  std::string report;  // when !ok
};

Plan plan_recovery(const PlanInput& in);

}  // namespace mlog::recoverd
