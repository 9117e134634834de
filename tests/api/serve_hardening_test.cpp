// `aurite serve` as a user meets it: a port already taken, liveness while every run slot
// is busy, a provider's own error, bodies sent by curl without a JSON Content-Type, methods
// a path does not serve, and event streams still open when the shutdown deadline passes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "api/serve_process.hpp"
#include "support/scripted_http_server.hpp"
#include "support/subprocess.hpp"
#include "support/temp_dir.hpp"

namespace aurite::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using namespace std::chrono_literals;

// The demo project whose weather server takes `seconds` to start, so its runs stay in
// flight that long.
std::string slow_demo_project(const TempDir& dir, int seconds) {
  json project = json::parse(std::ifstream(demo_project()));
  project["clients"][0]["command"] = "sh";
  project["clients"][0]["args"] = {"-c", "sleep " + std::to_string(seconds) + "; exec aurite-example-weather-server"};
  return dir.write("slow/aurite_config.json", project.dump(2)).string();
}

TEST(ServeHardening, ASecondServerOnAPortInUseRefusesToStart) {
  ServeProcess first(demo_env());
  const auto second = run_aurite({"serve", "--port", std::to_string(first.port()), "--config", demo_project()},
                                 {demo_env(), {}, std::nullopt, "", 20s});
  EXPECT_EQ(second.exit_code, 2) << second.err;
  EXPECT_THAT(second.err, HasSubstr("address already in use: 127.0.0.1:" + std::to_string(first.port())));
  EXPECT_EQ(first.get("/health")->status, 200);
}

TEST(ServeHardening, HealthIsAnsweredWhileEveryRunSlotIsBusy) {
  TempDir dir;
  ServeProcess server(demo_env(), slow_demo_project(dir, 5), {"--workers", "2"});
  constexpr int kRuns = 12;  // more than the slots, and more than the slots plus one
  std::atomic<int> finished{0};
  std::vector<std::thread> runs;
  for (int i = 0; i < kRuns; ++i) {
    runs.emplace_back([&, i] {
      server.post("/runs", {{"name", "Weather Agent"}, {"message", "run " + std::to_string(i)}});
      ++finished;
    });
  }
  auto health = server.client(false);
  json answer;
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (std::chrono::steady_clock::now() < deadline) {
    const auto h = health->Get("/health");
    ASSERT_TRUE(h);
    answer = json::parse(h->body);
    if (answer["runs_in_flight"] == 2) break;
  }
  // Answered while both slots are taken and before any run could finish.
  EXPECT_EQ(answer["runs_in_flight"], 2) << answer;
  EXPECT_EQ(finished, 0);
  for (auto& run : runs) run.join();
  EXPECT_EQ(finished, kRuns);
}

TEST(ServeHardening, AProviderErrorIs502UpstreamNamingProviderStatusAndMessage) {
  TempDir dir;
  ScriptedHttpServer provider;
  provider.push_json(R"({"type": "error", "error": {"type": "invalid_request_error", "message": "max_tokens: too large"}})",
                     400);
  provider.push_json(R"({"type": "error", "error": {"type": "invalid_request_error", "message": "max_tokens: too large"}})",
                     400);
  const json project = {
      {"llms", {{{"llm_id", "claude"}, {"provider", "anthropic"}, {"model", "claude-test"}, {"base_url", provider.base_url()}}}},
      {"agents", {{{"name", "Claude Agent"}, {"llm_config_id", "claude"}}}}};
  const auto config = dir.write("aurite_config.json", project.dump()).string();
  auto env = demo_env();
  env["ANTHROPIC_API_KEY"] = "sk-test-upstream";
  ServeProcess server(env, config);
  const json error = expect_error(server.post("/runs", {{"name", "Claude Agent"}, {"message", "hi"}}), 502, "upstream_error");
  EXPECT_THAT(error["message"].get<std::string>(), HasSubstr("anthropic: HTTP 400"));
  EXPECT_THAT(error["message"].get<std::string>(), HasSubstr("max_tokens: too large"));

  ProcessOptions options;
  options.env = env;
  const auto cli = run_aurite({"run", "Claude Agent", "hi", "--config", config}, options);
  EXPECT_EQ(cli.exit_code, 1) << cli.err;
  EXPECT_THAT(cli.err, HasSubstr("anthropic: HTTP 400"));
}

TEST(ServeHardening, ABodyIsJsonWhateverItsContentTypeUpToTheLimit) {
  ServeProcess server(demo_env());
  // curl -d sends application/x-www-form-urlencoded: 20 KiB of it runs like JSON.
  const json run = {{"name", "Planner"}, {"message", std::string(20 * 1024, 'x')}};
  const auto form = server.client()->Post("/runs", run.dump(), "application/x-www-form-urlencoded");
  ASSERT_TRUE(form);
  EXPECT_EQ(form->status, 200) << form->body.substr(0, 300);
  const json not_json = expect_error(server.client()->Post("/runs", "name=Planner", "text/plain"), 400, "invalid_argument");
  EXPECT_THAT(not_json["message"].get<std::string>(), HasSubstr("Content-Type: text/plain"));
  const std::string big = json{{"name", "Planner"}, {"message", std::string(1100 * 1024, 'a')}}.dump();
  expect_error(server.client()->Post("/runs", big, "application/x-www-form-urlencoded"), 413, "payload_too_large");
}

TEST(ServeHardening, AMethodAPathDoesNotServeIs405WithAllow) {
  ServeProcess server(demo_env());
  const auto patch = server.client()->Patch("/configs/agents/Planner", R"({"max_iterations": 3})", "application/json");
  expect_error(patch, 405, "method_not_allowed");
  EXPECT_EQ(patch->get_header_value("Allow"), "GET, PUT, DELETE");
  const auto health = server.client()->Delete("/health");
  expect_error(health, 405, "method_not_allowed");
  EXPECT_EQ(health->get_header_value("Allow"), "GET");
  expect_error(server.get("/no/such/route"), 404, "not_found");
}

// Sends `request` on a new connection to 127.0.0.1:port and returns every byte that
// comes back until the server closes it (a raw socket: the stream is cut by design).
std::string exchange_until_closed(int port, const std::string& request) {
  const int sock = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const timeval limit{60, 0};
  ::setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  std::string received;
  if (::connect(sock, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0 &&
      ::send(sock, request.data(), request.size(), 0) == static_cast<ssize_t>(request.size())) {
    char buffer[4096];
    for (ssize_t got; (got = ::recv(sock, buffer, sizeof buffer, 0)) > 0;) received.append(buffer, static_cast<std::size_t>(got));
  }
  ::close(sock);
  return received;
}

TEST(ServeHardening, AStreamOpenAtTheShutdownDeadlineEndsWithAShuttingDownEvent) {
  TempDir dir;
  ServeProcess server(demo_env(), slow_demo_project(dir, 30), {"--shutdown-timeout", "1"});
  const std::string body = json{{"name", "Weather Agent"}, {"message", "slow"}}.dump();
  const std::string request = "POST /runs HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: " + std::string(kApiKey) +
                              "\r\nAccept: text/event-stream\r\nContent-Type: application/json\r\nContent-Length: " +
                              std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
  std::string stream;
  std::thread reader([&] { stream = exchange_until_closed(server.port(), request); });
  // The stream is a run in flight once /health counts it.
  auto health = server.client(false);
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  bool in_flight = false;
  while (!in_flight && std::chrono::steady_clock::now() < deadline) {
    const auto h = health->Get("/health");
    in_flight = h && json::parse(h->body)["runs_in_flight"] == 1;
  }
  ASSERT_TRUE(in_flight);
  server.process().kill(SIGTERM);
  reader.join();
  EXPECT_EQ(server.process().wait_for(30s), std::optional<int>(1));  // it left a run unfinished
  EXPECT_THAT(stream, HasSubstr("event: error\ndata: {\"error\":{\"code\":\"shutting_down\""));
}

}  // namespace
}  // namespace aurite::testing
