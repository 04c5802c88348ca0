// SPDX-License-Identifier: GPL-2.0
#include "program.h"

#include <sys/stat.h>
#include <unistd.h>

namespace mlog::ckptd {

namespace {

bool is_executable_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

bool is_directory(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

}  // namespace

std::string env_value(const std::vector<std::string>& env, const std::string& name) {
  for (const auto& e : env)
    if (e.size() > name.size() && e.compare(0, name.size(), name) == 0 && e[name.size()] == '=')
      return e.substr(name.size() + 1);
  return {};
}

std::vector<std::string> rank_environment(const std::vector<std::string>& env,
                                          const RankIdentity& id) {
  const std::vector<std::pair<std::string, std::string>> ours = {
      {"MLOG_RANK", std::to_string(id.rank)},
      {"MLOG_SIZE", std::to_string(id.size)},
      {"MLOG_JOB", id.job},
      {"MLOG_HOST_BASE", std::to_string(id.host_base)},
      {"MLOG_FAMILY", std::to_string(id.family)}};
  std::vector<std::string> out;
  for (const auto& e : env) {
    bool replaced = false;
    for (const auto& [name, value] : ours)
      replaced |= e.compare(0, name.size() + 1, name + "=") == 0;
    if (!replaced) out.push_back(e);
  }
  for (const auto& [name, value] : ours) out.push_back(name + "=" + value);
  return out;
}

std::variant<std::string, std::string> resolve_program(const std::string& argv0,
                                                       const std::string& path_var,
                                                       const std::string& cwd) {
  using R = std::variant<std::string, std::string>;
  if (argv0.empty()) return R(std::in_place_index<1>, "no program given");
  if (argv0.find('/') != std::string::npos) {
    const std::string full = argv0[0] == '/' ? argv0 : cwd + "/" + argv0;
    if (is_executable_file(full)) return R(std::in_place_index<0>, full);
    return R(std::in_place_index<1>, "program not found or not executable: " + full);
  }
  const std::string path = path_var.empty() ? "/usr/local/bin:/usr/bin:/bin" : path_var;
  std::size_t at = 0;
  for (;;) {
    const auto colon = path.find(':', at);
    std::string dir = path.substr(at, colon == std::string::npos ? std::string::npos : colon - at);
    if (dir.empty())
      dir = cwd;
    else if (dir[0] != '/')
      dir = cwd + "/" + dir;
    const std::string full = dir + "/" + argv0;
    if (is_executable_file(full)) return R(std::in_place_index<0>, full);
    if (colon == std::string::npos) break;
    at = colon + 1;
  }
  return R(std::in_place_index<1>, "program not found: " + argv0 + " (PATH=" + path + ")");
}

std::variant<ProgramSpec, std::string> program_for(const pb::JobSpec& job, const RankIdentity& id) {
  using R = std::variant<ProgramSpec, std::string>;
  if (job.argv_size() == 0) return R(std::in_place_index<1>, "no program given");
  const std::string cwd = job.cwd().empty() ? "/" : job.cwd();
  if (!is_directory(cwd)) return R(std::in_place_index<1>, "no such directory: " + cwd);
  const std::vector<std::string> env(job.env().begin(), job.env().end());
  auto path = resolve_program(job.argv(0), env_value(env, "PATH"), cwd);
  if (path.index() == 1) return R(std::in_place_index<1>, std::get<1>(path));
  ProgramSpec p;
  p.path = std::get<0>(path);
  p.argv.assign(job.argv().begin(), job.argv().end());
  p.env = rank_environment(env, id);
  p.cwd = cwd;
  return p;
}

}  // namespace mlog::ckptd
