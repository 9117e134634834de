// Runs a program to completion for a test, capturing what it prints, with a deadline.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace aurite::testing {

struct ProcessResult {
  int exit_code = -1;   // the exit status, or 128 + signal when killed by one
  std::string out;      // stdout
  std::string err;      // stderr
  bool timed_out = false;
};

struct ProcessOptions {
  std::map<std::string, std::string> env;    // set on top of the inherited environment
  std::vector<std::string> unset_env;        // removed from it
  std::optional<std::string> working_dir;
  std::string stdin_text;
  std::chrono::milliseconds timeout{std::chrono::seconds(60)};
};

// Runs argv[0] (searched in PATH) with the arguments. Killed when the timeout passes.
ProcessResult run_process(const std::vector<std::string>& argv, const ProcessOptions& options = {});

// Runs the aurite CLI built with these tests.
ProcessResult run_aurite(const std::vector<std::string>& args, const ProcessOptions& options = {});

}  // namespace aurite::testing
