// SPDX-License-Identifier: GPL-2.0
// The recovery-state engine: which state intervals are stable, and the
// current recovery state (CRS) computed by the batch and the incremental
// algorithms of the thesis (§4.3, §4.4), plus the answers derived from the
// CRS (output commit, garbage collection, orphan detection).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <unordered_set>
#include <vector>

#include "mlog/crs/types.h"

namespace mlog::crs {

// What stable storage may drop for one host (Lemmas 2.4 and 2.5): every
// checkpoint with an index below `effective_checkpoint`, and every logged
// message that starts an interval at or below it.
struct GcHorizon {
  HostId host = 0;
  Interval effective_checkpoint = 0;
};

// Restart instructions for one host after a failure under optimistic logging.
struct HostRestart {
  HostId host = 0;
  bool failed = false;           // the host crashed
  bool orphan = false;           // it survived but is ahead of the CRS
  Interval current = 0;          // where it was before recovery started
  Interval restore_to = 0;       // its CRS component
  Interval from_checkpoint = 0;  // effective checkpoint of restore_to
};

class Engine {
 public:
  struct Options {
    // Run the incremental algorithm on every newly stable interval. When
    // false the CRS is computed by the batch algorithm on demand only.
    bool incremental = true;
  };

  // Largest forward jump a single input may make past the highest interval
  // known for a host. It bounds the memory one bad input can claim.
  static constexpr Interval kMaxIntervalJump = Interval{1} << 22;

  // Each host costs about half a kilobyte before it has any history; the
  // limit keeps a mistyped host count from exhausting memory.
  static constexpr HostId kMaxHosts = HostId{1} << 18;

  Engine();
  explicit Engine(Options options);

  // ---- inputs (every one of these is what the record file stores) ----

  // Adds hosts n+1..n+count; each starts in interval 0 with a checkpoint of
  // interval 0 and no dependencies (a host joining later is modelled so).
  void add_hosts(HostId count);
  // The message that started `interval` of `host` is logged. It was sent by
  // `sender` in the sender's interval `sender_interval`.
  void log_message(HostId host, Interval interval, HostId sender, Interval sender_interval);
  // `host` was checkpointed in `interval`; `dv` is its complete dependency
  // vector there (sparse; an entry for `host` itself is ignored).
  void checkpoint(HostId host, Interval interval, DependencyVector dv);

  // The same checks the inputs make, without changing anything: lets the
  // durable wrapper refuse an input before writing it to the record file.
  void validate_log_message(HostId host, Interval interval, HostId sender,
                            Interval sender_interval) const;
  void validate_checkpoint(HostId host, Interval interval, const DependencyVector& dv) const;
  void validate_add_hosts(HostId count) const;

  // ---- the model ----

  HostId host_count() const { return static_cast<HostId>(hosts_.size() - 1); }
  // Highest interval of `host` the engine has heard of.
  Interval known_interval(HostId host) const;
  bool is_logged(HostId host, Interval interval) const;
  bool has_checkpoint(HostId host, Interval interval) const;
  bool is_stable(HostId host, Interval interval) const;
  Interval max_stable(HostId host) const;
  std::optional<Interval> min_stable_at_least(HostId host, Interval interval) const;
  std::optional<Interval> max_stable_below(HostId host, Interval interval) const;
  // Definition 2.5; nullopt when no checkpoint at or below `interval` exists.
  std::optional<Interval> effective_checkpoint(HostId host, Interval interval) const;
  // Full (sparse) dependency vector of a stable interval.
  DependencyVector dependency_vector(HostId host, Interval interval) const;
  std::vector<Interval> checkpoints(HostId host) const;

  // ---- the current recovery state ----

  // CRS as maintained by the incremental algorithm; element h-1 is host h.
  // With Options::incremental == false this runs the batch algorithm.
  std::vector<Interval> crs() const;
  // CRS computed from scratch by the batch algorithm (Fig. 4.1).
  std::vector<Interval> batch_crs() const;
  // CRS kept by the incremental algorithm (Figs. 4.2, 4.3). Only valid with
  // Options::incremental.
  std::vector<Interval> incremental_crs() const;
  // DEFER set of interval `interval` of `host`, in insertion order.
  std::vector<StableRef> deferred(HostId host, Interval interval) const;
  std::size_t deferred_entry_count() const;

  // ---- derived answers ----

  // Lemma 2.3: output produced by `host` in `interval` may leave the system.
  bool may_release_output(HostId host, Interval interval) const;
  GcHorizon gc_horizon(HostId host) const;
  // Lemma 2.4.
  bool checkpoint_deletable(HostId host, Interval checkpoint_interval) const;
  // Lemma 2.5: the logged message starting `interval` is no longer needed.
  bool log_record_deletable(HostId host, Interval interval) const;
  // §4.2.3: after a failure, once every surviving host's state and unlogged
  // messages have been given to the engine, says which hosts restart from
  // where. `current[h-1]` is where host h was; `failed` lists crashed hosts.
  std::vector<HostRestart> plan_optimistic_recovery(const std::vector<Interval>& current,
                                                    const std::vector<HostId>& failed) const;

  // ---- accounting ----

  std::size_t stable_interval_count() const { return stable_count_; }
  // Sum over stable intervals of the dependencies stored for them.
  std::size_t stored_dependency_count() const;
  // Heap and object bytes held by the engine's history (not the incremental
  // scratch space, which is O(n)).
  std::size_t memory_bytes() const;

 private:
  static constexpr std::uint8_t kLogged = 1;
  static constexpr std::uint8_t kCheckpoint = 2;
  static constexpr std::uint8_t kStable = 4;

  struct DeferEntry {
    Interval on;     // the interval of this host that is waited for
    StableRef whom;  // the stable interval that waits
  };

  struct HostHistory {
    // start[s]: the message that began interval s (valid when logged).
    std::vector<Dependency> start;
    std::vector<std::uint8_t> flags;
    std::map<Interval, DependencyVector> checkpoints;
    // Maximal runs of stable intervals: first -> last (inclusive).
    std::map<Interval, Interval> stable_runs;
    Interval top_stable = 0;
    DependencyVector top_dv;  // dependency vector of top_stable
    // DEFER sets, only for intervals above this host's CRS component, as
    // one flat list sorted by the deferred-on interval (insertion order
    // within an interval): twelve bytes an entry instead of a map node each.
    std::vector<DeferEntry> defer;
  };

  const HostHistory& host(HostId h) const;
  HostHistory& host(HostId h);
  void check_host(HostId h, const char* what) const;
  void check_reachable(const HostHistory& hh, HostId h, Interval interval) const;
  void grow(HostHistory& hh, Interval interval);
  // Marks newly stable intervals, one at a time, starting at `first`.
  void propagate_stability(HostId h, Interval first);
  void mark_stable(HostId h, Interval interval);
  // Calls fn(Dependency) for every component of DV(h, to) that may exceed
  // DV(h, from), given that `to` is stable and from < to.
  template <typename Fn>
  void for_each_new_dependency(HostId h, Interval from, Interval to, Fn&& fn) const;

  // Incremental algorithm.
  void on_newly_stable(HostId k, Interval sigma, const DependencyVector& dv);
  bool find_rec(HostId k, Interval sigma, const DependencyVector* full_dv);
  void collect_deferred(HostId x, Interval theta);

  // Batch algorithm helper: largest stable interval below `below` of host j
  // whose component for host i is at most `limit` (Fig. 4.1, step 2a).
  Interval batch_rollback_target(HostId j, HostId i, Interval limit, Interval below) const;

  Options options_;
  std::vector<HostHistory> hosts_;  // index 0 unused
  std::size_t stable_count_ = 0;
  std::size_t logged_dependency_count_ = 0;

  // Incremental state: committed CRS, the trial vector RV (which equals
  // NEWCRS between FIND_REC calls) and MAX. All indexed by host.
  std::vector<Interval> crs_;
  std::vector<Interval> trial_;
  std::vector<Interval> max_;
  struct Undo {
    HostId host;
    Interval trial;
    Interval max;
  };
  std::vector<Undo> undo_;
  std::vector<HostId> violated_;
  std::vector<HostId> changed_;
  std::vector<StableRef> work_;
  std::unordered_set<std::uint64_t> visited_;
};

}  // namespace mlog::crs
