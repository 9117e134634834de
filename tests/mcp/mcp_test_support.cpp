#include "mcp/mcp_test_support.hpp"

#include <unistd.h>

#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "aurite/common/env.hpp"

namespace aurite::testing {

std::filesystem::path test_server_path() { return AURITE_TEST_MCP_SERVER; }

std::filesystem::path example_server_path(const std::string& name) {
  return std::filesystem::path(AURITE_BINARY_DIR) / "bin" / name;
}

config::ClientConfig test_client(const std::string& client_id, std::vector<std::string> args, double timeout) {
  config::ClientConfig client;
  client.client_id = client_id;
  client.command = test_server_path().string();
  client.args = std::move(args);
  client.timeout = timeout;
  return client;
}

std::filesystem::path everything_server_entry() {
  const std::filesystem::path dir = get_env("AURITE_NPM_DIR").value_or(AURITE_DEFAULT_NPM_DIR);
  const auto entry = dir / "node_modules/@modelcontextprotocol/server-everything/dist/index.js";
  if (!std::filesystem::exists(entry)) {
    throw std::runtime_error("@modelcontextprotocol/server-everything is not installed in " + dir.string() +
                             ": run scripts/fetch-mcp-servers.sh " + dir.string() + " first");
  }
  return entry;
}

config::ClientConfig everything_client(const std::string& client_id) {
  config::ClientConfig client;
  client.client_id = client_id;
  client.command = "node";
  client.args = {everything_server_entry().string()};
  client.timeout = 15.0;
  return client;
}

CapturedLog::CapturedLog() : sink_(std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(10000)), previous_(spdlog::default_logger()) {
  auto logger = std::make_shared<spdlog::logger>("captured", sink_);
  logger->set_pattern("[%l] %v");
  logger->set_level(spdlog::level::debug);
  spdlog::set_default_logger(logger);
}

CapturedLog::~CapturedLog() { spdlog::set_default_logger(previous_); }

std::string CapturedLog::text() const {
  std::string out;
  for (const auto& line : sink_->last_formatted()) out += line;
  return out;
}

std::vector<pid_t> child_processes(pid_t parent) {
  std::vector<pid_t> children;
  const pid_t self = parent != 0 ? parent : ::getpid();
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    // pid (comm) state ppid ...: comm may hold spaces, so parse after the last ')'.
    const auto close = line.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(line.substr(close + 1));
    char state = 0;
    pid_t ppid = 0;
    rest >> state >> ppid;
    if (ppid == self) children.push_back(static_cast<pid_t>(std::stol(name)));
  }
  return children;
}

}  // namespace aurite::testing
