// The history and config store on SQLite and PostgreSQL, each figure beside the raw limit
// measured in the same run on the same database: the same single-row INSERT of the same
// ~500-byte JSON row through bare sqlite3 / libpq at the same durability and concurrency,
// and the same `SELECT ... ORDER BY seq DESC LIMIT 50`.
//
//   W1  one session, turns appended one by one, each committed durably
//   W2  16 sessions x N turns, 16 concurrent writers
//   W3  last 50 turns of a 100-turn and of a 20,000-turn session in a 200,000-turn table
//   W5  sync of 10,000 agent configs, then an unchanged re-sync (rows written must be 0)
//
// Usage: bench_storage [--quick] [--diagnose]
//   --quick (or AURITE_BENCH_QUICK=1): smaller sizes, for a smoke run
//   --diagnose: W1 once more on SQLite without the full-text index (row marked *), to show
//               what that index costs an append (PostgreSQL's is off the append path)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "aurite/common/log.hpp"
#include "aurite/storage/storage_manager.hpp"
#include "support/durable_postgres.hpp"
#include "support/raw_history.hpp"
#include "support/temp_dir.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using aurite::storage::StorageManager;
using aurite::bench::content;
using aurite::bench::RawDb;
using aurite::bench::RawPg;
using aurite::bench::RawSqlite;
using aurite::bench::SharedRawSqlite;

struct Sizes {
  int w1_turns = 2000;
  int w2_writers = 16;
  int w2_turns = 500;
  int w3_small = 100;
  int w3_large = 20000;
  int w3_total = 200000;
  int w3_loads = 200;
  int w5_agents = 10000;
};

Sizes quick_sizes() { return {200, 16, 50, 100, 2000, 20000, 50, 1000}; }

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// ---- report ---------------------------------------------------------------------------

struct Line {
  std::string backend, workload, figure;
  double ours = 0, raw = 0;  // raw 0: no raw limit for this figure
  std::string ratio_text, target;
  bool met = true;
};
std::vector<Line> g_lines;

void report(Line line) {
  std::printf("%-10s %-4s %-42s %12.2f %12.2f  %-8s %-26s %s\n", line.backend.c_str(), line.workload.c_str(),
              line.figure.c_str(), line.ours, line.raw, line.ratio_text.c_str(), line.target.c_str(),
              line.met ? "met" : "NOT MET");
  std::fflush(stdout);
  g_lines.push_back(std::move(line));
}

std::string ratio(double r) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2fx", r);
  return text;
}

double percentile(std::vector<double> values, double p) {
  std::sort(values.begin(), values.end());
  const auto index = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1) + 0.5);
  return values[std::min(index, values.size() - 1)];
}

// ---- workloads ------------------------------------------------------------------------

struct Target {
  std::string name;   // "sqlite" / "postgresql"
  std::string url;    // our database
  std::function<std::unique_ptr<RawDb>()> raw;         // a new raw connection
  std::function<std::unique_ptr<RawDb>()> raw_shared;  // for concurrent writers
};

std::unique_ptr<StorageManager> open(const std::string& url) {
  aurite::storage::StorageSettings settings;
  settings.enabled = true;
  settings.pool_size = 16;
  return StorageManager::open(aurite::storage::with_url(settings, url, "bench"));
}

// Ours and the raw limit alternate in blocks, each block timed on its own: the disk of a
// shared machine changes its fsync latency many times over within a minute, and only
// measurements taken in the same windows can be compared.
constexpr int kBlocks = 10;

void w1(const Target& t, StorageManager& db, const Sizes& s) {
  auto& history = *db.history();
  auto raw = t.raw();
  const int per_block = s.w1_turns / kBlocks;
  double ours_s = 0, raw_s = 0;
  std::int64_t raw_seq = 0;
  for (int block = 0; block < kBlocks; ++block) {
    auto start = Clock::now();
    for (int i = 0; i < per_block; ++i) history.append_turn("w1", "s", "user", content());
    ours_s += seconds_since(start);
    start = Clock::now();
    for (int i = 0; i < per_block; ++i) raw->insert("w1", "s", ++raw_seq);
    raw_s += seconds_since(start);
  }
  const double ours = per_block * kBlocks / ours_s;
  const double limit = per_block * kBlocks / raw_s;
  report({t.name, "W1", "turns/s, 1 writer, each commit durable", ours, limit, ratio(ours / limit), ">= 0.80x raw",
          ours / limit >= 0.8});
}

void w2(const Target& t, StorageManager& db, const Sizes& s) {
  auto& history = *db.history();
  std::vector<std::unique_ptr<RawDb>> raws;
  for (int w = 0; w < s.w2_writers; ++w) raws.push_back(t.raw_shared());
  const int per_block = s.w2_turns / kBlocks;
  const auto run_writers = [&](const std::function<void(int)>& writer) {
    std::vector<std::thread> threads;
    const auto start = Clock::now();
    for (int w = 0; w < s.w2_writers; ++w) threads.emplace_back(writer, w);
    for (auto& thread : threads) thread.join();
    return seconds_since(start);
  };
  double ours_s = 0, raw_s = 0;
  for (int block = 0; block < kBlocks; ++block) {
    ours_s += run_writers([&](int w) {
      const std::string session = "s" + std::to_string(w);
      for (int i = 0; i < per_block; ++i) history.append_turn("w2", session, "user", content());
    });
    raw_s += run_writers([&](int w) {
      const std::string session = "s" + std::to_string(w);
      for (int i = 1; i <= per_block; ++i) {
        raws[static_cast<std::size_t>(w)]->insert("w2", session, static_cast<std::int64_t>(block) * per_block + i);
      }
    });
  }
  const double total = static_cast<double>(s.w2_writers) * per_block * kBlocks;
  const double ours = total / ours_s;
  const double limit = total / raw_s;
  report({t.name, "W2", "turns/s, " + std::to_string(s.w2_writers) + " concurrent writers", ours, limit,
          ratio(ours / limit), ">= 0.80x raw", ours / limit >= 0.8});
}

void fill_w3(StorageManager& db, const Sizes& s) {
  auto& admin = *db.history_admin();
  std::vector<aurite::storage::TurnRecord> batch;
  const auto add_session = [&](const std::string& session, int turns) {
    for (int seq = 1; seq <= turns; ++seq) {
      batch.push_back({"w3", session, seq, seq % 2 == 1 ? "user" : "assistant", content(), "2026-01-01T00:00:00.000Z"});
      if (batch.size() == 5000) {
        admin.import_turns(batch);
        batch.clear();
      }
    }
  };
  add_session("small", s.w3_small);
  add_session("large", s.w3_large);
  int filled = s.w3_small + s.w3_large;
  for (int f = 0; filled < s.w3_total; ++f) {
    const int turns = std::min(100, s.w3_total - filled);
    add_session("filler" + std::to_string(f), turns);
    filled += turns;
  }
  if (!batch.empty()) admin.import_turns(batch);
}

void w3(const Target& t, StorageManager& db, const Sizes& s) {
  const auto fill_start = Clock::now();
  fill_w3(db, s);
  t.raw()->analyze();  // both read this table: the same statistics for ours and the raw limit
  std::printf("%-10s W3   filled %d turns in %.1f s\n", t.name.c_str(), s.w3_total, seconds_since(fill_start));
  auto& history = *db.history();
  auto raw = t.raw();
  for (int warm = 0; warm < 10; ++warm) {
    history.load_history("w3", "small", 50);
    history.load_history("w3", "large", 50);
    raw->select_last_50("w3", "large");
    raw->select_last_50("w3", "small");
  }
  // Interleaved, so that a burst of noise on this shared machine falls on all four alike,
  // and in a rotating order, so that none always reads right after another warmed the
  // same pages (the page cache of a busy machine is not ours to keep).
  std::vector<double> small, large, raw_large, raw_small;
  const std::vector<std::pair<std::vector<double>*, std::function<void()>>> loads = {
      {&small, [&] { history.load_history("w3", "small", 50); }},
      {&large, [&] { history.load_history("w3", "large", 50); }},
      {&raw_large, [&] { raw->select_last_50("w3", "large"); }},
      {&raw_small, [&] { raw->select_last_50("w3", "small"); }},
  };
  for (int i = 0; i < s.w3_loads; ++i) {
    for (std::size_t k = 0; k < loads.size(); ++k) {
      const auto& [into, load] = loads[(static_cast<std::size_t>(i) + k) % loads.size()];
      const auto start = Clock::now();
      load();
      into->push_back(seconds_since(start) * 1000.0);
    }
  }
  const std::string large_name = std::to_string(s.w3_large) + "-turn";
  const std::string small_name = std::to_string(s.w3_small) + "-turn";
  report({t.name, "W3", "median ms, last 50 of " + small_name, percentile(small, 0.5), percentile(raw_small, 0.5),
          ratio(percentile(small, 0.5) / percentile(raw_small, 0.5)), "(figure)", true});
  report({t.name, "W3", "p99 ms, last 50 of " + small_name, percentile(small, 0.99), percentile(raw_small, 0.99),
          ratio(percentile(small, 0.99) / percentile(raw_small, 0.99)), "(figure)", true});
  report({t.name, "W3", "median ms, last 50 of " + large_name, percentile(large, 0.5), percentile(raw_large, 0.5),
          ratio(percentile(large, 0.5) / percentile(raw_large, 0.5)), "(figure)", true});
  const double p99_large = percentile(large, 0.99);
  const double p99_vs_raw = p99_large / percentile(raw_large, 0.99);
  report({t.name, "W3", "p99 ms, last 50 of " + large_name, p99_large, percentile(raw_large, 0.99), ratio(p99_vs_raw),
          "<= 1.50x raw", p99_vs_raw <= 1.5});
  const double vs_small = p99_large / percentile(small, 0.99);
  report({t.name, "W3", "p99 " + large_name + " / p99 " + small_name, p99_large, percentile(small, 0.99),
          ratio(vs_small), "<= 1.50x", vs_small <= 1.5});
}

void w5(const Target& t, StorageManager& db, const Sizes& s) {
  aurite::config::ProjectConfig project;
  aurite::config::LlmConfig offline;
  offline.llm_id = "offline";
  offline.provider = "test";
  project.llms.push_back(offline);
  for (int a = 0; a < s.w5_agents; ++a) {
    aurite::config::AgentConfig agent;
    agent.name = "agent" + std::to_string(a);
    agent.system_prompt = "You are agent number " + std::to_string(a) + ".";
    agent.llm_config_id = "offline";
    agent.temperature = 0.7;
    agent.include_history = a % 2 == 0;
    project.agents.push_back(std::move(agent));
  }
  auto& store = *db.configs();
  auto start = Clock::now();
  const auto first = store.sync_configs(project, false);
  const double first_s = seconds_since(start);
  start = Clock::now();
  const auto again = store.sync_configs(project, false);
  const double again_s = seconds_since(start);
  const auto written = again.inserted + again.updated + again.deleted;
  const std::string agents = std::to_string(s.w5_agents);
  report({t.name, "W5", "s, first sync of " + agents + " agents (" + std::to_string(first.inserted) + " rows)",
          first_s, 0, "-", "< 1 s", first_s < 1.0});
  report({t.name, "W5", "s, unchanged re-sync", again_s, 0, "-", "< 1 s", again_s < 1.0});
  report({t.name, "W5", "rows written by the unchanged re-sync", static_cast<double>(written), 0, "-", "= 0",
          written == 0});
}

}  // namespace

int main(int argc, char** argv) {
  aurite::init_logging("warn");
  Sizes sizes;
  const char* quick_env = std::getenv("AURITE_BENCH_QUICK");
  bool quick = quick_env != nullptr && std::strcmp(quick_env, "0") != 0 && *quick_env != '\0';
  bool diagnose = false;  // --diagnose: W1 again without the full-text index, to show its cost
  for (int i = 1; i < argc; ++i) {
    quick = quick || std::strcmp(argv[i], "--quick") == 0;
    diagnose = diagnose || std::strcmp(argv[i], "--diagnose") == 0;
  }
  if (quick) sizes = quick_sizes();

  std::printf("%-10s %-4s %-42s %12s %12s  %-8s %-26s %s\n", "backend", "work", "figure", "ours", "raw limit",
              "ratio", "target", "");
  try {
    aurite::testing::TempDir dir;
    const std::string sqlite_path = (dir / "bench.db").string();
    const std::string sqlite_w3 = (dir / "bench.db_w3").string();
    RawSqlite* shared_raw = nullptr;
    std::unique_ptr<RawSqlite> shared_owner;
    Target sqlite{"sqlite", "sqlite://" + sqlite_path, nullptr, nullptr};
    std::string raw_path = sqlite_path;
    sqlite.raw = [&raw_path] { return std::unique_ptr<RawDb>(std::make_unique<RawSqlite>(raw_path)); };
    sqlite.raw_shared = [&] {
      if (!shared_owner) {
        shared_owner = std::make_unique<RawSqlite>(raw_path);
        shared_raw = shared_owner.get();
      }
      return std::unique_ptr<RawDb>(std::make_unique<SharedRawSqlite>(*shared_raw));
    };
    {
      auto db = open(sqlite.url);
      w1(sqlite, *db, sizes);
      w2(sqlite, *db, sizes);
      w5(sqlite, *db, sizes);
    }
    shared_owner.reset();
    raw_path = sqlite_w3;
    {
      auto db = open("sqlite://" + sqlite_w3);
      w3(sqlite, *db, sizes);
    }
    if (diagnose) {
      // A plain table in place of the FTS5 one: append still fills it, nothing is indexed.
      const std::string path = (dir / "diagnose.db").string();
      auto db = open("sqlite://" + path);
      raw_path = path;
      RawSqlite(path).exec_sql("DROP TABLE agent_history_fts");
      RawSqlite(path).exec_sql(
          "CREATE TABLE agent_history_fts (text TEXT, agent_name TEXT, session_id TEXT, seq INTEGER)");
      w1({"sqlite*", "", sqlite.raw, sqlite.raw_shared}, *db, sizes);
    }

    aurite::bench::DurablePostgres server;
    server.create_database("bench");
    server.create_database("bench_w3");
    Target pg{"postgresql", server.url("bench"), nullptr, nullptr};
    std::string pg_raw_url = server.url("bench");
    pg.raw = [&pg_raw_url] { return std::unique_ptr<RawDb>(std::make_unique<RawPg>(pg_raw_url)); };
    pg.raw_shared = pg.raw;
    {
      auto db = open(pg.url);
      w1(pg, *db, sizes);
      w2(pg, *db, sizes);
      w5(pg, *db, sizes);
    }
    pg_raw_url = server.url("bench_w3");
    {
      auto db = open(server.url("bench_w3"));
      w3(pg, *db, sizes);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "benchmark failed: %s\n", e.what());
    return 1;
  }
  int not_met = 0;
  for (const auto& line : g_lines) not_met += line.met ? 0 : 1;
  std::printf("\n%d targets not met\n", not_met);
  return 0;
}
