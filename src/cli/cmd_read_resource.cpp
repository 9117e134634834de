// aurite read-resource URI [--client ID] [--agent NAME] [--url URL]: reads one MCP
// resource (resources/read) and prints its text; binary contents are summarised (--json
// has them whole). Exit 0, 1 when the server fails, 2 for a uri no server lists (the
// closest suggested).
#include <algorithm>
#include <iostream>

#include <fmt/format.h>

#include "aurite/common/error.hpp"
#include "aurite/common/text.hpp"
#include "cli/cli_context.hpp"
#include "cli/mcp_clients.hpp"
#include "cli/output.hpp"

namespace aurite::cli {
namespace {

struct ReadResourceOptions {
  std::string uri;
  McpSelection selection;
};

int run_read_resource(const Context& context, const ReadResourceOptions& options) {
  const StartedMcp mcp = start_mcp(context, options.selection);
  std::vector<std::string> known;
  for (const auto& resource : mcp.host->resources(mcp.agent ? &*mcp.agent : nullptr)) known.push_back(resource.uri);
  if (std::find(known.begin(), known.end(), options.uri) == known.end()) {
    throw Error(ErrorCode::kNotFound, fmt::format("no MCP resource with uri '{}'{}{}", options.uri, did_you_mean(options.uri, known),
                                                  known.empty() ? "; no server here lists resources"
                                                                : "; aurite resources shows them"));
  }
  const nlohmann::json result = mcp.host->read_resource(options.uri);
  if (context.options.json) {
    print_json(std::cout, result);
    return kExitOk;
  }
  for (const auto& content : result.value("contents", nlohmann::json::array())) {
    if (content.contains("text") && content["text"].is_string()) {
      std::cout << content["text"].get<std::string>() << '\n';
    } else {
      std::cout << fmt::format("[{} {}, {} bytes of base64; --json shows it]\n", content.value("uri", options.uri),
                               content.value("mimeType", "?"), content.value("blob", "").size());
    }
  }
  return kExitOk;
}

}  // namespace

void add_read_resource_command(CLI::App& app, Context& context) {
  auto* command = app.add_subcommand("read-resource", "Read one MCP resource by its uri and print it");
  auto options = std::make_shared<ReadResourceOptions>();
  command->add_option("uri", options->uri, "Resource uri")->required();
  add_selection_options(*command, options->selection);
  command->callback([&context, options] {
    context.action = [&context, options] { return run_read_resource(context, *options); };
  });
}

}  // namespace aurite::cli
