// SPDX-License-Identifier: GPL-2.0
// Rendering of the module's STATUS, NODE and STATS replies for people and
// for scripts.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "genl_client.h"

namespace mlog {

// Name of a MLOG_STAT_* counter as printed by mlogctl ("tx_frames"...);
// nullptr for MLOG_STAT_PAD and counters this mlogctl does not know.
const char* stat_name(int stat);

// Name of an enum mlog_log_mode ("none"), "unknown(N)" for others.
std::string log_mode_name(uint32_t mode);

// @s as a JSON string literal, quotes included.  Kernel strings are data,
// not trusted: quotes, backslashes and control characters are escaped.
std::string json_quote(std::string_view s);

// The known counters of a MLOG_ATTR_STATS nest, keyed by MLOG_STAT_*.
// Padding and unknown counter types are skipped; a known counter that is
// not 8 bytes throws MalformedMessage.
std::map<int, uint64_t> decode_stats(const Attr& nest);

std::string format_status_text(const AttrMap& status);
std::string format_status_json(const AttrMap& status);

// The reply to MLOG_CMD_STATS_GET; throws MalformedMessage if it has no
// MLOG_ATTR_STATS.
std::string format_stats_text(const AttrMap& reply);
std::string format_stats_json(const AttrMap& reply);

}  // namespace mlog
