// SPDX-License-Identifier: GPL-2.0
// Command lines of mlogctl's sender-based logging commands, turned into
// netlink requests.  Every parser gets the arguments after the command
// words ("host add", "log dump"...) and throws UsageError with a one-line
// reason that starts with those words.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "cli_args.h"
#include "genl_client.h"

namespace mlog {

using Args = std::vector<std::string_view>;

// "on" or "off"; nullopt otherwise.
std::optional<bool> parse_on_off(std::string_view text);

// One dependency vector entry, "HOST:INTERVAL" with HOST 1..4294967295.
struct Dep {
  uint32_t host = 0;
  uint64_t interval = 0;
};
std::optional<Dep> parse_dep(std::string_view text);

// host add --index N --pid PID [--incarnation I]
Request parse_host_add(const Args& args);
// host del --index N
Request parse_host_del(const Args& args);
// host show --index N  (HOST_GET for one host)
Request parse_host_show(const Args& args);
// host set --index N [--rsn R] [--ssn S] [--incarnation I]
//          [--dep H:I ... | --no-deps] [--purge-history R]
Request parse_host_set(const Args& args);

// log set [--max-bytes B] [--piggyback on|off] [--ranges on|off]
//         [--rsn-delay-us N]
Request parse_log_set(const Args& args);

// log dump [--dst-host H] [--src-host S] [--from-rsn R] [--data]
struct LogDumpArgs {
  Request request{MLOG_CMD_LOG_GET};
  bool data = false;  // message bytes asked for
};
LogDumpArgs parse_log_dump(const Args& args);

// log purge (--dst-host H [--upto R] | --src-host S)
Request parse_log_purge(const Args& args);

// history --host H
Request parse_history(const Args& args);

}  // namespace mlog
