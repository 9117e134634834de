// aurite run NAME MESSAGE [--session ID] [--stream] [--on-busy wait|reject]: runs an agent, simple workflow or
// custom workflow by name, showing each step on stderr and the answer on stdout.
#include <iostream>

#include <fmt/format.h>

#include "aurite/common/error.hpp"
#include "aurite/storage/settings.hpp"
#include "cli/cli_context.hpp"
#include "cli/output.hpp"
#include "cli/run_progress.hpp"
#include "cli/terminal_approvals.hpp"
#include "cli/unknown_name.hpp"

namespace aurite::cli {
namespace {

struct RunOptions {
  std::string name;
  std::string message;
  std::string session;
  bool stream = false;
  bool quiet = false;
  bool no_input = false;
  std::string on_busy = "wait";
};

// The run finished but did not complete (max_iterations, schema mismatch): the answer is
// printed, the status explained, and the exit status says it failed.
int status_exit(const nlohmann::json& result) {
  const std::string status = result.value("status", "completed");
  if (status == "completed") return kExitOk;
  std::cerr << fmt::format("error: '{}' stopped without completing: {}\n", result.value("agent", result.value("workflow", "")),
                           status == "max_iterations" ? "it reached max_iterations while still calling tools"
                                                      : "its answer did not match the schema after the corrections");
  return kExitFailure;
}

int run_run(const Context& context, const RunOptions& options) {
  auto host = context.open_host();
  require_runnable(*host, options.name, Runnable::kAnyKind);
  if (!options.session.empty() && (host->storage() == nullptr || host->storage()->history() == nullptr)) {
    std::cerr << fmt::format("note: session '{}' is not kept: history is stored with the database on "
                             "(AURITE_ENABLE_DB=true)\n", options.session);
  }
  const bool show_progress = !context.options.json && !options.quiet;
  RunProgress progress(std::cerr, options.stream && !context.options.json ? &std::cout : nullptr);
  TerminalApprovals terminal(std::cin, std::cerr);
  TerminalApprovals* approvals = TerminalApprovals::available(options.no_input) ? &terminal : nullptr;
  progress.ask_approvals_with(approvals);
  ApprovalsOnly approvals_only(approvals);
  // No observer at all when there is nothing to show or ask: an observer makes the run
  // stream the model's answer.
  execution::RunObserver* observer = approvals != nullptr ? &approvals_only : nullptr;
  if (show_progress || options.stream) observer = &progress;
  execution::RunOptions run_options;
  run_options.on_busy = execution::parse_on_busy(options.on_busy).value_or(execution::OnBusy::kWait);
  const nlohmann::json result =
      host->execution().run(options.name, options.message, options.session, observer, run_options);
  if (context.options.json) {
    print_json(std::cout, result);
  } else if (!progress.streamed_text()) {
    std::cout << result.value("final_text", "") << '\n';
  }
  return status_exit(result);
}

}  // namespace

void add_run_command(CLI::App& app, Context& context) {
  auto* command = app.add_subcommand("run", "Run an agent, workflow or custom workflow by name");
  auto options = std::make_shared<RunOptions>();
  command->add_option("name", options->name, "Agent, workflow or custom workflow name")->required();
  command->add_option("message", options->message, "The user message (the input of a workflow)")->required();
  command->add_option("-s,--session", options->session, "Session id (default: the agent's 'default' session)");
  command->add_flag("--stream", options->stream, "Print the answer as the model writes it");
  command->add_flag("-q,--quiet", options->quiet, "Do not show the steps on stderr");
  command->add_flag("--no-input", options->no_input,
                    "Never ask at the terminal: a tool call that needs approval stops the run");
  command->add_option("--on-busy", options->on_busy,
                      "When another run holds the session: wait for it (up to AURITE_SESSION_WAIT), or reject "
                      "(exit status 3)")
      ->check(CLI::IsMember({"wait", "reject"}));
  command->callback([&context, options] { context.action = [&context, options] { return run_run(context, *options); }; });
}

}  // namespace aurite::cli
