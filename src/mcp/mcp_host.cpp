#include "aurite/mcp/mcp_host.hpp"

#include <algorithm>
#include <exception>
#include <map>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "aurite/common/text.hpp"
#include "aurite/config/names.hpp"
#include "aurite/mcp/client_session.hpp"
#include "aurite/mcp/transport.hpp"
#include "mcp/call_askers.hpp"

namespace aurite::mcp {
namespace {

bool contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

ToolInfo tool_from_json(const config::ClientConfig& client, const Json& raw) {
  const std::string& client_id = client.client_id;
  if (!raw.is_object() || !raw.contains("name") || !raw["name"].is_string()) {
    throw Error(ErrorCode::kProtocol, "MCP client '" + client_id + "': a tool without a name: " + raw.dump().substr(0, 120));
  }
  ToolInfo tool;
  tool.client_id = client_id;
  tool.server_name = raw["name"].get<std::string>();
  tool.name = client.tool_prefix.value_or("") + tool.server_name;
  if (client.tool_prefix && !config::is_tool_name(tool.name)) {
    throw Error(ErrorCode::kInvalidConfig,
                fmt::format("MCP client '{}': its tool '{}' with the tool_prefix '{}' is named '{}', which model "
                            "providers refuse ({})",
                            client_id, config::excerpt(tool.server_name), *client.tool_prefix,
                            config::excerpt(tool.name), config::kToolNameRule));
  }
  if (raw.contains("description") && raw["description"].is_string()) tool.description = raw["description"];
  if (raw.contains("inputSchema") && raw["inputSchema"].is_object()) tool.input_schema = raw["inputSchema"];
  tool.raw = raw;
  return tool;
}

// Such a tool answers a plain tools/call with -32601 (2025-11-25: tasks).
bool requires_task(const Json& raw) {
  const auto execution = raw.find("execution");
  if (execution == raw.end() || !execution->is_object()) return false;
  const auto support = execution->find("taskSupport");
  return support != execution->end() && support->is_string() && *support == "required";
}

// A client's exclude names a tool as its server does or as it is listed; an agent's
// exclude_components as it is listed or as the agent sees it.
bool tool_visible(const config::ClientConfig& client, const ToolInfo& tool, const std::string& seen_name,
                  const config::AgentConfig* agent) {
  if (contains(client.exclude, tool.name) || contains(client.exclude, tool.server_name)) return false;
  if (agent == nullptr) return true;
  return contains(agent->client_ids, client.client_id) && !contains(agent->exclude_components, tool.name) &&
         !contains(agent->exclude_components, seen_name);
}

std::string seen_name(const ToolInfo& tool, const config::AgentConfig* agent) {
  return agent != nullptr && agent->prefix_tool_names.value_or(false) ? tool.client_id + "_" + tool.name : tool.name;
}

Error clash(const std::string& tool, const std::string& first, const std::string& second) {
  return Error(ErrorCode::kInvalidConfig,
               fmt::format("tool '{}' is offered by both MCP client '{}' and MCP client '{}'; tool names must be "
                           "unique (give a client a tool_prefix, or the agent prefix_tool_names, or use a client's "
                           "exclude)",
                           tool, first, second));
}

std::string string_field(const Json& raw, const char* key) {
  return raw.is_object() && raw.contains(key) && raw[key].is_string() ? raw[key].get<std::string>() : std::string();
}

}  // namespace

// One configured client: its session (replaced when it dies) and its tool list.
struct McpHost::Slot {
  config::ClientConfig config;
  std::mutex mutex;  // guards everything below
  std::shared_ptr<ClientSession> session;
  std::vector<ToolInfo> tools;
  // The session `tools` came from. A weak_ptr, compared by owner, so a restarted
  // session can never be mistaken for the old one (a raw address could be reused).
  std::weak_ptr<ClientSession> listed_session;
  std::uint64_t listed_generation = 0;
  // Whether a start was ever attempted: a client is started on its first use, but a
  // listing does not retry one that failed or died (a call of its tools does).
  bool start_attempted = false;
  // Why the last start or listing failed; empty once one succeeds.
  std::string failure;
  std::set<std::string> hidden_tools;  // already logged as hidden
  // The calls in flight that can answer the server's elicitations; shared with the
  // session's request handler, which may outlive the slot.
  std::shared_ptr<detail::CallAskers> askers = std::make_shared<detail::CallAskers>();
};

// One authorizer per OAuth client, kept across reconnects: it holds the client's tokens
// when there is no store, and orders their renewals when there is.
struct McpHost::Authorization {
  std::mutex mutex;
  auth::AuthorizerOptions options;
  std::map<std::string, std::pair<config::ClientConfig, std::shared_ptr<auth::Authorizer>>> made;

  std::shared_ptr<auth::Authorizer> for_client(const config::ClientConfig& client, const std::filesystem::path& base_dir) {
    std::lock_guard lock(mutex);
    auto& [config, authorizer] = made[client.client_id];
    if (!authorizer || config != client) {
      auth::AuthorizerOptions made_options = options;
      made_options.base_dir = base_dir;
      if (client.ca_file) made_options.ca_file = config::resolve_path(base_dir, *client.ca_file).string();
      authorizer = auth::make_authorizer(client, std::move(made_options));
      config = client;
    }
    return authorizer;
  }
};

McpHost::McpHost(std::vector<config::ClientConfig> clients, std::filesystem::path base_dir,
                 std::string offered_version, TransportFactory connect)
    : authorization_(std::make_shared<Authorization>()),
      connect_(connect ? std::move(connect)
                       : [base_dir = std::move(base_dir), authorization = authorization_](const config::ClientConfig& client) {
                           if (client.auth && client.url) {
                             return start_http_transport(client, base_dir, authorization->for_client(client, base_dir));
                           }
                           return start_transport(client, base_dir);
                         }),
      offered_version_(std::move(offered_version)) {
  for (auto& client : clients) {
    auto slot = std::make_shared<Slot>();
    slot->config = std::move(client);
    slots_.push_back(std::move(slot));
  }
}

McpHost::~McpHost() { shutdown(); }

void McpHost::answer_elicitations(bool enabled) { answer_elicitations_ = enabled; }

void McpHost::set_authorization(auth::AuthorizerOptions options) {
  std::lock_guard lock(authorization_->mutex);
  authorization_->options = std::move(options);
  authorization_->made.clear();
}

void McpHost::start() {
  // Servers take a while to start (Node: ~0.5 s); start them side by side.
  const auto all = slots();
  std::vector<std::exception_ptr> failures(all.size());
  std::vector<std::thread> starters;
  for (std::size_t i = 0; i < all.size(); ++i) {
    starters.emplace_back([this, &all, i, &failures] {
      try {
        session(*all[i]);
      } catch (...) {
        failures[i] = std::current_exception();
      }
    });
  }
  for (auto& t : starters) t.join();
  for (const auto& failure : failures) {
    if (failure) std::rethrow_exception(failure);
  }
  refresh_tools(/*strict=*/true);
  view(nullptr);  // a clash among every client's tools is a start-up error
}

void McpHost::shutdown() {
  // A busy server takes the whole stop sequence (EOF, SIGTERM grace); stop them side by
  // side so shutdown costs the slowest, not the sum.
  std::vector<std::thread> stoppers;
  for (auto& slot : slots()) {
    std::shared_ptr<ClientSession> session;
    {
      std::lock_guard lock(slot->mutex);
      session = std::move(slot->session);
      slot->listed_session.reset();
    }
    if (session) stoppers.emplace_back([session = std::move(session)] { session->close(); });
  }
  for (auto& stopper : stoppers) stopper.join();
}

void McpHost::update_clients(std::vector<config::ClientConfig> clients) {
  std::vector<std::shared_ptr<Slot>> retired;
  {
    std::lock_guard lock(slots_mutex_);
    std::vector<std::shared_ptr<Slot>> next;
    for (auto& client : clients) {
      const auto kept = std::find_if(slots_.begin(), slots_.end(), [&](const auto& s) { return s->config == client; });
      if (kept != slots_.end()) {
        next.push_back(*kept);
        continue;
      }
      auto fresh = std::make_shared<Slot>();
      fresh->config = std::move(client);
      next.push_back(std::move(fresh));
    }
    for (auto& old : slots_) {
      if (std::find(next.begin(), next.end(), old) == next.end()) retired.push_back(std::move(old));
    }
    slots_ = std::move(next);
  }
  for (const auto& old : retired) {
    const bool running = live_session(*old) != nullptr;
    spdlog::debug("MCP client '{}' {}{}", old->config.client_id,
                  slot_exists(old->config.client_id) ? "changed" : "removed",
                  running ? ": stopping its server once no call uses it" : "");
  }
  // Dropping the last reference to a retired session closes it (here, or when the last
  // call using it returns), so a call in flight is not cut short.
}

bool McpHost::slot_exists(const std::string& client_id) const {
  std::lock_guard lock(slots_mutex_);
  return std::any_of(slots_.begin(), slots_.end(), [&](const auto& s) { return s->config.client_id == client_id; });
}

std::vector<std::shared_ptr<McpHost::Slot>> McpHost::slots() const {
  std::lock_guard lock(slots_mutex_);
  return slots_;
}

std::vector<std::string> McpHost::client_ids() const {
  std::vector<std::string> ids;
  for (const auto& slot : slots()) ids.push_back(slot->config.client_id);
  return ids;
}

std::optional<config::ClientConfig> McpHost::client_config(const std::string& client_id) const {
  for (const auto& slot : slots()) {
    if (slot->config.client_id == client_id) return slot->config;
  }
  return std::nullopt;
}

std::vector<ClientConnection> McpHost::connections() {
  std::vector<ClientConnection> out;
  for (const auto& slot : slots()) {
    const auto session = live_session(*slot);
    if (!session) continue;
    const Json& info = session->server_info();
    out.push_back({slot->config.client_id, std::string(session->transport_name()), session->protocol_version(),
                   string_field(info, "name"), string_field(info, "version")});
  }
  return out;
}

std::shared_ptr<McpHost::Slot> McpHost::slot(const std::string& client_id) const {
  for (auto& slot : slots()) {
    if (slot->config.client_id == client_id) return slot;
  }
  throw Error(ErrorCode::kNotFound, "no MCP client '" + client_id + "'");
}

std::shared_ptr<ClientSession> McpHost::session(Slot& slot) {
  std::lock_guard lock(slot.mutex);
  if (slot.session && slot.session->alive()) return slot.session;
  if (slot.session) spdlog::info("MCP client '{}': restarting the server", slot.config.client_id);
  slot.session.reset();
  auto transport = connect_(slot.config);
  // Over HTTP the stateless revision is asked for first; a server of the handshake
  // revisions is then initialized at the version this host offers.
  const bool try_stateless = transport->name() == "http" && offered_version_ == kLatestProtocolVersion;
  ServerRequestHandler requests;
  if (answer_elicitations_) {
    const std::chrono::milliseconds timeout(
        static_cast<std::int64_t>(slot.config.timeout.value_or(config::kDefaultClientTimeoutSeconds) * 1000.0));
    requests.capabilities = {{"elicitation", {{"form", Json::object()}, {"url", Json::object()}}}};
    requests.handler = [askers = slot.askers, client_id = slot.config.client_id, timeout](
                           const std::string& method, const Json& params) -> std::optional<Json> {
      if (method != "elicitation/create") return std::nullopt;
      return askers->answer(client_id, params, timeout);
    };
  }
  slot.session = ClientSession::open(slot.config, std::move(transport),
                                     try_stateless ? kStatelessProtocolVersion : std::string_view(offered_version_),
                                     std::move(requests));
  return slot.session;
}

std::shared_ptr<ClientSession> McpHost::live_session(Slot& slot) {
  std::lock_guard lock(slot.mutex);
  return slot.session && slot.session->alive() ? slot.session : nullptr;
}

bool McpHost::visible(const Slot& slot, const std::string& name, const config::AgentConfig* agent) {
  if (contains(slot.config.exclude, name)) return false;
  if (agent == nullptr) return true;
  return contains(agent->client_ids, slot.config.client_id) && !contains(agent->exclude_components, name);
}

void McpHost::refresh_tools(bool strict, const config::AgentConfig* agent) {
  std::lock_guard registry_lock(registry_mutex_);
  const auto all = slots();
  for (auto& slot : all) {
    // An agent's listing starts only the servers it uses.
    if (agent != nullptr && !contains(agent->client_ids, slot->config.client_id)) continue;
    try {
      bool first_use = false;
      bool never_listed = false;
      {
        std::lock_guard lock(slot->mutex);
        first_use = !slot->start_attempted;
        slot->start_attempted = true;
        never_listed = slot->tools.empty() && !slot->failure.empty();
      }
      // Outside start-up a dead server is not restarted just to list it: that would
      // make every call wait for it. It restarts when one of its tools is called. One
      // that never listed its tools has none to call: the listing tries it again.
      auto current = strict || first_use || never_listed ? session(*slot) : live_session(*slot);
      if (!current) continue;
      // Read the generation before listing: a change during the listing re-lists again.
      const auto generation = current->tools_generation();
      {
        std::lock_guard lock(slot->mutex);
        const bool same = !slot->listed_session.owner_before(current) && !current.owner_before(slot->listed_session);
        if (same && !slot->listed_session.expired() && slot->listed_generation == generation) continue;
      }
      std::vector<ToolInfo> tools;
      for (const auto& raw : current->list_all("tools/list", "tools")) {
        ToolInfo tool = tool_from_json(slot->config, raw);
        const std::string unusable = requires_task(raw)
                                         ? "it can only be called as a task (taskSupport 'required'), which this "
                                           "host does not support"
                                         : header_annotation_problem(tool.input_schema);
        if (unusable.empty()) {
          tools.push_back(std::move(tool));
          continue;
        }
        std::lock_guard lock(slot->mutex);
        if (slot->hidden_tools.insert(tool.name).second) {
          spdlog::warn("MCP client '{}': tool '{}' is hidden: {}", slot->config.client_id, tool.name, unusable);
        }
      }
      std::lock_guard lock(slot->mutex);
      slot->tools = std::move(tools);
      slot->listed_session = current;
      slot->listed_generation = generation;
      slot->failure.clear();
    } catch (const Error& error) {
      {
        std::lock_guard lock(slot->mutex);
        slot->failure = error.what();
      }
      if (strict) throw;
      spdlog::warn("{} (keeping its last tool list)", error.what());
    }
  }
}

std::vector<ToolInfo> McpHost::view(const config::AgentConfig* agent) {
  std::vector<ToolInfo> out;
  std::map<std::string, std::string> owner;
  for (auto& slot : slots()) {
    std::lock_guard lock(slot->mutex);
    for (const auto& tool : slot->tools) {
      ToolInfo seen = tool;
      seen.name = seen_name(tool, agent);
      if (!tool_visible(slot->config, tool, seen.name, agent)) continue;
      if (seen.name != tool.name && !config::is_tool_name(seen.name)) {
        throw Error(ErrorCode::kInvalidConfig,
                    fmt::format("agent '{}' has prefix_tool_names: the tool '{}' of MCP client '{}' would be '{}', "
                                "which model providers refuse ({})",
                                agent->name, config::excerpt(tool.name), tool.client_id, config::excerpt(seen.name),
                                config::kToolNameRule));
      }
      const auto [it, inserted] = owner.emplace(seen.name, slot->config.client_id);
      if (!inserted) {
        if (it->second != slot->config.client_id) throw clash(seen.name, it->second, slot->config.client_id);
        continue;  // a server listing a name twice: its first
      }
      out.push_back(std::move(seen));
    }
  }
  return out;
}

std::vector<ToolInfo> McpHost::tools() {
  refresh_tools(/*strict=*/false);
  return view(nullptr);
}

std::vector<ToolInfo> McpHost::tools_for(const config::AgentConfig& agent) {
  refresh_tools(/*strict=*/false, &agent);
  return view(&agent);
}

std::vector<ClientFailure> McpHost::failed_clients(const config::AgentConfig* agent) {
  std::vector<ClientFailure> out;
  for (auto& slot : slots()) {
    if (agent != nullptr && !contains(agent->client_ids, slot->config.client_id)) continue;
    std::lock_guard lock(slot->mutex);
    if (slot->tools.empty() && !slot->failure.empty()) {
      out.push_back({slot->config.client_id, slot->failure, slot->config.optional.value_or(false)});
    }
  }
  return out;
}

std::optional<ToolInfo> McpHost::find_tool(const std::string& name) { return find_tool(name, nullptr); }

std::optional<ToolInfo> McpHost::find_tool(const std::string& name, const config::AgentConfig* agent) {
  refresh_tools(/*strict=*/false, agent);
  for (auto& tool : view(agent)) {
    if (tool.name == name) return tool;
  }
  return std::nullopt;
}

ToolResult McpHost::call_tool(const std::string& name, const Json& arguments, const config::AgentConfig* agent,
                              const ProgressCallback& on_progress, const Elicitor& elicitor, Cancellation* cancel) {
  const std::optional<ToolInfo> tool = find_tool(name, agent);
  // The client may have been removed since the listing.
  std::shared_ptr<Slot> owner;
  if (tool) {
    for (auto& candidate : slots()) {
      if (candidate->config.client_id == tool->client_id) owner = candidate;
    }
  }
  if (!owner) {
    std::vector<std::string> known;
    for (const ToolInfo& candidate : agent != nullptr ? tools_for(*agent) : tools()) known.push_back(candidate.name);
    throw Error(ErrorCode::kNotFound, "no MCP tool named '" + name + "'" +
                                          (agent != nullptr ? " for agent '" + agent->name + "'" : std::string()) +
                                          did_you_mean(name, known));
  }
  std::optional<detail::CallAskers::Registration> asking;
  if (elicitor) asking.emplace(detail::CallAskers::add(owner->askers, name, elicitor));
  try {
    auto current = session(*owner);
    // The server knows the tool by its own name, whatever prefix the caller sees.
    const std::string& server_name = tool->server_name.empty() ? tool->name : tool->server_name;
    const Json params = {{"name", server_name}, {"arguments", arguments.is_null() ? Json::object() : arguments}};
    // Progress is asked for even with no one to show it to: it keeps a long call alive.
    ClientSession::RequestOptions options;
    options.on_progress = [&on_progress](const Progress& report) {
      if (on_progress) on_progress(report);
    };
    options.cancel = cancel;
    return parse_tool_result(tool->client_id, current->request("tools/call", params, options));
  } catch (const Error& error) {
    return ToolResult::from_error(error);
  }
}

std::vector<PromptInfo> McpHost::prompts(const config::AgentConfig* agent) {
  std::vector<PromptInfo> out;
  for (auto& slot : slots()) {
    if (agent != nullptr && !contains(agent->client_ids, slot->config.client_id)) continue;
    auto current = session(*slot);
    if (!current->server_capabilities().contains("prompts")) continue;
    for (const auto& raw : current->list_all("prompts/list", "prompts")) {
      PromptInfo prompt{slot->config.client_id, string_field(raw, "name"), string_field(raw, "description"),
                        raw.value("arguments", Json::array()), raw};
      if (visible(*slot, prompt.name, agent)) out.push_back(std::move(prompt));
    }
  }
  return out;
}

std::vector<ResourceInfo> McpHost::resources(const config::AgentConfig* agent) {
  std::vector<ResourceInfo> out;
  for (auto& slot : slots()) {
    if (agent != nullptr && !contains(agent->client_ids, slot->config.client_id)) continue;
    auto current = session(*slot);
    if (!current->server_capabilities().contains("resources")) continue;
    for (const auto& raw : current->list_all("resources/list", "resources")) {
      ResourceInfo resource{slot->config.client_id, string_field(raw, "uri"), string_field(raw, "name"),
                            string_field(raw, "description"), string_field(raw, "mimeType"), raw};
      if (visible(*slot, resource.name, agent) && visible(*slot, resource.uri, agent)) out.push_back(std::move(resource));
    }
  }
  return out;
}

Json McpHost::get_prompt(const std::string& name, const Json& arguments) {
  std::vector<std::string> known;
  for (const auto& prompt : prompts()) {
    if (prompt.name != name) {
      known.push_back(prompt.name);
      continue;
    }
    Json params = {{"name", name}};
    if (!arguments.is_null() && !arguments.empty()) params["arguments"] = arguments;
    return session(*slot(prompt.client_id))->request("prompts/get", params);
  }
  throw Error(ErrorCode::kNotFound, "no MCP prompt named '" + name + "'" + did_you_mean(name, known));
}

Json McpHost::read_resource(const std::string& uri) {
  std::vector<std::string> known;
  for (const auto& resource : resources()) {
    if (resource.uri == uri) return session(*slot(resource.client_id))->request("resources/read", {{"uri", uri}});
    known.push_back(resource.uri);
  }
  throw Error(ErrorCode::kNotFound, "no MCP resource with uri '" + uri + "'" + did_you_mean(uri, known));
}

}  // namespace aurite::mcp
