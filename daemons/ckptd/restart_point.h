// SPDX-License-Identifier: GPL-2.0
// Where a restarting host begins: the one place that decides it
// (Documentation/recovery.rst).  Today always the host's start, its
// interval-0 checkpoint: the program, arguments, environment and working
// directory of the job; the replay then delivers RSNs 1..R.  A CRIU
// checkpoint replaces this with "the latest checkpoint" (an image to
// restore, its interval, and the RSN the replay starts after).
#pragma once

#include <cstdint>

#include "mlog.pb.h"

namespace mlog::ckptd {

struct RestartPoint {
  std::uint64_t interval = 0;   // the state the host is restored to
  std::uint64_t first_rsn = 1;  // the first logged message to replay
  // The program is started afresh from the job's spec.
  bool from_program_start = true;
};

RestartPoint restart_point(const pb::StartHost& start);

}  // namespace mlog::ckptd
