// SPDX-License-Identifier: GPL-2.0
// Command lines of the sender-based logging commands, without a kernel:
// the requests they build and their one-line usage errors.
#include "sl_args.h"

#include <gtest/gtest.h>
#include <linux/netlink.h>

#include <cstring>

#include "attr_decode.h"

namespace mlog {
namespace {

// The single nest of @req: checks its type and NLA_F_NESTED, returns the
// attributes inside.
AttrMap only_nest(const Request& req, int type) {
  EXPECT_EQ(req.items().size(), 1u);
  if (req.items().size() != 1) return {};
  const auto& item = req.items()[0];
  EXPECT_EQ(item.type & NLA_TYPE_MASK, type);
  EXPECT_TRUE(item.type & NLA_F_NESTED);
  return parse_attrs(item.data);
}

template <typename Parse>
std::string usage_error(Parse parse, const Args& args) {
  try {
    parse(args);
  } catch (const UsageError& e) {
    return e.what();
  }
  return "(accepted)";
}

TEST(SlArgs, OnOff) {
  EXPECT_EQ(parse_on_off("on"), true);
  EXPECT_EQ(parse_on_off("off"), false);
  for (const char* bad : {"", "On", "1", "yes", "of"}) EXPECT_FALSE(parse_on_off(bad)) << bad;
}

TEST(SlArgs, Dep) {
  const auto d = parse_dep("2:17");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->host, 2u);
  EXPECT_EQ(d->interval, 17u);
  EXPECT_EQ(parse_dep("4294967295:18446744073709551615")->interval, UINT64_MAX);
  for (const char* bad :
       {"", "2", "2:", ":5", "0:5", "4294967296:1", "2:-1", "2:5:6", "a:b", "2 :5"})
    EXPECT_FALSE(parse_dep(bad)) << bad;
}

TEST(SlArgs, HostAdd) {
  const auto req = parse_host_add({"--pid", "1234", "--index", "3"});
  EXPECT_EQ(req.cmd(), MLOG_CMD_HOST_ADD);
  const auto a = only_nest(req, MLOG_ATTR_HOST);
  EXPECT_EQ(get_u32(a, MLOG_HOST_INDEX, "INDEX"), 3u);
  EXPECT_EQ(get_u32(a, MLOG_HOST_PID, "PID"), 1234u);
  EXPECT_FALSE(a.count(MLOG_HOST_INCARNATION));
  const auto b = only_nest(parse_host_add({"--index", "1", "--pid", "1", "--incarnation", "0"}),
                           MLOG_ATTR_HOST);
  EXPECT_EQ(get_u32(b, MLOG_HOST_INCARNATION, "INCARNATION"), 0u);
}

TEST(SlArgs, HostAddErrors) {
  EXPECT_EQ(usage_error(parse_host_add, {}), "host add: --index is required");
  EXPECT_EQ(usage_error(parse_host_add, {"--index", "1"}), "host add: --pid is required");
  EXPECT_EQ(usage_error(parse_host_add, {"--index", "0", "--pid", "1"}),
            "host add: --index wants 1..4294967295, got 0");
  EXPECT_EQ(usage_error(parse_host_add, {"--index", "1", "--pid", "x"}),
            "host add: --pid wants 1..2147483647, got x");
  EXPECT_EQ(usage_error(parse_host_add, {"--index", "1", "--pid"}),
            "host add: --pid needs a value");
  EXPECT_EQ(usage_error(parse_host_add, {"--index", "1", "--index", "2"}),
            "host add: --index given twice");
  EXPECT_EQ(usage_error(parse_host_add, {"--idx", "1"}), "host add: unknown option --idx");
  EXPECT_EQ(usage_error(parse_host_add, {"1"}), "host add: unexpected argument 1");
}

TEST(SlArgs, HostDelAndShow) {
  const auto del = parse_host_del({"--index", "7"});
  EXPECT_EQ(del.cmd(), MLOG_CMD_HOST_DEL);
  EXPECT_EQ(get_u32(only_nest(del, MLOG_ATTR_HOST), MLOG_HOST_INDEX, "INDEX"), 7u);
  const auto show = parse_host_show({"--index", "7"});
  EXPECT_EQ(show.cmd(), MLOG_CMD_HOST_GET);
  EXPECT_EQ(get_u32(only_nest(show, MLOG_ATTR_HOST), MLOG_HOST_INDEX, "INDEX"), 7u);
  EXPECT_EQ(usage_error(parse_host_del, {}), "host del: --index is required");
  EXPECT_EQ(usage_error(parse_host_del, {"--index", "1", "--pid", "2"}),
            "host del: unknown option --pid");
  EXPECT_EQ(usage_error(parse_host_show, {}),
            "host show: --index is required; mlogctl hosts lists every host");
}

TEST(SlArgs, HostSetEverything) {
  const auto req = parse_host_set({"--index", "1", "--rsn", "10", "--ssn", "20", "--incarnation",
                                   "2", "--dep", "3:5", "--dep", "2:7", "--purge-history", "9"});
  EXPECT_EQ(req.cmd(), MLOG_CMD_HOST_SET);
  const auto a = only_nest(req, MLOG_ATTR_HOST);
  EXPECT_EQ(get_u32(a, MLOG_HOST_INDEX, "INDEX"), 1u);
  EXPECT_EQ(get_u64(a, MLOG_HOST_RSN, "RSN"), 10u);
  EXPECT_EQ(get_u64(a, MLOG_HOST_SSN, "SSN"), 20u);
  EXPECT_EQ(get_u32(a, MLOG_HOST_INCARNATION, "INCARNATION"), 2u);
  EXPECT_EQ(get_u64(a, MLOG_HOST_HIST_PURGE, "HIST_PURGE"), 9u);
  // The dependency vector: one MLOG_HOST_DEP nest per entry, in order.
  const auto deps = parse_attr_list(a.at(MLOG_HOST_DEPS).data);
  ASSERT_EQ(deps.size(), 2u);
  EXPECT_EQ(deps[0].first, MLOG_HOST_DEP);
  const auto d0 = deps[0].second.nested();
  const auto d1 = deps[1].second.nested();
  EXPECT_EQ(get_u32(d0, MLOG_DEP_HOST, "HOST"), 3u);
  EXPECT_EQ(get_u64(d0, MLOG_DEP_INTERVAL, "INTERVAL"), 5u);
  EXPECT_EQ(get_u32(d1, MLOG_DEP_HOST, "HOST"), 2u);
  EXPECT_EQ(get_u64(d1, MLOG_DEP_INTERVAL, "INTERVAL"), 7u);
}

TEST(SlArgs, HostSetOnlyWhatIsGiven) {
  const auto a = only_nest(parse_host_set({"--index", "4", "--ssn", "0"}), MLOG_ATTR_HOST);
  EXPECT_EQ(a.size(), 2u);
  EXPECT_EQ(get_u64(a, MLOG_HOST_SSN, "SSN"), 0u);
  // --no-deps: an empty DEPS nest, which empties the vector.
  const auto b = only_nest(parse_host_set({"--index", "4", "--no-deps"}), MLOG_ATTR_HOST);
  ASSERT_TRUE(b.count(MLOG_HOST_DEPS));
  EXPECT_TRUE(b.at(MLOG_HOST_DEPS).data.empty());
}

TEST(SlArgs, HostSetErrors) {
  EXPECT_EQ(usage_error(parse_host_set, {"--rsn", "1"}), "host set: --index is required");
  EXPECT_EQ(usage_error(parse_host_set, {"--index", "1"}),
            "host set: give at least one of --rsn, --ssn, --incarnation, --dep, --no-deps, "
            "--purge-history");
  EXPECT_EQ(usage_error(parse_host_set, {"--index", "1", "--dep", "2"}),
            "host set: --dep wants HOST:INTERVAL (HOST 1..4294967295), got 2");
  EXPECT_EQ(usage_error(parse_host_set, {"--index", "1", "--dep", "2:1", "--dep", "2:3"}),
            "host set: --dep given twice for host 2");
  EXPECT_EQ(usage_error(parse_host_set, {"--index", "1", "--dep", "2:1", "--no-deps"}),
            "host set: --dep and --no-deps exclude each other");
  EXPECT_EQ(usage_error(parse_host_set, {"--index", "1", "--rsn", "-1"}),
            "host set: --rsn wants a non-negative integer, got -1");
  EXPECT_EQ(usage_error(parse_host_set, {"--index", "1", "--no-deps", "x"}),
            "host set: unexpected argument x");
}

TEST(SlArgs, LogSet) {
  const auto req = parse_log_set(
      {"--max-bytes", "64M", "--piggyback", "off", "--ranges", "on", "--rsn-delay-us", "500"});
  EXPECT_EQ(req.cmd(), MLOG_CMD_LOG_SET);
  const auto a = only_nest(req, MLOG_ATTR_LOG);
  EXPECT_EQ(get_u64(a, MLOG_LOG_MAX_BYTES, "MAX_BYTES"), 64u << 20);
  EXPECT_EQ(get_u8(a, MLOG_LOG_PIGGYBACK, "PIGGYBACK"), 0u);
  EXPECT_EQ(get_u8(a, MLOG_LOG_RANGES, "RANGES"), 1u);
  EXPECT_EQ(get_u32(a, MLOG_LOG_RSN_DELAY_US, "RSN_DELAY_US"), 500u);
  // A u8 attribute is one byte of payload (padded on the wire).
  EXPECT_EQ(a.at(MLOG_LOG_PIGGYBACK).data.size(), 1u);

  EXPECT_EQ(get_u64(only_nest(parse_log_set({"--max-bytes", "4096"}), MLOG_ATTR_LOG),
                    MLOG_LOG_MAX_BYTES, "MAX_BYTES"),
            4096u);
  EXPECT_EQ(get_u64(only_nest(parse_log_set({"--max-bytes", "2k"}), MLOG_ATTR_LOG),
                    MLOG_LOG_MAX_BYTES, "MAX_BYTES"),
            2048u);
  EXPECT_EQ(get_u64(only_nest(parse_log_set({"--max-bytes", "1G"}), MLOG_ATTR_LOG),
                    MLOG_LOG_MAX_BYTES, "MAX_BYTES"),
            uint64_t{1} << 30);
}

TEST(SlArgs, LogSetErrors) {
  EXPECT_EQ(usage_error(parse_log_set, {}),
            "log set: give at least one of --max-bytes, --piggyback, --ranges, --rsn-delay-us");
  EXPECT_EQ(usage_error(parse_log_set, {"--piggyback", "yes"}),
            "log set: --piggyback wants on or off, got yes");
  EXPECT_EQ(usage_error(parse_log_set, {"--ranges", "1"}),
            "log set: --ranges wants on or off, got 1");
  for (const char* bad : {"", "M", "1T", "-1", "1.5M", "99999999999999999999", "17179869184G"})
    EXPECT_EQ(
        usage_error(parse_log_set, {"--max-bytes", bad}),
        std::string("log set: --max-bytes wants a byte count (suffix K, M or G allowed), got ") +
            bad);
  EXPECT_EQ(usage_error(parse_log_set, {"--rsn-delay-us", "4294967296"}),
            "log set: --rsn-delay-us wants 0..4294967295, got 4294967296");
  EXPECT_EQ(usage_error(parse_log_set, {"--ranges", "on", "--ranges", "off"}),
            "log set: --ranges given twice");
}

TEST(SlArgs, LogDump) {
  const auto all = parse_log_dump({});
  EXPECT_EQ(all.request.cmd(), MLOG_CMD_LOG_GET);
  EXPECT_TRUE(all.request.items().empty());
  EXPECT_FALSE(all.data);

  const auto d =
      parse_log_dump({"--dst-host", "2", "--from-rsn", "5", "--data", "--src-host", "1"});
  EXPECT_TRUE(d.data);
  const auto a = only_nest(d.request, MLOG_ATTR_LOG_ENTRY);
  EXPECT_EQ(get_u32(a, MLOG_ENTRY_DST_HOST, "DST_HOST"), 2u);
  EXPECT_EQ(get_u32(a, MLOG_ENTRY_SRC_HOST, "SRC_HOST"), 1u);
  EXPECT_EQ(get_u64(a, MLOG_ENTRY_RSN, "RSN"), 5u);
  ASSERT_TRUE(a.count(MLOG_ENTRY_DATA));
  EXPECT_TRUE(a.at(MLOG_ENTRY_DATA).data.empty());  // NLA_FLAG

  EXPECT_EQ(usage_error(parse_log_dump, {"--dst-host", "0"}),
            "log dump: --dst-host wants 1..4294967295, got 0");
  EXPECT_EQ(usage_error(parse_log_dump, {"--data", "--data"}), "log dump: --data given twice");
  EXPECT_EQ(usage_error(parse_log_dump, {"--from-rsn"}), "log dump: --from-rsn needs a value");
}

TEST(SlArgs, LogPurge) {
  const auto upto = parse_log_purge({"--dst-host", "2", "--upto", "10"});
  EXPECT_EQ(upto.cmd(), MLOG_CMD_LOG_PURGE);
  const auto a = only_nest(upto, MLOG_ATTR_LOG_ENTRY);
  EXPECT_EQ(get_u32(a, MLOG_ENTRY_DST_HOST, "DST_HOST"), 2u);
  EXPECT_EQ(get_u64(a, MLOG_ENTRY_RSN, "RSN"), 10u);
  EXPECT_EQ(only_nest(parse_log_purge({"--dst-host", "2"}), MLOG_ATTR_LOG_ENTRY).size(), 1u);
  const auto src = only_nest(parse_log_purge({"--src-host", "3"}), MLOG_ATTR_LOG_ENTRY);
  EXPECT_EQ(src.size(), 1u);
  EXPECT_EQ(get_u32(src, MLOG_ENTRY_SRC_HOST, "SRC_HOST"), 3u);

  EXPECT_EQ(usage_error(parse_log_purge, {}),
            "log purge: give --dst-host H [--upto RSN] or --src-host S");
  EXPECT_EQ(usage_error(parse_log_purge, {"--dst-host", "1", "--src-host", "2"}),
            "log purge: --dst-host and --src-host exclude each other");
  EXPECT_EQ(usage_error(parse_log_purge, {"--src-host", "2", "--upto", "3"}),
            "log purge: --upto needs --dst-host");
}

TEST(SlArgs, History) {
  const auto req = parse_history({"--host", "5"});
  EXPECT_EQ(req.cmd(), MLOG_CMD_HIST_GET);
  EXPECT_EQ(get_u32(only_nest(req, MLOG_ATTR_HIST), MLOG_HIST_HOST, "HOST"), 5u);
  EXPECT_EQ(usage_error(parse_history, {}), "history: --host is required");
  EXPECT_EQ(usage_error(parse_history, {"--host", "5", "6"}), "history: unexpected argument 6");
}

}  // namespace
}  // namespace mlog
