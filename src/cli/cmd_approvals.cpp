// aurite approvals list|approve|deny: the tool calls that wait in the database for a
// person. A decision that leaves none of its run's calls waiting continues the run here,
// shown and ended as `aurite run` shows and ends one.
#include <iostream>

#include <fmt/format.h>

#include "aurite/common/error.hpp"
#include "aurite/execution/tool_approval.hpp"
#include "cli/cli_context.hpp"
#include "cli/output.hpp"
#include "cli/run_console.hpp"
#include "cli/storage_access.hpp"

namespace aurite::cli {
namespace {

struct ListOptions {
  std::string agent;
  std::string session;
  bool all = false;
  std::size_t limit = 100;
};

struct DecideOptions {
  std::string id;
  std::string args;    // approve: the arguments to run with instead, as JSON
  std::string reason;  // deny: shown to the model
  ConsoleOptions console;
};

int run_list(const Context& context, const ListOptions& options) {
  auto storage = open_storage("aurite approvals list");
  storage::ApprovalQuery query;
  if (!options.agent.empty()) query.agent_name = options.agent;
  if (!options.session.empty()) query.session_id = options.session;
  query.pending_only = !options.all;
  query.limit = options.limit;
  const auto records = storage->approvals()->list_approvals(query);
  if (context.options.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& record : records) out.push_back(execution::to_json(record));
    print_json(std::cout, {{"approvals", out}});
    return kExitOk;
  }
  if (records.empty()) {
    std::cout << (options.all ? "no approvals\n" : "no tool calls wait for approval\n");
    return kExitOk;
  }
  Table table({"ID", "AGENT", "SESSION", "TOOL", "ARGUMENTS", "STATUS", "CREATED"});
  for (const auto& record : records) {
    std::string status = record.status;
    if (record.status != "pending") status += " by " + record.decided_by;
    table.add_row({record.id, record.agent_name, record.session_id, record.tool, one_line(record.arguments_json, 60),
                   status, record.created_at});
  }
  table.print(std::cout);
  return kExitOk;
}

int run_decide(const Context& context, const DecideOptions& options, bool approve) {
  execution::ApprovalDecision decision;
  decision.approved = approve;
  decision.reason = options.reason;
  if (!options.args.empty()) {
    auto arguments = nlohmann::json::parse(options.args, nullptr, false);
    if (arguments.is_discarded() || !arguments.is_object()) {
      throw Error(ErrorCode::kInvalidArgument, "--args: not a JSON object: " + options.args);
    }
    decision.arguments = std::move(arguments);
  }
  auto host = context.open_host();
  if (host->storage() == nullptr) {
    throw Error(ErrorCode::kInvalidArgument,
                "aurite approvals: approvals are kept in the database: set AURITE_ENABLE_DB=true");
  }
  RunConsole console(context, options.console, *host);
  execution::RunOptions run_options;
  run_options.may_pause = true;
  const nlohmann::json result =
      host->runs().decide_approval(options.id, decision, user_at_host(), console.observer(), {}, run_options);
  if (!context.options.json) {
    const auto& approval = result.at("approval");
    std::cerr << fmt::format("{} {} {} for agent '{}'\n", approve ? "approved" : "denied", approval.value("id", ""),
                             approval.value("tool", ""), approval.value("agent", ""));
  }
  return console.finish(result);
}

void add_decide_options(CLI::App& command, DecideOptions& options) {
  command.add_option("id", options.id, "The approval's id (see `aurite approvals list`)")->required();
  command.add_flag("-q,--quiet", options.console.quiet, "Do not show the steps of the run on stderr");
  command.add_flag("--stream", options.console.stream, "Print the answer as the model writes it");
  command.add_flag("--no-input", options.console.no_input,
                   "Never ask at the terminal: a later call that needs approval waits in the database");
}

}  // namespace

void add_approvals_command(CLI::App& app, Context& context) {
  auto* approvals = app.add_subcommand("approvals", "Tool calls that wait for a person's approval (database)");
  approvals->require_subcommand(1);

  auto* list = approvals->add_subcommand("list", "List the tool calls that wait for approval (newest first)");
  auto list_options = std::make_shared<ListOptions>();
  list->add_option("--agent", list_options->agent, "Only this agent's");
  list->add_option("-s,--session", list_options->session, "Only this session's");
  list->add_flag("--all", list_options->all, "Decided ones too");
  list->add_option("--limit", list_options->limit, "At most this many (default 100)")->check(CLI::PositiveNumber);
  list->callback([&context, list_options] {
    context.action = [&context, list_options] { return run_list(context, *list_options); };
  });

  auto* approve = approvals->add_subcommand("approve", "Approve a waiting tool call; the run goes on once all are decided");
  auto approve_options = std::make_shared<DecideOptions>();
  add_decide_options(*approve, *approve_options);
  approve->add_option("--args", approve_options->args, "Run the call with these arguments instead (a JSON object)");
  approve->callback([&context, approve_options] {
    context.action = [&context, approve_options] { return run_decide(context, *approve_options, true); };
  });

  auto* deny = approvals->add_subcommand("deny", "Deny a waiting tool call; the model reads the reason");
  auto deny_options = std::make_shared<DecideOptions>();
  add_decide_options(*deny, *deny_options);
  deny->add_option("--reason", deny_options->reason, "Why, for the model and the record");
  deny->callback([&context, deny_options] {
    context.action = [&context, deny_options] { return run_decide(context, *deny_options, false); };
  });
}

}  // namespace aurite::cli
