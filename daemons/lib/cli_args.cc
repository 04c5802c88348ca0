// SPDX-License-Identifier: GPL-2.0
#include "cli_args.h"

#include "node_addr.h"

namespace mlog {

std::optional<std::chrono::milliseconds> parse_seconds(std::string_view text) {
  constexpr uint64_t kMaxSeconds = 1'000'000'000;
  const size_t dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  const auto secs = parse_uint(whole, 0, kMaxSeconds);
  if (!secs) return std::nullopt;
  uint64_t ms = *secs * 1000;
  if (dot != std::string_view::npos) {
    const std::string_view frac = text.substr(dot + 1);
    if (frac.empty() || frac.size() > 3) return std::nullopt;
    const auto f = parse_uint(frac, 0, 999);
    if (!f) return std::nullopt;
    uint64_t scaled = *f;
    for (size_t i = frac.size(); i < 3; ++i) scaled *= 10;
    ms += scaled;
  }
  if (ms == 0 || ms > kMaxSeconds * 1000) return std::nullopt;
  return std::chrono::milliseconds(static_cast<std::chrono::milliseconds::rep>(ms));
}

EventsOptions parse_events_args(const std::vector<std::string_view>& args) {
  EventsOptions opts;
  for (size_t i = 0; i < args.size(); i += 2) {
    const std::string_view opt = args[i];
    if (opt != "--count" && opt != "--timeout")
      throw UsageError("events: unknown argument " + std::string(opt));
    if (i + 1 >= args.size()) throw UsageError("events: " + std::string(opt) + " needs a value");
    const std::string_view val = args[i + 1];
    if (opt == "--count") {
      if (opts.count) throw UsageError("events: --count given twice");
      opts.count = parse_uint(val, 1, UINT64_MAX);
      if (!opts.count)
        throw UsageError("events: --count wants a positive integer, got " + std::string(val));
    } else {
      if (opts.timeout) throw UsageError("events: --timeout given twice");
      opts.timeout = parse_seconds(val);
      if (!opts.timeout)
        throw UsageError("events: --timeout wants a positive number of seconds, got " +
                         std::string(val));
      opts.timeout_text = std::string(val);
    }
  }
  return opts;
}

}  // namespace mlog
