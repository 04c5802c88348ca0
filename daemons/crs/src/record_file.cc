// SPDX-License-Identifier: GPL-2.0
#include "mlog/crs/record_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <string_view>

namespace mlog::crs {

namespace {

constexpr std::array<std::uint8_t, 8> kMagic = {'M', 'L', 'O', 'G', 'C', 'R', 'S', 0};
constexpr std::uint32_t kVersion = 1;

constexpr std::array<std::uint32_t, 256> make_crc_table() {
  std::array<std::uint32_t, 256> table{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int bit = 0; bit < 8; ++bit) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
    table[i] = c;
  }
  return table;
}
constexpr auto kCrcTable = make_crc_table();

void put32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  for (int shift = 0; shift < 32; shift += 8) out.push_back(static_cast<std::uint8_t>(v >> shift));
}

std::uint32_t get32(std::span<const std::uint8_t> in, std::size_t at) {
  std::uint32_t v = 0;
  for (std::size_t b = 0; b < 4; ++b) v |= std::uint32_t{in[at + b]} << (8 * b);
  return v;
}

[[noreturn]] void fail_errno(const std::string& what, const std::string& path) {
  throw CrsError(what + " " + path + ": " + std::strerror(errno));
}

std::vector<std::uint8_t> header_bytes() {
  std::vector<std::uint8_t> h(kMagic.begin(), kMagic.end());
  put32(h, kVersion);
  put32(h, crc32c(h));
  return h;
}

void write_all(int fd, std::span<const std::uint8_t> bytes, const std::string& path) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      fail_errno("cannot write", path);
    }
    bytes = bytes.subspan(static_cast<std::size_t>(n));
  }
}

void sync_or_throw(int fd, const std::string& path) {
  if (::fsync(fd) != 0) fail_errno("cannot fsync", path);
}

// A newly created file is only durable once its directory entry is.
void sync_parent_directory(const std::string& path) {
  const auto slash = path.find_last_of('/');
  const std::string dir = slash == std::string::npos ? "." : path.substr(0, slash + 1);
  UniqueFd dfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dfd.get() < 0) fail_errno("cannot open directory of", path);
  sync_or_throw(dfd.get(), dir);
}

std::vector<std::uint8_t> read_whole(int fd, const std::string& path) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) fail_errno("cannot stat", path);
  std::vector<std::uint8_t> data(static_cast<std::size_t>(st.st_size));
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::pread(fd, data.data() + done, data.size() - done, static_cast<off_t>(done));
    if (n < 0) {
      if (errno == EINTR) continue;
      fail_errno("cannot read", path);
    }
    if (n == 0) break;
    done += static_cast<std::size_t>(n);
  }
  data.resize(done);
  return data;
}

}  // namespace

std::uint32_t crc32c(std::span<const std::uint8_t> bytes, std::uint32_t crc) {
  crc = ~crc;
  for (std::uint8_t b : bytes) crc = kCrcTable[(crc ^ b) & 0xFFu] ^ (crc >> 8);
  return ~crc;
}

// ---------------------------------------------------------------- codec --

std::vector<std::uint8_t> encode_record(const Record& r) {
  std::vector<std::uint8_t> out;
  out.push_back(static_cast<std::uint8_t>(r.kind));
  switch (r.kind) {
    case Record::Kind::add_hosts:
      put32(out, r.host);
      break;
    case Record::Kind::log_message:
      put32(out, r.host);
      put32(out, r.interval);
      put32(out, r.sender);
      put32(out, r.sender_interval);
      break;
    case Record::Kind::checkpoint:
      put32(out, r.host);
      put32(out, r.interval);
      put32(out, static_cast<std::uint32_t>(r.dv.size()));
      for (const Dependency& d : r.dv) {
        put32(out, d.host);
        put32(out, d.interval);
      }
      break;
    case Record::Kind::state_change:
      out.insert(out.end(), r.blob.begin(), r.blob.end());
      break;
  }
  return out;
}

Record decode_record(std::span<const std::uint8_t> p) {
  if (p.empty()) throw CrsError("empty record");
  Record r;
  auto need = [&](std::size_t size) {
    if (p.size() != size)
      throw CrsError("record of kind " + std::to_string(p[0]) + " has " + std::to_string(p.size()) +
                     " bytes, expected " + std::to_string(size));
  };
  switch (p[0]) {
    case 1:
      need(5);
      r.kind = Record::Kind::add_hosts;
      r.host = get32(p, 1);
      break;
    case 2:
      need(17);
      r.kind = Record::Kind::log_message;
      r.host = get32(p, 1);
      r.interval = get32(p, 5);
      r.sender = get32(p, 9);
      r.sender_interval = get32(p, 13);
      break;
    case 3: {
      if (p.size() < 13) throw CrsError("short checkpoint record");
      r.kind = Record::Kind::checkpoint;
      r.host = get32(p, 1);
      r.interval = get32(p, 5);
      const std::uint64_t count = get32(p, 9);
      need(static_cast<std::size_t>(13 + 8 * count));
      for (std::size_t i = 0; i < count; ++i)
        r.dv.push_back(Dependency{get32(p, 13 + 8 * i), get32(p, 17 + 8 * i)});
      break;
    }
    case 4:
      r.kind = Record::Kind::state_change;
      r.blob.assign(p.begin() + 1, p.end());
      break;
    default:
      throw CrsError("unknown record kind " + std::to_string(p[0]));
  }
  return r;
}

// ------------------------------------------------------------- the file --

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.release();
  }
  return *this;
}

UniqueFd::~UniqueFd() {
  if (fd_ >= 0) ::close(fd_);
}

RecordFile RecordFile::open(const std::string& path,
                            const std::function<void(const Record&)>& apply, ReplayReport& report) {
  report = ReplayReport{};
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
  if (fd.get() < 0) fail_errno("cannot open record file", path);
  const std::vector<std::uint8_t> data = read_whole(fd.get(), path);
  const std::vector<std::uint8_t> header = header_bytes();

  auto cut_to = [&](std::uint64_t good, std::string problem) {
    report.problem = std::move(problem);
    report.discarded_bytes = data.size() - good;
    if (::ftruncate(fd.get(), static_cast<off_t>(good)) != 0) fail_errno("cannot truncate", path);
  };

  if (data.size() < kHeaderSize) {
    // Creation itself may have been torn; anything else is not our file.
    if (!std::equal(data.begin(), data.end(), header.begin()))
      throw CrsError(path + " is not an mlog-crs record file (bad header)");
    if (!data.empty()) cut_to(0, "torn file header (" + std::to_string(data.size()) + " bytes)");
    if (::lseek(fd.get(), 0, SEEK_SET) < 0) fail_errno("cannot seek", path);
    write_all(fd.get(), header, path);
    sync_or_throw(fd.get(), path);
    sync_parent_directory(path);
    report.valid_bytes = kHeaderSize;
    return RecordFile(std::move(fd), path, kHeaderSize);
  }
  if (!std::equal(header.begin(), header.end(), data.begin()))
    throw CrsError(path + " is not an mlog-crs record file (bad magic, version or header CRC)");

  const std::span<const std::uint8_t> all(data);
  std::uint64_t at = kHeaderSize;
  while (at < data.size()) {
    const std::uint64_t left = data.size() - at;
    const std::string where =
        "record " + std::to_string(report.records + 1) + " at byte " + std::to_string(at);
    if (left < kFrameSize) {
      cut_to(at, where + ": torn frame (" + std::to_string(left) + " bytes)");
      break;
    }
    const std::uint32_t length = get32(all, static_cast<std::size_t>(at));
    const std::uint32_t stored_crc = get32(all, static_cast<std::size_t>(at + 4));
    if (length > kMaxPayload) {
      cut_to(at, where + ": implausible length " + std::to_string(length));
      break;
    }
    if (left - kFrameSize < length) {
      cut_to(at, where + ": torn payload (" + std::to_string(left - kFrameSize) + " of " +
                     std::to_string(length) + " bytes)");
      break;
    }
    const auto payload = all.subspan(static_cast<std::size_t>(at + kFrameSize), length);
    const std::uint32_t crc = crc32c(payload, crc32c(all.subspan(static_cast<std::size_t>(at), 4)));
    if (crc != stored_crc) {
      cut_to(at, where + ": checksum mismatch");
      break;
    }
    try {
      apply(decode_record(payload));
    } catch (const CrsError& e) {
      cut_to(at, where + ": " + e.what());
      break;
    }
    ++report.records;
    at += kFrameSize + length;
  }
  if (!report.clean()) sync_or_throw(fd.get(), path);
  report.valid_bytes = at;
  if (::lseek(fd.get(), static_cast<off_t>(at), SEEK_SET) < 0) fail_errno("cannot seek", path);
  return RecordFile(std::move(fd), path, at);
}

void RecordFile::append(const Record& record) {
  const std::vector<std::uint8_t> payload = encode_record(record);
  if (payload.size() > kMaxPayload) throw CrsError("record too large");
  std::vector<std::uint8_t> frame;
  frame.reserve(kFrameSize + payload.size());
  put32(frame, static_cast<std::uint32_t>(payload.size()));
  put32(frame, crc32c(payload, crc32c(std::span(frame).first(4))));
  frame.insert(frame.end(), payload.begin(), payload.end());
  try {
    write_all(fd_.get(), frame, path_);
    sync_or_throw(fd_.get(), path_);
  } catch (const CrsError&) {
    // Leave no half record behind for the next append to follow; if even
    // that fails, the next open will find and cut the torn tail.
    if (::ftruncate(fd_.get(), static_cast<off_t>(size_)) == 0)
      (void)::lseek(fd_.get(), static_cast<off_t>(size_), SEEK_SET);
    throw;
  }
  size_ += frame.size();
}

// ------------------------------------------------------ the durable engine --

void DurableEngine::apply(Engine& engine, const Record& r) {
  switch (r.kind) {
    case Record::Kind::add_hosts:
      engine.add_hosts(r.host);
      break;
    case Record::Kind::log_message:
      engine.log_message(r.host, r.interval, r.sender, r.sender_interval);
      break;
    case Record::Kind::checkpoint:
      engine.checkpoint(r.host, r.interval, r.dv);
      break;
    case Record::Kind::state_change:
      throw CrsError("a state change record is not an input of the engine");
  }
}

DurableEngine::DurableEngine(const std::string& path, Engine::Options options)
    : engine_(options),
      file_(RecordFile::open(
          path, [this](const Record& r) { apply(engine_, r); }, report_)) {}

void DurableEngine::add_hosts(HostId count) {
  engine_.validate_add_hosts(count);
  Record r;
  r.kind = Record::Kind::add_hosts;
  r.host = count;
  file_.append(r);
  engine_.add_hosts(count);
}

void DurableEngine::log_message(HostId host, Interval interval, HostId sender,
                                Interval sender_interval) {
  engine_.validate_log_message(host, interval, sender, sender_interval);
  Record r;
  r.kind = Record::Kind::log_message;
  r.host = host;
  r.interval = interval;
  r.sender = sender;
  r.sender_interval = sender_interval;
  file_.append(r);
  engine_.log_message(host, interval, sender, sender_interval);
}

void DurableEngine::checkpoint(HostId host, Interval interval, DependencyVector dv) {
  engine_.validate_checkpoint(host, interval, dv);
  Record r;
  r.kind = Record::Kind::checkpoint;
  r.host = host;
  r.interval = interval;
  r.dv = dv;
  file_.append(r);
  engine_.checkpoint(host, interval, std::move(dv));
}

}  // namespace mlog::crs
