// mcp/server/mcp_server — the server library's registry (tools, prompts, resources,
// completion), the clients it serves, and what handlers call to reach a client (log,
// progress, requests to the client). Answering requests is server_dispatch.cpp; the
// transports are stdio_serving.cpp and http_server.cpp.
#include "aurite/mcp/server.hpp"

#include <string>

#include "mcp/jsonrpc.hpp"
#include "mcp/server/http_guard.hpp"
#include "mcp/server/log_levels.hpp"
#include "mcp/server/revisions.hpp"
#include "mcp/server/server_session.hpp"

namespace aurite::mcp {

ToolResult text_result(std::string text, bool is_error) {
  ToolResult result;
  result.content = Json::array({{{"type", "text"}, {"text", std::move(text)}}});
  result.is_error = is_error;
  return result;
}

McpServer::McpServer(Options options) : options_(std::move(options)), state_key_(detail::random_token()) {}

McpServer::~McpServer() { join_workers(); }

void McpServer::join_workers() { reap_workers(/*all=*/true); }

void McpServer::reap_workers(bool all) {
  std::vector<Worker> finished;
  {
    std::lock_guard lock(workers_mutex_);
    std::erase_if(workers_, [&](Worker& worker) {
      if (!all && !worker.done->load()) return false;
      finished.push_back(std::move(worker));
      return true;
    });
  }
  // Joined outside the lock: a worker that is still finishing may start a call of its own.
  for (auto& worker : finished) {
    if (worker.thread.joinable()) worker.thread.join();
  }
}

void McpServer::add_tool(ServerTool tool) {
  std::lock_guard lock(tools_mutex_);
  for (const auto& t : tools_) {
    if (t.name == tool.name) throw Error(ErrorCode::kAlreadyExists, "tool '" + tool.name + "' registered twice");
  }
  tools_.push_back(std::move(tool));
}

std::optional<ServerTool> McpServer::find_tool(const std::string& name) {
  std::lock_guard lock(tools_mutex_);
  for (const auto& t : tools_) {
    if (t.name == name) return t;
  }
  return std::nullopt;
}

Json McpServer::tool_input_schema(const std::string& name) {
  const auto tool = find_tool(name);
  return tool ? tool->input_schema : Json();
}

void McpServer::add_prompt(ServerPrompt prompt) {
  for (const auto& p : prompts_) {
    if (p.name == prompt.name) throw Error(ErrorCode::kAlreadyExists, "prompt '" + prompt.name + "' registered twice");
  }
  prompts_.push_back(std::move(prompt));
}

void McpServer::set_resources(std::function<std::vector<ServerResource>()> lister,
                              std::function<std::string(const std::string&)> reader) {
  // The MIME type of a text resource is the one it is listed with.
  auto list = lister;
  set_resource_contents(std::move(lister), [list = std::move(list), reader = std::move(reader)](const std::string& uri) {
    ResourceContent content;
    for (const auto& r : list()) content.mime_type = r.uri == uri ? r.mime_type : content.mime_type;
    content.text = reader(uri);
    return content;
  });
}

void McpServer::set_resource_contents(std::function<std::vector<ServerResource>()> lister,
                                      std::function<ResourceContent(const std::string&)> reader) {
  resource_lister_ = std::move(lister);
  resource_reader_ = std::move(reader);
}

void McpServer::add_resource_template(ServerResourceTemplate resource_template) {
  for (const auto& t : resource_templates_) {
    if (t.uri_template == resource_template.uri_template) {
      throw Error(ErrorCode::kAlreadyExists, "resource template '" + t.uri_template + "' registered twice");
    }
  }
  resource_templates_.push_back(std::move(resource_template));
}

void McpServer::set_completer(Completer completer) { completer_ = std::move(completer); }

void McpServer::on_notification(std::function<void(const std::string&, const Json&)> handler) {
  notification_handler_ = std::move(handler);
}

void McpServer::attach(const std::shared_ptr<detail::ServerSession>& session) {
  std::lock_guard lock(sessions_mutex_);
  sessions_.push_back(session);
}

void McpServer::detach(const std::shared_ptr<detail::ServerSession>& session) {
  std::lock_guard lock(sessions_mutex_);
  std::erase_if(sessions_, [&](const auto& weak) {
    const auto held = weak.lock();
    return !held || held == session;
  });
}

std::vector<std::shared_ptr<detail::ServerSession>> McpServer::sessions() {
  std::lock_guard lock(sessions_mutex_);
  std::vector<std::shared_ptr<detail::ServerSession>> out;
  for (const auto& weak : sessions_) {
    if (auto held = weak.lock()) out.push_back(std::move(held));
  }
  return out;
}

void McpServer::notify_tools_changed() {
  const Json message = jsonrpc::make_notification("notifications/tools/list_changed", {});
  for (const auto& session : sessions()) session->unsolicited().send(message);
}

void McpServer::notify_resource_updated(const std::string& uri) {
  const Json message = jsonrpc::make_notification("notifications/resources/updated", {{"uri", uri}});
  for (const auto& session : sessions()) {
    if (session->subscribed(uri)) session->unsolicited().send(message);
  }
}

void McpServer::log(const std::string& level, const Json& data, const std::string& logger) {
  Json params = {{"level", level}, {"data", data}};
  if (!logger.empty()) params["logger"] = logger;
  const Json message = jsonrpc::make_notification("notifications/message", params);
  const auto wanted = [&](const detail::ServerSession& session) {
    const auto floor = session.log_level();
    // A stateless request opts in to log messages by naming a level in its _meta.
    if (!floor) return !detail::is_stateless_version(session.protocol_version());
    return detail::log_rank(level) >= detail::log_rank(*floor);
  };
  if (const auto* call = detail::current_call()) {
    if (wanted(*call->session)) call->outbox->send(message);
    return;
  }
  for (const auto& session : sessions()) {
    if (wanted(*session)) session->unsolicited().send(message);
  }
}

std::optional<std::string> McpServer::client_log_level() {
  const auto* call = detail::current_call();
  return call ? call->session->log_level() : std::nullopt;
}

Json McpServer::client_capabilities() {
  const auto* call = detail::current_call();
  return call ? call->session->capabilities() : Json::object();
}

void McpServer::report_progress(double progress, std::optional<double> total, const std::string& message) {
  const auto* call = detail::current_call();
  if (call == nullptr || call->progress_token.is_null()) return;
  Json params = {{"progressToken", call->progress_token}, {"progress", progress}};
  if (total) params["total"] = *total;
  if (!message.empty()) params["message"] = message;
  call->outbox->send(jsonrpc::make_notification("notifications/progress", params));
}

void McpServer::close_sse_stream() {
  if (const auto* call = detail::current_call()) call->outbox->close_stream();
}

Json McpServer::request_client(const std::string& method, const Json& params, std::chrono::milliseconds timeout) {
  const auto* call = detail::current_call();
  if (call == nullptr) throw Error(ErrorCode::kInternal, "request_client(" + method + ") called outside a handler");
  if (detail::is_stateless_version(call->session->protocol_version())) {
    // Asked through the result instead; the answers of earlier rounds ride in the
    // sealed state, since a retry carries only the latest round's.
    Json known = Json::object();
    if (const auto opened = open_state(call->request_state)) known = Json::parse(*opened, nullptr, false);
    if (!known.is_object()) known = Json::object();
    known.update(call->input_responses);
    const std::string key = "request-" + std::to_string(++call->client_requests);
    if (known.contains(key)) return {{"jsonrpc", "2.0"}, {"id", key}, {"result", known[key]}};
    throw InputRequired{{{key, {{"method", method}, {"params", params}}}}, seal_state(known.dump())};
  }
  const std::string id = call->session->open_request();
  call->outbox->send({{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}});
  auto response = call->session->wait_response(id, timeout);
  if (!response) throw Error(ErrorCode::kTimeout, "no answer from the client to " + method);
  return *response;
}

}  // namespace aurite::mcp
