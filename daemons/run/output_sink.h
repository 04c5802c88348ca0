// SPDX-License-Identifier: GPL-2.0
// mlog-run prints each byte of each rank's stdout and stderr exactly once
// and in order: chunks carry their offset in the stream, bytes already
// printed (a re-execution produces them again) are dropped, and bytes
// beyond a gap wait until the gap is filled.  With labels, every line is
// prefixed with "[RANK] " and printed whole.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>

namespace mlog::run {

class OutputSink {
 public:
  // @write(fd, bytes): fd 1 for stdout chunks, 2 for stderr chunks.
  using Writer = std::function<void(int fd, std::string_view bytes)>;
  OutputSink(bool label, Writer write) : label_(label), write_(std::move(write)) {}

  // stream: 1 stdout, 2 stderr.
  void add(std::uint32_t rank, int stream, std::uint64_t offset, std::string_view data);
  // Bytes of a stream printed (or held as a partial labelled line) so far.
  std::uint64_t done(std::uint32_t rank, int stream) const;
  // Bytes waiting beyond a gap.
  std::size_t waiting_bytes() const;
  // At the end: a labelled line without its newline is printed with one.
  void finish();

 private:
  struct Stream {
    std::uint64_t next = 0;                      // offset of the next byte to take
    std::map<std::uint64_t, std::string> ahead;  // beyond a gap
    std::string line;                            // labelled: the unfinished line
  };
  void take(std::uint32_t rank, int stream, Stream& s, std::string_view bytes);

  bool label_;
  Writer write_;
  std::map<std::pair<std::uint32_t, int>, Stream> streams_;
};

}  // namespace mlog::run
