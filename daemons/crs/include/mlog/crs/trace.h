// SPDX-License-Identifier: GPL-2.0
// The trace language read by mlog-crs (documented in Documentation/crs.rst).
#pragma once

#include <iosfwd>
#include <string>

namespace mlog::crs {

enum class AlgorithmChoice { batch, incremental, both };

// Exit statuses of a trace run.
inline constexpr int kTraceOk = 0;
inline constexpr int kTraceBadInput = 2;
inline constexpr int kTraceDisagreement = 3;

// Runs a trace: events from `in`, results to `out`, one diagnostic naming
// `source` and the line number to `err`. Stops at the first bad line.
int run_trace(std::istream& in, std::ostream& out, std::ostream& err, AlgorithmChoice algorithm,
              const std::string& source);

}  // namespace mlog::crs
