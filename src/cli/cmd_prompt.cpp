// aurite prompt NAME [--args JSON] [--client ID] [--agent NAME] [--url URL]: gets one MCP
// prompt (prompts/get) and prints its messages. Exit 0 with the messages, 1 when the
// server fails, 2 for an unknown prompt (the closest name suggested) or bad --args.
#include <algorithm>
#include <iostream>

#include <fmt/format.h>

#include "aurite/common/error.hpp"
#include "aurite/common/text.hpp"
#include "cli/cli_context.hpp"
#include "cli/json_option.hpp"
#include "cli/mcp_clients.hpp"
#include "cli/output.hpp"

namespace aurite::cli {
namespace {

struct PromptOptions {
  std::string name;
  std::string args = "{}";
  McpSelection selection;
};

// Prompt arguments are text in MCP; a number given for one would be refused by the server
// with less to go on.
nlohmann::json prompt_arguments(const std::string& text) {
  nlohmann::json arguments = parse_object_option("--args", text);
  for (const auto& [key, value] : arguments.items()) {
    if (!value.is_string()) {
      throw Error(ErrorCode::kInvalidArgument,
                  fmt::format("--args: '{}' is {}; prompt arguments are strings", key, value.type_name()));
    }
  }
  return arguments;
}

void print_block(const nlohmann::json& block) {
  const std::string type = block.value("type", "");
  if (type == "text") {
    std::cout << block.value("text", "") << '\n';
  } else if (type == "resource" && block.contains("resource")) {
    const auto& resource = block["resource"];
    std::cout << fmt::format("[resource {}]\n", resource.value("uri", "?"));
    if (resource.contains("text") && resource["text"].is_string()) std::cout << resource["text"].get<std::string>() << '\n';
  } else if (type == "image" || type == "audio") {
    std::cout << fmt::format("[{} {}, {} bytes of base64]\n", type, block.value("mimeType", "?"), block.value("data", "").size());
  } else {
    std::cout << block.dump() << '\n';
  }
}

int run_prompt(const Context& context, const PromptOptions& options) {
  const auto arguments = prompt_arguments(options.args);  // before starting any server
  const StartedMcp mcp = start_mcp(context, options.selection);
  std::vector<std::string> known;
  for (const auto& prompt : mcp.host->prompts(mcp.agent ? &*mcp.agent : nullptr)) known.push_back(prompt.name);
  if (std::find(known.begin(), known.end(), options.name) == known.end()) {
    throw Error(ErrorCode::kNotFound, fmt::format("no MCP prompt named '{}'{}{}", options.name, did_you_mean(options.name, known),
                                                  known.empty() ? "; no server here offers prompts"
                                                                : "; aurite prompts shows them"));
  }
  const nlohmann::json result = mcp.host->get_prompt(options.name, arguments);
  if (context.options.json) {
    print_json(std::cout, result);
    return kExitOk;
  }
  if (result.contains("description") && result["description"].is_string()) {
    std::cerr << result["description"].get<std::string>() << '\n';
  }
  for (const auto& message : result.value("messages", nlohmann::json::array())) {
    std::cout << "[" << message.value("role", "?") << "]\n";
    const auto content = message.value("content", nlohmann::json());
    if (content.is_array()) {
      for (const auto& block : content) print_block(block);
    } else if (content.is_object()) {
      print_block(content);
    }
  }
  return kExitOk;
}

}  // namespace

void add_prompt_command(CLI::App& app, Context& context) {
  auto* command = app.add_subcommand("prompt", "Get one MCP prompt with its arguments and print its messages");
  auto options = std::make_shared<PromptOptions>();
  command->add_option("name", options->name, "Prompt name")->required();
  command->add_option("--args", options->args, "Arguments as a JSON object of strings")->capture_default_str();
  add_selection_options(*command, options->selection);
  command->callback([&context, options] { context.action = [&context, options] { return run_prompt(context, *options); }; });
}

}  // namespace aurite::cli
