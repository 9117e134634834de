// The loopback end of a login (RFC 8252 §7.3): a listener on 127.0.0.1 that receives
// the authorization server's redirect, and the two ways of getting the person (or an
// automated server) there: a browser, or fetching the URL and following its redirects.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "aurite/net/http_client.hpp"
#include "aurite/net/url.hpp"

namespace aurite::mcp::auth {

class LoginCallback {
 public:
  // Listens on 127.0.0.1:`port` (0: a free port). Throws Error(kUnavailable) naming
  // host:port when it cannot.
  explicit LoginCallback(int port);
  ~LoginCallback();
  LoginCallback(const LoginCallback&) = delete;
  LoginCallback& operator=(const LoginCallback&) = delete;

  // http://127.0.0.1:PORT/callback
  const std::string& redirect_uri() const;

  // The query of the first request to /callback; nullopt when none came by `deadline`.
  std::optional<net::FormFields> wait(std::chrono::steady_clock::time_point deadline);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Starts the system's browser on `url` where there is a desktop to show it (BROWSER, or
// xdg-open with DISPLAY / WAYLAND_DISPLAY); false when there is none. Never waits for it.
bool open_browser(const std::string& url);

// Automation's login: GETs `url` and follows its redirects (at most 10) until one leads
// to `redirect_uri`, which is then fetched too, so the callback receives it. Throws
// Error(kUnauthenticated) naming the client when the server answers something else (a
// login page wants a person: use a browser).
void follow_to_callback(net::HttpClient& http, const std::string& client_name, const std::string& url,
                        const std::string& redirect_uri, const std::optional<std::string>& ca_file);

}  // namespace aurite::mcp::auth
