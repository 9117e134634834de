// telemetry/aurite_metrics — what aurite reports about its own work: runs, model calls and
// their tokens, tool calls, HTTP requests, in the process's one registry. The layers that
// do the work call these; `aurite serve` renders the registry at /metrics.
//
// Names follow Prometheus conventions (aurite_ prefix, _total for counters, _seconds for
// durations). Every label value comes from the project (agent, workflow, client, llm
// model names), from its servers (tool names) or from a fixed set (status, outcome, kind,
// route templates).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "aurite/telemetry/metrics.hpp"

namespace aurite::telemetry {

// The process's registry, with every family below declared.
MetricsRegistry& metrics();

struct TokenCounts {
  std::int64_t input = 0;
  std::int64_t output = 0;
  std::int64_t cache_read = 0;
  std::int64_t cache_write = 0;
};

// aurite_model_calls_total{provider,model,outcome}, aurite_model_call_duration_seconds,
// aurite_model_tokens_total{provider,model,kind} (a failed call adds no tokens).
void record_model_call(const std::string& provider, const std::string& model, bool ok, double seconds,
                       const TokenCounts& tokens);

// aurite_tool_calls_total{client,tool,outcome} (outcome ok or error; client "" when no
// client offers the tool), aurite_tool_call_duration_seconds{client,tool}.
void record_tool_call(const std::string& client, const std::string& tool, bool ok, double seconds);

// aurite_runs_total{kind,name,status}, aurite_run_duration_seconds{kind,name}; status as
// a run ends (completed, failed, cancelled, awaiting_approval, ...).
void record_run(const std::string& kind, const std::string& name, const std::string& status, double seconds);

// aurite_http_requests_total{method,route,status}, aurite_http_request_duration_seconds
// {method,route}; `route` is the route's template (/runs/{id}), never the path asked for.
void record_http_request(const std::string& method, const std::string& route, int status, double seconds);

// What a server holds at the moment of a scrape: aurite_runs_in_flight,
// aurite_mcp_servers_running, aurite_approvals_pending (unset: unknown, the gauge keeps its
// last value), aurite_db_pool_connections{state} and aurite_db_pool_waiting (unset pool:
// none, as SQLite has).
struct ServerState {
  std::size_t runs_in_flight = 0;
  std::size_t mcp_servers_running = 0;
  std::optional<std::size_t> approvals_pending;
  struct Pool {
    std::size_t in_use = 0;
    std::size_t idle = 0;
    std::size_t capacity = 0;
    std::size_t waiting = 0;
  };
  std::optional<Pool> pool;
};
void record_server_state(const ServerState& state);

}  // namespace aurite::telemetry
