// GET /metrics on a real `aurite serve` after real runs, read by the Prometheus client's
// parser: runs, model calls and tokens, tool calls and HTTP requests are counted with
// bounded labels; the route needs the API key, --metrics-port serves it on loopback
// without one.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "api/serve_backend_test.hpp"
#include "api/serve_process.hpp"
#include "support/parsed_metrics.hpp"
#include "support/subprocess.hpp"

namespace aurite::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

const std::string kAgent = "Weather Agent";

void run(const ServeProcess& server, const std::string& session) {
  const auto result = server.post("/runs", {{"name", kAgent}, {"message", "weather in Oslo?"}, {"session_id", session}});
  ASSERT_TRUE(result && result->status == 200) << (result ? result->body : httplib::to_string(result.error()));
}

TEST(ApiMetrics, RunsModelCallsToolCallsAndRequestsAreCountedWithBoundedLabels) {
  ServeProcess server(demo_env());
  run(server, "session-secret-1");
  run(server, "session-secret-2");
  EXPECT_EQ(status_of(server.get("/runs/run_nope")), 404);

  const auto scraped = server.get("/metrics");
  ASSERT_EQ(status_of(scraped), 200);
  EXPECT_THAT(scraped->get_header_value("Content-Type"), HasSubstr("text/plain; version=0.0.4"));
  const json parsed = parse_metrics(scraped->body);
  EXPECT_EQ(parsed["aurite_runs"]["type"], "counter");
  EXPECT_EQ(sample_value(parsed, "aurite_runs_total", {{"kind", "agent"}, {"name", kAgent}, {"status", "completed"}}), 2);
  EXPECT_EQ(sample_value(parsed, "aurite_run_duration_seconds_count", {{"kind", "agent"}, {"name", kAgent}}), 2);
  // The demo agent calls the weather tool once, then answers: two model calls a run.
  EXPECT_EQ(sample_value(parsed, "aurite_model_calls_total", {{"provider", "test"}, {"model", "test"}, {"outcome", "ok"}}), 4);
  EXPECT_GT(sample_value(parsed, "aurite_model_tokens_total", {{"provider", "test"}, {"model", "test"}, {"kind", "input"}}), 0);
  EXPECT_EQ(parsed["aurite_model_call_duration_seconds"]["type"], "histogram");
  EXPECT_EQ(sample_value(parsed, "aurite_tool_calls_total",
                         {{"client", "weather_server"}, {"tool", "weather_lookup"}, {"outcome", "ok"}}), 2);
  EXPECT_EQ(sample_value(parsed, "aurite_http_requests_total", {{"method", "POST"}, {"route", "/runs"}, {"status", "200"}}), 2);
  // By the route's template, not the path asked for.
  EXPECT_EQ(sample_value(parsed, "aurite_http_requests_total", {{"method", "GET"}, {"route", "/runs/{id}"}, {"status", "404"}}), 1);
  EXPECT_EQ(sample_value(parsed, "aurite_runs_in_flight", {}), 0);
  EXPECT_THAT(scraped->body, Not(HasSubstr("session-secret")));
  EXPECT_THAT(scraped->body, Not(HasSubstr("Oslo")));
}

TEST(ApiMetrics, TheRouteNeedsTheKeyAndTheMetricsPortServesLoopbackWithoutOne) {
  ServeProcess server(demo_env(), demo_project(), {"--metrics-port", "0"});
  EXPECT_EQ(status_of(server.client(/*with_key=*/false)->Get("/metrics")), 401);
  ASSERT_GT(server.metrics_port(), 0);
  run(server, "s");
  httplib::Client scraper("127.0.0.1", server.metrics_port());
  const auto scraped = scraper.Get("/metrics");
  ASSERT_EQ(status_of(scraped), 200);
  const json parsed = parse_metrics(scraped->body);
  EXPECT_EQ(sample_value(parsed, "aurite_runs_total", {{"kind", "agent"}, {"name", kAgent}, {"status", "completed"}}), 1);
  // Nothing else is served there.
  EXPECT_EQ(status_of(scraper.Get("/configs/agents")), 404);
  EXPECT_EQ(status_of(scraper.Post("/runs", R"({"name": "Weather Agent", "message": "x"})", "application/json")), 404);
}

class ApiMetricsOnDatabase : public ServeBackendTest {};
AURITE_INSTANTIATE_ON_BOTH_BACKENDS(ApiMetricsOnDatabase);

// PostgreSQL's pool is reported; SQLite has none to report.
TEST_P(ApiMetricsOnDatabase, ThePoolAndThePendingApprovalsAreGauges) {
  ServeProcess server(env());
  run(server, "s");
  const auto scraped = server.get("/metrics");
  ASSERT_EQ(status_of(scraped), 200);
  const json parsed = parse_metrics(scraped->body);
  EXPECT_EQ(sample_value(parsed, "aurite_approvals_pending", {}), 0);
  if (is_postgres()) {
    const double capacity = sample_value(parsed, "aurite_db_pool_connections", {{"state", "capacity"}});
    const double idle = sample_value(parsed, "aurite_db_pool_connections", {{"state", "idle"}});
    const double in_use = sample_value(parsed, "aurite_db_pool_connections", {{"state", "in_use"}});
    EXPECT_GE(capacity, 1);
    EXPECT_GE(idle, 1);  // the run's connections went back
    EXPECT_LE(idle + in_use, capacity);
    EXPECT_EQ(sample_value(parsed, "aurite_db_pool_waiting", {}), 0);
  } else {
    EXPECT_FALSE(parsed.contains("aurite_db_pool_connections") &&
                 !parsed["aurite_db_pool_connections"]["samples"].empty())
        << parsed["aurite_db_pool_connections"];
  }
}

TEST(ApiMetrics, ABadMetricsPortIsAUsageError) {
  ProcessOptions options;
  for (const auto& [name, value] : demo_env()) options.env[name] = value;
  const auto started = run_aurite({"serve", "--config", demo_project(), "--metrics-port", "70000"}, options);
  EXPECT_EQ(started.exit_code, 2);
  EXPECT_THAT(started.err, HasSubstr("--metrics-port"));
}

}  // namespace
}  // namespace aurite::testing
