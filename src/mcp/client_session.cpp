#include "aurite/mcp/client_session.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "aurite/config/json_codec.hpp"
#include "mcp/jsonrpc.hpp"

namespace aurite::mcp {
namespace {

// Pages we follow before deciding a server's cursors go round in circles.
constexpr int kMaxPages = 10000;

std::string seconds_text(std::chrono::milliseconds ms) { return fmt::format("{:g} s", ms.count() / 1000.0); }

std::string supported_list() {
  std::string out;
  for (const auto& v : kSupportedProtocolVersions) out += (out.empty() ? "" : ", ") + std::string(v);
  return out;
}

}  // namespace

ClientSession::ClientSession(config::ClientConfig client, std::unique_ptr<Transport> transport)
    : client_(std::move(client)), transport_(std::move(transport)) {
  reader_ = std::thread([this] { read_loop(); });
}

std::unique_ptr<ClientSession> ClientSession::open(const config::ClientConfig& client,
                                                   std::unique_ptr<Transport> transport,
                                                   std::string_view offered_version) {
  std::unique_ptr<ClientSession> session(new ClientSession(client, std::move(transport)));
  session->handshake(offered_version);  // on a throw the destructor closes everything
  return session;
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
  const double seconds = client_.timeout.value_or(config::kDefaultClientTimeoutSeconds);
  return std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000.0));
}

void ClientSession::handshake(std::string_view offered_version) {
  Json capabilities = Json::object();
  // Declaring roots invites the server to ask for them (roots/list); only do so when
  // there are roots to give.
  if (!client_.roots.empty()) capabilities["roots"] = {{"listChanged", false}};
  const Json result = request("initialize", {{"protocolVersion", offered_version},
                                             {"capabilities", capabilities},
                                             {"clientInfo", {{"name", "aurite"}, {"version", "0.1.0"}}}});
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
}

Json ClientSession::request(const std::string& method, Json params,
                            std::optional<std::chrono::milliseconds> timeout) {
  const std::int64_t id = next_id_++;
  auto pending = std::make_shared<Pending>();
  {
    std::lock_guard lock(mutex_);
    if (dead_) throw *dead_;
    pending_[id] = pending;
  }
  try {
    transport_->send_line(jsonrpc::make_request(id, method, std::move(params)).dump());
  } catch (const Error& error) {
    // The server is gone; the reader thread will see EOF and record why. Prefer that.
    std::unique_lock lock(mutex_);
    pending_.erase(id);
    if (dead_) throw *dead_;
    throw;
  }
  const auto wait = timeout.value_or(default_timeout());
  std::unique_lock lock(mutex_);
  if (!pending->done_cv.wait_for(lock, wait, [&] { return pending->response || pending->error; })) {
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
    throw Error(ErrorCode::kTimeout, "MCP client '" + client_id() + "': no answer to " + method + " within " +
                                         seconds_text(wait));
  }
  if (pending->error) throw *pending->error;
  const Json& response = *pending->response;
  if (response.contains("error")) throw jsonrpc::error_from_response(client_id(), method, response["error"]);
  return response.contains("result") ? response["result"] : Json::object();
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
      dispatch(message);
    }
    if (!closing_) {
      die(Error(ErrorCode::kUnavailable, "MCP client '" + client_id() + "': the server " + transport_->exit_description()));
    }
  } catch (const Error& error) {
    die(error);
  } catch (const std::exception& error) {
    die(Error(ErrorCode::kInternal, "MCP client '" + client_id() + "': " + error.what()));
  }
  // A session that failed must not keep a broken server running.
  transport_->close();
}

void ClientSession::dispatch(const Json& message) {
  switch (jsonrpc::classify(message)) {
    case jsonrpc::Kind::kResponse: {
      const auto id = jsonrpc::integer_id(message["id"]);
      std::lock_guard lock(mutex_);
      const auto it = id ? pending_.find(*id) : pending_.end();
      if (it == pending_.end()) {
        spdlog::debug("MCP client '{}': ignoring a late or unknown response (id {})", client_id(), message["id"].dump());
        return;
      }
      it->second->response = message;
      it->second->done_cv.notify_all();
      pending_.erase(it);
      return;
    }
    case jsonrpc::Kind::kRequest:
      answer_server_request(message);
      return;
    case jsonrpc::Kind::kNotification: {
      const std::string method = message["method"].get<std::string>();
      if (method == "notifications/tools/list_changed") ++tools_generation_;
      spdlog::debug("MCP client '{}': {}", client_id(), method);
      return;
    }
    case jsonrpc::Kind::kInvalid:
      throw Error(ErrorCode::kProtocol, "MCP client '" + client_id() +
                                            "': the server sent a message that is not JSON-RPC 2.0: " +
                                            message.dump().substr(0, 120));
  }
}

void ClientSession::answer_server_request(const Json& message) {
  const std::string method = message["method"].get<std::string>();
  Json reply;
  if (method == "ping") {
    reply = jsonrpc::make_result(message["id"], Json::object());
  } else if (method == "roots/list") {
    Json roots = Json::array();
    for (const auto& root : client_.roots) {
      Json entry = {{"uri", root.uri}};
      if (root.name) entry["name"] = *root.name;
      roots.push_back(entry);
    }
    reply = jsonrpc::make_result(message["id"], {{"roots", roots}});
  } else {
    reply = jsonrpc::make_error(message["id"], jsonrpc::kMethodNotFound, "method not supported: " + method);
  }
  try {
    transport_->send_line(reply.dump());
  } catch (const Error& error) {
    spdlog::debug("MCP client '{}': cannot answer {}: {}", client_id(), method, error.what());
  }
}

void ClientSession::die(const Error& error) {
  std::lock_guard lock(mutex_);
  if (!dead_) {
    dead_ = error;
    spdlog::debug("{}", error.what());
  }
  for (auto& [id, pending] : pending_) {
    pending->error = *dead_;
    pending->done_cv.notify_all();
  }
  pending_.clear();
}

}  // namespace aurite::mcp
