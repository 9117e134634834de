// How a run looks at the terminal, shared by `aurite run` and `aurite approvals
// approve|deny` (which go on with a paused run): steps on stderr, gated calls asked when
// a person is there, and at the end the answer on stdout (or the JSON result) and an exit
// status that says how the run ended.
#pragma once

#include <memory>

#include <nlohmann/json.hpp>

#include "cli/cli_context.hpp"
#include "cli/run_progress.hpp"
#include "cli/terminal_approvals.hpp"

namespace aurite::cli {

struct ConsoleOptions {
  bool stream = false;    // print the answer as the model writes it
  bool quiet = false;     // do not show the steps
  bool no_input = false;  // never ask at the terminal
};

class RunConsole {
 public:
  // Tells `host` whether MCP servers may ask for input (a person is there to answer);
  // before the host's first use of a client.
  RunConsole(const Context& context, const ConsoleOptions& options, host::HostManager& host);

  // What the run reports to; null when there is nothing to show or ask (an observer
  // makes the run stream the model's answer).
  execution::RunObserver* observer() { return observer_; }

  // Prints the end of the run and returns its exit status: 0 when it completed, 3 when
  // it waits for approvals (they are listed on stderr with how to decide), 1 when it
  // stopped without completing.
  int finish(const nlohmann::json& result);

 private:
  const Context& context_;
  RunProgress progress_;
  TerminalApprovals terminal_;
  ApprovalsOnly approvals_only_;
  execution::RunObserver* observer_ = nullptr;
};

}  // namespace aurite::cli
