// SPDX-License-Identifier: GPL-2.0
#include "replay_merge.h"

namespace mlog::ckptd {

MergedReplay merge_replay(const std::vector<std::vector<pb::LoggedMessage>>& sources,
                          std::uint64_t replay_to) {
  MergedReplay out;
  std::map<std::uint64_t, std::pair<std::size_t, const pb::LoggedMessage*>> by_rsn;
  for (std::size_t s = 0; s < sources.size(); ++s) {
    for (const auto& m : sources[s]) {
      if (m.rsn() == 0 || m.rsn() > replay_to) continue;
      auto [it, fresh] = by_rsn.emplace(m.rsn(), std::make_pair(s, &m));
      if (fresh) continue;
      const pb::LoggedMessage& seen = *it->second.second;
      // The same message logged twice is harmless; two different ones are not.
      if (seen.src_host() != m.src_host() || seen.ssn() != m.ssn() ||
          seen.src_port() != m.src_port() || seen.data() != m.data()) {
        out.error = "two different messages logged with RSN " + std::to_string(m.rsn());
        return out;
      }
    }
  }
  for (std::uint64_t rsn = 1; rsn <= replay_to; ++rsn) {
    auto it = by_rsn.find(rsn);
    if (it == by_rsn.end()) {
      out.error = "no live log holds RSN " + std::to_string(rsn) + " of the " +
                  std::to_string(replay_to) + " to replay";
      out.messages.clear();
      out.per_source.clear();
      return out;
    }
    out.messages.push_back(*it->second.second);
    ++out.per_source[it->second.first];
  }
  out.ok = true;
  return out;
}

}  // namespace mlog::ckptd
