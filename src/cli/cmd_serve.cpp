// aurite serve [--host H] [--port P] [--workers N] [--read-timeout S] [--shutdown-timeout S]
//              [--reload-interval S] [--cors-origin ORIGIN]... [--metrics-port P]: the HTTP API.
// Prints the address it listens on to stdout once it accepts requests. SIGTERM or SIGINT
// stops accepting, lets the runs in flight finish (for at most --shutdown-timeout
// seconds), then closes the MCP servers and the database and exits 0.
// When the database stores configs, what other processes change there is picked up every
// --reload-interval seconds (HostManager::start_config_reload), so several servers on one
// database serve the same configs.
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "aurite/api/server.hpp"
#include "aurite/common/env.hpp"
#include "aurite/storage/settings.hpp"
#include "cli/cli_context.hpp"

namespace aurite::cli {
namespace {

struct ServeOptions {
  api::ServerOptions server;
  int shutdown_timeout_s = 30;
  int read_timeout_s = 30;
  double reload_interval_s = 1.0;
};

sigset_t stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}

int run_serve(const Context& context, ServeOptions options) {
  // Blocked before any thread starts, so every thread inherits the mask and only the
  // signal thread below receives them (MCP servers reset their mask when spawned).
  const sigset_t signals = stop_signals();
  ::pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto host = context.open_host();
  // The clients of streamed runs answer what MCP servers ask during calls.
  host->mcp().answer_elicitations(true);
  options.server.read_timeout = std::chrono::seconds(options.read_timeout_s);
  host->start_config_reload(std::chrono::milliseconds(static_cast<long long>(options.reload_interval_s * 1000)));
  options.server.api_key = get_env("AURITE_API_KEY").value_or("");
  api::ApiServer server(*host, options.server);
  const int port = server.bind();
  if (options.server.api_key.empty()) spdlog::warn("AURITE_API_KEY is not set: the API is open to local users");

  std::atomic<bool> signalled{false};
  std::thread watcher([&] {
    int signal = 0;
    ::sigwait(&signals, &signal);
    signalled = true;
    spdlog::info("stopping: {} run(s) in flight", server.runs_in_flight());
    server.stop();
    if (!server.wait_for_runs(std::chrono::seconds(options.shutdown_timeout_s))) {
      spdlog::error("runs still in flight after {} s; exiting without them", options.shutdown_timeout_s);
      server.end_streams_for_shutdown();
      std::cerr << "error: runs still in flight at the shutdown deadline\n";
      std::_Exit(kExitFailure);
    }
  });

  std::cout << fmt::format("aurite serve listening on http://{}:{}", options.server.host, port) << std::endl;
  if (server.metrics_port() >= 0) {
    std::cout << fmt::format("metrics on http://127.0.0.1:{}/metrics", server.metrics_port()) << std::endl;
  }
  server.serve();
  if (!signalled) ::pthread_kill(watcher.native_handle(), SIGTERM);  // serve() ended by itself
  watcher.join();
  std::cerr << "aurite serve stopped\n";
  return kExitOk;  // the host closes MCP servers, then the database, as it goes
}

}  // namespace

void add_serve_command(CLI::App& app, Context& context) {
  auto* command = app.add_subcommand("serve", "Serve the HTTP API (key: $AURITE_API_KEY)");
  auto options = std::make_shared<ServeOptions>();
  command->add_option("--host", options->server.host, "Address to listen on")->capture_default_str();
  command->add_option("--port", options->server.port, "Port (0: a free one, printed at start)")->capture_default_str();
  command->add_option("--workers", options->server.workers, "Runs at once (more wait; other requests are answered meanwhile)")->capture_default_str();
  command->add_option("--read-timeout", options->read_timeout_s,
                      "Seconds a request (line, headers, body) may take to arrive; slower clients are cut off")
      ->capture_default_str();
  command->add_option("--shutdown-timeout", options->shutdown_timeout_s,
                      "Seconds runs in flight may take to finish after SIGTERM")
      ->capture_default_str();
  command
      ->add_option("--reload-interval", options->reload_interval_s,
                   "Seconds between checks for configs changed in the database by other processes (0: never)")
      ->check(CLI::Range(0.0, 3600.0))
      ->capture_default_str();
  command->add_option("--metrics-port", options->server.metrics_port,
                      "Also serve GET /metrics on 127.0.0.1 at this port, without the API key (0: a free one)")
      ->check(CLI::Range(0, 65535));
  command->add_option("--cors-origin", options->server.cors_origins,
                      "An origin (https://host[:port]) whose pages may call the API from a browser (repeatable; "
                      "default: none, no CORS headers)");
  command->callback([&context, options] {
    context.action = [&context, options] { return run_serve(context, *options); };
  });
}

}  // namespace aurite::cli
