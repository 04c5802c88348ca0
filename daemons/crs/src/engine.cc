// SPDX-License-Identifier: GPL-2.0
#include "mlog/crs/engine.h"

#include <algorithm>
#include <string>

namespace mlog::crs {

namespace {

std::string where(HostId h, Interval s) {
  return "host " + std::to_string(h) + " interval " + std::to_string(s);
}

std::uint64_t key_of(StableRef r) { return (std::uint64_t{r.host} << 32) | r.interval; }

// Per-interval vectors are the bulk of the engine's memory. Growing them
// by a quarter instead of doubling keeps the unused tail small at the same
// amortised cost per element.
template <typename T>
void reserve_gently(std::vector<T>& v, std::size_t needed) {
  if (needed > v.capacity()) v.reserve(std::max(needed, v.capacity() + v.capacity() / 4 + 8));
}

// Orders an interval before the DEFER entries waiting on later intervals.
constexpr auto defer_before = [](Interval value, const auto& entry) { return value < entry.on; };

}  // namespace

Engine::Engine() : Engine(Options{}) {}

Engine::Engine(Options options) : options_(options), hosts_(1), crs_(1), trial_(1), max_(1) {}

// ---------------------------------------------------------------- inputs --

void Engine::validate_add_hosts(HostId count) const {
  if (count == 0) throw CrsError("adding zero hosts");
  if (std::uint64_t{host_count()} + count > kMaxHosts)
    throw CrsError("too many hosts (limit " + std::to_string(kMaxHosts) + ")");
}

void Engine::add_hosts(HostId count) {
  validate_add_hosts(count);
  for (HostId n = 0; n < count; ++n) {
    HostHistory& hh = hosts_.emplace_back();
    hh.start.resize(1);
    hh.flags.assign(1, kCheckpoint | kStable);
    hh.checkpoints.emplace(0, DependencyVector{});
    hh.stable_runs.emplace(0, 0);
    ++stable_count_;
    crs_.push_back(0);
    trial_.push_back(0);
    max_.push_back(0);
  }
}

void Engine::check_host(HostId h, const char* what) const {
  if (h == 0 || h > host_count())
    throw CrsError(std::string(what) + " " + std::to_string(h) + " does not exist (hosts are 1.." +
                   std::to_string(host_count()) + ")");
}

void Engine::check_reachable(const HostHistory& hh, HostId h, Interval interval) const {
  const auto known = static_cast<Interval>(hh.flags.size() - 1);
  if (interval > known && interval - known > kMaxIntervalJump)
    throw CrsError(where(h, interval) + " is implausibly far beyond the highest known interval " +
                   std::to_string(known));
}

void Engine::validate_log_message(HostId h, Interval interval, HostId sender,
                                  Interval sender_interval) const {
  check_host(h, "host");
  check_host(sender, "sender host");
  if (interval == 0) throw CrsError("interval 0 of a host is not started by a message");
  const HostHistory& hh = host(h);
  check_reachable(hh, h, interval);
  if (interval < hh.flags.size() && (hh.flags[interval] & kLogged)) {
    const Dependency& old = hh.start[interval];
    if (old.host != sender || old.interval != sender_interval)
      throw CrsError("conflicting log records for " + where(h, interval));
  }
}

void Engine::validate_checkpoint(HostId h, Interval interval, const DependencyVector& dv) const {
  check_host(h, "host");
  const HostHistory& hh = host(h);
  check_reachable(hh, h, interval);
  for (const Dependency& d : dv) check_host(d.host, "dependency on host");
  auto it = hh.checkpoints.find(interval);
  if (it != hh.checkpoints.end() && it->second != normalise_dependencies(dv, h))
    throw CrsError("conflicting checkpoints for " + where(h, interval));
}

void Engine::grow(HostHistory& hh, Interval interval) {
  if (interval >= hh.flags.size()) {
    reserve_gently(hh.flags, std::size_t{interval} + 1);
    reserve_gently(hh.start, std::size_t{interval} + 1);
    hh.flags.resize(std::size_t{interval} + 1, 0);
    hh.start.resize(std::size_t{interval} + 1);
  }
}

void Engine::log_message(HostId h, Interval interval, HostId sender, Interval sender_interval) {
  validate_log_message(h, interval, sender, sender_interval);
  HostHistory& hh = host(h);
  grow(hh, interval);
  if (hh.flags[interval] & kLogged) return;  // the same record again
  hh.flags[interval] |= kLogged;
  hh.start[interval] = Dependency{sender, sender_interval};
  if (sender != h) ++logged_dependency_count_;
  if (!(hh.flags[interval] & kStable) && (hh.flags[interval - 1] & kStable))
    propagate_stability(h, interval);
}

void Engine::checkpoint(HostId h, Interval interval, DependencyVector dv) {
  validate_checkpoint(h, interval, dv);
  HostHistory& hh = host(h);
  grow(hh, interval);
  if (hh.flags[interval] & kCheckpoint) return;  // the same checkpoint again
  hh.flags[interval] |= kCheckpoint;
  hh.checkpoints.emplace(interval, normalise_dependencies(std::move(dv), h));
  if (!(hh.flags[interval] & kStable)) propagate_stability(h, interval);
}

// An interval is stable when it holds a checkpoint, or when the message that
// began it is logged and the interval before it is stable (Definition 2.6
// unrolled). So a new log record or checkpoint can only make a contiguous
// range stable, starting at `first`; each member is announced to the
// incremental algorithm on its own, in ascending order, since the algorithm
// assumes intervals become stable one at a time.
void Engine::propagate_stability(HostId h, Interval first) {
  // Dependency vector of the interval made stable last. When the range
  // extends the top of the host's stable history, start from the cached
  // vector of the top interval instead of rebuilding it.
  DependencyVector running;
  std::optional<Interval> running_at;
  if (first > 0 && first - 1 == host(h).top_stable) {
    running = host(h).top_dv;
    running_at = first - 1;
  }
  for (Interval s = first;; ++s) {
    HostHistory& hh = host(h);
    if (s >= hh.flags.size() || (hh.flags[s] & kStable)) break;
    const bool is_checkpoint = hh.flags[s] & kCheckpoint;
    if (!is_checkpoint && !(hh.flags[s] & kLogged)) break;
    mark_stable(h, s);
    if (is_checkpoint) {
      running = hh.checkpoints.at(s);
    } else if (running_at && *running_at + 1 == s) {
      if (hh.start[s].host != h) merge_dependency(running, hh.start[s]);
    } else {
      running = dependency_vector(h, s);
    }
    running_at = s;
    if (s > hh.top_stable) {
      hh.top_stable = s;
      hh.top_dv = running;
    }
    if (options_.incremental) on_newly_stable(h, s, running);
  }
}

void Engine::mark_stable(HostId h, Interval s) {
  HostHistory& hh = host(h);
  hh.flags[s] |= kStable;
  ++stable_count_;
  const bool left = s > 0 && (hh.flags[s - 1] & kStable);
  const bool right = std::size_t{s} + 1 < hh.flags.size() && (hh.flags[s + 1] & kStable);
  if (left) {
    auto run = std::prev(hh.stable_runs.upper_bound(s - 1));
    if (right) {
      auto next = hh.stable_runs.find(s + 1);
      run->second = next->second;
      hh.stable_runs.erase(next);
    } else {
      run->second = s;
    }
  } else if (right) {
    auto node = hh.stable_runs.extract(s + 1);
    node.key() = s;
    hh.stable_runs.insert(std::move(node));
  } else {
    hh.stable_runs.emplace(s, s);
  }
}

// ----------------------------------------------------------------- model --

const Engine::HostHistory& Engine::host(HostId h) const { return hosts_[h]; }
Engine::HostHistory& Engine::host(HostId h) { return hosts_[h]; }

Interval Engine::known_interval(HostId h) const {
  check_host(h, "host");
  return static_cast<Interval>(host(h).flags.size() - 1);
}

bool Engine::is_logged(HostId h, Interval s) const {
  check_host(h, "host");
  const HostHistory& hh = host(h);
  return s < hh.flags.size() && (hh.flags[s] & kLogged);
}

bool Engine::has_checkpoint(HostId h, Interval s) const {
  check_host(h, "host");
  const HostHistory& hh = host(h);
  return s < hh.flags.size() && (hh.flags[s] & kCheckpoint);
}

bool Engine::is_stable(HostId h, Interval s) const {
  check_host(h, "host");
  const HostHistory& hh = host(h);
  return s < hh.flags.size() && (hh.flags[s] & kStable);
}

Interval Engine::max_stable(HostId h) const {
  check_host(h, "host");
  return host(h).top_stable;
}

std::optional<Interval> Engine::min_stable_at_least(HostId h, Interval s) const {
  const HostHistory& hh = host(h);
  if (s < hh.flags.size() && (hh.flags[s] & kStable)) return s;
  auto it = hh.stable_runs.upper_bound(s);
  if (it == hh.stable_runs.end()) return std::nullopt;
  return it->first;
}

std::optional<Interval> Engine::max_stable_below(HostId h, Interval s) const {
  const HostHistory& hh = host(h);
  if (s == 0) return std::nullopt;
  const Interval below = s - 1;
  if (below < hh.flags.size() && (hh.flags[below] & kStable)) return below;
  auto it = hh.stable_runs.upper_bound(below);
  if (it == hh.stable_runs.begin()) return std::nullopt;
  return std::min(std::prev(it)->second, below);
}

std::optional<Interval> Engine::effective_checkpoint(HostId h, Interval s) const {
  check_host(h, "host");
  const HostHistory& hh = host(h);
  auto it = hh.checkpoints.upper_bound(s);
  if (it == hh.checkpoints.begin()) return std::nullopt;
  return std::prev(it)->first;
}

DependencyVector Engine::dependency_vector(HostId h, Interval s) const {
  if (!is_stable(h, s)) throw CrsError(where(h, s) + " is not stable");
  const HostHistory& hh = host(h);
  auto ckpt = std::prev(hh.checkpoints.upper_bound(s));
  DependencyVector dv = ckpt->second;
  for (Interval p = ckpt->first + 1; p <= s; ++p)
    if (hh.start[p].host != h) merge_dependency(dv, hh.start[p]);
  return dv;
}

std::vector<Interval> Engine::checkpoints(HostId h) const {
  check_host(h, "host");
  std::vector<Interval> out;
  for (const auto& [at, dv] : host(h).checkpoints) out.push_back(at);
  return out;
}

template <typename Fn>
void Engine::for_each_new_dependency(HostId h, Interval from, Interval to, Fn&& fn) const {
  const HostHistory& hh = host(h);
  auto ckpt = std::prev(hh.checkpoints.upper_bound(to));
  Interval scan_from = from;
  if (ckpt->first > from) {
    // A checkpoint between the two intervals carries every dependency picked
    // up before it, including ones whose messages were never logged.
    for (const Dependency& d : ckpt->second)
      if (!fn(d)) return;
    scan_from = ckpt->first;
  }
  for (Interval p = scan_from + 1; p <= to; ++p)
    if (hh.start[p].host != h && !fn(hh.start[p])) return;
}

// ------------------------------------------------------ batch (Fig. 4.1) --

// Largest stable interval below `below` of host j whose dependency on host i
// is at most `limit`. Between a checkpoint and the next one the component for
// i only grows, so in each such stretch the answer is the interval before the
// first logged message from i tagged above `limit`.
Interval Engine::batch_rollback_target(HostId j, HostId i, Interval limit, Interval below) const {
  const HostHistory& hh = host(j);
  std::optional<Interval> hi = max_stable_below(j, below);
  while (hi) {
    auto ckpt = std::prev(hh.checkpoints.upper_bound(*hi));
    const Interval base = ckpt->first;
    Interval at_checkpoint = 0;
    if (lookup_dependency(ckpt->second, i, at_checkpoint) && at_checkpoint > limit) {
      hi = max_stable_below(j, base);
      continue;
    }
    for (Interval p = base + 1; p <= *hi; ++p)
      if (hh.start[p].host == i && hh.start[p].interval > limit) return p - 1;
    return *hi;
  }
  // Interval 0 carries no dependencies, so this cannot happen for hosts the
  // engine created; keep the refusal explicit rather than undefined.
  throw CrsError("no stable interval of host " + std::to_string(j) + " is consistent");
}

std::vector<Interval> Engine::batch_crs() const {
  const HostId n = host_count();
  std::vector<Interval> current(std::size_t{n} + 1, 0);
  std::vector<DependencyVector> rows(std::size_t{n} + 1);
  std::vector<std::vector<HostId>> dependents(std::size_t{n} + 1);
  for (HostId h = 1; h <= n; ++h) {
    current[h] = host(h).top_stable;
    rows[h] = host(h).top_dv;
    for (const Dependency& d : rows[h]) dependents[d.host].push_back(h);
  }
  // Worklist form of the "while some row is inconsistent" loop: a row only
  // needs re-examining after a host it depends on moved back.
  std::vector<HostId> queue;
  std::vector<bool> queued(std::size_t{n} + 1, true);
  for (HostId h = n; h >= 1; --h) queue.push_back(h);
  while (!queue.empty()) {
    const HostId j = queue.back();
    queue.pop_back();
    queued[j] = false;
    bool moved = false;
    for (;;) {
      auto bad = std::find_if(rows[j].begin(), rows[j].end(),
                              [&](const Dependency& d) { return d.interval > current[d.host]; });
      if (bad == rows[j].end()) break;
      const Interval alpha = batch_rollback_target(j, bad->host, current[bad->host], current[j]);
      current[j] = alpha;
      rows[j] = dependency_vector(j, alpha);
      moved = true;
    }
    if (moved)
      for (HostId d : dependents[j])
        if (!queued[d]) {
          queued[d] = true;
          queue.push_back(d);
        }
  }
  return {current.begin() + 1, current.end()};
}

// ------------------------------------------- incremental (Figs. 4.2, 4.3) --

std::vector<Interval> Engine::incremental_crs() const {
  if (!options_.incremental) throw CrsError("the incremental algorithm is disabled");
  return {crs_.begin() + 1, crs_.end()};
}

std::vector<Interval> Engine::crs() const {
  return options_.incremental ? incremental_crs() : batch_crs();
}

// FIND_REC on the trial vector. On entry trial_ == max_ == NEWCRS, a
// recoverable state. MAX only ever needs the components that can exceed what
// it already covers, so when a host's entry advances from `from` to `alpha`
// only the dependencies acquired in between are folded in. On failure all
// changes are undone; on success trial_ is the larger recoverable state.
bool Engine::find_rec(HostId k, Interval sigma, const DependencyVector* full_dv) {
  undo_.clear();
  violated_.clear();
  // A dependency beyond a host's highest stable interval can never be met,
  // so the search stops at the first one instead of finishing the walk.
  bool hopeless = false;
  auto raise = [this, &hopeless](const Dependency& d) {
    if (d.interval <= max_[d.host]) return true;
    undo_.push_back({d.host, trial_[d.host], max_[d.host]});
    max_[d.host] = d.interval;
    if (max_[d.host] > trial_[d.host]) violated_.push_back(d.host);
    hopeless = d.interval > host(d.host).top_stable;
    return !hopeless;
  };
  auto give_up = [this] {
    for (auto u = undo_.rbegin(); u != undo_.rend(); ++u) {
      trial_[u->host] = u->trial;
      max_[u->host] = u->max;
    }
    return false;
  };
  const Interval from = trial_[k];
  undo_.push_back({k, trial_[k], max_[k]});
  trial_[k] = sigma;
  max_[k] = sigma;
  if (full_dv) {
    for (const Dependency& d : *full_dv)
      if (!raise(d)) break;
  } else {
    for_each_new_dependency(k, from, sigma, raise);
  }
  if (hopeless) return give_up();
  while (!violated_.empty()) {
    const HostId i = violated_.back();
    violated_.pop_back();
    if (max_[i] <= trial_[i]) continue;
    const std::optional<Interval> alpha = min_stable_at_least(i, max_[i]);
    if (!alpha) return give_up();
    const Interval before = trial_[i];
    undo_.push_back({i, trial_[i], max_[i]});
    trial_[i] = *alpha;
    max_[i] = *alpha;
    for_each_new_dependency(i, before, *alpha, raise);
    if (hopeless) return give_up();
  }
  for (const Undo& u : undo_) changed_.push_back(u.host);
  return true;
}

// Adds DEFER(x, theta) and the DEFER sets of the unstable intervals just
// below theta to WORK: dependencies on those intervals have been transferred
// to theta, the first stable interval at or above them.
void Engine::collect_deferred(HostId x, Interval theta) {
  const HostHistory& hh = host(x);
  const std::optional<Interval> floor = max_stable_below(x, theta);
  auto it = floor ? std::upper_bound(hh.defer.begin(), hh.defer.end(), *floor, defer_before)
                  : hh.defer.begin();
  for (; it != hh.defer.end() && it->on <= theta; ++it) work_.push_back(it->whom);
}

void Engine::on_newly_stable(HostId k, Interval sigma, const DependencyVector& dv) {
  if (sigma <= crs_[k]) return;
  changed_.clear();
  if (!find_rec(k, sigma, &dv)) {
    for (const Dependency& d : dv) {
      if (d.interval <= crs_[d.host]) continue;
      auto& defer = host(d.host).defer;
      reserve_gently(defer, defer.size() + 1);
      defer.insert(std::upper_bound(defer.begin(), defer.end(), d.interval, defer_before),
                   DeferEntry{d.interval, StableRef{k, sigma}});
    }
    return;
  }
  work_.clear();
  collect_deferred(k, sigma);
  while (!work_.empty()) {
    const StableRef r = work_.back();
    work_.pop_back();
    // Whether a recoverable state with r.host at r.interval or beyond exists
    // does not depend on where the search starts, so one look per run is
    // enough.
    if (!visited_.insert(key_of(r)).second) continue;
    if (r.interval > trial_[r.host]) find_rec(r.host, r.interval, nullptr);
    if (r.interval <= trial_[r.host]) collect_deferred(r.host, r.interval);
  }
  // clear() costs the bucket count, not the size: drop an oversized table
  // so that one large traversal does not tax every later run.
  if (visited_.bucket_count() > 4096)
    visited_ = {};
  else
    visited_.clear();
  for (HostId h : changed_) {
    if (crs_[h] == trial_[h]) continue;
    crs_[h] = trial_[h];
    // DEFER sets only matter above the CRS: a dependency at or below it is
    // satisfied for good, since the CRS never decreases.
    auto& defer = host(h).defer;
    defer.erase(defer.begin(), std::upper_bound(defer.begin(), defer.end(), crs_[h], defer_before));
  }
}

std::vector<StableRef> Engine::deferred(HostId h, Interval s) const {
  check_host(h, "host");
  std::vector<StableRef> out;
  const auto& defer = host(h).defer;
  auto it = std::lower_bound(defer.begin(), defer.end(), s,
                             [](const DeferEntry& e, Interval v) { return e.on < v; });
  for (; it != defer.end() && it->on == s; ++it) out.push_back(it->whom);
  return out;
}

std::size_t Engine::deferred_entry_count() const {
  std::size_t total = 0;
  for (const HostHistory& hh : hosts_) total += hh.defer.size();
  return total;
}

// -------------------------------------------------------- derived answers --

bool Engine::may_release_output(HostId h, Interval s) const {
  check_host(h, "host");
  return s <= crs()[h - 1];
}

GcHorizon Engine::gc_horizon(HostId h) const {
  check_host(h, "host");
  const Interval at = crs()[h - 1];
  // The CRS component is stable, so it has an effective checkpoint.
  return GcHorizon{h, *effective_checkpoint(h, at)};
}

bool Engine::checkpoint_deletable(HostId h, Interval c) const {
  return c < gc_horizon(h).effective_checkpoint;
}

bool Engine::log_record_deletable(HostId h, Interval s) const {
  return s <= gc_horizon(h).effective_checkpoint;
}

std::vector<HostRestart> Engine::plan_optimistic_recovery(const std::vector<Interval>& current,
                                                          const std::vector<HostId>& failed) const {
  if (current.size() != host_count())
    throw CrsError("need the current interval of each of the " + std::to_string(host_count()) +
                   " hosts, got " + std::to_string(current.size()));
  std::vector<bool> is_failed(std::size_t{host_count()} + 1, false);
  for (HostId f : failed) {
    check_host(f, "failed host");
    is_failed[f] = true;
  }
  const std::vector<Interval> cut = crs();
  std::vector<HostRestart> plan;
  for (HostId h = 1; h <= host_count(); ++h) {
    const Interval now = current[h - 1];
    const Interval target = cut[h - 1];
    if (!is_failed[h] && now < target)
      throw CrsError("host " + std::to_string(h) + " is reported in interval " +
                     std::to_string(now) + " but the CRS already holds interval " +
                     std::to_string(target));
    if (!is_failed[h] && now == target) continue;
    plan.push_back(
        HostRestart{h, is_failed[h], !is_failed[h], now, target, *effective_checkpoint(h, target)});
  }
  return plan;
}

// ------------------------------------------------------------- accounting --

std::size_t Engine::stored_dependency_count() const {
  std::size_t total = logged_dependency_count_;
  for (const HostHistory& hh : hosts_)
    for (const auto& [at, dv] : hh.checkpoints) total += dv.size();
  return total;
}

std::size_t Engine::memory_bytes() const {
  // std::map nodes: three pointers and a colour word of header plus the value.
  constexpr std::size_t kMapNode = 32;
  std::size_t total = sizeof(*this) + hosts_.capacity() * sizeof(HostHistory);
  for (const HostHistory& hh : hosts_) {
    total += hh.start.capacity() * sizeof(Dependency) + hh.flags.capacity();
    for (const auto& [at, dv] : hh.checkpoints)
      total += kMapNode + sizeof(std::pair<const Interval, DependencyVector>) +
               dv.capacity() * sizeof(Dependency);
    total += hh.stable_runs.size() * (kMapNode + sizeof(std::pair<const Interval, Interval>));
    total += hh.top_dv.capacity() * sizeof(Dependency);
    total += hh.defer.capacity() * sizeof(DeferEntry);
  }
  return total;
}

}  // namespace mlog::crs
