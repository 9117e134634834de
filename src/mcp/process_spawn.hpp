// mcp/process_spawn — starting a server process that dies with us (internal).
//
// The child gets its own process group (so stopping it reaches whatever it starts), no
// descriptor of ours but its stdin, stdout and stderr, and PR_SET_PDEATHSIG(SIGKILL),
// so it does not outlive the host even when the host is killed outright. PR_SET_PDEATHSIG fires when the *thread* that forked exits, not the
// process, and servers are (re)started from whatever thread uses them; so every fork
// happens on one thread that lives as long as the process.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace aurite::mcp::detail {

struct ChildSetup {
  std::vector<std::string> argv;  // argv[0] searched in PATH when it has no '/'
  std::vector<std::string> envp;  // the complete environment, NAME=value
  std::string working_dir;        // empty: ours
  int stdin_fd = -1;              // become the child's 0, 1, 2
  int stdout_fd = -1;
  int stderr_fd = -1;
};

// Forks and execs on the spawning thread; returns the child's pid. Throws
// Error(kUnavailable) with the reason (no such file, permission, bad folder) when the
// program cannot be started; no child is left behind then.
pid_t spawn_child(const ChildSetup& setup);

}  // namespace aurite::mcp::detail
