// SPDX-License-Identifier: GPL-2.0
// Basic vocabulary of the recovery-state engine: hosts, state intervals and
// sparse dependency vectors.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace mlog::crs {

// Hosts are numbered 1..n, as in the thesis; 0 never names a host.
using HostId = std::uint32_t;
// A state interval index counts the messages a host has received.
using Interval = std::uint32_t;

// One non-bottom component of a dependency vector: "depends on interval
// `interval` of host `host`". Eight bytes, which is what the memory budget of
// the engine is expressed in.
struct Dependency {
  HostId host = 0;
  Interval interval = 0;
  friend bool operator==(const Dependency&, const Dependency&) = default;
};

// A dependency vector stored sparsely: only the components that are not
// bottom, sorted by host, never containing the owning host itself (its own
// component is implicitly the interval the vector belongs to).
using DependencyVector = std::vector<Dependency>;

// Names one state interval of one host (an element of a DEFER set, a WORK
// entry, ...).
struct StableRef {
  HostId host = 0;
  Interval interval = 0;
  friend bool operator==(const StableRef&, const StableRef&) = default;
};

// Every refusal of bad input by the engine, the record file or the trace
// driver is reported with this exception type and a message that says what
// was wrong; nothing is silently ignored.
class CrsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Raises `dv`'s component for `dep.host` to at least `dep.interval`, keeping
// the vector sorted. Returns true when the vector changed.
bool merge_dependency(DependencyVector& dv, Dependency dep);

// Component of `dv` for `host`, or nullopt-like `false` when it is bottom.
bool lookup_dependency(const DependencyVector& dv, HostId host, Interval& out);

// Sorts, removes the entry for `owner`, and keeps the maximum per host.
DependencyVector normalise_dependencies(DependencyVector dv, HostId owner);

std::string to_string(const std::vector<Interval>& crs);

}  // namespace mlog::crs
