// SPDX-License-Identifier: GPL-2.0
// mlog-ring: a deterministic token ring for recovery tests.  Run by
// mlog-run; rank r receives the token from rank r-1 on its host-form port
// and passes it on, for --rounds rounds, printing one line per token.  It
// reads nothing but its messages, so a re-execution prints the same lines.
//
//   mlog-run -n 3 -- mlog-ring [--rounds N] [--port P] [--delay-ms D]
#include <linux/mlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>

namespace {

std::uint32_t env_number(const char* name) {
  const char* v = std::getenv(name);
  if (!v) {
    std::fprintf(stderr, "mlog-ring: %s is not set (run me with mlog-run)\n", name);
    std::exit(2);
  }
  return static_cast<std::uint32_t>(std::strtoul(v, nullptr, 10));
}

}  // namespace

int main(int argc, char** argv) {
  unsigned long rounds = 100, port = 1000, delay_ms = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string opt = argv[i];
    const unsigned long v = std::strtoul(argv[i + 1], nullptr, 10);
    if (opt == "--rounds")
      rounds = v;
    else if (opt == "--port")
      port = v;
    else if (opt == "--delay-ms")
      delay_ms = v;
    else {
      std::fprintf(stderr, "usage: mlog-ring [--rounds N] [--port P] [--delay-ms D]\n");
      return 2;
    }
  }
  const std::uint32_t rank = env_number("MLOG_RANK"), size = env_number("MLOG_SIZE"),
                      base = env_number("MLOG_HOST_BASE");
  const int family = static_cast<int>(env_number("MLOG_FAMILY"));
  const int fd = ::socket(family, SOCK_RDM, 0);
  if (fd < 0) {
    std::perror("mlog-ring: socket");
    return 1;
  }
  sockaddr_mlog me{}, next{};
  mlog_sockaddr_host(&me, static_cast<__kernel_sa_family_t>(family), 0,
                     static_cast<std::uint16_t>(port));
  mlog_sockaddr_host(&next, static_cast<__kernel_sa_family_t>(family), base + (rank + 1) % size,
                     static_cast<std::uint16_t>(port));
  if (::bind(fd, reinterpret_cast<sockaddr*>(&me), sizeof(me)) != 0) {
    std::perror("mlog-ring: bind");
    return 1;
  }
  auto pass = [&](std::uint64_t token) {
    while (::sendto(fd, &token, sizeof(token), 0, reinterpret_cast<sockaddr*>(&next),
                    sizeof(next)) < 0) {
      if (errno == EINTR || errno == EHOSTUNREACH || errno == ECONNRESET) continue;
      std::perror("mlog-ring: send");
      std::exit(1);
    }
  };
  if (rank == 0 && size > 1) pass(1);
  for (unsigned long round = 0; round < rounds && size > 1; ++round) {
    std::uint64_t token = 0;
    ssize_t n;
    do n = ::recv(fd, &token, sizeof(token), 0);
    while (n < 0 && (errno == EINTR || errno == EHOSTUNREACH || errno == ECONNRESET));
    if (n != static_cast<ssize_t>(sizeof(token))) {
      std::fprintf(stderr, "mlog-ring: recv: %s\n", n < 0 ? std::strerror(errno) : "short");
      return 1;
    }
    std::printf("rank %u round %lu token %llu\n", rank, round,
                static_cast<unsigned long long>(token));
    std::fflush(stdout);
    if (delay_ms) {
      const timespec ts{static_cast<time_t>(delay_ms / 1000),
                        static_cast<long>(delay_ms % 1000) * 1000000L};
      ::nanosleep(&ts, nullptr);
    }
    // Rank 0 started the ring: it does not pass on the last token.
    if (!(round + 1 == rounds && rank == 0)) pass(token + 1);
  }
  std::printf("rank %u done\n", rank);
  std::fflush(stdout);
  // Give the last message time to be acknowledged before the socket goes.
  ::sleep(1);
  return 0;
}
