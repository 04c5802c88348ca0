// SPDX-License-Identifier: GPL-2.0
// mlog-run's command line:
//   mlog-run -n N [--nodes ID,ID,...] [--name JOB] [--label] [--state-dir DIR]
//            -- PROGRAM [ARGS...]
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace mlog::run {

struct RunOptions {
  std::uint32_t ranks = 0;
  std::vector<std::uint32_t> nodes;
  std::string name;
  bool label = false;
  std::string state_dir;
  std::vector<std::string> argv;
  bool help = false;
  std::string help_text;
};

class RunUsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// @args excludes the program name.  @env_state_dir is $MLOG_STATE_DIR
// (empty if unset).  Throws RunUsageError with a one-line reason.
RunOptions parse_run_args(const std::vector<std::string>& args, const std::string& env_state_dir);

}  // namespace mlog::run
