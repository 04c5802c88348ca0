// SPDX-License-Identifier: GPL-2.0
#include "placement.h"

#include <algorithm>

namespace mlog::recoverd {

std::variant<std::vector<std::uint64_t>, std::string> place_ranks(
    std::uint32_t size, const std::vector<std::uint32_t>& node_ids,
    const std::vector<MemberLoad>& live) {
  std::vector<std::uint64_t> cycle;
  if (!node_ids.empty()) {
    for (std::uint32_t id : node_ids) {
      auto it = std::find_if(live.begin(), live.end(),
                             [&](const MemberLoad& m) { return m.node_id == id; });
      if (it == live.end())
        return "unknown node id " + std::to_string(id) + " (no live mlog-ckptd)";
      cycle.push_back(it->member);
    }
  } else {
    std::vector<MemberLoad> nodes;
    for (const auto& m : live)
      if (!m.spare) nodes.push_back(m);
    std::sort(nodes.begin(), nodes.end(),
              [](const MemberLoad& a, const MemberLoad& b) { return a.node_id < b.node_id; });
    for (const auto& m : nodes) cycle.push_back(m.member);
  }
  if (cycle.empty()) return std::string("no live non-spare node to run on");
  std::vector<std::uint64_t> out;
  for (std::uint32_t r = 0; r < size; ++r) out.push_back(cycle[r % cycle.size()]);
  return out;
}

std::optional<std::vector<std::uint64_t>> choose_recovery_targets(std::size_t count,
                                                                  std::vector<MemberLoad> live) {
  if (live.empty()) return std::nullopt;
  std::vector<std::uint64_t> out;
  for (std::size_t i = 0; i < count; ++i) {
    auto best =
        std::min_element(live.begin(), live.end(), [](const MemberLoad& a, const MemberLoad& b) {
          if (a.spare != b.spare) return a.spare;  // spares first
          if (a.hosts != b.hosts) return a.hosts < b.hosts;
          return a.node_id < b.node_id;
        });
    out.push_back(best->member);
    ++best->hosts;
  }
  return out;
}

}  // namespace mlog::recoverd
