// aurite — the command-line entrypoint. It wires the subcommands and turns every
// failure into a message on stderr and an exit status (0 ok, 1 failure, 2 usage/config).
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "aurite/common/error.hpp"
#include "aurite/common/log.hpp"
#include "aurite/common/text.hpp"
#include "cli/cli_context.hpp"
#include "cli/exit_status.hpp"

int main(int argc, char** argv) {
  using namespace aurite::cli;
  Context context;
  // Named here, not taken from argv[0]: the help (and the manual page made from it) says
  // "aurite", not the path it was started by.
  CLI::App app{"aurite: run LLM agents with MCP tools; configurations and history optionally "
               "in SQLite or PostgreSQL",
               "aurite"};
  app.footer(
      "Start here:\n"
      "  aurite init my-project          # a starter project on the offline test model\n"
      "  aurite run assistant \"Hello\" --config my-project/aurite_config.json\n"
      "  aurite chat assistant --config my-project/aurite_config.json\n"
      "The example project (MCP servers, workflows, a plugin) is examples/demo in the source tree,\n"
      "/usr/share/aurite/examples/demo when installed. aurite COMMAND --help tells more.");
  app.require_subcommand(1);
  app.fallthrough();  // global options may also follow the subcommand
  app.set_version_flag("--version", "aurite " AURITE_VERSION);
  app.add_option("-c,--config", context.options.config_path,
                 "Project file (default: $PROJECT_CONFIG_PATH, else ./aurite_config.json)");
  app.add_option("--log-level", context.options.log_level,
                 "trace, debug, info, warn, error, critical or off (logs go to stderr)")
      ->capture_default_str();
  app.add_flag("--json", context.options.json, "Print results as JSON (for scripts)");
  app.add_option("--config-source", context.options.config_source,
                 "Where configurations come from: file, db or merge (default: $AURITE_CONFIG_SOURCE, else file)")
      ->check(CLI::IsMember({"file", "db", "merge"}, CLI::ignore_case));

  add_init_command(app, context);
  add_validate_command(app, context);
  add_list_command(app, context);
  add_show_command(app, context);
  add_tools_command(app, context);
  add_call_tool_command(app, context);
  add_prompts_command(app, context);
  add_prompt_command(app, context);
  add_resources_command(app, context);
  add_read_resource_command(app, context);
  add_mcp_command(app, context);
  add_run_command(app, context);
  add_chat_command(app, context);
  add_approvals_command(app, context);
  add_runs_command(app, context);
  add_db_command(app, context);
  add_history_command(app, context);
  add_serve_command(app, context);

  if (argc == 1) {  // no command at all: what there is to do, rather than a bare error
    std::cerr << app.help();
    return kExitUsage;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    if (error.get_exit_code() == 0) return app.exit(error);  // --help, --version
    std::string message = error.what();
    // CLI11 reports a mistyped command only as "a subcommand is required".
    if (dynamic_cast<const CLI::RequiredError*>(&error) != nullptr && !app.remaining().empty()) {
      const std::string typed = app.remaining().front();
      std::vector<std::string> commands;
      const CLI::App& all = app;  // the const overload lists every command, not the parsed ones
      for (const auto* command : all.get_subcommands([](const CLI::App*) { return true; })) {
        commands.push_back(command->get_name());
      }
      message = "unknown command '" + typed + "'" + aurite::did_you_mean(typed, commands) + " (see aurite --help)";
    } else {
      message += " (see aurite --help)";
    }
    // The flag may not have been parsed when the error came first: look for it.
    for (int i = 1; i < argc; ++i) context.options.json = context.options.json || std::string_view(argv[i]) == "--json";
    return run_reporting_errors(context, [&]() -> int { throw aurite::Error(aurite::ErrorCode::kInvalidArgument, message); });
  }
  return run_reporting_errors(context, [&] {
    aurite::init_logging(context.options.log_level);
    return context.action();
  });
}
