#include "support/ratio_reporter.hpp"

#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

namespace aurite::bench {
namespace {

// "config_load/agents:2000/raw" -> {"config_load/agents:2000", "raw"}
std::pair<std::string, std::string> split_name(const std::string& name) {
  const auto slash = name.rfind('/');
  if (slash == std::string::npos) return {name, ""};
  return {name.substr(0, slash), name.substr(slash + 1)};
}

class RatioReporter : public benchmark::ConsoleReporter {
 public:
  RatioReporter() : ConsoleReporter(OO_Tabular) {}  // no colour codes: output goes to docs

  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const auto& run : runs) {
      if (run.run_type != Run::RT_Iteration || run.error_occurred) continue;
      times_.push_back({run.benchmark_name(), run.GetAdjustedRealTime()});
    }
  }

  void Finalize() override {
    ConsoleReporter::Finalize();
    std::map<std::string, double> raw;
    for (const auto& [name, time] : times_) {
      const auto [group, variant] = split_name(name);
      if (variant == "raw") raw[group] = time;
    }
    std::printf("\n%-48s %14s %14s %8s\n", "benchmark", "time", "raw limit", "ratio");
    for (const auto& [name, time] : times_) {
      const auto [group, variant] = split_name(name);
      if (variant == "raw" || raw.count(group) == 0) continue;
      std::printf("%-48s %14.1f %14.1f %7.2fx\n", name.c_str(), time, raw[group], time / raw[group]);
    }
  }

 private:
  std::vector<std::pair<std::string, double>> times_;
};

}  // namespace

int run_with_ratios(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}

}  // namespace aurite::bench
