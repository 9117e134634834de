// Framework overhead of an agent, beside the raw limits measured in the same run.
//
//  1. Per iteration: an agent whose instant model (a local HTTP server answering at once)
//     always asks for one instant tool (current_time of the example weather server) runs
//     N iterations; overhead = (total - model time - tool time) / N, with history off and
//     with SQLite history on. The raw limit of the history part is two durable single-row
//     INSERTs of the same rows through bare sqlite3 (an iteration stores two turns).
//  2. Start-up: from spawning `aurite run` to the first request reaching the model server,
//     beside the raw limit: spawning a minimal program that only sends that request.
//
//   bench_agent [--iterations N] [--runs R]
#include <httplib.h>
#include <spawn.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "aurite/common/log.hpp"
#include "aurite/config/project_file.hpp"
#include "aurite/host/host_manager.hpp"
#include "aurite/llm/message.hpp"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using Json = nlohmann::json;

double ms_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values.empty() ? 0 : values[values.size() / 2];
}

// Answers every Messages API request at once with a call of current_time.
class InstantModel {
 public:
  InstantModel() {
    const std::string reply =
        Json{{"content", {aurite::llm::tool_use_block("t", "current_time", {{"timezone", "UTC"}})}},
             {"stop_reason", "tool_use"},
             {"usage", {{"input_tokens", 1}, {"output_tokens", 1}}}}
            .dump();
    server_.Post(".*", [this, reply](const httplib::Request&, httplib::Response& response) {
      last_request_ns_ = Clock::now().time_since_epoch().count();
      response.set_content(reply, "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~InstantModel() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int64_t last_request_ns() const { return last_request_ns_; }
  void reset() { last_request_ns_ = 0; }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<int64_t> last_request_ns_{0};
};

fs::path write_project(const fs::path& dir, const std::string& model_url, int iterations) {
  aurite::config::ProjectConfig project;
  aurite::config::ClientConfig weather;
  weather.client_id = "weather";
  weather.command = AURITE_BENCH_WEATHER_SERVER;
  project.clients = {weather};
  aurite::config::LlmConfig llm;
  llm.llm_id = "instant";
  llm.provider = "anthropic";
  llm.model = "instant";
  llm.base_url = model_url;
  llm.api_key_env = "AURITE_BENCH_KEY";
  project.llms = {llm};
  aurite::config::AgentConfig agent;
  agent.name = "bench";
  agent.client_ids = {"weather"};
  agent.llm_config_id = "instant";
  agent.include_history = true;
  agent.max_iterations = iterations;
  agent.exclude_components = {"weather_lookup"};
  project.agents = {agent};
  fs::create_directories(dir);
  const auto file = dir / "aurite_config.json";
  aurite::config::save_project_file(project, file);
  return file;
}

struct Overhead {
  double per_iteration_ms;  // framework time outside the model and tool calls
  double model_ms;          // per iteration: the HTTP call, request and reply JSON included
  double tool_ms;           // per iteration: the MCP call
  int iterations;
};

Overhead agent_overhead(const fs::path& project_file, bool history, const fs::path& db, int runs) {
  aurite::storage::StorageSettings settings;
  settings.enabled = history;
  settings.sqlite_path = db.string();
  auto host = aurite::host::HostManager::open({project_file, aurite::host::ConfigSource::kFile, settings});
  host->execution().run_agent("bench", "warm up", "warm");  // servers started, statements prepared
  std::vector<double> per_iteration, model, tool;
  int iterations = 0;
  for (int r = 0; r < runs; ++r) {
    const auto result = host->execution().run_agent("bench", "go", "s" + std::to_string(r));
    iterations = result.iterations;
    per_iteration.push_back((result.total_ms - result.model_ms - result.tool_ms) / result.iterations);
    model.push_back(result.model_ms / result.iterations);
    tool.push_back(result.tool_ms / result.iterations);
  }
  return {median(per_iteration), median(model), median(tool), iterations};
}

// Two durable single-row INSERTs (the rows an iteration stores) through bare sqlite3,
// at the durability the store uses (WAL, synchronous=FULL), per iteration.
double raw_sqlite_ms(const fs::path& db, int iterations) {
  sqlite3* handle = nullptr;
  sqlite3_open(db.c_str(), &handle);
  sqlite3_exec(handle, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
               "CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, agent TEXT, session TEXT, seq INTEGER, role TEXT, content TEXT)",
               nullptr, nullptr, nullptr);
  sqlite3_stmt* insert = nullptr;
  sqlite3_prepare_v2(handle, "INSERT INTO t (agent, session, seq, role, content) VALUES (?, ?, ?, ?, ?)", -1, &insert, nullptr);
  const std::string content(500, 'x');
  const auto started = Clock::now();
  for (int i = 0; i < 2 * iterations; ++i) {
    sqlite3_bind_text(insert, 1, "bench", -1, SQLITE_STATIC);
    sqlite3_bind_text(insert, 2, "raw", -1, SQLITE_STATIC);
    sqlite3_bind_int(insert, 3, i);
    sqlite3_bind_text(insert, 4, "assistant", -1, SQLITE_STATIC);
    sqlite3_bind_text(insert, 5, content.c_str(), -1, SQLITE_STATIC);
    sqlite3_step(insert);
    sqlite3_reset(insert);
  }
  const double ms = ms_between(started, Clock::now()) / iterations;
  sqlite3_finalize(insert);
  sqlite3_close(handle);
  return ms;
}

pid_t spawn(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = -1;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  return pid;
}

// Milliseconds from spawning `args` to the model server seeing a request (median).
double time_to_first_request(InstantModel& model, const std::vector<std::string>& args, int runs) {
  std::vector<double> samples;
  for (int r = 0; r < runs; ++r) {
    model.reset();
    const auto started = Clock::now();
    const pid_t pid = spawn(args);
    while (model.last_request_ns() == 0 && ms_between(started, Clock::now()) < 10000) {
      std::this_thread::sleep_for(std::chrono::microseconds(100));
    }
    const auto arrived = Clock::time_point(Clock::duration(model.last_request_ns()));
    int status = 0;
    waitpid(pid, &status, 0);
    samples.push_back(ms_between(started, arrived));
  }
  return median(samples);
}

int post_once(const std::string& url) {
  httplib::Client client(url);
  const auto result = client.Post("/v1/messages", "{}", "application/json");
  return result ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  int iterations = 200;
  int runs = 20;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--post") return post_once(argv[i + 1]);  // the raw start-up client
    if (flag == "--iterations") iterations = std::atoi(argv[i + 1]);
    if (flag == "--runs") runs = std::atoi(argv[i + 1]);
  }
  aurite::init_logging("error");
  ::setenv("AURITE_BENCH_KEY", "bench", 1);
  const fs::path dir = fs::temp_directory_path() / ("aurite-bench-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  InstantModel model;
  const auto project = write_project(dir, model.url(), iterations);

  const auto off = agent_overhead(project, false, dir / "unused.db", 5);
  const auto on = agent_overhead(project, true, dir / "history.db", 5);
  const double raw = raw_sqlite_ms(dir / "raw.db", iterations);
  std::printf("agent overhead per iteration (%d iterations, median of 5 runs, excluding model and tool time)\n", on.iterations);
  std::printf("  %-36s %9.3f ms   (model call %.3f ms, tool call %.3f ms per iteration)\n", "history off",
              off.per_iteration_ms, off.model_ms, off.tool_ms);
  std::printf("  %-36s %9.3f ms   raw limit %7.3f ms (2 durable sqlite3 INSERTs)   ratio %5.2fx\n",
              "SQLite history on", on.per_iteration_ms, raw, on.per_iteration_ms / raw);

  const auto project_one = write_project(dir / "startup", model.url(), 1);
  const std::string aurite = AURITE_BENCH_CLI;
  const double startup = time_to_first_request(model, {aurite, "run", "bench", "go", "--config", project_one.string(), "-q"}, runs);
  const double startup_raw = time_to_first_request(model, {argv[0], "--post", model.url()}, runs);
  std::printf("start-up to the first model request (median of %d)\n", runs);
  std::printf("  %-36s %9.3f ms   raw limit %7.3f ms (a minimal program posting once)   ratio %5.2fx\n",
              "aurite run (history off)", startup, startup_raw, startup / startup_raw);
  fs::remove_all(dir);
  return 0;
}
