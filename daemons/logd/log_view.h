// SPDX-License-Identifier: GPL-2.0
// What mlog-logd answers, from what LOG_GET returned: the index of the
// fully logged entries of a receiver, and the entries of an RSN range.
#pragma once

#include <cstdint>
#include <vector>

#include "mlog.pb.h"
#include "recovery_nl.h"

namespace mlog::logd {

// The FULL entries received by @host with RSN >= @from_rsn, in RSN order.
pb::LogIndexReply make_index(std::uint32_t host, std::uint64_t from_rsn,
                             const std::vector<LoggedMessage>& dump);

// The FULL entries of @host with RSN in [from_rsn, to_rsn], with their
// bytes, in RSN order.
std::vector<pb::LoggedMessage> select_range(std::uint32_t host, std::uint64_t from_rsn,
                                            std::uint64_t to_rsn,
                                            const std::vector<LoggedMessage>& dump);

pb::LoggedMessage to_proto(const LoggedMessage& m);

}  // namespace mlog::logd
