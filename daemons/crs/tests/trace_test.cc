// SPDX-License-Identifier: GPL-2.0
// The trace language, run in-process (the driver binary has its own CTest
// cases on the files in traces/).
#include "mlog/crs/trace.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace mlog::crs {
namespace {

struct Result {
  int status;
  std::string out;
  std::string err;
};

Result run(const std::string& text, AlgorithmChoice algorithm = AlgorithmChoice::both) {
  std::istringstream in(text);
  std::ostringstream out, err;
  const int status = run_trace(in, out, err, algorithm, "t");
  return {status, out.str(), err.str()};
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(Trace, Figure44WithEveryAlgorithm) {
  const std::string trace = slurp(MLOG_CRS_TRACE_DIR "/fig_4_4.trace");
  const std::string expected = slurp(MLOG_CRS_TRACE_DIR "/fig_4_4.expected");
  for (auto algorithm :
       {AlgorithmChoice::batch, AlgorithmChoice::incremental, AlgorithmChoice::both}) {
    const Result r = run(trace, algorithm);
    EXPECT_EQ(r.status, kTraceOk) << r.err;
    EXPECT_EQ(r.out, expected);
  }
}

TEST(Trace, CommentsAndBlankLinesAreIgnored) {
  const Result r = run("# header\n\n  hosts 2   # two\n\t\ncrs#now\n");
  EXPECT_EQ(r.status, kTraceOk) << r.err;
  EXPECT_EQ(r.out, "crs 0 0\n");
}

TEST(Trace, ErrorsNameTheLineAndStopTheRun) {
  struct Case {
    const char* text;
    const char* needle;
  };
  const Case cases[] = {
      {"hosts 2\nbogus\ncrs\n", "t:2: unknown event 'bogus'"},
      {"hosts 2\nsend m 1\ncrs\n", "t:2: usage: send"},
      {"hosts 2\nsend m 1 -1\n", "t:2: bad host '-1'"},
      {"hosts 2\nsend m 1 99999999999\n", "t:2: bad host"},
      {"hosts 2\nrecv m\n", "t:2: unknown message 'm'"},
      {"hosts 2\nsend m 1 2\nsend m 2 1\n", "t:3: message 'm' was already sent"},
      {"hosts 2\nsend m 1 2\nrecv m\nrecv m\n", "t:4: message 'm' was already received"},
      {"hosts 2\nlog 1 1\n", "t:2: host 1 has no interval 1 yet"},
      {"hosts 2\nlog 1 0\n", "t:2: interval 0"},
      {"hosts 2\nckpt 3\n", "t:2: host 3 does not exist"},
      {"hosts 2\nhosts 1\n", "t:2: hosts cannot be removed"},
      {"hosts 0\n", "t:1: a system needs at least one host"},
      {"hosts 4000000000\n", "t:1: too many hosts"},
      {"crs\n", "t:1: no hosts yet"},
      {"hosts 2\ncrs 1\n", "t:2: usage: crs"},
  };
  for (const Case& c : cases) {
    const Result r = run(c.text);
    EXPECT_EQ(r.status, kTraceBadInput) << c.text;
    EXPECT_NE(r.err.find(c.needle), std::string::npos) << c.text << " gave: " << r.err;
    EXPECT_EQ(r.out, "") << c.text;
  }
}

TEST(Trace, OutputBeforeTheBadLineIsKeptNothingAfter) {
  const Result r = run("hosts 1\ncrs\nsend\ncrs\n");
  EXPECT_EQ(r.status, kTraceBadInput);
  EXPECT_EQ(r.out, "crs 0\n");
}

TEST(Trace, SelfMessagesAndJoiningHosts) {
  const Result r =
      run("hosts 1\nsend s 1 1\nrecv s\nlog 1 1\ncrs\nhosts 3\nsend t 3 2\nrecv t\nckpt 2\ncrs\n");
  EXPECT_EQ(r.status, kTraceOk) << r.err;
  EXPECT_EQ(r.out, "crs 1\ncrs 1 1 0\n");
}

}  // namespace
}  // namespace mlog::crs
