// cli — the `aurite` program: one file per subcommand, each adding itself to the app
// and leaving an action to run; main.cpp only wires them and maps errors to exit codes.
#pragma once

#include <CLI/CLI.hpp>

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "aurite/host/host_manager.hpp"

namespace aurite::cli {

// Exit statuses of `aurite`.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // a runtime failure
inline constexpr int kExitUsage = 2;    // bad usage or a bad configuration
inline constexpr int kExitBusy = 3;     // not done yet: the session is held by another run, or the run waits for approvals
inline constexpr int kExitCancelled = 130;  // the run was cancelled (Ctrl-C, `aurite runs cancel`): 128 + SIGINT, as shells report it

struct GlobalOptions {
  std::optional<std::filesystem::path> config_path;  // --config
  std::string log_level = "warn";
  bool json = false;
  std::optional<std::string> config_source;  // --config-source file|db|merge
};

// What a subcommand does once the command line parsed; returns the exit status.
using Action = std::function<int()>;

struct Context {
  GlobalOptions options;
  Action action;  // set by the subcommand that was chosen

  // The project file the options point at (--config, PROJECT_CONFIG_PATH, default).
  std::filesystem::path config_path() const;
  // The project to look at, from --config-source (the file by default, touching no
  // database); throws ConfigError when it is invalid.
  std::unique_ptr<host::HostManager> load_host() const;
  // The project ready to run: database (when AURITE_ENABLE_DB), source, MCP, facade.
  std::unique_ptr<host::HostManager> open_host() const;
};

// Who acts, for the record (a decision, a cancel): the user and the machine, "user@host".
std::string user_at_host();

void add_validate_command(CLI::App& app, Context& context);
void add_list_command(CLI::App& app, Context& context);
void add_show_command(CLI::App& app, Context& context);
void add_init_command(CLI::App& app, Context& context);
void add_tools_command(CLI::App& app, Context& context);
void add_mcp_command(CLI::App& app, Context& context);
void add_call_tool_command(CLI::App& app, Context& context);
void add_prompts_command(CLI::App& app, Context& context);
void add_prompt_command(CLI::App& app, Context& context);
void add_resources_command(CLI::App& app, Context& context);
void add_read_resource_command(CLI::App& app, Context& context);
void add_run_command(CLI::App& app, Context& context);
void add_chat_command(CLI::App& app, Context& context);
void add_approvals_command(CLI::App& app, Context& context);
void add_runs_command(CLI::App& app, Context& context);
void add_db_command(CLI::App& app, Context& context);
void add_history_command(CLI::App& app, Context& context);
void add_serve_command(CLI::App& app, Context& context);

}  // namespace aurite::cli
