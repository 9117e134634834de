#include "aurite/config/validate.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <unordered_set>

#include <fmt/format.h>

#include "aurite/common/env.hpp"
#include "aurite/common/text.hpp"
#include "aurite/config/names.hpp"
#include "config/field_reader.hpp"

namespace aurite::config {
namespace {

using detail::index_path;
using detail::key_path;

class Validator {
 public:
  explicit Validator(const ProjectConfig& project) : project_(project) {
    for (const auto& client : project.clients) client_ids_.insert(client.client_id);
    for (const auto& llm : project.llms) llm_ids_.insert(llm.llm_id);
    for (const auto& agent : project.agents) agent_names_.insert(agent.name);
  }

  std::vector<Diagnostic> run() {
    for (std::size_t i = 0; i < project_.clients.size(); ++i) check(project_.clients[i], index_path("clients", i));
    for (std::size_t i = 0; i < project_.llms.size(); ++i) check(project_.llms[i], index_path("llms", i));
    for (std::size_t i = 0; i < project_.agents.size(); ++i) check(project_.agents[i], index_path("agents", i));
    for (std::size_t i = 0; i < project_.workflows.size(); ++i) check(project_.workflows[i], index_path("workflows", i));
    for (std::size_t i = 0; i < project_.custom_workflows.size(); ++i) {
      check(project_.custom_workflows[i], index_path("custom_workflows", i));
    }
    return std::move(diagnostics_);
  }

 private:
  void error(const std::string& path, std::string message) {
    diagnostics_.push_back({path, std::move(message)});
  }

  // Records the component at `path` under `name` in one namespace (`seen`) and reports a
  // name that is empty or already taken there.
  void check_name(const std::string& path, const char* field, const std::string& name,
                  std::map<std::string, std::string>& seen) {
    if (name.empty()) {
      error(key_path(path, field), "must not be empty");
      return;
    }
    if (const std::string problem = name_problem(name); !problem.empty()) {
      error(key_path(path, field), problem);
      return;
    }
    const auto [it, inserted] = seen.emplace(name, path);
    if (!inserted) {
      error(key_path(path, field), fmt::format("duplicate name '{}' (already used by {})", name, it->second));
    }
  }

  void check_reference(const std::string& path, const std::string& name, const char* what,
                       const std::unordered_set<std::string>& known) {
    if (known.count(name) != 0) return;
    std::string message = fmt::format("unknown {} '{}'", what, excerpt(name));
    // No name is longer than kMaxNameBytes: no suggestion, and no edit distance over a huge string.
    if (name.size() <= kMaxNameBytes) message += did_you_mean(name, {known.begin(), known.end()});
    error(path, std::move(message));
  }

  void check_positive(const std::string& path, const std::optional<double>& value) {
    if (value && *value <= 0) error(path, fmt::format("must be greater than 0, got {}", *value));
  }

  void check_at_least(const std::string& path, const std::optional<int64_t>& value, int64_t min) {
    if (value && *value < min) error(path, fmt::format("must be at least {}, got {}", min, *value));
  }

  void check_temperature(const std::string& path, const std::optional<double>& value) {
    if (value && (*value < 0 || *value > 2)) {
      error(path, fmt::format("must be between 0 and 2, got {}", *value));
    }
  }

  void check_provider(const std::string& path, const std::string& provider) {
    const auto known = std::find(std::begin(kProviders), std::end(kProviders), provider);
    if (known == std::end(kProviders)) {
      error(path, fmt::format("unknown provider '{}' (expected anthropic, openai or test)", provider));
    }
  }

  void check_log_level(const std::string& path, const std::string& level) {
    if (std::find(std::begin(kMcpLogLevels), std::end(kMcpLogLevels), level) != std::end(kMcpLogLevels)) return;
    std::string known;
    for (const auto name : kMcpLogLevels) known += (known.empty() ? "" : ", ") + std::string(name);
    error(path, fmt::format("unknown log level '{}' (expected one of {})", excerpt(level), known));
  }

  void check_url(const std::string& path, const ClientConfig& client) {
    const std::string& url = *client.url;
    const auto scheme_end = url.find("://");
    const std::string scheme = scheme_end == std::string::npos ? "" : url.substr(0, scheme_end);
    const bool has_host = scheme_end != std::string::npos && scheme_end + 3 < url.size() &&
                          url[scheme_end + 3] != '/' && url.find_first_of(" \t\r\n") == std::string::npos;
    if ((scheme != "http" && scheme != "https") || !has_host) {
      error(key_path(path, "url"), fmt::format("must be an http:// or https:// URL with a host, got '{}'",
                                               excerpt(url.substr(0, url.find('?')))));
    }
  }

  // Names are HTTP tokens; values one line (a newline would start a header of its own).
  // The headers that carry the protocol itself are ours to set.
  void check_header(const std::string& path, const std::string& name, const std::string& value) {
    if (!is_http_token(name)) {
      error(path, "not a header name (letters, digits and !#$%&'*+-.^_`|~)");
      return;
    }
    const std::string lowered = to_lower(name);
    for (const char* reserved : {"content-type", "content-length", "accept", "host", "mcp-session-id",
                                 "mcp-protocol-version", "last-event-id"}) {
      if (lowered == reserved) error(path, "set by the MCP transport itself; it cannot be configured");
    }
    if (value.find_first_of("\r\n") != std::string::npos) error(path, "a header value is one line");
  }

  void check(const ClientConfig& client, const std::string& path) {
    check_name(path, "client_id", client.client_id, client_names_);
    const int ways = client.server_path.has_value() + client.command.has_value() + client.url.has_value();
    if (ways != 1) error(path, "set exactly one of server_path, command or url");
    if (client.url) check_url(path, client);
    for (const auto& [name, value] : client.headers) check_header(key_path(key_path(path, "headers"), name), name, value);
    if (!client.headers.empty() && !client.url) {
      error(key_path(path, "headers"), "headers go with a url (a server we start gets env instead)");
    }
    if (client.ca_file && (!client.url || client.url->rfind("https://", 0) != 0)) {
      error(key_path(path, "ca_file"), "ca_file goes with an https:// url");
    }
    if (client.url && (!client.env.empty() || client.inherit_env.all || !client.inherit_env.names.empty())) {
      error(key_path(path, client.env.empty() ? "inherit_env" : "env"),
            "env and inherit_env are for a server we start; a url client sends headers");
    }
    if (client.server_path && client.server_path->empty()) {
      error(key_path(path, "server_path"), "must not be empty");
    }
    if (client.command && client.command->empty()) error(key_path(path, "command"), "must not be empty");
    if (!client.args.empty() && !client.command) {
      error(key_path(path, "args"), "args need a command (server_path takes no args)");
    }
    check_positive(key_path(path, "timeout"), client.timeout);
    check_positive(key_path(path, "max_total_timeout"), client.max_total_timeout);
    const double timeout = client.timeout.value_or(kDefaultClientTimeoutSeconds);
    if (client.max_total_timeout && *client.max_total_timeout > 0 && *client.max_total_timeout < timeout) {
      error(key_path(path, "max_total_timeout"),
            fmt::format("must not be less than the timeout ({} s{}), got {}", timeout,
                        client.timeout ? "" : ", the default", *client.max_total_timeout));
    }
    if (client.log_level) check_log_level(key_path(path, "log_level"), *client.log_level);
    if (client.routing_weight && *client.routing_weight < 0) {
      error(key_path(path, "routing_weight"), "must not be negative");
    }
    for (std::size_t i = 0; i < client.inherit_env.names.size(); ++i) {
      if (!is_env_name(client.inherit_env.names[i])) {
        error(index_path(key_path(path, "inherit_env"), i),
              "'" + client.inherit_env.names[i] + "' is not a variable name (letters, digits, _)");
      }
    }
    for (const auto& [name, value] : client.env) {
      if (!is_env_name(name)) error(key_path(key_path(path, "env"), name), "not a variable name (letters, digits, _)");
    }
    for (std::size_t i = 0; i < client.roots.size(); ++i) {
      if (client.roots[i].uri.empty()) error(key_path(index_path(key_path(path, "roots"), i), "uri"), "must not be empty");
    }
  }

  void check(const LlmConfig& llm, const std::string& path) {
    check_name(path, "llm_id", llm.llm_id, llm_names_);
    check_provider(key_path(path, "provider"), llm.provider);
    if (!llm.model && llm.provider != "test") {
      error(key_path(path, "model"), "required for provider '" + llm.provider + "'");
    }
    check_temperature(key_path(path, "temperature"), llm.temperature);
    check_at_least(key_path(path, "max_tokens"), llm.max_tokens, 1);
  }

  void check(const AgentConfig& agent, const std::string& path) {
    check_name(path, "name", agent.name, runnable_names_);
    for (std::size_t i = 0; i < agent.client_ids.size(); ++i) {
      check_reference(index_path(key_path(path, "client_ids"), i), agent.client_ids[i], "client",
                      client_ids_);
    }
    if (agent.llm_config_id) {
      check_reference(key_path(path, "llm_config_id"), *agent.llm_config_id, "llm", llm_ids_);
    }
    if (agent.provider) check_provider(key_path(path, "provider"), *agent.provider);
    check_temperature(key_path(path, "temperature"), agent.temperature);
    check_at_least(key_path(path, "max_tokens"), agent.max_tokens, 1);
    check_at_least(key_path(path, "max_iterations"), agent.max_iterations, 1);
    check_at_least(key_path(path, "history_limit"), agent.history_limit, 0);
  }

  void check(const WorkflowConfig& workflow, const std::string& path) {
    check_name(path, "name", workflow.name, runnable_names_);
    if (workflow.steps.empty()) error(key_path(path, "steps"), "a workflow needs at least one step");
    for (std::size_t i = 0; i < workflow.steps.size(); ++i) {
      check_reference(index_path(key_path(path, "steps"), i), workflow.steps[i], "agent", agent_names_);
    }
  }

  void check(const CustomWorkflowConfig& workflow, const std::string& path) {
    check_name(path, "name", workflow.name, runnable_names_);
    if (workflow.module_path.empty()) error(key_path(path, "module_path"), "must not be empty");
    if (workflow.class_name.empty()) error(key_path(path, "class_name"), "must not be empty");
  }

  const ProjectConfig& project_;
  std::unordered_set<std::string> client_ids_;
  std::unordered_set<std::string> llm_ids_;
  std::unordered_set<std::string> agent_names_;
  std::map<std::string, std::string> client_names_;
  std::map<std::string, std::string> llm_names_;
  std::map<std::string, std::string> runnable_names_;
  std::vector<Diagnostic> diagnostics_;
};

}  // namespace

std::vector<Diagnostic> validate_project(const ProjectConfig& project) {
  return Validator(project).run();
}

}  // namespace aurite::config
