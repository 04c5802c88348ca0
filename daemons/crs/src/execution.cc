// SPDX-License-Identifier: GPL-2.0
#include "mlog/crs/execution.h"

#include <string>

namespace mlog::crs {

void Execution::ensure_hosts(HostId count) {
  while (host_count() < count) hosts_.emplace_back();
}

Execution::MessageId Execution::send(HostId from, HostId to) {
  if (!host_exists(from) || !host_exists(to)) throw CrsError("send between unknown hosts");
  messages_.push_back(Message{from, to, current_interval(from), false, 0});
  return messages_.size() - 1;
}

Interval Execution::receive(MessageId id) {
  Message& m = messages_.at(id);
  if (m.received) throw CrsError("message already received");
  HostState& to = hosts_[m.to];
  to.starts.push_back(Dependency{m.from, m.tag});
  if (m.from != m.to) merge_dependency(to.dv, Dependency{m.from, m.tag});
  m.received = true;
  m.started = static_cast<Interval>(to.starts.size() - 1);
  return m.started;
}

Dependency Execution::start_of(HostId h, Interval s) const {
  const HostState& hs = hosts_.at(h);
  if (s == 0 || s >= hs.starts.size())
    throw CrsError("host " + std::to_string(h) + " has no interval " + std::to_string(s) +
                   " started by a message");
  return hs.starts[s];
}

DependencyVector Execution::dependency_vector_at(HostId h, Interval s) const {
  const HostState& hs = hosts_.at(h);
  DependencyVector dv;
  for (Interval p = 1; p <= s && p < hs.starts.size(); ++p)
    if (hs.starts[p].host != h) merge_dependency(dv, hs.starts[p]);
  return dv;
}

}  // namespace mlog::crs
