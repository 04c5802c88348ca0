// SPDX-License-Identifier: GPL-2.0
// Where ranks go: at submission (the listed nodes, cycling, or the live
// non-spare nodes in node-id order) and at recovery (a spare node first,
// else the live node with the fewest hosts).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace mlog::recoverd {

struct MemberLoad {
  std::uint64_t member = 0;
  std::uint32_t node_id = 0;
  bool spare = false;
  std::size_t hosts = 0;
};

// Rank r's member, or a one-line refusal ("unknown node id 7", "no live
// node to run on").
std::variant<std::vector<std::uint64_t>, std::string> place_ranks(
    std::uint32_t size, const std::vector<std::uint32_t>& node_ids,
    const std::vector<MemberLoad>& live);

// Targets for @count restarted hosts, one after the other, each counted
// in the load of the node it went to; nullopt when no node is live.
std::optional<std::vector<std::uint64_t>> choose_recovery_targets(std::size_t count,
                                                                  std::vector<MemberLoad> live);

}  // namespace mlog::recoverd
