// The metrics registry: what it records, and that its text is the Prometheus exposition
// format as the Prometheus client library's own parser reads it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "aurite/common/error.hpp"
#include "aurite/telemetry/aurite_metrics.hpp"
#include "support/parsed_metrics.hpp"

namespace aurite::telemetry {
namespace {

using nlohmann::json;
using testing::parse_metrics;
using testing::sample_value;
using ::testing::HasSubstr;

ErrorCode code_of(const std::function<void()>& call) {
  try {
    call();
  } catch (const Error& error) {
    return error.code();
  }
  ADD_FAILURE() << "no error";
  return ErrorCode::kInternal;
}

TEST(MetricsRegistry, CountersGaugesAndHistogramsReadBackThroughThePrometheusParser) {
  MetricsRegistry registry;
  registry.declare("app_requests_total", MetricType::kCounter, "Requests.", {"route", "status"});
  registry.declare("app_queue", MetricType::kGauge, "Waiting.", {});
  registry.declare("app_seconds", MetricType::kHistogram, "Time.", {"route"}, {0.1, 1, 10});
  registry.add("app_requests_total", {"/runs", "200"});
  registry.add("app_requests_total", {"/runs", "200"}, 2);
  registry.add("app_requests_total", {"/runs/{id}", "404"});
  registry.set("app_queue", {}, 7);
  for (const double seconds : {0.05, 0.5, 0.7, 5.0, 50.0}) registry.observe("app_seconds", {"/runs"}, seconds);

  const json parsed = parse_metrics(registry.render());
  EXPECT_EQ(parsed["app_requests"]["type"], "counter");
  EXPECT_EQ(parsed["app_requests"]["help"], "Requests.");
  EXPECT_EQ(sample_value(parsed, "app_requests_total", {{"route", "/runs"}, {"status", "200"}}), 3);
  EXPECT_EQ(sample_value(parsed, "app_requests_total", {{"route", "/runs/{id}"}, {"status", "404"}}), 1);
  EXPECT_EQ(sample_value(parsed, "app_queue", {}), 7);
  EXPECT_EQ(parsed["app_seconds"]["type"], "histogram");
  // Buckets count every observation up to their bound.
  EXPECT_EQ(sample_value(parsed, "app_seconds_bucket", {{"route", "/runs"}, {"le", "0.1"}}), 1);
  EXPECT_EQ(sample_value(parsed, "app_seconds_bucket", {{"route", "/runs"}, {"le", "1"}}), 3);
  EXPECT_EQ(sample_value(parsed, "app_seconds_bucket", {{"route", "/runs"}, {"le", "10"}}), 4);
  EXPECT_EQ(sample_value(parsed, "app_seconds_bucket", {{"route", "/runs"}, {"le", "+Inf"}}), 5);
  EXPECT_EQ(sample_value(parsed, "app_seconds_count", {{"route", "/runs"}}), 5);
  EXPECT_NEAR(sample_value(parsed, "app_seconds_sum", {{"route", "/runs"}}), 56.25, 1e-9);
}

TEST(MetricsRegistry, LabelValuesAndHelpAreEscaped) {
  MetricsRegistry registry;
  registry.declare("app_tools_total", MetricType::kCounter, "Tools \\ with\na newline.", {"tool"});
  const std::string hostile = "quote\" back\\slash\nnewline } {";
  registry.add("app_tools_total", {hostile});
  const std::string text = registry.render();
  EXPECT_THAT(text, HasSubstr(R"(tool="quote\" back\\slash\nnewline } {")"));
  const json parsed = parse_metrics(text);
  EXPECT_EQ(parsed["app_tools"]["help"], "Tools \\ with\na newline.");
  EXPECT_EQ(sample_value(parsed, "app_tools_total", {{"tool", hostile}}), 1);
}

TEST(MetricsRegistry, MisuseIsAnInvalidArgumentNamingTheMetric) {
  MetricsRegistry registry;
  registry.declare("app_total", MetricType::kCounter, "x", {"a"});
  EXPECT_EQ(code_of([&] { registry.add("app_missing_total", {"v"}); }), ErrorCode::kInvalidArgument);
  EXPECT_EQ(code_of([&] { registry.add("app_total", {}); }), ErrorCode::kInvalidArgument);
  EXPECT_EQ(code_of([&] { registry.add("app_total", {"v"}, -1); }), ErrorCode::kInvalidArgument);
  EXPECT_EQ(code_of([&] { registry.set("app_total", {"v"}, 1); }), ErrorCode::kInvalidArgument);
  EXPECT_EQ(code_of([&] { registry.declare("app_total", MetricType::kGauge, "x", {"a"}); }), ErrorCode::kInvalidArgument);
  EXPECT_EQ(code_of([&] { registry.declare("9bad", MetricType::kGauge, "x", {}); }), ErrorCode::kInvalidArgument);
  EXPECT_EQ(code_of([&] { registry.declare("app_x", MetricType::kGauge, "x", {"le"}); }), ErrorCode::kInvalidArgument);
  EXPECT_EQ(code_of([&] { registry.declare("app_y", MetricType::kGauge, "x", {"a-b"}); }), ErrorCode::kInvalidArgument);
  registry.declare("app_total", MetricType::kCounter, "x", {"a"});  // the same again is fine
  try {
    registry.add("app_missing_total", {"v"});
  } catch (const Error& error) {
    EXPECT_THAT(error.what(), HasSubstr("app_missing_total"));
  }
}

TEST(MetricsRegistry, ThreadsRecordingAtOnceLoseNothing) {
  MetricsRegistry registry;
  registry.declare("app_calls_total", MetricType::kCounter, "Calls.", {"worker"});
  registry.declare("app_call_seconds", MetricType::kHistogram, "Time.", {}, latency_buckets());
  constexpr int kThreads = 8;
  constexpr int kEach = 2000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&registry, t] {
      for (int i = 0; i < kEach; ++i) {
        registry.add("app_calls_total", {std::to_string(t % 2)});
        registry.observe("app_call_seconds", {}, 0.001 * i);
        if (i % 500 == 0) registry.render();  // a scrape meanwhile
      }
    });
  }
  for (auto& thread : threads) thread.join();
  const json parsed = parse_metrics(registry.render());
  EXPECT_EQ(sample_value(parsed, "app_calls_total", {{"worker", "0"}}) + sample_value(parsed, "app_calls_total", {{"worker", "1"}}),
            kThreads * kEach);
  EXPECT_EQ(sample_value(parsed, "app_call_seconds_count", {}), kThreads * kEach);
}

TEST(AuriteMetrics, WhatTheLayersRecordIsInTheProcesssRegistry) {
  record_model_call("anthropic", "claude-t", true, 0.25, {100, 20, 30, 4});
  record_model_call("anthropic", "claude-t", false, 2.0, {});
  record_tool_call("weather", "get_weather", true, 0.01);
  record_run("agent", "Weather Agent", "completed", 1.5);
  record_http_request("POST", "/runs", 200, 1.6);
  const json parsed = parse_metrics(metrics().render());
  EXPECT_EQ(sample_value(parsed, "aurite_model_calls_total", {{"provider", "anthropic"}, {"model", "claude-t"}, {"outcome", "ok"}}), 1);
  EXPECT_EQ(sample_value(parsed, "aurite_model_calls_total", {{"provider", "anthropic"}, {"model", "claude-t"}, {"outcome", "error"}}), 1);
  EXPECT_EQ(sample_value(parsed, "aurite_model_tokens_total", {{"provider", "anthropic"}, {"model", "claude-t"}, {"kind", "cache_read"}}), 30);
  EXPECT_EQ(sample_value(parsed, "aurite_model_call_duration_seconds_count", {{"provider", "anthropic"}, {"model", "claude-t"}}), 2);
  EXPECT_EQ(sample_value(parsed, "aurite_tool_calls_total", {{"client", "weather"}, {"tool", "get_weather"}, {"outcome", "ok"}}), 1);
  EXPECT_EQ(sample_value(parsed, "aurite_runs_total", {{"kind", "agent"}, {"name", "Weather Agent"}, {"status", "completed"}}), 1);
  EXPECT_EQ(sample_value(parsed, "aurite_http_requests_total", {{"method", "POST"}, {"route", "/runs"}, {"status", "200"}}), 1);
}

}  // namespace
}  // namespace aurite::telemetry
