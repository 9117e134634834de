#include "aurite/mcp/client_session.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "aurite/config/json_codec.hpp"
#include "mcp/jsonrpc.hpp"
#include "mcp/server_log.hpp"

namespace aurite::mcp {
namespace {

std::chrono::milliseconds from_seconds(double seconds) {
  return std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000.0));
}

// Pages we follow before deciding a server's cursors go round in circles.
constexpr int kMaxPages = 10000;
// Rounds of input a stateless server may ask for one request before we call it a loop.
constexpr int kMaxInputRounds = 16;

std::string seconds_text(std::chrono::milliseconds ms) { return fmt::format("{:g} s", ms.count() / 1000.0); }

std::string supported_list() {
  std::string out;
  for (const auto& v : kSupportedProtocolVersions) out += (out.empty() ? "" : ", ") + std::string(v);
  return out;
}

}  // namespace

ClientSession::ClientSession(config::ClientConfig client, std::unique_ptr<Transport> transport,
                             ServerRequestHandler server_requests)
    : client_(std::move(client)), transport_(std::move(transport)), server_requests_(std::move(server_requests)) {
  transport_->on_request_failed([this](std::int64_t id, const Error& error) { fail_request(id, error); });
  reader_ = std::thread([this] { read_loop(); });
}

void ClientSession::fail_request(std::int64_t id, const Error& error) {
  std::lock_guard lock(mutex_);
  const auto it = pending_.find(id);
  if (it == pending_.end()) return;  // answered, timed out or cancelled meanwhile
  // A copy of its own: std::runtime_error shares its message between copies through a
  // count kept inside libstdc++, so the transport's thread releasing its Error after the
  // waiter read this one would be a release ThreadSanitizer cannot see ordered.
  it->second->error = Error(error.code(), std::string(error.what()));
  it->second->done_cv.notify_all();
  pending_.erase(it);
}

std::unique_ptr<ClientSession> ClientSession::open(const config::ClientConfig& client,
                                                   std::unique_ptr<Transport> transport,
                                                   std::string_view offered_version,
                                                   ServerRequestHandler server_requests) {
  std::unique_ptr<ClientSession> session(
      new ClientSession(client, std::move(transport), std::move(server_requests)));
  try {
    session->handshake(offered_version);  // on a throw the destructor closes everything
  } catch (const Error& error) {
    // A server that will not start usually says why on its stderr.
    throw session->with_diagnostics(error);
  }
  return session;
}

Error ClientSession::with_diagnostics(const Error& error) const {
  const std::string tail = transport_->diagnostics();
  if (tail.empty() || std::string_view(error.what()).find(tail) != std::string_view::npos) return error;
  return Error(error.code(), error.what() + tail);
}

ClientSession::~ClientSession() { close(); }

void ClientSession::close() {
  std::call_once(close_once_, [this] {
    closing_ = true;
    transport_->close();
    if (reader_.joinable()) reader_.join();
    die(Error(ErrorCode::kUnavailable, "MCP client '" + client_id() + "' was closed"));
  });
}

bool ClientSession::alive() const {
  std::lock_guard lock(mutex_);
  return !dead_;
}

std::chrono::milliseconds ClientSession::default_timeout() const {
  return from_seconds(client_.timeout.value_or(config::kDefaultClientTimeoutSeconds));
}

std::chrono::milliseconds ClientSession::handshake_timeout() const {
  return client_.registration_timeout ? from_seconds(*client_.registration_timeout) : default_timeout();
}

std::chrono::milliseconds ClientSession::default_max_total() const {
  if (client_.max_total_timeout) return from_seconds(*client_.max_total_timeout);
  const double idle_ms = static_cast<double>(default_timeout().count());
  return std::chrono::milliseconds(static_cast<std::int64_t>(idle_ms * config::kDefaultMaxTotalTimeoutFactor));
}

void ClientSession::handshake(std::string_view offered_version) {
  if (offered_version == kStatelessProtocolVersion) {
    if (discover()) return;
    offered_version = kLatestProtocolVersion;  // a server of the handshake revisions
  }
  const Json result = request("initialize",
                              {{"protocolVersion", offered_version},
                               {"capabilities", client_capabilities()},
                               {"clientInfo", {{"name", "aurite"}, {"version", "0.1.0"}}}},
                              handshake_timeout());
  if (!result.is_object() || !result.contains("protocolVersion") || !result["protocolVersion"].is_string()) {
    throw Error(ErrorCode::kProtocol, "MCP client '" + client_id() +
                                          "': initialize answer has no protocolVersion: " + result.dump().substr(0, 200));
  }
  protocol_version_ = result["protocolVersion"].get<std::string>();
  if (!is_supported_protocol_version(protocol_version_)) {
    throw Error(ErrorCode::kProtocol,
                "MCP client '" + client_id() + "' answered protocol version '" + protocol_version_ +
                    "', which this host does not support (supported: " + supported_list() + ")");
  }
  if (result.contains("serverInfo") && result["serverInfo"].is_object()) server_info_ = result["serverInfo"];
  if (result.contains("capabilities") && result["capabilities"].is_object()) {
    server_capabilities_ = result["capabilities"];
  }
  notify("notifications/initialized");
  spdlog::debug("MCP client '{}': connected, protocol {}", client_id(), protocol_version_);
  set_server_log_level();
}

bool ClientSession::discover() {
  stateless_ = true;
  protocol_version_ = std::string(kStatelessProtocolVersion);
  const auto fall_back = [this](const std::string& why) {
    spdlog::debug("MCP client '{}': no stateless revision ({}); initializing a session instead", client_id(), why);
    stateless_ = false;
    protocol_version_.clear();
    return false;
  };
  // A server may refuse the first version it hears and name the ones it has (-32022).
  for (int attempt = 0; attempt < 2; ++attempt) {
    Json response;
    try {
      response = call("server/discover", Json::object(), RequestOptions{handshake_timeout(), std::nullopt, {}});
    } catch (const Error& error) {
      // The server answered, but not as a stateless one (400, 405, ...): a handshake
      // server. Anything else (unreachable, refused credentials, silent) is the answer.
      const bool not_understood = error.code() == ErrorCode::kProtocol || error.code() == ErrorCode::kNotFound ||
                                  error.code() == ErrorCode::kInvalidArgument;
      if (!not_understood || !alive()) throw;
      return fall_back(error.what());
    }
    if (response.contains("error")) {
      const Json& error = response["error"];
      const Json supported = error.is_object() && error.contains("data") && error["data"].is_object()
                                 ? error["data"].value("supported", Json::array())
                                 : Json::array();
      const bool offers_ours = supported.is_array() && std::find(supported.begin(), supported.end(),
                                                                 Json(kStatelessProtocolVersion)) != supported.end();
      if (error.value("code", 0) == jsonrpc::kUnsupportedProtocolVersion && offers_ours && attempt == 0) continue;
      return fall_back(error.dump().substr(0, 200));
    }
    const Json result = response.value("result", Json::object());
    const Json versions = result.value("supportedVersions", Json::array());
    if (!versions.is_array() ||
        std::find(versions.begin(), versions.end(), Json(kStatelessProtocolVersion)) == versions.end()) {
      return fall_back("server/discover names no version of ours");
    }
    // The revision moved serverInfo into _meta; earlier drafts had it beside capabilities.
    const Json meta = result.value("_meta", Json::object());
    const Json info = meta.is_object() && meta.contains(kMetaServerInfo) ? meta[kMetaServerInfo]
                                                                          : result.value("serverInfo", Json());
    if (info.is_object()) server_info_ = info;
    if (result.contains("capabilities") && result["capabilities"].is_object()) {
      server_capabilities_ = result["capabilities"];
    }
    spdlog::debug("MCP client '{}': connected, protocol {} (stateless)", client_id(), protocol_version_);
    return true;
  }
  return fall_back("the server refused our version twice");
}

void ClientSession::set_server_log_level() {
  if (!client_.log_level) return;
  if (!server_capabilities_.contains("logging")) {
    spdlog::debug("MCP client '{}': the server does not declare logging; log_level '{}' not sent", client_id(),
                  *client_.log_level);
    return;
  }
  try {
    request("logging/setLevel", {{"level", *client_.log_level}});
  } catch (const Error& error) {
    if (!alive()) throw;
    // The server still works; it just logs at its own level.
    spdlog::warn("MCP client '{}': logging/setLevel '{}' refused: {}", client_id(), *client_.log_level, error.what());
  }
}

Json ClientSession::request(const std::string& method, Json params,
                            std::optional<std::chrono::milliseconds> timeout) {
  return request(method, std::move(params), RequestOptions{timeout, std::nullopt, {}});
}

Json ClientSession::request(const std::string& method, Json params, const RequestOptions& options) {
  Json result = result_of(method, call(method, params, options));
  // A stateless server that needs our input first answers "input_required" (SEP-2322):
  // answer what it asks, and ask again, as a new request, with its state as it was.
  for (int round = 0; result.is_object() && result.value("resultType", "") == "input_required"; ++round) {
    if (round >= kMaxInputRounds) {
      throw Error(ErrorCode::kProtocol, "MCP client '" + client_id() + "': " + method + " still needed input after " +
                                            std::to_string(kMaxInputRounds) + " rounds");
    }
    Json responses = Json::object();
    if (result.contains("inputRequests") && result["inputRequests"].is_object()) {
      for (const auto& [key, ask] : result["inputRequests"].items()) {
        const std::string asked = ask.is_object() ? ask.value("method", "") : "";
        auto answer = answer_for(asked, ask.is_object() ? ask.value("params", Json::object()) : Json::object());
        if (!answer) {
          throw Error(ErrorCode::kNotFound, "MCP client '" + client_id() + "': " + method + " needs an answer to " +
                                                asked + ", which this client does not give");
        }
        responses[key] = std::move(*answer);
      }
    }
    Json again = params;
    again["inputResponses"] = std::move(responses);
    if (result.contains("requestState")) again["requestState"] = result["requestState"];
    else again.erase("requestState");
    result = result_of(method, call(method, std::move(again), options));
  }
  return result;
}

Json ClientSession::result_of(const std::string& method, Json response) const {
  if (response.contains("error")) throw jsonrpc::error_from_response(client_id(), method, response["error"]);
  return response.contains("result") ? std::move(response["result"]) : Json::object();
}

Json ClientSession::request_meta() const {
  Json meta = {{kMetaProtocolVersion, protocol_version_},
               {kMetaClientCapabilities, client_capabilities()},
               {kMetaClientInfo, {{"name", "aurite"}, {"version", "0.1.0"}}}};
  if (client_.log_level) meta[kMetaLogLevel] = *client_.log_level;
  return meta;
}

Json ClientSession::client_capabilities() const {
  Json capabilities = server_requests_.handler ? server_requests_.capabilities : Json::object();
  // Declaring roots invites the server to ask for them (roots/list); only do so when
  // there are roots to give.
  if (!client_.roots.empty()) capabilities["roots"] = {{"listChanged", false}};
  return capabilities;
}

Json ClientSession::call(const std::string& method, Json params, const RequestOptions& options) {
  if (stateless_ && params.is_object()) {
    const Json meta = request_meta();  // items() of a temporary would outlive it
    for (const auto& [key, value] : meta.items()) params["_meta"][key] = value;
  }
  const std::int64_t id = next_id_++;
  auto pending = std::make_shared<Pending>();
  pending->wants_progress = static_cast<bool>(options.on_progress);
  // The request's own id is unique among our requests in flight: it serves as the token.
  if (pending->wants_progress && params.is_object()) params["_meta"]["progressToken"] = id;
  {
    std::lock_guard lock(mutex_);
    if (dead_) throw *dead_;
    pending_[id] = pending;
  }
  try {
    transport_->send_line(jsonrpc::make_request(id, method, std::move(params)).dump());
  } catch (const Error& error) {
    {
      std::unique_lock lock(mutex_);
      pending_.erase(id);
      // The server is gone: the reader thread is about to say why (its status, its
      // last stderr lines). Prefer that to a bare "broken pipe".
      if (error.code() == ErrorCode::kUnavailable && !closing_) {
        dead_cv_.wait_for(lock, std::chrono::seconds(2), [&] { return dead_.has_value(); });
      }
      if (dead_) throw *dead_;
    }
    // A server that stopped reading may have half a message of ours: nothing sent
    // after that would be understood, so this session is over.
    if (error.code() == ErrorCode::kTimeout) {
      die(error);
      transport_->close();
    }
    throw;
  }
  return await(id, method, *pending, options);
}

Json ClientSession::await(std::int64_t id, const std::string& method, Pending& pending,
                          const RequestOptions& options) {
  using Clock = std::chrono::steady_clock;
  const auto idle = options.timeout.value_or(default_timeout());
  const auto max_total = options.max_total.value_or(default_max_total());
  const auto started = Clock::now();
  const auto total_deadline = pending.wants_progress ? started + max_total : Clock::time_point::max();
  auto idle_deadline = started + idle;
  bool heard_progress = false;
  const auto cancelled = [&options] { return options.cancel != nullptr && options.cancel->cancelled(); };
  // Before the lock, so it ends after the lock is given back: a wake takes the lock.
  auto wakes = watch(options.cancel, [this, &pending] {
    std::lock_guard woken(mutex_);
    pending.done_cv.notify_all();
  });
  std::unique_lock lock(mutex_);
  std::uint64_t answered_seen = answered_;
  while (!pending.response && !pending.error) {
    const auto until = std::min(idle_deadline, total_deadline);
    pending.done_cv.wait_until(lock, until, [&] {
      return pending.response || pending.error || !pending.progress.empty() || answered_ != answered_seen ||
             cancelled();
    });
    if (cancelled() && !pending.response && !pending.error) {
      pending_.erase(id);
      lock.unlock();
      if (method != "initialize") {
        try {
          notify("notifications/cancelled", {{"requestId", id}, {"reason", "cancelled by the user"}});
        } catch (const Error&) {
          // A server that is gone has nothing left to stop.
        }
      }
      throw Error(ErrorCode::kCancelled, "MCP client '" + client_id() + "': " + method + " cancelled");
    }
    if (answered_ != answered_seen) {
      // We answered the server's own request (a person's answer may have taken a while):
      // the wait for the answer to ours starts again.
      answered_seen = answered_;
      idle_deadline = Clock::now() + idle;
    }
    if (!pending.progress.empty()) {
      // The server is working on it: that restarts the wait for the answer (the spec allows it).
      std::vector<Progress> reports = std::move(pending.progress);
      pending.progress.clear();
      idle_deadline = Clock::now() + idle;
      heard_progress = true;
      lock.unlock();
      for (const auto& report : reports) {
        try {
          options.on_progress(report);
        } catch (const std::exception& error) {
          spdlog::debug("MCP client '{}': a progress observer failed: {}", client_id(), error.what());
        }
      }
      lock.lock();
      continue;
    }
    if (pending.response || pending.error || Clock::now() < until) continue;
    if (answering_ > 0 && until == idle_deadline) {  // the server waits for us, not we for it
      idle_deadline = Clock::now() + idle;
      continue;
    }
    pending_.erase(id);
    lock.unlock();
    // initialize must not be cancelled (spec); the caller closes the session instead.
    if (method != "initialize") {
      try {
        notify("notifications/cancelled", {{"requestId", id}, {"reason", "timed out"}});
      } catch (const Error&) {
        // The server may be gone already; the timeout is what the caller needs to hear.
      }
    }
    if (until == total_deadline && total_deadline <= idle_deadline) {
      throw Error(ErrorCode::kTimeout, "MCP client '" + client_id() + "': " + method + " did not finish within " +
                                           seconds_text(max_total) +
                                           " (max_total_timeout), though still reporting progress");
    }
    throw Error(ErrorCode::kTimeout, "MCP client '" + client_id() + "': no answer to " + method + " within " +
                                         seconds_text(idle) + (heard_progress ? " of its last progress report" : ""));
  }
  if (pending.error) throw *pending.error;
  return std::move(*pending.response);
}

void ClientSession::notify(const std::string& method, Json params) {
  transport_->send_line(jsonrpc::make_notification(method, std::move(params)).dump());
}

std::vector<Json> ClientSession::list_all(const std::string& method, const std::string& key) {
  std::vector<Json> items;
  std::optional<std::string> cursor;
  for (int page = 0; page < kMaxPages; ++page) {
    Json params = Json::object();
    if (cursor) params["cursor"] = *cursor;
    const Json result = request(method, params);
    if (!result.is_object() || !result.contains(key) || !result[key].is_array()) {
      throw Error(ErrorCode::kProtocol, "MCP client '" + client_id() + "': " + method + " answer has no '" + key +
                                            "' array");
    }
    for (const auto& item : result[key]) items.push_back(item);
    if (!result.contains("nextCursor") || !result["nextCursor"].is_string()) return items;
    cursor = result["nextCursor"].get<std::string>();
  }
  throw Error(ErrorCode::kProtocol,
              "MCP client '" + client_id() + "': " + method + " did not end after " + std::to_string(kMaxPages) + " pages");
}

void ClientSession::read_loop() {
  try {
    while (auto line = transport_->receive_line()) {
      if (line->find_first_not_of(" \t") == std::string::npos) continue;
      Json message = Json::parse(*line, nullptr, /*allow_exceptions=*/false);
      if (message.is_discarded()) {
        throw Error(ErrorCode::kProtocol, "MCP client '" + client_id() +
                                              "': the server wrote something that is not JSON-RPC: '" +
                                              line->substr(0, 120) + "'");
      }
      dispatch(std::move(message));
    }
    if (!closing_) {
      const std::string how = transport_->exit_description();  // reads the rest of its stderr first
      die(with_diagnostics(Error(ErrorCode::kUnavailable, "MCP client '" + client_id() + "': the server " + how)));
    }
  } catch (const Error& error) {
    die(closing_ ? error : with_diagnostics(error));
  } catch (const std::exception& error) {
    die(Error(ErrorCode::kInternal, "MCP client '" + client_id() + "': " + error.what()));
  }
  // A session that failed must not keep a broken server running.
  transport_->close();
}

void ClientSession::dispatch(Json message) {
  switch (jsonrpc::classify(message)) {
    case jsonrpc::Kind::kResponse: {
      const auto id = jsonrpc::integer_id(message["id"]);
      std::lock_guard lock(mutex_);
      const auto it = id ? pending_.find(*id) : pending_.end();
      if (it == pending_.end()) {
        spdlog::debug("MCP client '{}': ignoring a late or unknown response (id {})", client_id(), message["id"].dump());
        return;
      }
      it->second->response = std::move(message);  // answers can be megabytes: no copies
      it->second->done_cv.notify_all();
      pending_.erase(it);
      return;
    }
    case jsonrpc::Kind::kRequest:
      answer_server_request(message);
      return;
    case jsonrpc::Kind::kNotification: {
      const std::string method = message["method"].get<std::string>();
      const Json params = message.contains("params") ? message["params"] : Json::object();
      if (method == "notifications/tools/list_changed") ++tools_generation_;
      if (method == "notifications/message") {
        detail::log_server_message(client_id(), params);
      } else if (method == "notifications/progress") {
        record_progress(params);
      } else {
        spdlog::debug("MCP client '{}': {}", client_id(), method);
      }
      return;
    }
    case jsonrpc::Kind::kInvalid:
      throw Error(ErrorCode::kProtocol, "MCP client '" + client_id() +
                                            "': the server sent a message that is not JSON-RPC 2.0: " +
                                            message.dump().substr(0, 120));
  }
}

std::optional<Json> ClientSession::answer_for(const std::string& method, const Json& params) const {
  if (method == "ping") return Json::object();
  if (method == "roots/list") {
    Json roots = Json::array();
    for (const auto& root : client_.roots) {
      Json entry = {{"uri", root.uri}};
      if (root.name) entry["name"] = *root.name;
      roots.push_back(entry);
    }
    return Json{{"roots", roots}};
  }
  if (server_requests_.handler) return server_requests_.handler(method, params);
  return std::nullopt;
}

void ClientSession::answer_server_request(const Json& message) {
  const std::string method = message["method"].get<std::string>();
  {
    std::lock_guard lock(mutex_);
    ++answering_;
  }
  struct Answered {
    ClientSession& session;
    ~Answered() {
      std::lock_guard lock(session.mutex_);
      --session.answering_;
      ++session.answered_;
      for (auto& [id, pending] : session.pending_) pending->done_cv.notify_all();
    }
  } answered{*this};
  Json reply;
  try {
    auto result = answer_for(method, message.contains("params") ? message["params"] : Json::object());
    reply = result ? jsonrpc::make_result(message["id"], std::move(*result))
                   : jsonrpc::make_error(message["id"], jsonrpc::kMethodNotFound, "method not supported: " + method);
  } catch (const std::exception& error) {
    reply = jsonrpc::make_error(message["id"], jsonrpc::kInternalError, error.what());
  }
  try {
    transport_->send_line(reply.dump());
  } catch (const Error& error) {
    spdlog::debug("MCP client '{}': cannot answer {}: {}", client_id(), method, error.what());
  }
}

void ClientSession::record_progress(const Json& params) {
  const bool has_token = params.is_object() && params.contains("progressToken");
  const auto token = has_token ? jsonrpc::integer_id(params["progressToken"]) : std::nullopt;
  if (!token || !params.contains("progress") || !params["progress"].is_number()) {
    spdlog::debug("MCP client '{}': ignoring a malformed progress report: {}", client_id(),
                  params.dump(-1, ' ', false, Json::error_handler_t::replace).substr(0, 200));
    return;
  }
  Progress report;
  report.progress = params["progress"].get<double>();
  if (params.contains("total") && params["total"].is_number()) report.total = params["total"].get<double>();
  if (params.contains("message") && params["message"].is_string()) {
    report.message = params["message"].get<std::string>();
  }
  std::lock_guard lock(mutex_);
  const auto it = pending_.find(*token);
  // Reports must grow (spec): a server repeating one cannot keep a call alive on it.
  if (it == pending_.end() || !it->second->wants_progress ||
      (it->second->last_progress && report.progress <= *it->second->last_progress)) {
    spdlog::debug("MCP client '{}': ignoring a progress report for token {}", client_id(), *token);
    return;
  }
  it->second->last_progress = report.progress;
  it->second->progress.push_back(std::move(report));
  it->second->done_cv.notify_all();
}

void ClientSession::die(const Error& error) {
  std::lock_guard lock(mutex_);
  if (!dead_) {
    dead_ = error;
    spdlog::debug("{}", error.what());
    dead_cv_.notify_all();
  }
  for (auto& [id, pending] : pending_) {
    pending->error = *dead_;
    pending->done_cv.notify_all();
  }
  pending_.clear();
}

}  // namespace aurite::mcp
