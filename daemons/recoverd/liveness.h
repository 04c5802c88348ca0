// SPDX-License-Identifier: GPL-2.0
// How long a member has been silent, from the two things mlog-recoverd
// can observe (Documentation/recovery.rst, "Failure detection").
#pragma once

#include <algorithm>
#include <optional>

#include "event_loop.h"

namespace mlog::recoverd {

// A member's silence: the time since its mlog-ckptd last answered a
// heartbeat, unless this node's module received any frame from the
// member's node more recently (@module_silence; nullopt when it never did
// or could not be asked).  A node whose module still sends (retransmitted
// data, acknowledgments) is not dead, however its heartbeats fare: on an
// overloaded cluster the datagrams of the heartbeat can be lost for
// seconds while the reliable traffic gets through.
inline rpc::Millis member_silence(rpc::Millis heartbeat_silence,
                                  std::optional<rpc::Millis> module_silence) {
  return module_silence ? std::min(heartbeat_silence, *module_silence) : heartbeat_silence;
}

}  // namespace mlog::recoverd
