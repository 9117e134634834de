// api/server — the HTTP API of `aurite serve` (DESIGN.md §6): configurations, runs (JSON or
// Server-Sent Events), sessions and history, health. JSON in and out; every failure is
// `{"error": {"code", "message", "details"}}` with the status from one mapping
// (src/api/http_error.cpp). docs/openapi.yaml describes every route.
//
// Thread-safety: bind() and serve() are called from one thread; stop(), runs_in_flight()
// and wait_for_runs() from any thread, including while serve() runs.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "aurite/host/host_manager.hpp"

namespace aurite::api {

struct ServerOptions {
  std::string host = "127.0.0.1";  // --host [127.0.0.1]
  int port = 8000;                 // --port [8000]; 0 picks a free port
  int workers = 8;                 // --workers [8]: runs at once, 1..256 (other requests get threads of their own)
  // AURITE_API_KEY: when set, every route but GET /health needs it as X-API-Key. Empty
  // is allowed only on a loopback host.
  std::string api_key;
  std::size_t max_body_bytes = 1 << 20;        // larger request bodies get 413
  // --read-timeout [30]: a request (line, headers, body) must arrive within this from its
  // first byte, or the connection closes; slow clients cannot hold workers longer.
  std::chrono::seconds read_timeout{30};
  std::chrono::seconds write_timeout{30};      // per response write
  std::chrono::seconds keep_alive_timeout{2};  // an idle connection closes after this
  // --cors-origin (repeatable) [none]: origins (https://host[:port]) whose pages may call
  // the API from a browser. None: no Access-Control-* header is ever sent.
  std::vector<std::string> cors_origins;
  // --metrics-port [none]: also serve GET /metrics on 127.0.0.1 at this port, without the
  // API key (for a scraper on the same machine); 0 picks a free port. -1: not served.
  int metrics_port = -1;
};

class ApiServer {
 public:
  // `host` must have open_services() done and outlive the server. Throws
  // Error(kInvalidArgument) for a bad option and for a non-loopback host without a key.
  ApiServer(host::HostManager& host, ServerOptions options);
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  // Binds the listening socket; returns the port (the chosen one for port 0). Throws
  // Error(kInvalidArgument) "address already in use: host:port" when another process
  // listens there, Error(kUnavailable) naming host:port and the reason otherwise.
  int bind();

  // The port of the loopback metrics listener once bound (ServerOptions::metrics_port), or -1.
  int metrics_port() const;

  // Accepts and answers requests until stop(); returns once the requests in progress
  // (runs included) are answered.
  void serve();

  // Stops accepting; serve() returns when the requests in progress are done. Idempotent.
  void stop();

  // Every route served, as (method, OpenAPI path template), in registration order.
  std::vector<std::pair<std::string, std::string>> routes() const;

  // Runs (POST /runs) being executed now.
  std::size_t runs_in_flight() const;

  // Waits until no run is in flight or the timeout passes; returns whether none is.
  bool wait_for_runs(std::chrono::milliseconds timeout) const;

  // Ends every open event stream with a last `event: error` (code shutting_down), for a
  // process about to exit with runs unfinished: a client learns why its stream ended
  // instead of seeing it cut. What the runs stored stays stored. Any thread.
  void end_streams_for_shutdown();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Whether `host` names the loopback interface (127.0.0.0/8, ::1, localhost).
bool is_loopback_host(const std::string& host);

// Compares without leaking through timing where the first difference is.
bool constant_time_equal(const std::string& a, const std::string& b);

}  // namespace aurite::api
