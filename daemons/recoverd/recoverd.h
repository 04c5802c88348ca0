// SPDX-License-Identifier: GPL-2.0
// mlog-recoverd: membership, jobs, failure detection and recovery
// (Documentation/recovery.rst).  The decisions live in ClusterState,
// placement and the planner; this is the I/O around them.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "cluster_state.h"
#include "endpoint.h"
#include "event_loop.h"
#include "genl_client.h"
#include "journal.h"
#include "liveness.h"
#include "planner.h"
#include "stall_watch.h"

namespace mlog::recoverd {

struct Options {
  std::string state_dir;
  std::uint16_t port = rpc::kRecoverdPort;
  rpc::Millis heartbeat{200};
  rpc::Millis timeout{2000};
  std::uint16_t logd_port = rpc::kLogdPort;
  // Fault injection for tests (--hold-restart-ms): how long a recovery
  // waits between its plan and the restart of its hosts, so that a test
  // can fail a node at that point.  Zero in normal operation.
  rpc::Millis hold_restart{0};
};

class Recoverd {
 public:
  // Replays the record file, binds the sockets, writes recoverd.addr.
  Recoverd(rpc::EventLoop& loop, Options opts);
  // Resumes what the record file left unfinished (recoveries, cleanups).
  void start();

 private:
  using Address = rpc::Address;

  // ---- messages
  void on_message(const Address& from, const pb::Envelope& env);
  void on_heartbeat_message(const Address& from, const pb::Envelope& env);
  void handle_join(const Address& from, const pb::Envelope& env);
  void handle_submit(const Address& from, const pb::Envelope& env);
  void handle_stop(const pb::StopJob& stop);
  void handle_rank_exited(const pb::RankExited& exited);
  void handle_replay_done(const pb::ReplayDone& done);

  // ---- membership and failure detection
  void heartbeat_tick();
  void on_kernel_events();
  void heard_from(std::uint64_t member);
  void declare_failed(std::uint64_t member, std::uint64_t silent_ms, const std::string& why);
  void send_routes_to(const Member& m);

  // ---- jobs
  void start_job(std::uint64_t job_id);
  void finish_job(std::uint64_t job_id, int status, bool stopped, const std::string& reason);
  void cleanup_job(std::uint64_t job_id);
  void maybe_finish(std::uint64_t job_id);
  void send_event(const Job& job, pb::JobEvent event);
  pb::Envelope start_host_message(const Job& job, std::uint32_t rank, bool replay,
                                  std::uint64_t replay_to) const;

  // ---- recovery, one round per job at a time
  struct Round {
    std::uint64_t id = 0;
    std::set<std::uint32_t> ranks;  // being recovered
    std::size_t waiting = 0;        // replies the current phase waits for
    std::map<std::uint32_t, SurvivorState> survivors;
    std::map<std::uint32_t, std::map<std::uint64_t, LoggedIndexEntry>> logged;
    std::chrono::steady_clock::time_point began;
  };
  void begin_recovery(std::uint64_t job_id);
  void gather(std::uint64_t job_id);
  void plan_and_restart(std::uint64_t job_id);
  void restart_hosts(std::uint64_t job_id, const Plan& plan);
  // The reply of a phase arrived; advances when it was the last.
  void phase_reply(std::uint64_t job_id, std::uint64_t round,
                   void (Recoverd::*next)(std::uint64_t));
  void recovery_failed(std::uint64_t job_id, const std::string& why);
  bool round_current(std::uint64_t job_id, std::uint64_t round) const;

  void record(const pb::StateChange& change);
  rpc::Millis call_timeout() const;
  // A call to a daemon of @member whose answer a recovery needs.  A call
  // that goes unanswered while the member is still live (slow, not dead)
  // is made again, up to kCallAttempts times; @done gets the answer, or
  // nullptr when there was none.  Only for idempotent requests.
  using Answer = std::function<void(const pb::Envelope* reply)>;
  void call_member(std::uint64_t member, const Address& to, const pb::Envelope& env,
                   const std::string& what, Answer done, unsigned attempt = 1);
  std::vector<Address> live_logds() const;

  rpc::EventLoop& loop_;
  Options opts_;
  ClusterState state_;
  std::unique_ptr<Journal> journal_;
  std::unique_ptr<rpc::Endpoint> rpc_;
  std::unique_ptr<rpc::Endpoint> heartbeat_;
  std::unique_ptr<GenlClient> events_;
  // Requests to this node's module (its peer table).
  std::unique_ptr<GenlClient> nl_;
  NodeAddr self_{};
  std::uint64_t start_counter_ = 0;
  std::uint64_t hb_seq_ = 0;
  struct Liveness {
    explicit Liveness(rpc::Clock::time_point heard = {}) : last_heard(heard) {}
    rpc::Clock::time_point last_heard;
    bool suspected = false;
    // Heartbeats sent since it was last heard from, and when the last
    // one went: a node declared failed is reported with them, so that a
    // silence can be told from heartbeats that were never sent.
    std::uint64_t sent_unanswered = 0;
    std::optional<rpc::Clock::time_point> last_sent;
    // The module vouched for it during the current silence (logged once).
    bool vouched = false;
  };
  std::map<std::uint64_t, Liveness> liveness_;
  std::string heartbeat_report(const Liveness& l, rpc::Clock::time_point now) const;
  // How long ago this node's module last received a frame from @node.
  std::optional<rpc::Millis> module_silence(const NodeAddr& node);
  // Times heartbeat_tick(): a much later run than due means this process
  // (or its node) was stalled, and that time is not held against others.
  rpc::StallWatch stall_;
  std::map<std::uint64_t, Round> rounds_;
  std::uint64_t next_round_ = 1;
};

}  // namespace mlog::recoverd
