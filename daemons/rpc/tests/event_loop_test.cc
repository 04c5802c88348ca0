// SPDX-License-Identifier: GPL-2.0
#include "event_loop.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <vector>

namespace mlog::rpc {
namespace {

TEST(EventLoop, TimersFireInOrderAndCancel) {
  EventLoop loop;
  std::vector<int> fired;
  loop.after(Millis(20), [&] { fired.push_back(2); });
  loop.after(Millis(5), [&] { fired.push_back(1); });
  const auto gone = loop.after(Millis(10), [&] { fired.push_back(99); });
  loop.cancel(gone);
  loop.after(Millis(30), [&] { loop.stop(); });
  loop.run();
  EXPECT_EQ(fired, (std::vector<int>{1, 2}));
}

TEST(EventLoop, PeriodicTimer) {
  EventLoop loop;
  int n = 0;
  EventLoop::TimerId id = 0;
  id = loop.every(Millis(2), [&] {
    if (++n == 3) {
      loop.cancel(id);
      loop.after(Millis(10), [&] { loop.stop(); });
    }
  });
  loop.run();
  EXPECT_EQ(n, 3);
}

TEST(EventLoop, PipeReadableAndUnwatchInCallback) {
  EventLoop loop;
  Pipe p = make_pipe();
  std::string got;
  loop.watch(p.read.get(), POLLIN, [&](short) {
    char buf[16];
    const ssize_t n = ::read(p.read.get(), buf, sizeof(buf));
    if (n > 0) got.append(buf, static_cast<std::size_t>(n));
    loop.unwatch(p.read.get());
    loop.stop();
  });
  ASSERT_EQ(::write(p.write.get(), "hi", 2), 2);
  loop.run();
  EXPECT_EQ(got, "hi");
  EXPECT_FALSE(loop.watching(p.read.get()));
}

TEST(EventLoop, SignalsArriveThroughSignalfd) {
  EventLoop loop;
  int seen = 0;
  loop.on_signals({SIGUSR1}, [&](const signalfd_siginfo& si) {
    seen = static_cast<int>(si.ssi_signo);
    loop.stop();
  });
  ::kill(::getpid(), SIGUSR1);
  loop.after(Millis(2000), [&] { loop.stop(); });
  loop.run();
  EXPECT_EQ(seen, SIGUSR1);
}

}  // namespace
}  // namespace mlog::rpc
