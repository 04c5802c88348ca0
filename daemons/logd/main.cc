// SPDX-License-Identifier: GPL-2.0
// mlog-logd [--state-dir DIR] [--port 7702]: serves this node's message
// log (LOG_GET) to whoever asks: an index of the fully logged entries of a
// host, and those entries, in RSN order, with their bytes.
#include <sys/socket.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <iostream>

#include "endpoint.h"
#include "event_loop.h"
#include "genl_client.h"
#include "log_view.h"
#include "recovery_nl.h"

namespace {

using mlog::rpc::Address;

class Logd {
 public:
  Logd(mlog::rpc::EventLoop& loop, std::uint16_t port)
      : rpc_(loop, mlog::rpc::mlog_family(), SOCK_RDM, port, "mlog-logd") {
    rpc_.on_message([this](const Address& from, const mlog::pb::Envelope& env) {
      if (env.has_log_index_request()) return index(from, env);
      if (env.has_log_fetch()) return fetch(from, env);
      mlog::pb::Envelope err;
      err.mutable_error()->set_text("mlog-logd does not take " + mlog::rpc::body_name(env));
      if (env.id()) rpc_.reply(from, env, err);
    });
    mlog::rpc::log_line("mlog-logd", "serving the log on port " + std::to_string(rpc_.port()));
  }

 private:
  void index(const Address& from, const mlog::pb::Envelope& env) {
    const auto& q = env.log_index_request();
    mlog::pb::Envelope answer;
    try {
      const auto dump = mlog::decode_logged_messages(
          nl_.dump_list(mlog::log_get_request(q.host(), q.from_rsn(), false)));
      *answer.mutable_log_index_reply() = mlog::logd::make_index(q.host(), q.from_rsn(), dump);
    } catch (const std::exception& e) {
      answer.mutable_log_index_reply()->set_host(q.host());
      answer.mutable_log_index_reply()->set_error(e.what());
    }
    rpc_.reply(from, env, answer);
  }

  void fetch(const Address& from, const mlog::pb::Envelope& env) {
    const auto& q = env.log_fetch();
    mlog::pb::Envelope end;
    try {
      const auto dump = mlog::decode_logged_messages(
          nl_.dump_list(mlog::log_get_request(q.host(), q.from_rsn(), true)));
      const auto msgs = mlog::logd::select_range(q.host(), q.from_rsn(), q.to_rsn(), dump);
      for (const auto& m : msgs) {
        mlog::pb::Envelope item;
        *item.mutable_log_fetch_item()->mutable_message() = m;
        rpc_.reply(from, env, item);
      }
      end.mutable_log_fetch_end()->set_ok(true);
      end.mutable_log_fetch_end()->set_count(msgs.size());
    } catch (const std::exception& e) {
      end.mutable_log_fetch_end()->set_error(e.what());
    }
    rpc_.reply(from, env, end);
  }

  mlog::GenlClient nl_;
  mlog::rpc::Endpoint rpc_;
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"mlog-logd: serves this node's message log to the recovery daemons"};
  std::string state_dir;
  std::uint16_t port = mlog::rpc::kLogdPort;
  app.add_option("--state-dir", state_dir, "shared state directory (unused today)");
  app.add_option("--port", port, "AF_MLOG RDM port")->check(CLI::Range(1, 65535));
  CLI11_PARSE(app, argc, argv);
  try {
    mlog::rpc::EventLoop loop;
    Logd logd(loop, port);
    loop.on_signals({SIGINT, SIGTERM}, [&](const signalfd_siginfo&) { loop.stop(); });
    loop.run();
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "mlog-logd: " << e.what() << "\n";
    return 1;
  }
}
