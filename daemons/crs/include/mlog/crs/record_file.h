// SPDX-License-Identifier: GPL-2.0
// Durable input record for the engine. Every input is appended as a
// length-prefixed, CRC32C-checked record and fsync'ed before it is applied,
// so replaying the file rebuilds exactly the same engine. A torn or corrupted
// tail is detected on open, reported, and cut back to the last good record.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "mlog/crs/engine.h"
#include "mlog/crs/types.h"

namespace mlog::crs {

std::uint32_t crc32c(std::span<const std::uint8_t> bytes, std::uint32_t crc = 0);

struct Record {
  // state_change: an opaque payload of another user of the file format
  // (mlog-recoverd's serialized mlog.pb.StateChange); the engine refuses it.
  enum class Kind : std::uint8_t {
    add_hosts = 1,
    log_message = 2,
    checkpoint = 3,
    state_change = 4
  };
  Kind kind = Kind::add_hosts;
  HostId host = 0;                 // log_message, checkpoint; host count for add_hosts
  Interval interval = 0;           // log_message, checkpoint
  HostId sender = 0;               // log_message
  Interval sender_interval = 0;    // log_message
  DependencyVector dv;             // checkpoint
  std::vector<std::uint8_t> blob;  // state_change
  friend bool operator==(const Record&, const Record&) = default;
};

// Payload bytes of one record (without the length/CRC frame).
std::vector<std::uint8_t> encode_record(const Record& record);
// Refuses (CrsError) anything that is not exactly one well-formed payload.
Record decode_record(std::span<const std::uint8_t> payload);

// What opening a record file found.
struct ReplayReport {
  std::size_t records = 0;            // good records replayed
  std::uint64_t valid_bytes = 0;      // length of the file after repair
  std::uint64_t discarded_bytes = 0;  // bytes cut off a bad tail
  std::string problem;                // empty when the file was intact
  bool clean() const { return problem.empty(); }
};

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd();
  int get() const { return fd_; }
  int release() {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_ = -1;
};

class RecordFile {
 public:
  static constexpr std::size_t kHeaderSize = 16;
  static constexpr std::size_t kFrameSize = 8;  // u32 length + u32 CRC32C
  static constexpr std::uint32_t kMaxPayload = std::uint32_t{1} << 28;

  // Opens (creating if missing) and replays every good record through
  // `apply`. If `apply` throws CrsError the record is treated like a corrupt
  // one. A bad tail is cut off (ftruncate + fsync) and described in `report`.
  // A file that is not a record file at all is refused, never truncated.
  static RecordFile open(const std::string& path, const std::function<void(const Record&)>& apply,
                         ReplayReport& report);

  // Writes one record and fsyncs it; returns only once it is durable.
  void append(const Record& record);
  std::uint64_t size() const { return size_; }

 private:
  RecordFile(UniqueFd fd, std::string path, std::uint64_t size)
      : fd_(std::move(fd)), path_(std::move(path)), size_(size) {}
  UniqueFd fd_;
  std::string path_;
  std::uint64_t size_ = 0;
};

// An Engine whose every input is made durable before it takes effect.
class DurableEngine {
 public:
  explicit DurableEngine(const std::string& path, Engine::Options options = {});

  const ReplayReport& replay_report() const { return report_; }
  const Engine& engine() const { return engine_; }

  void add_hosts(HostId count);
  void log_message(HostId host, Interval interval, HostId sender, Interval sender_interval);
  void checkpoint(HostId host, Interval interval, DependencyVector dv);

 private:
  static void apply(Engine& engine, const Record& record);
  Engine engine_;
  ReplayReport report_;
  RecordFile file_;
};

}  // namespace mlog::crs
