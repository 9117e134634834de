// aurite chat NAME [--session ID]: an interactive conversation with one agent, every
// message on the same session (so history carries from one message to the next, and to
// later runs when the database is on).
#include <unistd.h>

#include <iostream>

#include "aurite/common/error.hpp"
#include "aurite/common/text.hpp"
#include "aurite/execution/execution_facade.hpp"
#include "aurite/storage/memory_history_store.hpp"
#include "aurite/storage/settings.hpp"
#include "cli/cli_context.hpp"
#include "cli/output.hpp"
#include "cli/exit_status.hpp"
#include "cli/run_progress.hpp"
#include "cli/terminal_approvals.hpp"
#include "cli/unknown_name.hpp"

namespace aurite::cli {
namespace {

// The project as the host has it, except that the chat's agent always includes its
// history: a chat is one conversation, whatever the agent does when run on its own.
class ChatConfigs final : public execution::ConfigLookup {
 public:
  ChatConfigs(const host::HostManager& host, std::string agent) : host_(host), agent_(std::move(agent)) {}

  std::optional<config::AgentConfig> find_agent(const std::string& name) const override {
    auto agent = host_.find_agent(name);
    if (agent && name == agent_) agent->include_history = true;
    return agent;
  }
  std::optional<config::LlmConfig> find_llm(const std::string& id) const override { return host_.find_llm(id); }
  std::optional<config::WorkflowConfig> find_workflow(const std::string& name) const override {
    return host_.find_workflow(name);
  }
  std::optional<config::CustomWorkflowConfig> find_custom_workflow(const std::string& name) const override {
    return host_.find_custom_workflow(name);
  }
  std::optional<config::GraphWorkflowConfig> find_graph_workflow(const std::string& name) const override {
    return host_.find_graph_workflow(name);
  }
  std::filesystem::path base_dir() const override { return host_.base_dir(); }

 private:
  const host::HostManager& host_;
  const std::string agent_;
};

int run_chat(const Context& context, const std::string& name, const std::string& session) {
  auto host = context.open_host();
  require_runnable(*host, name, Runnable::kAgentOnly);
  // Without a database the conversation is kept in memory, for this chat only.
  storage::MemoryHistoryStore memory;
  storage::HistoryStore* stored = host->storage() ? host->storage()->history() : nullptr;
  ChatConfigs configs(*host, name);
  execution::ExecutionFacade chat(configs, host->mcp(), stored != nullptr ? stored : &memory);
  const bool interactive = ::isatty(STDIN_FILENO) != 0;
  if (interactive) std::cout << "Chatting with '" << name << "'. Type /exit or press Ctrl-D to leave.\n";
  if (stored == nullptr) {
    std::cerr << "note: the conversation is kept for this chat only (set AURITE_ENABLE_DB=true to keep it)\n";
  }
  RunProgress progress(std::cerr, nullptr);
  // On a terminal, a tool call that needs approval is asked between the messages.
  TerminalApprovals terminal(std::cin, std::cerr);
  progress.ask_approvals_with(interactive ? &terminal : nullptr);
  ApprovalsOnly approvals_only(interactive ? &terminal : nullptr);
  // Servers may ask for input during a call only where the person can answer.
  host->mcp().answer_elicitations(interactive);
  for (std::string line;;) {
    if (interactive) std::cout << "you> " << std::flush;
    if (!std::getline(std::cin, line)) break;
    const std::string message(trim(line));
    if (message.empty()) continue;
    if (message == "/exit" || message == "/quit") break;
    try {
      const auto result =
          chat.run_agent(name, message, session, !context.options.json ? &progress
                                                 : interactive            ? static_cast<execution::RunObserver*>(&approvals_only)
                                                                          : nullptr);
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
