// `aurite serve` under load, each figure beside the raw storage limit measured in the same
// run on the same database, through bare sqlite3 / libpq:
//
//   turns     GET /sessions/{agent}/{session_id}/turns?limit=50 of a 50-turn session;
//             raw: the same 50 turns read by seq into strings, one connection per thread
//   run       POST /runs of an agent on the `test` model, no tools, history on, a new
//             session per run (the run reads the empty session and stores two turns);
//             raw: that read and the two durable single-row INSERTs (for SQLite, one
//             connection that the threads take turns on, as our backend's calls do)
//   run-nohistory  the same agent with history off: HTTP, JSON and the run alone; no raw
//
// at 1 and 32 concurrent clients, each a keep-alive httplib::Client on its own thread,
// against an ApiServer running in this process (no child process: its start-up and
// scheduling would be noise, and the server code is the same). Clients, server and
// database share this machine's cores. Ours and raw alternate in blocks so that both are
// measured in the same windows of a noisy shared machine.
//
// Usage: bench_api [--quick] [--workers N] [--blocks B] [--seconds S] [--backend sqlite|postgresql]
//   --quick (or AURITE_BENCH_QUICK=1): 2 blocks of 0.3 s, for a smoke run
//   --workers N: the server's worker threads (`aurite serve --workers`) [32]
//   --blocks B, --seconds S: B blocks of S seconds per figure [5, 1.0]
//   --backend: only this one [both]
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <future>
#include <latch>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "aurite/api/server.hpp"
#include "aurite/common/log.hpp"
#include "aurite/host/host_manager.hpp"
#include "aurite/storage/history_admin.hpp"
#include "support/durable_postgres.hpp"
#include "support/raw_history.hpp"
#include "support/raw_turn_page.hpp"
#include "support/temp_dir.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using Json = nlohmann::json;
using aurite::bench::content;

constexpr const char* kReader = "BenchReader";          // owns the 50-turn session
constexpr const char* kSession = "history50";
constexpr const char* kAgent = "BenchAgent";            // history on
constexpr const char* kStateless = "BenchAgentStateless";  // history off
constexpr int kTurns = 50;

struct Options {
  int workers = 32;
  int blocks = 5;
  double seconds = 1.0;
  std::vector<std::string> backends = {"sqlite", "postgresql"};
};

// ---- measuring ------------------------------------------------------------------------

// Latencies (ms) of every request of a figure, over all its blocks, and the wall time the
// blocks took.
struct Series {
  std::vector<double> latencies;
  double seconds = 0;
  long transport_errors = 0;  // requests that got no response (connection dropped); not timed
  double per_second() const { return static_cast<double>(latencies.size()) / seconds; }
};

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const auto index = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1) + 0.5);
  return values[std::min(index, values.size() - 1)];
}

// A request that got no HTTP response at all: counted, not fatal, as a client would retry.
struct TransportError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// One request of one client; made on the client's thread before timing starts, so that
// connecting and warming up are not measured.
using Request = std::function<void()>;
using MakeClient = std::function<Request(int client)>;

// `clients` threads send requests back to back for `seconds`; every latency is kept.
void measure_block(int clients, double seconds, const MakeClient& make_client, Series& into) {
  std::latch ready(clients);
  std::latch go(1);
  Clock::time_point deadline;
  std::vector<std::vector<double>> latencies(static_cast<std::size_t>(clients));
  std::vector<std::string> failures(static_cast<std::size_t>(clients));
  std::atomic<long> transport_errors{0};
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      auto& mine = latencies[static_cast<std::size_t>(c)];
      try {
        Request request;
        try {
          request = make_client(c);
        } catch (...) {
          ready.count_down();
          throw;
        }
        ready.count_down();
        go.wait();
        for (auto now = Clock::now(); now < deadline; now = Clock::now()) {
          try {
            request();
          } catch (const TransportError&) {
            ++transport_errors;
            continue;
          }
          mine.push_back(std::chrono::duration<double, std::milli>(Clock::now() - now).count());
        }
      } catch (const std::exception& e) {
        failures[static_cast<std::size_t>(c)] = e.what();
      }
    });
  }
  ready.wait();
  const auto start = Clock::now();
  deadline = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  go.count_down();
  for (auto& thread : threads) thread.join();
  into.seconds += std::chrono::duration<double>(Clock::now() - start).count();
  into.transport_errors += transport_errors;
  for (const auto& failure : failures) {
    if (!failure.empty()) throw std::runtime_error("a client failed: " + failure);
  }
  for (const auto& mine : latencies) into.latencies.insert(into.latencies.end(), mine.begin(), mine.end());
}

// ---- the server -----------------------------------------------------------------------

std::string project_json() {
  const auto agent = [](const char* name, bool history) {
    return Json{{"name", name},
                {"llm_config_id", "offline"},
                {"system_prompt", "Answer in one sentence."},
                {"include_history", history},
                {"max_iterations", 2}};
  };
  return Json{{"llms", {{{"llm_id", "offline"}, {"provider", "test"}}}},
              {"agents", {agent(kAgent, true), agent(kStateless, false)}}}
      .dump(2);
}

// A HostManager on `url` and an ApiServer serving it on a free port of 127.0.0.1.
class InProcessServer {
 public:
  InProcessServer(const std::filesystem::path& project, const std::string& url, int workers) {
    aurite::storage::StorageSettings settings;
    settings.enabled = true;
    settings.pool_size = 16;  // as in the storage benchmark
    host_ = aurite::host::HostManager::open(
        {project, aurite::host::ConfigSource::kFile, aurite::storage::with_url(settings, url, "bench")});
    aurite::api::ServerOptions options;
    options.port = 0;
    options.workers = workers;
    server_ = std::make_unique<aurite::api::ApiServer>(*host_, options);
    std::promise<int> bound;
    auto port = bound.get_future();
    // bind() and serve() belong to one thread.
    thread_ = std::thread([this, &bound] {
      try {
        bound.set_value(server_->bind());
      } catch (...) {
        bound.set_exception(std::current_exception());
        return;
      }
      server_->serve();
    });
    try {
      port_ = port.get();
    } catch (...) {
      thread_.join();
      throw;
    }
  }
  ~InProcessServer() {
    server_->stop();
    thread_.join();
  }
  InProcessServer(const InProcessServer&) = delete;
  InProcessServer& operator=(const InProcessServer&) = delete;

  int port() const { return port_; }
  aurite::host::HostManager& host() { return *host_; }

 private:
  std::unique_ptr<aurite::host::HostManager> host_;
  std::unique_ptr<aurite::api::ApiServer> server_;
  std::thread thread_;
  int port_ = 0;
};

void seed_history(aurite::host::HostManager& host) {
  std::vector<aurite::storage::TurnRecord> turns;
  for (int seq = 1; seq <= kTurns; ++seq) {
    turns.push_back({kReader, kSession, seq, seq % 2 == 1 ? "user" : "assistant", content(),
                     "2026-01-01T00:00:00.000Z"});
  }
  host.storage()->history_admin()->import_turns(turns);
}

std::unique_ptr<httplib::Client> connect(int port) {
  auto client = std::make_unique<httplib::Client>("127.0.0.1", port);
  client->set_keep_alive(true);
  client->set_read_timeout(60, 0);
  client->set_tcp_nodelay(true);
  return client;
}

const std::string kTurnsPath = std::string("/sessions/") + kReader + "/" + kSession + "/turns?limit=50";

httplib::Result expect_ok(httplib::Result result, const char* what) {
  if (!result) throw TransportError(std::string(what) + ": " + httplib::to_string(result.error()));
  if (result->status != 200) {
    throw std::runtime_error(std::string(what) + ": status " + std::to_string(result->status) + " " + result->body);
  }
  return result;
}

std::string run_body(const char* agent, const std::string& session) {
  return Json{{"name", agent}, {"message", "What should I pack for Paris?"}, {"session_id", session}}.dump();
}

// What the figures are measured on answers as it should: the page holds the 50 turns and
// a run with history stores two.
void check_routes(InProcessServer& server) {
  auto client = connect(server.port());
  const auto page = Json::parse(expect_ok(client->Get(kTurnsPath), "GET turns")->body);
  if (page["turns"].size() != kTurns || !page["next_after_seq"].is_null()) {
    throw std::runtime_error("GET turns did not answer the 50 turns: " + page.dump().substr(0, 300));
  }
  expect_ok(client->Post("/runs", run_body(kAgent, "check"), "application/json"), "POST /runs");
  const auto stored = server.host().storage()->history()->load_history(kAgent, "check", 10);
  if (stored.size() != 2) throw std::runtime_error("a run stored " + std::to_string(stored.size()) + " turns, not 2");
}

// ---- figures --------------------------------------------------------------------------

std::atomic<long> g_session_counter{0};
std::string fresh_session(const char* prefix) { return prefix + std::to_string(++g_session_counter); }

struct Backend {
  std::string name;
  std::string url;
  // The raw limit's connections for one block of `clients` threads.
  std::function<std::unique_ptr<aurite::bench::RawTurnPage>()> raw_page;
  std::function<std::unique_ptr<aurite::bench::RawDb>()> raw_writer;
  bool writers_share_one_connection = false;  // SQLite: one writer at a time, as ours
};

struct Figure {
  std::string name;
  MakeClient ours, raw;  // raw empty: no raw limit
  Series ours_series, raw_series;
};

std::vector<Figure> figures_for(const Backend& backend, int port) {
  std::vector<Figure> figures;
  const auto http = [port](std::function<void(httplib::Client&)> send) -> MakeClient {
    return [port, send](int) -> Request {
      std::shared_ptr<httplib::Client> client = connect(port);
      expect_ok(client->Get("/health"), "warm-up");  // the connection is open before timing
      return [client, send] { send(*client); };
    };
  };
  Figure turns{"turns", http([](httplib::Client& c) { expect_ok(c.Get(kTurnsPath), "GET turns"); }), nullptr, {}, {}};
  turns.raw = [&backend](int) -> Request {
    std::shared_ptr<aurite::bench::RawTurnPage> raw = backend.raw_page();
    return [raw] {
      if (raw->read(kReader, kSession, 0, kTurns) != kTurns) throw std::runtime_error("raw page: not 50 turns");
    };
  };
  figures.push_back(std::move(turns));

  Figure run{"run", http([](httplib::Client& c) {
               expect_ok(c.Post("/runs", run_body(kAgent, fresh_session("run")), "application/json"), "POST /runs");
             }),
             nullptr, {}, {}};
  // What a run does to the store: read the (empty) session, then two durable appends.
  auto shared_writer = std::make_shared<std::shared_ptr<aurite::bench::RawDb>>();
  auto shared_mutex = std::make_shared<std::mutex>();
  run.raw = [&backend, shared_writer, shared_mutex](int) -> Request {
    std::shared_ptr<aurite::bench::RawDb> raw;
    std::shared_ptr<std::mutex> lock;
    if (backend.writers_share_one_connection) {
      std::lock_guard guard(*shared_mutex);
      if (!*shared_writer) *shared_writer = backend.raw_writer();
      raw = *shared_writer;
      lock = shared_mutex;
    } else {
      raw = backend.raw_writer();
    }
    return [raw, lock] {
      const std::string session = fresh_session("raw");
      const auto locked = [&lock](const std::function<void()>& call) {
        if (!lock) return call();
        std::lock_guard guard(*lock);
        call();
      };
      locked([&] { raw->select_last_50(kAgent, session); });
      locked([&] { raw->insert(kAgent, session, 1); });
      locked([&] { raw->insert(kAgent, session, 2); });
    };
  };
  figures.push_back(std::move(run));

  figures.push_back({"run-nohistory", http([](httplib::Client& c) {
                       expect_ok(c.Post("/runs", run_body(kStateless, "stateless"), "application/json"), "POST /runs");
                     }),
                     nullptr, {}, {}});
  return figures;
}

void report(const std::string& backend, int clients, const Figure& figure) {
  const Series& ours = figure.ours_series;
  const Series& raw = figure.raw_series;
  const double p50 = percentile(ours.latencies, 0.5), p99 = percentile(ours.latencies, 0.99);
  char raw_rate[16] = "-", rate_ratio[16] = "-", raw_p50[16] = "-", p50_ratio[16] = "-", raw_p99[16] = "-",
       p99_ratio[16] = "-";
  if (figure.raw) {
    const double r50 = percentile(raw.latencies, 0.5), r99 = percentile(raw.latencies, 0.99);
    std::snprintf(raw_rate, sizeof raw_rate, "%.0f", raw.per_second());
    std::snprintf(rate_ratio, sizeof rate_ratio, "%.3fx", ours.per_second() / raw.per_second());
    std::snprintf(raw_p50, sizeof raw_p50, "%.3f", r50);
    std::snprintf(p50_ratio, sizeof p50_ratio, "%.1fx", p50 / r50);
    std::snprintf(raw_p99, sizeof raw_p99, "%.3f", r99);
    std::snprintf(p99_ratio, sizeof p99_ratio, "%.1fx", p99 / r99);
  }
  std::printf("%-10s %-14s %4d %10.0f %10s %8s %8.3f %8s %8s %8.3f %8s %8s %6ld\n", backend.c_str(),
              figure.name.c_str(), clients, ours.per_second(), raw_rate, rate_ratio, p50, raw_p50, p50_ratio, p99,
              raw_p99, p99_ratio, ours.transport_errors);
  std::fflush(stdout);
}

void run_backend(const Backend& backend, const std::filesystem::path& project, const Options& options) {
  InProcessServer server(project, backend.url, options.workers);
  seed_history(server.host());
  check_routes(server);
  backend.raw_writer();  // creates the raw table once, before threads race to
  for (const int clients : {1, 32}) {
    auto figures = figures_for(backend, server.port());
    // Every block runs each figure once (ours, then its raw limit), starting from a
    // different figure each block, so a burst of noise falls on all of them alike.
    for (int block = 0; block < options.blocks; ++block) {
      for (std::size_t k = 0; k < figures.size(); ++k) {
        Figure& figure = figures[(static_cast<std::size_t>(block) + k) % figures.size()];
        measure_block(clients, options.seconds, figure.ours, figure.ours_series);
        if (figure.raw) measure_block(clients, options.seconds, figure.raw, figure.raw_series);
      }
    }
    for (const auto& figure : figures) report(backend.name, clients, figure);
  }
}

bool flag(int argc, char** argv, const char* name) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], name) == 0) return true;
  }
  return false;
}

const char* value_of(int argc, char** argv, const char* name) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], name) == 0) return argv[i + 1];
  }
  return nullptr;
}

template <typename T>
T number_of(const char* flag_name, const char* text, T (*convert)(const std::string&, std::size_t*)) {
  try {
    std::size_t used = 0;
    const T value = convert(text, &used);
    if (used == std::strlen(text)) return value;
  } catch (const std::exception&) {
  }
  throw std::invalid_argument(std::string(flag_name) + ": '" + text + "' is not a number");
}

int to_int(const std::string& text, std::size_t* used) { return std::stoi(text, used); }
double to_double(const std::string& text, std::size_t* used) { return std::stod(text, used); }

Options parse_options(int argc, char** argv) {
  Options options;
  const char* quick_env = std::getenv("AURITE_BENCH_QUICK");
  if (flag(argc, argv, "--quick") || (quick_env != nullptr && *quick_env != '\0' && std::strcmp(quick_env, "0") != 0)) {
    options.blocks = 2;
    options.seconds = 0.3;
  }
  if (const char* v = value_of(argc, argv, "--workers")) options.workers = number_of("--workers", v, to_int);
  if (const char* v = value_of(argc, argv, "--blocks")) options.blocks = number_of("--blocks", v, to_int);
  if (const char* v = value_of(argc, argv, "--seconds")) options.seconds = number_of("--seconds", v, to_double);
  if (const char* v = value_of(argc, argv, "--backend")) {
    if (std::strcmp(v, "sqlite") != 0 && std::strcmp(v, "postgresql") != 0) {
      throw std::invalid_argument(std::string("--backend: expected sqlite or postgresql, got '") + v + "'");
    }
    options.backends = {v};
  }
  if (options.blocks < 1 || options.seconds <= 0) throw std::invalid_argument("--blocks and --seconds must be positive");
  return options;
}

}  // namespace

int main(int argc, char** argv) {
  aurite::init_logging("warn");
  try {
    const Options options = parse_options(argc, argv);
    std::printf("server workers: %d; %d blocks of %.1f s per figure; latencies in ms\n\n", options.workers,
                options.blocks, options.seconds);
    std::printf("%-10s %-14s %4s %10s %10s %8s %8s %8s %8s %8s %8s %8s %6s\n", "backend", "figure", "clis", "req/s",
                "raw req/s", "ratio", "p50", "raw p50", "ratio", "p99", "raw p99", "ratio", "errors");
    aurite::testing::TempDir dir;
    const auto project = dir / "aurite_config.json";
    std::ofstream(project) << project_json();
    for (const auto& name : options.backends) {
      if (name == "sqlite") {
        const std::string path = (dir / "bench.db").string();
        Backend sqlite{"sqlite", "sqlite://" + path,
                       [path] { return std::make_unique<aurite::bench::RawSqlitePage>(path); },
                       [path] { return std::make_unique<aurite::bench::RawSqlite>(path); }, true};
        run_backend(sqlite, project, options);
      } else {
        aurite::bench::DurablePostgres postgres;
        postgres.create_database("bench_api");
        const std::string url = postgres.url("bench_api");
        Backend pg{"postgresql", url, [url] { return std::make_unique<aurite::bench::RawPgPage>(url); },
                   [url] { return std::make_unique<aurite::bench::RawPg>(url); }, false};
        run_backend(pg, project, options);
      }
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "benchmark failed: %s\n", e.what());
    return 1;
  }
  return 0;
}
