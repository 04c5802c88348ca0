// SPDX-License-Identifier: GPL-2.0
// Random executions for property tests, and the brute-force oracle that the
// engine's two algorithms are checked against.
#pragma once

#include <map>
#include <optional>
#include <random>
#include <set>
#include <vector>

#include "mlog/crs/engine.h"
#include "mlog/crs/execution.h"

namespace mlog::crs::testing {

// Ground truth of one run: the simulated execution plus which intervals the
// test has logged and checkpointed. Kept apart from the engine on purpose.
struct Truth {
  Execution execution;
  std::set<std::pair<HostId, Interval>> logged;
  std::map<HostId, std::set<Interval>> checkpoints;

  void add_host() {
    execution.ensure_hosts(execution.host_count() + 1);
    checkpoints[execution.host_count()].insert(0);
  }

  // Definition 2.6, straight from the raw facts.
  bool stable(HostId h, Interval s) const {
    const auto& ckpts = checkpoints.at(h);
    auto it = ckpts.upper_bound(s);
    if (it == ckpts.begin()) return false;
    const Interval effective = *std::prev(it);
    for (Interval a = effective + 1; a <= s; ++a)
      if (!logged.contains({h, a})) return false;
    return true;
  }

  Interval effective_checkpoint(HostId h, Interval s) const {
    const auto& ckpts = checkpoints.at(h);
    return *std::prev(ckpts.upper_bound(s));
  }
};

// Maximum recoverable state by exhaustive search: for every host, the
// largest stable interval that some consistent combination of stable
// intervals (one per host) contains. Returns nullopt when the search would
// exceed `budget` nodes, so callers can skip pathological cases.
inline std::optional<std::vector<Interval>> oracle_crs(const Truth& truth,
                                                       std::size_t budget = 200000) {
  const HostId n = truth.execution.host_count();
  std::vector<std::vector<Interval>> stable(n + 1);
  // dense[h][k][j]: component j of host h's k-th stable interval (-1 = bottom)
  std::vector<std::vector<std::vector<long>>> dense(n + 1);
  for (HostId h = 1; h <= n; ++h) {
    for (Interval s = truth.execution.current_interval(h) + 1; s-- > 0;) {
      if (!truth.stable(h, s)) continue;
      stable[h].push_back(s);  // descending
      std::vector<long> row(n + 1, -1);
      for (const Dependency& d : truth.execution.dependency_vector_at(h, s))
        row[d.host] = d.interval;
      row[h] = s;
      dense[h].push_back(std::move(row));
    }
  }
  std::size_t nodes = 0;
  std::vector<int> pick(n + 1, -1);
  // Depth-first search over hosts 1..n, with host `fixed_host` pinned to
  // candidate `fixed_index`; checks consistency against assigned hosts.
  auto exists = [&](HostId fixed_host, std::size_t fixed_index) {
    std::vector<int> choice(n + 1, -1);
    auto compatible = [&](HostId h, std::size_t k) {
      const auto& row = dense[h][k];
      for (HostId j = 1; j < h; ++j) {
        const long other = static_cast<long>(stable[j][choice[j]]);
        if (row[j] > other) return false;
        if (dense[j][choice[j]][h] > static_cast<long>(stable[h][k])) return false;
      }
      return true;
    };
    std::function<bool(HostId)> go = [&](HostId h) -> bool {
      if (h > n) return true;
      if (++nodes > budget) return false;
      const std::size_t lo = h == fixed_host ? fixed_index : 0;
      const std::size_t hi = h == fixed_host ? fixed_index + 1 : stable[h].size();
      for (std::size_t k = lo; k < hi; ++k) {
        if (!compatible(h, k)) continue;
        choice[h] = static_cast<int>(k);
        if (go(h + 1)) return true;
      }
      choice[h] = -1;
      return false;
    };
    return go(1);
  };
  std::vector<Interval> result(n, 0);
  for (HostId h = 1; h <= n; ++h) {
    bool found = false;
    for (std::size_t k = 0; k < stable[h].size() && !found; ++k) {
      if (exists(h, k)) {
        result[h - 1] = stable[h][k];
        found = true;
      }
      if (nodes > budget) return std::nullopt;
    }
    if (!found) return std::nullopt;
  }
  return result;
}

// Drives a Truth and an Engine with the same random events.
class RandomRun {
 public:
  explicit RandomRun(std::uint64_t seed, HostId max_hosts = 8) : rng_(seed) {
    const HostId n = 1 + static_cast<HostId>(rng_() % max_hosts);
    engine.add_hosts(n);
    for (HostId h = 0; h < n; ++h) truth.add_host();
    max_hosts_ = max_hosts;
  }

  Engine engine;
  Truth truth;

  // Applies one random event; returns true when it was an input to the
  // engine (log, checkpoint or a joining host).
  bool step() {
    const unsigned roll = static_cast<unsigned>(rng_() % 100);
    const HostId n = truth.execution.host_count();
    if (roll < 30) {
      const HostId from = pick_host(), to = pick_host();
      pending_.push_back(truth.execution.send(from, to));
      return false;
    }
    if (roll < 55) {
      if (pending_.empty()) return false;
      const std::size_t at = rng_() % pending_.size();
      truth.execution.receive(pending_[at]);
      pending_.erase(pending_.begin() + static_cast<long>(at));
      return false;
    }
    if (roll < 85) {
      const HostId h = pick_host();
      const Interval current = truth.execution.current_interval(h);
      if (current == 0) return false;
      Interval s;
      if (rng_() % 2) {
        s = 1 + static_cast<Interval>(rng_() % current);  // any interval
      } else {
        s = 1;  // the next one in order, like a logging daemon
        while (s < current && truth.logged.contains({h, s})) ++s;
      }
      const Dependency start = truth.execution.start_of(h, s);
      truth.logged.insert({h, s});
      engine.log_message(h, s, start.host, start.interval);
      return true;
    }
    if (roll < 97 || n >= max_hosts_) {
      const HostId h = pick_host();
      const Interval current = truth.execution.current_interval(h);
      truth.checkpoints[h].insert(current);
      engine.checkpoint(h, current, truth.execution.dependency_vector(h));
      return true;
    }
    truth.add_host();
    engine.add_hosts(1);
    return true;
  }

 private:
  HostId pick_host() { return 1 + static_cast<HostId>(rng_() % truth.execution.host_count()); }
  std::mt19937_64 rng_;
  HostId max_hosts_ = 8;
  std::vector<Execution::MessageId> pending_;
};

}  // namespace mlog::crs::testing
