// aurite chat NAME [--session ID]: an interactive conversation with one agent, every
// message on the same session (so history carries from one message to the next, and to
// later runs when the database is on).
#include <unistd.h>

#include <iostream>

#include "aurite/common/error.hpp"
#include "aurite/common/text.hpp"
#include "aurite/storage/settings.hpp"
#include "cli/cli_context.hpp"
#include "cli/output.hpp"
#include "cli/exit_status.hpp"
#include "cli/run_progress.hpp"
#include "cli/unknown_name.hpp"

namespace aurite::cli {
namespace {

int run_chat(const Context& context, const std::string& name, const std::string& session) {
  auto host = context.open_host();
  require_runnable(*host, name, Runnable::kAgentOnly);
  const bool interactive = ::isatty(STDIN_FILENO) != 0;
  if (interactive) std::cout << "Chatting with '" << name << "'. Type /exit or press Ctrl-D to leave.\n";
  RunProgress progress(std::cerr, nullptr);
  for (std::string line;;) {
    if (interactive) std::cout << "you> " << std::flush;
    if (!std::getline(std::cin, line)) break;
    const std::string message(trim(line));
    if (message.empty()) continue;
    if (message == "/exit" || message == "/quit") break;
    try {
      const auto result = host->execution().run_agent(name, message, session, context.options.json ? nullptr : &progress);
      if (context.options.json) {
        std::cout << result.to_json().dump() << '\n';
      } else {
        std::cout << name << "> " << result.final_text << '\n';
      }
    } catch (const Error& error) {
      // A configuration error (a missing API key, an unknown model) would fail every
      // message alike: it ends the conversation. Any other failure ends only this message;
      // the turns so far are kept.
      if (exit_status_for(error) == kExitUsage) throw;
      std::cerr << "error: " << error.what() << '\n';
    }
  }
  return kExitOk;
}

}  // namespace

void add_chat_command(CLI::App& app, Context& context) {
  auto* command = app.add_subcommand("chat", "Talk with an agent, one message per line, on one session");
  auto name = std::make_shared<std::string>();
  auto session = std::make_shared<std::string>();
  command->add_option("name", *name, "Agent name")->required();
  command->add_option("-s,--session", *session, "Session id (default: the agent's 'default' session)");
  command->callback([&context, name, session] {
    context.action = [&context, name, session] { return run_chat(context, *name, *session); };
  });
}

}  // namespace aurite::cli
