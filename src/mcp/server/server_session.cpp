// mcp/server/server_session — per-client state of the server library, and the current Call.
#include "mcp/server/server_session.hpp"

namespace aurite::mcp::detail {
namespace {

thread_local const Call* current = nullptr;

std::string id_key(const nlohmann::json& id) { return id.is_string() ? id.get<std::string>() : id.dump(); }

}  // namespace

const Call* current_call() { return current; }

CallScope::CallScope(const Call& call) : previous_(current) { current = &call; }
CallScope::~CallScope() { current = previous_; }

void ServerSession::set_client(nlohmann::json capabilities, std::string protocol_version) {
  std::lock_guard lock(mutex_);
  capabilities_ = capabilities.is_object() ? std::move(capabilities) : nlohmann::json::object();
  protocol_version_ = std::move(protocol_version);
}

nlohmann::json ServerSession::capabilities() const {
  std::lock_guard lock(mutex_);
  return capabilities_;
}

std::string ServerSession::protocol_version() const {
  std::lock_guard lock(mutex_);
  return protocol_version_;
}

std::optional<std::string> ServerSession::log_level() const {
  std::lock_guard lock(mutex_);
  return log_level_;
}

void ServerSession::set_log_level(std::string level) {
  std::lock_guard lock(mutex_);
  log_level_ = std::move(level);
}

void ServerSession::subscribe(const std::string& uri) {
  std::lock_guard lock(mutex_);
  subscriptions_.insert(uri);
}

void ServerSession::unsubscribe(const std::string& uri) {
  std::lock_guard lock(mutex_);
  subscriptions_.erase(uri);
}

bool ServerSession::subscribed(const std::string& uri) const {
  std::lock_guard lock(mutex_);
  return subscriptions_.count(uri) != 0;
}

std::string ServerSession::open_request() {
  std::lock_guard lock(mutex_);
  // Prefixed so our ids can never be mistaken for the client's own.
  std::string id = "server-" + std::to_string(next_request_id_++);
  requests_[id] = std::nullopt;
  return id;
}

std::optional<nlohmann::json> ServerSession::wait_response(const std::string& id, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  answered_.wait_for(lock, timeout, [&] { return closed_ || requests_[id].has_value(); });
  std::optional<nlohmann::json> response = std::move(requests_[id]);
  requests_.erase(id);
  return response;
}

bool ServerSession::deliver(const nlohmann::json& response) {
  std::lock_guard lock(mutex_);
  const auto it = requests_.find(id_key(response["id"]));
  if (it == requests_.end()) return false;
  it->second = response;
  answered_.notify_all();
  return true;
}

void ServerSession::close() {
  std::lock_guard lock(mutex_);
  closed_ = true;
  answered_.notify_all();
}

}  // namespace aurite::mcp::detail
