// mcp/server/server_session — what the server knows of one connected client (over stdio
// the one peer, over HTTP one Mcp-Session-Id): what it declared in initialize, its log
// level and subscriptions, and the requests we sent it that wait for an answer.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "mcp/server/outbox.hpp"

namespace aurite::mcp::detail {

class ServerSession {
 public:
  // `unsolicited` carries what is not part of answering a request (list changes,
  // resource updates): stdout for stdio, the GET stream for HTTP.
  explicit ServerSession(std::shared_ptr<Outbox> unsolicited) : unsolicited_(std::move(unsolicited)) {}

  Outbox& unsolicited() { return *unsolicited_; }

  void set_client(nlohmann::json capabilities, std::string protocol_version);
  nlohmann::json capabilities() const;
  std::string protocol_version() const;

  std::optional<std::string> log_level() const;
  void set_log_level(std::string level);

  void subscribe(const std::string& uri);
  void unsubscribe(const std::string& uri);
  bool subscribed(const std::string& uri) const;

  // A fresh id for a request to the client, registered so its answer is kept.
  std::string open_request();
  // The answer to an opened request (the whole response message), or nullopt after
  // `timeout`; either way the id is forgotten.
  std::optional<nlohmann::json> wait_response(const std::string& id, std::chrono::milliseconds timeout);
  // Hands a response from the client to its waiter. False when no one waits for its id.
  bool deliver(const nlohmann::json& response);
  // The client is gone (its session ended): waiters return at once, unanswered.
  void close();

 private:
  std::shared_ptr<Outbox> unsolicited_;
  mutable std::mutex mutex_;
  std::condition_variable answered_;
  nlohmann::json capabilities_ = nlohmann::json::object();
  std::string protocol_version_;
  std::optional<std::string> log_level_;
  std::set<std::string> subscriptions_;
  std::map<std::string, std::optional<nlohmann::json>> requests_;
  long next_request_id_ = 1;
  bool closed_ = false;
};

// The request a handler runs for: set on the handler's thread while it runs, so the
// server's handler-side calls (log, report_progress, request_client) know where to send.
struct Call {
  std::shared_ptr<ServerSession> session;
  std::shared_ptr<Outbox> outbox;  // where the answer goes
  nlohmann::json id;               // the request's id
  nlohmann::json progress_token;   // null: the client asked for no progress
  nlohmann::json input_responses = nlohmann::json::object();  // a retried request's answers
  std::string request_state;       // what a retried request echoed back
  mutable int client_requests = 0;  // request_client calls in this run of the handler
};

// The Call of the current thread, nullptr outside handlers.
const Call* current_call();

// Makes `call` current for its scope.
class CallScope {
 public:
  explicit CallScope(const Call& call);
  ~CallScope();
  CallScope(const CallScope&) = delete;
  CallScope& operator=(const CallScope&) = delete;

 private:
  const Call* previous_;
};

}  // namespace aurite::mcp::detail
