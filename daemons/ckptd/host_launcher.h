// SPDX-License-Identifier: GPL-2.0
// Starting a protected host: a fresh PID namespace whose first process
// waits until the ckptd has registered it (HOST_ADD with its pid), then
// forks the program with stdin on /dev/null and stdout/stderr on pipes,
// reaps, passes the program's wait status back on a pipe and exits, which
// ends the namespace.
#pragma once

#include <sys/types.h>

#include "program.h"
#include "unique_fd.h"

namespace mlog::ckptd {

struct LaunchedHost {
  pid_t init_pid = -1;  // the namespace's first process, in our namespace
  rpc::Fd go;           // write one byte: the program may start; close: abort
  rpc::Fd out;          // the program's stdout
  rpc::Fd err;          // the program's stderr
  rpc::Fd status;       // an int wait status, then EOF
};

// Makes this process the reaper of the namespaces' first processes
// (PR_SET_CHILD_SUBREAPER); call once at start.
void become_subreaper();

// Throws std::system_error.  The first process is our child (through the
// subreaper): reap it with waitpid() when SIGCHLD says so.
LaunchedHost launch_host(const ProgramSpec& spec);

}  // namespace mlog::ckptd
