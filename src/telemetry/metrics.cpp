#include "aurite/telemetry/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

#include "aurite/common/error.hpp"

namespace aurite::telemetry {
namespace {

bool valid_name(const std::string& name, bool allow_colon) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (allow_colon && c == ':');
    if (!letter && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

// The exposition format's number: Go's float formatting, which Prometheus parses.
std::string number(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (value == std::floor(value) && std::fabs(value) < 1e15) return fmt::format("{:.0f}", value);
  return fmt::format("{}", value);
}

// Label values escape backslash, double quote and newline; help text backslash and newline.
std::string escaped(const std::string& text, bool quote) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else if (c == '"' && quote) out += "\\\"";
    else out += c;
  }
  return out;
}

std::string label_set(const std::vector<std::string>& names, const std::vector<std::string>& values,
                      const std::string& extra = "") {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    out += fmt::format("{}{}=\"{}\"", out.empty() ? "" : ",", names[i], escaped(values[i], true));
  }
  if (!extra.empty()) out += (out.empty() ? "" : ",") + extra;
  return out.empty() ? "" : "{" + out + "}";
}

const char* type_name(MetricType type) {
  switch (type) {
    case MetricType::kCounter: return "counter";
    case MetricType::kGauge: return "gauge";
    case MetricType::kHistogram: return "histogram";
  }
  return "untyped";
}

}  // namespace

void MetricsRegistry::declare(const std::string& name, MetricType type, const std::string& help,
                              std::vector<std::string> label_names, std::vector<double> buckets) {
  if (!valid_name(name, true)) throw Error(ErrorCode::kInvalidArgument, "metric name '" + name + "' is not valid");
  for (const auto& label : label_names) {
    if (!valid_name(label, false) || label.rfind("__", 0) == 0 || label == "le") {
      throw Error(ErrorCode::kInvalidArgument, "label '" + label + "' of metric " + name + " is not valid");
    }
  }
  std::sort(buckets.begin(), buckets.end());
  std::lock_guard lock(mutex_);
  const auto found = families_.find(name);
  if (found != families_.end()) {
    if (found->second.type != type || found->second.label_names != label_names) {
      throw Error(ErrorCode::kInvalidArgument, "metric " + name + " was declared before with another type or labels");
    }
    return;
  }
  Family family;
  family.type = type;
  family.help = help;
  family.label_names = std::move(label_names);
  family.bounds = std::move(buckets);
  families_.emplace(name, std::move(family));
}

MetricsRegistry::Family& MetricsRegistry::family(const std::string& name, MetricType type,
                                                 const std::vector<std::string>& values) {
  const auto found = families_.find(name);
  if (found == families_.end()) throw Error(ErrorCode::kInvalidArgument, "metric " + name + " was not declared");
  if (found->second.type != type) {
    throw Error(ErrorCode::kInvalidArgument, fmt::format("metric {} is a {}", name, type_name(found->second.type)));
  }
  if (values.size() != found->second.label_names.size()) {
    throw Error(ErrorCode::kInvalidArgument, fmt::format("metric {} has {} labels, got {} values", name,
                                                         found->second.label_names.size(), values.size()));
  }
  return found->second;
}

void MetricsRegistry::add(const std::string& name, const std::vector<std::string>& values, double amount) {
  if (!(amount >= 0)) throw Error(ErrorCode::kInvalidArgument, "counter " + name + " cannot go down");
  std::lock_guard lock(mutex_);
  family(name, MetricType::kCounter, values).series[values].value += amount;
}

void MetricsRegistry::set(const std::string& name, const std::vector<std::string>& values, double value) {
  std::lock_guard lock(mutex_);
  family(name, MetricType::kGauge, values).series[values].value = value;
}

void MetricsRegistry::observe(const std::string& name, const std::vector<std::string>& values, double value) {
  std::lock_guard lock(mutex_);
  Family& found = family(name, MetricType::kHistogram, values);
  Series& series = found.series[values];
  if (series.buckets.empty()) series.buckets.assign(found.bounds.size(), 0);
  for (std::size_t i = 0; i < found.bounds.size(); ++i) {
    if (value <= found.bounds[i]) ++series.buckets[i];
  }
  series.value += value;
  ++series.count;
}

std::string MetricsRegistry::render() {
  std::lock_guard lock(mutex_);
  std::string out;
  for (const auto& [name, family] : families_) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, escaped(family.help, false), name, type_name(family.type));
    for (const auto& [values, series] : family.series) {
      if (family.type != MetricType::kHistogram) {
        out += fmt::format("{}{} {}\n", name, label_set(family.label_names, values), number(series.value));
        continue;
      }
      for (std::size_t i = 0; i < family.bounds.size(); ++i) {
        out += fmt::format("{}_bucket{} {}\n", name,
                           label_set(family.label_names, values, "le=\"" + number(family.bounds[i]) + "\""),
                           series.buckets[i]);
      }
      out += fmt::format("{}_bucket{} {}\n", name, label_set(family.label_names, values, "le=\"+Inf\""), series.count);
      out += fmt::format("{}_sum{} {}\n", name, label_set(family.label_names, values), number(series.value));
      out += fmt::format("{}_count{} {}\n", name, label_set(family.label_names, values), series.count);
    }
  }
  return out;
}

std::vector<double> latency_buckets() {
  return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120};
}

}  // namespace aurite::telemetry
