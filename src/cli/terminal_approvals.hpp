// Asking the person at the terminal whether a tool call that require_approval gates may
// run: `Allow save_plan {"plan_name":"x"}? [y/N/e]`, where e edits the arguments as JSON.
#pragma once

#include <iosfwd>
#include <optional>

#include "aurite/execution/run_result.hpp"
#include "aurite/execution/tool_approval.hpp"

namespace aurite::cli {

class TerminalApprovals {
 public:
  TerminalApprovals(std::istream& in, std::ostream& out) : in_(in), out_(out) {}

  // The person's decision; nullopt when input ends before one (the run then stops).
  std::optional<execution::ApprovalDecision> ask(const execution::ApprovalRequest& request);

  // Whether a person can be asked: stdin is a terminal, and `--no-input` was not given.
  static bool available(bool no_input);

 private:
  std::istream& in_;
  std::ostream& out_;
};

// An observer that only answers approvals, for runs that show nothing (--quiet, --json).
class ApprovalsOnly final : public execution::RunObserver {
 public:
  explicit ApprovalsOnly(TerminalApprovals* approvals) : approvals_(approvals) {}
  std::optional<execution::ApprovalDecision> decide_approval(const execution::ApprovalRequest& request) override {
    return approvals_ ? approvals_->ask(request) : std::nullopt;
  }

 private:
  TerminalApprovals* approvals_;
};

}  // namespace aurite::cli
