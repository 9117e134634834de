// mcp/child_process — one MCP server process and the three pipes we talk to it through.
//
// Internal to the mcp module. The child runs in a process group of its own so shutdown
// reaches whatever it started (a shell, npx, node), and is killed if we die first
// (PR_SET_PDEATHSIG, see process_spawn.hpp).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "aurite/config/models.hpp"

namespace aurite::mcp::detail {

// A file descriptor with exactly one owner; closed on destruction.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(Fd&& other) noexcept : fd_(other.release()) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = other.release();
    }
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;

  int get() const noexcept { return fd_; }
  bool valid() const noexcept { return fd_ >= 0; }
  int release() noexcept {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void reset() noexcept;

 private:
  int fd_ = -1;
};

struct SpawnSpec {
  std::vector<std::string> argv;               // argv[0] searched in PATH when it has no '/'
  std::map<std::string, std::string> env;      // added to the minimal environment
  config::InheritEnv inherit_env;              // what else of ours it sees (server_environment.hpp)
  std::optional<std::filesystem::path> working_dir;
};

// How long each step of stop() waits for the child to exit on its own.
struct StopTimings {
  std::chrono::milliseconds after_eof{1500};
  std::chrono::milliseconds after_sigterm{1500};
};

// Owns a running child. Move-only; the destructor stops the child (stop()) so that no
// child outlives its owner and none is left a zombie. Not thread-safe: the stdin fd is
// written by one thread at a time (the transport serialises), stdout/stderr are read by
// one reader thread.
class ChildProcess {
 public:
  // Starts the child with stdin/stdout/stderr on pipes (all close-on-exec on our side,
  // so a later child never inherits them). Throws Error(kUnavailable) naming the program
  // and the reason when it cannot be started (not found, not executable, bad folder).
  static ChildProcess spawn(const SpawnSpec& spec);

  ChildProcess() = default;
  ~ChildProcess();
  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const noexcept { return pid_; }
  int stdin_fd() const noexcept { return stdin_.get(); }
  int stdout_fd() const noexcept { return stdout_.get(); }
  int stderr_fd() const noexcept { return stderr_.get(); }

  // Closes the child's stdin: the polite request to exit.
  void close_stdin() noexcept { stdin_.reset(); }

  // The exit status if the child has exited, else nullopt; 128+N for signal N. Does
  // not reap: the exited child keeps its pid, and so its process group id, reserved
  // until stop(), so signalling the group can never reach a stranger's new group.
  std::optional<int> exit_status() noexcept;

  // Close stdin, wait, SIGTERM the group, wait, SIGKILL the group (whatever the server
  // left running in it), reap. Idempotent and
  // noexcept so destructors may call it. Returns the exit status (-1 if none was ever run).
  int stop(const StopTimings& timings = {}) noexcept;

 private:
  bool wait_until(std::chrono::steady_clock::time_point deadline) noexcept;
  void signal_group(int signal) noexcept;

  pid_t pid_ = -1;
  std::optional<int> status_;
  Fd stdin_;
  Fd stdout_;
  Fd stderr_;
};

}  // namespace aurite::mcp::detail
