// SPDX-License-Identifier: GPL-2.0
// mlog-recoverd --state-dir DIR [--port 7700] [--heartbeat-ms 200] [--timeout-ms 2000]
//                          [--hold-restart-ms 0]
#include <CLI/CLI.hpp>
#include <csignal>
#include <iostream>

#include "genl_client.h"
#include "recoverd.h"

int main(int argc, char** argv) {
  CLI::App app{
      "mlog-recoverd: membership, jobs, failure detection and recovery of an mlog cluster"};
  mlog::recoverd::Options opts;
  std::uint32_t heartbeat_ms = 200, timeout_ms = 2000, hold_restart_ms = 0;
  app.add_option("--state-dir", opts.state_dir, "shared state directory")
      ->required()
      ->check(CLI::ExistingDirectory);
  app.add_option("--port", opts.port, "AF_MLOG RDM port (heartbeats on PORT+10)")
      ->check(CLI::Range(1, 65525));
  app.add_option("--heartbeat-ms", heartbeat_ms, "heartbeat period")->check(CLI::Range(10, 60000));
  app.add_option("--timeout-ms", timeout_ms, "declare a node failed after this much silence")
      ->check(CLI::Range(50, 600000));
  app.add_option("--hold-restart-ms", hold_restart_ms,
                 "fault injection for tests: wait this long between planning a recovery and "
                 "restarting its hosts")
      ->check(CLI::Range(0, 600000));
  CLI11_PARSE(app, argc, argv);
  if (timeout_ms <= heartbeat_ms) {
    std::cerr << "mlog-recoverd: --timeout-ms must be larger than --heartbeat-ms\n";
    return 2;
  }
  opts.heartbeat = mlog::rpc::Millis(heartbeat_ms);
  opts.timeout = mlog::rpc::Millis(timeout_ms);
  opts.hold_restart = mlog::rpc::Millis(hold_restart_ms);
  try {
    mlog::rpc::EventLoop loop;
    mlog::recoverd::Recoverd recoverd(loop, opts);
    loop.on_signals({SIGINT, SIGTERM}, [&](const signalfd_siginfo&) { loop.stop(); });
    recoverd.start();
    loop.run();
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "mlog-recoverd: " << e.what() << "\n";
    return 1;
  }
}
