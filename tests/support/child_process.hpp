// A program running alongside a test: its stdout read line by line with a deadline,
// stopped with a signal when the test wants. Complements run_process, which waits for the
// program to finish.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace aurite::testing {

class ChildProcess {
 public:
  // Starts argv[0] with `env` set on top of the inherited environment; stderr is inherited,
  // or written to the file `stderr_path` (created or truncated) so a test can read the log.
  ChildProcess(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
               const std::optional<std::string>& stderr_path = std::nullopt);
  // Kills (SIGKILL) and reaps a child still running.
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // The next line of stdout without its newline; nullopt at end of output or when
  // `timeout` passes first.
  std::optional<std::string> read_line(std::chrono::milliseconds timeout);

  void kill(int signal);
  // Waits for the exit; returns the status, or 128 + signal when killed by one.
  int wait();
  // As wait(), but nullopt when the child is still running after `timeout`.
  std::optional<int> wait_for(std::chrono::milliseconds timeout);

 private:
  pid_t pid_ = -1;
  int out_ = -1;
  std::string buffer_;
  bool eof_ = false;
  std::optional<int> status_;
};

}  // namespace aurite::testing
