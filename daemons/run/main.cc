// SPDX-License-Identifier: GPL-2.0
// mlog-run: submits a job to mlog-recoverd, prints its ranks' committed
// output exactly once and in order, narrates recoveries on stderr, and
// exits with the job's status.
#include <limits.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <iostream>
#include <map>
#include <optional>

#include "endpoint.h"
#include "event_loop.h"
#include "genl_client.h"
#include "output_sink.h"
#include "recoverd_addr.h"
#include "run_args.h"

extern char** environ;

namespace {

using mlog::rpc::Address;
using mlog::rpc::Millis;

constexpr int kExitUsage = 2;
constexpr int kExitOwnFailure = 125;  // mlog-run itself could not run the job
constexpr Millis kSubmitTimeout{5000};
constexpr Millis kStopTimeout{5000};
// After the job ended, how long output still on its way is waited for.
constexpr Millis kDrainTimeout{3000};

void note(const std::string& text) { std::cerr << "mlog-run: " << text << std::endl; }

void write_fd(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

class Runner {
 public:
  Runner(mlog::rpc::EventLoop& loop, const mlog::run::RunOptions& opts, Address recoverd)
      : loop_(loop),
        opts_(opts),
        recoverd_(recoverd),
        rpc_(loop, mlog::rpc::mlog_family(), SOCK_RDM, 0, "mlog-run"),
        sink_(opts.label, write_fd) {
    rpc_.on_message([this](const Address&, const mlog::pb::Envelope& env) { on_message(env); });
  }

  void submit() {
    mlog::pb::Envelope env;
    auto* spec = env.mutable_submit_job()->mutable_spec();
    spec->set_name(opts_.name);
    for (const auto& a : opts_.argv) spec->add_argv(a);
    for (char** e = environ; *e; ++e) spec->add_env(*e);
    char cwd[PATH_MAX];
    if (::getcwd(cwd, sizeof(cwd))) spec->set_cwd(cwd);
    spec->set_size(opts_.ranks);
    for (auto n : opts_.nodes) spec->add_nodes(n);
    rpc_.call(recoverd_, env, kSubmitTimeout, [this](const mlog::pb::Envelope* reply) {
      if (!reply) {
        note("the mlog daemons are unreachable: mlog-recoverd at " +
             mlog::rpc::to_string(recoverd_) + " did not answer within " +
             std::to_string(kSubmitTimeout.count() / 1000) + " s");
        return finish(kExitOwnFailure), true;
      }
      if (!reply->has_submit_reply() || !reply->submit_reply().ok()) {
        note(reply->has_submit_reply() ? reply->submit_reply().error()
                                       : "unexpected answer from mlog-recoverd");
        return finish(kExitOwnFailure), true;
      }
      job_id_ = reply->submit_reply().job_id();
      return true;
    });
  }

  void on_signal(int sig) {
    if (stopping_) {
      // A second Ctrl-C: do not wait any longer.
      return finish(128 + sig);
    }
    stopping_ = true;
    signal_status_ = 128 + sig;
    if (!job_id_) return finish(128 + sig);
    note("stopping the job");
    // mlog-recoverd may have been restarted elsewhere since the submission.
    try {
      if (const auto now = mlog::common::read_recoverd_addr(opts_.state_dir))
        recoverd_ = now->address;
    } catch (const std::exception&) {
    }
    mlog::pb::Envelope env;
    env.mutable_stop_job()->set_job_id(job_id_);
    env.mutable_stop_job()->set_reason(std::string("stopped by mlog-run (") + strsignal(sig) + ")");
    rpc_.send(recoverd_, env);
    loop_.after(kStopTimeout, [this] {
      note("mlog-recoverd did not confirm the stop");
      finish(*signal_status_);
    });
  }

  int status() const { return status_; }

 private:
  void on_message(const mlog::pb::Envelope& env) {
    switch (env.body_case()) {
      case mlog::pb::Envelope::kOutput: {
        const auto& o = env.output();
        sink_.add(o.rank(), o.stream() == mlog::pb::STREAM_STDERR ? 2 : 1, o.offset(), o.data());
        return check_drained();
      }
      case mlog::pb::Envelope::kRankExited: {
        const auto& x = env.rank_exited();
        exited_[x.rank()] = {x.stdout_bytes(), x.stderr_bytes()};
        return check_drained();
      }
      case mlog::pb::Envelope::kJobEvent:
        note(env.job_event().text());
        return;
      case mlog::pb::Envelope::kJobEnded: {
        const auto& e = env.job_ended();
        if (job_id_ && e.job_id() != job_id_) return;
        if (e.stopped() && !stopping_) note("job stopped: " + e.reason());
        ended_ = e.status();
        ended_stopped_ = e.stopped();
        if (signal_status_) return finish(*signal_status_);
        loop_.after(kDrainTimeout, [this] { finish(*ended_); });
        return check_drained();
      }
      default:
        return;
    }
  }

  // Done once the job ended and every exited rank's output is printed.
  void check_drained() {
    if (!ended_ || signal_status_) return;
    for (const auto& [rank, bytes] : exited_)
      if (sink_.done(rank, 1) < bytes.first || sink_.done(rank, 2) < bytes.second) return;
    if (exited_.size() < opts_.ranks && !ended_stopped_) return;
    finish(*ended_);
  }

  void finish(int status) {
    if (finished_) return;
    finished_ = true;
    sink_.finish();
    status_ = status;
    loop_.stop();
  }

  mlog::rpc::EventLoop& loop_;
  const mlog::run::RunOptions& opts_;
  Address recoverd_;
  mlog::rpc::Endpoint rpc_;
  mlog::run::OutputSink sink_;
  std::uint64_t job_id_ = 0;
  bool stopping_ = false;
  bool finished_ = false;
  std::optional<int> signal_status_;
  std::optional<int> ended_;
  bool ended_stopped_ = false;
  std::map<std::uint32_t, std::pair<std::uint64_t, std::uint64_t>> exited_;
  int status_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  mlog::run::RunOptions opts;
  try {
    const char* env_dir = std::getenv("MLOG_STATE_DIR");
    opts = mlog::run::parse_run_args(std::vector<std::string>(argv + 1, argv + argc),
                                     env_dir ? env_dir : "");
  } catch (const mlog::run::RunUsageError& e) {
    std::cerr << "mlog-run: " << e.what() << " (try mlog-run --help)\n";
    return kExitUsage;
  }
  if (opts.help) {
    std::cout << opts.help_text;
    return 0;
  }
  try {
    mlog::rpc::mlog_family();  // ModuleNotLoaded, before anything else
    const auto where = mlog::common::read_recoverd_addr(opts.state_dir);
    if (!where) {
      note("the mlog daemons are not running: no " +
           mlog::common::recoverd_addr_path(opts.state_dir) + " (is mlog-recoverd started?)");
      return kExitOwnFailure;
    }
    mlog::rpc::EventLoop loop;
    Runner runner(loop, opts, where->address);
    loop.on_signals({SIGINT, SIGTERM, SIGHUP}, [&](const signalfd_siginfo& si) {
      runner.on_signal(static_cast<int>(si.ssi_signo));
    });
    runner.submit();
    loop.run();
    return runner.status();
  } catch (const std::exception& e) {
    note(e.what());
    return kExitOwnFailure;
  }
}
