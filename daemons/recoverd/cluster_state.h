// SPDX-License-Identifier: GPL-2.0
// What mlog-recoverd knows: members, jobs, their ranks' hosts and
// incarnations, and which ranks are being recovered.  It changes only by
// apply()ing StateChange records, the same ones the record file holds, so
// a restarted recoverd that replays the file ends in the same state.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "address.h"
#include "mlog.pb.h"

namespace mlog::recoverd {

struct Member {
  std::uint64_t id = 0;
  std::uint32_t node_id = 0;
  NodeAddr node{};
  bool spare = false;
  bool failed = false;
  std::uint16_t port = 0;        // its mlog-ckptd's RDM port
  std::uint64_t join_token = 0;  // of the join that made it (Join.join_token)
  rpc::Address ckptd() const { return rpc::Address{node, port}; }
};

enum class RankState {
  running,     // started (or recovered) on `member` with `incarnation`
  recovering,  // being restarted on `member` with `incarnation`
  exited,
};

struct Rank {
  std::uint32_t host = 0;
  std::uint64_t member = 0;
  std::uint32_t incarnation = 0;
  RankState state = RankState::running;
  std::optional<int> exit_status;
  std::uint64_t replayed = 0;  // RSN its last replay reached
};

struct Job {
  std::uint64_t id = 0;
  pb::JobSpec spec;
  rpc::Address client;
  std::uint32_t host_base = 0;
  std::vector<Rank> ranks;
  std::optional<int> first_failure;  // first non-zero exit status, by time
  bool finished = false;
  bool stopped = false;
  int status = 0;
  std::string reason;
  bool cleaned = false;
  std::uint64_t failed_at_ms = 0;  // of the recovery in progress
};

// What a Join from a node's mlog-ckptd means (ClusterState::judge_join).
struct JoinVerdict {
  enum Kind {
    rejoined,         // a live member joining again (mlog-recoverd restarted)
    repeated,         // the same join as before, whose answer was late
    declared_failed,  // it names a member that was declared failed
    new_member,       // a new member; `member` is the live one it replaces, or 0
  } kind;
  std::uint64_t member = 0;
};

class ClusterState {
 public:
  // Throws std::invalid_argument for a change that does not fit the state
  // (an unknown member or job, a rank out of range...): the record file
  // treats such a record as corrupt.
  void apply(const pb::StateChange& change);

  const std::map<std::uint64_t, Member>& members() const { return members_; }
  const std::map<std::uint64_t, Job>& jobs() const { return jobs_; }
  const Member* member(std::uint64_t id) const;
  const Job* job(std::uint64_t id) const;
  // The live member on node @node_id, if any.
  const Member* live_member_on_node(std::uint32_t node_id) const;
  // The live member with this node address, if any.
  const Member* live_member_at(const NodeAddr& node) const;
  std::vector<const Member*> live_members() const;
  // A Join from node @node naming @member_id (0: none) with @join_token.
  JoinVerdict judge_join(const NodeAddr& node, std::uint64_t member_id,
                         std::uint64_t join_token) const;

  std::uint64_t next_member_id() const { return next_member_; }
  std::uint64_t next_job_id() const { return next_job_; }
  // Host indices are never reused.
  std::uint32_t next_host() const { return next_host_; }

  // Ranks of unfinished jobs placed on @member that have not exited.
  std::size_t hosts_on(std::uint64_t member) const;
  // Ranks of unfinished jobs that need recovery: not exited, and on a
  // failed member or already being recovered.
  std::map<std::uint64_t, std::vector<std::uint32_t>> ranks_needing_recovery() const;
  // Every rank has exited.
  static bool all_exited(const Job& job);

 private:
  Job& job_mut(std::uint64_t id);
  std::map<std::uint64_t, Member> members_;
  std::map<std::uint64_t, Job> jobs_;
  std::uint64_t next_member_ = 1;
  std::uint64_t next_job_ = 1;
  std::uint32_t next_host_ = 1;
};

// Convenience builders of StateChange records.
pb::StateChange member_joined(const Member& m);
pb::StateChange member_failed(std::uint64_t member, std::uint64_t silent_ms);
pb::StateChange rank_exit(std::uint64_t job, std::uint32_t rank, int status);
pb::StateChange rank_live(std::uint64_t job, std::uint32_t rank, std::uint64_t replayed);
pb::StateChange job_finished(std::uint64_t job, int status, bool stopped, const std::string& why);
pb::StateChange job_cleaned(std::uint64_t job);

}  // namespace mlog::recoverd
