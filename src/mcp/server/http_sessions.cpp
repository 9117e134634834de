// mcp/server/http_sessions — the session table of the HTTP transport.
#include "mcp/server/http_sessions.hpp"

#include "mcp/server/http_guard.hpp"

namespace aurite::mcp::detail {

std::pair<std::string, HttpSession> HttpSessionTable::create() {
  auto standalone = std::make_shared<StandaloneOutbox>();
  HttpSession created{std::make_shared<ServerSession>(standalone), standalone, std::make_shared<ResumableStreams>()};
  std::string id = random_token();
  std::lock_guard lock(mutex_);
  sessions_[id] = {std::make_shared<HttpSession>(created), std::chrono::steady_clock::now()};
  return {id, created};
}

std::shared_ptr<HttpSession> HttpSessionTable::find(const std::string& id) {
  std::lock_guard lock(mutex_);
  const auto it = sessions_.find(id);
  if (it == sessions_.end()) return nullptr;
  const auto now = std::chrono::steady_clock::now();
  if (now - it->second.last_used > idle_timeout_) return nullptr;  // expire() will end it
  it->second.last_used = now;
  return it->second.value;
}

std::shared_ptr<HttpSession> HttpSessionTable::remove(const std::string& id) {
  std::lock_guard lock(mutex_);
  const auto it = sessions_.find(id);
  if (it == sessions_.end()) return nullptr;
  auto removed = std::move(it->second.value);
  sessions_.erase(it);
  return removed;
}

std::vector<std::shared_ptr<HttpSession>> HttpSessionTable::clear() {
  std::lock_guard lock(mutex_);
  std::vector<std::shared_ptr<HttpSession>> out;
  for (auto& [id, entry] : sessions_) out.push_back(std::move(entry.value));
  sessions_.clear();
  return out;
}

std::vector<std::shared_ptr<HttpSession>> HttpSessionTable::expire() {
  std::lock_guard lock(mutex_);
  std::vector<std::shared_ptr<HttpSession>> out;
  const auto now = std::chrono::steady_clock::now();
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    if (now - it->second.last_used > idle_timeout_) {
      out.push_back(std::move(it->second.value));
      it = sessions_.erase(it);
    } else {
      ++it;
    }
  }
  return out;
}

}  // namespace aurite::mcp::detail
