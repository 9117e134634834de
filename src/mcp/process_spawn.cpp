#include "mcp/process_spawn.hpp"

#include <fcntl.h>
#include <linux/close_range.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <thread>

#include "aurite/common/error.hpp"

namespace aurite::mcp::detail {
namespace {

std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// Tells the parent why the child could not exec (errno through `report`) and exits.
[[noreturn]] void report_failure(int report) {
  const int error = errno;
  [[maybe_unused]] const auto ignored = ::write(report, &error, sizeof error);
  ::_exit(127);
}

// Every descriptor above 2 closes at exec. Not all of ours are close-on-exec (httplib's
// listening and accepted sockets are not): a server that inherited them would keep a
// client's connection open after we answered or died, and the port bound after we exit.
void keep_only_standard_descriptors() {
  if (::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) == 0) return;
  // Kernels before 5.11 lack the flag: mark them one by one, up to the descriptor limit.
  const long limit = ::sysconf(_SC_OPEN_MAX);
  for (int fd = 3; fd < (limit > 0 && limit < 65536 ? limit : 65536); ++fd) ::fcntl(fd, F_SETFD, FD_CLOEXEC);
}

// In the child between fork and exec only async-signal-safe calls are allowed: no
// allocation, no locks. Everything is prepared by the parent.
[[noreturn]] void exec_child(const ChildSetup& setup, char* const* argv, char* const* envp, pid_t parent,
                             int report) {
  ::setpgid(0, 0);
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) report_failure(report);
  if (::getppid() != parent) ::_exit(127);  // the host died before prctl took effect
  if (::dup2(setup.stdin_fd, STDIN_FILENO) < 0 || ::dup2(setup.stdout_fd, STDOUT_FILENO) < 0 ||
      ::dup2(setup.stderr_fd, STDERR_FILENO) < 0) {
    report_failure(report);
  }
  if (!setup.working_dir.empty() && ::chdir(setup.working_dir.c_str()) != 0) report_failure(report);
  keep_only_standard_descriptors();
  // Dispositions we may have set (SIGPIPE ignored) must not reach the server.
  for (const int sig : {SIGPIPE, SIGINT, SIGTERM, SIGHUP}) ::signal(sig, SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  ::execvpe(argv[0], argv, envp);
  report_failure(report);
}

// What a spawn came to: a pid, or the errno and the step that failed. Errors travel
// back to the caller as values and become exceptions on the caller's thread.
struct SpawnOutcome {
  pid_t pid = -1;
  int error = 0;
  const char* step = "";
};

SpawnOutcome fork_and_exec(const ChildSetup& setup) {
  std::vector<std::string> args = setup.argv;
  std::vector<std::string> env = setup.envp;
  auto argv = c_strings(args);
  auto envp = c_strings(env);
  int report[2];
  if (::pipe2(report, O_CLOEXEC) != 0) return {-1, errno, "pipe2"};
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid == 0) exec_child(setup, argv.data(), envp.data(), parent, report[1]);
  ::close(report[1]);
  if (pid < 0) {
    const int error = errno;
    ::close(report[0]);
    return {-1, error, "fork"};
  }
  ::setpgid(pid, pid);  // also here, so the group exists whichever side runs first
  // The report pipe closes on a successful exec (close-on-exec): 0 bytes mean success.
  int child_errno = 0;
  ssize_t got = 0;
  while ((got = ::read(report[0], &child_errno, sizeof child_errno)) < 0 && errno == EINTR) {
  }
  ::close(report[0]);
  if (got > 0) {
    while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
    return {-1, child_errno, ""};
  }
  return {pid, 0, ""};
}

// The thread every fork happens on. Never joined: it must outlive every child, so it
// lives until the process ends (the object is deliberately never destroyed).
class SpawnThread {
 public:
  static SpawnThread& instance() {
    static SpawnThread* const thread = new SpawnThread();
    return *thread;
  }

  SpawnOutcome run(const ChildSetup& setup) {
    std::packaged_task<SpawnOutcome()> task([&setup] { return fork_and_exec(setup); });
    auto result = task.get_future();
    {
      std::lock_guard lock(mutex_);
      jobs_.push_back(std::move(task));
    }
    wake_.notify_one();
    return result.get();
  }

 private:
  SpawnThread() { std::thread([this] { loop(); }).detach(); }

  [[noreturn]] void loop() {
    while (true) {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return !jobs_.empty(); });
      auto job = std::move(jobs_.front());
      jobs_.pop_front();
      lock.unlock();
      job();
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::packaged_task<SpawnOutcome()>> jobs_;
};

}  // namespace

pid_t spawn_child(const ChildSetup& setup) {
  const SpawnOutcome outcome = SpawnThread::instance().run(setup);
  if (outcome.pid < 0) {
    const std::string step = *outcome.step != '\0' ? std::string(outcome.step) + " failed: " : std::string();
    throw Error(ErrorCode::kUnavailable, step + std::strerror(outcome.error));
  }
  return outcome.pid;
}

}  // namespace aurite::mcp::detail
