#include "api/serve_process.hpp"

#include <algorithm>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include <fmt/format.h>

namespace aurite::testing {

std::string demo_project() {
  return (std::filesystem::path(AURITE_SOURCE_DIR) / "examples/demo/aurite_config.json").string();
}

std::map<std::string, std::string> demo_env() {
  const char* path = std::getenv("PATH");
  return {{"PATH", std::string(AURITE_BINARY_DIR) + "/bin:" + (path != nullptr ? path : "")},
          {"AURITE_PLUGIN_PATH", std::string(AURITE_BINARY_DIR) + "/plugins"},
          {"AURITE_API_KEY", kApiKey},
          {"AURITE_ENABLE_DB", "false"}};
}

ServeProcess::ServeProcess(std::map<std::string, std::string> env, std::string config, std::vector<std::string> args,
                           std::optional<std::string> log_path) {
  std::vector<std::string> argv = {AURITE_CLI_PATH, "serve", "--port", "0", "--config", config};
  argv.insert(argv.end(), args.begin(), args.end());
  child_ = std::make_unique<ChildProcess>(argv, env, log_path);
  const auto line = child_->read_line(std::chrono::seconds(30));
  const std::string prefix = "aurite serve listening on http://127.0.0.1:";
  if (!line || line->rfind(prefix, 0) != 0) {
    throw std::runtime_error("aurite serve did not print its address; got: " + line.value_or("(nothing)"));
  }
  port_ = std::stoi(line->substr(prefix.size()));
  if (std::find(args.begin(), args.end(), "--metrics-port") != args.end()) {
    const auto metrics = child_->read_line(std::chrono::seconds(30));
    const std::string metrics_prefix = "metrics on http://127.0.0.1:";
    if (!metrics || metrics->rfind(metrics_prefix, 0) != 0) {
      throw std::runtime_error("aurite serve did not print its metrics address; got: " + metrics.value_or("(nothing)"));
    }
    metrics_port_ = std::stoi(metrics->substr(metrics_prefix.size()));
  }
}

std::unique_ptr<httplib::Client> ServeProcess::client(bool with_key) const {
  auto client = std::make_unique<httplib::Client>("127.0.0.1", port_);
  client->set_read_timeout(std::chrono::seconds(60));
  if (with_key) client->set_default_headers({{"X-API-Key", kApiKey}});
  return client;
}

httplib::Result ServeProcess::get(const std::string& path) const { return client()->Get(path); }

httplib::Result ServeProcess::post(const std::string& path, const nlohmann::json& body) const {
  return client()->Post(path, body.dump(), "application/json");
}

httplib::Result ServeProcess::put(const std::string& path, const nlohmann::json& body) const {
  return client()->Put(path, body.dump(), "application/json");
}

httplib::Result ServeProcess::del(const std::string& path) const { return client()->Delete(path); }

nlohmann::json json_of(const httplib::Result& result) {
  if (!result) {
    ADD_FAILURE() << "no response: " << httplib::to_string(result.error());
    return nullptr;
  }
  EXPECT_EQ(result->get_header_value("Content-Type"), "application/json") << result->body;
  try {
    return nlohmann::json::parse(result->body);
  } catch (const std::exception& error) {
    ADD_FAILURE() << "not JSON: " << result->body;
    return nullptr;
  }
}

nlohmann::json expect_error(const httplib::Result& result, int status, const std::string& code) {
  if (!result) {
    ADD_FAILURE() << "no response: " << httplib::to_string(result.error());
    return nullptr;
  }
  EXPECT_EQ(result->status, status) << result->body;
  const nlohmann::json body = json_of(result);
  if (!body.is_object() || !body.contains("error")) {
    ADD_FAILURE() << "not the error shape: " << result->body;
    return nullptr;
  }
  const nlohmann::json& error = body["error"];
  EXPECT_EQ(error.value("code", ""), code) << result->body;
  EXPECT_TRUE(error.contains("message") && error["message"].is_string()) << result->body;
  EXPECT_TRUE(error.contains("details") && error["details"].is_array()) << result->body;
  return error;
}

std::string segment(const std::string& text) {
  std::string out;
  for (const unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

std::vector<SseEvent> parse_events(const std::string& body) {
  std::vector<SseEvent> events;
  std::size_t at = 0;
  while (at < body.size()) {
    const auto end = body.find("\n\n", at);
    EXPECT_NE(end, std::string::npos) << "unterminated event at " << at;
    if (end == std::string::npos) break;
    std::string frame = body.substr(at, end - at);
    at = end + 2;
    if (frame.rfind(":", 0) == 0) continue;  // a comment keeping the connection alive
    std::int64_t id = -1;
    if (frame.rfind("id: ", 0) == 0) {
      const auto id_end = frame.find('\n');
      EXPECT_NE(id_end, std::string::npos) << frame;
      if (id_end == std::string::npos) continue;
      id = std::stoll(frame.substr(4, id_end - 4));
      frame = frame.substr(id_end + 1);
    }
    const auto nl = frame.find('\n');
    EXPECT_NE(nl, std::string::npos) << frame;
    if (nl == std::string::npos) continue;
    const std::string first = frame.substr(0, nl);
    const std::string second = frame.substr(nl + 1);
    EXPECT_EQ(first.rfind("event: ", 0), 0u) << frame;
    EXPECT_EQ(second.rfind("data: ", 0), 0u) << frame;
    EXPECT_EQ(second.find('\n'), std::string::npos) << frame;
    events.push_back({first.substr(7), nlohmann::json::parse(second.substr(6)), id});
  }
  return events;
}

}  // namespace aurite::testing
