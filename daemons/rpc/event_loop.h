// SPDX-License-Identifier: GPL-2.0
// A small single-threaded event loop: file descriptors watched with
// poll(), one-shot timers, and signals read from a signalfd.  Callbacks
// may add and remove watches and timers, and stop the loop.
#pragma once

#include <poll.h>
#include <sys/signalfd.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <vector>

#include "unique_fd.h"

namespace mlog::rpc {

using Clock = std::chrono::steady_clock;
using Millis = std::chrono::milliseconds;

class EventLoop {
 public:
  using FdCallback = std::function<void(short revents)>;
  using TimerCallback = std::function<void()>;
  using SignalCallback = std::function<void(const signalfd_siginfo&)>;
  using TimerId = std::uint64_t;

  EventLoop() = default;
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Watch @fd for @events (POLLIN...); replaces an earlier watch of it.
  void watch(int fd, short events, FdCallback cb);
  void unwatch(int fd);
  bool watching(int fd) const { return fds_.contains(fd); }

  // Run @cb once, @delay from now.
  TimerId after(Millis delay, TimerCallback cb);
  // Run @cb every @period until cancelled.
  TimerId every(Millis period, TimerCallback cb);
  void cancel(TimerId id);

  // Block @signals and deliver them through a signalfd to @cb.
  void on_signals(const std::vector<int>& signals, SignalCallback cb);

  // Until stop(); exceptions from callbacks propagate out of run().
  void run();
  // One poll round, waiting at most @max_wait: for tests.
  void run_once(Millis max_wait);
  void stop() { stopped_ = true; }
  bool stopped() const { return stopped_; }

 private:
  struct Timer {
    TimerCallback cb;
    Millis period{0};  // 0: one-shot
  };
  struct Watch {
    short events;
    FdCallback cb;
    std::uint64_t generation;
  };
  void fire_due_timers();
  int poll_timeout(Millis max_wait) const;

  std::map<int, Watch> fds_;
  std::multimap<Clock::time_point, TimerId> deadlines_;
  std::map<TimerId, std::pair<Clock::time_point, Timer>> timers_;
  TimerId next_timer_ = 1;
  std::uint64_t generation_ = 0;
  Fd signal_fd_;
  SignalCallback signal_cb_;
  bool stopped_ = false;
};

}  // namespace mlog::rpc
