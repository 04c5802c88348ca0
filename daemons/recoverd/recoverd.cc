// SPDX-License-Identifier: GPL-2.0
#include "recoverd.h"

#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <stdexcept>

#include "info_format.h"
#include "placement.h"
#include "recoverd_addr.h"
#include "recovery_nl.h"

namespace mlog::recoverd {

namespace {

// Longer than failure detection: a member that dies while a call to it is
// open is declared failed (and the recovery round restarted) first.
constexpr rpc::Millis kMinCallTimeout{10'000};
// Attempts of a recovery's call to a member that stays live (call_member).
constexpr unsigned kCallAttempts = 3;
constexpr const char* kName = "mlog-recoverd";
// The module's default max_hosts: more ranks could not be registered.
constexpr std::uint32_t kMaxRanks = 65535;

void say(const std::string& text) { rpc::log_line(kName, text); }

std::uint64_t wall_ms() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

std::string seconds(std::uint64_t ms) {
  return std::to_string(ms / 1000) + "." + std::to_string(ms % 1000 / 100) + " s";
}

pb::Envelope set_route(std::uint32_t host, const NodeAddr& node, std::uint32_t incarnation,
                       pb::RouteState state, std::uint64_t replayed) {
  pb::Envelope e;
  auto* r = e.mutable_set_route();
  r->set_host(host);
  r->set_node(rpc::node_bytes(node));
  r->set_incarnation(incarnation);
  r->set_state(state);
  r->set_replayed(replayed);
  return e;
}

}  // namespace

Recoverd::Recoverd(rpc::EventLoop& loop, Options opts)
    : loop_(loop), opts_(std::move(opts)), stall_(opts_.heartbeat) {
  journal_ = std::make_unique<Journal>(opts_.state_dir + "/recoverd.records", state_);
  if (!journal_->report().clean())
    say("record file repaired: " + journal_->report().problem + " (" +
        std::to_string(journal_->report().discarded_bytes) + " bytes dropped)");
  say("state rebuilt from " + std::to_string(journal_->report().records) +
      " records: " + std::to_string(state_.members().size()) + " members, " +
      std::to_string(state_.jobs().size()) + " jobs");

  const auto node = common::local_node();
  self_ = node.addr;
  const int family = rpc::mlog_family();
  rpc_ = std::make_unique<rpc::Endpoint>(loop_, family, SOCK_RDM, opts_.port, kName);
  heartbeat_ = std::make_unique<rpc::Endpoint>(
      loop_, family, SOCK_DGRAM, static_cast<std::uint16_t>(opts_.port + rpc::kHeartbeatPortOffset),
      std::string(kName) + " heartbeat");
  rpc_->on_message([this](const Address& from, const pb::Envelope& env) { on_message(from, env); });
  heartbeat_->on_message(
      [this](const Address& from, const pb::Envelope& env) { on_heartbeat_message(from, env); });

  const auto previous = common::read_recoverd_addr(opts_.state_dir);
  start_counter_ = previous ? previous->start + 1 : 1;
  common::write_recoverd_addr(opts_.state_dir,
                              common::RecoverdAddr{Address{self_, opts_.port}, start_counter_});

  events_ = std::make_unique<GenlClient>();
  nl_ = std::make_unique<GenlClient>();
  events_->subscribe(MLOG_GENL_MCGRP_EVENTS);
  loop_.watch(events_->notification_fd(), POLLIN, [this](short) { on_kernel_events(); });
}

void Recoverd::start() {
  // Members known from the record file get one timeout to be heard from.
  for (const Member* m : state_.live_members()) liveness_[m->id] = Liveness(rpc::Clock::now());
  loop_.every(opts_.heartbeat, [this] { heartbeat_tick(); });
  say("serving on " + rpc::to_string(Address{self_, opts_.port}) + ", start " +
      std::to_string(start_counter_));
  for (const auto& [id, job] : state_.jobs())
    if (job.finished && !job.cleaned) cleanup_job(id);
  for (const auto& [job_id, ranks] : state_.ranks_needing_recovery()) begin_recovery(job_id);
}

void Recoverd::record(const pb::StateChange& change) { journal_->record(change); }

rpc::Millis Recoverd::call_timeout() const { return std::max(kMinCallTimeout, 3 * opts_.timeout); }

void Recoverd::call_member(std::uint64_t member, const Address& to, const pb::Envelope& env,
                           const std::string& what, Answer done, unsigned attempt) {
  rpc_->call(to, env, call_timeout(),
             [this, member, to, env, what, done, attempt](const pb::Envelope* reply) {
               const Member* m = state_.member(member);
               if (!reply && m && !m->failed && attempt < kCallAttempts) {
                 say(what + " on node " + std::to_string(m->node_id) + " did not answer within " +
                     seconds(static_cast<std::uint64_t>(call_timeout().count())) +
                     "; asking again (attempt " + std::to_string(attempt + 1) + " of " +
                     std::to_string(kCallAttempts) + ")");
                 call_member(member, to, env, what, done, attempt + 1);
                 return true;
               }
               done(reply);
               return true;
             });
}

// ------------------------------------------------------------- messages --

void Recoverd::on_message(const Address& from, const pb::Envelope& env) {
  if (const Member* m = state_.live_member_at(from.node); m && m->port == from.port)
    heard_from(m->id);
  switch (env.body_case()) {
    case pb::Envelope::kJoin:
      return handle_join(from, env);
    case pb::Envelope::kSubmitJob:
      return handle_submit(from, env);
    case pb::Envelope::kStopJob:
      return handle_stop(env.stop_job());
    case pb::Envelope::kRankExited:
      return handle_rank_exited(env.rank_exited());
    case pb::Envelope::kReplayDone:
      return handle_replay_done(env.replay_done());
    default: {
      pb::Envelope err;
      err.mutable_error()->set_text("mlog-recoverd does not take " + rpc::body_name(env));
      if (env.id()) rpc_->reply(from, env, err);
    }
  }
}

void Recoverd::on_heartbeat_message(const Address& from, const pb::Envelope& env) {
  if (!env.has_heartbeat_reply()) return;
  const auto id = env.heartbeat_reply().member_id();
  const Member* m = state_.member(id);
  if (!m || m->node != from.node) return;
  if (m->failed) {
    // A member declared failed is still running: tell it, it kills its hosts.
    pb::Envelope e;
    e.mutable_declared_failed()->set_member_id(id);
    rpc_->send(m->ckptd(), e);
    return;
  }
  heard_from(id);
}

void Recoverd::handle_join(const Address& from, const pb::Envelope& env) {
  const auto& j = env.join();
  pb::Envelope answer;
  auto* reply = answer.mutable_join_reply();
  reply->set_recoverd_start(start_counter_);
  NodeAddr node{};
  try {
    node = rpc::node_from_bytes(j.node());
  } catch (const std::exception& e) {
    reply->set_error(e.what());
    rpc_->reply(from, env, answer);
    return;
  }
  const JoinVerdict v = state_.judge_join(node, j.member_id(), j.join_token());
  switch (v.kind) {
    case JoinVerdict::rejoined:
    case JoinVerdict::repeated: {
      const Member* m = state_.member(v.member);
      reply->set_accepted(true);
      reply->set_member_id(m->id);
      rpc_->reply(from, env, answer);
      heard_from(m->id);
      if (v.kind == JoinVerdict::rejoined)
        say("member " + std::to_string(m->id) + " (node " + std::to_string(m->node_id) +
            ") joined again");
      return;
    }
    case JoinVerdict::declared_failed:
      reply->set_declared_failed(true);
      reply->set_member_id(j.member_id());
      rpc_->reply(from, env, answer);
      return;
    case JoinVerdict::new_member:
      if (v.member) declare_failed(v.member, 0, "its mlog-ckptd started again");
      break;
  }
  Member m;
  m.id = state_.next_member_id();
  m.node_id = j.node_id();
  m.node = node;
  m.spare = j.spare();
  m.port = from.port;
  m.join_token = j.join_token();
  record(member_joined(m));
  liveness_[m.id] = Liveness(rpc::Clock::now());
  reply->set_accepted(true);
  reply->set_member_id(m.id);
  rpc_->reply(from, env, answer);
  say("member " + std::to_string(m.id) + " joined: node " + std::to_string(m.node_id) + " at " +
      rpc::to_string(from) + (m.spare ? " (spare)" : ""));
  send_routes_to(*state_.member(m.id));
}

// A node that joins learns where every host of a running job is.
void Recoverd::send_routes_to(const Member& m) {
  for (const auto& [id, job] : state_.jobs()) {
    if (job.finished) continue;
    for (const Rank& r : job.ranks) {
      const Member* on = state_.member(r.member);
      if (!on || r.state == RankState::exited) continue;
      rpc_->send(m.ckptd(),
                 set_route(r.host, on->node, r.incarnation,
                           r.state == RankState::recovering ? pb::ROUTE_RECOVERING : pb::ROUTE_LIVE,
                           r.replayed));
    }
  }
}

void Recoverd::handle_submit(const Address& from, const pb::Envelope& env) {
  const auto& spec = env.submit_job().spec();
  pb::Envelope answer;
  auto* reply = answer.mutable_submit_reply();
  auto refuse = [&](const std::string& why) {
    reply->set_error(why);
    rpc_->reply(from, env, answer);
  };
  if (spec.size() == 0) return refuse("a job needs at least one rank");
  if (spec.size() > kMaxRanks)
    return refuse("at most " + std::to_string(kMaxRanks) + " ranks in a job");
  if (state_.next_host() > UINT32_MAX - spec.size()) return refuse("host indices are exhausted");
  if (spec.argv_size() == 0 || spec.argv(0).empty()) return refuse("no program given");
  std::vector<MemberLoad> live;
  for (const Member* m : state_.live_members())
    live.push_back(MemberLoad{m->id, m->node_id, m->spare, state_.hosts_on(m->id)});
  const auto placed = place_ranks(
      spec.size(), std::vector<std::uint32_t>(spec.nodes().begin(), spec.nodes().end()), live);
  if (const auto* why = std::get_if<std::string>(&placed)) return refuse(*why);
  const auto& members = std::get<std::vector<std::uint64_t>>(placed);

  pb::StateChange c;
  auto* s = c.mutable_job_submitted();
  s->set_job_id(state_.next_job_id());
  *s->mutable_spec() = spec;
  if (s->spec().name().empty()) {
    const std::string& prog = spec.argv(0);
    s->mutable_spec()->set_name(prog.substr(prog.find_last_of('/') + 1));
  }
  *s->mutable_client() = rpc::to_endpoint(from);
  s->set_host_base(state_.next_host());
  for (auto m : members) s->add_rank_member(m);
  record(c);
  const Job& job = *state_.job(s->job_id());

  reply->set_ok(true);
  reply->set_job_id(job.id);
  reply->set_host_base(job.host_base);
  for (std::uint32_t r = 0; r < job.ranks.size(); ++r) {
    auto* p = reply->add_placement();
    p->set_rank(r);
    p->set_host(job.ranks[r].host);
    p->set_node_id(state_.member(job.ranks[r].member)->node_id);
  }
  rpc_->reply(from, env, answer);
  say("job " + std::to_string(job.id) + " (" + job.spec.name() +
      "): " + std::to_string(job.ranks.size()) + " ranks, hosts " + std::to_string(job.host_base) +
      ".." + std::to_string(job.host_base + job.ranks.size() - 1));
  start_job(job.id);
}

pb::Envelope Recoverd::start_host_message(const Job& job, std::uint32_t rank, bool replay,
                                          std::uint64_t replay_to) const {
  pb::Envelope e;
  auto* s = e.mutable_start_host();
  s->set_job_id(job.id);
  s->set_rank(rank);
  s->set_host(job.ranks[rank].host);
  s->set_incarnation(job.ranks[rank].incarnation);
  *s->mutable_spec() = job.spec;
  s->set_host_base(job.host_base);
  *s->mutable_client() = rpc::to_endpoint(job.client);
  s->set_replay(replay);
  s->set_replay_to(replay_to);
  for (const Address& a : live_logds()) *s->add_log_servers() = rpc::to_endpoint(a);
  return e;
}

// Every node learns the routes of the job's hosts before the hosts on it
// start: a flow delivers in order, so no program runs before its node
// knows where its peers are.
void Recoverd::start_job(std::uint64_t job_id) {
  const Job& job = *state_.job(job_id);
  for (const Member* m : state_.live_members()) {
    for (const Rank& r : job.ranks)
      if (r.member != m->id)
        rpc_->send(m->ckptd(),
                   set_route(r.host, state_.member(r.member)->node, 0, pb::ROUTE_LIVE, 0));
  }
  for (std::uint32_t rank = 0; rank < job.ranks.size(); ++rank) {
    const Member* m = state_.member(job.ranks[rank].member);
    rpc_->call(
        m->ckptd(), start_host_message(job, rank, false, 0), call_timeout(),
        [this, job_id, rank, member = m->id, node_id = m->node_id](const pb::Envelope* reply) {
          const Job* j = state_.job(job_id);
          if (!j || j->finished) return true;
          // The node failed before it answered and the rank has been
          // recovered elsewhere since: this start no longer matters.
          if (j->ranks[rank].member != member || j->ranks[rank].incarnation != 0) return true;
          if (!reply) {
            // A node that died is recovered; one that stays silent alive is a problem.
            const Member* mm = state_.member(member);
            if (mm && !mm->failed)
              finish_job(job_id, 1, true,
                         "node " + std::to_string(node_id) + " did not answer the start of rank " +
                             std::to_string(rank));
            return true;
          }
          if (!reply->has_start_host_reply() || !reply->start_host_reply().ok()) {
            const std::string why = reply->has_start_host_reply()
                                        ? reply->start_host_reply().error()
                                        : "unexpected answer";
            finish_job(job_id, 1, true,
                       "rank " + std::to_string(rank) + " on node " + std::to_string(node_id) +
                           ": " + why);
          }
          return true;
        });
  }
}

void Recoverd::handle_stop(const pb::StopJob& stop) {
  const Job* job = state_.job(stop.job_id());
  if (!job || job->finished) return;
  finish_job(job->id, job->first_failure.value_or(0), true,
             stop.reason().empty() ? "stopped" : stop.reason());
}

void Recoverd::handle_rank_exited(const pb::RankExited& exited) {
  const Job* job = state_.job(exited.job_id());
  if (!job || job->finished || exited.rank() >= job->ranks.size()) return;
  const Rank& r = job->ranks[exited.rank()];
  if (r.host != exited.host() || r.state == RankState::exited) return;
  record(rank_exit(job->id, exited.rank(), exited.status()));
  if (auto it = rounds_.find(job->id); it != rounds_.end()) {
    it->second.ranks.erase(exited.rank());
    if (it->second.ranks.empty()) rounds_.erase(it);
  }
  maybe_finish(job->id);
}

void Recoverd::maybe_finish(std::uint64_t job_id) {
  const Job* job = state_.job(job_id);
  if (!job || job->finished || !ClusterState::all_exited(*job)) return;
  finish_job(job_id, job->first_failure.value_or(0), false, "every rank exited");
}

void Recoverd::finish_job(std::uint64_t job_id, int status, bool stopped,
                          const std::string& reason) {
  const Job* job = state_.job(job_id);
  if (!job || job->finished) return;
  rounds_.erase(job_id);
  record(job_finished(job_id, status, stopped, reason));
  say("job " + std::to_string(job_id) + " ended: " + reason + ", status " + std::to_string(status));
  pb::Envelope e;
  auto* end = e.mutable_job_ended();
  end->set_job_id(job_id);
  end->set_status(status);
  end->set_stopped(stopped);
  end->set_reason(reason);
  rpc_->send(job->client, e);
  cleanup_job(job_id);
}

// Kill and unregister the hosts, forget their routes, drop what they sent
// from every log.  Best effort on every live node; recorded once sent.
void Recoverd::cleanup_job(std::uint64_t job_id) {
  const Job& job = *state_.job(job_id);
  for (const Member* m : state_.live_members()) {
    pb::Envelope purge;
    for (const Rank& r : job.ranks) {
      if (r.member == m->id) {
        pb::Envelope kill;
        kill.mutable_kill_host()->set_host(r.host);
        rpc_->send(m->ckptd(), kill);
      }
      pb::Envelope del;
      del.mutable_set_route()->set_host(r.host);
      del.mutable_set_route()->set_del(true);
      rpc_->send(m->ckptd(), del);
      purge.mutable_purge_senders()->add_hosts(r.host);
    }
    rpc_->send(m->ckptd(), purge);
  }
  record(job_cleaned(job_id));
}

void Recoverd::send_event(const Job& job, pb::JobEvent event) {
  event.set_job_id(job.id);
  pb::Envelope e;
  *e.mutable_job_event() = std::move(event);
  rpc_->send(job.client, e);
}

// ------------------------------------------------ failure detection --

void Recoverd::heard_from(std::uint64_t member) {
  auto& l = liveness_[member];
  l.last_heard = rpc::Clock::now();
  l.suspected = false;
  l.sent_unanswered = 0;
  l.vouched = false;
}

void Recoverd::heartbeat_tick() {
  const auto now = rpc::Clock::now();
  // This process did not run for a while (its node was overloaded or
  // paused): nobody could have been heard from in that time, so it does
  // not count towards anyone's silence.
  if (const auto stalled = stall_.tick(now)) {
    for (auto& [member, l] : liveness_) l.last_heard = std::min(l.last_heard + *stalled, now);
    const auto gap = *stalled + opts_.heartbeat;
    if (gap > 5 * opts_.heartbeat)
      say("did not run for " + seconds(static_cast<std::uint64_t>(gap.count())) +
          ": that time does not count as silence of the nodes");
  }
  struct Dead {
    std::uint64_t member, silent_ms;
    std::string heartbeats;
  };
  std::vector<Dead> dead;
  for (const Member* m : state_.live_members()) {
    auto it = liveness_.find(m->id);
    if (it == liveness_.end()) it = liveness_.emplace(m->id, Liveness(now)).first;
    auto& l = it->second;
    const auto silent = std::chrono::duration_cast<rpc::Millis>(now - l.last_heard);
    // The module's suspicion of the node shortens the wait to a few beats.
    const auto limit = l.suspected ? std::min(opts_.timeout, 3 * opts_.heartbeat) : opts_.timeout;
    if (silent > limit) {
      const auto module = module_silence(m->node);
      const auto overall = member_silence(silent, module);
      if (overall <= limit) {
        if (!l.vouched)
          say("node " + std::to_string(m->node_id) + " (member " + std::to_string(m->id) +
              "): no heartbeat answer for " + seconds(static_cast<std::uint64_t>(silent.count())) +
              ", but the module received a frame from it " +
              seconds(static_cast<std::uint64_t>(module->count())) + " ago: not failed");
        l.vouched = true;
      } else {
        dead.push_back(
            {m->id, static_cast<std::uint64_t>(overall.count()), heartbeat_report(l, now)});
        continue;
      }
    }
    pb::Envelope hb;
    hb.mutable_heartbeat()->set_seq(++hb_seq_);
    hb.mutable_heartbeat()->set_member_id(m->id);
    hb.mutable_heartbeat()->set_recoverd_start(start_counter_);
    heartbeat_->send(
        Address{m->node, static_cast<std::uint16_t>(m->port + rpc::kHeartbeatPortOffset)}, hb);
    ++l.sent_unanswered;
    l.last_sent = now;
  }
  for (const auto& d : dead) {
    if (const Member* m = state_.member(d.member))
      say("node " + std::to_string(m->node_id) + " (member " + std::to_string(d.member) +
          "): " + d.heartbeats);
    declare_failed(d.member, d.silent_ms, "no heartbeat");
  }
}

std::optional<rpc::Millis> Recoverd::module_silence(const NodeAddr& node) {
  try {
    for (const auto& p : decode_peers(nl_->dump(Request(MLOG_CMD_PEER_GET))))
      if (p.addr == node && p.last_heard_ms) return rpc::Millis(*p.last_heard_ms);
  } catch (const std::exception& e) {
    say(std::string("cannot read the module's peers: ") + e.what());
  }
  return std::nullopt;
}

// "25 heartbeats sent since it was last heard from, the last 0.2 s ago;
// heartbeat socket: 0 send errors, ...": what a declaration for silence
// rests on, to tell a silent node from heartbeats that never left.
std::string Recoverd::heartbeat_report(const Liveness& l, rpc::Clock::time_point now) const {
  const auto ms = [&](rpc::Clock::time_point t) {
    return static_cast<std::uint64_t>(std::chrono::duration_cast<rpc::Millis>(now - t).count());
  };
  const auto& c = heartbeat_->counters();
  std::string r =
      std::to_string(l.sent_unanswered) + " heartbeats sent since it was last heard from";
  if (l.last_sent) r += ", the last " + seconds(ms(*l.last_sent)) + " ago";
  return r + "; heartbeat socket: " + std::to_string(c.send_errors) + " send errors, " +
         std::to_string(c.dropped) + " dropped, " + std::to_string(c.socket_errors) +
         " socket errors, " + std::to_string(heartbeat_->queued_bytes()) + " bytes queued";
}

void Recoverd::on_kernel_events() {
  for (;;) {
    std::optional<Notification> n;
    try {
      n = events_->next_notification(rpc::Millis(0));
    } catch (const EventsLost& e) {
      say(std::string("warning: ") + e.what());
      continue;
    }
    if (!n) return;
    try {
      const auto peer = decode_peer_state_event(*n);
      if (!peer || peer->state != MLOG_PEER_SUSPECTED) continue;
      if (const Member* m = state_.live_member_at(peer->addr)) {
        say("node " + std::to_string(m->node_id) + " suspected by the module");
        liveness_[m->id].suspected = true;
      }
    } catch (const std::exception& e) {
      say(std::string("ignored a malformed event: ") + e.what());
    }
  }
}

void Recoverd::declare_failed(std::uint64_t member, std::uint64_t silent_ms,
                              const std::string& why) {
  const Member* m = state_.member(member);
  if (!m || m->failed) return;
  const std::uint32_t node_id = m->node_id;
  record(member_failed(member, silent_ms));
  liveness_.erase(member);
  say("node " + std::to_string(node_id) + " (member " + std::to_string(member) +
      ") declared failed: " + why + (silent_ms ? ", silent for " + seconds(silent_ms) : ""));
  // Tell it, in case it is only slow: it kills its hosts and joins anew.
  pb::Envelope e;
  e.mutable_declared_failed()->set_member_id(member);
  rpc_->send(m->ckptd(), e);

  const auto needing = state_.ranks_needing_recovery();
  for (const auto& [job_id, ranks] : needing) {
    const Job& job = *state_.job(job_id);
    bool affected = false;
    for (auto r : ranks) affected |= job.ranks[r].member == member;
    if (!affected && !rounds_.contains(job_id)) continue;
    pb::JobEvent ev;
    ev.set_kind(pb::JobEvent::NODE_FAILED);
    ev.set_node_id(node_id);
    ev.set_elapsed_ms(silent_ms);
    ev.set_text("node " + std::to_string(node_id) + " failed (" + why +
                (silent_ms ? ", silent for " + seconds(silent_ms) : "") + ")");
    send_event(job, ev);
  }
  for (const auto& [job_id, ranks] : needing) begin_recovery(job_id);
}

std::vector<rpc::Address> Recoverd::live_logds() const {
  std::vector<Address> out;
  for (const Member* m : state_.live_members()) out.push_back(Address{m->node, opts_.logd_port});
  return out;
}

// ------------------------------------------------------------ recovery --

bool Recoverd::round_current(std::uint64_t job_id, std::uint64_t round) const {
  auto it = rounds_.find(job_id);
  return it != rounds_.end() && it->second.id == round;
}

void Recoverd::recovery_failed(std::uint64_t job_id, const std::string& why) {
  const Job* job = state_.job(job_id);
  if (!job) return;
  pb::JobEvent ev;
  ev.set_kind(pb::JobEvent::RECOVERY_FAILED);
  ev.set_text(why);
  send_event(*job, ev);
  finish_job(job_id, job->first_failure.value_or(1), true, "recovery failed: " + why);
}

// Fence: raise the incarnation of every rank to recover on every live node
// (route RECOVERING) and wait until all have done so.
void Recoverd::begin_recovery(std::uint64_t job_id) {
  const auto needing = state_.ranks_needing_recovery();
  auto it = needing.find(job_id);
  if (it == needing.end()) return;
  const Job& job = *state_.job(job_id);
  const auto live = state_.live_members();
  if (live.empty()) return recovery_failed(job_id, "no live node is left");

  // A restart of an earlier round still running on a live node goes too.
  for (auto r : it->second) {
    const Rank& rk = job.ranks[r];
    const Member* m = state_.member(rk.member);
    if (rk.state == RankState::recovering && m && !m->failed) {
      pb::Envelope kill;
      kill.mutable_kill_host()->set_host(rk.host);
      rpc_->send(m->ckptd(), kill);
    }
  }
  std::vector<MemberLoad> loads;
  for (const Member* m : live)
    loads.push_back(MemberLoad{m->id, m->node_id, m->spare, state_.hosts_on(m->id)});
  const auto targets = choose_recovery_targets(it->second.size(), loads);
  if (!targets) return recovery_failed(job_id, "no live node is left");

  pb::StateChange c;
  auto* b = c.mutable_recovery_begun();
  b->set_job_id(job_id);
  if (!rounds_.contains(job_id)) b->set_failed_at_ms(wall_ms());
  for (std::size_t i = 0; i < it->second.size(); ++i) {
    auto* rk = b->add_ranks();
    rk->set_rank(it->second[i]);
    rk->set_member((*targets)[i]);
    rk->set_incarnation(job.ranks[it->second[i]].incarnation + 1);
  }
  record(c);

  Round& round = rounds_[job_id];
  round = Round{};
  round.id = next_round_++;
  round.ranks = std::set<std::uint32_t>(it->second.begin(), it->second.end());
  round.began = rpc::Clock::now();
  const std::uint64_t rid = round.id;
  for (const Member* m : state_.live_members()) {
    for (auto r : round.ranks) {
      const Rank& rk = state_.job(job_id)->ranks[r];
      ++round.waiting;
      call_member(
          m->id, m->ckptd(),
          set_route(rk.host, state_.member(rk.member)->node, rk.incarnation, pb::ROUTE_RECOVERING,
                    0),
          "mlog-ckptd", [this, job_id, rid, node_id = m->node_id](const pb::Envelope* reply) {
            if (!round_current(job_id, rid)) return;
            if (!reply || !reply->has_route_reply() || !reply->route_reply().ok()) {
              const std::string why = !reply                     ? "no answer"
                                      : reply->has_route_reply() ? reply->route_reply().error()
                                                                 : "unexpected answer";
              return recovery_failed(
                  job_id, "cannot fence on node " + std::to_string(node_id) + ": " + why);
            }
            phase_reply(job_id, rid, &Recoverd::gather);
          });
    }
  }
}

void Recoverd::phase_reply(std::uint64_t job_id, std::uint64_t round,
                           void (Recoverd::*next)(std::uint64_t)) {
  if (!round_current(job_id, round)) return;
  Round& r = rounds_[job_id];
  if (r.waiting > 0 && --r.waiting == 0) (this->*next)(job_id);
}

// Gather the survivors' states and every live log's index of the failed hosts.
void Recoverd::gather(std::uint64_t job_id) {
  Round& round = rounds_[job_id];
  const std::uint64_t rid = round.id;
  const Job& job = *state_.job(job_id);
  const auto live = state_.live_members();
  round.waiting = live.size() * (1 + round.ranks.size());
  for (const Member* m : live) {
    pb::Envelope q;
    q.mutable_state_query();
    call_member(m->id, m->ckptd(), q, "mlog-ckptd",
                [this, job_id, rid, node_id = m->node_id](const pb::Envelope* reply) {
                  if (!round_current(job_id, rid)) return;
                  if (!reply || !reply->has_state_reply())
                    return recovery_failed(
                        job_id, "node " + std::to_string(node_id) + " did not report its hosts");
                  Round& rd = rounds_[job_id];
                  const Job& j = *state_.job(job_id);
                  for (const auto& h : reply->state_reply().hosts()) {
                    if (h.host() < j.host_base || h.host() - j.host_base >= j.ranks.size())
                      continue;
                    if (rd.ranks.contains(h.host() - j.host_base)) continue;
                    SurvivorState s;
                    s.interval = h.rsn();
                    for (const auto& d : h.deps()) s.deps[d.host()] = d.interval();
                    rd.survivors[h.host()] = s;
                  }
                  phase_reply(job_id, rid, &Recoverd::plan_and_restart);
                });
    for (auto r : round.ranks) {
      pb::Envelope q2;
      q2.mutable_log_index_request()->set_host(job.ranks[r].host);
      q2.mutable_log_index_request()->set_from_rsn(1);
      call_member(m->id, Address{m->node, opts_.logd_port}, q2, "mlog-logd",
                  [this, job_id, rid, node_id = m->node_id](const pb::Envelope* reply) {
                    if (!round_current(job_id, rid)) return;
                    if (!reply || !reply->has_log_index_reply() || !reply->log_index_reply().ok())
                      return recovery_failed(
                          job_id, "the log of node " + std::to_string(node_id) + " is unavailable" +
                                      (reply && reply->has_log_index_reply()
                                           ? ": " + reply->log_index_reply().error()
                                           : std::string(": no answer")));
                    Round& rd = rounds_[job_id];
                    const auto& idx = reply->log_index_reply();
                    for (const auto& e : idx.entries())
                      rd.logged[idx.host()].emplace(
                          e.rsn(), LoggedIndexEntry{e.rsn(), e.src_host(), e.interval()});
                    phase_reply(job_id, rid, &Recoverd::plan_and_restart);
                  });
    }
  }
}

void Recoverd::plan_and_restart(std::uint64_t job_id) {
  Round& round = rounds_[job_id];
  const Job& job = *state_.job(job_id);
  PlanInput in;
  in.host_base = job.host_base;
  in.size = static_cast<std::uint32_t>(job.ranks.size());
  for (auto r : round.ranks) in.failed.insert(job.ranks[r].host);
  in.survivors = round.survivors;
  for (const auto& [host, entries] : round.logged)
    for (const auto& [rsn, e] : entries) in.logged[host].push_back(e);
  Plan plan;
  try {
    plan = plan_recovery(in);
  } catch (const std::exception& e) {
    return recovery_failed(job_id, std::string("cannot assess the recovery: ") + e.what());
  }
  if (!plan.ok) return recovery_failed(job_id, plan.report);
  if (opts_.hold_restart.count() == 0) return restart_hosts(job_id, plan);

  const std::uint64_t rid = round.id;
  say("job " + std::to_string(job_id) + ": recovery round " + std::to_string(rid) +
      " planned, restart held for " +
      seconds(static_cast<std::uint64_t>(opts_.hold_restart.count())) + " (--hold-restart-ms)");
  loop_.after(opts_.hold_restart, [this, job_id, rid, plan] {
    if (round_current(job_id, rid)) restart_hosts(job_id, plan);
  });
}

// Start every host of the round on its new node, replaying to the plan's limit.
void Recoverd::restart_hosts(std::uint64_t job_id, const Plan& plan) {
  Round& round = rounds_[job_id];
  const Job& job = *state_.job(job_id);
  const std::uint64_t rid = round.id;
  round.waiting = 0;
  for (auto r : round.ranks) {
    const Rank& rk = job.ranks[r];
    const Member* m = state_.member(rk.member);
    const auto limit = plan.replay_to.find(rk.host);
    const std::uint64_t replay_to = limit == plan.replay_to.end() ? 0 : limit->second;
    pb::JobEvent ev;
    ev.set_kind(pb::JobEvent::HOST_RESTARTING);
    ev.set_rank(r);
    ev.set_host(rk.host);
    ev.set_node_id(m->node_id);
    ev.set_incarnation(rk.incarnation);
    ev.set_messages(replay_to);
    ev.set_text("rank " + std::to_string(r) + " (host " + std::to_string(rk.host) +
                ") restarting on node " + std::to_string(m->node_id) + ", incarnation " +
                std::to_string(rk.incarnation) + ", replaying " + std::to_string(replay_to) +
                " logged messages");
    send_event(job, ev);
    rpc_->call(m->ckptd(), start_host_message(job, r, true, replay_to), call_timeout(),
               [this, job_id, rid, r](const pb::Envelope* reply) {
                 if (!round_current(job_id, rid)) return true;
                 if (!reply || !reply->has_start_host_reply() || !reply->start_host_reply().ok())
                   recovery_failed(job_id, "cannot restart rank " + std::to_string(r) + ": " +
                                               (reply && reply->has_start_host_reply()
                                                    ? reply->start_host_reply().error()
                                                    : std::string("no answer")));
                 return true;
               });
  }
}

void Recoverd::handle_replay_done(const pb::ReplayDone& done) {
  const Job* job = state_.job(done.job_id());
  if (!job || job->finished || done.rank() >= job->ranks.size()) return;
  const Rank& rk = job->ranks[done.rank()];
  if (rk.state != RankState::recovering || rk.incarnation != done.incarnation()) return;
  if (!done.ok())
    return recovery_failed(
        job->id, "the replay of rank " + std::to_string(done.rank()) + " failed: " + done.error());
  // Every flow to the host resends what the replay did not deliver.
  for (const Member* m : state_.live_members())
    rpc_->send(m->ckptd(), set_route(rk.host, state_.member(rk.member)->node, rk.incarnation,
                                     pb::ROUTE_LIVE, done.reached()));
  const std::uint64_t job_id = job->id;
  const std::uint64_t failed_at = job->failed_at_ms;
  record(rank_live(job_id, done.rank(), done.reached()));
  job = state_.job(job_id);

  std::string sources;
  for (const auto& s : done.sources()) {
    std::string where;
    try {
      const NodeAddr addr = rpc::node_from_bytes(s.node());
      const Member* src = state_.live_member_at(addr);
      where = src ? "node " + std::to_string(src->node_id) : format_node_addr(addr);
    } catch (const std::exception&) {
      where = "an unknown node";
    }
    sources += (sources.empty() ? "" : ", ") + std::to_string(s.messages()) + " from " + where;
  }
  pb::JobEvent ev;
  ev.set_kind(pb::JobEvent::HOST_REPLAYED);
  ev.set_rank(done.rank());
  ev.set_host(rk.host);
  ev.set_messages(done.replayed());
  ev.set_text("rank " + std::to_string(done.rank()) + " replayed " +
              std::to_string(done.replayed()) + " messages" +
              (sources.empty() ? "" : " (" + sources + ")") + " up to RSN " +
              std::to_string(done.reached()) + "; restart " + std::to_string(done.restart_ms()) +
              " ms, log collection " + std::to_string(done.collect_ms()) + " ms, replay " +
              std::to_string(done.replay_ms()) + " ms");
  send_event(*job, ev);
  const std::uint64_t since = failed_at ? wall_ms() - std::min(wall_ms(), failed_at) : 0;
  pb::JobEvent live;
  live.set_kind(pb::JobEvent::HOST_LIVE);
  live.set_rank(done.rank());
  live.set_host(rk.host);
  live.set_elapsed_ms(since);
  live.set_text("rank " + std::to_string(done.rank()) + " is live again" +
                (since ? ", " + seconds(since) + " after the failure was detected" : ""));
  send_event(*job, live);
  say(live.text());

  auto it = rounds_.find(job_id);
  if (it != rounds_.end()) {
    it->second.ranks.erase(done.rank());
    if (it->second.ranks.empty()) rounds_.erase(it);
  }
  maybe_finish(job_id);
}

}  // namespace mlog::recoverd
