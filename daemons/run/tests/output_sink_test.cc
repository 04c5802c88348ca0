// SPDX-License-Identifier: GPL-2.0
// Each byte once, in order: duplicates from a re-execution are dropped,
// bytes beyond a gap wait for it.
#include "output_sink.h"

#include <gtest/gtest.h>

namespace mlog::run {
namespace {

struct Capture {
  std::string out, err;
  OutputSink::Writer writer() {
    return [this](int fd, std::string_view b) { (fd == 1 ? out : err).append(b); };
  }
};

TEST(OutputSink, InOrderChunksPassThrough) {
  Capture c;
  OutputSink s(false, c.writer());
  s.add(0, 1, 0, "hello ");
  s.add(0, 1, 6, "world\n");
  s.add(0, 2, 0, "warn\n");
  EXPECT_EQ(c.out, "hello world\n");
  EXPECT_EQ(c.err, "warn\n");
  EXPECT_EQ(s.done(0, 1), 12u);
}

TEST(OutputSink, ReExecutionDuplicatesAreDropped) {
  Capture c;
  OutputSink s(false, c.writer());
  s.add(1, 1, 0, "abc");
  s.add(1, 1, 3, "def");
  // The restarted rank produces its output again, cut differently.
  s.add(1, 1, 0, "ab");
  s.add(1, 1, 2, "cdefg");
  s.add(1, 1, 7, "h");
  EXPECT_EQ(c.out, "abcdefgh");
}

TEST(OutputSink, GapsAreFilledBeforeLaterBytes) {
  Capture c;
  OutputSink s(false, c.writer());
  s.add(0, 1, 4, "EFGH");
  s.add(0, 1, 8, "IJ");
  EXPECT_EQ(c.out, "");
  EXPECT_EQ(s.waiting_bytes(), 6u);
  s.add(0, 1, 0, "ABCDEF");  // overlaps what waits
  EXPECT_EQ(c.out, "ABCDEFGHIJ");
  EXPECT_EQ(s.waiting_bytes(), 0u);
}

TEST(OutputSink, RanksAndStreamsAreSeparate) {
  Capture c;
  OutputSink s(false, c.writer());
  s.add(0, 1, 0, "a");
  s.add(1, 1, 0, "b");
  s.add(1, 1, 0, "b");
  s.add(0, 2, 0, "c");
  EXPECT_EQ(c.out, "ab");
  EXPECT_EQ(c.err, "c");
}

TEST(OutputSink, LabelsWholeLines) {
  Capture c;
  OutputSink s(true, c.writer());
  s.add(2, 1, 0, "one\ntw");
  s.add(3, 1, 0, "x\n");
  s.add(2, 1, 6, "o\nthree");
  EXPECT_EQ(c.out, "[2] one\n[3] x\n[2] two\n");
  s.finish();
  EXPECT_EQ(c.out, "[2] one\n[3] x\n[2] two\n[2] three\n");
}

}  // namespace
}  // namespace mlog::run
