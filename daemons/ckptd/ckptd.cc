// SPDX-License-Identifier: GPL-2.0
#include "ckptd.h"

#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>

#include "program.h"
#include "replay_merge.h"
#include "restart_point.h"

namespace mlog::ckptd {

namespace {

constexpr const char* kName = "mlog-ckptd";
// How often the link to mlog-recoverd is checked (check_recoverd()).
constexpr rpc::Millis kJoinRetry{1000};
// How long a join waits for its answer before it is sent again.  A loaded
// cluster answers late; an answer after the call timed out is dropped, so
// a shorter wait than the answer takes would never let the node join.
constexpr rpc::Millis kJoinTimeout{5000};
constexpr rpc::Millis kCommitPoll{20};
constexpr rpc::Millis kFetchTimeout{10'000};
constexpr unsigned kFetchAttempts = 3;
// Without a heartbeat for this long, mlog-recoverd is looked for again.
constexpr rpc::Millis kRecoverdSilence{5000};
constexpr std::size_t kReadChunk = 16384;

void say(const std::string& text) { rpc::log_line(kName, text); }

std::uint64_t ms_between(rpc::Clock::time_point a, rpc::Clock::time_point b) {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<rpc::Millis>(b - a).count());
}

}  // namespace

Ckptd::Ckptd(rpc::EventLoop& loop, Options opts) : loop_(loop), opts_(std::move(opts)) {
  family_ = rpc::mlog_family();
  node_ = common::local_node();
  become_subreaper();
  rpc_ = std::make_unique<rpc::Endpoint>(loop_, family_, SOCK_RDM, opts_.port, kName);
  heartbeat_ = std::make_unique<rpc::Endpoint>(
      loop_, family_, SOCK_DGRAM,
      static_cast<std::uint16_t>(opts_.port + rpc::kHeartbeatPortOffset),
      std::string(kName) + " heartbeat");
  rpc_->on_message([this](const Address& from, const pb::Envelope& env) { on_message(from, env); });
  heartbeat_->on_message(
      [this](const Address& from, const pb::Envelope& env) { on_heartbeat(from, env); });
  events_ = std::make_unique<GenlClient>();
  events_->subscribe(MLOG_GENL_MCGRP_EVENTS);
  loop_.watch(events_->notification_fd(), POLLIN, [this](short) { on_kernel_events(); });
}

void Ckptd::start() {
  loop_.on_signals({SIGCHLD}, [this](const signalfd_siginfo&) { on_sigchld(); });
  loop_.every(kCommitPoll, [this] { commit_tick(); });
  loop_.every(kJoinRetry, [this] { check_recoverd(); });
  loop_.every(kStallTick, [this] { stall_tick(); });
  say("node " + std::to_string(node_.id) + " at " + format_node_addr(node_.addr) + ", port " +
      std::to_string(rpc_->port()) + (opts_.spare ? ", spare" : ""));
  join();
}

// ---------------------------------------------------------- membership --

std::uint64_t Ckptd::new_join_token() {
  std::random_device rd;
  std::uint64_t t = 0;
  while (t == 0) t = (std::uint64_t{rd()} << 32) | rd();
  return t;
}

void Ckptd::join() {
  if (joining_) return;
  try {
    recoverd_ = common::read_recoverd_addr(opts_.state_dir);
  } catch (const std::exception& e) {
    say(e.what());
    recoverd_.reset();
  }
  if (!recoverd_) return;  // check_recoverd() tries again
  pb::Envelope env;
  auto* j = env.mutable_join();
  j->set_node_id(node_.id);
  j->set_node(rpc::node_bytes(node_.addr));
  j->set_spare(opts_.spare);
  j->set_member_id(member_id_);
  j->set_join_token(join_token_);
  for (const auto& [index, h] : hosts_) {
    auto* s = j->add_hosts();
    s->set_host(index);
    s->set_incarnation(h.incarnation);
    s->set_job_id(h.job_id);
    s->set_rank(h.rank);
  }
  joining_ = true;
  rpc_->call(recoverd_->address, env, kJoinTimeout, [this](const pb::Envelope* reply) {
    joining_ = false;
    if (reply && reply->has_join_reply()) on_joined(reply->join_reply());
    return true;
  });
}

void Ckptd::on_joined(const pb::JoinReply& reply) {
  if (reply.declared_failed()) return declared_failed();
  if (!reply.accepted()) {
    say("mlog-recoverd refused to let this node join: " + reply.error());
    return;
  }
  if (!joined_ || member_id_ != reply.member_id())
    say("joined the cluster as member " + std::to_string(reply.member_id()) + " of " +
        rpc::to_string(recoverd_->address));
  member_id_ = reply.member_id();
  joined_ = true;
  last_heartbeat_ = Clock::now();
}

void Ckptd::check_recoverd() {
  const auto silent = Clock::now() - last_heartbeat_;
  if (joined_ && silent < kRecoverdSilence) return;
  if (joined_) {
    std::string why = "mlog-recoverd is silent: no heartbeat for " +
                      std::to_string(ms_between(last_heartbeat_, Clock::now())) + " ms (" +
                      std::to_string(heartbeats_answered_) + " answered, " +
                      std::to_string(heartbeats_ignored_) + " ignored";
    if (!last_ignored_why_.empty()) why += ", the last because " + last_ignored_why_;
    say(why + "): looking for it again");
  }
  joined_ = false;
  join();
}

// Declared failed: another incarnation of each of our hosts runs or will
// run elsewhere, and ours are fenced.  Kill them, and join anew.
void Ckptd::declared_failed() {
  say("this node was declared failed: killing its hosts and joining again as a new member");
  kill_all("declared failed");
  member_id_ = 0;
  join_token_ = new_join_token();
  joined_ = false;
  join();
}

// This daemon did not run for a while: heartbeats went unanswered.
void Ckptd::stall_tick() {
  const auto stalled = stall_.tick(Clock::now());
  if (stalled && *stalled > 5 * kStallTick)
    say("did not run for " + std::to_string((*stalled + kStallTick).count()) +
        " ms: heartbeats could not be answered meanwhile");
}

void Ckptd::ignore_heartbeat(std::string why) {
  ++heartbeats_ignored_;
  last_ignored_why_ = std::move(why);
}

void Ckptd::on_heartbeat(const Address& from, const pb::Envelope& env) {
  if (!env.has_heartbeat()) return ignore_heartbeat("it was not a heartbeat");
  const auto& hb = env.heartbeat();
  if (recoverd_ && hb.recoverd_start() != recoverd_->start) {
    // A restarted recoverd: find it and join it again.
    ignore_heartbeat("it came from another start of mlog-recoverd");
    joined_ = false;
    join();
    return;
  }
  if (!recoverd_ || from.node != recoverd_->address.node)
    return ignore_heartbeat("it came from " + rpc::to_string(from) +
                            ", not from mlog-recoverd's node");
  if (!member_id_ || hb.member_id() != member_id_)
    return ignore_heartbeat("it was for member " + std::to_string(hb.member_id()) +
                            ", this node is member " + std::to_string(member_id_));
  ++heartbeats_answered_;
  // mlog-recoverd (the start we know) heartbeats our member: we are one,
  // even while a join sent when it seemed silent has no answer yet.
  joined_ = true;
  last_heartbeat_ = Clock::now();
  pb::Envelope answer;
  answer.mutable_heartbeat_reply()->set_seq(hb.seq());
  answer.mutable_heartbeat_reply()->set_member_id(member_id_);
  heartbeat_->send(from, answer);
}

// --------------------------------------------------------- commands --

void Ckptd::on_message(const Address& from, const pb::Envelope& env) {
  // Orders come from mlog-recoverd only; one restarted elsewhere is
  // recognised by recoverd.addr before we heard of it.
  bool from_recoverd = recoverd_ && from == recoverd_->address;
  if (!from_recoverd) {
    try {
      const auto fresh = common::read_recoverd_addr(opts_.state_dir);
      if (fresh && fresh->address == from) {
        recoverd_ = fresh;
        from_recoverd = true;
        joined_ = false;
        join();
      }
    } catch (const std::exception& e) {
      say(e.what());
    }
  }
  if (!from_recoverd) {
    pb::Envelope err;
    err.mutable_error()->set_text("mlog-ckptd takes orders from mlog-recoverd only");
    if (env.id()) rpc_->reply(from, env, err);
    return;
  }
  last_heartbeat_ = Clock::now();
  switch (env.body_case()) {
    case pb::Envelope::kStartHost:
      return handle_start(from, env);
    case pb::Envelope::kKillHost:
      return handle_kill(from, env);
    case pb::Envelope::kSetRoute:
      return handle_route(from, env);
    case pb::Envelope::kStateQuery:
      return handle_state(from, env);
    case pb::Envelope::kPurgeSenders:
      return handle_purge(from, env);
    case pb::Envelope::kDeclaredFailed:
      if (env.declared_failed().member_id() == member_id_) declared_failed();
      return;
    default: {
      pb::Envelope err;
      err.mutable_error()->set_text("mlog-ckptd does not take " + rpc::body_name(env));
      if (env.id()) rpc_->reply(from, env, err);
    }
  }
}

void Ckptd::handle_start(const Address& from, const pb::Envelope& env) {
  const pb::StartHost& s = env.start_host();
  const auto t0 = Clock::now();
  pb::Envelope answer;
  auto* reply = answer.mutable_start_host_reply();
  reply->set_host(s.host());
  reply->set_incarnation(s.incarnation());
  auto refuse = [&](const std::string& why) {
    reply->set_error(why);
    rpc_->reply(from, env, answer);
  };
  // The restart point decides where the host begins (today: its start).
  const RestartPoint rp = restart_point(s);
  const RankIdentity id{s.rank(), s.spec().size(), s.spec().name(), s.host_base(), family_};
  const auto program = program_for(s.spec(), id);
  if (program.index() == 1) return refuse(std::get<1>(program));
  if (hosts_.contains(s.host())) kill_host(s.host(), true);

  LaunchedHost launched;
  try {
    launched = launch_host(std::get<0>(program));
  } catch (const std::exception& e) {
    return refuse(e.what());
  }
  try {
    nl_.call(host_add_request(s.host(), s.incarnation(),
                              static_cast<std::uint32_t>(launched.init_pid), s.replay()));
  } catch (const std::exception& e) {
    ::kill(launched.init_pid, SIGKILL);  // reaped by on_sigchld
    return refuse(std::string("cannot register host ") + std::to_string(s.host()) + ": " +
                  e.what());
  }
  if (::write(launched.go.get(), "g", 1) != 1) {
    ::kill(launched.init_pid, SIGKILL);
    return refuse("the host's first process went away before it could start");
  }
  Host& h = hosts_[s.host()];
  h = Host{};
  h.job_id = s.job_id();
  h.rank = s.rank();
  h.host = s.host();
  h.incarnation = s.incarnation();
  h.client = rpc::from_endpoint(s.client());
  h.init_pid = launched.init_pid;
  h.out = std::move(launched.out);
  h.err = std::move(launched.err);
  h.status = std::move(launched.status);
  h.out_open = h.err_open = true;
  const std::uint32_t index = s.host();
  loop_.watch(h.out.get(), POLLIN, [this, index](short) { on_output(index, StreamId::out); });
  loop_.watch(h.err.get(), POLLIN, [this, index](short) { on_output(index, StreamId::err); });
  loop_.watch(h.status.get(), POLLIN, [this, index](short) { on_status(index); });
  reply->set_ok(true);
  rpc_->reply(from, env, answer);
  say("host " + std::to_string(index) + " (job " + std::to_string(s.job_id()) + " rank " +
      std::to_string(s.rank()) + ", incarnation " + std::to_string(s.incarnation()) +
      ") started, pid " + std::to_string(h.init_pid) +
      (s.replay() ? ", replaying RSNs " + std::to_string(rp.first_rsn) + ".." +
                        std::to_string(s.replay_to())
                  : ""));
  if (!s.replay()) return;
  Replay r;
  r.replay_to = s.replay_to();
  r.started = t0;
  r.restart_ms = ms_between(t0, Clock::now());
  for (const auto& e : s.log_servers()) r.sources.push_back(rpc::from_endpoint(e));
  h.replay = std::move(r);
  collect(index);
}

void Ckptd::handle_kill(const Address& from, const pb::Envelope& env) {
  const auto host = env.kill_host().host();
  auto it = hosts_.find(host);
  if (it != hosts_.end() && (env.kill_host().incarnation() == 0 ||
                             env.kill_host().incarnation() == it->second.incarnation))
    kill_host(host, true);
  pb::Envelope answer;
  answer.mutable_kill_host_reply()->set_host(host);
  answer.mutable_kill_host_reply()->set_ok(true);
  if (env.id()) rpc_->reply(from, env, answer);
}

void Ckptd::handle_route(const Address& from, const pb::Envelope& env) {
  const auto& r = env.set_route();
  pb::Envelope answer;
  auto* reply = answer.mutable_route_reply();
  reply->set_host(r.host());
  try {
    if (r.del()) {
      try {
        nl_.call(route_del_request(r.host()));
      } catch (const KernelError& e) {
        if (e.error != ENOENT) throw;  // no route is what was asked for
      }
    } else {
      RouteSet set;
      set.host = r.host();
      set.node = rpc::node_from_bytes(r.node());
      set.incarnation = r.incarnation();
      set.state = static_cast<std::uint32_t>(r.state());
      if (r.state() == pb::ROUTE_LIVE) set.replayed = r.replayed();
      try {
        nl_.call(route_set_request(set));
      } catch (const KernelError&) {
        // A host registered here is routed here implicitly.
        if (!(set.node == node_.addr && hosts_.contains(r.host()))) throw;
      }
    }
    reply->set_ok(true);
  } catch (const std::exception& e) {
    reply->set_error(e.what());
    say("route of host " + std::to_string(r.host()) + ": " + e.what());
  }
  if (env.id()) rpc_->reply(from, env, answer);
}

void Ckptd::handle_state(const Address& from, const pb::Envelope& env) {
  pb::Envelope answer;
  auto* reply = answer.mutable_state_reply();
  try {
    for (const HostInfo& info : decode_hosts(nl_.dump(Request(MLOG_CMD_HOST_GET)))) {
      auto it = hosts_.find(info.index);
      if (it == hosts_.end()) continue;
      auto* s = reply->add_hosts();
      s->set_host(info.index);
      s->set_incarnation(info.incarnation);
      s->set_rsn(info.rsn);
      for (const auto& [dep, interval] : info.deps) {
        auto* d = s->add_deps();
        d->set_host(dep);
        d->set_interval(interval);
      }
      s->set_replaying(info.replaying);
      s->set_running(!it->second.reaped);
      s->set_job_id(it->second.job_id);
      s->set_rank(it->second.rank);
    }
  } catch (const std::exception& e) {
    pb::Envelope err;
    err.mutable_error()->set_text(std::string("cannot read the hosts: ") + e.what());
    rpc_->reply(from, env, err);
    return;
  }
  rpc_->reply(from, env, answer);
}

void Ckptd::handle_purge(const Address& from, const pb::Envelope& env) {
  pb::Envelope answer;
  auto* reply = answer.mutable_purge_reply();
  std::uint64_t purged = 0;
  for (auto host : env.purge_senders().hosts()) {
    try {
      const auto r = nl_.call(log_purge_sender_request(host));
      if (!r.empty()) purged += reply_purged(r);
    } catch (const std::exception& e) {
      reply->set_error(e.what());
    }
  }
  reply->set_purged(purged);
  if (env.id()) rpc_->reply(from, env, answer);
}

// --------------------------------------------------------------- hosts --

void Ckptd::kill_host(std::uint32_t index, bool unregister) {
  auto it = hosts_.find(index);
  if (it == hosts_.end()) return;
  Host& h = it->second;
  h.killed = true;
  if (!h.reaped && h.init_pid > 0) ::kill(h.init_pid, SIGKILL);  // the whole namespace goes
  for (int fd : {h.out.get(), h.err.get(), h.status.get()})
    if (fd >= 0) loop_.unwatch(fd);
  if (unregister) {
    try {
      nl_.call(host_del_request(index));
    } catch (const std::exception& e) {
      say("host " + std::to_string(index) + ": " + e.what());
    }
  }
  // A reaped host is forgotten at once; otherwise on_sigchld() does it.
  if (h.reaped) hosts_.erase(it);
}

void Ckptd::kill_all(const std::string& why) {
  std::vector<std::uint32_t> all;
  for (const auto& [index, h] : hosts_) all.push_back(index);
  if (!all.empty()) say("killing " + std::to_string(all.size()) + " hosts: " + why);
  for (auto index : all) kill_host(index, true);
}

std::uint64_t Ckptd::current_interval(std::uint32_t host) {
  try {
    return reply_host(nl_.call(host_get_request(host)), "host get").rsn;
  } catch (const std::exception&) {
    return 0;
  }
}

void Ckptd::on_output(std::uint32_t index, StreamId stream) {
  auto it = hosts_.find(index);
  if (it == hosts_.end()) return;
  Host& h = it->second;
  rpc::Fd& fd = stream == StreamId::out ? h.out : h.err;
  char buf[kReadChunk];
  const ssize_t n = ::read(fd.get(), buf, sizeof(buf));
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
  if (n <= 0) {
    loop_.unwatch(fd.get());
    fd.reset();
    (stream == StreamId::out ? h.out_open : h.err_open) = false;
    maybe_queue_exit(h);
    return;
  }
  // Tagged with the interval the host is in now: the output cannot come
  // from a later one.
  h.commit.add_output(stream, std::string(buf, static_cast<std::size_t>(n)),
                      current_interval(index));
}

void Ckptd::on_status(std::uint32_t index) {
  auto it = hosts_.find(index);
  if (it == hosts_.end()) return;
  Host& h = it->second;
  int ws = 0;
  const ssize_t n = ::read(h.status.get(), &ws, sizeof(ws));
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
  if (n == static_cast<ssize_t>(sizeof(ws))) h.exit = decode_wait_status(ws);
  loop_.unwatch(h.status.get());
  h.status.reset();
  h.status_seen = true;
  maybe_queue_exit(h);
}

void Ckptd::maybe_queue_exit(Host& h) {
  if (h.killed || h.out_open || h.err_open || !h.status_seen || h.exit_reported) return;
  // No status from the first process: it was killed (not by us).
  const ExitStatus st = h.exit.value_or(ExitStatus{128 + SIGKILL, true});
  h.commit.add_exit(st.status, st.signaled, current_interval(h.host));
  h.exit_reported = true;  // queued; it leaves with the output before it
}

void Ckptd::on_sigchld() {
  for (;;) {
    int ws = 0;
    const pid_t pid = ::waitpid(-1, &ws, WNOHANG);
    if (pid <= 0) return;
    for (auto it = hosts_.begin(); it != hosts_.end(); ++it) {
      if (it->second.init_pid != pid) continue;
      it->second.reaped = true;
      if (it->second.killed) hosts_.erase(it);
      break;
    }
  }
}

void Ckptd::commit_tick() {
  for (auto& [index, h] : hosts_) {
    if (h.commit.empty() || h.killed) continue;
    std::optional<std::uint64_t> pend_first;
    try {
      pend_first = reply_host(nl_.call(host_get_request(index)), "host get").pend_first;
    } catch (const std::exception& e) {
      continue;  // try again at the next tick
    }
    for (CommittedItem& item : h.commit.release(pend_first)) {
      pb::Envelope env;
      if (!item.is_exit) {
        auto* o = env.mutable_output();
        o->set_job_id(h.job_id);
        o->set_rank(h.rank);
        o->set_stream(item.stream == StreamId::out ? pb::STREAM_STDOUT : pb::STREAM_STDERR);
        o->set_offset(item.offset);
        o->set_data(std::move(item.data));
        rpc_->send(h.client, env);
        continue;
      }
      auto* x = env.mutable_rank_exited();
      x->set_job_id(h.job_id);
      x->set_rank(h.rank);
      x->set_host(h.host);
      x->set_incarnation(h.incarnation);
      x->set_status(item.status);
      x->set_signaled(item.signaled);
      x->set_stdout_bytes(h.commit.bytes(StreamId::out));
      x->set_stderr_bytes(h.commit.bytes(StreamId::err));
      rpc_->send(h.client, env);
      if (recoverd_) rpc_->send(recoverd_->address, env);
      say("host " + std::to_string(index) + " (rank " + std::to_string(h.rank) +
          ") exited with status " + std::to_string(item.status));
    }
  }
}

// -------------------------------------------------------------- replay --

// Fetch RSNs first..R of the host from every live node's log.
void Ckptd::collect(std::uint32_t index) {
  Host& h = hosts_.at(index);
  Replay& r = *h.replay;
  r.fetched.assign(r.sources.size(), {});
  if (r.replay_to == 0 || r.sources.empty()) return merged(index);
  r.outstanding = r.sources.size();
  for (std::size_t i = 0; i < r.sources.size(); ++i) fetch(index, i, 1);
}

// Fetch from source @i.  A log that does not answer in time (its node
// overloaded, not dead: a dead one ends the round from mlog-recoverd) is
// asked again from the start, up to kFetchAttempts times.
void Ckptd::fetch(std::uint32_t index, std::size_t i, unsigned attempt) {
  Host& h = hosts_.at(index);
  Replay& r = *h.replay;
  r.fetched[i].clear();
  pb::Envelope env;
  auto* f = env.mutable_log_fetch();
  f->set_host(index);
  f->set_from_rsn(restart_point(pb::StartHost{}).first_rsn);
  f->set_to_rsn(r.replay_to);
  const std::uint32_t inc = h.incarnation;
  rpc_->call(r.sources[i], env, kFetchTimeout,
             [this, index, inc, i, attempt](const pb::Envelope* reply) {
               auto it = hosts_.find(index);
               if (it == hosts_.end() || it->second.incarnation != inc || !it->second.replay)
                 return true;
               Replay& rr = *it->second.replay;
               const std::string source = "the log of " + rpc::to_string(rr.sources[i]);
               if (!reply && attempt < kFetchAttempts) {
                 say("host " + std::to_string(index) + ": " + source +
                     " did not answer; asking again (attempt " + std::to_string(attempt + 1) +
                     " of " + std::to_string(kFetchAttempts) + ")");
                 fetch(index, i, attempt + 1);
                 return true;
               }
               if (!reply) {
                 replay_finished(index, false, source + " did not answer", 0);
                 return true;
               }
               if (reply->has_log_fetch_item()) {
                 rr.fetched[i].push_back(reply->log_fetch_item().message());
                 return false;  // more follow
               }
               if (!reply->has_log_fetch_end() || !reply->log_fetch_end().ok()) {
                 replay_finished(index, false,
                                 source + ": " +
                                     (reply->has_log_fetch_end() ? reply->log_fetch_end().error()
                                                                 : "unexpected answer"),
                                 0);
                 return true;
               }
               if (--rr.outstanding == 0) merged(index);
               return true;
             });
}

void Ckptd::merged(std::uint32_t index) {
  Host& h = hosts_.at(index);
  Replay& r = *h.replay;
  r.collected = Clock::now();
  auto m = merge_replay(r.fetched, r.replay_to);
  r.fetched.clear();
  if (!m.ok) return replay_finished(index, false, m.error, 0);
  r.queue = std::move(m.messages);
  r.per_source = std::move(m.per_source);
  r.push_began = Clock::now();
  push_some(index);
}

// REPLAY_PUSH in RSN order; a full queue (ENOBUFS) is retried shortly.
void Ckptd::push_some(std::uint32_t index) {
  auto it = hosts_.find(index);
  if (it == hosts_.end() || !it->second.replay || it->second.replay->done) return;
  Replay& r = *it->second.replay;
  const std::uint32_t inc = it->second.incarnation;
  for (int batch = 0; batch < 64 && r.pushed < r.queue.size(); ++batch) {
    const pb::LoggedMessage& m = r.queue[r.pushed];
    LogEntry e;
    e.dst_host = index;
    e.src_host = m.src_host();
    e.src_port = static_cast<std::uint16_t>(m.src_port());
    e.dst_port = static_cast<std::uint16_t>(m.dst_port());
    e.ssn = m.ssn();
    e.interval = m.interval();
    e.rsn = m.rsn();
    e.src_epoch = m.src_epoch();
    e.dgram = m.dgram();
    e.src_hostaddr = m.src_hostaddr();
    e.dst_hostaddr = m.dst_hostaddr();
    if (m.src_node().size() == e.src_node.size())
      std::copy(m.src_node().begin(), m.src_node().end(), e.src_node.begin());
    try {
      nl_.call(replay_push_request(
          e, std::span(reinterpret_cast<const std::uint8_t*>(m.data().data()), m.data().size())));
    } catch (const KernelError& err) {
      if (err.error == ENOBUFS) {
        loop_.after(rpc::Millis(10), [this, index, inc] {
          auto h = hosts_.find(index);
          if (h != hosts_.end() && h->second.incarnation == inc) push_some(index);
        });
        return;
      }
      return replay_finished(
          index, false, "REPLAY_PUSH of RSN " + std::to_string(m.rsn()) + ": " + err.what(), 0);
    } catch (const std::exception& err) {
      return replay_finished(index, false, err.what(), 0);
    }
    ++r.pushed;
  }
  if (r.pushed < r.queue.size()) {
    loop_.after(rpc::Millis(0), [this, index, inc] {
      auto h = hosts_.find(index);
      if (h != hosts_.end() && h->second.incarnation == inc) push_some(index);
    });
    return;
  }
  try {
    nl_.call(replay_end_request(index));
  } catch (const std::exception& err) {
    return replay_finished(index, false, std::string("REPLAY_END: ") + err.what(), 0);
  }
  r.ended = true;
  r.queue.clear();
  r.queue.shrink_to_fit();
  check_replay_done(index);
}

// The host event says when the last queued message was delivered; a poll
// of HOST_GET covers a lost event.
void Ckptd::check_replay_done(std::uint32_t index) {
  auto it = hosts_.find(index);
  if (it == hosts_.end() || !it->second.replay || it->second.replay->done ||
      !it->second.replay->ended)
    return;
  try {
    const HostInfo info = reply_host(nl_.call(host_get_request(index)), "host get");
    if (!info.replaying)
      return replay_finished(index, true, "",
                             info.replayed ? info.replayed : it->second.replay->replay_to);
  } catch (const std::exception& e) {
    return replay_finished(index, false, e.what(), 0);
  }
  const std::uint32_t inc = it->second.incarnation;
  loop_.after(rpc::Millis(50), [this, index, inc] {
    auto h = hosts_.find(index);
    if (h != hosts_.end() && h->second.incarnation == inc) check_replay_done(index);
  });
}

void Ckptd::replay_finished(std::uint32_t index, bool ok, const std::string& error,
                            std::uint64_t reached) {
  Host& h = hosts_.at(index);
  Replay& r = *h.replay;
  if (r.done) return;
  r.done = true;
  const auto now = Clock::now();
  pb::Envelope env;
  auto* d = env.mutable_replay_done();
  d->set_job_id(h.job_id);
  d->set_rank(h.rank);
  d->set_host(index);
  d->set_incarnation(h.incarnation);
  d->set_ok(ok);
  d->set_error(error);
  d->set_replayed(r.pushed);
  d->set_reached(reached);
  for (const auto& [src, count] : r.per_source) {
    auto* s = d->add_sources();
    s->set_node(rpc::node_bytes(r.sources[src].node));
    s->set_messages(count);
  }
  d->set_restart_ms(r.restart_ms);
  d->set_collect_ms(r.replay_to ? ms_between(r.started, r.collected) : 0);
  d->set_replay_ms(r.replay_to ? ms_between(r.push_began, now) : 0);
  say("host " + std::to_string(index) + ": replay " +
      (ok ? "done, " + std::to_string(r.pushed) + " messages up to RSN " + std::to_string(reached)
          : "failed: " + error));
  if (recoverd_) rpc_->send(recoverd_->address, env);
}

void Ckptd::on_kernel_events() {
  for (;;) {
    std::optional<Notification> n;
    try {
      n = events_->next_notification(rpc::Millis(0));
    } catch (const EventsLost&) {
      continue;  // the HOST_GET poll covers what was lost
    }
    if (!n) return;
    try {
      if (const auto host = decode_host_event(*n); host && !host->replaying)
        check_replay_done(host->index);
    } catch (const std::exception& e) {
      say(std::string("ignored a malformed event: ") + e.what());
    }
  }
}

}  // namespace mlog::ckptd
