#include "cli/mcp_clients.hpp"

#include <algorithm>

#include "aurite/common/error.hpp"
#include "aurite/config/validate.hpp"
#include "cli/storage_access.hpp"

namespace aurite::cli {
namespace {

// "https://user@host:8443/mcp?x" -> "host:8443": what errors call the ad-hoc client.
std::string host_of(const std::string& url) {
  const auto start = url.find("://");
  std::string authority = url.substr(start == std::string::npos ? 0 : start + 3);
  authority = authority.substr(0, authority.find_first_of("/?#"));
  const auto at = authority.rfind('@');
  return at == std::string::npos ? authority : authority.substr(at + 1);
}

// --url with its --header lines, checked as a project's client would be.
config::ClientConfig ad_hoc_client(const McpSelection& selection) {
  if (selection.client_id || selection.agent_name) {
    throw Error(ErrorCode::kInvalidArgument, "--url talks to one server without a project: not with --client or --agent");
  }
  config::ClientConfig client;
  client.client_id = host_of(*selection.url);
  client.url = *selection.url;
  for (const auto& line : selection.headers) {
    const auto colon = line.find(':');
    std::string name = colon == std::string::npos ? "" : line.substr(0, colon);
    std::string value = colon == std::string::npos ? "" : line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    if (name.empty()) throw Error(ErrorCode::kInvalidArgument, "--header must be NAME:VALUE, got '" + name + "...'");
    // The shell has expanded what it should: what is left is meant literally.
    for (std::size_t at = value.find("${"); at != std::string::npos; at = value.find("${", at + 3)) value.insert(at, "$");
    client.headers[name] = value;
  }
  config::ProjectConfig project;
  project.clients.push_back(client);
  project.clients.back().client_id = "url";  // host:port is no component name, but reads well in errors
  const auto problems = config::validate_project(project);
  if (!problems.empty()) {
    std::string message;
    for (const auto& problem : problems) {
      std::string where = problem.path;
      where.replace(0, std::string("clients[0]").size(), "");
      std::string flag = "--url";
      if (where.rfind(".headers", 0) == 0) {  // .headers.Name or .headers["Odd-Name"]
        std::string name = where.substr(8);
        if (name.rfind("[\"", 0) == 0 && name.size() >= 4) name = name.substr(2, name.size() - 4);
        else if (!name.empty() && name.front() == '.') name.erase(0, 1);
        flag = "--header " + name;
      }
      message += (message.empty() ? "" : "; ") + flag + ": " + problem.message;
    }
    throw Error(ErrorCode::kInvalidArgument, message);
  }
  return client;
}

}  // namespace

StartedMcp start_mcp(const Context& context, const McpSelection& selection) {
  if (selection.url) {
    StartedMcp started;
    started.host = std::make_unique<mcp::McpHost>(std::vector<config::ClientConfig>{ad_hoc_client(selection)},
                                                  std::filesystem::current_path());
    return started;
  }
  if (!selection.headers.empty()) throw Error(ErrorCode::kInvalidArgument, "--header goes with --url");
  const config::ProjectConfig project = context.load_host()->snapshot();
  StartedMcp started;
  if (selection.agent_name) {
    const auto it = std::find_if(project.agents.begin(), project.agents.end(),
                                 [&](const config::AgentConfig& a) { return a.name == *selection.agent_name; });
    if (it == project.agents.end()) {
      throw Error(ErrorCode::kNotFound, "no agent named '" + *selection.agent_name + "' in " + context.config_path().string());
    }
    started.agent = *it;
  }
  std::vector<config::ClientConfig> clients;
  for (const auto& client : project.clients) {
    if (selection.client_id && client.client_id != *selection.client_id) continue;
    if (started.agent && std::find(started.agent->client_ids.begin(), started.agent->client_ids.end(),
                                   client.client_id) == started.agent->client_ids.end()) {
      continue;
    }
    clients.push_back(client);
  }
  if (selection.client_id && clients.empty()) {
    const bool exists = std::any_of(project.clients.begin(), project.clients.end(),
                                    [&](const config::ClientConfig& c) { return c.client_id == *selection.client_id; });
    throw Error(ErrorCode::kNotFound, exists ? "agent '" + *selection.agent_name + "' does not use client '" +
                                                   *selection.client_id + "'"
                                             : "no client '" + *selection.client_id + "' in " +
                                                   context.config_path().string());
  }
  // Servers start on the first listing, one broken server not hiding the others' tools.
  started.host = std::make_unique<mcp::McpHost>(std::move(clients), project.base_dir);
  mcp::auth::AuthorizerOptions authorization;
  authorization.store = login_store();
  started.host->set_authorization(std::move(authorization));
  return started;
}

void add_selection_options(CLI::App& command, McpSelection& selection) {
  command.add_option("--client", selection.client_id, "Only this MCP client");
  command.add_option("--agent", selection.agent_name, "What this agent sees (its clients, minus its exclusions)");
  command.add_option("--url", selection.url, "Talk to the MCP server at this http(s) URL instead of the project's");
  command.add_option("--header", selection.headers, "NAME:VALUE sent with every request to --url (repeatable)");
}

}  // namespace aurite::cli
