// SPDX-License-Identifier: GPL-2.0
#include "run_args.h"

#include <CLI/CLI.hpp>
#include <algorithm>

namespace mlog::run {

RunOptions parse_run_args(const std::vector<std::string>& args, const std::string& env_state_dir) {
  RunOptions o;
  auto dashdash = std::find(args.begin(), args.end(), "--");
  const std::vector<std::string> ours(args.begin(), dashdash);
  if (dashdash != args.end()) o.argv.assign(dashdash + 1, args.end());

  CLI::App app{
      "mlog-run: run ranks 0..N-1 of a job as protected hosts of the mlog cluster\n"
      "usage: mlog-run -n N [--nodes ID,ID,...] [--name JOB] [--label] [--state-dir DIR] -- "
      "PROGRAM [ARGS...]",
      "mlog-run"};
  app.add_option("-n", o.ranks, "number of ranks")->required()->check(CLI::Range(1, 65535));
  app.add_option("--nodes", o.nodes, "node ids the ranks go to, cycling")->delimiter(',');
  app.add_option("--name", o.name, "job name (default: the program's name)");
  app.add_flag("--label", o.label, "prefix each output line with [RANK]");
  app.add_option("--state-dir", o.state_dir,
                 "shared state directory (default: $MLOG_STATE_DIR, else /var/lib/mlog)");
  std::vector<std::string> reversed(ours.rbegin(), ours.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    o.help = true;
    o.help_text = app.help();
    return o;
  } catch (const CLI::ParseError& e) {
    throw RunUsageError(e.what());
  }
  if (o.argv.empty()) throw RunUsageError("no program given (mlog-run -n N -- PROGRAM ARGS...)");
  if (o.argv[0].empty()) throw RunUsageError("empty program name");
  if (o.state_dir.empty()) o.state_dir = env_state_dir.empty() ? "/var/lib/mlog" : env_state_dir;
  return o;
}

}  // namespace mlog::run
