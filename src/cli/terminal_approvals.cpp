#include "cli/terminal_approvals.hpp"

#include <unistd.h>

#include <istream>
#include <ostream>
#include <string>

#include "aurite/common/text.hpp"
#include "cli/run_progress.hpp"

namespace aurite::cli {

std::optional<execution::ApprovalDecision> TerminalApprovals::ask(const execution::ApprovalRequest& request) {
  out_ << "\n" << request.why << ".\n";
  for (;;) {
    out_ << "Allow " << request.tool << " " << one_line(request.arguments.dump(), 400) << "? [y/N/e] " << std::flush;
    std::string line;
    if (!std::getline(in_, line)) return std::nullopt;
    const std::string answer = to_lower(trim(line));
    if (answer == "y" || answer == "yes") return execution::ApprovalDecision{true, std::nullopt, ""};
    if (answer != "e" && answer != "edit") return execution::ApprovalDecision{false, std::nullopt, "denied at the terminal"};
    out_ << "Arguments (a JSON object on one line): " << std::flush;
    if (!std::getline(in_, line)) return std::nullopt;
    const auto edited = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (edited.is_object()) return execution::ApprovalDecision{true, edited, ""};
    out_ << "That is not a JSON object; the call was not decided yet.\n";
  }
}

bool TerminalApprovals::available(bool no_input) { return !no_input && ::isatty(STDIN_FILENO) != 0; }

}  // namespace aurite::cli
