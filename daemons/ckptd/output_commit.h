// SPDX-License-Identifier: GPL-2.0
// Output commit (recovery.rst, "Output exactly once"): a chunk read from a
// rank's stdout or stderr while its host was in interval t, and the rank's
// exit status likewise, leave the node only once every RSN up to t has
// been acknowledged, i.e. MLOG_HOST_PEND_FIRST is absent or above t.
// Items leave in the order they were read; offsets count the bytes of
// each stream from 0 in this execution.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

namespace mlog::ckptd {

enum class StreamId { out = 1, err = 2 };

struct CommittedItem {
  bool is_exit = false;
  StreamId stream = StreamId::out;
  std::uint64_t offset = 0;
  std::string data;
  int status = 0;  // exit: exit code, or 128 + signal
  bool signaled = false;
};

class OutputCommit {
 public:
  void add_output(StreamId stream, std::string data, std::uint64_t interval);
  void add_exit(int status, bool signaled, std::uint64_t interval);
  // What may leave now, given the host's oldest unacknowledged RSN.
  std::vector<CommittedItem> release(std::optional<std::uint64_t> pend_first);
  bool empty() const { return pending_.empty(); }
  std::uint64_t bytes(StreamId s) const { return s == StreamId::out ? out_ : err_; }

 private:
  struct Pending {
    CommittedItem item;
    std::uint64_t interval;
  };
  std::deque<Pending> pending_;
  std::uint64_t out_ = 0;
  std::uint64_t err_ = 0;
};

// Decoded wait status: exit code, or 128 + signal.
struct ExitStatus {
  int status = 0;
  bool signaled = false;
};
ExitStatus decode_wait_status(int wstatus);

}  // namespace mlog::ckptd
