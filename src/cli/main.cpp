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
  CLI::App app{"aurite: run LLM agents with MCP tools; configurations and history optionally "
               "in SQLite or PostgreSQL"};
  app.require_subcommand(1);
  app.fallthrough();  // global options may also follow the subcommand
  app.set_version_flag("--version", "aurite 0.1.0");
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
  add_run_command(app, context);
  add_chat_command(app, context);
  add_db_command(app, context);
  add_history_command(app, context);
  add_serve_command(app, context);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    if (error.get_exit_code() == 0) return app.exit(error);  // --help, --version
    std::string message = error.what();
    // CLI11 reports a mistyped command only as "a subcommand is required".
    if (dynamic_cast<const CLI::RequiredError*>(&error) != nullptr && !app.remaining().empty()) {
      std::vector<std::string> commands;
      for (const auto* command : app.get_subcommands({})) commands.push_back(command->get_name());
      const std::string typed = app.remaining().front();
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
