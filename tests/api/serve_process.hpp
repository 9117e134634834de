// `aurite serve` started for a test: the demo project, the test model, --port 0, the
// address read from its first line of output; requests go over real HTTP on 127.0.0.1.
#pragma once

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "support/child_process.hpp"

namespace aurite::testing {

inline constexpr const char* kApiKey = "test-key-5f1c";

// The demo project (examples/demo/aurite_config.json).
std::string demo_project();

// PATH with the example servers, the plugin folder, the API key, no database.
std::map<std::string, std::string> demo_env();

class ServeProcess {
 public:
  // Starts `aurite serve --port 0 --config CONFIG ARGS...` with `env` on top of the
  // inherited environment; throws when it does not print its address within 30 s. Its
  // log (stderr) goes to `log_path` when given, else to the test's stderr.
  explicit ServeProcess(std::map<std::string, std::string> env, std::string config = demo_project(),
                        std::vector<std::string> args = {}, std::optional<std::string> log_path = std::nullopt);

  int port() const { return port_; }
  // With --metrics-port in `args`: the port it printed; else -1.
  int metrics_port() const { return metrics_port_; }
  ChildProcess& process() { return *child_; }

  // A client that sends X-API-Key (unless `with_key` is false).
  std::unique_ptr<httplib::Client> client(bool with_key = true) const;

  // Convenience calls with the key; the body is JSON text.
  httplib::Result get(const std::string& path) const;
  httplib::Result post(const std::string& path, const nlohmann::json& body) const;
  httplib::Result put(const std::string& path, const nlohmann::json& body) const;
  httplib::Result del(const std::string& path) const;

 private:
  std::unique_ptr<ChildProcess> child_;
  int port_ = 0;
  int metrics_port_ = -1;
};

// The body of a response as JSON (fails the test on anything else).
nlohmann::json json_of(const httplib::Result& result);

// The status of an answer; -1 when there was none (the connection failed).
inline int status_of(const httplib::Result& result) { return result ? result->status : -1; }

// Asserts the error shape and returns the error object.
nlohmann::json expect_error(const httplib::Result& result, int status, const std::string& code);

struct SseEvent {
  std::string event;
  nlohmann::json data;
  std::int64_t id = -1;  // its `id:` line (the event's seq in its run); -1 without one
};

// Splits a text/event-stream body into events, checking each is an optional `id:` line,
// then exactly one `event:` line and one `data:` line; comment frames are skipped.
std::vector<SseEvent> parse_events(const std::string& body);

// Percent-encodes a path segment ("Weather Agent" -> "Weather%20Agent").
std::string segment(const std::string& text);

}  // namespace aurite::testing
