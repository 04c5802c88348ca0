// SPDX-License-Identifier: GPL-2.0
#include "program.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "host_launcher.h"
#include "restart_point.h"

namespace mlog::ckptd {
namespace {

pb::JobSpec job(std::vector<std::string> argv, std::string cwd = "/") {
  pb::JobSpec j;
  j.set_name("t");
  for (auto& a : argv) j.add_argv(a);
  j.add_env("PATH=/usr/bin:/bin");
  j.add_env("MLOG_RANK=99");
  j.add_env("HOME=/root");
  j.set_cwd(cwd);
  j.set_size(2);
  return j;
}

const RankIdentity kId{1, 2, "t", 7, 45};

TEST(Program, FoundThroughTheJobsPath) {
  const auto p = program_for(job({"sh", "-c", "true"}), kId);
  ASSERT_EQ(p.index(), 0u) << std::get<1>(p);
  const auto& spec = std::get<0>(p);
  EXPECT_TRUE(spec.path == "/usr/bin/sh" || spec.path == "/bin/sh") << spec.path;
  EXPECT_EQ(env_value(spec.env, "MLOG_RANK"), "1");
  EXPECT_EQ(env_value(spec.env, "MLOG_SIZE"), "2");
  EXPECT_EQ(env_value(spec.env, "MLOG_JOB"), "t");
  EXPECT_EQ(env_value(spec.env, "MLOG_HOST_BASE"), "7");
  EXPECT_EQ(env_value(spec.env, "MLOG_FAMILY"), "45");
  EXPECT_EQ(env_value(spec.env, "HOME"), "/root");
}

TEST(Program, MissingProgramOrDirectoryIsAClearError) {
  const auto p = program_for(job({"no-such-program-mlog"}), kId);
  ASSERT_EQ(p.index(), 1u);
  EXPECT_NE(std::get<1>(p).find("program not found: no-such-program-mlog"), std::string::npos);
  const auto d = program_for(job({"sh"}, "/no/such/dir"), kId);
  ASSERT_EQ(d.index(), 1u);
  EXPECT_NE(std::get<1>(d).find("no such directory: /no/such/dir"), std::string::npos);
  // Not executable.
  const std::string plain = "/tmp/mlog-ckptd-test-" + std::to_string(::getpid());
  ASSERT_EQ(::close(::creat(plain.c_str(), 0644)), 0);
  const auto x = program_for(job({plain}), kId);
  ::unlink(plain.c_str());
  EXPECT_EQ(x.index(), 1u);
}

TEST(RestartPoint, TodayAlwaysTheProgramStart) {
  const auto rp = restart_point(pb::StartHost{});
  EXPECT_TRUE(rp.from_program_start);
  EXPECT_EQ(rp.interval, 0u);
  EXPECT_EQ(rp.first_rsn, 1u);
}

std::string read_all(int fd) {
  std::string s;
  char buf[256];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof(buf))) > 0) s.append(buf, static_cast<std::size_t>(n));
  return s;
}

// Needs CAP_SYS_ADMIN for unshare(CLONE_NEWPID); skipped without it.
TEST(HostLauncher, RunsTheProgramAsPid2OfItsNamespace) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root for a PID namespace";
  become_subreaper();
  const auto p = program_for(job({"sh", "-c", "echo pid $$; echo oops >&2; exit 3"}), kId);
  ASSERT_EQ(p.index(), 0u);
  LaunchedHost h = launch_host(std::get<0>(p));
  ASSERT_GT(h.init_pid, 0);
  ASSERT_EQ(::write(h.go.get(), "g", 1), 1);
  h.go.reset();
  EXPECT_EQ(read_all(h.out.get()), "pid 2\n");
  EXPECT_EQ(read_all(h.err.get()), "oops\n");
  int ws = 0;
  ASSERT_EQ(::read(h.status.get(), &ws, sizeof(ws)), static_cast<ssize_t>(sizeof(ws)));
  EXPECT_TRUE(WIFEXITED(ws));
  EXPECT_EQ(WEXITSTATUS(ws), 3);
  int init_ws = 0;
  EXPECT_EQ(::waitpid(h.init_pid, &init_ws, 0), h.init_pid);
}

TEST(HostLauncher, ClosingGoAbortsWithoutRunning) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root for a PID namespace";
  become_subreaper();
  const auto p = program_for(job({"sh", "-c", "echo ran"}), kId);
  LaunchedHost h = launch_host(std::get<0>(p));
  h.go.reset();
  EXPECT_EQ(read_all(h.out.get()), "");
  int ws = 0;
  EXPECT_EQ(::read(h.status.get(), &ws, sizeof(ws)), 0);
  int init_ws = 0;
  EXPECT_EQ(::waitpid(h.init_pid, &init_ws, 0), h.init_pid);
  EXPECT_EQ(WEXITSTATUS(init_ws), 1);
}

}  // namespace
}  // namespace mlog::ckptd
