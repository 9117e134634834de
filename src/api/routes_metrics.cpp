// GET /metrics: the process's metrics in the Prometheus text exposition format, with the
// gauges of this server read at the moment of the scrape. Behind the API key like every
// route; --metrics-port serves the same text on loopback without one (server.cpp).
#include "api/api_context.hpp"
#include "aurite/common/log.hpp"
#include "aurite/telemetry/aurite_metrics.hpp"

namespace aurite::api::detail {
namespace {

constexpr const char* kRunsInFlight = "aurite_runs_in_flight";
constexpr const char* kMcpServersRunning = "aurite_mcp_servers_running";
constexpr const char* kApprovalsPending = "aurite_approvals_pending";
constexpr const char* kPoolConnections = "aurite_db_pool_connections";
constexpr const char* kPoolWaiting = "aurite_db_pool_waiting";
// Counted up to this many: a scrape stays one bounded read.
constexpr std::size_t kPendingCountLimit = 100000;

void declare_gauges(telemetry::MetricsRegistry& registry) {
  using telemetry::MetricType;
  registry.declare(kRunsInFlight, MetricType::kGauge, "Runs this server is executing now.", {});
  registry.declare(kMcpServersRunning, MetricType::kGauge, "MCP servers with a live session in this process.", {});
  registry.declare(kApprovalsPending, MetricType::kGauge,
                   "Tool calls waiting in the database for a person's decision (all processes).", {});
  registry.declare(kPoolConnections, MetricType::kGauge,
                   "PostgreSQL connections of this process, by state (in_use, idle, capacity).", {"state"});
  registry.declare(kPoolWaiting, MetricType::kGauge, "Callers of this process waiting for a PostgreSQL connection.",
                   {});
}

}  // namespace

std::string metrics_text(ApiContext& context) {
  auto& registry = telemetry::metrics();
  declare_gauges(registry);
  {
    std::lock_guard lock(context.runs_mutex);
    registry.set(kRunsInFlight, {}, static_cast<double>(context.runs_in_flight));
  }
  registry.set(kMcpServersRunning, {}, static_cast<double>(context.host.mcp().connections().size()));
  storage::StorageManager* storage = context.host.storage();
  if (storage != nullptr) {
    if (const auto pool = storage->pool_stats()) {
      registry.set(kPoolConnections, {"in_use"}, static_cast<double>(pool->in_use));
      registry.set(kPoolConnections, {"idle"}, static_cast<double>(pool->idle));
      registry.set(kPoolConnections, {"capacity"}, static_cast<double>(pool->capacity));
      registry.set(kPoolWaiting, {}, static_cast<double>(pool->waiting));
    }
  }
  if (storage != nullptr && storage->approvals() != nullptr) {
    try {
      const auto pending = storage->approvals()->list_approvals({std::nullopt, std::nullopt, true, kPendingCountLimit});
      registry.set(kApprovalsPending, {}, static_cast<double>(pending.size()));
    } catch (const std::exception& error) {
      // The scrape still answers; the gauge keeps its last value.
      spdlog::warn("metrics: pending approvals could not be counted: {}", error.what());
    }
  }
  return registry.render();
}

void add_metrics_routes(httplib::Server& server, ApiContext& context) {
  add_route(server, context, "GET", "/metrics", ([&context](const httplib::Request&, httplib::Response& response) {
              response.set_content(metrics_text(context), "text/plain; version=0.0.4; charset=utf-8");
            }));
}

}  // namespace aurite::api::detail
