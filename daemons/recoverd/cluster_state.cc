// SPDX-License-Identifier: GPL-2.0
#include "cluster_state.h"

#include <stdexcept>

namespace mlog::recoverd {

namespace {

[[noreturn]] void refuse(const std::string& what) { throw std::invalid_argument(what); }

}  // namespace

const Member* ClusterState::member(std::uint64_t id) const {
  auto it = members_.find(id);
  return it == members_.end() ? nullptr : &it->second;
}

const Job* ClusterState::job(std::uint64_t id) const {
  auto it = jobs_.find(id);
  return it == jobs_.end() ? nullptr : &it->second;
}

Job& ClusterState::job_mut(std::uint64_t id) {
  auto it = jobs_.find(id);
  if (it == jobs_.end()) refuse("unknown job " + std::to_string(id));
  return it->second;
}

const Member* ClusterState::live_member_on_node(std::uint32_t node_id) const {
  for (const auto& [id, m] : members_)
    if (!m.failed && m.node_id == node_id) return &m;
  return nullptr;
}

const Member* ClusterState::live_member_at(const NodeAddr& node) const {
  for (const auto& [id, m] : members_)
    if (!m.failed && m.node == node) return &m;
  return nullptr;
}

JoinVerdict ClusterState::judge_join(const NodeAddr& node, std::uint64_t member_id,
                                     std::uint64_t join_token) const {
  if (member_id) {
    const Member* m = member(member_id);
    if (m && !m->failed && m->node == node) return {JoinVerdict::rejoined, m->id};
    return {JoinVerdict::declared_failed, member_id};
  }
  const Member* old = live_member_at(node);
  if (old && join_token && old->join_token == join_token) return {JoinVerdict::repeated, old->id};
  // Another ckptd on a node that still has a live member: that one is gone.
  return {JoinVerdict::new_member, old ? old->id : 0};
}

std::vector<const Member*> ClusterState::live_members() const {
  std::vector<const Member*> out;
  for (const auto& [id, m] : members_)
    if (!m.failed) out.push_back(&m);
  return out;
}

std::size_t ClusterState::hosts_on(std::uint64_t member) const {
  std::size_t n = 0;
  for (const auto& [id, j] : jobs_) {
    if (j.finished) continue;
    for (const Rank& r : j.ranks)
      if (r.member == member && r.state != RankState::exited) ++n;
  }
  return n;
}

std::map<std::uint64_t, std::vector<std::uint32_t>> ClusterState::ranks_needing_recovery() const {
  std::map<std::uint64_t, std::vector<std::uint32_t>> out;
  for (const auto& [id, j] : jobs_) {
    if (j.finished) continue;
    for (std::uint32_t r = 0; r < j.ranks.size(); ++r) {
      const Rank& rk = j.ranks[r];
      if (rk.state == RankState::exited) continue;
      const Member* m = member(rk.member);
      if (rk.state == RankState::recovering || !m || m->failed) out[id].push_back(r);
    }
  }
  return out;
}

bool ClusterState::all_exited(const Job& job) {
  for (const Rank& r : job.ranks)
    if (r.state != RankState::exited) return false;
  return true;
}

void ClusterState::apply(const pb::StateChange& c) {
  switch (c.change_case()) {
    case pb::StateChange::kMemberJoined: {
      const auto& m = c.member_joined();
      if (m.member_id() == 0 || members_.contains(m.member_id()))
        refuse("member " + std::to_string(m.member_id()) + " joined twice");
      Member mem;
      mem.id = m.member_id();
      mem.node_id = m.node_id();
      mem.node = rpc::node_from_bytes(m.node());
      mem.spare = m.spare();
      mem.port = static_cast<std::uint16_t>(m.port());
      mem.join_token = m.join_token();
      members_[mem.id] = mem;
      next_member_ = std::max(next_member_, mem.id + 1);
      return;
    }
    case pb::StateChange::kMemberFailed: {
      auto it = members_.find(c.member_failed().member_id());
      if (it == members_.end())
        refuse("unknown member " + std::to_string(c.member_failed().member_id()));
      it->second.failed = true;
      return;
    }
    case pb::StateChange::kJobSubmitted: {
      const auto& s = c.job_submitted();
      if (s.job_id() == 0 || jobs_.contains(s.job_id()))
        refuse("job " + std::to_string(s.job_id()) + " submitted twice");
      if (s.spec().size() == 0 || s.rank_member_size() != static_cast<int>(s.spec().size()))
        refuse("job " + std::to_string(s.job_id()) + " without a member for each rank");
      if (s.host_base() < next_host_)
        refuse("host indices reused by job " + std::to_string(s.job_id()));
      Job j;
      j.id = s.job_id();
      j.spec = s.spec();
      j.client = rpc::from_endpoint(s.client());
      j.host_base = s.host_base();
      for (std::uint32_t r = 0; r < s.spec().size(); ++r) {
        if (!members_.contains(s.rank_member(static_cast<int>(r))))
          refuse("job " + std::to_string(s.job_id()) + " placed on an unknown member");
        j.ranks.push_back(Rank{s.host_base() + r, s.rank_member(static_cast<int>(r)), 0,
                               RankState::running, std::nullopt, 0});
      }
      next_host_ = s.host_base() + s.spec().size();
      next_job_ = std::max(next_job_, j.id + 1);
      jobs_[j.id] = std::move(j);
      return;
    }
    case pb::StateChange::kRankExit: {
      Job& j = job_mut(c.rank_exit().job_id());
      if (c.rank_exit().rank() >= j.ranks.size()) refuse("rank out of range");
      Rank& r = j.ranks[c.rank_exit().rank()];
      if (r.state == RankState::exited) return;  // a re-execution reports it again
      r.state = RankState::exited;
      r.exit_status = c.rank_exit().status();
      if (c.rank_exit().status() != 0 && !j.first_failure) j.first_failure = c.rank_exit().status();
      return;
    }
    case pb::StateChange::kRecoveryBegun: {
      const auto& b = c.recovery_begun();
      Job& j = job_mut(b.job_id());
      for (const auto& rk : b.ranks()) {
        if (rk.rank() >= j.ranks.size()) refuse("rank out of range");
        if (!members_.contains(rk.member())) refuse("recovery onto an unknown member");
        Rank& r = j.ranks[rk.rank()];
        if (rk.incarnation() <= r.incarnation)
          refuse("incarnation of host " + std::to_string(r.host) + " does not go up");
        r.member = rk.member();
        r.incarnation = rk.incarnation();
        r.state = RankState::recovering;
      }
      if (b.failed_at_ms()) j.failed_at_ms = b.failed_at_ms();
      return;
    }
    case pb::StateChange::kRankLive: {
      Job& j = job_mut(c.rank_live().job_id());
      if (c.rank_live().rank() >= j.ranks.size()) refuse("rank out of range");
      Rank& r = j.ranks[c.rank_live().rank()];
      if (r.state == RankState::recovering) r.state = RankState::running;
      r.replayed = c.rank_live().replayed();
      return;
    }
    case pb::StateChange::kJobFinished: {
      Job& j = job_mut(c.job_finished().job_id());
      j.finished = true;
      j.status = c.job_finished().status();
      j.stopped = c.job_finished().stopped();
      j.reason = c.job_finished().reason();
      return;
    }
    case pb::StateChange::kJobCleaned:
      job_mut(c.job_cleaned().job_id()).cleaned = true;
      return;
    case pb::StateChange::CHANGE_NOT_SET:
      break;
  }
  refuse("empty state change");
}

pb::StateChange member_joined(const Member& m) {
  pb::StateChange c;
  auto* j = c.mutable_member_joined();
  j->set_member_id(m.id);
  j->set_node_id(m.node_id);
  j->set_node(rpc::node_bytes(m.node));
  j->set_spare(m.spare);
  j->set_port(m.port);
  j->set_join_token(m.join_token);
  return c;
}

pb::StateChange member_failed(std::uint64_t member, std::uint64_t silent_ms) {
  pb::StateChange c;
  c.mutable_member_failed()->set_member_id(member);
  c.mutable_member_failed()->set_silent_ms(silent_ms);
  return c;
}

pb::StateChange rank_exit(std::uint64_t job, std::uint32_t rank, int status) {
  pb::StateChange c;
  c.mutable_rank_exit()->set_job_id(job);
  c.mutable_rank_exit()->set_rank(rank);
  c.mutable_rank_exit()->set_status(status);
  return c;
}

pb::StateChange rank_live(std::uint64_t job, std::uint32_t rank, std::uint64_t replayed) {
  pb::StateChange c;
  c.mutable_rank_live()->set_job_id(job);
  c.mutable_rank_live()->set_rank(rank);
  c.mutable_rank_live()->set_replayed(replayed);
  return c;
}

pb::StateChange job_finished(std::uint64_t job, int status, bool stopped, const std::string& why) {
  pb::StateChange c;
  c.mutable_job_finished()->set_job_id(job);
  c.mutable_job_finished()->set_status(status);
  c.mutable_job_finished()->set_stopped(stopped);
  c.mutable_job_finished()->set_reason(why);
  return c;
}

pb::StateChange job_cleaned(std::uint64_t job) {
  pb::StateChange c;
  c.mutable_job_cleaned()->set_job_id(job);
  return c;
}

}  // namespace mlog::recoverd
