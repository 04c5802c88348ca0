// SPDX-License-Identifier: GPL-2.0
#include "mlog/crs/model.h"

#include <string>

namespace mlog::crs {

SystemState::SystemState(std::vector<std::vector<Entry>> rows) : rows_(std::move(rows)) {
  for (std::size_t i = 0; i < rows_.size(); ++i) {
    if (rows_[i].size() != rows_.size())
      throw CrsError("dependency matrix row " + std::to_string(i + 1) + " has " +
                     std::to_string(rows_[i].size()) + " entries, expected " +
                     std::to_string(rows_.size()));
    if (!rows_[i][i]) throw CrsError("host " + std::to_string(i + 1) + " has no current interval");
  }
}

bool SystemState::consistent() const {
  for (std::size_t column = 0; column < rows_.size(); ++column)
    for (const auto& row : rows_)
      if (row[column] && *row[column] > *rows_[column][column]) return false;
  return true;
}

bool SystemState::recoverable(const std::function<bool(HostId, Interval)>& stable) const {
  if (!consistent()) return false;
  for (HostId h = 1; h <= size(); ++h)
    if (!stable(h, interval(h))) return false;
  return true;
}

bool SystemState::precedes_or_equals(const SystemState& other) const {
  if (other.size() != size()) throw CrsError("comparing states of different systems");
  for (HostId h = 1; h <= size(); ++h)
    if (interval(h) > other.interval(h)) return false;
  return true;
}

SystemState SystemState::meet(const SystemState& other) const {
  if (other.size() != size()) throw CrsError("meet of states of different systems");
  auto rows = rows_;
  for (HostId h = 1; h <= size(); ++h)
    if (other.interval(h) < interval(h)) rows[h - 1] = other.rows_[h - 1];
  return SystemState(std::move(rows));
}

SystemState SystemState::join(const SystemState& other) const {
  if (other.size() != size()) throw CrsError("join of states of different systems");
  auto rows = rows_;
  for (HostId h = 1; h <= size(); ++h)
    if (other.interval(h) > interval(h)) rows[h - 1] = other.rows_[h - 1];
  return SystemState(std::move(rows));
}

}  // namespace mlog::crs
