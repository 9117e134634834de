// aurite call-tool NAME --args JSON [--client ID] [--agent NAME] [--url URL [--header
// NAME:VALUE]...]: calls one MCP tool
// and prints its result. Exit 0 for a result, 1 when the tool reported an error or its
// server failed (unavailable, timeout, protocol), 2 for bad usage (--args not a JSON
// object, unknown tool).
#include <iostream>

#include <fmt/format.h>

#include "aurite/common/error.hpp"
#include "cli/cli_context.hpp"
#include "cli/mcp_clients.hpp"
#include "cli/output.hpp"

namespace aurite::cli {
namespace {

struct CallToolOptions {
  std::string name;
  std::string args = "{}";
  McpSelection selection;
};

nlohmann::json parse_arguments(const std::string& text) {
  const auto args = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (args.is_discarded() || !args.is_object()) {
    throw Error(ErrorCode::kInvalidArgument, "--args must be a JSON object, got: " + text);
  }
  return args;
}

// One line per content block: text as it is, other blocks summarised.
void print_content(const mcp::ToolResult& result) {
  for (const auto& block : result.content) {
    const std::string type = block.value("type", "");
    if (type == "text") {
      std::cout << block.value("text", "") << '\n';
    } else if (type == "image" || type == "audio") {
      std::cout << fmt::format("[{} {}, {} bytes of base64]\n", type, block.value("mimeType", "?"),
                               block.value("data", "").size());
    } else if (type == "resource_link") {
      std::cout << fmt::format("[resource link {}]\n", block.value("uri", "?"));
    } else if (type == "resource" && block.contains("resource")) {
      const auto& resource = block["resource"];
      std::cout << fmt::format("[resource {}]\n", resource.value("uri", "?"));
      if (resource.contains("text")) std::cout << resource["text"].get<std::string>() << '\n';
    } else {
      std::cout << block.dump() << '\n';
    }
  }
  if (result.structured_content && result.content.empty()) print_json(std::cout, *result.structured_content);
}

int run_call_tool(const Context& context, const CallToolOptions& options) {
  const auto arguments = parse_arguments(options.args);  // before starting any server
  const StartedMcp mcp = start_mcp(context, options.selection);
  const config::AgentConfig* agent = mcp.agent ? &*mcp.agent : nullptr;
  mcp::ToolResult result;
  try {
    result = mcp.host->call_tool(options.name, arguments, agent);
  } catch (const Error& error) {
    // The tool may be one a server that could not start would have offered.
    const auto failures = mcp.host->failed_clients(agent);
    if (error.code() != ErrorCode::kNotFound || failures.empty()) throw;
    std::string message = error.what();
    for (const auto& failure : failures) message += "; " + failure.error;
    throw Error(ErrorCode::kUnavailable, message);
  }
  // The server failed, not the tool: report it like every other runtime error.
  if (result.failure) throw Error(*result.failure, result.text());
  if (context.options.json) print_json(std::cout, result.to_json());
  else print_content(result);
  if (result.is_error) {
    std::cerr << "error: tool '" << options.name << "' reported an error\n";
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace

void add_call_tool_command(CLI::App& app, Context& context) {
  auto* command = app.add_subcommand("call-tool", "Call one MCP tool and print its result");
  auto options = std::make_shared<CallToolOptions>();
  command->add_option("name", options->name, "Tool name")->required();
  command->add_option("--args", options->args, "Arguments as a JSON object")->capture_default_str();
  add_selection_options(*command, options->selection);
  command->callback([&context, options] { context.action = [&context, options] { return run_call_tool(context, *options); }; });
}

}  // namespace aurite::cli
