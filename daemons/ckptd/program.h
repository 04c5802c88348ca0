// SPDX-License-Identifier: GPL-2.0
// What a rank runs: its program found through the job's PATH, its working
// directory checked, its environment with the MLOG_* variables.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "mlog.pb.h"

namespace mlog::ckptd {

struct ProgramSpec {
  std::string path;  // absolute or relative to cwd, executable
  std::vector<std::string> argv;
  std::vector<std::string> env;
  std::string cwd;
};

struct RankIdentity {
  std::uint32_t rank = 0;
  std::uint32_t size = 0;
  std::string job;
  std::uint32_t host_base = 0;
  int family = 0;
};

// The value of NAME in a "NAME=VALUE" list; empty if absent.
std::string env_value(const std::vector<std::string>& env, const std::string& name);

// The job's environment with MLOG_RANK, MLOG_SIZE, MLOG_JOB,
// MLOG_HOST_BASE and MLOG_FAMILY set (replacing any given).
std::vector<std::string> rank_environment(const std::vector<std::string>& env,
                                          const RankIdentity& id);

// Finds @argv0 as execvp would with the job's PATH (relative paths with a
// slash are taken from @cwd); the error names what is missing.
std::variant<std::string, std::string> resolve_program(const std::string& argv0,
                                                       const std::string& path_var,
                                                       const std::string& cwd);

// The spec of a rank, or a one-line error ("no such directory: /x",
// "program not found: foo (PATH=...)").
std::variant<ProgramSpec, std::string> program_for(const pb::JobSpec& job, const RankIdentity& id);

}  // namespace mlog::ckptd
