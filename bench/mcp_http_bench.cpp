// A tool call over Streamable HTTP against the example weather server (`--http`), through
// the MCP host (McpHost::call_tool: JSON-RPC, the transport, result decoding), against
// the raw limit: the same tools/call POST sent by a bare HTTP client (cpp-httplib) on a
// kept-alive connection, its answer read whole and parsed.
#include <benchmark/benchmark.h>
#include <httplib.h>

#include <sys/wait.h>
#include <signal.h>
#include <spawn.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "aurite/mcp/mcp_host.hpp"
#include "support/ratio_reporter.hpp"

extern char** environ;

namespace {

using Json = nlohmann::json;

// The weather server on a port of its own for the whole run.
class WeatherServer {
 public:
  WeatherServer() {
    port_ = 20000 + static_cast<int>(::getpid() % 20000);
    const std::string address = "127.0.0.1:" + std::to_string(port_);
    std::vector<std::string> args = {AURITE_BENCH_WEATHER_SERVER, "--http", address};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, argv[0], nullptr, nullptr, argv.data(), environ) != 0) {
      throw std::runtime_error("cannot start the weather server");
    }
    httplib::Client probe("127.0.0.1", port_);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!probe.Get("/mcp")) {
      if (std::chrono::steady_clock::now() > deadline) throw std::runtime_error("the weather server did not listen");
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  ~WeatherServer() {
    ::kill(pid_, SIGTERM);
    ::waitpid(pid_, nullptr, 0);
  }
  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/mcp"; }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
};

WeatherServer& server() {
  static WeatherServer instance;
  return instance;
}

const Json kArguments = {{"location", "Lisbon"}, {"units", "metric"}};

void raw(benchmark::State& state) {
  httplib::Client client("127.0.0.1", server().port());
  client.set_keep_alive(true);
  // Without it the request's two writes meet the server's delayed ACK: 40 ms a call.
  client.set_tcp_nodelay(true);
  const httplib::Headers accept = {{"Accept", "application/json, text/event-stream"}};
  const Json initialize = {{"jsonrpc", "2.0"}, {"id", 1}, {"method", "initialize"},
                           {"params", {{"protocolVersion", "2025-11-25"}, {"capabilities", Json::object()},
                                       {"clientInfo", {{"name", "raw"}, {"version", "1"}}}}}};
  const auto opened = client.Post("/mcp", accept, initialize.dump(), "application/json");
  if (!opened || opened->status != 200) throw std::runtime_error("raw initialize failed");
  httplib::Headers headers = accept;
  headers.emplace("Mcp-Session-Id", opened->get_header_value("Mcp-Session-Id"));
  headers.emplace("MCP-Protocol-Version", "2025-11-25");
  client.Post("/mcp", headers, R"({"jsonrpc":"2.0","method":"notifications/initialized"})", "application/json");
  std::int64_t id = 2;
  for (auto _ : state) {
    const Json call = {{"jsonrpc", "2.0"}, {"id", id++}, {"method", "tools/call"},
                       {"params", {{"name", "weather_lookup"}, {"arguments", kArguments}}}};
    const auto answer = client.Post("/mcp", headers, call.dump(), "application/json");
    if (!answer || answer->status != 200) throw std::runtime_error("raw tools/call failed");
    // An SSE answer carries the JSON after "data: ": parse what a client would.
    const std::string& body = answer->body;
    const auto data = body.find("data: ");
    benchmark::DoNotOptimize(Json::parse(data == std::string::npos ? body : body.substr(data + 6, body.find('\n', data) - data - 6)));
  }
}

void host(benchmark::State& state) {
  aurite::config::ClientConfig client;
  client.client_id = "weather";
  client.url = server().url();
  aurite::mcp::McpHost mcp({client}, std::filesystem::path());
  mcp.start();
  for (auto _ : state) {
    const auto result = mcp.call_tool("weather_lookup", kArguments);
    if (result.is_error) throw std::runtime_error(result.text());
    benchmark::DoNotOptimize(result);
  }
}

// The ratio reporter compares wall-clock time, which is what a call costs here.
const bool kRegistered = [] {
  benchmark::RegisterBenchmark("mcp_http_tool_call/raw", raw)->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("mcp_http_tool_call/host", host)->Unit(benchmark::kMicrosecond);
  return true;
}();

}  // namespace

int main(int argc, char** argv) { return aurite::bench::run_with_ratios(argc, argv); }
