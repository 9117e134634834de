// Asking the person at the terminal whether a tool call that require_approval gates may
// run: `Allow save_plan {"plan_name":"x"}? [y/N/e]`, where e edits the arguments as JSON;
// and for the input an MCP server asks for during a call (elicitation): one prompt per
// field of its form, an empty answer taking the field's default, or the URL to open.
#pragma once

#include <chrono>
#include <iosfwd>
#include <mutex>
#include <optional>

#include "aurite/execution/run_result.hpp"
#include "aurite/execution/tool_approval.hpp"

namespace aurite::cli {

class TerminalApprovals {
 public:
  TerminalApprovals(std::istream& in, std::ostream& out) : in_(in), out_(out) {}

  // The person's decision; nullopt when input ends before one (the run then stops).
  std::optional<execution::ApprovalDecision> ask(const execution::ApprovalRequest& request);

  // The person's answer to a server's elicitation (terminal_elicitation.cpp); nullopt
  // when input ends, or request.timeout passes, before one (the server gets a decline).
  std::optional<nlohmann::json> elicit(const mcp::ElicitationRequest& request);

  // Whether a person can be asked: stdin is a terminal, and `--no-input` was not given.
  static bool available(bool no_input);

 private:
  // A line of input; nullopt at its end or once `deadline` passed.
  std::optional<std::string> read_line(std::chrono::steady_clock::time_point deadline);
  // One form field until it is valid: its value, or nullopt to leave it out.
  std::optional<std::optional<nlohmann::json>> ask_field(const std::string& name, const nlohmann::json& property,
                                                         bool required, std::chrono::steady_clock::time_point deadline);

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
  std::optional<nlohmann::json> answer_elicitation(const std::string& /*agent*/,
                                                   const mcp::ElicitationRequest& request) override {
    if (approvals_ == nullptr) return std::nullopt;
    std::lock_guard lock(mutex_);  // one question at a time
    return approvals_->elicit(request);
  }

 private:
  TerminalApprovals* approvals_;
  std::mutex mutex_;
};

}  // namespace aurite::cli
