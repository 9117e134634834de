#include "mcp/auth/login_callback.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include <httplib.h>
#include <fmt/format.h>

#include "aurite/common/env.hpp"
#include "aurite/common/error.hpp"

extern char** environ;

namespace aurite::mcp::auth {
namespace {

constexpr int kMaxRedirects = 10;
constexpr std::chrono::milliseconds kStepTimeout{30000};

constexpr const char* kDonePage =
    "<!doctype html><meta charset=utf-8><title>Aurite</title>"
    "<p>The login is complete. You can close this window and go back to the terminal.</p>";
constexpr const char* kErrorPage =
    "<!doctype html><meta charset=utf-8><title>Aurite</title>"
    "<p>The authorization server refused the login. The terminal says why.</p>";

}  // namespace

struct LoginCallback::State {
  httplib::Server server;
  std::thread thread;
  std::string redirect_uri;
  std::mutex mutex;
  std::condition_variable arrived;
  std::optional<net::FormFields> query;
};

LoginCallback::LoginCallback(int port) : state_(std::make_unique<State>()) {
  State& state = *state_;
  // One request per connection: a kept-alive connection would hold the stop below for
  // the server's keep-alive timeout.
  state.server.set_keep_alive_max_count(1);
  state.server.Get("/callback", [&state](const httplib::Request& request, httplib::Response& response) {
    const auto fields = net::form_decode(request.target.substr(std::min(request.target.size(),
                                                                        request.target.find('?') + 1)));
    const bool refused = request.target.find('?') == std::string::npos || net::form_value(fields, "error").has_value();
    response.set_content(refused ? kErrorPage : kDonePage, "text/html; charset=utf-8");
    response.set_header("Connection", "close");
    {
      std::lock_guard lock(state.mutex);
      if (!state.query) state.query = request.target.find('?') == std::string::npos ? net::FormFields{} : fields;
    }
    state.arrived.notify_all();
  });
  const int bound = port == 0 ? state.server.bind_to_any_port("127.0.0.1")
                              : (state.server.bind_to_port("127.0.0.1", port) ? port : -1);
  if (bound <= 0) {
    throw Error(ErrorCode::kUnavailable, fmt::format("the login cannot listen on 127.0.0.1:{} for its redirect{}", port,
                                                     port == 0 ? "" : " (is the port in use? change auth.redirect_port)"));
  }
  state.redirect_uri = fmt::format("http://127.0.0.1:{}/callback", bound);
  state.thread = std::thread([&state] { state.server.listen_after_bind(); });
}

LoginCallback::~LoginCallback() {
  state_->server.stop();
  if (state_->thread.joinable()) state_->thread.join();
}

const std::string& LoginCallback::redirect_uri() const { return state_->redirect_uri; }

std::optional<net::FormFields> LoginCallback::wait(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(state_->mutex);
  state_->arrived.wait_until(lock, deadline, [&] { return state_->query.has_value(); });
  return state_->query;
}

bool open_browser(const std::string& url) {
  std::vector<std::string> argv;
  if (auto browser = get_env("BROWSER"); browser && !browser->empty()) {
    argv = {*browser, url};
  } else if (get_env("DISPLAY").value_or("").empty() && get_env("WAYLAND_DISPLAY").value_or("").empty()) {
    return false;
  } else {
    argv = {"xdg-open", url};
  }
  std::vector<char*> args;
  for (auto& arg : argv) args.push_back(arg.data());
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  // The browser's chatter is not ours to show.
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  const int status = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (status != 0) return false;
  std::thread([pid] { ::waitpid(pid, nullptr, 0); }).detach();
  return true;
}

void follow_to_callback(net::HttpClient& http, const std::string& client_name, const std::string& url,
                        const std::string& redirect_uri, const std::optional<std::string>& ca_file) {
  std::string next = url;
  for (int hop = 0; hop <= kMaxRedirects; ++hop) {
    net::HttpRequest request;
    request.url = next;
    request.connect_timeout = kStepTimeout;
    request.total_timeout = kStepTimeout;
    if (next.rfind(redirect_uri, 0) == 0) request.headers.push_back({"Connection", "close"});
    else request.ca_file = ca_file;
    const auto response = http.fetch(request, 1024 * 1024);
    if (next.rfind(redirect_uri, 0) == 0) return;  // the callback has it
    const auto location = response.head.header("location");
    if (response.head.status < 300 || response.head.status >= 400 || !location) {
      throw Error(ErrorCode::kUnauthenticated,
                  fmt::format("{}: the authorization server answered HTTP {} at {} instead of redirecting back: it "
                              "wants a person to log in (run without --no-browser)",
                              client_name, response.head.status, net::display_url(next)));
    }
    const auto resolved = net::resolve_url(next, *location);
    if (!resolved) {
      throw Error(ErrorCode::kProtocol, fmt::format("{}: the authorization server redirected to a location that is not "
                                                    "an http(s) URL",
                                                    client_name));
    }
    next = *resolved;
  }
  throw Error(ErrorCode::kUnauthenticated,
              fmt::format("{}: the authorization server redirected more than {} times without coming back", client_name,
                          kMaxRedirects));
}

}  // namespace aurite::mcp::auth
