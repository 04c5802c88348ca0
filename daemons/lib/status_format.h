// SPDX-License-Identifier: GPL-2.0
// Rendering of the module's STATUS reply for people and for scripts.
#pragma once

#include <string>

#include "genl_client.h"

namespace mlog {

// Name of a MLOG_STAT_* counter as printed by mlogctl ("tx_frames"...).
const char* stat_name(int stat);

std::string format_status_text(const AttrMap& status);
std::string format_status_json(const AttrMap& status);

}  // namespace mlog
