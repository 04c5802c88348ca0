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
#include "recovery_nl.h"
#include "sl_args.h"
#include "sl_format.h"
#include "status_format.h"

namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

// One command of the usage text.  @args may hold '\n' to continue the
// synopsis on another line; @text holds '\n' between description lines.
struct CommandHelp {
  std::string_view name;
  std::string_view args;
  std::string_view text;
};

constexpr CommandHelp kCommands[] = {
    {"status", "", "module version, AF_MLOG number, node, log, counters"},
    {"node show", "", "this namespace's node configuration"},
    {"node set", "[--addr ADDRESS] [--port UDP_PORT] [--id NODE_ID]",
     "configure the node: its address on the cluster\n"
     "network (IPv4), the UDP port frames travel on,\n"
     "and its cluster-wide id (needs CAP_NET_ADMIN)"},
    {"stats", "", "the namespace's counters"},
    {"peers", "",
     "known peer nodes: state (alive or suspected), when\n"
     "last heard from, frames and retransmissions"},
    {"sockets", "",
     "bound AF_MLOG sockets: port, type, inode, RDM flows,\n"
     "queued bytes and message counters; under each RDM\n"
     "socket, one line per flow with its transport state\n"
     "(SSNs, congestion window, RTT, RTO)"},
    {"events", "[--count N] [--timeout SECONDS]",
     "print peer state changes and log pressure as\n"
     "they happen, one line each (\"peer 192.0.2.12\n"
     "suspected\"); stop after N events, or fail\n"
     "(exit 1) if SECONDS pass first"},
    {"host add", "--index N --pid PID [--incarnation I]",
     "protect the PID namespace of process PID as host N\n"
     "(sender-based logging); prints the new host"},
    {"host del", "--index N", "stop protecting host N"},
    {"host show", "--index N", "one protected host"},
    {"hosts", "",
     "every protected host: incarnation, PID namespace,\n"
     "RSN, SSN, dependency vector, unacknowledged RSNs,\n"
     "history, sockets and send counters"},
    {"host set",
     "--index N [--rsn R] [--ssn S] [--incarnation I]\n"
     "[--dep HOST:INTERVAL ... | --no-deps] [--purge-history R]",
     "write back a host's state (recovery): RSN, SSN,\n"
     "incarnation, the whole dependency vector (--dep\n"
     "once per entry, --no-deps empties it);\n"
     "--purge-history drops its RSN history up to RSN\n"
     "R; prints the host"},
    {"log", "[show]",
     "the message log: cap, bytes and entries held,\n"
     "block size, piggyback and ranges switches, RSN\n"
     "delay"},
    {"log set", "[--max-bytes BYTES] [--piggyback on|off] [--ranges on|off]\n[--rsn-delay-us N]",
     "change the log cap (suffix K, M, G allowed) and\n"
     "the protocol switches; prints the new settings"},
    {"log dump", "[--dst-host H] [--src-host S] [--from-rsn R] [--data]",
     "log entries, optionally of receiver H (fully\n"
     "logged in RSN order from R, then partially\n"
     "logged) or of sender S; --data adds the message\n"
     "bytes in hex"},
    {"log purge", "(--dst-host H [--upto R] | --src-host S)",
     "drop the entries for receiver H (up to and\n"
     "including RSN R, or all), or all entries sent by\n"
     "host S; prints how many went"},
    {"history", "--host H", "the RSN history of protected host H"},
    {"route set",
     "--host H --node ADDRESS [--incarnation I]\n"
     "[--state live|recovering] [--replayed R]",
     "where protected host H runs (recovery): the\n"
     "node, its incarnation (frames of older ones are\n"
     "refused), whether it is live or recovering, and\n"
     "the RSN its replay reached"},
    {"route del", "--host H", "forget the route of host H"},
    {"routes", "", "every route of this namespace"},
};

constexpr const char* kUsageHead =
    "usage: mlogctl [--json] COMMAND [ARGS]\n"
    "\n"
    "Control and inspect the mlog kernel module of this network namespace.\n"
    "\n"
    "commands:\n";

constexpr const char* kUsageTail =
    "\n"
    "options:\n"
    "  --json                      machine-readable output: one JSON document (an\n"
    "                              array for peers, sockets, hosts, log dump,\n"
    "                              history and routes), one JSON object per line\n"
    "                              for events; also accepted after the command\n"
    "  -h, --help                  this text; after a command, that command's help\n"
    "\n"
    "exit status: 0 success, 1 the module refused, is not loaded or events timed out,\n"
    "2 bad usage\n";

// Column at which the descriptions start.
constexpr size_t kHelpColumn = 30;

std::string render_command(const CommandHelp& c) {
  std::string head = "  " + std::string(c.name);
  if (!c.args.empty()) {
    const std::string indent(head.size() + 1, ' ');
    head += ' ';
    for (const char ch : c.args) head += ch == '\n' ? "\n" + indent : std::string(1, ch);
  }
  const size_t last_line = head.size() - (head.rfind('\n') + 1);
  std::string out = head;
  if (last_line < kHelpColumn && head.find('\n') == std::string::npos)
    out += std::string(kHelpColumn - last_line, ' ');
  else
    out += "\n" + std::string(kHelpColumn, ' ');
  for (const char ch : c.text)
    out += ch == '\n' ? "\n" + std::string(kHelpColumn, ' ') : std::string(1, ch);
  return out + "\n";
}

std::string usage_text() {
  std::string out = kUsageHead;
  for (const auto& c : kCommands) out += render_command(c);
  return out + kUsageTail;
}

// The help of the commands named by the leading words of @words ("host",
// "host add"...); the full usage if none matches.
std::string command_help(const std::vector<std::string_view>& words) {
  for (size_t n = words.size(); n > 0; --n) {
    std::string name;
    for (size_t i = 0; i < n; ++i) name += (i ? " " : "") + std::string(words[i]);
    std::string out;
    for (const auto& c : kCommands)
      if (c.name == name || c.name.starts_with(name + " ")) out += render_command(c);
    if (!out.empty())
      return "usage: mlogctl [--json] COMMAND [ARGS]\n\ncommands:\n" + out +
             "\nmlogctl --help lists every command, the options and the exit status\n";
  }
  return usage_text();
}

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
    if (const auto peer = mlog::decode_peer_event(*n)) {
      std::cout << (json ? mlog::format_peer_event_json(*peer)
                         : mlog::format_peer_event_text(*peer));
    } else if (const auto log = mlog::decode_log_event(*n)) {
      std::cout << (json ? mlog::format_log_event_json(*log) : mlog::format_log_event_text(*log));
    } else {
      continue;  // a kind of event this mlogctl does not know
    }
    std::cout << std::flush;
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

// host add, set and show print the host the kernel replies with; host del
// (and an add or set the kernel only acknowledges) prints nothing.
int cmd_host(const std::vector<std::string_view>& rest, bool json) {
  if (rest.empty()) throw UsageError("host: say 'add', 'del', 'show' or 'set'");
  const std::string sub(rest[0]);
  const std::vector<std::string_view> args(rest.begin() + 1, rest.end());
  mlog::Request req(MLOG_CMD_UNSPEC);
  if (sub == "add")
    req = mlog::parse_host_add(args);
  else if (sub == "del")
    req = mlog::parse_host_del(args);
  else if (sub == "show")
    req = mlog::parse_host_show(args);
  else if (sub == "set")
    req = mlog::parse_host_set(args);
  else
    throw UsageError("host: unknown subcommand " + sub);
  mlog::GenlClient nl;
  const auto reply = nl.call(req);
  if (sub == "del" || (reply.empty() && sub != "show")) return kExitOk;
  const auto host = mlog::reply_host(reply, ("host " + sub).c_str());
  std::cout << (json ? mlog::format_host_json(host) : mlog::format_host_text(host));
  return kExitOk;
}

int cmd_hosts(bool json) {
  mlog::GenlClient nl;
  const auto hosts = mlog::decode_hosts(nl.dump(mlog::Request(MLOG_CMD_HOST_GET)));
  std::cout << (json ? mlog::format_hosts_json(hosts) : mlog::format_hosts_text(hosts));
  return kExitOk;
}

int cmd_log(const std::vector<std::string_view>& rest, bool json) {
  const std::vector<std::string_view> args(rest.empty() ? rest.end() : rest.begin() + 1,
                                           rest.end());
  if (rest.empty() || rest[0] == "show") {
    if (!args.empty()) throw UsageError("log show takes no arguments");
    mlog::GenlClient nl;
    const auto log = mlog::reply_log(nl.call(mlog::Request(MLOG_CMD_NODE_GET)), "node");
    std::cout << (json ? mlog::format_log_info_json(log) : mlog::format_log_info_text(log));
    return kExitOk;
  }
  if (rest[0] == "set") {
    const auto req = mlog::parse_log_set(args);
    mlog::GenlClient nl;
    const auto reply = nl.call(req);
    if (reply.empty()) return kExitOk;
    const auto log = mlog::reply_log(reply, "log set");
    std::cout << (json ? mlog::format_log_info_json(log) : mlog::format_log_info_text(log));
    return kExitOk;
  }
  if (rest[0] == "dump") {
    const auto dump = mlog::parse_log_dump(args);
    mlog::GenlClient nl;
    const auto entries = mlog::decode_log_entries(nl.dump_list(dump.request));
    std::cout << (json ? mlog::format_log_entries_json(entries, dump.data)
                       : mlog::format_log_entries_text(entries, dump.data));
    return kExitOk;
  }
  if (rest[0] == "purge") {
    const auto req = mlog::parse_log_purge(args);
    mlog::GenlClient nl;
    const auto reply = nl.call(req);
    if (reply.empty()) return kExitOk;
    const uint64_t purged = mlog::reply_purged(reply);
    std::cout << (json ? mlog::format_purged_json(purged) : mlog::format_purged_text(purged));
    return kExitOk;
  }
  throw UsageError("log: unknown subcommand " + std::string(rest[0]));
}

int cmd_history(const std::vector<std::string_view>& args, bool json) {
  const auto req = mlog::parse_history(args);
  mlog::GenlClient nl;
  const auto runs = mlog::decode_history(nl.dump(req));
  std::cout << (json ? mlog::format_history_json(runs) : mlog::format_history_text(runs));
  return kExitOk;
}

int cmd_route(const std::vector<std::string_view>& rest) {
  if (rest.empty()) throw UsageError("route: say 'set' or 'del'");
  const std::vector<std::string_view> args(rest.begin() + 1, rest.end());
  mlog::Request req(MLOG_CMD_UNSPEC);
  if (rest[0] == "set")
    req = mlog::parse_route_set(args);
  else if (rest[0] == "del")
    req = mlog::parse_route_del(args);
  else
    throw UsageError("route: unknown subcommand " + std::string(rest[0]));
  mlog::GenlClient nl;
  nl.call(req);
  return kExitOk;
}

int cmd_routes(bool json) {
  mlog::GenlClient nl;
  const auto routes = mlog::decode_routes(nl.dump(mlog::route_dump_request()));
  std::cout << (json ? mlog::format_routes_json(routes) : mlog::format_routes_text(routes));
  return kExitOk;
}

int run(const std::vector<std::string_view>& argv) {
  bool json = false;
  size_t i = 0;
  for (; i < argv.size() && argv[i].starts_with("-"); ++i) {
    if (argv[i] == "--json") {
      json = true;
    } else if (argv[i] == "-h" || argv[i] == "--help") {
      std::cout << usage_text();
      return kExitOk;
    } else {
      throw UsageError("unknown option " + std::string(argv[i]));
    }
  }
  if (i == argv.size()) throw UsageError("no command given");
  const std::string_view cmd = argv[i++];
  // --json and --help may also follow the command and its arguments.
  std::vector<std::string_view> rest;
  bool help = false;
  for (; i < argv.size(); ++i) {
    if (argv[i] == "--json")
      json = true;
    else if (argv[i] == "-h" || argv[i] == "--help")
      help = true;
    else
      rest.push_back(argv[i]);
  }
  if (help) {
    std::vector<std::string_view> words{cmd};
    for (const auto w : rest) {
      if (w.starts_with("-")) break;
      words.push_back(w);
    }
    std::cout << command_help(words);
    return kExitOk;
  }

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
  if (cmd == "stats" || cmd == "peers" || cmd == "sockets" || cmd == "hosts") {
    if (!rest.empty()) throw UsageError(std::string(cmd) + " takes no arguments");
    if (cmd == "hosts") return cmd_hosts(json);
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
  if (cmd == "host") return cmd_host(rest, json);
  if (cmd == "log") return cmd_log(rest, json);
  if (cmd == "history") return cmd_history(rest, json);
  if (cmd == "route") return cmd_route(rest);
  if (cmd == "routes") {
    if (!rest.empty()) throw UsageError("routes takes no arguments");
    return cmd_routes(json);
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
