// SPDX-License-Identifier: GPL-2.0
// Dense system states of the thesis's chapter 2: an n x n dependency matrix
// whose row i is host i's dependency vector and whose diagonal is each
// host's current interval. Used for reasoning, tests and small systems; the
// engine itself never builds one.
#pragma once

#include <functional>
#include <optional>
#include <vector>

#include "mlog/crs/types.h"

namespace mlog::crs {

class SystemState {
 public:
  // nullopt stands for bottom: no dependency at all.
  using Entry = std::optional<Interval>;

  // Rows are host 1..n, given 0-based here: rows[i][j] is host i+1's entry
  // for host j+1. Refuses non-square input or a bottom diagonal.
  explicit SystemState(std::vector<std::vector<Entry>> rows);

  HostId size() const { return static_cast<HostId>(rows_.size()); }
  // 1-based accessors.
  Entry at(HostId row, HostId column) const { return rows_.at(row - 1).at(column - 1); }
  Interval interval(HostId host) const { return *rows_.at(host - 1).at(host - 1); }
  const std::vector<std::vector<Entry>>& rows() const { return rows_; }

  // Definition 2.4: no host depends on an interval its sender has not reached.
  bool consistent() const;
  // Definition 2.7, given which intervals are stable.
  bool recoverable(const std::function<bool(HostId, Interval)>& stable) const;

  // Definition 2.1 (system history order).
  bool precedes_or_equals(const SystemState& other) const;
  // Definitions 2.2 and 2.3: take each row from the state that is behind
  // (meet) or ahead (join) on that row's diagonal.
  SystemState meet(const SystemState& other) const;
  SystemState join(const SystemState& other) const;

  friend bool operator==(const SystemState&, const SystemState&) = default;

 private:
  std::vector<std::vector<Entry>> rows_;
};

}  // namespace mlog::crs
