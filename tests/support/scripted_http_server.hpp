// A real HTTP server on 127.0.0.1 (a free port) that answers POSTs from a script of
// replies, in order, and records every request it got. It stands in for a model
// provider's endpoint: the replies are the provider's real wire format.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace httplib {
class Server;
}

namespace aurite::testing {

struct ScriptedReply {
  int status = 200;
  std::map<std::string, std::string> headers;
  std::string body;                   // sent whole, as application/json
  std::vector<std::string> chunks;    // when set: sent one by one as text/event-stream
  bool hang = false;                  // never answer (until the server stops)
  bool drop_after_chunks = false;     // close the connection mid-stream after the chunks
  // Answered only once this many requests wait for their replies at the same time: a
  // proof that the client sends them concurrently. Not reached within 10 s: 504.
  std::size_t together = 0;
};

struct RecordedRequest {
  std::string path;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
};

class ScriptedHttpServer {
 public:
  ScriptedHttpServer();
  ~ScriptedHttpServer();
  ScriptedHttpServer(const ScriptedHttpServer&) = delete;
  ScriptedHttpServer& operator=(const ScriptedHttpServer&) = delete;

  void push(ScriptedReply reply);
  void push_json(const std::string& body, int status = 200);
  std::string base_url() const;  // "http://127.0.0.1:PORT"
  int port() const { return port_; }
  std::vector<RecordedRequest> requests() const;

 private:
  ScriptedReply next();

  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  mutable std::mutex mutex_;
  std::condition_variable stopping_;
  bool stopped_ = false;
  std::deque<ScriptedReply> script_;
  std::vector<RecordedRequest> requests_;
  std::size_t waiting_ = 0;    // requests held for `together`
  std::size_t released_ = 0;   // of those, how many may still go without waiting
  std::condition_variable gathered_;
};

}  // namespace aurite::testing
