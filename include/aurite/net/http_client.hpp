// net/http_client — the HTTP(S) client every outgoing connection of ours uses (remote
// MCP servers, model providers), on libcurl.
//
// What users expect of any command-line HTTP client holds here too: certificates are
// verified against the system store, or SSL_CERT_FILE / SSL_CERT_DIR, or a file the
// caller names; HTTPS_PROXY, HTTP_PROXY (either case), ALL_PROXY and NO_PROXY are
// honoured. Header values are never logged nor put into errors: they carry tokens.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aurite/common/cancellation.hpp"

namespace aurite::net {

struct HttpHeader {
  std::string name;
  std::string value;

  friend bool operator==(const HttpHeader&, const HttpHeader&) = default;
};

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<HttpHeader> headers;
  std::string body;
  std::chrono::milliseconds connect_timeout{10000};
  // The whole exchange, head and body; zero: no limit (an event stream stays open as
  // long as the server keeps it; cancel it with a Cancellation).
  std::chrono::milliseconds total_timeout{0};
  // The longest the server may send nothing at all before the exchange fails with
  // kTimeout (whole seconds, rounded up); zero: no limit.
  std::chrono::milliseconds idle_timeout{0};
  // Trusted certificates for https (PEM); unset: SSL_CERT_FILE, else the system store.
  std::optional<std::string> ca_file;
};

struct HttpResponseHead {
  long status = 0;
  std::vector<HttpHeader> headers;  // names lower-cased, in the order received

  // The first value of header `name` (any case), if the response has it.
  std::optional<std::string> header(std::string_view name) const;
  // The media type of Content-Type, lower-cased, without parameters ("text/event-stream").
  std::string media_type() const;
};

// A transfer watching a cancelled Cancellation (common/cancellation.hpp) stops at once
// and perform() throws Error(kCancelled).
using Cancellation = aurite::Cancellation;

// `url` as it may be shown: without user:password@ and with the query string (which
// may hold a token) replaced by "?...".
std::string display_url(std::string_view url);

class HttpClient {
 public:
  // Reads the body as it arrives; return false to stop reading (perform() then returns
  // normally). Called on the thread that called perform().
  using BodySink = std::function<bool(std::string_view chunk)>;
  // Sees the response head before the first piece of the body.
  using HeadSink = std::function<void(const HttpResponseHead& head)>;

  HttpClient();
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends `request` and returns the response head once the body has been read (to
  // `on_body`) or reading was stopped. Any status is a response: the caller judges it.
  // Throws Error naming the method and display_url(): kUnavailable when the server
  // cannot be reached (refused, unknown host, TLS handshake or certificate failure,
  // connection cut mid-answer, cancelled), kTimeout when a timeout of `request` passed.
  // Connections are kept alive and reused by later requests of this client.
  // Thread-safe: concurrent calls use separate connections.
  HttpResponseHead perform(const HttpRequest& request, const BodySink& on_body, Cancellation* cancel = nullptr,
                           const HeadSink& on_head = {});

  // The whole body in one string, at most `max_body` bytes (more: Error(kProtocol)).
  struct Response {
    HttpResponseHead head;
    std::string body;
  };
  Response fetch(const HttpRequest& request, std::size_t max_body, Cancellation* cancel = nullptr);

 private:
  struct Lane;
  std::unique_ptr<Lane> take_lane();
  void give_back(std::unique_ptr<Lane> lane);

  std::mutex lanes_mutex_;
  std::vector<std::unique_ptr<Lane>> idle_lanes_;  // each keeps its connections alive
};

}  // namespace aurite::net
