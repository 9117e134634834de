// The Streamable HTTP transport (MCP 2025-03-26 to 2025-11-25): every message of ours is
// a POST to the server's one endpoint; the server answers a request with a JSON body or
// an event stream that may carry its notifications and requests first, and may keep a
// GET stream open for messages of its own. Failures belong to the one request they hit.
#include <algorithm>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

#include <fmt/format.h>
#include <openssl/evp.h>
#include <spdlog/spdlog.h>

#include "aurite/common/env.hpp"
#include "aurite/mcp/auth.hpp"
#include "aurite/mcp/transport.hpp"
#include "aurite/mcp/types.hpp"
#include "aurite/net/http_client.hpp"
#include "aurite/net/sse_parser.hpp"
#include "mcp/jsonrpc.hpp"

namespace aurite::mcp {
namespace {

using jsonrpc::Json;
using net::HttpHeader;
using net::HttpRequest;
using net::HttpResponseHead;

// When a cut stream named no retry delay: how long we wait before resuming it.
constexpr std::chrono::milliseconds kDefaultRetry{1000};
// Resumptions of one answer's stream that bring nothing before we give up on it.
constexpr int kMaxFruitlessResumptions = 5;
// Failed attempts in a row after which the GET stream is left closed.
constexpr int kMaxGetStreamFailures = 5;
// DELETE of the session at close: a courtesy, never a reason to hang.
constexpr std::chrono::milliseconds kDeleteTimeout{2000};
// What of an error body we quote (servers explain 4xx there).
constexpr std::size_t kMaxErrorBody = 4096;
// Times one request is sent again after its token was refused (a refresh, a step-up):
// a server that keeps refusing is not asked forever.
constexpr int kMaxAuthorizationRounds = 3;

std::string excerpt(std::string text, std::size_t limit = 200) {
  for (auto& c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return text.size() > limit ? text.substr(0, limit) + "..." : text;
}

std::string reason_phrase(long status) {
  switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 415: return "Unsupported Media Type";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "";
  }
}

// A header value as SEP-2243 wants it: as it is when it is printable ASCII without
// surrounding blanks, else "=?base64?...?=" of its UTF-8 bytes.
std::string header_safe(const std::string& text) {
  const bool plain = std::all_of(text.begin(), text.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u >= 0x20 && u <= 0x7e;
  }) && (text.empty() || (text.front() != ' ' && text.back() != ' '));
  if (plain) return text;
  std::string encoded(4 * ((text.size() + 2) / 3) + 1, '\0');
  const int length = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                                     reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  encoded.resize(static_cast<std::size_t>(length));
  return "=?base64?" + encoded + "?=";
}

// The text of an argument mirrored into a header; nullopt for what cannot be.
std::optional<std::string> header_text(const Json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
  if (value.is_number_integer()) return std::to_string(value.get<long long>());
  return std::nullopt;
}

// Mcp-Param-{Name} for each argument whose parameter carries x-mcp-header.
void mirror_arguments(const Json& schema, const Json& arguments, std::vector<HttpHeader>& out) {
  if (!schema.is_object() || !schema.contains("properties") || !schema["properties"].is_object()) return;
  for (const auto& [name, property] : schema["properties"].items()) {
    if (!property.is_object()) continue;
    const Json* value = arguments.is_object() && arguments.contains(name) ? &arguments[name] : nullptr;
    if (value != nullptr && property.contains("properties")) mirror_arguments(property, *value, out);
    if (value == nullptr || value->is_null() || !property.contains("x-mcp-header")) continue;
    const auto text = header_text(*value);
    if (text) out.push_back({"Mcp-Param-" + property["x-mcp-header"].get<std::string>(), header_safe(*text)});
  }
}

// What one HTTP response brought: messages were delivered as they came; the rest is
// what the caller decides on.
struct Reading {
  HttpResponseHead head;
  bool answered = false;   // the response to the request we wait for came
  std::string error_body;  // the start of a non-2xx body
  std::string last_event_id;
  std::optional<std::chrono::milliseconds> retry;
  bool stream = false;     // the body was an event stream
  bool delivered_any = false;
};

class HttpTransport final : public Transport {
 public:
  HttpTransport(config::ClientConfig client, std::vector<HttpHeader> headers, std::optional<std::string> ca_file,
                std::shared_ptr<auth::Authorizer> authorizer)
      : client_(std::move(client)), url_(*client_.url), shown_url_(net::display_url(url_)),
        headers_(std::move(headers)), ca_file_(std::move(ca_file)), authorizer_(std::move(authorizer)) {
    const double seconds = client_.timeout.value_or(config::kDefaultClientTimeoutSeconds);
    timeout_ = std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000.0));
  }

  ~HttpTransport() override { close(); }

  std::string_view name() const override { return "http"; }

  void on_request_failed(RequestFailure handler) override { on_failure_ = std::move(handler); }

  void send_line(const std::string& line) override {
    if (closing_) throw Error(ErrorCode::kUnavailable, where() + ": the connection was closed");
    Json message = Json::parse(line, nullptr, /*allow_exceptions=*/false);
    const auto kind = message.is_discarded() ? jsonrpc::Kind::kInvalid : jsonrpc::classify(message);
    const auto extra = message_headers(message);
    if (kind == jsonrpc::Kind::kNotification) {
      const std::string method = message["method"].get<std::string>();
      if (method == "notifications/cancelled") stop_reading_answer(message);
      post_and_expect_accepted(line, method, extra);
      if (method == "notifications/initialized") {
        {
          std::lock_guard lock(state_mutex_);
          initialized_line_ = line;
        }
        start_get_stream();
      }
      return;
    }
    if (kind != jsonrpc::Kind::kRequest) {
      post_and_expect_accepted(line, "an answer to the server's request", extra);
      return;
    }
    const auto id = jsonrpc::integer_id(message["id"]);
    if (!id) throw Error(ErrorCode::kInternal, where() + ": a request without an integer id");
    const std::string method = message["method"].get<std::string>();
    if (method == "initialize") {
      std::lock_guard lock(state_mutex_);
      initialize_line_ = line;
      initialize_id_ = *id;
    }
    start_exchange(*id, method, line, extra);
  }

  std::optional<std::string> receive_line() override {
    std::unique_lock lock(inbox_mutex_);
    inbox_cv_.wait(lock, [&] { return inbox_closed_ || !inbox_.empty(); });
    if (inbox_.empty()) return std::nullopt;
    std::string line = std::move(inbox_.front());
    inbox_.pop_front();
    return line;
  }

  void close() override {
    if (closing_.exchange(true)) return;
    {
      std::lock_guard lock(exchanges_mutex_);
      for (auto& [id, cancel] : cancellations_) cancel->cancel();
      get_cancel_.cancel();
    }
    wake_cv_.notify_all();
    std::vector<std::thread> threads;
    {
      std::lock_guard lock(exchanges_mutex_);
      for (auto& [id, thread] : workers_) threads.push_back(std::move(thread));
      workers_.clear();
      for (auto& thread : finished_) threads.push_back(std::move(thread));
      finished_.clear();
    }
    for (auto& thread : threads) thread.join();
    if (get_thread_.joinable()) get_thread_.join();
    end_session();
    {
      std::lock_guard lock(inbox_mutex_);
      inbox_closed_ = true;
    }
    inbox_cv_.notify_all();
  }

  std::string exit_description() override { return "closed the connection to " + shown_url_; }

 private:
  std::string where() const { return "MCP client '" + client_.client_id + "' (" + shown_url_ + ")"; }

  // An error of the HTTP client ("POST http://...: Failed to connect ...") said as ours.
  Error in_context(const Error& error, const std::string& what) const {
    const std::string text = error.what();
    if (text.rfind("MCP client '", 0) == 0) return error;
    return Error(error.code(), "MCP client '" + client_.client_id + "': " + what + ": " + text);
  }

  // Sends what `send` makes of the current token until the server stops refusing it for
  // want of one: the authorizer renews the token between rounds (refresh, step-up,
  // discovery again). Without an authorizer, one round. `send` returns what it read; its
  // `head` is judged.
  template <typename Send>
  auto authorized(const Send& send) {
    for (int round = 0;; ++round) {
      const std::optional<std::string> token = authorizer_ ? authorizer_->authorization() : std::nullopt;
      auto result = send(token);
      const long status = result.head.status;
      if (!authorizer_ || (status != 401 && status != 403) || round >= kMaxAuthorizationRounds) return result;
      const auth::Refusal refusal{status, result.head.header("www-authenticate"), token};
      if (!authorizer_->recover(refusal)) return result;
    }
  }

  static void add_token(HttpRequest& request, const std::optional<std::string>& token) {
    if (token) request.headers.push_back({"Authorization", *token});
  }

  std::vector<HttpHeader> request_headers(bool stream_only) const {
    std::vector<HttpHeader> out = headers_;
    out.push_back({"Accept", stream_only ? "text/event-stream" : "application/json, text/event-stream"});
    if (!stream_only) out.push_back({"Content-Type", "application/json"});
    std::lock_guard lock(state_mutex_);
    if (!session_id_.empty()) out.push_back({"Mcp-Session-Id", session_id_});
    if (!protocol_version_.empty()) out.push_back({"MCP-Protocol-Version", protocol_version_});
    return out;
  }

  // The headers a message brings of its own (SEP-2243): Mcp-Method, Mcp-Name, the
  // arguments its tool mirrors, and the version a stateless request names in _meta.
  std::vector<HttpHeader> message_headers(const Json& message) const {
    std::vector<HttpHeader> out;
    if (!message.is_object() || !message.contains("method") || !message["method"].is_string()) return out;
    const std::string method = message["method"].get<std::string>();
    out.push_back({"Mcp-Method", method});
    const Json params = message.contains("params") && message["params"].is_object() ? message["params"] : Json::object();
    const char* name_field = method == "resources/read" ? "uri"
                             : method == "tools/call" || method == "prompts/get" ? "name"
                                                                                : nullptr;
    if (name_field != nullptr && params.contains(name_field) && params[name_field].is_string()) {
      out.push_back({"Mcp-Name", header_safe(params[name_field].get<std::string>())});
    }
    if (params.contains("_meta") && params["_meta"].is_object() && params["_meta"].contains(kMetaProtocolVersion) &&
        params["_meta"][kMetaProtocolVersion].is_string()) {
      out.push_back({"MCP-Protocol-Version", params["_meta"][kMetaProtocolVersion].get<std::string>()});
    }
    if (method == "tools/call" && params.contains("name") && params["name"].is_string()) {
      std::lock_guard lock(state_mutex_);
      const auto schema = header_schemas_.find(params["name"].get<std::string>());
      if (schema != header_schemas_.end()) {
        mirror_arguments(schema->second, params.value("arguments", Json::object()), out);
      }
    }
    return out;
  }

  // Tools whose arguments go into headers, from a tools/list answer that passed by.
  void remember_tools(const Json& result) {
    if (!result.is_object() || !result.contains("tools") || !result["tools"].is_array()) return;
    std::lock_guard lock(state_mutex_);
    for (const auto& tool : result["tools"]) {
      if (!tool.is_object() || !tool.contains("name") || !tool["name"].is_string()) continue;
      const Json schema = tool.value("inputSchema", Json::object());
      if (header_annotation_problem(schema).empty()) {
        header_schemas_[tool["name"].get<std::string>()] = schema;
      } else {
        header_schemas_.erase(tool["name"].get<std::string>());
      }
    }
  }

  HttpRequest post_request(const std::string& body, const std::vector<HttpHeader>& extra) const {
    HttpRequest request;
    request.method = "POST";
    request.url = url_;
    request.headers = request_headers(/*stream_only=*/false);
    const bool names_version = std::any_of(extra.begin(), extra.end(), [](const HttpHeader& h) {
      return h.name == "MCP-Protocol-Version";
    });
    if (names_version) {
      std::erase_if(request.headers, [](const HttpHeader& h) { return h.name == "MCP-Protocol-Version"; });
    }
    request.headers.insert(request.headers.end(), extra.begin(), extra.end());
    request.body = body;
    request.connect_timeout = timeout_;
    request.ca_file = ca_file_;
    return request;
  }

  // ---- messages that want no answer (notifications, our answers to the server)

  // The caller gave up on that request (notifications/cancelled): stop reading its answer.
  void stop_reading_answer(const Json& message) {
    if (!message.contains("params") || !message["params"].contains("requestId")) return;
    const auto parsed = jsonrpc::integer_id(message["params"]["requestId"]);
    if (!parsed) return;
    // Read out of the optional before the lookup: GCC 12 at -O2 otherwise warns, wrongly,
    // that the inlined map search may read it uninitialised.
    const std::int64_t id = *parsed;
    std::lock_guard lock(exchanges_mutex_);
    if (auto it = cancellations_.find(id); it != cancellations_.end()) it->second->cancel();
  }

  // Sent in order (initialized before the next request), so this waits for the 202.
  void post_and_expect_accepted(const std::string& body, const std::string& what,
                                const std::vector<HttpHeader>& extra) {
    net::HttpClient::Response response;
    try {
      response = authorized([&](const std::optional<std::string>& token) {
        HttpRequest request = post_request(body, extra);
        request.total_timeout = timeout_;
        add_token(request, token);
        return http_.fetch(request, kMaxErrorBody, &get_cancel_);
      });
    } catch (const Error& error) {
      throw in_context(error, what);
    }
    const long status = response.head.status;
    if (status >= 200 && status < 300) return;
    throw status_error(status, what, response.body);
  }

  // ---- requests: each on a thread of its own until its answer has been read

  void start_exchange(std::int64_t id, const std::string& method, const std::string& body,
                      std::vector<HttpHeader> extra) {
    auto cancel = std::make_shared<net::Cancellation>();
    std::lock_guard lock(exchanges_mutex_);
    reap_finished();
    cancellations_[id] = cancel;
    workers_.emplace(id, std::thread([this, id, method, body, extra = std::move(extra), cancel] {
      try {
        exchange(id, method, body, extra, *cancel);
      } catch (const Error& error) {
        fail(id, in_context(error, method));
      } catch (const std::exception& error) {
        fail(id, Error(ErrorCode::kInternal, where() + ": " + method + ": " + error.what()));
      }
      std::lock_guard done(exchanges_mutex_);
      cancellations_.erase(id);
      if (auto it = workers_.find(id); it != workers_.end()) {
        finished_.push_back(std::move(it->second));
        workers_.erase(it);
      }
    }));
  }

  // Joins threads that have finished (never the calling one: it is not among them).
  void reap_finished() {
    for (auto& thread : finished_) {
      if (thread.joinable()) thread.join();
    }
    finished_.clear();
  }

  void fail(std::int64_t id, const Error& error) {
    if (closing_) return;  // the session is closing and fails its requests itself
    if (on_failure_) on_failure_(id, error);
  }

  void exchange(std::int64_t id, const std::string& method, const std::string& body,
                const std::vector<HttpHeader>& extra, net::Cancellation& cancel) {
    const std::uint64_t generation = session_generation();
    Reading reading = post(id, method, body, extra, cancel);
    if (!reading.answered && forgot_session(reading) && has_session() && method != "initialize") {
      // The server forgot our session (restarted, expired it): begin a new one, once.
      renew_session(generation, cancel);
      reading = post(id, method, body, extra, cancel);
    }
    // A 4xx whose body is the JSON-RPC error answering us (an unsupported protocol
    // version, say) was delivered as that answer: the caller reads its code and data.
    if (!reading.answered) check_status(reading, method);
    int fruitless = 0;
    while (!reading.answered) {
      if (!reading.stream) {
        throw Error(ErrorCode::kProtocol, fmt::format("{}: {} was answered with HTTP {} and no JSON-RPC response",
                                                      where(), method, reading.head.status));
      }
      if (reading.last_event_id.empty() || fruitless >= kMaxFruitlessResumptions) {
        throw Error(ErrorCode::kUnavailable,
                    where() + ": the server's event stream ended before it answered " + method +
                        (reading.last_event_id.empty() ? " (and named no event id to resume it from)" : ""));
      }
      // The server asked for this pause before we come back (the retry field).
      wait_before_retry(reading.retry.value_or(kDefaultRetry));
      if (closing_ || cancel.cancelled()) return;
      const std::string from = reading.last_event_id;
      const auto retry = reading.retry;
      reading = resume(id, method, from, cancel);
      if (reading.last_event_id.empty()) reading.last_event_id = from;
      if (!reading.retry) reading.retry = retry;
      check_status(reading, method);
      fruitless = reading.delivered_any ? 0 : fruitless + 1;
    }
  }

  // 404 is what the specification says a server answers for a session it does not know;
  // servers built on the TypeScript SDK's examples (server-everything among them) answer
  // 400 "No valid session ID provided" instead.
  static bool forgot_session(const Reading& reading) {
    if (reading.head.status == 404) return true;
    if (reading.head.status != 400) return false;
    std::string body = reading.error_body;
    for (auto& c : body) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return body.find("session") != std::string::npos;
  }

  void check_status(const Reading& reading, const std::string& method) const {
    const long status = reading.head.status;
    if (status >= 200 && status < 300) return;
    throw status_error(status, method, reading.error_body);
  }

  Error status_error(long status, const std::string& what, const std::string& body) const {
    const std::string phrase = reason_phrase(status);
    const std::string answered = fmt::format("{}: {} was answered HTTP {}{}", where(), what, status,
                                             phrase.empty() ? "" : " " + phrase);
    const std::string said = body.empty() ? "" : ": " + excerpt(body);
    if ((status == 401 || status == 403) && authorizer_) {
      return Error(ErrorCode::kUnauthenticated,
                   answered + said + " (the server refuses our OAuth token; `aurite mcp login " + client_.client_id +
                       "` logs in again)");
    }
    if (status == 401 || status == 403) {
      return Error(ErrorCode::kUnauthenticated,
                   answered + said + " (check the credentials in the client's headers)");
    }
    if (status == 404) return Error(ErrorCode::kUnavailable, answered + said + " (is the url the server's MCP endpoint?)");
    return Error(status >= 500 ? ErrorCode::kUnavailable : ErrorCode::kProtocol, answered + said);
  }

  // POSTs `body` and reads the answer, delivering every message it carries.
  Reading post(std::int64_t id, const std::string& method, const std::string& body,
               const std::vector<HttpHeader>& extra, net::Cancellation& cancel) {
    return authorized([&](const std::optional<std::string>& token) {
      Reading reading;
      Reader reader(*this, reading, id, method);
      HttpRequest request = post_request(body, extra);
      add_token(request, token);
      reading.head = http_.perform(request, reader.sink(), &cancel, reader.head_sink());
      reader.finish();
      return reading;
    });
  }

  // GET with Last-Event-ID: the rest of a stream that was cut.
  Reading resume(std::int64_t id, const std::string& method, const std::string& last_event_id,
                 net::Cancellation& cancel) {
    HttpRequest request;
    request.method = "GET";
    request.url = url_;
    request.headers = request_headers(/*stream_only=*/true);
    request.headers.push_back({"Last-Event-ID", last_event_id});
    request.connect_timeout = timeout_;
    request.ca_file = ca_file_;
    spdlog::debug("{}: resuming the answer to {} after event '{}'", where(), method, last_event_id);
    return authorized([&](const std::optional<std::string>& token) {
      Reading reading;
      Reader reader(*this, reading, id, method);
      HttpRequest attempt = request;
      add_token(attempt, token);
      reading.head = http_.perform(attempt, reader.sink(), &cancel, reader.head_sink());
      reader.finish();
      return reading;
    });
  }

  // Reads one response body: JSON, or an event stream of JSON messages.
  class Reader {
   public:
    Reader(HttpTransport& transport, Reading& reading, std::int64_t id, std::string method = "")
        : transport_(transport), reading_(reading), id_(id), method_(std::move(method)),
          events_([this](const net::SseEvent& event) { on_event(event); }, kMaxLineBytes) {}

    net::HttpClient::HeadSink head_sink() {
      return [this](const HttpResponseHead& head) {
        reading_.head = head;
        mode_ = head.status < 200 || head.status >= 300 ? Mode::kError
                : head.media_type() == "text/event-stream" ? Mode::kStream
                                                             : Mode::kJson;
        reading_.stream = mode_ == Mode::kStream;
        if (head.status >= 200 && head.status < 300) transport_.remember_session(head, id_);
      };
    }

    net::HttpClient::BodySink sink() {
      return [this](std::string_view chunk) {
        switch (mode_) {
          case Mode::kStream:
            events_.feed(chunk);
            return true;
          case Mode::kError:
            reading_.error_body.append(chunk.substr(0, kMaxErrorBody - std::min(kMaxErrorBody, reading_.error_body.size())));
            return reading_.error_body.size() < kMaxErrorBody;
          case Mode::kJson:
            if (body_.size() + chunk.size() > kMaxLineBytes) {
              throw Error(ErrorCode::kProtocol, transport_.where() + ": an answer longer than " +
                                                    std::to_string(kMaxLineBytes) + " bytes");
            }
            body_.append(chunk);
            return true;
        }
        return true;
      };
    }

    void finish() {
      if (mode_ == Mode::kStream) {
        events_.finish();
        reading_.last_event_id = events_.last_event_id();
        reading_.retry = events_.retry();
      } else if (mode_ == Mode::kJson && !body_.empty()) {
        take(body_);
      } else if (mode_ == Mode::kError) {
        const Json message = Json::parse(reading_.error_body, nullptr, /*allow_exceptions=*/false);
        const bool ours = message.is_object() && message.contains("error") && message.contains("id") &&
                          jsonrpc::integer_id(message["id"]) == id_;
        if (ours) deliver(message);
      }
    }

   private:
    enum class Mode { kJson, kStream, kError };

    void on_event(const net::SseEvent& event) {
      if (event.event != "message") return;
      take(event.data);
    }

    void take(const std::string& text) {
      Json message = Json::parse(text, nullptr, /*allow_exceptions=*/false);
      if (message.is_discarded() || !(message.is_object() || message.is_array())) {
        throw Error(ErrorCode::kProtocol, transport_.where() + ": the server sent something that is not JSON-RPC: '" +
                                              excerpt(text, 120) + "'");
      }
      // A batch (2025-03-26 allowed them) is its messages, one by one.
      if (message.is_array()) {
        for (auto& item : message) deliver(std::move(item));
      } else {
        deliver(std::move(message));
      }
    }

    void deliver(Json message) {
      if (!message.is_object()) return;
      if (jsonrpc::classify(message) == jsonrpc::Kind::kResponse && jsonrpc::integer_id(message["id"]) == id_) {
        reading_.answered = true;
        transport_.remember_version(message, id_);
        if (method_ == "tools/list" && message.contains("result")) transport_.remember_tools(message["result"]);
      }
      reading_.delivered_any = true;
      transport_.push(message.dump());
    }

    HttpTransport& transport_;
    Reading& reading_;
    std::int64_t id_;
    std::string method_;
    Mode mode_ = Mode::kJson;
    std::string body_;
    net::SseParser events_;
  };

  void push(std::string line) {
    {
      std::lock_guard lock(inbox_mutex_);
      if (inbox_closed_) return;
      inbox_.push_back(std::move(line));
    }
    inbox_cv_.notify_one();
  }

  // ---- the session: its id, its protocol version, its renewal

  void remember_session(const HttpResponseHead& head, std::int64_t id) {
    std::lock_guard lock(state_mutex_);
    if (id != initialize_id_ || id < 0) return;
    if (auto session = head.header("mcp-session-id")) session_id_ = *session;
  }

  void remember_version(const Json& response, std::int64_t id) {
    std::string version;
    {
      std::lock_guard lock(state_mutex_);
      if (id != initialize_id_ || !response.contains("result")) return;
      const Json& result = response["result"];
      if (!result.is_object() || !result.contains("protocolVersion") || !result["protocolVersion"].is_string()) return;
      protocol_version_ = version = result["protocolVersion"].get<std::string>();
    }
    if (authorizer_) authorizer_->set_protocol_version(version);
  }

  bool has_session() const {
    std::lock_guard lock(state_mutex_);
    return !session_id_.empty();
  }

  std::uint64_t session_generation() const {
    std::lock_guard lock(state_mutex_);
    return generation_;
  }

  // initialize and notifications/initialized again, without a session id, as the
  // specification asks of a client whose session the server no longer knows.
  void renew_session(std::uint64_t seen_generation, net::Cancellation& cancel) {
    std::lock_guard renewal(renewal_mutex_);
    std::string initialize_line;
    std::string initialized_line;
    {
      std::lock_guard lock(state_mutex_);
      if (generation_ != seen_generation) return;  // another request renewed it already
      spdlog::info("{}: the server no longer knows our session; starting a new one", where());
      session_id_.clear();
      initialize_line = initialize_line_;
      initialized_line = initialized_line_;
    }
    if (initialize_line.empty()) throw Error(ErrorCode::kUnavailable, where() + ": the session ended before it began");
    std::optional<std::string> session;
    std::string body;
    struct Answer {
      HttpResponseHead head;
    };
    const auto head = authorized([&](const std::optional<std::string>& token) {
                        HttpRequest request = post_request(initialize_line, message_headers(Json::parse(initialize_line)));
                        request.total_timeout = timeout_;
                        add_token(request, token);
                        body.clear();
                        return Answer{http_.perform(
                            request,
                            [&](std::string_view chunk) {
                              body.append(chunk.substr(0, kMaxErrorBody));
                              return body.size() < kMaxLineBytes;
                            },
                            &cancel, [&](const HttpResponseHead& h) { session = h.header("mcp-session-id"); })};
                      }).head;
    if (head.status < 200 || head.status >= 300) throw status_error(head.status, "initialize (a new session)", body);
    {
      std::lock_guard lock(state_mutex_);
      session_id_ = session.value_or("");
      ++generation_;
    }
    if (!initialized_line.empty()) {
      post_and_expect_accepted(initialized_line, "notifications/initialized", message_headers(Json::parse(initialized_line)));
    }
  }

  void end_session() {
    std::string session;
    {
      std::lock_guard lock(state_mutex_);
      session = session_id_;
    }
    if (session.empty()) return;
    HttpRequest request;
    request.method = "DELETE";
    request.url = url_;
    request.headers = request_headers(/*stream_only=*/false);
    request.connect_timeout = kDeleteTimeout;
    request.total_timeout = kDeleteTimeout;
    request.ca_file = ca_file_;
    try {
      if (authorizer_) add_token(request, authorizer_->authorization());
      const auto response = http_.fetch(request, kMaxErrorBody);
      spdlog::debug("{}: session ended (HTTP {})", where(), response.head.status);
    } catch (const Error& error) {
      spdlog::debug("{}: could not end the session: {}", where(), error.what());
    }
  }

  // ---- the GET stream: what the server says unasked

  void start_get_stream() {
    std::lock_guard lock(exchanges_mutex_);
    if (get_thread_.joinable() || closing_) return;
    get_thread_ = std::thread([this] { run_get_stream(); });
  }

  void run_get_stream() {
    int failures = 0;
    std::string last_event_id;
    std::chrono::milliseconds retry = kDefaultRetry;
    while (!closing_) {
      HttpRequest request;
      request.method = "GET";
      request.url = url_;
      request.headers = request_headers(/*stream_only=*/true);
      if (!last_event_id.empty()) request.headers.push_back({"Last-Event-ID", last_event_id});
      request.connect_timeout = timeout_;
      request.ca_file = ca_file_;
      Reading reading;
      try {
        reading = authorized([&](const std::optional<std::string>& token) {
          Reading attempt;
          Reader reader(*this, attempt, /*id=*/-1);
          HttpRequest sent = request;
          add_token(sent, token);
          attempt.head = http_.perform(sent, reader.sink(), &get_cancel_, reader.head_sink());
          reader.finish();
          return attempt;
        });
      } catch (const Error& error) {
        if (closing_) return;
        reading.head.status = 0;
        spdlog::debug("{}: the server's event stream failed: {}", where(), error.what());
      }
      if (reading.head.status == 405) return;  // the server offers no such stream
      if (!reading.last_event_id.empty()) last_event_id = reading.last_event_id;
      if (reading.retry) retry = *reading.retry;
      failures = reading.head.status == 200 ? 0 : failures + 1;
      if (failures >= kMaxGetStreamFailures) {
        spdlog::debug("{}: giving up on the server's event stream", where());
        return;
      }
      wait_before_retry(retry * (1 << failures));
    }
  }

  void wait_before_retry(std::chrono::milliseconds delay) {
    std::unique_lock lock(wake_mutex_);
    wake_cv_.wait_for(lock, delay, [&] { return closing_.load(); });
  }

  const config::ClientConfig client_;
  const std::string url_;
  const std::string shown_url_;
  const std::vector<HttpHeader> headers_;
  const std::optional<std::string> ca_file_;
  const std::shared_ptr<auth::Authorizer> authorizer_;  // null: no OAuth
  std::chrono::milliseconds timeout_{};
  net::HttpClient http_;
  RequestFailure on_failure_;
  std::atomic<bool> closing_{false};

  mutable std::mutex state_mutex_;  // guards the session state below
  std::string session_id_;
  std::string protocol_version_;
  std::string initialize_line_;
  std::string initialized_line_;
  std::int64_t initialize_id_ = -1;
  std::uint64_t generation_ = 0;
  std::map<std::string, Json> header_schemas_;  // listed tools' schemas, for their Mcp-Param headers
  std::mutex renewal_mutex_;  // one renewal at a time

  std::mutex exchanges_mutex_;  // guards the threads and cancellations below
  std::map<std::int64_t, std::thread> workers_;
  std::vector<std::thread> finished_;
  std::map<std::int64_t, std::shared_ptr<net::Cancellation>> cancellations_;
  net::Cancellation get_cancel_;  // the GET stream, notifications and answers
  std::thread get_thread_;

  std::mutex wake_mutex_;
  std::condition_variable wake_cv_;  // wakes retry waits at close

  std::mutex inbox_mutex_;
  std::condition_variable inbox_cv_;
  std::deque<std::string> inbox_;
  bool inbox_closed_ = false;
};

}  // namespace

std::unique_ptr<Transport> start_http_transport(const config::ClientConfig& client,
                                                const std::filesystem::path& base_dir,
                                                std::shared_ptr<auth::Authorizer> authorizer) {
  if (!client.url) throw Error(ErrorCode::kInvalidConfig, "MCP client '" + client.client_id + "' has no url");
  std::vector<HttpHeader> headers;
  for (const auto& [name, value] : client.headers) {
    // Expanded here, when the client connects, so the value is never part of the
    // configuration that is stored, shown or exported.
    headers.push_back({name, expand_env_references(value, "MCP client '" + client.client_id + "' headers." + name)});
  }
  std::optional<std::string> ca_file;
  if (client.ca_file) ca_file = config::resolve_path(base_dir, *client.ca_file).string();
  config::ClientConfig connected = client;
  connected.url = expand_env_references(*client.url, "MCP client '" + client.client_id + "' url");
  return std::make_unique<HttpTransport>(std::move(connected), std::move(headers), std::move(ca_file),
                                         std::move(authorizer));
}

}  // namespace aurite::mcp
