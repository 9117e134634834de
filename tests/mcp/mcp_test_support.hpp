// Helpers shared by the mcp tests: where the servers are, client configurations for
// them, waits with deadlines and a look at our child processes in /proc.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

#include "aurite/config/models.hpp"
#include "support/wait_until.hpp"

namespace aurite::testing {

// The tools our test server always has (before any --tools N generated ones).
inline const std::vector<std::string> kTestServerTools = {
    "echo", "sleep", "crash", "garbage", "huge", "content", "fail", "structured", "env", "pid", "fds",
    "progress", "log", "log_level", "ask_client", "add_tool", "cancelled"};

// Our test server (tests/mcp/servers/test_server.cpp) and the example servers.
std::filesystem::path test_server_path();
std::filesystem::path example_server_path(const std::string& name);

// A client running the test server with `args`; `timeout` seconds per request.
config::ClientConfig test_client(const std::string& client_id, std::vector<std::string> args = {},
                                 double timeout = 10.0);

// The entry point of the npm reference server @modelcontextprotocol/server-everything,
// installed by scripts/fetch-mcp-servers.sh into $AURITE_NPM_DIR (default
// build/npm-cache-dir). Throws, naming the script, when it is not installed: a test
// that needs it fails rather than skips.
std::filesystem::path everything_server_entry();
config::ClientConfig everything_client(const std::string& client_id);

// Our log (the default spdlog logger), captured as "[level] message" lines at debug
// level and up (the last 10000), while this lives. text() may be called while other
// threads log. Create it before the servers whose output it should see, so the logger
// is not swapped under their reader threads.
class CapturedLog {
 public:
  CapturedLog();
  ~CapturedLog();
  CapturedLog(const CapturedLog&) = delete;
  CapturedLog& operator=(const CapturedLog&) = delete;

  std::string text() const;

 private:
  std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> sink_;
  std::shared_ptr<spdlog::logger> previous_;
};

// A JSON-RPC request as a client sends it.
inline nlohmann::json jsonrpc_request(int id, const std::string& method,
                                      nlohmann::json params = nlohmann::json::object()) {
  return {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}};
}

// Processes whose parent is `parent` (default: this process), zombies included, from /proc.
std::vector<pid_t> child_processes(pid_t parent = 0);

}  // namespace aurite::testing
