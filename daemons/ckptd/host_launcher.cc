// SPDX-License-Identifier: GPL-2.0
#include "host_launcher.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>
#include <vector>

namespace mlog::ckptd {

namespace {

[[noreturn]] void fail(const char* what) {
  throw std::system_error(errno, std::generic_category(), what);
}

void write_all(int fd, const void* data, std::size_t len) {
  const auto* p = static_cast<const char*>(data);
  while (len) {
    const ssize_t n = ::write(fd, p, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    p += n;
    len -= static_cast<std::size_t>(n);
  }
}

std::vector<char*> c_strings(std::vector<std::string>& v) {
  std::vector<char*> out;
  for (auto& s : v) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// The namespace's first process (pid 1 in it).  Only async-signal-safe
// calls from here on, and _exit.
[[noreturn]] void run_init(int go, int out, int err, int status, const char* path, char** argv,
                           char** envp, const char* cwd) {
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  // Nothing of the daemon's (sockets, other hosts' pipes) stays open here.
  const long max_fd = ::sysconf(_SC_OPEN_MAX);
  for (int fd = 3; fd < (max_fd > 0 && max_fd < 65536 ? max_fd : 65536); ++fd)
    if (fd != go && fd != out && fd != err && fd != status) ::close(fd);
  char byte = 0;
  ssize_t n;
  do n = ::read(go, &byte, 1);
  while (n < 0 && errno == EINTR);
  if (n != 1) _exit(1);  // not registered: never run the program
  ::close(go);
  const pid_t program = ::fork();
  if (program < 0) _exit(1);
  if (program == 0) {
    const int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull < 0 || ::dup2(devnull, 0) < 0 || ::dup2(out, 1) < 0 || ::dup2(err, 2) < 0)
      _exit(127);
    ::close(status);
    if (::chdir(cwd) != 0) {
      const char msg[] = "mlog-ckptd: cannot enter the working directory\n";
      write_all(2, msg, sizeof(msg) - 1);
      _exit(127);
    }
    ::execve(path, argv, envp);
    const char msg[] = "mlog-ckptd: cannot execute the program: ";
    write_all(2, msg, sizeof(msg) - 1);
    const char* why = ::strerror(errno);
    write_all(2, why, ::strlen(why));
    write_all(2, "\n", 1);
    _exit(127);
  }
  ::close(out);
  ::close(err);
  for (;;) {
    int ws = 0;
    const pid_t w = ::wait(&ws);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) _exit(1);
    if (w == program) {
      write_all(status, &ws, sizeof(ws));
      _exit(0);  // the namespace, and whatever is left in it, ends here
    }
  }
}

}  // namespace

void become_subreaper() {
  if (::prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) fail("prctl(PR_SET_CHILD_SUBREAPER)");
}

LaunchedHost launch_host(const ProgramSpec& spec) {
  rpc::Pipe go = rpc::make_pipe(), out = rpc::make_pipe(), err = rpc::make_pipe(),
            status = rpc::make_pipe(), pid = rpc::make_pipe();
  // Everything the children need is prepared before fork.
  std::vector<std::string> argv = spec.argv, env = spec.env;
  auto c_argv = c_strings(argv);
  auto c_env = c_strings(env);

  const pid_t trampoline = ::fork();
  if (trampoline < 0) fail("fork");
  if (trampoline == 0) {
    // The next child becomes pid 1 of a new PID namespace.
    if (::unshare(CLONE_NEWPID) != 0) _exit(2);
    const pid_t init = ::fork();
    if (init < 0) _exit(3);
    if (init == 0) {
      // The pipe ends this process keeps lose O_CLOEXEC on purpose: the
      // program gets out/err through dup2, the rest are closed there.
      run_init(go.read.get(), out.write.get(), err.write.get(), status.write.get(),
               spec.path.c_str(), c_argv.data(), c_env.data(), spec.cwd.c_str());
    }
    write_all(pid.write.get(), &init, sizeof(init));
    _exit(0);
  }
  go.read.reset();
  out.write.reset();
  err.write.reset();
  status.write.reset();
  pid.write.reset();
  int ws = 0;
  while (::waitpid(trampoline, &ws, 0) < 0 && errno == EINTR) {
  }
  pid_t init = -1;
  if (::read(pid.read.get(), &init, sizeof(init)) != static_cast<ssize_t>(sizeof(init)) ||
      init <= 0) {
    errno = WIFEXITED(ws) && WEXITSTATUS(ws) == 2 ? EPERM : ECHILD;
    fail("cannot start a PID namespace (unshare(CLONE_NEWPID))");
  }
  LaunchedHost h;
  h.init_pid = init;
  h.go = std::move(go.write);
  h.out = std::move(out.read);
  h.err = std::move(err.read);
  h.status = std::move(status.read);
  return h;
}

}  // namespace mlog::ckptd
