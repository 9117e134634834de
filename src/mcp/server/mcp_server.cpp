#include "aurite/mcp/server.hpp"

#include <iostream>
#include <string>

#include "aurite/mcp/transport.hpp"
#include "mcp/jsonrpc.hpp"

namespace aurite::mcp {
namespace {

// The JSON-RPC error code MCP uses for an unknown resource.
constexpr int kResourceNotFound = -32002;

// The progressToken of the tools/call the current worker thread runs (null: none).
thread_local Json current_progress_token;

// The position of `level` in the MCP levels (least severe first), -1 when it is none.
int log_rank(const std::string& level) {
  static const char* const kLevels[] = {"debug", "info",     "notice", "warning",
                                        "error", "critical", "alert",  "emergency"};
  for (int i = 0; i < 8; ++i) {
    if (level == kLevels[i]) return i;
  }
  return -1;
}

int rpc_code_for(const Error& error) {
  switch (error.code()) {
    case ErrorCode::kInvalidArgument: return jsonrpc::kInvalidParams;
    case ErrorCode::kNotFound: return kResourceNotFound;
    default: return jsonrpc::kInternalError;
  }
}

// std::getline with a cap: a line longer than kMaxLineBytes is skipped to its end and
// reported through `too_long`, instead of growing without bound. False at end of input.
bool read_line(std::istream& in, std::string& line, bool& too_long) {
  line.clear();
  too_long = false;
  auto* buffer = in.rdbuf();
  bool any = false;
  for (int c = buffer->sbumpc(); c != std::char_traits<char>::eof(); c = buffer->sbumpc()) {
    any = true;
    if (c == '\n') return true;
    if (line.size() < kMaxLineBytes) line.push_back(static_cast<char>(c));
    else too_long = true;
  }
  return any;
}

Json string_param(const Json& params, const char* key) {
  if (!params.is_object() || !params.contains(key) || !params[key].is_string()) {
    throw Error(ErrorCode::kInvalidArgument, std::string("missing string parameter '") + key + "'");
  }
  return params[key];
}

}  // namespace

ToolResult text_result(std::string text, bool is_error) {
  ToolResult result;
  result.content = Json::array({{{"type", "text"}, {"text", std::move(text)}}});
  result.is_error = is_error;
  return result;
}

McpServer::McpServer(Options options) : options_(std::move(options)) {}

McpServer::~McpServer() { reap_workers(/*all=*/true); }

void McpServer::reap_workers(bool all) {
  std::erase_if(workers_, [all](Worker& worker) {
    if (!all && !worker.done->load()) return false;
    if (worker.thread.joinable()) worker.thread.join();
    return true;
  });
}

void McpServer::add_tool(ServerTool tool) {
  std::lock_guard lock(tools_mutex_);
  for (const auto& t : tools_) {
    if (t.name == tool.name) throw Error(ErrorCode::kAlreadyExists, "tool '" + tool.name + "' registered twice");
  }
  tools_.push_back(std::move(tool));
}

void McpServer::add_prompt(ServerPrompt prompt) {
  for (const auto& p : prompts_) {
    if (p.name == prompt.name) throw Error(ErrorCode::kAlreadyExists, "prompt '" + prompt.name + "' registered twice");
  }
  prompts_.push_back(std::move(prompt));
}

void McpServer::set_resources(std::function<std::vector<ServerResource>()> lister,
                              std::function<std::string(const std::string&)> reader) {
  resource_lister_ = std::move(lister);
  resource_reader_ = std::move(reader);
}

int McpServer::run_stdio() {
  std::ios::sync_with_stdio(false);
  return run(std::cin, std::cout);
}

int McpServer::run(std::istream& in, std::ostream& out) {
  out_ = &out;
  std::string line;
  bool too_long = false;
  while (read_line(in, line, too_long)) {
    if (too_long) {
      send(jsonrpc::make_error(nullptr, jsonrpc::kInvalidRequest,
                               "message longer than " + std::to_string(kMaxLineBytes) + " bytes"));
      continue;
    }
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const Json message = Json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (message.is_discarded()) {
      send(jsonrpc::make_error(nullptr, jsonrpc::kParseError, "not JSON"));
      continue;
    }
    handle(message);
  }
  reap_workers(/*all=*/true);
  return 0;
}

void McpServer::send(const Json& message) {
  const std::string text = message.dump();
  std::lock_guard lock(out_mutex_);
  *out_ << text << '\n';
  out_->flush();
}

void McpServer::handle(const Json& message) {
  switch (jsonrpc::classify(message)) {
    case jsonrpc::Kind::kRequest:
      handle_request(message["id"], message["method"].get<std::string>(),
                     message.contains("params") ? message["params"] : Json::object());
      return;
    case jsonrpc::Kind::kNotification:
      // A cancelled call still runs to its end here; the client ignores the late answer.
      if (notification_handler_) {
        notification_handler_(message["method"].get<std::string>(),
                              message.contains("params") ? message["params"] : Json::object());
      }
      return;
    case jsonrpc::Kind::kResponse: {
      std::lock_guard lock(requests_mutex_);
      const std::string id = message["id"].is_string() ? message["id"].get<std::string>() : message["id"].dump();
      if (const auto it = requests_.find(id); it != requests_.end()) it->second = message;
      requests_cv_.notify_all();
      return;
    }
    case jsonrpc::Kind::kInvalid:
      send(jsonrpc::make_error(message.is_object() && message.contains("id") ? message["id"] : Json(nullptr),
                               jsonrpc::kInvalidRequest, "not a JSON-RPC 2.0 message"));
      return;
  }
}

void McpServer::handle_request(const Json& id, const std::string& method, const Json& params) {
  try {
    if (method == "tools/call") return call_tool(id, params);
    Json result;
    if (method == "initialize") {
      result = initialize(params);
    } else if (method == "ping") {
      result = Json::object();
    } else if (method == "logging/setLevel" && options_.logging) {
      const std::string level = string_param(params, "level");
      if (log_rank(level) < 0) throw Error(ErrorCode::kInvalidArgument, "unknown log level: " + level);
      std::lock_guard lock(log_mutex_);
      client_log_level_ = level;
      result = Json::object();
    } else if (method == "tools/list") {
      Json items = Json::array();
      std::lock_guard lock(tools_mutex_);
      for (const auto& t : tools_) {
        Json item = {{"name", t.name}, {"description", t.description}, {"inputSchema", t.input_schema}};
        if (t.execution.is_object()) item["execution"] = t.execution;
        items.push_back(std::move(item));
      }
      result = list_page(items, params, "tools");
    } else if (method == "prompts/list") {
      Json items = Json::array();
      for (const auto& p : prompts_) {
        items.push_back({{"name", p.name}, {"description", p.description}, {"arguments", p.arguments}});
      }
      result = list_page(items, params, "prompts");
    } else if (method == "prompts/get") {
      const std::string name = string_param(params, "name");
      const ServerPrompt* prompt = nullptr;
      for (const auto& p : prompts_) prompt = p.name == name ? &p : prompt;
      if (prompt == nullptr) throw Error(ErrorCode::kInvalidArgument, "unknown prompt: " + name);
      const Json arguments = params.value("arguments", Json::object());
      result = {{"description", prompt->description}, {"messages", prompt->handler(arguments)}};
    } else if (method == "resources/list" && resource_lister_) {
      Json items = Json::array();
      for (const auto& r : resource_lister_()) {
        items.push_back({{"uri", r.uri}, {"name", r.name}, {"description", r.description}, {"mimeType", r.mime_type}});
      }
      result = list_page(items, params, "resources");
    } else if (method == "resources/read" && resource_reader_) {
      const std::string uri = string_param(params, "uri");
      std::string mime = "text/plain";
      for (const auto& r : resource_lister_()) mime = r.uri == uri ? r.mime_type : mime;
      result = {{"contents", Json::array({{{"uri", uri}, {"mimeType", mime}, {"text", resource_reader_(uri)}}})}};
    } else {
      send(jsonrpc::make_error(id, jsonrpc::kMethodNotFound, "method not found: " + method));
      return;
    }
    send(jsonrpc::make_result(id, std::move(result)));
  } catch (const Error& error) {
    send(jsonrpc::make_error(id, rpc_code_for(error), error.what()));
  } catch (const std::exception& error) {
    send(jsonrpc::make_error(id, jsonrpc::kInternalError, error.what()));
  }
}

Json McpServer::initialize(const Json& params) const {
  std::string version(kLatestProtocolVersion);
  if (options_.forced_protocol_version) {
    version = *options_.forced_protocol_version;
  } else if (params.is_object() && params.contains("protocolVersion") && params["protocolVersion"].is_string() &&
             is_supported_protocol_version(params["protocolVersion"].get<std::string>())) {
    version = params["protocolVersion"].get<std::string>();
  }
  Json capabilities = {{"tools", {{"listChanged", false}}}};
  if (!prompts_.empty()) capabilities["prompts"] = {{"listChanged", false}};
  if (resource_lister_) capabilities["resources"] = {{"listChanged", false}, {"subscribe", false}};
  if (options_.logging) capabilities["logging"] = Json::object();
  Json result = {{"protocolVersion", version},
                 {"capabilities", capabilities},
                 {"serverInfo", {{"name", options_.name}, {"version", options_.version}}}};
  if (!options_.instructions.empty()) result["instructions"] = options_.instructions;
  return result;
}

Json McpServer::list_page(const Json& items, const Json& params, const char* key) const {
  std::size_t start = 0;
  if (params.is_object() && params.contains("cursor")) {
    // Our cursors are the decimal index of the page's first item; still opaque to clients.
    const Json& cursor = params["cursor"];
    try {
      start = cursor.is_string() ? std::stoul(cursor.get<std::string>()) : items.size() + 1;
    } catch (const std::exception&) {
      start = items.size() + 1;
    }
    if (start > items.size()) throw Error(ErrorCode::kInvalidArgument, "invalid cursor");
  }
  const std::size_t size = options_.page_size == 0 ? items.size() : options_.page_size;
  const std::size_t end = std::min(items.size(), start + size);
  Json page = Json::array();
  for (std::size_t i = start; i < end; ++i) page.push_back(items[i]);
  Json result = {{key, page}};
  if (end < items.size()) result["nextCursor"] = std::to_string(end);
  return result;
}

void McpServer::call_tool(const Json& id, const Json& params) {
  const std::string name = string_param(params, "name");
  auto tool = find_tool(name);
  if (!tool) throw Error(ErrorCode::kInvalidArgument, "unknown tool: " + name);
  const bool task_only = tool->execution.is_object() && tool->execution.value("taskSupport", "") == "required";
  if (task_only && !params.contains("task")) {
    send(jsonrpc::make_error(id, jsonrpc::kMethodNotFound, "tool '" + name + "' must be called as a task"));
    return;
  }
  const Json arguments = params.contains("arguments") && params["arguments"].is_object() ? params["arguments"]
                                                                                          : Json::object();
  Json token;
  if (params.contains("_meta") && params["_meta"].is_object()) token = params["_meta"].value("progressToken", Json());
  reap_workers(/*all=*/false);
  auto done = std::make_shared<std::atomic<bool>>(false);
  std::thread thread([this, id, tool = std::move(*tool), arguments, token, done] {
    current_progress_token = token;
    ToolResult result;
    try {
      result = tool.handler(arguments);
    } catch (const std::exception& error) {
      result = text_result(error.what(), /*is_error=*/true);
    }
    send(jsonrpc::make_result(id, result.to_json()));
    *done = true;
  });
  workers_.push_back({std::move(thread), std::move(done)});
}

}  // namespace aurite::mcp

namespace aurite::mcp {

std::optional<ServerTool> McpServer::find_tool(const std::string& name) {
  std::lock_guard lock(tools_mutex_);
  for (const auto& t : tools_) {
    if (t.name == name) return t;
  }
  return std::nullopt;
}

void McpServer::on_notification(std::function<void(const std::string&, const Json&)> handler) {
  notification_handler_ = std::move(handler);
}

void McpServer::notify_tools_changed() { send(jsonrpc::make_notification("notifications/tools/list_changed", {})); }

Json McpServer::request_client(const std::string& method, const Json& params, std::chrono::milliseconds timeout) {
  std::unique_lock lock(requests_mutex_);
  const std::string id = "server-" + std::to_string(next_request_id_++);
  requests_[id] = std::nullopt;
  lock.unlock();
  send({{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}});
  lock.lock();
  const bool answered = requests_cv_.wait_for(lock, timeout, [&] { return requests_[id].has_value(); });
  Json response = answered ? *requests_[id] : Json();
  requests_.erase(id);
  if (!answered) throw Error(ErrorCode::kTimeout, "no answer from the client to " + method);
  return response;
}

}  // namespace aurite::mcp

namespace aurite::mcp {

void McpServer::log(const std::string& level, const Json& data, const std::string& logger) {
  {
    std::lock_guard lock(log_mutex_);
    if (client_log_level_ && log_rank(level) < log_rank(*client_log_level_)) return;
  }
  Json params = {{"level", level}, {"data", data}};
  if (!logger.empty()) params["logger"] = logger;
  send(jsonrpc::make_notification("notifications/message", params));
}

std::optional<std::string> McpServer::client_log_level() {
  std::lock_guard lock(log_mutex_);
  return client_log_level_;
}

void McpServer::report_progress(double progress, std::optional<double> total, const std::string& message) {
  if (current_progress_token.is_null()) return;
  Json params = {{"progressToken", current_progress_token}, {"progress", progress}};
  if (total) params["total"] = *total;
  if (!message.empty()) params["message"] = message;
  send(jsonrpc::make_notification("notifications/progress", params));
}

}  // namespace aurite::mcp
