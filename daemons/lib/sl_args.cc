// SPDX-License-Identifier: GPL-2.0
#include "sl_args.h"

#include <initializer_list>
#include <set>
#include <string>
#include <utility>

#include "node_addr.h"

namespace mlog {

namespace {

constexpr uint64_t kU32Max = UINT32_MAX;

struct OptSpec {
  std::string_view name;
  bool takes_value;
  bool repeat = false;
};

// The options of one command line, in order, checked against @specs:
// unknown options, missing values and options given twice are usage
// errors.
class Options {
 public:
  Options(std::string_view cmd, const Args& args, std::initializer_list<OptSpec> specs)
      : cmd_(cmd) {
    for (size_t i = 0; i < args.size(); ++i) {
      const std::string_view arg = args[i];
      const OptSpec* spec = nullptr;
      for (const auto& s : specs)
        if (s.name == arg) spec = &s;
      if (!spec)
        throw UsageError(cmd_ +
                         (arg.starts_with("-") ? ": unknown option " : ": unexpected argument ") +
                         std::string(arg));
      if (!spec->repeat && has(arg))
        throw UsageError(cmd_ + ": " + std::string(arg) + " given twice");
      std::string_view value;
      if (spec->takes_value) {
        if (i + 1 >= args.size())
          throw UsageError(cmd_ + ": " + std::string(arg) + " needs a value");
        value = args[++i];
      }
      opts_.emplace_back(spec->name, value);
    }
  }

  bool empty() const { return opts_.empty(); }
  bool has(std::string_view name) const {
    for (const auto& [n, v] : opts_)
      if (n == name) return true;
    return false;
  }
  const std::vector<std::pair<std::string_view, std::string_view>>& all() const { return opts_; }

  // The value of option @name as an integer in [lo, hi]; nullopt if the
  // option was not given.
  std::optional<uint64_t> number(std::string_view name, uint64_t lo, uint64_t hi) const {
    for (const auto& [n, v] : opts_)
      if (n == name) return check_number(name, v, lo, hi);
    return std::nullopt;
  }

  uint64_t check_number(std::string_view name, std::string_view value, uint64_t lo,
                        uint64_t hi) const {
    if (auto n = parse_uint(value, lo, hi)) return *n;
    const std::string range = lo == 0 && hi == UINT64_MAX
                                  ? "a non-negative integer"
                                  : std::to_string(lo) + ".." + std::to_string(hi);
    throw UsageError(cmd_ + ": " + std::string(name) + " wants " + range + ", got " +
                     std::string(value));
  }

  uint64_t required(std::string_view name, uint64_t lo, uint64_t hi) const {
    if (auto n = number(name, lo, hi)) return *n;
    throw UsageError(cmd_ + ": " + std::string(name) + " is required");
  }

  [[noreturn]] void fail(const std::string& why) const { throw UsageError(cmd_ + ": " + why); }

 private:
  std::string cmd_;
  std::vector<std::pair<std::string_view, std::string_view>> opts_;
};

// A byte count with an optional binary suffix: 4096, 64K, 16M, 1G.
std::optional<uint64_t> parse_size(std::string_view text) {
  uint64_t scale = 1;
  if (!text.empty()) {
    switch (text.back()) {
      case 'K':
      case 'k':
        scale = uint64_t{1} << 10;
        break;
      case 'M':
      case 'm':
        scale = uint64_t{1} << 20;
        break;
      case 'G':
      case 'g':
        scale = uint64_t{1} << 30;
        break;
      default:
        break;
    }
    if (scale != 1) text.remove_suffix(1);
  }
  const auto n = parse_uint(text, 0, UINT64_MAX / scale);
  if (!n) return std::nullopt;
  return *n * scale;
}

}  // namespace

std::optional<bool> parse_on_off(std::string_view text) {
  if (text == "on") return true;
  if (text == "off") return false;
  return std::nullopt;
}

std::optional<Dep> parse_dep(std::string_view text) {
  const size_t colon = text.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  const auto host = parse_uint(text.substr(0, colon), 1, kU32Max);
  const auto interval = parse_uint(text.substr(colon + 1), 0, UINT64_MAX);
  if (!host || !interval) return std::nullopt;
  return Dep{static_cast<uint32_t>(*host), *interval};
}

Request parse_host_add(const Args& args) {
  const Options o("host add", args, {{"--index", true}, {"--pid", true}, {"--incarnation", true}});
  const auto index = o.required("--index", 1, kU32Max);
  const auto pid = o.required("--pid", 1, INT32_MAX);
  Nest host;
  host.u32(MLOG_HOST_INDEX, static_cast<uint32_t>(index));
  host.u32(MLOG_HOST_PID, static_cast<uint32_t>(pid));
  if (auto inc = o.number("--incarnation", 0, kU32Max))
    host.u32(MLOG_HOST_INCARNATION, static_cast<uint32_t>(*inc));
  Request req(MLOG_CMD_HOST_ADD);
  req.nest(MLOG_ATTR_HOST, host);
  return req;
}

namespace {

Request host_index_only(const char* cmd, uint8_t genl_cmd, const Args& args) {
  const Options o(cmd, args, {{"--index", true}});
  const auto index = o.required("--index", 1, kU32Max);
  Nest host;
  host.u32(MLOG_HOST_INDEX, static_cast<uint32_t>(index));
  Request req(genl_cmd);
  req.nest(MLOG_ATTR_HOST, host);
  return req;
}

}  // namespace

Request parse_host_del(const Args& args) {
  return host_index_only("host del", MLOG_CMD_HOST_DEL, args);
}

Request parse_host_show(const Args& args) {
  if (args.empty())
    throw UsageError("host show: --index is required; mlogctl hosts lists every host");
  return host_index_only("host show", MLOG_CMD_HOST_GET, args);
}

Request parse_host_set(const Args& args) {
  const Options o("host set", args,
                  {{"--index", true},
                   {"--rsn", true},
                   {"--ssn", true},
                   {"--incarnation", true},
                   {"--dep", true, true},
                   {"--no-deps", false},
                   {"--purge-history", true}});
  const auto index = o.required("--index", 1, kU32Max);
  if (o.all().size() == 1)
    o.fail("give at least one of --rsn, --ssn, --incarnation, --dep, --no-deps, --purge-history");
  if (o.has("--dep") && o.has("--no-deps")) o.fail("--dep and --no-deps exclude each other");

  Nest host;
  host.u32(MLOG_HOST_INDEX, static_cast<uint32_t>(index));
  if (auto rsn = o.number("--rsn", 0, UINT64_MAX)) host.u64(MLOG_HOST_RSN, *rsn);
  if (auto ssn = o.number("--ssn", 0, UINT64_MAX)) host.u64(MLOG_HOST_SSN, *ssn);
  if (auto inc = o.number("--incarnation", 0, kU32Max))
    host.u32(MLOG_HOST_INCARNATION, static_cast<uint32_t>(*inc));
  if (o.has("--dep") || o.has("--no-deps")) {
    Nest deps;
    std::set<uint32_t> seen;
    for (const auto& [name, value] : o.all()) {
      if (name != "--dep") continue;
      const auto dep = parse_dep(value);
      if (!dep) o.fail("--dep wants HOST:INTERVAL (HOST 1..4294967295), got " + std::string(value));
      if (!seen.insert(dep->host).second)
        o.fail("--dep given twice for host " + std::to_string(dep->host));
      Nest d;
      d.u32(MLOG_DEP_HOST, dep->host).u64(MLOG_DEP_INTERVAL, dep->interval);
      deps.nest(MLOG_HOST_DEP, d);
    }
    host.nest(MLOG_HOST_DEPS, deps);
  }
  if (auto purge = o.number("--purge-history", 0, UINT64_MAX))
    host.u64(MLOG_HOST_HIST_PURGE, *purge);
  Request req(MLOG_CMD_HOST_SET);
  req.nest(MLOG_ATTR_HOST, host);
  return req;
}

Request parse_log_set(const Args& args) {
  const Options o(
      "log set", args,
      {{"--max-bytes", true}, {"--piggyback", true}, {"--ranges", true}, {"--rsn-delay-us", true}});
  if (o.empty()) o.fail("give at least one of --max-bytes, --piggyback, --ranges, --rsn-delay-us");
  Nest log;
  for (const auto& [name, value] : o.all()) {
    if (name == "--max-bytes") {
      const auto bytes = parse_size(value);
      if (!bytes)
        o.fail("--max-bytes wants a byte count (suffix K, M or G allowed), got " +
               std::string(value));
      log.u64(MLOG_LOG_MAX_BYTES, *bytes);
    } else if (name == "--piggyback" || name == "--ranges") {
      const auto on = parse_on_off(value);
      if (!on) o.fail(std::string(name) + " wants on or off, got " + std::string(value));
      log.u8(name == "--piggyback" ? MLOG_LOG_PIGGYBACK : MLOG_LOG_RANGES, *on ? 1 : 0);
    } else {
      log.u32(MLOG_LOG_RSN_DELAY_US,
              static_cast<uint32_t>(o.check_number(name, value, 0, kU32Max)));
    }
  }
  Request req(MLOG_CMD_LOG_SET);
  req.nest(MLOG_ATTR_LOG, log);
  return req;
}

LogDumpArgs parse_log_dump(const Args& args) {
  const Options o(
      "log dump", args,
      {{"--dst-host", true}, {"--src-host", true}, {"--from-rsn", true}, {"--data", false}});
  LogDumpArgs out;
  Nest filter;
  if (auto dst = o.number("--dst-host", 1, kU32Max))
    filter.u32(MLOG_ENTRY_DST_HOST, static_cast<uint32_t>(*dst));
  if (auto src = o.number("--src-host", 1, kU32Max))
    filter.u32(MLOG_ENTRY_SRC_HOST, static_cast<uint32_t>(*src));
  if (auto rsn = o.number("--from-rsn", 0, UINT64_MAX)) filter.u64(MLOG_ENTRY_RSN, *rsn);
  if (o.has("--data")) {
    filter.flag(MLOG_ENTRY_DATA);
    out.data = true;
  }
  if (!filter.data().empty()) out.request.nest(MLOG_ATTR_LOG_ENTRY, filter);
  return out;
}

Request parse_log_purge(const Args& args) {
  const Options o("log purge", args,
                  {{"--dst-host", true}, {"--upto", true}, {"--src-host", true}});
  const auto dst = o.number("--dst-host", 1, kU32Max);
  const auto src = o.number("--src-host", 1, kU32Max);
  const auto upto = o.number("--upto", 0, UINT64_MAX);
  if (dst && src) o.fail("--dst-host and --src-host exclude each other");
  if (!dst && !src) o.fail("give --dst-host H [--upto RSN] or --src-host S");
  if (upto && !dst) o.fail("--upto needs --dst-host");
  Nest entry;
  if (dst) entry.u32(MLOG_ENTRY_DST_HOST, static_cast<uint32_t>(*dst));
  if (src) entry.u32(MLOG_ENTRY_SRC_HOST, static_cast<uint32_t>(*src));
  if (upto) entry.u64(MLOG_ENTRY_RSN, *upto);
  Request req(MLOG_CMD_LOG_PURGE);
  req.nest(MLOG_ATTR_LOG_ENTRY, entry);
  return req;
}

Request parse_history(const Args& args) {
  const Options o("history", args, {{"--host", true}});
  const auto host = o.required("--host", 1, kU32Max);
  Nest hist;
  hist.u32(MLOG_HIST_HOST, static_cast<uint32_t>(host));
  Request req(MLOG_CMD_HIST_GET);
  req.nest(MLOG_ATTR_HIST, hist);
  return req;
}

}  // namespace mlog
