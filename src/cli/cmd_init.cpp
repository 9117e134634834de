// aurite init DIR: writes a starter project that `aurite validate` accepts.
#include <filesystem>
#include <iostream>

#include "aurite/common/error.hpp"
#include "aurite/common/text.hpp"
#include "aurite/config/project_file.hpp"
#include "cli/cli_context.hpp"
#include "cli/output.hpp"

namespace aurite::cli {
namespace {

namespace fs = std::filesystem;

config::ProjectConfig starter_project(const std::string& name) {
  config::ProjectConfig project;
  project.name = name;
  project.description = "A starter project: run it offline with the test model, then switch the "
                        "agent's llm_config_id to 'claude' once ANTHROPIC_API_KEY is set.";
  config::LlmConfig offline;
  offline.llm_id = "offline";
  offline.provider = "test";
  config::LlmConfig claude;
  claude.llm_id = "claude";
  claude.provider = "anthropic";
  claude.model = "claude-sonnet-4-5";
  claude.api_key_env = "ANTHROPIC_API_KEY";
  project.llms = {offline, claude};
  config::AgentConfig assistant;
  assistant.name = "assistant";
  assistant.system_prompt = "You are a helpful assistant.";
  assistant.llm_config_id = "offline";
  assistant.include_history = true;
  assistant.max_iterations = config::kDefaultMaxIterations;
  project.agents = {assistant};
  return project;
}

int run_init(const Context& context, const fs::path& dir, bool force) {
  const fs::path file = dir / "aurite_config.json";
  std::error_code ec;
  if (fs::exists(file, ec) && !force) {
    throw Error(ErrorCode::kAlreadyExists, file.string() + " already exists (use --force to overwrite it)");
  }
  fs::create_directories(dir, ec);
  if (ec) throw Error(ErrorCode::kIo, "cannot create " + dir.string() + ": " + ec.message());
  const fs::path absolute = fs::absolute(dir).lexically_normal();
  const std::string name = absolute.filename().empty() ? "aurite-project" : absolute.filename().string();
  config::save_project_file(starter_project(name), file);
  if (context.options.json) {
    print_json(std::cout, {{"created", file.string()}});
  } else {
    // What to type next, runnable as printed: the starter agent needs no key and no server.
    const std::string config = shell_quote(file.string());
    std::cout << "created " << file.string() << "\nnext:\n"
              << "  aurite validate --config " << config << '\n'
              << "  aurite run assistant \"Hello\" --config " << config << "   # the offline test model\n"
              << "  aurite chat assistant --config " << config << '\n'
              << "then set the agent's llm_config_id to 'claude' and export ANTHROPIC_API_KEY for a real model\n";
  }
  return kExitOk;
}

}  // namespace

void add_init_command(CLI::App& app, Context& context) {
  auto* command = app.add_subcommand("init", "Write a starter project (DIR/aurite_config.json)");
  auto dir = std::make_shared<std::string>();
  auto force = std::make_shared<bool>(false);
  command->add_option("dir", *dir, "Folder of the new project (created when missing)")->required();
  command->add_flag("--force", *force, "Overwrite an existing aurite_config.json");
  command->callback([&context, dir, force] {
    context.action = [&context, dir, force] { return run_init(context, *dir, *force); };
  });
}

}  // namespace aurite::cli
