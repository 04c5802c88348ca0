// SPDX-License-Identifier: GPL-2.0
#include "output_commit.h"

#include <sys/wait.h>

namespace mlog::ckptd {

void OutputCommit::add_output(StreamId stream, std::string data, std::uint64_t interval) {
  if (data.empty()) return;
  std::uint64_t& offset = stream == StreamId::out ? out_ : err_;
  CommittedItem item;
  item.stream = stream;
  item.offset = offset;
  offset += data.size();
  item.data = std::move(data);
  pending_.push_back(Pending{std::move(item), interval});
}

void OutputCommit::add_exit(int status, bool signaled, std::uint64_t interval) {
  CommittedItem item;
  item.is_exit = true;
  item.status = status;
  item.signaled = signaled;
  pending_.push_back(Pending{std::move(item), interval});
}

std::vector<CommittedItem> OutputCommit::release(std::optional<std::uint64_t> pend_first) {
  std::vector<CommittedItem> out;
  while (!pending_.empty() && (!pend_first || *pend_first > pending_.front().interval)) {
    out.push_back(std::move(pending_.front().item));
    pending_.pop_front();
  }
  return out;
}

ExitStatus decode_wait_status(int wstatus) {
  if (WIFSIGNALED(wstatus)) return ExitStatus{128 + WTERMSIG(wstatus), true};
  if (WIFEXITED(wstatus)) return ExitStatus{WEXITSTATUS(wstatus), false};
  return ExitStatus{255, false};
}

}  // namespace mlog::ckptd
