// SPDX-License-Identifier: GPL-2.0
#include "cli_args.h"

#include <gtest/gtest.h>

namespace mlog {
namespace {

using std::chrono::milliseconds;

TEST(ParseSeconds, IntegersAndDecimals) {
  EXPECT_EQ(parse_seconds("5"), milliseconds(5000));
  EXPECT_EQ(parse_seconds("0.5"), milliseconds(500));
  EXPECT_EQ(parse_seconds("1.25"), milliseconds(1250));
  EXPECT_EQ(parse_seconds("0.001"), milliseconds(1));
  EXPECT_EQ(parse_seconds("1000000000"), milliseconds(1'000'000'000'000));
}

TEST(ParseSeconds, RejectsJunkZeroAndOverflow) {
  for (const char* bad : {"", "0", "0.0", "-1", "1.", ".5", "1.2345", "1e3", "abc", "5s", " 5",
                          "1000000000.001", "99999999999999999999"})
    EXPECT_FALSE(parse_seconds(bad)) << bad;
}

TEST(EventsArgs, Defaults) {
  const auto o = parse_events_args({});
  EXPECT_FALSE(o.count);
  EXPECT_FALSE(o.timeout);
}

TEST(EventsArgs, CountAndTimeoutInAnyOrder) {
  const auto a = parse_events_args({"--count", "3", "--timeout", "2.5"});
  EXPECT_EQ(a.count, 3u);
  EXPECT_EQ(a.timeout, milliseconds(2500));
  EXPECT_EQ(a.timeout_text, "2.5");
  const auto b = parse_events_args({"--timeout", "1", "--count", "1"});
  EXPECT_EQ(b.count, 1u);
  EXPECT_EQ(b.timeout, milliseconds(1000));
}

std::string usage_error(const std::vector<std::string_view>& args) {
  try {
    parse_events_args(args);
  } catch (const UsageError& e) {
    return e.what();
  }
  return "(accepted)";
}

TEST(EventsArgs, BadUsageHasAOneLineReason) {
  EXPECT_EQ(usage_error({"--count"}), "events: --count needs a value");
  EXPECT_EQ(usage_error({"--count", "0"}), "events: --count wants a positive integer, got 0");
  EXPECT_EQ(usage_error({"--count", "x"}), "events: --count wants a positive integer, got x");
  EXPECT_EQ(usage_error({"--timeout", "-2"}),
            "events: --timeout wants a positive number of seconds, got -2");
  EXPECT_EQ(usage_error({"--count", "1", "--count", "2"}), "events: --count given twice");
  EXPECT_EQ(usage_error({"--timeout", "1", "--timeout", "2"}), "events: --timeout given twice");
  EXPECT_EQ(usage_error({"--json"}), "events: unknown argument --json");
  EXPECT_EQ(usage_error({"5"}), "events: unknown argument 5");
}

}  // namespace
}  // namespace mlog
