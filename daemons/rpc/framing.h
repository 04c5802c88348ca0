// SPDX-License-Identifier: GPL-2.0
// How one daemon message travels as AF_MLOG messages: cut into pieces of
// at most kMaxPieceData bytes, each behind a one-byte header whose bit 0
// says that more pieces follow.  SOCK_RDM delivers the messages of a flow
// in order, so a receiver reassembles per source address.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace mlog::rpc {

inline constexpr std::size_t kMaxPieceData = 65535;
inline constexpr std::size_t kMaxPiece = kMaxPieceData + 1;
inline constexpr std::uint8_t kMoreFollows = 0x01;
// Largest reassembled message accepted (a generous bound on one Envelope).
inline constexpr std::size_t kDefaultMaxMessage = std::size_t{64} << 20;

// The pieces of @message, in order; an empty message is one header byte.
std::vector<std::vector<std::uint8_t>> split_message(std::span<const std::uint8_t> message);

class Reassembler {
 public:
  enum class Status { partial, complete, malformed };
  struct Result {
    Status status = Status::partial;
    std::vector<std::uint8_t> message;  // when complete
    std::string problem;                // when malformed
  };

  explicit Reassembler(std::size_t max_message = kDefaultMaxMessage) : max_(max_message) {}

  // One piece received from @source.  A malformed piece (empty, unknown
  // header bits, a message growing past the bound) drops what was
  // gathered from that source; the rest of an oversized message is
  // dropped too, up to its last piece.
  Result feed(const std::string& source, std::span<const std::uint8_t> piece);
  // Forget a source's partial message (its peer went away).
  void forget(const std::string& source) { partial_.erase(source); }
  std::size_t partial_sources() const { return partial_.size(); }

 private:
  struct Partial {
    std::vector<std::uint8_t> bytes;
    bool discarding = false;
  };
  std::size_t max_;
  std::map<std::string, Partial> partial_;
};

}  // namespace mlog::rpc
