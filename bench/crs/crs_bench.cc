// SPDX-License-Identifier: GPL-2.0
// Benchmarks of the recovery-state engine: one incremental update and one
// batch run as the number of hosts and the length of the stable history
// grow, and the memory held per stable interval.
//
// Workload: every host talks to a few fixed peers (so a dependency vector
// has a handful of entries, as in a real application with locality), each
// received message is logged by its receiver in order, in batches of random
// size (like a logging daemon flushing its buffer),
// and each host is checkpointed every kCheckpointEvery intervals.
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <map>
#include <memory>
#include <random>
#include <tuple>
#include <vector>

#include "mlog/crs/engine.h"

namespace {

using mlog::crs::DependencyVector;
using mlog::crs::Engine;
using mlog::crs::HostId;
using mlog::crs::Interval;

constexpr HostId kPeersPerHost = 4;
constexpr Interval kCheckpointEvery = 256;
constexpr std::size_t kMaxLogBatch = 16;

struct Input {
  bool checkpoint = false;
  HostId host = 0;
  Interval interval = 0;
  HostId sender = 0;
  Interval tag = 0;
  DependencyVector dv;  // checkpoints only
};

class Workload {
 public:
  // With `timer_flush` off, a host's buffer is written only when it fills,
  // so quiet hosts keep messages unlogged for long and hold the CRS back:
  // the "lagging" workload, which makes both algorithms work harder.
  Workload(HostId hosts, std::uint64_t seed, bool timer_flush)
      : rng_(seed), hosts_(hosts + 1), timer_flush_(timer_flush) {
    for (HostId h = 1; h <= hosts; ++h)
      for (HostId p = 0; p < kPeersPerHost; ++p) {
        HostId peer = 1 + static_cast<HostId>(rng_() % hosts);
        if (peer == h) peer = h % hosts + 1;
        hosts_[h].peers.push_back(peer);
      }
  }

  HostId host_count() const { return static_cast<HostId>(hosts_.size() - 1); }

  // Appends `count` engine inputs.
  void generate(std::size_t count, std::vector<Input>& out) {
    const std::size_t goal = out.size() + count;
    while (out.size() < goal) {
      // One message between peers...
      const HostId from = pick();
      const HostId to = hosts_[from].peers[rng_() % kPeersPerHost];
      Host& receiver = hosts_[to];
      ++receiver.current;
      receiver.pending.push_back({from, hosts_[from].current});
      if (from != to) mlog::crs::merge_dependency(receiver.dv, {from, hosts_[from].current});
      if (receiver.current % kCheckpointEvery == 0 && out.size() < goal)
        out.push_back(Input{true, to, receiver.current, 0, 0, receiver.dv});
      // The receiver's logging daemon writes its buffer out once it holds
      // a random number (1..kMaxLogBatch) of messages; a timer also flushes
      // every host's buffer in turn, so quiet hosts do not hold the CRS
      // back forever.
      if (receiver.pending.size() >= receiver.flush_at) flush(to, out);
      if (timer_flush_) {
        timer_ = timer_ % host_count() + 1;
        flush(timer_, out);
      }
    }
  }

 private:
  void flush(HostId h, std::vector<Input>& out) {
    Host& host = hosts_[h];
    Interval s = host.current - static_cast<Interval>(host.pending.size()) + 1;
    for (const auto& [sender, tag] : host.pending)
      out.push_back(Input{false, h, s++, sender, tag, {}});
    host.pending.clear();
    host.flush_at = 1 + rng_() % kMaxLogBatch;
  }

  struct Host {
    std::vector<HostId> peers;
    Interval current = 0;
    DependencyVector dv;
    std::vector<std::pair<HostId, Interval>> pending;  // received, not yet logged
    std::size_t flush_at = 1;
  };
  HostId pick() { return 1 + static_cast<HostId>(rng_() % host_count()); }
  std::mt19937_64 rng_;
  std::vector<Host> hosts_;
  HostId timer_ = 0;
  bool timer_flush_ = true;
};

void apply(Engine& engine, const Input& in) {
  if (in.checkpoint)
    engine.checkpoint(in.host, in.interval, in.dv);
  else
    engine.log_message(in.host, in.interval, in.sender, in.tag);
}

// Bytes the allocator has handed out, counting large blocks it mmap'ed.
std::size_t heap_in_use() {
  const struct mallinfo2 info = mallinfo2();
  return info.uordblks + info.hblkhd;
}

// An engine with a given history, built once per configuration and kept:
// building 10^6 stable intervals is the expensive part of a run.
struct Scenario {
  Workload workload;
  Engine engine;
  // Measured right after the history was built, before any benchmark adds
  // to it. "Added" figures exclude the fixed cost of the hosts themselves
  // (an engine with n hosts and only their interval-0 checkpoints).
  std::size_t fixed_bytes_per_host = 0;
  std::size_t added_stable = 0;
  std::size_t added_accounted_bytes = 0;
  std::size_t added_heap_bytes = 0;
  std::size_t added_dependencies = 0;

  Scenario(HostId hosts, std::size_t history, bool lagging)
      : workload(hosts, 42 + hosts, !lagging) {
    engine.add_hosts(hosts);
    const std::size_t base_accounted = engine.memory_bytes();
    const std::size_t base_stable = engine.stable_interval_count();
    const std::size_t base_dependencies = engine.stored_dependency_count();
    fixed_bytes_per_host = base_accounted / hosts;
    std::vector<Input> inputs;
    while (engine.stable_interval_count() < history) {
      inputs.clear();
      const std::size_t want = history - engine.stable_interval_count();
      workload.generate(std::min<std::size_t>(want, 1 << 16), inputs);
      const std::size_t before = heap_in_use();
      for (const Input& in : inputs) apply(engine, in);
      added_heap_bytes += heap_in_use() - before;
    }
    added_stable = engine.stable_interval_count() - base_stable;
    added_accounted_bytes = engine.memory_bytes() - base_accounted;
    added_dependencies = engine.stored_dependency_count() - base_dependencies;
  }
};

Scenario& scenario(const benchmark::State& state) {
  const auto hosts = static_cast<HostId>(state.range(0));
  const auto history = static_cast<std::size_t>(state.range(1));
  const bool lagging = state.range(2) != 0;
  static std::map<std::tuple<HostId, std::size_t, bool>, std::unique_ptr<Scenario>> cache;
  auto& slot = cache[{hosts, history, lagging}];
  if (!slot) slot = std::make_unique<Scenario>(hosts, history, lagging);
  return *slot;
}

void report_history(benchmark::State& state, const Engine& engine) {
  state.counters["hosts"] = engine.host_count();
  state.counters["stable"] = static_cast<double>(engine.stable_interval_count());
}

void BM_IncrementalUpdate(benchmark::State& state) {
  Scenario& s = scenario(state);
  std::vector<Input> inputs;
  std::size_t next = 0;
  for (auto _ : state) {
    if (next == inputs.size()) {
      state.PauseTiming();
      inputs.clear();
      s.workload.generate(1 << 14, inputs);
      next = 0;
      state.ResumeTiming();
    }
    apply(s.engine, inputs[next++]);
  }
  state.SetItemsProcessed(state.iterations());
  report_history(state, s.engine);
}

void BM_BatchRun(benchmark::State& state) {
  Scenario& s = scenario(state);
  for (auto _ : state) benchmark::DoNotOptimize(s.engine.batch_crs());
  report_history(state, s.engine);
}

void BM_MemoryPerStableInterval(benchmark::State& state) {
  Scenario& s = scenario(state);
  for (auto _ : state) benchmark::DoNotOptimize(s.engine.memory_bytes());
  const double stable = static_cast<double>(s.added_stable);
  const double deps = static_cast<double>(s.added_dependencies);
  state.counters["bytes_per_stable"] = static_cast<double>(s.added_accounted_bytes) / stable;
  state.counters["heap_bytes_per_stable"] = static_cast<double>(s.added_heap_bytes) / stable;
  state.counters["deps_per_stable"] = deps / stable;
  state.counters["budget_per_stable"] = 64.0 + 8.0 * deps / stable;
  state.counters["fixed_bytes_per_host"] = static_cast<double>(s.fixed_bytes_per_host);
  report_history(state, s.engine);
}

// Hosts 16..4096 at a history of 10^5 stable intervals, then history
// 10^4..10^6 at 1024 hosts.
// Arguments: hosts, stable history, lagging workload (0/1).
void configurations(benchmark::internal::Benchmark* b) {
  for (std::int64_t hosts : {16, 64, 256, 1024, 4096}) b->Args({hosts, 100000, 0});
  for (std::int64_t history : {10000, 1000000}) b->Args({1024, history, 0});
  for (std::int64_t history : {100000, 1000000}) b->Args({1024, history, 1});
}

BENCHMARK(BM_MemoryPerStableInterval)->Apply(configurations)->Iterations(1);
BENCHMARK(BM_BatchRun)->Apply(configurations)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_IncrementalUpdate)->Apply(configurations)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
