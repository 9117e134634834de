// What the route groups share: the host, the count of runs in flight, request helpers.
// One file per route group registers its routes (routes_*.cpp).
#pragma once

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <regex>
#include <map>
#include <set>
#include <thread>
#include <string>
#include <utility>
#include <vector>

#include "api/waiting_elicitations.hpp"
#include "aurite/host/host_manager.hpp"

namespace aurite::api::detail {

using Json = nlohmann::json;
using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;

// An event stream being written (POST /runs with text/event-stream).
class OpenStream {
 public:
  virtual ~OpenStream() = default;
  // Sends `event` as the last one; nothing is written to the stream after it.
  virtual void end_with(const std::string& event, const Json& data) = 0;
};

struct ApiContext {
  explicit ApiContext(host::HostManager& h) : host(h) {}

  host::HostManager& host;

  mutable std::mutex runs_mutex;
  mutable std::condition_variable runs_changed;
  std::size_t runs_in_flight = 0;  // guarded by runs_mutex
  std::size_t max_runs = 8;        // --workers: runs at once; set before serving

  // Waits for one of the max_runs slots, then counts the run as in flight.
  void run_started();
  void run_finished();

  // The event streams open now, so a shutdown can end each with a last event.
  void stream_opened(OpenStream* stream);
  void stream_closed(OpenStream* stream);
  void end_streams(const std::string& event, const Json& data);
  std::mutex streams_mutex;
  std::condition_variable streams_changed;
  std::set<OpenStream*> streams;  // guarded by streams_mutex

  // Streams answered (headers on their way) whose writing has not begun. httplib writes
  // nothing more once the server stops, so a stop waits for these to begin first: else
  // such a stream would end with no event at all (ApiServer::stop).
  void stream_accepted();
  void stream_began_or_dropped();
  // False when some have not begun by `deadline`.
  bool wait_for_accepted_streams(std::chrono::steady_clock::time_point deadline);
  std::size_t streams_accepted = 0;  // guarded by streams_mutex

  // Runs started with "background": true, each on a thread of its own that waits for a
  // run slot; they count as in flight. The context's end cancels those still running
  // (a shutdown waited for them first) and joins them.
  void run_in_background(const std::string& run_id, std::function<void()> body);
  ~ApiContext();
  std::mutex background_mutex;
  std::map<std::string, std::jthread> background;  // by run id, guarded by background_mutex
  std::vector<std::jthread> background_done;        // finished, to join
  bool background_stopping = false;                 // guarded by runs_mutex

  // What MCP servers ask the clients of streamed runs, until they answer.
  WaitingElicitations elicitations;

  // Every route as documented in docs/openapi.json: method and path template.
  std::vector<std::pair<std::string, std::string>> routes;
  std::vector<std::regex> route_patterns;  // routes[i]'s path as add_route matches it

  // The methods served on `path`, in registration order; none when no route matches it.
  std::vector<std::string> allowed_methods(const std::string& path) const;
};

// Registers `handler` (guarded) for `method` on `path`, an OpenAPI path template whose
// `{param}` segments match one path segment each (request.matches[1], [2], ...).
void add_route(httplib::Server& server, ApiContext& context, const std::string& method, const std::string& path,
               Handler handler);

// Wraps a handler so anything it throws becomes the error response.
Handler guarded(Handler handler);

// The request body as JSON; Error(kInvalidArgument) naming line and column when it is not.
Json parse_body(const httplib::Request& request);

// The request body as a JSON object whose keys are all among `fields`: ConfigError when
// it is not an object; each other key is added to `problems` (a misspelt field would
// otherwise be ignored), with the closest known one suggested.
Json parse_object_body(const httplib::Request& request, const std::vector<std::string>& fields,
                       std::vector<Diagnostic>& problems);

// The index-th `{param}` of the route's path (1-based), percent-decoded by httplib.
std::string path_param(const httplib::Request& request, std::size_t index = 1);

// An optional query parameter as an integer in [min, max]; Error(kInvalidArgument) naming
// it otherwise.
std::optional<long long> int_param(const httplib::Request& request, const std::string& name, long long min,
                                   long long max);

// A query parameter that must not be empty when given; Error(kInvalidArgument) naming it.
std::optional<std::string> text_param(const httplib::Request& request, const std::string& name);

// The server's history store and its analysis side; Error(kUnavailable) when history is not
// stored (the database or its history storage is switched off).
storage::HistoryStore& history_store_of(host::HostManager& host);
storage::HistoryAdmin& history_admin_of(host::HostManager& host);

void add_health_routes(httplib::Server& server, ApiContext& context);
void add_config_routes(httplib::Server& server, ApiContext& context);
void add_run_routes(httplib::Server& server, ApiContext& context);
void add_approval_routes(httplib::Server& server, ApiContext& context);
void add_session_routes(httplib::Server& server, ApiContext& context);
void add_history_routes(httplib::Server& server, ApiContext& context);
void add_mcp_routes(httplib::Server& server, ApiContext& context);
void add_docs_routes(httplib::Server& server, ApiContext& context);
void add_metrics_routes(httplib::Server& server, ApiContext& context);

// Answers with the process's metrics and this server's gauges as they are now (GET
// /metrics, and the --metrics-port listener); a failure is the error response.
void send_metrics(ApiContext& context, httplib::Response& response);

}  // namespace aurite::api::detail
