#include "cli/run_console.hpp"

#include <iostream>

#include <fmt/format.h>

#include "cli/output.hpp"

namespace aurite::cli {
namespace {

bool may_ask(const ConsoleOptions& options) { return TerminalApprovals::available(options.no_input); }

// The calls a paused run waits on, and the commands that decide them.
void explain_waiting(const nlohmann::json& result) {
  const auto& pending = result.at("pending_approvals");
  std::cerr << fmt::format("'{}' waits for approval of {} tool call{} (run {}):\n", result.value("agent", ""),
                           pending.size(), pending.size() == 1 ? "" : "s", result.value("run_id", ""));
  for (const auto& call : pending) {
    std::cerr << fmt::format("  {}  {} {}  ({})\n", call.value("id", ""), call.value("tool", ""),
                             one_line(call.value("arguments", nlohmann::json::object()).dump(), 200),
                             call.value("why", ""));
  }
  std::cerr << "decide with `aurite approvals approve ID [--args JSON]` or `aurite approvals deny ID [--reason TEXT]`\n";
}

}  // namespace

RunConsole::RunConsole(const Context& context, const ConsoleOptions& options, host::HostManager& host)
    : context_(context),
      progress_(std::cerr, options.stream && !context.options.json ? &std::cout : nullptr),
      terminal_(std::cin, std::cerr),
      approvals_only_(may_ask(options) ? &terminal_ : nullptr) {
  TerminalApprovals* approvals = may_ask(options) ? &terminal_ : nullptr;
  host.mcp().answer_elicitations(approvals != nullptr);
  progress_.ask_approvals_with(approvals);
  if (approvals != nullptr) observer_ = &approvals_only_;
  if ((!context.options.json && !options.quiet) || options.stream) observer_ = &progress_;
}

int RunConsole::finish(const nlohmann::json& result) {
  const std::string status = result.value("status", "completed");
  if (context_.options.json) {
    print_json(std::cout, result);
  } else if (status != "awaiting_approval" && status != "resuming" && !progress_.streamed_text()) {
    std::cout << result.value("final_text", "") << '\n';
  }
  if (status == "completed") return kExitOk;
  if (status == "awaiting_approval") {
    if (result.contains("pending_approvals")) explain_waiting(result);
    return kExitBusy;
  }
  if (status == "resuming") {
    std::cerr << fmt::format("the run {} goes on in the process that made its last decision\n",
                             result.value("run_id", ""));
    return kExitOk;
  }
  std::cerr << fmt::format("error: '{}' stopped without completing: {}\n",
                           result.value("agent", result.value("workflow", "")),
                           status == "max_iterations" ? "it reached max_iterations while still calling tools"
                                                      : "its answer did not match the schema after the corrections");
  return kExitFailure;
}

}  // namespace aurite::cli
