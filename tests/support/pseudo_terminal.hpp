// A program run on a pseudo-terminal, as a person at a terminal runs it: its stdin,
// stdout and stderr are the terminal, what it prints is read until an expected text
// appears (with a deadline), and lines are typed into it.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace aurite::testing {

class PseudoTerminal {
 public:
  // Starts `argv` (argv[0] a path) with `env` added to this process's environment, in
  // `working_dir` when not empty. Throws std::runtime_error when it cannot.
  PseudoTerminal(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
                 const std::string& working_dir = "");
  // Kills the program if it still runs.
  ~PseudoTerminal();
  PseudoTerminal(const PseudoTerminal&) = delete;
  PseudoTerminal& operator=(const PseudoTerminal&) = delete;

  // Reads what the program prints until `text` has appeared since the last call that
  // found its text; false when `timeout` passes (or the program ends) first.
  bool read_until(const std::string& text, std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // Types `line` and Enter.
  void type(const std::string& line);
  // Waits for the program to end, reading what it prints meanwhile; its exit status, or
  // -1 when `timeout` passes first.
  int wait(std::chrono::milliseconds timeout = std::chrono::seconds(60));

  // Everything printed so far (the terminal echoes what was typed, too).
  const std::string& output() const { return output_; }

 private:
  // Reads what is there within `until`; false at end of output.
  bool read_some(std::chrono::steady_clock::time_point until);

  int master_ = -1;
  pid_t pid_ = -1;
  std::string output_;
  std::size_t searched_from_ = 0;
};

}  // namespace aurite::testing
