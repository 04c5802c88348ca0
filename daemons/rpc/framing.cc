// SPDX-License-Identifier: GPL-2.0
#include "framing.h"

#include <algorithm>

namespace mlog::rpc {

std::vector<std::vector<std::uint8_t>> split_message(std::span<const std::uint8_t> message) {
  std::vector<std::vector<std::uint8_t>> pieces;
  std::size_t at = 0;
  do {
    const std::size_t n = std::min(kMaxPieceData, message.size() - at);
    const bool more = at + n < message.size();
    std::vector<std::uint8_t> piece;
    piece.reserve(n + 1);
    piece.push_back(more ? kMoreFollows : 0);
    piece.insert(piece.end(), message.begin() + static_cast<std::ptrdiff_t>(at),
                 message.begin() + static_cast<std::ptrdiff_t>(at + n));
    pieces.push_back(std::move(piece));
    at += n;
  } while (at < message.size());
  return pieces;
}

Reassembler::Result Reassembler::feed(const std::string& source,
                                      std::span<const std::uint8_t> piece) {
  Result r;
  if (piece.empty()) {
    partial_.erase(source);
    r.status = Status::malformed;
    r.problem = "empty piece";
    return r;
  }
  const std::uint8_t header = piece[0];
  const bool more = header & kMoreFollows;
  if (header & ~kMoreFollows) {
    partial_.erase(source);
    r.status = Status::malformed;
    r.problem = "unknown piece header bits";
    return r;
  }
  if (piece.size() > kMaxPiece) {
    partial_.erase(source);
    r.status = Status::malformed;
    r.problem = "piece larger than " + std::to_string(kMaxPiece) + " bytes";
    return r;
  }
  Partial& p = partial_[source];
  const auto data = piece.subspan(1);
  if (!p.discarding && p.bytes.size() + data.size() > max_) {
    p.bytes.clear();
    p.bytes.shrink_to_fit();
    p.discarding = true;
    r.status = Status::malformed;
    r.problem = "message larger than " + std::to_string(max_) + " bytes";
    if (!more) partial_.erase(source);
    return r;
  }
  if (p.discarding) {
    if (!more) partial_.erase(source);
    r.status = Status::partial;  // already reported
    return r;
  }
  p.bytes.insert(p.bytes.end(), data.begin(), data.end());
  if (more) return r;
  r.status = Status::complete;
  r.message = std::move(p.bytes);
  partial_.erase(source);
  return r;
}

}  // namespace mlog::rpc
