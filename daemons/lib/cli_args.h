// SPDX-License-Identifier: GPL-2.0
// Command-line argument parsing shared by the mlog tools.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace mlog {

// Bad command-line usage; what() is a one-line reason.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Parses a positive duration in seconds with at most millisecond precision
// ("5", "0.25", "1.5"), up to 1e9 seconds; nullopt on anything else.
std::optional<std::chrono::milliseconds> parse_seconds(std::string_view text);

// Arguments of "mlogctl events".
struct EventsOptions {
  std::optional<uint64_t> count;                     // stop after this many
  std::optional<std::chrono::milliseconds> timeout;  // give up after this long
  std::string timeout_text;                          // as the user wrote it
};

// Parses [--count N] [--timeout SECONDS] in any order; throws UsageError.
EventsOptions parse_events_args(const std::vector<std::string_view>& args);

}  // namespace mlog
