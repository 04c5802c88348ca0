// SPDX-License-Identifier: GPL-2.0
// Did this process run when its timer said it would?  A daemon on an
// overloaded node (or in a paused VM) can go seconds without running; a
// failure detector must not hold that time against the nodes it watches,
// and an operator wants to see it in the log.
#pragma once

#include <optional>

#include "event_loop.h"

namespace mlog::rpc {

class StallWatch {
 public:
  // @period: how often tick() is meant to be called.
  explicit StallWatch(Millis period) : period_(period) {}

  // Call from a timer of @period.  Returns how long the process did not
  // run, when the time since the previous tick exceeds two periods: the
  // gap less the one period that was expected.
  std::optional<Millis> tick(Clock::time_point now) {
    std::optional<Millis> stalled;
    if (last_ && now - *last_ > 2 * period_)
      stalled = std::chrono::duration_cast<Millis>(now - *last_ - period_);
    last_ = now;
    return stalled;
  }

 private:
  Millis period_;
  std::optional<Clock::time_point> last_;
};

}  // namespace mlog::rpc
