// mcp/server/http_sessions — the HTTP transport's sessions by Mcp-Session-Id, each with
// its standalone stream, forgotten after a time without use.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "mcp/server/http_streams.hpp"
#include "mcp/server/server_session.hpp"

namespace aurite::mcp::detail {

struct HttpSession {
  std::shared_ptr<ServerSession> session;
  std::shared_ptr<StandaloneOutbox> standalone;
  std::shared_ptr<ResumableStreams> resumable = std::make_shared<ResumableStreams>();
};

class HttpSessionTable {
 public:
  explicit HttpSessionTable(std::chrono::seconds idle_timeout) : idle_timeout_(idle_timeout) {}

  // A new session under a fresh random id.
  std::pair<std::string, HttpSession> create();
  // The session of `id`, marked as used now; nullptr when unknown or expired.
  std::shared_ptr<HttpSession> find(const std::string& id);
  // Forgets `id`; the removed session (nullptr when unknown).
  std::shared_ptr<HttpSession> remove(const std::string& id);
  // Forgets every session (at shutdown); they are returned so their streams can be ended.
  std::vector<std::shared_ptr<HttpSession>> clear();
  // Forgets the sessions idle for longer than the timeout and returns them.
  std::vector<std::shared_ptr<HttpSession>> expire();

 private:
  struct Entry {
    std::shared_ptr<HttpSession> value;
    std::chrono::steady_clock::time_point last_used;
  };
  const std::chrono::seconds idle_timeout_;
  std::mutex mutex_;
  std::map<std::string, Entry> sessions_;
};

}  // namespace aurite::mcp::detail
