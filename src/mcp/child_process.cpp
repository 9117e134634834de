#include "mcp/child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <thread>
#include <utility>

#include "aurite/common/error.hpp"
#include "mcp/process_spawn.hpp"
#include "mcp/server_environment.hpp"

extern char** environ;

namespace aurite::mcp::detail {
namespace {

struct PipePair {
  Fd read;
  Fd write;
};

PipePair make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    throw Error(ErrorCode::kUnavailable, std::string("pipe2 failed: ") + std::strerror(errno));
  }
  return {Fd(fds[0]), Fd(fds[1])};
}

// A write to the stdin of a server that died must fail with EPIPE, not kill the host.
void ignore_sigpipe_once() {
  static std::once_flag once;
  std::call_once(once, [] { ::signal(SIGPIPE, SIG_IGN); });
}

}  // namespace

void Fd::reset() noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

ChildProcess ChildProcess::spawn(const SpawnSpec& spec) {
  if (spec.argv.empty()) throw Error(ErrorCode::kInternal, "spawn: empty argv");
  ignore_sigpipe_once();
  PipePair in = make_pipe();
  PipePair out = make_pipe();
  PipePair err = make_pipe();

  ChildSetup setup;
  setup.argv = spec.argv;
  setup.envp = server_environment(spec.inherit_env, spec.env, environ);
  if (spec.working_dir) setup.working_dir = spec.working_dir->string();
  setup.stdin_fd = in.read.get();
  setup.stdout_fd = out.write.get();
  setup.stderr_fd = err.write.get();
  pid_t pid = -1;
  try {
    pid = spawn_child(setup);
  } catch (const Error& error) {
    std::string where = spec.working_dir ? " in " + spec.working_dir->string() : "";
    throw Error(ErrorCode::kUnavailable, "cannot start '" + spec.argv[0] + "'" + where + ": " + error.what());
  }
  ChildProcess child;
  child.pid_ = pid;
  child.stdin_ = std::move(in.write);
  child.stdout_ = std::move(out.read);
  child.stderr_ = std::move(err.read);
  return child;  // the child's ends of the pipes close here, in this process
}

ChildProcess::~ChildProcess() { stop(); }

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      status_(std::exchange(other.status_, std::nullopt)),
      stdin_(std::move(other.stdin_)),
      stdout_(std::move(other.stdout_)),
      stderr_(std::move(other.stderr_)) {}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    stop();
    pid_ = std::exchange(other.pid_, -1);
    status_ = std::exchange(other.status_, std::nullopt);
    stdin_ = std::move(other.stdin_);
    stdout_ = std::move(other.stdout_);
    stderr_ = std::move(other.stderr_);
  }
  return *this;
}

std::optional<int> ChildProcess::exit_status() noexcept {
  if (pid_ < 0 || status_) return status_;
  siginfo_t info{};
  if (::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) != 0) {
    if (errno == ECHILD) status_ = -1;  // reaped elsewhere; nothing left to wait for
    return status_;
  }
  if (info.si_pid != pid_) return std::nullopt;  // still running
  status_ = info.si_code == CLD_EXITED ? info.si_status : 128 + info.si_status;
  return status_;
}

bool ChildProcess::wait_until(std::chrono::steady_clock::time_point deadline) noexcept {
  // Polling waitpid is the portable way to wait with a deadline for one child; the
  // interval is short against the grace periods and only runs during shutdown.
  while (!exit_status()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

void ChildProcess::signal_group(int signal) noexcept {
  if (pid_ > 0) ::kill(-pid_, signal);
}

int ChildProcess::stop(const StopTimings& timings) noexcept {
  if (pid_ < 0) return -1;
  close_stdin();
  using Clock = std::chrono::steady_clock;
  if (!wait_until(Clock::now() + timings.after_eof)) {
    signal_group(SIGTERM);
    wait_until(Clock::now() + timings.after_sigterm);
  }
  // The leader is not reaped yet, so the group id is still ours: whatever is left in
  // it (the leader if it ignored SIGTERM, anything it started) goes now.
  signal_group(SIGKILL);
  int raw = 0;
  pid_t reaped = -1;
  while ((reaped = ::waitpid(pid_, &raw, 0)) < 0 && errno == EINTR) {
  }
  if (reaped == pid_ && !status_) status_ = WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw);
  // stdout/stderr stay open: a reader thread may still be polling them; they close
  // with this object.
  pid_ = -1;
  return status_.value_or(-1);
}

}  // namespace aurite::mcp::detail
