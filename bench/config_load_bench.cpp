// Loading a project: parse + validate of a large project file, against the raw limit
// of parsing the same text with nlohmann::json alone.
#include <benchmark/benchmark.h>

#include <nlohmann/json.hpp>

#include "aurite/config/project_file.hpp"
#include "support/ratio_reporter.hpp"

namespace {

// A project with `agents` agents spread over 20 clients and 2 llms, in the style of the
// original files (string-typed numbers and booleans), and a workflow per 10 agents.
std::string make_project(int agents) {
  nlohmann::json project = {{"name", "bench"}};
  for (int c = 0; c < 20; ++c) {
    project["clients"].push_back({{"client_id", "client" + std::to_string(c)},
                                  {"command", "server"},
                                  {"args", {"--id", std::to_string(c)}},
                                  {"timeout", "15"}});
  }
  project["llms"] = {{{"llm_id", "offline"}, {"provider", "test"}},
                     {{"llm_id", "claude"}, {"provider", "anthropic"}, {"model_name", "claude-sonnet-4-5"}}};
  for (int a = 0; a < agents; ++a) {
    project["agents"].push_back({{"name", "agent" + std::to_string(a)},
                                 {"system_prompt", "You are agent number " + std::to_string(a) + "."},
                                 {"client_ids", {"client" + std::to_string(a % 20), "client" + std::to_string((a + 1) % 20)}},
                                 {"llm_config_id", a % 2 == 0 ? "offline" : "claude"},
                                 {"temperature", "0.7"},
                                 {"max_tokens", "4096"},
                                 {"include_history", "True"},
                                 {"exclude_components", {"current_time"}}});
  }
  for (int w = 0; w < agents / 10; ++w) {
    project["workflows"].push_back({{"name", "workflow" + std::to_string(w)},
                                    {"steps", {"agent" + std::to_string(w * 10), "agent" + std::to_string(w * 10 + 1)}}});
  }
  return project.dump(2);
}

void raw(benchmark::State& state, int agents) {
  const std::string text = make_project(agents);
  for (auto _ : state) benchmark::DoNotOptimize(nlohmann::json::parse(text));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}

void parse_and_validate(benchmark::State& state, int agents) {
  const std::string text = make_project(agents);
  for (auto _ : state) benchmark::DoNotOptimize(aurite::config::parse_project_text(text, "bench", "/tmp"));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}

const bool kRegistered = [] {
  for (int agents : {100, 10000}) {
    const std::string group = "config_load/agents:" + std::to_string(agents);
    benchmark::RegisterBenchmark((group + "/raw").c_str(), raw, agents)->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark((group + "/parse_and_validate").c_str(), parse_and_validate, agents)
        ->Unit(benchmark::kMicrosecond);
  }
  return true;
}();

}  // namespace

int main(int argc, char** argv) { return aurite::bench::run_with_ratios(argc, argv); }
