#include "mcp/http_fault_server.hpp"

#include <httplib.h>

#include <stdexcept>

namespace aurite::testing {
namespace {

using Json = nlohmann::json;

std::string sse_event(const Json& message, const std::string& id = "") {
  return (id.empty() ? "" : "id: " + id + "\n") + "data: " + message.dump() + "\n\n";
}

Json result_of(const Json& request, Json result) {
  return {{"jsonrpc", "2.0"}, {"id", request["id"]}, {"result", std::move(result)}};
}

Json echo_result(const Json& request) {
  const std::string text = request["params"]["arguments"].value("text", "");
  return result_of(request, {{"content", Json::array({{{"type", "text"}, {"text", "echo: " + text}}})}});
}

}  // namespace

HttpFaultServer::HttpFaultServer() : server_(std::make_unique<httplib::Server>()) {
  const auto record = [this](const httplib::Request& request, const std::string& rpc_method) {
    HttpSeen seen{request.method,
                  rpc_method,
                  request.get_header_value("Mcp-Session-Id"),
                  request.get_header_value("Last-Event-ID"),
                  request.get_header_value("Authorization"),
                  request.get_header_value("MCP-Protocol-Version"),
                  std::chrono::steady_clock::now()};
    std::lock_guard lock(mutex_);
    seen_.push_back(seen);
    return seen;
  };
  server_->Post("/mcp", [this, record](const httplib::Request& request, httplib::Response& response) {
    const Json message = Json::parse(request.body, nullptr, false);
    const std::string rpc_method = message.is_object() ? message.value("method", "") : "";
    const HttpSeen seen = record(request, rpc_method);
    handle_post(request.body, seen, &response);
  });
  server_->Get("/mcp", [this, record](const httplib::Request& request, httplib::Response& response) {
    const HttpSeen seen = record(request, "");
    Json answer;
    {
      std::lock_guard lock(mutex_);
      if (seen.last_event_id == "cut-1" && !parked_answer_.is_null()) answer = std::exchange(parked_answer_, Json());
    }
    if (answer.is_null()) {
      response.status = 405;  // no stream of its own to offer
      return;
    }
    response.set_content(sse_event(answer, "cut-2"), "text/event-stream");
  });
  server_->Delete("/mcp", [record](const httplib::Request& request, httplib::Response& response) {
    record(request, "");
    response.status = 204;
  });
  port_ = server_->bind_to_any_port("127.0.0.1");
  if (port_ <= 0) throw std::runtime_error("cannot bind the test MCP server on 127.0.0.1");
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!server_->is_running()) {
    if (std::chrono::steady_clock::now() > deadline) throw std::runtime_error("the test MCP server did not start");
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

HttpFaultServer::~HttpFaultServer() {
  stopping_ = true;
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

std::string HttpFaultServer::url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/mcp"; }

void HttpFaultServer::require_authorization(std::string value) {
  std::lock_guard lock(mutex_);
  authorization_ = std::move(value);
}

std::vector<HttpSeen> HttpFaultServer::seen() const {
  std::lock_guard lock(mutex_);
  return seen_;
}

std::string HttpFaultServer::new_session() {
  const std::string id = "session-" + std::to_string(++initializations_);
  std::lock_guard lock(mutex_);
  sessions_.push_back(id);
  return id;
}

void HttpFaultServer::handle_post(const std::string& body, const HttpSeen& seen, void* out) {
  auto& response = *static_cast<httplib::Response*>(out);
  {
    std::lock_guard lock(mutex_);
    if (!authorization_.empty() && seen.authorization != authorization_) {
      response.status = 401;
      response.set_content(R"({"error":"invalid_token"})", "application/json");
      return;
    }
  }
  const Json message = Json::parse(body, nullptr, false);
  if (!message.is_object()) {
    response.status = 400;
    return;
  }
  if (seen.rpc_method == "initialize") {
    response.set_header("Mcp-Session-Id", new_session());
    response.set_content(result_of(message, {{"protocolVersion", "2025-11-25"},
                                             {"capabilities", {{"tools", Json::object()}}},
                                             {"serverInfo", {{"name", "fault-server"}, {"version", "1.0"}}}})
                             .dump(),
                         "application/json");
    return;
  }
  {
    std::lock_guard lock(mutex_);
    const bool known = std::find(sessions_.begin(), sessions_.end(), seen.session_id) != sessions_.end();
    if (!known) {
      response.status = seen.session_id.empty() ? 400 : 404;
      return;
    }
    if (fault_ == HttpFault::kForgetSessionOnce) {
      fault_ = HttpFault::kNone;
      sessions_.clear();
      response.status = 404;
      return;
    }
  }
  if (!message.contains("id")) {
    response.status = 202;  // a notification or an answer of the client's
    return;
  }
  if (seen.rpc_method == "tools/list") {
    const Json tool = {{"name", "echo"}, {"inputSchema", {{"type", "object"}}}};
    response.set_content(result_of(message, {{"tools", Json::array({tool})}}).dump(), "application/json");
    return;
  }
  if (seen.rpc_method != "tools/call") {
    response.set_content(Json{{"jsonrpc", "2.0"}, {"id", message["id"]},
                              {"error", {{"code", -32601}, {"message", "no such method"}}}}
                             .dump(),
                         "application/json");
    return;
  }
  switch (fault_.load()) {
    case HttpFault::kStatus500:
      response.status = 500;
      response.set_content("upstream database down", "text/plain");
      return;
    case HttpFault::kCutWithoutId:
      response.set_content("data: " + Json{{"jsonrpc", "2.0"}, {"method", "notifications/message"},
                                           {"params", {{"level", "info"}, {"data", "working"}}}}
                                          .dump() + "\n\n",
                           "text/event-stream");
      return;
    case HttpFault::kCutThenResume: {
      {
        std::lock_guard lock(mutex_);
        parked_answer_ = echo_result(message);
      }
      // Primes the stream with an id and a retry delay, then ends it (the spec's polling).
      response.set_content("id: cut-1\nretry: 300\ndata:\n\n", "text/event-stream");
      return;
    }
    case HttpFault::kNeverAnswer:
      response.set_chunked_content_provider("text/event-stream", [this](size_t, httplib::DataSink& sink) {
        while (!stopping_ && sink.is_writable()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
        return false;
      });
      return;
    default:
      response.set_content(sse_event(echo_result(message), "e-1"), "text/event-stream");
      return;
  }
}

}  // namespace aurite::testing
