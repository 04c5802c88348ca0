// SPDX-License-Identifier: GPL-2.0
#include "mlog/crs/types.h"

#include <algorithm>

namespace mlog::crs {

namespace {
auto by_host = [](const Dependency& d, HostId h) { return d.host < h; };
}

bool merge_dependency(DependencyVector& dv, Dependency dep) {
  auto it = std::lower_bound(dv.begin(), dv.end(), dep.host, by_host);
  if (it != dv.end() && it->host == dep.host) {
    if (it->interval >= dep.interval) return false;
    it->interval = dep.interval;
    return true;
  }
  dv.insert(it, dep);
  return true;
}

bool lookup_dependency(const DependencyVector& dv, HostId host, Interval& out) {
  auto it = std::lower_bound(dv.begin(), dv.end(), host, by_host);
  if (it == dv.end() || it->host != host) return false;
  out = it->interval;
  return true;
}

DependencyVector normalise_dependencies(DependencyVector dv, HostId owner) {
  std::erase_if(dv, [owner](const Dependency& d) { return d.host == owner; });
  std::sort(dv.begin(), dv.end(), [](const Dependency& a, const Dependency& b) {
    return a.host != b.host ? a.host < b.host : a.interval > b.interval;
  });
  // After sorting, the first entry of each host carries its maximum.
  dv.erase(std::unique(dv.begin(), dv.end(),
                       [](const Dependency& a, const Dependency& b) { return a.host == b.host; }),
           dv.end());
  return dv;
}

std::string to_string(const std::vector<Interval>& crs) {
  std::string out;
  for (Interval v : crs) {
    if (!out.empty()) out += ' ';
    out += std::to_string(v);
  }
  return out;
}

}  // namespace mlog::crs
