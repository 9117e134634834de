// A real Streamable HTTP MCP server on 127.0.0.1 (a free port) that speaks just enough
// of the protocol (initialize, tools/list with one tool `echo`, tools/call) and fails on
// purpose in the ways remote servers do, so the client's handling of each can be seen.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

namespace httplib {
class Server;
}

namespace aurite::testing {

enum class HttpFault {
  kNone,
  kStatus500,          // tools/call answered HTTP 500
  kCutWithoutId,       // tools/call: an event stream that ends before the answer, no event id
  kCutThenResume,      // the same with an event id and retry: the answer comes on the GET that resumes
  kNeverAnswer,        // tools/call: the stream stays open and silent
  kForgetSessionOnce,  // the next request carrying a session id gets 404 (a restarted server)
};

struct HttpSeen {
  std::string method;  // POST, GET, DELETE
  std::string rpc_method;  // of a POSTed message, else empty
  std::string session_id;
  std::string last_event_id;
  std::string authorization;
  std::string protocol_version;
  std::chrono::steady_clock::time_point at;
};

class HttpFaultServer {
 public:
  HttpFaultServer();
  ~HttpFaultServer();
  HttpFaultServer(const HttpFaultServer&) = delete;
  HttpFaultServer& operator=(const HttpFaultServer&) = delete;

  std::string url() const;  // "http://127.0.0.1:PORT/mcp"
  void set_fault(HttpFault fault) { fault_ = fault; }
  // Requests without this Authorization value get 401.
  void require_authorization(std::string value);
  std::vector<HttpSeen> seen() const;
  int initializations() const { return initializations_.load(); }

 private:
  void handle_post(const std::string& body, const HttpSeen& seen, void* response);
  std::string new_session();

  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<HttpFault> fault_{HttpFault::kNone};
  std::atomic<int> initializations_{0};
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;
  std::string authorization_;
  std::vector<std::string> sessions_;
  std::vector<HttpSeen> seen_;
  nlohmann::json parked_answer_;  // what the resuming GET delivers (kCutThenResume)
};

}  // namespace aurite::testing
