#include "aurite/telemetry/aurite_metrics.hpp"

namespace aurite::telemetry {
namespace {

constexpr const char* kModelCalls = "aurite_model_calls_total";
constexpr const char* kModelCallSeconds = "aurite_model_call_duration_seconds";
constexpr const char* kModelTokens = "aurite_model_tokens_total";
constexpr const char* kToolCalls = "aurite_tool_calls_total";
constexpr const char* kToolCallSeconds = "aurite_tool_call_duration_seconds";
constexpr const char* kRuns = "aurite_runs_total";
constexpr const char* kRunSeconds = "aurite_run_duration_seconds";
constexpr const char* kHttpRequests = "aurite_http_requests_total";
constexpr const char* kHttpRequestSeconds = "aurite_http_request_duration_seconds";
constexpr const char* kRunsInFlight = "aurite_runs_in_flight";
constexpr const char* kMcpServersRunning = "aurite_mcp_servers_running";
constexpr const char* kApprovalsPending = "aurite_approvals_pending";
constexpr const char* kPoolConnections = "aurite_db_pool_connections";
constexpr const char* kPoolWaiting = "aurite_db_pool_waiting";

void declare_all(MetricsRegistry& registry) {
  using enum MetricType;
  registry.declare(kModelCalls, kCounter, "Model calls, by provider, model and outcome (ok or error).",
                   {"provider", "model", "outcome"});
  registry.declare(kModelCallSeconds, kHistogram, "Duration of model calls, answered or not.", {"provider", "model"},
                   latency_buckets());
  registry.declare(kModelTokens, kCounter,
                   "Tokens of model calls as the providers reported them, by kind (input not read from a cache, "
                   "output, cache_read, cache_write).",
                   {"provider", "model", "kind"});
  registry.declare(kToolCalls, kCounter, "Tool calls, by MCP client, tool and outcome (ok or error).",
                   {"client", "tool", "outcome"});
  registry.declare(kToolCallSeconds, kHistogram, "Duration of tool calls.", {"client", "tool"}, latency_buckets());
  registry.declare(kRuns, kCounter, "Runs that ended, by kind (agent, workflow, ...), name and status.",
                   {"kind", "name", "status"});
  registry.declare(kRunSeconds, kHistogram, "Duration of runs, from start to end.", {"kind", "name"},
                   latency_buckets());
  registry.declare(kHttpRequests, kCounter, "HTTP requests answered, by method, route template and status.",
                   {"method", "route", "status"});
  registry.declare(kHttpRequestSeconds, kHistogram,
                   "Time to answer HTTP requests (for an event stream, until its answer began).", {"method", "route"},
                   latency_buckets());
  registry.declare(kRunsInFlight, kGauge, "Runs this server is executing now.", {});
  registry.declare(kMcpServersRunning, kGauge, "MCP servers with a live session in this process.", {});
  registry.declare(kApprovalsPending, kGauge,
                   "Tool calls waiting in the database for a person's decision (all processes).", {});
  registry.declare(kPoolConnections, kGauge,
                   "PostgreSQL connections of this process, by state (in_use, idle, capacity).", {"state"});
  registry.declare(kPoolWaiting, kGauge, "Callers of this process waiting for a PostgreSQL connection.", {});
}

}  // namespace

MetricsRegistry& metrics() {
  static MetricsRegistry* registry = [] {
    // Never destroyed: threads still running at exit may record.
    auto* made = new MetricsRegistry();
    declare_all(*made);
    return made;
  }();
  return *registry;
}

void record_model_call(const std::string& provider, const std::string& model, bool ok, double seconds,
                       const TokenCounts& tokens) {
  MetricsRegistry& registry = metrics();
  registry.add(kModelCalls, {provider, model, ok ? "ok" : "error"});
  registry.observe(kModelCallSeconds, {provider, model}, seconds);
  if (!ok) return;
  registry.add(kModelTokens, {provider, model, "input"}, static_cast<double>(tokens.input));
  registry.add(kModelTokens, {provider, model, "output"}, static_cast<double>(tokens.output));
  registry.add(kModelTokens, {provider, model, "cache_read"}, static_cast<double>(tokens.cache_read));
  registry.add(kModelTokens, {provider, model, "cache_write"}, static_cast<double>(tokens.cache_write));
}

void record_tool_call(const std::string& client, const std::string& tool, bool ok, double seconds) {
  MetricsRegistry& registry = metrics();
  registry.add(kToolCalls, {client, tool, ok ? "ok" : "error"});
  registry.observe(kToolCallSeconds, {client, tool}, seconds);
}

void record_run(const std::string& kind, const std::string& name, const std::string& status, double seconds) {
  MetricsRegistry& registry = metrics();
  registry.add(kRuns, {kind, name, status});
  registry.observe(kRunSeconds, {kind, name}, seconds);
}

void record_http_request(const std::string& method, const std::string& route, int status, double seconds) {
  MetricsRegistry& registry = metrics();
  registry.add(kHttpRequests, {method, route, std::to_string(status)});
  registry.observe(kHttpRequestSeconds, {method, route}, seconds);
}

void record_server_state(const ServerState& state) {
  MetricsRegistry& registry = metrics();
  registry.set(kRunsInFlight, {}, static_cast<double>(state.runs_in_flight));
  registry.set(kMcpServersRunning, {}, static_cast<double>(state.mcp_servers_running));
  if (state.approvals_pending) registry.set(kApprovalsPending, {}, static_cast<double>(*state.approvals_pending));
  if (const auto& pool = state.pool) {
    registry.set(kPoolConnections, {"in_use"}, static_cast<double>(pool->in_use));
    registry.set(kPoolConnections, {"idle"}, static_cast<double>(pool->idle));
    registry.set(kPoolConnections, {"capacity"}, static_cast<double>(pool->capacity));
    registry.set(kPoolWaiting, {}, static_cast<double>(pool->waiting));
  }
}

}  // namespace aurite::telemetry
