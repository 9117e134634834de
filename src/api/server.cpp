#include "aurite/api/server.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <thread>

#include <spdlog/spdlog.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "api/api_context.hpp"
#include "api/cors.hpp"
#include "api/deadline_server.hpp"
#include "api/elastic_pool.hpp"
#include "api/http_error.hpp"
#include "common/listen_socket.hpp"
#include "aurite/common/error.hpp"

namespace aurite::api {

using detail::ApiContext;
using detail::HttpError;

bool is_loopback_host(const std::string& host) {
  if (host == "localhost") return true;
  in_addr v4{};
  if (::inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (::inet_pton(AF_INET6, host.c_str(), &v6) == 1) return IN6_IS_ADDR_LOOPBACK(&v6);
  return false;
}

bool constant_time_equal(const std::string& a, const std::string& b) {
  // The length is not secret; the bytes are compared without an early exit.
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  const std::string& other = a.size() == b.size() ? b : a;
  for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ other[i]);
  return diff == 0;
}

namespace {

// Threads for connections beyond the runs in flight: health checks, configs and history
// reads are answered while every run slot is taken.
constexpr std::size_t kConnectionThreadsBeyondRuns = 32;

using Json = nlohmann::json;

// A body for a status httplib answered by itself (no route, payload too large, bad request
// line), so every error has the same shape.
HttpError status_error(const httplib::Request& request, int status) {
  switch (status) {
    case 404: return detail::to_http_error(Error(ErrorCode::kNotFound, fmt::format("no route {} {}", request.method, request.path)));
    case 413: return {413, "payload_too_large", "the request body is larger than this server accepts", Json::array()};
    case 400: return detail::to_http_error(Error(ErrorCode::kInvalidArgument, "malformed HTTP request"));
    default: return {status, "http_error", fmt::format("HTTP status {}", status), Json::array()};
  }
}

}  // namespace

struct ApiServer::Impl {
  Impl(host::HostManager& host, ServerOptions opts)
      : context(host), options(std::move(opts)), cors(options.cors_origins) {}

  ApiContext context;
  ServerOptions options;
  detail::CorsPolicy cors;
  detail::DeadlineServer server;  // the read timeout bounds each whole request
  std::atomic<bool> stopping{false};
  std::atomic<bool> serving_done{false};
  // --metrics-port: a listener of its own, loopback only, serving nothing but /metrics.
  std::unique_ptr<httplib::Server> metrics;
  int metrics_port = -1;
  std::thread metrics_thread;

  ~Impl() {
    if (metrics) metrics->stop();
    if (metrics_thread.joinable()) metrics_thread.join();
  }
};

ApiServer::ApiServer(host::HostManager& host, ServerOptions options)
    : impl_(std::make_unique<Impl>(host, std::move(options))) {
  const ServerOptions& o = impl_->options;
  if (o.port < 0 || o.port > 65535) throw Error(ErrorCode::kInvalidArgument, fmt::format("--port {} is not 0..65535", o.port));
  if (o.metrics_port < -1 || o.metrics_port > 65535) {
    throw Error(ErrorCode::kInvalidArgument, fmt::format("--metrics-port {} is not 0..65535", o.metrics_port));
  }
  if (o.workers < 1 || o.workers > 256) throw Error(ErrorCode::kInvalidArgument, fmt::format("--workers {} is not 1..256", o.workers));
  if (o.read_timeout.count() < 1) {
    throw Error(ErrorCode::kInvalidArgument, fmt::format("--read-timeout {} is not at least 1 second", o.read_timeout.count()));
  }
  if (o.api_key.empty() && !is_loopback_host(o.host)) {
    throw Error(ErrorCode::kInvalidArgument,
                fmt::format("refusing to serve on {} without AURITE_API_KEY: anyone who can reach it could run agents", o.host));
  }
  auto& server = impl_->server;
  const auto workers = static_cast<std::size_t>(o.workers);
  impl_->context.max_runs = workers;
  server.new_task_queue = [workers] { return new detail::ElasticPool(workers, workers + kConnectionThreadsBeyondRuns); };
  server.set_payload_max_length(o.max_body_bytes);
  server.set_read_timeout(o.read_timeout);
  server.set_write_timeout(o.write_timeout);
  server.set_keep_alive_timeout(o.keep_alive_timeout.count());
  // A response leaves in more than one write (headers, then body); with Nagle on, the
  // second waits for the client's delayed ACK, about 40 ms on Linux, on every keep-alive
  // request.
  server.set_tcp_nodelay(true);
  // httplib's default also sets SO_REUSEPORT, with which a second server on a port in
  // use starts anyway and the kernel splits the connections between the two.
  server.set_socket_options(aurite::detail::reuse_address_only);

  const std::string key = o.api_key;
  server.set_pre_routing_handler([this, key](const httplib::Request& request, httplib::Response& response) {
    const detail::CorsPolicy& cors = impl_->cors;
    cors.annotate(request, response);
    // A browser sends no key with a preflight: it asks whether it may send one.
    if (cors.answer_preflight(request, response, impl_->context.allowed_methods(request.path))) {
      return httplib::Server::HandlerResponse::Handled;
    }
    // A chunked request body is not bounded by the payload limit: refuse it outright.
    if (request.get_header_value("Transfer-Encoding").find("chunked") != std::string::npos) {
      detail::send_error(response, {411, "length_required", "send the request body with Content-Length", Json::array()});
      response.set_header("Connection", "close");
      return httplib::Server::HandlerResponse::Handled;
    }
    if (key.empty() || (request.method == "GET" && request.path == "/health")) {
      return httplib::Server::HandlerResponse::Unhandled;
    }
    if (!request.has_header("X-API-Key") || !constant_time_equal(request.get_header_value("X-API-Key"), key)) {
      detail::send_exception(response, Error(ErrorCode::kUnauthenticated, "missing or wrong X-API-Key"));
      response.set_header("WWW-Authenticate", "ApiKey header=\"X-API-Key\"");
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  server.set_error_handler(httplib::Server::HandlerWithResponse(
      [this](const httplib::Request& request, httplib::Response& response) {
        if (!response.body.empty()) return httplib::Server::HandlerResponse::Unhandled;  // ours already
        // A path we serve, with a method we do not: 405 naming the ones we do.
        const auto methods = impl_->context.allowed_methods(request.path);
        const std::string method = request.method == "HEAD" ? "GET" : request.method;
        if (!methods.empty() && std::find(methods.begin(), methods.end(), method) == methods.end() &&
            (response.status == 404 || response.status == 400)) {
          const std::string allowed = fmt::format("{}", fmt::join(methods, ", "));
          detail::send_error(response, {405, "method_not_allowed",
                                        fmt::format("{} is not served on {}; allowed: {}", request.method, request.path, allowed),
                                        Json::array()});
          response.set_header("Allow", allowed);
          return httplib::Server::HandlerResponse::Handled;
        }
        detail::send_error(response, status_error(request, response.status));
        return httplib::Server::HandlerResponse::Handled;
      }));
  server.set_exception_handler([](const httplib::Request&, httplib::Response& response, std::exception_ptr thrown) {
    try {
      std::rethrow_exception(thrown);
    } catch (const std::exception& error) {
      detail::send_exception(response, error);
    } catch (...) {
      detail::send_exception(response, Error(ErrorCode::kInternal, "unknown exception"));
    }
  });
  server.set_logger([](const httplib::Request& request, const httplib::Response& response) {
    spdlog::debug("{} {} -> {}", request.method, request.path, response.status);
  });

  detail::add_health_routes(server, impl_->context);
  detail::add_config_routes(server, impl_->context);
  detail::add_run_routes(server, impl_->context);
  detail::add_approval_routes(server, impl_->context);
  detail::add_session_routes(server, impl_->context);
  detail::add_history_routes(server, impl_->context);
  detail::add_mcp_routes(server, impl_->context);
  detail::add_docs_routes(server, impl_->context);
  detail::add_metrics_routes(server, impl_->context);
}

ApiServer::~ApiServer() = default;

int ApiServer::bind() {
  auto& server = impl_->server;
  const ServerOptions& o = impl_->options;
  const int port = aurite::detail::bind_or_explain(o.host, o.port, [&] {
    return o.port == 0 ? server.bind_to_any_port(o.host) : (server.bind_to_port(o.host, o.port) ? o.port : -1);
  });
  if (o.metrics_port >= 0 && !impl_->metrics) {
    auto metrics = std::make_unique<httplib::Server>();
    metrics->set_socket_options(aurite::detail::reuse_address_only);
    metrics->Get("/metrics", [this](const httplib::Request&, httplib::Response& response) {
      detail::send_metrics(impl_->context, response);
    });
    const std::string loopback = "127.0.0.1";
    impl_->metrics_port = aurite::detail::bind_or_explain(loopback, o.metrics_port, [&] {
      return o.metrics_port == 0 ? metrics->bind_to_any_port(loopback)
                                 : (metrics->bind_to_port(loopback, o.metrics_port) ? o.metrics_port : -1);
    });
    impl_->metrics = std::move(metrics);
  }
  return port;
}

int ApiServer::metrics_port() const { return impl_->metrics_port; }

void ApiServer::serve() {
  if (impl_->metrics && !impl_->metrics_thread.joinable()) {
    impl_->metrics_thread = std::thread([metrics = impl_->metrics.get()] { metrics->listen_after_bind(); });
  }
  if (!impl_->stopping) impl_->server.listen_after_bind();
  impl_->serving_done = true;
}

void ApiServer::stop() {
  impl_->stopping = true;
  // httplib ignores stop() until its accept loop runs; a stop that comes just as serve()
  // begins waits for that (briefly) so it is not lost.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!impl_->server.is_running() && !impl_->serving_done && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  // A stream answered a moment ago begins within milliseconds; stopping first would cut
  // it off with no event at all.
  if (!impl_->context.wait_for_accepted_streams(std::chrono::steady_clock::now() + std::chrono::seconds(5))) {
    spdlog::warn("stopping with event streams that have not begun; they end without a last event");
  }
  impl_->server.stop();
  if (impl_->metrics) impl_->metrics->stop();
}

std::vector<std::pair<std::string, std::string>> ApiServer::routes() const { return impl_->context.routes; }

std::size_t ApiServer::runs_in_flight() const {
  std::lock_guard lock(impl_->context.runs_mutex);
  return impl_->context.runs_in_flight;
}

void ApiServer::end_streams_for_shutdown() {
  impl_->context.end_streams("error", detail::error_body({503, "shutting_down",
                                                  "the server is shutting down before the run finished; "
                                                  "the turns it stored so far are kept",
                                                  Json::array()}));
}

bool ApiServer::wait_for_runs(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(impl_->context.runs_mutex);
  return impl_->context.runs_changed.wait_for(lock, timeout, [this] { return impl_->context.runs_in_flight == 0; });
}

}  // namespace aurite::api
