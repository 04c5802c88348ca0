// SPDX-License-Identifier: GPL-2.0
// The logged messages a restarted host replays, gathered from every live
// node's mlog-logd, merged into one RSN order that must be exactly 1..R.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "mlog.pb.h"

namespace mlog::ckptd {

struct MergedReplay {
  bool ok = false;
  std::string error;                                // the first gap or conflict
  std::vector<pb::LoggedMessage> messages;          // RSN 1..R in order
  std::map<std::size_t, std::uint64_t> per_source;  // source index -> messages used
};

// @sources[i] holds what source i streamed (any order, possibly overlapping).
MergedReplay merge_replay(const std::vector<std::vector<pb::LoggedMessage>>& sources,
                          std::uint64_t replay_to);

}  // namespace mlog::ckptd
