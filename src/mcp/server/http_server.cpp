// mcp/server/http_server — the Streamable HTTP transport of the server library: the
// POST/GET/DELETE routes of the MCP endpoint and the SSE streams they write
// (routing is described in aurite/mcp/http_server.hpp).
#include "aurite/mcp/http_server.hpp"

#include <fmt/format.h>
#include <httplib.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <thread>

#include "common/listen_socket.hpp"
#include "mcp/jsonrpc.hpp"
#include "mcp/server/http_guard.hpp"
#include "mcp/server/http_headers.hpp"
#include "mcp/server/http_sessions.hpp"
#include "mcp/server/http_stateless.hpp"
#include "mcp/server/http_streams.hpp"
#include "mcp/server/revisions.hpp"

namespace aurite::mcp {
namespace {

using detail::EventQueue;

// How often a stream with nothing to send looks whether its client went away.
constexpr std::chrono::milliseconds kStreamPoll{200};
// Long-lived SSE streams each hold a connection thread.
constexpr std::size_t kConnectionThreads = 32;
// How long a client waits before resuming a stream the server ended early.
constexpr std::chrono::milliseconds kRetry{500};
// JSON-RPC codes of the HTTP-level refusals (the range is for implementations).
constexpr int kTransportError = -32000;
constexpr int kSessionNotFound = -32001;

// An HTTP-level refusal; its JSON-RPC error carries the request's id when there is one.
void refuse(httplib::Response& response, int status, const std::string& message, int code = kTransportError,
            const Json& id = nullptr) {
  response.status = status;
  response.set_content(jsonrpc::make_error(id, code, message).dump(), "application/json");
}

Json id_of(const Json& message) { return message.is_object() ? message.value("id", Json()) : Json(); }

std::string sse_text(const detail::SseEvent& event) {
  return "id: " + event.id + "\nevent: message\ndata: " + event.data + "\n\n";
}

}  // namespace

struct McpHttpServer::Impl {
  Impl(McpServer& server_in, Options options_in)
      : server(server_in), options(std::move(options_in)), sessions(options.session_idle_timeout) {}

  McpServer& server;
  Options options;
  httplib::Server http;
  detail::HttpSessionTable sessions;
  std::atomic<bool> stopping{false};
  std::atomic<bool> serving{false};  // serve() has been entered and not returned
  std::atomic<long> next_stream{1};

  void routes();
  bool admitted(const httplib::Request& request, httplib::Response& response);
  bool version_supported(const httplib::Request& request, httplib::Response& response, const Json& id = nullptr);
  std::shared_ptr<detail::HttpSession> session_of(const httplib::Request& request, httplib::Response& response,
                                                  const Json& id = nullptr);
  void stateless(const httplib::Request& request, const Json& message, httplib::Response& response);
  void post(const httplib::Request& request, httplib::Response& response);
  void get(const httplib::Request& request, httplib::Response& response);
  void remove(const httplib::Request& request, httplib::Response& response);
  // Answers a request; `resumable` (null for stateless requests) keeps its stream when
  // it ends before the answer.
  void answer(const std::shared_ptr<detail::ServerSession>& session, const Json& message, httplib::Response& response,
              const std::shared_ptr<detail::ResumableStreams>& resumable);
  // Writes `queue` as the response's SSE stream, up to its answer or a pause; `prime`
  // sends the event naming the stream first.
  void stream(httplib::Response& response, const std::shared_ptr<EventQueue>& queue,
              const std::shared_ptr<detail::ResumableStreams>& resumable, bool prime);
  void end(const std::shared_ptr<detail::HttpSession>& session);
  void sweep();
  std::string stream_id() { return std::to_string(next_stream++); }
};

bool McpHttpServer::Impl::admitted(const httplib::Request& request, httplib::Response& response) {
  if (const auto why = detail::rebinding_refusal(options.host, request.get_header_value("Host"),
                                                 request.get_header_value("Origin"), options.allowed_origins)) {
    refuse(response, 403, "Forbidden: " + *why);
    return false;
  }
  if (options.check_token) {
    if (const auto refusal = options.check_token(request.get_header_value("Authorization"))) {
      response.status = refusal->status;
      response.set_header("WWW-Authenticate", refusal->www_authenticate);
      response.set_content(refusal->status == 403 ? R"({"error":"insufficient_scope"})" : R"({"error":"invalid_token"})",
                           "application/json");
      return false;
    }
  }
  return true;
}

bool McpHttpServer::Impl::version_supported(const httplib::Request& request, httplib::Response& response,
                                            const Json& id) {
  // Absent means 2025-03-26 (the revision before the header existed).
  const std::string version = request.get_header_value("MCP-Protocol-Version");
  if (!version.empty() && !is_supported_protocol_version(version)) {
    refuse(response, 400, "Bad Request: unsupported MCP-Protocol-Version " + version, kTransportError, id);
    return false;
  }
  return true;
}

std::shared_ptr<detail::HttpSession> McpHttpServer::Impl::session_of(const httplib::Request& request,
                                                                      httplib::Response& response, const Json& id) {
  if (!request.has_header("Mcp-Session-Id")) {
    refuse(response, 400, "Bad Request: Mcp-Session-Id header is required", kTransportError, id);
    return nullptr;
  }
  auto session = sessions.find(request.get_header_value("Mcp-Session-Id"));
  if (!session) refuse(response, 404, "Session not found", kSessionNotFound, id);
  return session;
}

void McpHttpServer::Impl::sweep() {
  for (const auto& expired : sessions.expire()) end(expired);
}

void McpHttpServer::Impl::end(const std::shared_ptr<detail::HttpSession>& session) {
  session->standalone->close();
  session->resumable->clear();
  session->session->close();
  server.detach(session->session);
}

void McpHttpServer::Impl::post(const httplib::Request& request, httplib::Response& response) {
  if (!admitted(request, response)) return;
  sweep();
  if (request.get_header_value("Content-Type").find("application/json") == std::string::npos) {
    refuse(response, 415, "Unsupported Media Type: send application/json");
    return;
  }
  const Json message = Json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (message.is_discarded()) return refuse(response, 400, "Parse error: the body is not JSON", jsonrpc::kParseError);
  if (message.is_array()) {
    return refuse(response, 400, "Invalid Request: batches are not supported", jsonrpc::kInvalidRequest);
  }
  const auto kind = jsonrpc::classify(message);
  if (kind == jsonrpc::Kind::kInvalid) {
    return refuse(response, 400, "Invalid Request: not a JSON-RPC 2.0 message", jsonrpc::kInvalidRequest, id_of(message));
  }
  const std::string header_version = request.get_header_value("MCP-Protocol-Version");
  // An initialize in the stateless revision is a removed method (404 there), not a handshake.
  const bool initialize = kind == jsonrpc::Kind::kRequest && message["method"] == "initialize" &&
                          !detail::is_stateless_version(header_version);
  if (!initialize && !request.has_header("Mcp-Session-Id") && detail::speaks_stateless(message, header_version)) {
    return stateless(request, message, response);
  }
  if (!version_supported(request, response, id_of(message))) return;
  if (initialize) {
    auto [id, created] = sessions.create();
    server.attach(created.session);
    response.set_header("Mcp-Session-Id", id);
    return answer(created.session, message, response, created.resumable);
  }
  const auto session = session_of(request, response, id_of(message));
  if (!session) return;
  if (kind != jsonrpc::Kind::kRequest) {
    // Notifications and the client's answers to our requests: accepted, nothing to say.
    server.handle(session->session, message, session->standalone);
    response.status = 202;
    return;
  }
  answer(session->session, message, response, session->resumable);
}

void McpHttpServer::Impl::stateless(const httplib::Request& request, const Json& message,
                                    httplib::Response& response) {
  if (const auto refusal = detail::check_stateless(message, request.get_header_value("MCP-Protocol-Version"))) {
    response.status = refusal->status;
    response.set_content(refusal->body.dump(), "application/json");
    return;
  }
  if (jsonrpc::classify(message) != jsonrpc::Kind::kRequest) {
    response.status = 202;
    return;
  }
  const Json schema = message["method"] == "tools/call" && message["params"].contains("name") &&
                              message["params"]["name"].is_string()
                          ? server.tool_input_schema(message["params"]["name"])
                          : Json();
  const auto header = [&request](const std::string& name) -> std::optional<std::string> {
    if (!request.has_header(name.c_str())) return std::nullopt;
    return request.get_header_value(name.c_str());
  };
  if (const auto why = detail::header_mismatch(message, header, schema)) {
    return refuse(response, 400, "Header mismatch: " + *why, detail::kHeaderMismatch, id_of(message));
  }
  // Each request is a client of its own: what it declared lives as long as it does.
  // Its standalone outbox is never opened, so nothing outside the answer is sent.
  const Json& meta = message["params"]["_meta"];
  auto session = std::make_shared<detail::ServerSession>(std::make_shared<detail::StandaloneOutbox>());
  session->set_client(meta[detail::kMetaClientCapabilities], meta[detail::kMetaProtocolVersion]);
  if (meta.contains(detail::kMetaLogLevel) && meta[detail::kMetaLogLevel].is_string()) {
    session->set_log_level(meta[detail::kMetaLogLevel]);
  }
  answer(session, message, response, /*resumable=*/nullptr);
}

void McpHttpServer::Impl::answer(const std::shared_ptr<detail::ServerSession>& session, const Json& message,
                                 httplib::Response& response, const std::shared_ptr<detail::ResumableStreams>& resumable) {
  const bool stateless = resumable == nullptr;
  auto outbox = std::make_shared<detail::ExchangeOutbox>(stream_id(), message["id"]);
  server.handle(session, message, outbox);
  auto queue = outbox->queue();
  // A request answered at once (the usual case) is answered as JSON; one whose handler
  // sends anything first gets a stream, so what it sends arrives while it runs.
  std::optional<bool> only_answer;
  while (!only_answer && !stopping) only_answer = queue->only_the_answer(kStreamPoll);
  if (only_answer.value_or(false)) {
    const auto event = queue->pop(std::chrono::milliseconds(0));
    // The stateless revision says on HTTP too what went wrong: 404 for an unknown
    // method, 400 for a capability the client did not declare.
    const int code = stateless ? Json::parse(event->data).value("/error/code"_json_pointer, 0) : 0;
    if (code == jsonrpc::kMethodNotFound) response.status = 404;
    if (code == detail::kMissingRequiredClientCapability) response.status = 400;
    response.set_content(event->data, "application/json");
    return;
  }
  // The stateless revision's streams are not resumable; the others start with an
  // event naming the stream, so a client can resume it from the start.
  stream(response, queue, resumable, /*prime=*/!stateless);
}

void McpHttpServer::Impl::stream(httplib::Response& response, const std::shared_ptr<EventQueue>& queue,
                                 const std::shared_ptr<detail::ResumableStreams>& resumable, bool prime) {
  // Set on the provider's thread, read by the releaser that httplib runs after it.
  auto handed_on = std::make_shared<bool>(false);  // answered, or kept for resuming
  response.set_header("Cache-Control", "no-cache");
  response.set_header("X-Accel-Buffering", "no");
  response.set_chunked_content_provider(
      "text/event-stream",
      [this, queue, resumable, prime, handed_on](std::size_t, httplib::DataSink& sink) mutable {
        if (prime) {
          prime = false;
          const std::string text = "id: " + queue->stream_id() + "-0\nretry: " + std::to_string(kRetry.count()) + "\ndata: \n\n";
          if (!sink.write(text.data(), text.size())) return false;
        }
        while (!stopping) {
          if (!sink.is_writable()) return false;
          const auto event = queue->pop(kStreamPoll);
          if (!event) continue;
          if (event->pause && resumable) {
            // Kept before the response ends, so the client's reconnection finds it.
            resumable->keep(queue);
            *handed_on = true;
            sink.done();
            return true;
          }
          if (event->pause) continue;
          const std::string text = sse_text(*event);
          if (!sink.write(text.data(), text.size())) return false;
          if (event->final) {
            *handed_on = true;
            sink.done();
            return true;
          }
        }
        return false;
      },
      [queue, resumable, handed_on](bool) {
        // A client that went away may come back for the rest (disconnection is not
        // cancellation in the handshake revisions).
        if (*handed_on) return;
        if (resumable) resumable->keep(queue);
        else queue->close();
      });
}

void McpHttpServer::Impl::get(const httplib::Request& request, httplib::Response& response) {
  if (!admitted(request, response) || !version_supported(request, response)) return;
  if (request.get_header_value("Accept").find("text/event-stream") == std::string::npos) {
    return refuse(response, 406, "Not Acceptable: the GET stream is text/event-stream");
  }
  const auto session = session_of(request, response);
  if (!session) return;
  if (request.has_header("Last-Event-ID")) {
    // A request stream that ended early continues here; an unknown id opens the
    // standalone stream as a GET without it would (nothing is replayed).
    if (auto paused = session->resumable->take(request.get_header_value("Last-Event-ID"))) {
      return stream(response, paused, session->resumable, /*prime=*/false);
    }
  }
  auto queue = std::make_shared<EventQueue>(stream_id());
  if (!session->standalone->open(queue)) {
    return refuse(response, 409, "Conflict: this session already has a GET stream open");
  }
  const std::string id = request.get_header_value("Mcp-Session-Id");
  response.set_header("Cache-Control", "no-cache");
  response.set_chunked_content_provider(
      "text/event-stream",
      [this, queue, id](std::size_t, httplib::DataSink& sink) {
        // Held open until the client leaves, the session ends or the server stops; an
        // open stream keeps its session from expiring.
        while (!stopping && !queue->closed() && sessions.find(id)) {
          if (!sink.is_writable()) return false;
          const auto event = queue->pop(kStreamPoll);
          if (!event) continue;
          const std::string text = sse_text(*event);
          if (!sink.write(text.data(), text.size())) return false;
        }
        sink.done();
        return true;
      },
      [queue, standalone = session->standalone](bool) { standalone->close(queue); });
}

void McpHttpServer::Impl::remove(const httplib::Request& request, httplib::Response& response) {
  if (!admitted(request, response) || !version_supported(request, response)) return;
  if (!session_of(request, response)) return;
  end(sessions.remove(request.get_header_value("Mcp-Session-Id")));
  response.status = 200;
}

void McpHttpServer::Impl::routes() {
  http.new_task_queue = [] { return new httplib::ThreadPool(kConnectionThreads); };
  http.set_payload_max_length(options.max_body_bytes);
  http.set_tcp_nodelay(true);
  // httplib's default also sets SO_REUSEPORT, with which a second server on a port in
  // use starts anyway and the kernel splits the connections between the two.
  http.set_socket_options(aurite::detail::reuse_address_only);
  http.Post(options.path, [this](const httplib::Request& q, httplib::Response& r) { post(q, r); });
  http.Get(options.path, [this](const httplib::Request& q, httplib::Response& r) { get(q, r); });
  http.Delete(options.path, [this](const httplib::Request& q, httplib::Response& r) { remove(q, r); });
  http.set_exception_handler([](const httplib::Request&, httplib::Response& response, std::exception_ptr thrown) {
    try {
      std::rethrow_exception(thrown);
    } catch (const std::exception& error) {
      refuse(response, 500, error.what(), jsonrpc::kInternalError);
    }
  });
}

McpHttpServer::McpHttpServer(McpServer& server, Options options)
    : impl_(std::make_unique<Impl>(server, std::move(options))) {
  impl_->routes();
}

McpHttpServer::~McpHttpServer() {
  stop();
  for (const auto& session : impl_->sessions.clear()) impl_->end(session);
  impl_->server.join_workers();
}

int McpHttpServer::bind() {
  auto& http = impl_->http;
  const Options& o = impl_->options;
  return aurite::detail::bind_or_explain(o.host, o.port, [&] {
    return o.port == 0 ? http.bind_to_any_port(o.host) : (http.bind_to_port(o.host, o.port) ? o.port : -1);
  });
}

void McpHttpServer::serve() {
  impl_->serving = true;
  if (!impl_->stopping) impl_->http.listen_after_bind();
  impl_->serving = false;
}

void McpHttpServer::stop() {
  impl_->stopping = true;
  // httplib ignores stop() until its accept loop runs; a stop that comes just as serve()
  // begins waits for that (briefly) so it is not lost.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (impl_->serving && !impl_->http.is_running() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  impl_->http.stop();
}

}  // namespace aurite::mcp
