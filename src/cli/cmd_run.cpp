// aurite run NAME MESSAGE [--session ID] [--stream] [--on-busy wait|reject]: runs an agent, simple workflow or
// custom workflow by name, showing each step on stderr and the answer on stdout. The run
// has an id and a row (`aurite runs`); Ctrl-C cancels it, a second Ctrl-C exits at once.
#include <iostream>

#include <fmt/format.h>

#include "aurite/common/error.hpp"
#include "aurite/storage/settings.hpp"
#include "cli/cli_context.hpp"
#include "cli/interrupt.hpp"
#include "cli/run_console.hpp"
#include "cli/unknown_name.hpp"

namespace aurite::cli {
namespace {

struct RunOptions {
  std::string name;
  std::string message;
  std::string session;
  ConsoleOptions console;
  std::string on_busy = "wait";
};

int run_run(const Context& context, const RunOptions& options) {
  // Before the host starts any thread, so that Ctrl-C reaches only the watcher.
  CancelOnInterrupt interrupt({});
  auto host = context.open_host();
  require_runnable(*host, options.name, Runnable::kAnyKind);
  if (!options.session.empty() && (host->storage() == nullptr || host->storage()->history() == nullptr)) {
    std::cerr << fmt::format("note: session '{}' is not kept: history is stored with the database on "
                             "(AURITE_ENABLE_DB=true)\n", options.session);
  }
  RunConsole console(context, options.console, *host);
  host::RunSpec spec{options.name, options.message, options.session, {}, host::Runs::new_run_id()};
  spec.options.on_busy = execution::parse_on_busy(options.on_busy).value_or(execution::OnBusy::kWait);
  // An agent's gated call nobody here decides waits in the database, when there is one.
  spec.options.may_pause = true;
  host::Runs& runs = host->runs();
  interrupt.set_cancel([&runs, id = spec.id] { runs.cancel_here(id); });
  return console.finish(runs.run(spec, console.observer()));
}

}  // namespace

void add_run_command(CLI::App& app, Context& context) {
  auto* command = app.add_subcommand("run", "Run an agent, workflow or custom workflow by name");
  auto options = std::make_shared<RunOptions>();
  command->add_option("name", options->name, "Agent, workflow or custom workflow name")->required();
  command->add_option("message", options->message, "The user message (the input of a workflow)")->required();
  command->add_option("-s,--session", options->session, "Session id (default: the agent's 'default' session)");
  command->add_flag("--stream", options->console.stream, "Print the answer as the model writes it");
  command->add_flag("-q,--quiet", options->console.quiet, "Do not show the steps on stderr");
  command->add_flag("--no-input", options->console.no_input,
                    "Never ask at the terminal: a tool call that needs approval waits in the database "
                    "(exit status 3), or stops the run without one");
  command->add_option("--on-busy", options->on_busy,
                      "When another run holds the session: wait for it (up to AURITE_SESSION_WAIT), or reject "
                      "(exit status 3)")
      ->check(CLI::IsMember({"wait", "reject"}));
  command->callback([&context, options] { context.action = [&context, options] { return run_run(context, *options); }; });
}

}  // namespace aurite::cli
