// SPDX-License-Identifier: GPL-2.0
// mlog-ckptd: starts, stops and restarts the protected hosts of its node,
// relays their committed output, replays a restarted host's log, applies
// routes, answers heartbeats and state queries (recovery.rst).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "endpoint.h"
#include "event_loop.h"
#include "genl_client.h"
#include "host_launcher.h"
#include "output_commit.h"
#include "recoverd_addr.h"
#include "recovery_nl.h"
#include "stall_watch.h"

namespace mlog::ckptd {

// How often the daemon checks that it ran on time (Ckptd::stall_tick()).
inline constexpr rpc::Millis kStallTick{200};

struct Options {
  std::string state_dir;
  std::uint16_t port = rpc::kCkptdPort;
  bool spare = false;
};

class Ckptd {
 public:
  Ckptd(rpc::EventLoop& loop, Options opts);
  void start();
  // Kills every host (shutdown).
  void kill_all(const std::string& why);

 private:
  using Address = rpc::Address;
  using Clock = rpc::Clock;

  struct Replay {
    std::uint64_t replay_to = 0;
    std::vector<Address> sources;
    std::vector<std::vector<pb::LoggedMessage>> fetched;
    std::size_t outstanding = 0;
    std::vector<pb::LoggedMessage> queue;  // merged, to push
    std::size_t pushed = 0;
    std::map<std::size_t, std::uint64_t> per_source;
    Clock::time_point started, collected, push_began;
    std::uint64_t restart_ms = 0;
    bool ended = false;  // REPLAY_END sent
    bool done = false;
  };

  struct Host {
    std::uint64_t job_id = 0;
    std::uint32_t rank = 0;
    std::uint32_t host = 0;
    std::uint32_t incarnation = 0;
    Address client;
    pid_t init_pid = -1;
    rpc::Fd out, err, status;
    bool out_open = false, err_open = false, status_seen = false, reaped = false;
    bool killed = false;  // by us: no exit is reported
    bool exit_reported = false;
    std::optional<ExitStatus> exit;
    OutputCommit commit;
    std::optional<Replay> replay;
  };

  // ---- membership
  void join();
  static std::uint64_t new_join_token();
  void on_joined(const pb::JoinReply& reply);
  void on_heartbeat(const Address& from, const pb::Envelope& env);
  void check_recoverd();
  void declared_failed();
  void stall_tick();
  void ignore_heartbeat(std::string why);

  // ---- commands from mlog-recoverd
  void on_message(const Address& from, const pb::Envelope& env);
  void handle_start(const Address& from, const pb::Envelope& env);
  void handle_kill(const Address& from, const pb::Envelope& env);
  void handle_route(const Address& from, const pb::Envelope& env);
  void handle_state(const Address& from, const pb::Envelope& env);
  void handle_purge(const Address& from, const pb::Envelope& env);

  // ---- hosts
  void kill_host(std::uint32_t host, bool unregister);
  void on_output(std::uint32_t host, StreamId stream);
  void on_status(std::uint32_t host);
  void on_sigchld();
  void maybe_queue_exit(Host& h);
  void commit_tick();
  std::uint64_t current_interval(std::uint32_t host);

  // ---- replay
  void collect(std::uint32_t host);
  void fetch(std::uint32_t host, std::size_t source, unsigned attempt);
  void merged(std::uint32_t host);
  void push_some(std::uint32_t host);
  void check_replay_done(std::uint32_t host);
  void replay_finished(std::uint32_t host, bool ok, const std::string& error,
                       std::uint64_t reached);
  void on_kernel_events();

  rpc::EventLoop& loop_;
  Options opts_;
  int family_ = 0;
  common::LocalNode node_;
  GenlClient nl_;
  std::unique_ptr<GenlClient> events_;
  std::unique_ptr<rpc::Endpoint> rpc_;
  std::unique_ptr<rpc::Endpoint> heartbeat_;
  std::optional<common::RecoverdAddr> recoverd_;
  std::uint64_t member_id_ = 0;
  // Of the current join as a new member (Join.join_token); drawn anew
  // each time this node is declared failed.
  std::uint64_t join_token_ = new_join_token();
  bool joined_ = false;
  bool joining_ = false;
  Clock::time_point last_heartbeat_;
  // Heartbeats answered and ignored, and why the last was ignored: the
  // log says which when mlog-recoverd seems silent.
  std::uint64_t heartbeats_answered_ = 0;
  std::uint64_t heartbeats_ignored_ = 0;
  std::string last_ignored_why_;
  // Times a periodic tick: a node too loaded to run this daemon cannot
  // answer heartbeats, and the log says so.
  rpc::StallWatch stall_{kStallTick};
  std::map<std::uint32_t, Host> hosts_;
};

}  // namespace mlog::ckptd
