// SPDX-License-Identifier: GPL-2.0
#include "planner.h"

#include <limits>
#include <sstream>

#include "mlog/crs/recovery.h"

namespace mlog::recoverd {

namespace {

using crs::Interval;

bool fits(std::uint64_t v) { return v <= std::numeric_limits<Interval>::max(); }

// The job's host indices are crs hosts 1..size.
struct JobHosts {
  std::uint32_t base;
  std::uint32_t size;
  bool contains(std::uint32_t host) const { return host >= base && host - base < size; }
  crs::HostId id(std::uint32_t host) const { return host - base + 1; }
  std::uint32_t host(crs::HostId id) const { return base + id - 1; }
  std::uint32_t rank(std::uint32_t host) const { return host - base; }
};

std::string who(const JobHosts& j, std::uint32_t host) {
  return "rank " + std::to_string(j.rank(host)) + " (host " + std::to_string(host) + ")";
}

std::string describe(const JobHosts& j, const std::vector<Loss>& losses) {
  std::ostringstream out;
  out << "cannot recover without rolling back survivors:";
  for (const Loss& l : losses)
    out << "\n  " << who(j, l.failed_host) << " failed and can only be rebuilt up to interval "
        << l.replay_limit << " (no surviving log holds the message that began interval "
        << l.replay_limit + 1 << "); its intervals " << l.replay_limit + 1 << ".." << l.needed
        << " are lost, and " << who(j, l.dependent_host) << ", in interval " << l.dependent_interval
        << ", depends on its interval " << l.needed;
  return out.str();
}

}  // namespace

Plan plan_recovery(const PlanInput& in) {
  Plan plan;
  const JobHosts j{in.host_base, in.size};
  std::vector<crs::SenderBasedHost> hosts(in.size);
  for (std::uint32_t r = 0; r < in.size; ++r) {
    const std::uint32_t host = in.host_base + r;
    auto& h = hosts[r];
    if (in.failed.contains(host)) {
      h.failed = true;
      h.checkpoints.push_back(crs::CandidateState{0, {}});  // the program's start
      auto it = in.logged.find(host);
      if (it == in.logged.end()) continue;
      for (const auto& e : it->second) {
        if (e.rsn == 0 || !fits(e.rsn)) continue;
        crs::ReplayableMessage m;
        m.interval = static_cast<Interval>(e.rsn);
        // Messages from outside the job carry no dependency the job sees.
        if (j.contains(e.src_host) && fits(e.interval))
          m.from = crs::Dependency{j.id(e.src_host), static_cast<Interval>(e.interval)};
        else
          m.from = crs::Dependency{j.id(host), 0};
        h.replayable.push_back(m);
      }
      continue;
    }
    auto it = in.survivors.find(host);
    if (it == in.survivors.end()) continue;  // exited or unknown: depends on nothing we know
    if (!fits(it->second.interval)) {
      plan.report = who(j, host) + " is in interval " + std::to_string(it->second.interval) +
                    ", beyond what the recovery planner handles";
      return plan;
    }
    h.current_interval = static_cast<Interval>(it->second.interval);
    for (const auto& [dep_host, interval] : it->second.deps)
      if (j.contains(dep_host) && dep_host != host && fits(interval))
        h.current_dv.push_back(crs::Dependency{j.id(dep_host), static_cast<Interval>(interval)});
  }

  const auto a = crs::assess_sender_based_recovery(hosts);
  for (std::uint32_t r = 0; r < in.size; ++r)
    if (hosts[r].failed) plan.replay_to[in.host_base + r] = a.replay_limit[r];
  if (a.consistent_without_rollback) {
    plan.ok = true;
    return plan;
  }
  for (const auto& [dependent, failed] : a.violations) {
    Loss l;
    l.failed_host = j.host(failed);
    l.replay_limit = a.replay_limit[failed - 1];
    l.dependent_host = j.host(dependent);
    const auto& d = hosts[dependent - 1];
    l.dependent_interval = d.failed ? a.replay_limit[dependent - 1] : d.current_interval;
    Interval needed = 0;
    for (const auto& dep : d.current_dv)
      if (dep.host == failed) needed = dep.interval;
    if (d.failed) {
      // A failed dependent: its replayed messages name the failed host.
      for (const auto& m : d.replayable)
        if (m.interval <= a.replay_limit[dependent - 1] && m.from.host == failed)
          needed = std::max(needed, m.from.interval);
    }
    l.needed = needed;
    plan.losses.push_back(l);
  }
  plan.report = describe(j, plan.losses);
  return plan;
}

}  // namespace mlog::recoverd
