// mcp/server/server_dispatch — how the server library answers each message a client
// sends, whatever the transport: the method table, initialize, paging, and the
// requests that may wait for the client on worker threads.
#include <string>

#include "aurite/mcp/server.hpp"
#include "mcp/jsonrpc.hpp"
#include "mcp/server/log_levels.hpp"
#include "mcp/server/revisions.hpp"
#include "mcp/server/server_session.hpp"

namespace aurite::mcp {
namespace {

// The JSON-RPC error code MCP uses for an unknown resource.
constexpr int kResourceNotFound = -32002;

int rpc_code_for(const Error& error, bool stateless) {
  switch (error.code()) {
    case ErrorCode::kInvalidArgument: return jsonrpc::kInvalidParams;
    // The stateless revision answers an unknown resource with Invalid Params (SEP-2164).
    case ErrorCode::kNotFound: return stateless ? jsonrpc::kInvalidParams : kResourceNotFound;
    default: return jsonrpc::kInternalError;
  }
}

// What the stateless revision adds to every result: its type, and caching hints on
// the cacheable ones. Zero ttlMs: our lists may change at any time.
Json annotated(const std::string& method, Json result, bool stateless) {
  if (!stateless || !result.is_object()) return result;
  if (!result.contains("resultType")) result["resultType"] = "complete";
  if (detail::cacheable(method)) {
    if (!result.contains("ttlMs")) result["ttlMs"] = 0;
    if (!result.contains("cacheScope")) result["cacheScope"] = "private";
  }
  return result;
}

bool is_stateless(const detail::Call& call) { return detail::is_stateless_version(call.session->protocol_version()); }

std::string string_param(const Json& params, const char* key) {
  if (!params.is_object() || !params.contains(key) || !params[key].is_string()) {
    throw Error(ErrorCode::kInvalidArgument, std::string("missing string parameter '") + key + "'");
  }
  return params[key].get<std::string>();
}

Json params_of(const Json& message) {
  return message.contains("params") && message["params"].is_object() ? message["params"] : Json::object();
}

// A method a capability we did not declare would have offered.
struct MethodNotFound {};

// The methods whose handlers may ask for input (SEP-2322).
bool may_require_input(const std::string& method) {
  return method == "tools/call" || method == "prompts/get" || method == "resources/read";
}

// How often a handler of the handshake revisions may ask again, and how long the
// client has for each answer (a person may be answering an elicitation).
constexpr int kInputRounds = 8;
constexpr std::chrono::minutes kInputTimeout{5};

Json input_required_result(const InputRequired& needed) {
  Json result = {{"resultType", "input_required"}, {"inputRequests", needed.input_requests}};
  if (!needed.request_state.empty()) result["requestState"] = needed.request_state;
  return result;
}

Json missing_capability_error(const Json& id, const MissingClientCapability& missing) {
  Json reply = jsonrpc::make_error(id, detail::kMissingRequiredClientCapability,
                                   "the client did not declare the " + missing.capability + " capability");
  reply["error"]["data"] = {{"requiredCapabilities", {{missing.capability, Json::object()}}}};
  return reply;
}

}  // namespace

void McpServer::handle(const std::shared_ptr<detail::ServerSession>& session, const Json& message,
                       const std::shared_ptr<detail::Outbox>& outbox) {
  switch (jsonrpc::classify(message)) {
    case jsonrpc::Kind::kRequest: {
      const Json params = params_of(message);
      Json token;
      if (params.contains("_meta") && params["_meta"].is_object()) token = params["_meta"].value("progressToken", Json());
      Call call{session, outbox, message["id"], std::move(token), Json::object(), ""};
      if (params.contains("inputResponses") && params["inputResponses"].is_object()) {
        call.input_responses = params["inputResponses"];
      }
      if (params.contains("requestState") && params["requestState"].is_string()) {
        call.request_state = params["requestState"];
      }
      handle_request(call, message["method"].get<std::string>(), params);
      return;
    }
    case jsonrpc::Kind::kNotification:
      // A cancelled call still runs to its end here; the client ignores the late answer.
      if (notification_handler_) notification_handler_(message["method"].get<std::string>(), params_of(message));
      return;
    case jsonrpc::Kind::kResponse:
      session->deliver(message);
      return;
    case jsonrpc::Kind::kInvalid:
      outbox->send(jsonrpc::make_error(message.is_object() && message.contains("id") ? message["id"] : Json(nullptr),
                                       jsonrpc::kInvalidRequest, "not a JSON-RPC 2.0 message"));
      return;
  }
}

// In a session of the handshake revisions the client can be asked directly: an
// InputRequired from `run` is answered with request_client, one request per input
// request, and `run` runs again with the answers.
template <typename Run>
auto McpServer::answering_input(Call& call, Run&& run) -> decltype(run()) {
  for (int round = 1;; ++round) {
    try {
      call.client_requests = 0;
      return run();
    } catch (const InputRequired& needed) {
      if (is_stateless(call) || round >= kInputRounds) throw;
      Json answers = Json::object();
      for (const auto& [key, request] : needed.input_requests.items()) {
        const Json response = request_client(request.value("method", ""), request.value("params", Json::object()),
                                             kInputTimeout);
        if (!response.contains("result")) {
          throw Error(ErrorCode::kUpstream, "the client refused " + request.value("method", "") + ": " + response.dump());
        }
        answers[key] = response["result"];
      }
      call.input_responses = std::move(answers);
      call.request_state = needed.request_state;
    }
  }
}

void McpServer::handle_request(const Call& incoming, const std::string& method, const Json& params) {
  // These may wait for the client (request_client, InputRequired), so they run off the
  // transport's thread: stdio's reader must stay free to deliver the client's answer,
  // and a slow tool must not hold up the others.
  if (!may_require_input(method)) return answer_request(incoming, method, params);
  reap_workers(/*all=*/false);
  auto done = std::make_shared<std::atomic<bool>>(false);
  std::thread thread([this, incoming, method, params, done] {
    answer_request(incoming, method, params);
    *done = true;
  });
  std::lock_guard lock(workers_mutex_);
  workers_.push_back({std::move(thread), std::move(done)});
}

void McpServer::answer_request(const Call& incoming, const std::string& method, const Json& params) {
  Call call = incoming;  // answering_input fills in the answers of each round
  const detail::CallScope scope(call);
  try {
    Json result = !may_require_input(method) ? dispatch(call, method, params)
                  : method == "tools/call"   ? answering_input(call, [&] { return call_tool(params); })
                                             : answering_input(call, [&] { return dispatch(call, method, params); });
    call.outbox->send(jsonrpc::make_result(call.id, annotated(method, std::move(result), is_stateless(call))));
  } catch (const MethodNotFound&) {
    call.outbox->send(jsonrpc::make_error(call.id, jsonrpc::kMethodNotFound, "method not found: " + method));
  } catch (const InputRequired& needed) {
    if (is_stateless(call)) {
      call.outbox->send(jsonrpc::make_result(call.id, input_required_result(needed)));
    } else {
      call.outbox->send(jsonrpc::make_error(call.id, jsonrpc::kInternalError,
                                            method + " still needed input after " + std::to_string(kInputRounds) + " rounds"));
    }
  } catch (const MissingClientCapability& missing) {
    call.outbox->send(missing_capability_error(call.id, missing));
  } catch (const RequestRejected& rejected) {
    call.outbox->send(jsonrpc::make_error(call.id, rejected.code, rejected.message));
  } catch (const Error& error) {
    Json reply = jsonrpc::make_error(call.id, rpc_code_for(error, is_stateless(call)), error.what());
    if (method == "resources/read" && error.code() == ErrorCode::kNotFound && params.contains("uri")) {
      reply["error"]["data"] = {{"uri", params["uri"]}};
    }
    call.outbox->send(reply);
  } catch (const std::exception& error) {
    call.outbox->send(jsonrpc::make_error(call.id, jsonrpc::kInternalError, error.what()));
  }
}

Json McpServer::dispatch(const Call& call, const std::string& method, const Json& params) {
  if (is_stateless(call)) {
    if (detail::removed_in_stateless(method)) throw MethodNotFound{};
    if (method == "server/discover") {
      // Change notifications come on a subscriptions/listen stream in this revision,
      // which we do not serve: promise none.
      Json offered = capabilities();
      for (const char* kind : {"tools", "prompts", "resources"}) {
        if (offered.contains(kind)) offered[kind] = Json::object();
      }
      Json result = {{"supportedVersions", Json::array({detail::kStatelessProtocolVersion})},
                     {"capabilities", offered},
                     {"_meta", {{detail::kMetaServerInfo, {{"name", options_.name}, {"version", options_.version}}}}}};
      if (!options_.instructions.empty()) result["instructions"] = options_.instructions;
      return result;
    }
  }
  if (method == "initialize") return initialize(call, params);
  if (method == "ping") return Json::object();
  if (method == "logging/setLevel" && options_.logging) {
    std::string level = string_param(params, "level");
    if (detail::log_rank(level) < 0) throw Error(ErrorCode::kInvalidArgument, "unknown log level: " + level);
    call.session->set_log_level(std::move(level));
    return Json::object();
  }
  if (method == "tools/list") {
    Json items = Json::array();
    std::lock_guard lock(tools_mutex_);
    for (const auto& t : tools_) {
      Json item = {{"name", t.name}, {"description", t.description}, {"inputSchema", t.input_schema}};
      if (t.execution.is_object()) item["execution"] = t.execution;
      if (t.annotations.is_object()) item["annotations"] = t.annotations;
      items.push_back(std::move(item));
    }
    return list_page(items, params, "tools");
  }
  if (method == "prompts/list") {
    Json items = Json::array();
    for (const auto& p : prompts_) {
      items.push_back({{"name", p.name}, {"description", p.description}, {"arguments", p.arguments}});
    }
    return list_page(items, params, "prompts");
  }
  if (method == "prompts/get") {
    const std::string name = string_param(params, "name");
    const ServerPrompt* prompt = nullptr;
    for (const auto& p : prompts_) prompt = p.name == name ? &p : prompt;
    if (prompt == nullptr) throw Error(ErrorCode::kInvalidArgument, "unknown prompt: " + name);
    const Json arguments = params.value("arguments", Json::object());
    return {{"description", prompt->description}, {"messages", prompt->handler(arguments)}};
  }
  if (method == "resources/list" && resource_lister_) {
    Json items = Json::array();
    for (const auto& r : resource_lister_()) {
      items.push_back({{"uri", r.uri}, {"name", r.name}, {"description", r.description}, {"mimeType", r.mime_type}});
    }
    return list_page(items, params, "resources");
  }
  if (method == "resources/templates/list" && resource_lister_) {
    Json items = Json::array();
    for (const auto& t : resource_templates_) {
      items.push_back({{"uriTemplate", t.uri_template}, {"name", t.name}, {"description", t.description},
                       {"mimeType", t.mime_type}});
    }
    return list_page(items, params, "resourceTemplates");
  }
  if (method == "resources/read" && resource_reader_) return read_resource(params);
  if ((method == "resources/subscribe" || method == "resources/unsubscribe") && options_.resource_subscriptions) {
    const std::string uri = string_param(params, "uri");
    if (method == "resources/subscribe") call.session->subscribe(uri);
    else call.session->unsubscribe(uri);
    return Json::object();
  }
  if (method == "completion/complete" && completer_) {
    if (!params.contains("ref") || !params["ref"].is_object() || !params.contains("argument") ||
        !params["argument"].is_object()) {
      throw Error(ErrorCode::kInvalidArgument, "completion/complete needs 'ref' and 'argument' objects");
    }
    return {{"completion", completer_(params["ref"], params["argument"], params.value("context", Json()))}};
  }
  throw MethodNotFound{};
}

Json McpServer::read_resource(const Json& params) {
  const std::string uri = string_param(params, "uri");
  const ResourceContent content = resource_reader_(uri);
  Json item = {{"uri", uri}, {"mimeType", content.mime_type}};
  if (content.blob) item["blob"] = *content.blob;
  else item["text"] = content.text;
  return {{"contents", Json::array({item})}};
}

Json McpServer::capabilities() const {
  Json capabilities = {{"tools", {{"listChanged", options_.tools_list_changed}}}};
  if (!prompts_.empty()) capabilities["prompts"] = {{"listChanged", false}};
  if (resource_lister_) {
    capabilities["resources"] = {{"listChanged", false}, {"subscribe", options_.resource_subscriptions}};
  }
  if (options_.logging) capabilities["logging"] = Json::object();
  if (completer_) capabilities["completions"] = Json::object();
  return capabilities;
}

Json McpServer::initialize(const Call& call, const Json& params) const {
  std::string version(kLatestProtocolVersion);
  if (options_.forced_protocol_version) {
    version = *options_.forced_protocol_version;
  } else if (params.contains("protocolVersion") && params["protocolVersion"].is_string() &&
             is_supported_protocol_version(params["protocolVersion"].get<std::string>()) &&
             // The stateless revision has no handshake to negotiate it in.
             !detail::is_stateless_version(params["protocolVersion"].get<std::string>())) {
    version = params["protocolVersion"].get<std::string>();
  }
  call.session->set_client(params.value("capabilities", Json::object()), version);
  Json result = {{"protocolVersion", version},
                 {"capabilities", capabilities()},
                 {"serverInfo", {{"name", options_.name}, {"version", options_.version}}}};
  if (!options_.instructions.empty()) result["instructions"] = options_.instructions;
  return result;
}

Json McpServer::list_page(const Json& items, const Json& params, const char* key) const {
  std::size_t start = 0;
  if (params.contains("cursor")) {
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

Json McpServer::call_tool(const Json& params) {
  const std::string name = string_param(params, "name");
  auto tool = find_tool(name);
  if (!tool) throw Error(ErrorCode::kInvalidArgument, "unknown tool: " + name);
  const bool task_only = tool->execution.is_object() && tool->execution.value("taskSupport", "") == "required";
  if (task_only && !params.contains("task")) {
    throw RequestRejected{jsonrpc::kMethodNotFound, "tool '" + name + "' must be called as a task"};
  }
  const Json arguments = params.contains("arguments") && params["arguments"].is_object() ? params["arguments"]
                                                                                          : Json::object();
  // The tool's own failures are results the model sees; InputRequired,
  // MissingClientCapability and RequestRejected are no std::exception and pass on.
  try {
    return tool->handler(arguments).to_json();
  } catch (const std::exception& error) {
    return text_result(error.what(), /*is_error=*/true).to_json();
  }
}

}  // namespace aurite::mcp
