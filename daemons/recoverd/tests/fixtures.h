// SPDX-License-Identifier: GPL-2.0
// State changes for the recoverd tests.
#pragma once

#include "cluster_state.h"

namespace mlog::recoverd::test {

inline Member member(std::uint64_t id, std::uint32_t node_id, bool spare = false) {
  Member m;
  m.id = id;
  m.node_id = node_id;
  m.node = *parse_node_addr("192.0.2." + std::to_string(10 + node_id));
  m.spare = spare;
  m.port = 7701;
  return m;
}

inline pb::StateChange submitted(std::uint64_t job, std::uint32_t base,
                                 const std::vector<std::uint64_t>& members) {
  pb::StateChange c;
  auto* s = c.mutable_job_submitted();
  s->set_job_id(job);
  s->mutable_spec()->set_name("ring");
  s->mutable_spec()->add_argv("/bin/ring");
  s->mutable_spec()->set_size(static_cast<std::uint32_t>(members.size()));
  *s->mutable_client() = rpc::to_endpoint(rpc::Address{*parse_node_addr("192.0.2.11"), 40000});
  s->set_host_base(base);
  for (auto m : members) s->add_rank_member(m);
  return c;
}

inline pb::StateChange begun(
    std::uint64_t job,
    const std::vector<std::tuple<std::uint32_t, std::uint64_t, std::uint32_t>>& ranks) {
  pb::StateChange c;
  auto* b = c.mutable_recovery_begun();
  b->set_job_id(job);
  b->set_failed_at_ms(1000);
  for (const auto& [rank, mem, inc] : ranks) {
    auto* r = b->add_ranks();
    r->set_rank(rank);
    r->set_member(mem);
    r->set_incarnation(inc);
  }
  return c;
}

}  // namespace mlog::recoverd::test
