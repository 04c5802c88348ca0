// SPDX-License-Identifier: GPL-2.0
// mlog-ckptd --state-dir DIR [--port 7701] [--spare]
#include <CLI/CLI.hpp>
#include <csignal>
#include <iostream>

#include "ckptd.h"

int main(int argc, char** argv) {
  CLI::App app{"mlog-ckptd: starts, stops and restarts the protected hosts of this node"};
  mlog::ckptd::Options opts;
  app.add_option("--state-dir", opts.state_dir, "shared state directory (holds recoverd.addr)")
      ->required()
      ->check(CLI::ExistingDirectory);
  app.add_option("--port", opts.port, "AF_MLOG RDM port (heartbeats on PORT+10)")
      ->check(CLI::Range(1, 65525));
  app.add_flag("--spare", opts.spare, "take no ranks unless a host is recovered here");
  CLI11_PARSE(app, argc, argv);
  try {
    mlog::rpc::EventLoop loop;
    mlog::ckptd::Ckptd ckptd(loop, opts);
    loop.on_signals({SIGINT, SIGTERM}, [&](const signalfd_siginfo&) { loop.stop(); });
    ckptd.start();
    loop.run();
    ckptd.kill_all("mlog-ckptd is stopping");
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "mlog-ckptd: " << e.what() << "\n";
    return 1;
  }
}
