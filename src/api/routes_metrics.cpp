// GET /metrics: the process's metrics in the Prometheus text exposition format, with the
// gauges of this server read at the moment of the scrape. Behind the API key like every
// route; --metrics-port serves the same answer on loopback without one (server.cpp).
#include "api/api_context.hpp"
#include "api/http_error.hpp"
#include "aurite/common/log.hpp"
#include "aurite/telemetry/aurite_metrics.hpp"

namespace aurite::api::detail {
namespace {

// Counted up to this many: a scrape stays one bounded read.
constexpr std::size_t kPendingCountLimit = 100000;

telemetry::ServerState server_state(ApiContext& context) {
  telemetry::ServerState state;
  {
    std::lock_guard lock(context.runs_mutex);
    state.runs_in_flight = context.runs_in_flight;
  }
  state.mcp_servers_running = context.host.mcp().connections().size();
  storage::StorageManager* storage = context.host.storage();
  if (storage == nullptr) return state;
  if (const auto pool = storage->pool_stats()) state.pool = {pool->in_use, pool->idle, pool->capacity, pool->waiting};
  if (storage->approvals() != nullptr) {
    try {
      state.approvals_pending =
          storage->approvals()->list_approvals({std::nullopt, std::nullopt, true, kPendingCountLimit}).size();
    } catch (const std::exception& error) {
      // The scrape still answers; the gauge keeps its last value.
      spdlog::warn("metrics: pending approvals could not be counted: {}", error.what());
    }
  }
  return state;
}

}  // namespace

void send_metrics(ApiContext& context, httplib::Response& response) {
  try {
    telemetry::record_server_state(server_state(context));
    response.set_content(telemetry::metrics().render(), "text/plain; version=0.0.4; charset=utf-8");
  } catch (const std::exception& error) {
    send_exception(response, error);
  }
}

void add_metrics_routes(httplib::Server& server, ApiContext& context) {
  add_route(server, context, "GET", "/metrics", ([&context](const httplib::Request&, httplib::Response& response) {
              send_metrics(context, response);
            }));
}

}  // namespace aurite::api::detail
