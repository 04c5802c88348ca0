// SPDX-License-Identifier: GPL-2.0
// mlog-crs: reads a trace of sends, receives, logging and checkpoint events
// and prints the current recovery state whenever the trace asks for it.
#include <fstream>
#include <iostream>
#include <string>
#include <string_view>

#include "mlog/crs/trace.h"

namespace {

void usage(std::ostream& os) {
  os << "usage: mlog-crs [--algorithm batch|incremental|both] [TRACE]\n"
        "Reads TRACE (or standard input) and prints the CRS at every 'crs' line.\n"
        "Exit status: 0 success, 2 bad input or usage, 3 the algorithms disagree.\n";
}

}  // namespace

int main(int argc, char** argv) {
  using mlog::crs::AlgorithmChoice;
  AlgorithmChoice algorithm = AlgorithmChoice::incremental;
  std::string path;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    std::string_view value;
    if (arg == "--help" || arg == "-h") {
      usage(std::cout);
      return 0;
    }
    if (arg == "--algorithm") {
      if (i + 1 >= argc) {
        usage(std::cerr);
        return 2;
      }
      value = argv[++i];
    } else if (arg.starts_with("--algorithm=")) {
      value = arg.substr(12);
    } else if (!arg.starts_with("-") && path.empty()) {
      path = arg;
      continue;
    } else {
      std::cerr << "mlog-crs: unknown argument '" << arg << "'\n";
      usage(std::cerr);
      return 2;
    }
    if (value == "batch") {
      algorithm = AlgorithmChoice::batch;
    } else if (value == "incremental") {
      algorithm = AlgorithmChoice::incremental;
    } else if (value == "both") {
      algorithm = AlgorithmChoice::both;
    } else {
      std::cerr << "mlog-crs: unknown algorithm '" << value << "'\n";
      usage(std::cerr);
      return 2;
    }
  }
  if (path.empty() || path == "-")
    return mlog::crs::run_trace(std::cin, std::cout, std::cerr, algorithm, "<stdin>");
  std::ifstream in(path);
  if (!in) {
    std::cerr << "mlog-crs: cannot open " << path << '\n';
    return 2;
  }
  return mlog::crs::run_trace(in, std::cout, std::cerr, algorithm, path);
}
