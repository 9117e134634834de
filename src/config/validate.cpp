#include "aurite/config/validate.hpp"

#include <algorithm>
#include <cctype>
#include <functional>
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
  Validator(const ProjectConfig& project, const ValidateOptions& options) : project_(project), options_(options) {
    for (const auto& client : project.clients) client_ids_.insert(client.client_id);
    for (const auto& llm : project.llms) llm_ids_.insert(llm.llm_id);
    for (const auto& agent : project.agents) agent_names_.insert(agent.name);
    for (const auto& workflow : project.workflows) workflow_names_.insert(workflow.name);
    for (const auto& workflow : project.custom_workflows) custom_workflow_names_.insert(workflow.name);
  }

  std::vector<Diagnostic> run() {
    for (std::size_t i = 0; i < project_.clients.size(); ++i) check(project_.clients[i], index_path("clients", i));
    for (std::size_t i = 0; i < project_.llms.size(); ++i) check(project_.llms[i], index_path("llms", i));
    for (std::size_t i = 0; i < project_.agents.size(); ++i) check(project_.agents[i], index_path("agents", i));
    for (std::size_t i = 0; i < project_.workflows.size(); ++i) check(project_.workflows[i], index_path("workflows", i));
    for (std::size_t i = 0; i < project_.custom_workflows.size(); ++i) {
      check(project_.custom_workflows[i], index_path("custom_workflows", i));
    }
    for (std::size_t i = 0; i < project_.graph_workflows.size(); ++i) {
      check(project_.graph_workflows[i], index_path("graph_workflows", i));
    }
    check_workflow_cycles();
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

  void check_reference(const std::string& path, const std::string& name, std::string_view what,
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
    if (options_.any_provider) return;
    if (!is_known_provider(provider)) {
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
    if (url.find("${") != std::string::npos) return;  // known once the variables are expanded, at connect
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

  void check_auth(const std::string& path, const ClientConfig& client) {
    const ClientAuthConfig& auth = *client.auth;
    if (!client.url) error(path, "auth goes with a url (OAuth is for remote servers)");
    for (const auto& [name, value] : client.headers) {
      if (to_lower(name) == "authorization") {
        error(key_path(path, "type"), "the OAuth token is the Authorization header: remove headers." + name);
      }
    }
    if (auth.type != "oauth") error(key_path(path, "type"), fmt::format("unknown auth type '{}' (expected oauth)", excerpt(auth.type)));
    const bool known_grant = std::any_of(std::begin(kAuthGrants), std::end(kAuthGrants),
                                         [&](const char* grant) { return auth.grant == grant; });
    if (!known_grant) {
      error(key_path(path, "grant"),
            fmt::format("unknown grant '{}' (expected authorization_code or client_credentials)", excerpt(auth.grant)));
    }
    if (auth.client_secret_env && !is_env_name(*auth.client_secret_env)) {
      error(key_path(path, "client_secret_env"), "'" + excerpt(*auth.client_secret_env) + "' is not a variable name (letters, digits, _)");
    }
    if ((auth.client_secret_env || auth.private_key_file) && !auth.client_id) {
      error(key_path(path, auth.client_secret_env ? "client_secret_env" : "private_key_file"),
            "a client secret or key belongs to a pre-registered client: set client_id too");
    }
    if (auth.client_secret_env && auth.private_key_file) {
      error(key_path(path, "private_key_file"), "set either client_secret_env or private_key_file, not both");
    }
    if (auth.grant == "client_credentials" && !auth.client_secret_env && !auth.private_key_file) {
      error(key_path(path, "grant"), "client_credentials needs the client's own credentials: set client_id and "
                                     "client_secret_env or private_key_file");
    }
    if (auth.private_key_file && auth.private_key_file->empty()) error(key_path(path, "private_key_file"), "must not be empty");
    if (auth.client_metadata_url && auth.client_metadata_url->rfind("https://", 0) != 0) {
      error(key_path(path, "client_metadata_url"), "must be an https:// URL (where the client metadata document is published)");
    }
    if (auth.redirect_port && (*auth.redirect_port < 1 || *auth.redirect_port > 65535)) {
      error(key_path(path, "redirect_port"), fmt::format("must be a port from 1 to 65535, got {}", *auth.redirect_port));
    }
    for (std::size_t i = 0; i < auth.scopes.size(); ++i) {
      const auto& scope = auth.scopes[i];
      if (scope.empty() || scope.find_first_of(" \t\r\n\"\\") != std::string::npos) {
        error(index_path(key_path(path, "scopes"), i), "a scope is one word without blanks or quotes");
      }
    }
  }

  void check(const ClientConfig& client, const std::string& path) {
    check_name(path, "client_id", client.client_id, client_names_);
    const int ways = client.server_path.has_value() + client.command.has_value() + client.url.has_value();
    if (ways != 1) error(path, fmt::format("set exactly one of server_path, command or {}", options_.words.url));
    if (client.transport_type) check_transport_type(key_path(path, "transport_type"), client);
    if (client.url) check_url(path, client);
    for (const auto& [name, value] : client.headers) check_header(key_path(key_path(path, "headers"), name), name, value);
    if (!client.headers.empty() && !client.url) {
      error(key_path(path, "headers"), "headers go with a url (a server we start gets env instead)");
    }
    if (client.auth) check_auth(key_path(path, "auth"), client);
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
    check_positive(key_path(path, "registration_timeout"), client.registration_timeout);
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
    check_at_least(key_path(path, "max_result_chars"), client.max_result_chars, 1);
    // At least one character of the tool's own name must still fit.
    if (client.tool_prefix && !is_tool_name(*client.tool_prefix + "x")) {
      error(key_path(path, "tool_prefix"),
            fmt::format("'{}' cannot start tool names: model providers accept {}", excerpt(*client.tool_prefix),
                        kToolNameRule));
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
    if (llm.pricing) {
      const std::string pricing = key_path(path, "pricing");
      const auto not_negative = [&](const char* key, std::optional<double> rate) {
        if (rate && *rate < 0) error(key_path(pricing, key), fmt::format("must not be negative, got {}", *rate));
      };
      not_negative("input_per_mtok", llm.pricing->input_per_mtok);
      not_negative("output_per_mtok", llm.pricing->output_per_mtok);
      not_negative("cache_read_per_mtok", llm.pricing->cache_read_per_mtok);
      not_negative("cache_write_per_mtok", llm.pricing->cache_write_per_mtok);
    }
  }

  void check(const AgentConfig& agent, const std::string& path) {
    check_name(path, "name", agent.name, runnable_names_);
    for (std::size_t i = 0; i < agent.client_ids.size(); ++i) {
      check_reference(index_path(key_path(path, "client_ids"), i), agent.client_ids[i], options_.words.client,
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
    check_at_least(key_path(path, "max_result_chars"), agent.max_result_chars, 1);
    if (agent.prefix_tool_names.value_or(false)) {
      for (const auto& client_id : agent.client_ids) {
        if (!is_tool_name(client_id + "_x")) {
          error(key_path(path, "prefix_tool_names"),
                fmt::format("client id '{}' cannot start tool names: model providers accept {}", excerpt(client_id),
                            kToolNameRule));
        }
      }
    }
  }

  // "stdio" goes with server_path, "local" with command, "http_stream" with the url.
  void check_transport_type(const std::string& path, const ClientConfig& client) {
    const std::string& type = *client.transport_type;
    const std::string url(options_.words.url);
    const std::map<std::string, std::pair<bool, std::string>> needs = {
        {"stdio", {client.server_path.has_value(), "server_path"}},
        {"local", {client.command.has_value(), "command"}},
        {"http_stream", {client.url.has_value(), url}}};
    const auto it = needs.find(type);
    if (it == needs.end()) {
      error(path, fmt::format("unknown transport type '{}' (expected stdio, local or http_stream)", excerpt(type)));
    } else if (!it->second.first) {
      error(path, fmt::format("'{}' needs {}", type, it->second.second));
    }
  }

  void check_step(const std::string& path, const WorkflowStep& step) {
    if (!step.type) {
      if (agent_names_.count(step.name) || workflow_names_.count(step.name) ||
          custom_workflow_names_.count(step.name)) {
        return;
      }
      std::unordered_set<std::string> runnable = agent_names_;
      runnable.insert(workflow_names_.begin(), workflow_names_.end());
      runnable.insert(custom_workflow_names_.begin(), custom_workflow_names_.end());
      check_reference(path, step.name, "agent or workflow", runnable);
      return;
    }
    const std::string step_path = key_path(path, "name");
    if (*step.type == "agent") {
      check_reference(step_path, step.name, "agent", agent_names_);
    } else if (*step.type == "linear_workflow") {
      check_reference(step_path, step.name, "linear_workflow", workflow_names_);
    } else if (*step.type == "custom_workflow") {
      check_reference(step_path, step.name, "custom_workflow", custom_workflow_names_);
    } else {
      error(key_path(path, "type"),
            fmt::format("unknown step type '{}' (expected agent, linear_workflow or custom_workflow)", excerpt(*step.type)));
    }
  }

  void check(const WorkflowConfig& workflow, const std::string& path) {
    check_name(path, "name", workflow.name, runnable_names_);
    if (workflow.steps.empty()) error(key_path(path, "steps"), "a workflow needs at least one step");
    for (std::size_t i = 0; i < workflow.steps.size(); ++i) {
      check_step(index_path(key_path(path, "steps"), i), workflow.steps[i]);
    }
  }

  // A workflow that reaches itself through its steps would never end.
  void check_workflow_cycles() {
    std::map<std::string, std::pair<const WorkflowConfig*, std::string>> by_name;
    for (std::size_t i = 0; i < project_.workflows.size(); ++i) {
      by_name.emplace(project_.workflows[i].name, std::pair{&project_.workflows[i], index_path("workflows", i)});
    }
    for (const auto& [name, entry] : by_name) {
      std::vector<std::string> trail{name};
      if (reaches(name, name, by_name, trail)) {
        std::string chain;
        for (const auto& step : trail) chain += (chain.empty() ? "" : " -> ") + step;
        error(key_path(entry.second, "steps"), fmt::format("the workflow runs itself: {}", chain));
      }
    }
  }

  bool reaches(const std::string& from, const std::string& target,
               const std::map<std::string, std::pair<const WorkflowConfig*, std::string>>& by_name,
               std::vector<std::string>& trail) {
    const auto it = by_name.find(from);
    if (it == by_name.end()) return false;
    for (const auto& step : it->second.first->steps) {
      if (step.type && *step.type != "linear_workflow") continue;
      if (!by_name.count(step.name)) continue;
      if (std::find(trail.begin() + 1, trail.end(), step.name) != trail.end()) continue;  // another cycle
      trail.push_back(step.name);
      if (step.name == target || reaches(step.name, target, by_name, trail)) return true;
      trail.pop_back();
    }
    return false;
  }

  void check(const GraphWorkflowConfig& workflow, const std::string& path) {
    check_name(path, "name", workflow.name, runnable_names_);
    const std::string nodes_path = key_path(path, "nodes");
    if (workflow.nodes.empty()) error(nodes_path, "a graph workflow needs at least one node");
    std::map<std::string, std::size_t> index_of;
    for (std::size_t i = 0; i < workflow.nodes.size(); ++i) {
      const GraphNode& node = workflow.nodes[i];
      const std::string node_path = index_path(nodes_path, i);
      if (node.node_id.empty()) {
        error(key_path(node_path, "node_id"), "must not be empty");
      } else if (const auto [it, inserted] = index_of.emplace(node.node_id, i); !inserted) {
        error(key_path(node_path, "node_id"),
              fmt::format("duplicate node_id '{}' (already used by {})", excerpt(node.node_id),
                          index_path(nodes_path, it->second)));
      }
      if (node.type != "agent") {
        error(key_path(node_path, "type"), fmt::format("a node runs an agent, not '{}'", excerpt(node.type)));
      } else {
        check_reference(key_path(node_path, "name"), node.name, "agent", agent_names_);
      }
    }
    std::vector<std::vector<std::size_t>> successors(workflow.nodes.size());
    bool edges_ok = true;
    for (std::size_t i = 0; i < workflow.edges.size(); ++i) {
      const GraphEdge& edge = workflow.edges[i];
      const std::string edge_path = index_path(key_path(path, "edges"), i);
      const auto from = index_of.find(edge.from);
      const auto to = index_of.find(edge.to);
      if (from == index_of.end()) error(key_path(edge_path, "from"), unknown_node(edge.from, index_of));
      if (to == index_of.end()) error(key_path(edge_path, "to"), unknown_node(edge.to, index_of));
      if (from == index_of.end() || to == index_of.end()) {
        edges_ok = false;
        continue;
      }
      successors[from->second].push_back(to->second);
    }
    if (edges_ok && index_of.size() == workflow.nodes.size()) check_acyclic(key_path(path, "edges"), workflow, successors);
  }

  std::string unknown_node(const std::string& id, const std::map<std::string, std::size_t>& index_of) {
    std::vector<std::string> ids;
    for (const auto& [known, unused] : index_of) ids.push_back(known);
    std::string message = fmt::format("unknown node '{}'", excerpt(id));
    if (id.size() <= kMaxNameBytes) message += did_you_mean(id, ids);
    return message;
  }

  // Depth-first search; a node met again while still on the path closes a cycle, which
  // is reported with its nodes in order.
  void check_acyclic(const std::string& path, const GraphWorkflowConfig& workflow,
                     const std::vector<std::vector<std::size_t>>& successors) {
    enum class Mark { kNew, kOnPath, kDone };
    std::vector<Mark> marks(successors.size(), Mark::kNew);
    std::vector<std::size_t> stack;
    std::function<bool(std::size_t)> visit = [&](std::size_t node) {
      marks[node] = Mark::kOnPath;
      stack.push_back(node);
      for (const std::size_t next : successors[node]) {
        if (marks[next] == Mark::kOnPath) {
          std::string cycle;
          for (auto it = std::find(stack.begin(), stack.end(), next); it != stack.end(); ++it) {
            cycle += workflow.nodes[*it].node_id + " -> ";
          }
          error(path, fmt::format("the graph has a cycle: {}{}", cycle, workflow.nodes[next].node_id));
          return true;
        }
        if (marks[next] == Mark::kNew && visit(next)) return true;
      }
      marks[node] = Mark::kDone;
      stack.pop_back();
      return false;
    };
    for (std::size_t node = 0; node < successors.size(); ++node) {
      if (marks[node] == Mark::kNew && visit(node)) return;  // one cycle is enough to say
    }
  }

  void check(const CustomWorkflowConfig& workflow, const std::string& path) {
    check_name(path, "name", workflow.name, runnable_names_);
    if (workflow.module_path.empty()) error(key_path(path, "module_path"), "must not be empty");
    if (workflow.class_name.empty()) error(key_path(path, "class_name"), "must not be empty");
  }

  const ProjectConfig& project_;
  const ValidateOptions& options_;
  std::unordered_set<std::string> workflow_names_;
  std::unordered_set<std::string> custom_workflow_names_;
  std::unordered_set<std::string> client_ids_;
  std::unordered_set<std::string> llm_ids_;
  std::unordered_set<std::string> agent_names_;
  std::map<std::string, std::string> client_names_;
  std::map<std::string, std::string> llm_names_;
  std::map<std::string, std::string> runnable_names_;
  std::vector<Diagnostic> diagnostics_;
};

}  // namespace

std::vector<Diagnostic> validate_project(const ProjectConfig& project, const ValidateOptions& options) {
  return Validator(project, options).run();
}

}  // namespace aurite::config
