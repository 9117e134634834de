// telemetry/metrics — counters, gauges and histograms with labels, kept in memory and
// written out in the Prometheus text exposition format (version 0.0.4), which every
// Prometheus-compatible scraper reads.
//
// A family is declared once with its label names; each distinct set of label values is
// one series. Label values must be bounded (names from the project, tools of its servers,
// route templates): never a session id or user text, or the series grow without end.
// Thread-safe; recording takes one short lock and never blocks on anything else.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace aurite::telemetry {

enum class MetricType { kCounter, kGauge, kHistogram };

class MetricsRegistry {
 public:
  // Declares a family; declaring a name again with the same type and labels is a no-op.
  // Throws Error(kInvalidArgument) for a name or label that is not [a-zA-Z_:][a-zA-Z0-9_:]*
  // (labels without ':'), or a name declared before with another type or labels.
  void declare(const std::string& name, MetricType type, const std::string& help,
               std::vector<std::string> label_names, std::vector<double> buckets = {});

  // `values` are in the order of the family's label names. Throws Error(kInvalidArgument)
  // for an undeclared name, a family of another type, or the wrong number of values.
  void add(const std::string& name, const std::vector<std::string>& values, double amount = 1);  // counters
  void set(const std::string& name, const std::vector<std::string>& values, double value);       // gauges
  void observe(const std::string& name, const std::vector<std::string>& values, double value);   // histograms

  // Every family with its series, in the text exposition format.
  std::string render();

 private:
  struct Series {
    double value = 0;                    // counter, gauge; histogram: the sum
    std::vector<std::uint64_t> buckets;  // histogram: observations <= each bound
    std::uint64_t count = 0;             // histogram
  };
  struct Family {
    MetricType type = MetricType::kCounter;
    std::string help;
    std::vector<std::string> label_names;
    std::vector<double> bounds;
    std::map<std::vector<std::string>, Series> series;
  };
  Family& family(const std::string& name, MetricType type, const std::vector<std::string>& values);

  std::mutex mutex_;
  std::map<std::string, Family> families_;
};

// Upper bounds in seconds from 5 ms to 2 minutes: model calls, tool calls, runs, requests.
std::vector<double> latency_buckets();

}  // namespace aurite::telemetry
