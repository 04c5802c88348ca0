// SPDX-License-Identifier: GPL-2.0
// mlogctl: command-line control of mlog.ko over generic netlink.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli_args.h"
#include "genl_client.h"
#include "info_format.h"
#include "node_addr.h"
#include "status_format.h"

namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

constexpr const char* kUsage =
    "usage: mlogctl [--json] COMMAND [ARGS]\n"
    "\n"
    "Control and inspect the mlog kernel module of this network namespace.\n"
    "\n"
    "commands:\n"
    "  status                      module version, AF_MLOG number, node and counters\n"
    "  node show                   this namespace's node configuration\n"
    "  node set [--addr ADDRESS] [--port UDP_PORT] [--id NODE_ID]\n"
    "                              configure the node: its address on the cluster\n"
    "                              network (IPv4), the UDP port frames travel on,\n"
    "                              and its cluster-wide id (needs CAP_NET_ADMIN)\n"
    "  stats                       the namespace's counters\n"
    "  peers                       known peer nodes: state (alive or suspected), when\n"
    "                              last heard from, frames and retransmissions\n"
    "  sockets                     bound AF_MLOG sockets: port, type, inode, RDM flows,\n"
    "                              queued bytes and message counters\n"
    "  events [--count N] [--timeout SECONDS]\n"
    "                              print peer state changes as they happen, one line\n"
    "                              each (\"peer 192.0.2.12 suspected\"); stop after N\n"
    "                              events, or fail (exit 1) if SECONDS pass first\n"
    "\n"
    "options:\n"
    "  --json                      machine-readable output: one JSON document (an\n"
    "                              array for peers and sockets), one JSON object per\n"
    "                              line for events\n"
    "  -h, --help                  this text\n"
    "\n"
    "exit status: 0 success, 1 the module refused, is not loaded or events timed out,\n"
    "2 bad usage\n";

using mlog::UsageError;

int cmd_status(mlog::GenlClient& nl, bool json) {
  const auto reply = nl.call(mlog::Request(MLOG_CMD_STATUS_GET));
  std::cout << (json ? mlog::format_status_json(reply) : mlog::format_status_text(reply));
  return kExitOk;
}

int cmd_stats(mlog::GenlClient& nl, bool json) {
  const auto reply = nl.call(mlog::Request(MLOG_CMD_STATS_GET));
  std::cout << (json ? mlog::format_stats_json(reply) : mlog::format_stats_text(reply));
  return kExitOk;
}

int cmd_peers(mlog::GenlClient& nl, bool json) {
  const auto peers = mlog::decode_peers(nl.dump(mlog::Request(MLOG_CMD_PEER_GET)));
  std::cout << (json ? mlog::format_peers_json(peers) : mlog::format_peers_text(peers));
  return kExitOk;
}

int cmd_sockets(mlog::GenlClient& nl, bool json) {
  const auto socks = mlog::decode_socks(nl.dump(mlog::Request(MLOG_CMD_SOCK_GET)));
  std::cout << (json ? mlog::format_socks_json(socks) : mlog::format_socks_text(socks));
  return kExitOk;
}

int cmd_events(mlog::GenlClient& nl, bool json, const mlog::EventsOptions& opts) {
  using Clock = std::chrono::steady_clock;
  nl.subscribe(MLOG_GENL_MCGRP_EVENTS);
  const auto deadline = opts.timeout ? Clock::now() + *opts.timeout : Clock::time_point::max();
  uint64_t seen = 0;
  while (!opts.count || seen < *opts.count) {
    std::optional<std::chrono::milliseconds> left;
    if (opts.timeout)
      left = std::max(std::chrono::milliseconds(0),
                      std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()));
    std::optional<mlog::Notification> n;
    try {
      n = nl.next_notification(left);
    } catch (const mlog::EventsLost& e) {
      std::cerr << "mlogctl: warning: " << e.what() << "\n";
      continue;
    }
    if (!n) {
      std::cerr << "mlogctl: events: timed out after " << opts.timeout_text << " s, " << seen;
      if (opts.count) std::cerr << " of " << *opts.count;
      std::cerr << (seen == 1 && !opts.count ? " event" : " events") << " received\n";
      return kExitFailure;
    }
    const auto peer = mlog::decode_peer_event(*n);
    if (!peer) continue;  // a kind of event this mlogctl does not know
    std::cout << (json ? mlog::format_peer_event_json(*peer) : mlog::format_peer_event_text(*peer))
              << std::flush;
    ++seen;
  }
  return kExitOk;
}

mlog::Request parse_node_set(const std::vector<std::string_view>& args) {
  mlog::Request req(MLOG_CMD_NODE_SET);
  if (args.empty()) throw UsageError("node set: give at least one of --addr, --port, --id");
  for (size_t i = 0; i < args.size(); i += 2) {
    const std::string_view opt = args[i];
    if (i + 1 >= args.size()) throw UsageError("node set: " + std::string(opt) + " needs a value");
    const std::string_view val = args[i + 1];
    if (opt == "--addr") {
      const auto addr = mlog::parse_node_addr(val);
      if (!addr) throw UsageError("node set: not an IP address: " + std::string(val));
      req.bytes(MLOG_ATTR_NODE_ADDR, addr->data(), addr->size());
    } else if (opt == "--port") {
      const auto port = mlog::parse_uint(val, 1, 65535);
      if (!port) throw UsageError("node set: --port wants 1..65535, got " + std::string(val));
      req.u16(MLOG_ATTR_UDP_PORT, static_cast<uint16_t>(*port));
    } else if (opt == "--id") {
      const auto id = mlog::parse_uint(val, 0, UINT32_MAX);
      if (!id) throw UsageError("node set: --id wants 0..4294967295, got " + std::string(val));
      req.u32(MLOG_ATTR_NODE_ID, static_cast<uint32_t>(*id));
    } else {
      throw UsageError("node set: unknown option " + std::string(opt));
    }
  }
  return req;
}

int run(const std::vector<std::string_view>& argv) {
  bool json = false;
  size_t i = 0;
  for (; i < argv.size() && argv[i].starts_with("-"); ++i) {
    if (argv[i] == "--json") {
      json = true;
    } else if (argv[i] == "-h" || argv[i] == "--help") {
      std::cout << kUsage;
      return kExitOk;
    } else {
      throw UsageError("unknown option " + std::string(argv[i]));
    }
  }
  if (i == argv.size()) throw UsageError("no command given");
  const std::string_view cmd = argv[i++];
  const std::vector<std::string_view> rest(argv.begin() + static_cast<long>(i), argv.end());

  if (cmd == "status") {
    if (!rest.empty()) throw UsageError("status takes no arguments");
    mlog::GenlClient nl;
    return cmd_status(nl, json);
  }
  if (cmd == "node") {
    if (rest.empty()) throw UsageError("node: say 'show' or 'set'");
    if (rest[0] == "show") {
      if (rest.size() != 1) throw UsageError("node show takes no arguments");
      mlog::GenlClient nl;
      const auto reply = nl.call(mlog::Request(MLOG_CMD_NODE_GET));
      std::cout << (json ? mlog::format_status_json(reply) : mlog::format_status_text(reply));
      return kExitOk;
    }
    if (rest[0] == "set") {
      const auto req = parse_node_set({rest.begin() + 1, rest.end()});
      mlog::GenlClient nl;
      nl.call(req);
      return kExitOk;
    }
    throw UsageError("node: unknown subcommand " + std::string(rest[0]));
  }
  if (cmd == "stats" || cmd == "peers" || cmd == "sockets") {
    if (!rest.empty()) throw UsageError(std::string(cmd) + " takes no arguments");
    mlog::GenlClient nl;
    if (cmd == "stats") return cmd_stats(nl, json);
    if (cmd == "peers") return cmd_peers(nl, json);
    return cmd_sockets(nl, json);
  }
  if (cmd == "events") {
    const auto opts = mlog::parse_events_args(rest);
    mlog::GenlClient nl;
    return cmd_events(nl, json, opts);
  }
  throw UsageError("unknown command " + std::string(cmd));
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(std::vector<std::string_view>(argv + 1, argv + argc));
  } catch (const UsageError& e) {
    std::cerr << "mlogctl: " << e.what() << " (try mlogctl --help)\n";
    return kExitUsage;
  } catch (const mlog::ModuleNotLoaded& e) {
    std::cerr << "mlogctl: " << e.what() << "\n";
    return kExitFailure;
  } catch (const std::exception& e) {
    std::cerr << "mlogctl: " << e.what() << "\n";
    return kExitFailure;
  }
}
