// SPDX-License-Identifier: GPL-2.0
#include "event_loop.h"

#include <fcntl.h>
#include <signal.h>

#include <cerrno>
#include <climits>
#include <system_error>

namespace mlog::rpc {

Pipe make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::system_error(errno, std::generic_category(), "pipe");
  return Pipe{Fd(fds[0]), Fd(fds[1])};
}

void EventLoop::watch(int fd, short events, FdCallback cb) {
  fds_[fd] = Watch{events, std::move(cb), ++generation_};
}

void EventLoop::unwatch(int fd) { fds_.erase(fd); }

EventLoop::TimerId EventLoop::after(Millis delay, TimerCallback cb) {
  const TimerId id = next_timer_++;
  const auto when = Clock::now() + delay;
  timers_.emplace(id, std::make_pair(when, Timer{std::move(cb), Millis(0)}));
  deadlines_.emplace(when, id);
  return id;
}

EventLoop::TimerId EventLoop::every(Millis period, TimerCallback cb) {
  if (period <= Millis(0)) period = Millis(1);
  const TimerId id = next_timer_++;
  const auto when = Clock::now() + period;
  timers_.emplace(id, std::make_pair(when, Timer{std::move(cb), period}));
  deadlines_.emplace(when, id);
  return id;
}

void EventLoop::cancel(TimerId id) { timers_.erase(id); }

void EventLoop::on_signals(const std::vector<int>& signals, SignalCallback cb) {
  sigset_t set;
  sigemptyset(&set);
  for (int s : signals) sigaddset(&set, s);
  if (sigprocmask(SIG_BLOCK, &set, nullptr) != 0)
    throw std::system_error(errno, std::generic_category(), "sigprocmask");
  const int fd = ::signalfd(signal_fd_.get(), &set, SFD_NONBLOCK | SFD_CLOEXEC);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "signalfd");
  if (!signal_fd_) signal_fd_.reset(fd);
  signal_cb_ = std::move(cb);
  watch(signal_fd_.get(), POLLIN, [this](short) {
    signalfd_siginfo info;
    while (::read(signal_fd_.get(), &info, sizeof(info)) == static_cast<ssize_t>(sizeof(info)))
      if (signal_cb_) signal_cb_(info);
  });
}

void EventLoop::fire_due_timers() {
  const auto now = Clock::now();
  while (!deadlines_.empty() && deadlines_.begin()->first <= now) {
    const auto [when, id] = *deadlines_.begin();
    deadlines_.erase(deadlines_.begin());
    auto it = timers_.find(id);
    if (it == timers_.end() || it->second.first != when) continue;  // cancelled or moved
    TimerCallback cb = it->second.second.cb;
    const Millis period = it->second.second.period;
    if (period > Millis(0)) {
      const auto next = now + period;
      it->second.first = next;
      deadlines_.emplace(next, id);
    } else {
      timers_.erase(it);
    }
    cb();
    if (stopped_) return;
  }
}

int EventLoop::poll_timeout(Millis max_wait) const {
  auto wait = max_wait;
  for (auto it = deadlines_.begin(); it != deadlines_.end(); ++it) {
    const auto t = timers_.find(it->second);
    if (t == timers_.end() || t->second.first != it->first) continue;
    const auto left = std::chrono::ceil<Millis>(it->first - Clock::now());
    wait = std::min(wait, std::max(left, Millis(0)));
    break;
  }
  return wait.count() > INT_MAX ? INT_MAX : static_cast<int>(wait.count());
}

void EventLoop::run_once(Millis max_wait) {
  std::vector<pollfd> pfds;
  std::vector<std::uint64_t> gens;
  for (const auto& [fd, w] : fds_) {
    pfds.push_back(pollfd{fd, w.events, 0});
    gens.push_back(w.generation);
  }
  const int n = ::poll(pfds.data(), pfds.size(), poll_timeout(max_wait));
  if (n < 0 && errno != EINTR) throw std::system_error(errno, std::generic_category(), "poll");
  for (std::size_t i = 0; n > 0 && i < pfds.size() && !stopped_; ++i) {
    if (!pfds[i].revents) continue;
    // The watch may have been removed or replaced by an earlier callback.
    auto it = fds_.find(pfds[i].fd);
    if (it == fds_.end() || it->second.generation != gens[i]) continue;
    FdCallback cb = it->second.cb;
    cb(pfds[i].revents);
  }
  if (!stopped_) fire_due_timers();
}

void EventLoop::run() {
  stopped_ = false;
  while (!stopped_) run_once(Millis(60'000));
}

}  // namespace mlog::rpc
