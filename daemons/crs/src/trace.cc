// SPDX-License-Identifier: GPL-2.0
#include "mlog/crs/trace.h"

#include <charconv>
#include <istream>
#include <optional>
#include <ostream>
#include <sstream>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "mlog/crs/engine.h"
#include "mlog/crs/execution.h"

namespace mlog::crs {

namespace {

class TraceRunner {
 public:
  explicit TraceRunner(AlgorithmChoice algorithm)
      : algorithm_(algorithm),
        engine_(Engine::Options{.incremental = algorithm != AlgorithmChoice::batch}) {}

  // Throws CrsError for a bad line; returns false when the algorithms
  // disagree (only with AlgorithmChoice::both).
  bool execute(const std::vector<std::string_view>& words, std::ostream& out, std::string& why);

 private:
  HostId host_arg(std::string_view word) const;
  static std::uint32_t number(std::string_view word, const char* what);
  void expect_args(const std::vector<std::string_view>& words, std::size_t count,
                   const char* usage) const;
  void require_hosts() const;

  AlgorithmChoice algorithm_;
  Engine engine_;
  Execution execution_;
  std::unordered_map<std::string, Execution::MessageId> messages_;
};

std::uint32_t TraceRunner::number(std::string_view word, const char* what) {
  std::uint32_t value = 0;
  const auto [end, ec] = std::from_chars(word.data(), word.data() + word.size(), value);
  if (ec != std::errc{} || end != word.data() + word.size())
    throw CrsError(std::string("bad ") + what + " '" + std::string(word) +
                   "' (expected a non-negative integer below 2^32)");
  return value;
}

HostId TraceRunner::host_arg(std::string_view word) const {
  const HostId h = number(word, "host");
  if (!execution_.host_exists(h))
    throw CrsError("host " + std::to_string(h) + " does not exist (hosts are 1.." +
                   std::to_string(execution_.host_count()) + ")");
  return h;
}

void TraceRunner::expect_args(const std::vector<std::string_view>& words, std::size_t count,
                              const char* usage) const {
  if (words.size() != count + 1) throw CrsError(std::string("usage: ") + usage);
}

void TraceRunner::require_hosts() const {
  if (execution_.host_count() == 0)
    throw CrsError("no hosts yet: the trace must start with 'hosts N'");
}

bool TraceRunner::execute(const std::vector<std::string_view>& w, std::ostream& out,
                          std::string& why) {
  const std::string_view verb = w[0];
  if (verb == "hosts") {
    expect_args(w, 1, "hosts N");
    const HostId n = number(w[1], "host count");
    if (n == 0) throw CrsError("a system needs at least one host");
    if (n < execution_.host_count())
      throw CrsError("hosts cannot be removed (already " + std::to_string(execution_.host_count()) +
                     ")");
    if (n > execution_.host_count()) {
      engine_.add_hosts(n - execution_.host_count());
      execution_.ensure_hosts(n);
    }
    return true;
  }
  if (verb == "send") {
    expect_args(w, 3, "send MESSAGE FROM TO");
    require_hosts();
    const HostId from = host_arg(w[2]);
    const HostId to = host_arg(w[3]);
    const std::string name(w[1]);
    if (messages_.contains(name)) throw CrsError("message '" + name + "' was already sent");
    messages_.emplace(name, execution_.send(from, to));
    return true;
  }
  if (verb == "recv") {
    expect_args(w, 1, "recv MESSAGE");
    require_hosts();
    const auto it = messages_.find(std::string(w[1]));
    if (it == messages_.end())
      throw CrsError("unknown message '" + std::string(w[1]) + "' (never sent)");
    if (execution_.message(it->second).received)
      throw CrsError("message '" + std::string(w[1]) + "' was already received");
    execution_.receive(it->second);
    return true;
  }
  if (verb == "log") {
    expect_args(w, 2, "log HOST INTERVAL");
    require_hosts();
    const HostId h = host_arg(w[1]);
    const Interval s = number(w[2], "interval");
    if (s == 0) throw CrsError("interval 0 is not started by a message, so it cannot be logged");
    if (s > execution_.current_interval(h))
      throw CrsError("host " + std::to_string(h) + " has no interval " + std::to_string(s) +
                     " yet (it is in interval " + std::to_string(execution_.current_interval(h)) +
                     ")");
    const Dependency start = execution_.start_of(h, s);
    engine_.log_message(h, s, start.host, start.interval);
    return true;
  }
  if (verb == "ckpt") {
    expect_args(w, 1, "ckpt HOST");
    require_hosts();
    const HostId h = host_arg(w[1]);
    engine_.checkpoint(h, execution_.current_interval(h), execution_.dependency_vector(h));
    return true;
  }
  if (verb == "crs") {
    expect_args(w, 0, "crs");
    require_hosts();
    std::vector<Interval> result;
    switch (algorithm_) {
      case AlgorithmChoice::batch:
        result = engine_.batch_crs();
        break;
      case AlgorithmChoice::incremental:
        result = engine_.incremental_crs();
        break;
      case AlgorithmChoice::both: {
        result = engine_.incremental_crs();
        const std::vector<Interval> batch = engine_.batch_crs();
        if (batch != result) {
          why = "batch algorithm gives crs " + to_string(batch) + " but incremental gives crs " +
                to_string(result);
          return false;
        }
        break;
      }
    }
    out << "crs " << to_string(result) << '\n';
    return true;
  }
  if (verb == "release") {
    expect_args(w, 2, "release HOST INTERVAL");
    require_hosts();
    const HostId h = host_arg(w[1]);
    const Interval s = number(w[2], "interval");
    out << "release " << h << ' ' << s << ' ' << (engine_.may_release_output(h, s) ? "yes" : "no")
        << '\n';
    return true;
  }
  if (verb == "gc") {
    expect_args(w, 0, "gc");
    require_hosts();
    out << "gc";
    for (HostId h = 1; h <= engine_.host_count(); ++h)
      out << ' ' << engine_.gc_horizon(h).effective_checkpoint;
    out << '\n';
    return true;
  }
  throw CrsError("unknown event '" + std::string(verb) +
                 "' (expected hosts, send, recv, log, ckpt, crs, release or gc)");
}

std::vector<std::string_view> split_words(std::string_view line) {
  if (const auto hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
  std::vector<std::string_view> words;
  std::size_t at = 0;
  while (at < line.size()) {
    while (at < line.size() && (line[at] == ' ' || line[at] == '\t' || line[at] == '\r')) ++at;
    std::size_t end = at;
    while (end < line.size() && line[end] != ' ' && line[end] != '\t' && line[end] != '\r') ++end;
    if (end > at) words.push_back(line.substr(at, end - at));
    at = end;
  }
  return words;
}

}  // namespace

int run_trace(std::istream& in, std::ostream& out, std::ostream& err, AlgorithmChoice algorithm,
              const std::string& source) {
  TraceRunner runner(algorithm);
  std::string line;
  std::size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    const std::vector<std::string_view> words = split_words(line);
    if (words.empty()) continue;
    try {
      std::string why;
      if (!runner.execute(words, out, why)) {
        out.flush();
        err << "mlog-crs: " << source << ':' << number << ": algorithms disagree: " << why << '\n';
        return kTraceDisagreement;
      }
    } catch (const CrsError& e) {
      out.flush();
      err << "mlog-crs: " << source << ':' << number << ": " << e.what() << '\n';
      return kTraceBadInput;
    }
  }
  if (in.bad()) {
    err << "mlog-crs: " << source << ": read error\n";
    return kTraceBadInput;
  }
  out.flush();
  return kTraceOk;
}

}  // namespace mlog::crs
