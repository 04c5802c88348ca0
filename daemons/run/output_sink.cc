// SPDX-License-Identifier: GPL-2.0
#include "output_sink.h"

namespace mlog::run {

void OutputSink::add(std::uint32_t rank, int stream, std::uint64_t offset, std::string_view data) {
  Stream& s = streams_[{rank, stream}];
  const std::uint64_t end = offset + data.size();
  if (end <= s.next) return;  // printed already
  if (offset > s.next) {
    // Beyond a gap: keep the longest chunk seen at this offset.
    auto& held = s.ahead[offset];
    if (data.size() > held.size()) held.assign(data);
    return;
  }
  take(rank, stream, s, data.substr(static_cast<std::size_t>(s.next - offset)));
  // Whatever waited may now follow.
  while (!s.ahead.empty() && s.ahead.begin()->first <= s.next) {
    auto node = s.ahead.extract(s.ahead.begin());
    const std::uint64_t at = node.key();
    const std::string& bytes = node.mapped();
    if (at + bytes.size() > s.next)
      take(rank, stream, s, std::string_view(bytes).substr(static_cast<std::size_t>(s.next - at)));
  }
}

void OutputSink::take(std::uint32_t rank, int stream, Stream& s, std::string_view bytes) {
  s.next += bytes.size();
  if (!label_) {
    write_(stream, bytes);
    return;
  }
  const std::string prefix = "[" + std::to_string(rank) + "] ";
  std::string out;
  for (;;) {
    const auto nl = bytes.find('\n');
    if (nl == std::string_view::npos) {
      s.line.append(bytes);
      break;
    }
    out += prefix + s.line;
    out.append(bytes.substr(0, nl + 1));
    s.line.clear();
    bytes.remove_prefix(nl + 1);
  }
  if (!out.empty()) write_(stream, out);
}

std::uint64_t OutputSink::done(std::uint32_t rank, int stream) const {
  auto it = streams_.find({rank, stream});
  return it == streams_.end() ? 0 : it->second.next;
}

std::size_t OutputSink::waiting_bytes() const {
  std::size_t n = 0;
  for (const auto& [key, s] : streams_)
    for (const auto& [at, bytes] : s.ahead) n += bytes.size();
  return n;
}

void OutputSink::finish() {
  for (auto& [key, s] : streams_) {
    if (s.line.empty()) continue;
    write_(key.second, "[" + std::to_string(key.first) + "] " + s.line + "\n");
    s.line.clear();
  }
}

}  // namespace mlog::run
