// SPDX-License-Identifier: GPL-2.0
#include "mlog/crs/recovery.h"

#include <algorithm>
#include <map>
#include <string>

namespace mlog::crs {

namespace {

// Every state host h can be restored to: each retained checkpoint followed
// by as many consecutive replayable messages as exist (never past the
// current interval of a survivor), plus a survivor's current state.
std::vector<CandidateState> candidates_of(HostId h, const SenderBasedHost& host) {
  std::map<Interval, Dependency> replay;
  for (const ReplayableMessage& m : host.replayable) replay.emplace(m.interval, m.from);
  std::map<Interval, DependencyVector> states;
  for (const CandidateState& c : host.checkpoints) {
    DependencyVector dv = normalise_dependencies(c.dv, h);
    states.emplace(c.interval, dv);
    for (Interval s = c.interval + 1;; ++s) {
      if (!host.failed && s > host.current_interval) break;
      auto it = replay.find(s);
      if (it == replay.end()) break;
      if (it->second.host != h) merge_dependency(dv, it->second);
      states.emplace(s, dv);
    }
  }
  if (!host.failed) states[host.current_interval] = normalise_dependencies(host.current_dv, h);
  std::vector<CandidateState> out;
  for (auto& [at, dv] : states) out.push_back(CandidateState{at, std::move(dv)});
  return out;
}

Interval component(const DependencyVector& dv, HostId h) {
  Interval v = 0;
  return lookup_dependency(dv, h, v) ? v : 0;
}

bool has_component(const DependencyVector& dv, HostId h) {
  Interval v = 0;
  return lookup_dependency(dv, h, v);
}

}  // namespace

SenderBasedAssessment assess_sender_based_recovery(const std::vector<SenderBasedHost>& hosts) {
  const auto n = static_cast<HostId>(hosts.size());
  auto check = [n](HostId h) {
    if (h == 0 || h > n) throw CrsError("dependency on unknown host " + std::to_string(h));
  };
  for (const SenderBasedHost& host : hosts) {
    for (const Dependency& d : host.current_dv) check(d.host);
    for (const CandidateState& c : host.checkpoints)
      for (const Dependency& d : c.dv) check(d.host);
    for (const ReplayableMessage& m : host.replayable) check(m.from.host);
  }

  SenderBasedAssessment result;
  std::vector<std::vector<CandidateState>> candidates(n + std::size_t{1});
  // The state each host reaches without any rollback: survivors stay put,
  // failed hosts replay from their latest checkpoint.
  std::vector<CandidateState> plain(n + std::size_t{1});
  for (HostId h = 1; h <= n; ++h) {
    const SenderBasedHost& host = hosts[h - 1];
    candidates[h] = candidates_of(h, host);
    if (!host.failed) {
      plain[h] = CandidateState{host.current_interval, normalise_dependencies(host.current_dv, h)};
    } else {
      if (host.checkpoints.empty())
        throw CrsError("failed host " + std::to_string(h) + " has no checkpoint to restart from");
      const auto latest = std::max_element(
          host.checkpoints.begin(), host.checkpoints.end(),
          [](const CandidateState& a, const CandidateState& b) { return a.interval < b.interval; });
      // Candidates are sorted; the replay chain from the latest checkpoint
      // is the run of consecutive intervals starting there.
      auto it =
          std::find_if(candidates[h].begin(), candidates[h].end(),
                       [&](const CandidateState& c) { return c.interval == latest->interval; });
      while (std::next(it) != candidates[h].end() && std::next(it)->interval == it->interval + 1)
        ++it;
      plain[h] = *it;
    }
    result.replay_limit.push_back(plain[h].interval);
  }
  for (HostId j = 1; j <= n; ++j)
    for (HostId f = 1; f <= n; ++f)
      if (j != f && hosts[f - 1].failed && has_component(plain[j].dv, f) &&
          component(plain[j].dv, f) > plain[f].interval)
        result.violations.emplace_back(j, f);
  result.consistent_without_rollback = result.violations.empty();

  // Largest consistent combination, by the same downward search as the
  // batch recovery-state algorithm, over the candidate states.
  std::vector<std::size_t> pick(n + std::size_t{1});
  for (HostId h = 1; h <= n; ++h) pick[h] = candidates[h].size() - 1;
  bool changed = true;
  while (changed) {
    changed = false;
    for (HostId j = 1; j <= n; ++j) {
      for (;;) {
        const DependencyVector& dv = candidates[j][pick[j]].dv;
        auto bad = std::find_if(dv.begin(), dv.end(), [&](const Dependency& d) {
          return d.interval > candidates[d.host][pick[d.host]].interval;
        });
        if (bad == dv.end()) break;
        const HostId i = bad->host;
        const Interval limit = candidates[i][pick[i]].interval;
        std::size_t p = pick[j];
        bool found = false;
        while (p > 0) {
          --p;
          if (!has_component(candidates[j][p].dv, i) ||
              component(candidates[j][p].dv, i) <= limit) {
            found = true;
            break;
          }
        }
        if (!found) return result;  // restore_to stays nullopt
        pick[j] = p;
        changed = true;
      }
    }
  }
  std::vector<Interval> restore;
  for (HostId h = 1; h <= n; ++h) {
    restore.push_back(candidates[h][pick[h]].interval);
    if (!hosts[h - 1].failed && restore.back() < hosts[h - 1].current_interval)
      result.must_roll_back.push_back(h);
  }
  result.restore_to = std::move(restore);
  return result;
}

}  // namespace mlog::crs
