#include "aurite/net/http_client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <exception>

#include <fmt/format.h>

#include "aurite/common/env.hpp"
#include "aurite/common/error.hpp"
#include "aurite/common/text.hpp"

namespace aurite::net {
namespace {

// Lines of a response head we keep (a server sending more is not one we talk to).
constexpr std::size_t kMaxHeaderLines = 256;
// How long one wait for the network lasts before the loop looks again; a cancel wakes it
// at once, so this only bounds the cost of a wake-up that got lost.
constexpr int kPollMilliseconds = 1000;

void ensure_curl_initialised() {
  // curl_global_init is not for concurrent first use; a function-local static is.
  static const CURLcode status = curl_global_init(CURL_GLOBAL_DEFAULT);
  if (status != CURLE_OK) {
    throw Error(ErrorCode::kInternal, std::string("libcurl cannot start: ") + curl_easy_strerror(status));
  }
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r' || text.back() == '\n')) {
    text.remove_suffix(1);
  }
  return text;
}

std::string first_set(std::initializer_list<const char*> names) {
  for (const char* name : names) {
    if (auto value = get_env(name); value && !value->empty()) return *value;
  }
  return {};
}

// The proxy for `url` as users expect of any command-line client: both spellings of each
// variable (curl alone ignores HTTP_PROXY), ALL_PROXY as the fallback. Empty: none.
std::string proxy_for(std::string_view url) {
  const bool https = to_lower(url.substr(0, 8)) == "https://";
  const std::string proxy = https ? first_set({"https_proxy", "HTTPS_PROXY"}) : first_set({"http_proxy", "HTTP_PROXY"});
  return proxy.empty() ? first_set({"all_proxy", "ALL_PROXY"}) : proxy;
}

struct HeaderList {
  curl_slist* list = nullptr;
  HeaderList() = default;
  HeaderList(const HeaderList&) = delete;
  HeaderList& operator=(const HeaderList&) = delete;
  ~HeaderList() { curl_slist_free_all(list); }
  void add(const std::string& line) {
    curl_slist* grown = curl_slist_append(list, line.c_str());
    if (grown == nullptr) throw Error(ErrorCode::kInternal, "out of memory building HTTP headers");
    list = grown;
  }
};

// What the callbacks of one transfer share with perform().
struct Transfer {
  CURL* easy = nullptr;
  const HttpClient::BodySink* on_body = nullptr;
  const HttpClient::HeadSink* on_head = nullptr;
  HttpResponseHead head;
  bool head_done = false;
  bool stopped = false;  // the body sink asked to stop
  std::exception_ptr failure;

  void finish_head() {
    if (head_done) return;
    head_done = true;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &head.status);
    if (on_head != nullptr && *on_head) (*on_head)(head);
  }
};

std::size_t on_header_line(char* data, std::size_t size, std::size_t count, void* user) {
  auto& transfer = *static_cast<Transfer*>(user);
  const std::string_view line(data, size * count);
  if (line.rfind("HTTP/", 0) == 0) {
    transfer.head.headers.clear();  // a new status line: 100 Continue came before
    return size * count;
  }
  const auto colon = line.find(':');
  if (colon != std::string_view::npos && transfer.head.headers.size() < kMaxHeaderLines) {
    transfer.head.headers.push_back({to_lower(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1)))});
  }
  return size * count;
}

std::size_t on_body_bytes(char* data, std::size_t size, std::size_t count, void* user) {
  auto& transfer = *static_cast<Transfer*>(user);
  try {
    transfer.finish_head();
    if (transfer.on_body != nullptr && *transfer.on_body &&
        !(*transfer.on_body)(std::string_view(data, size * count))) {
      transfer.stopped = true;
      return 0;  // ends the transfer; perform() knows it was asked to
    }
  } catch (...) {
    transfer.failure = std::current_exception();
    return 0;
  }
  return size * count;
}

}  // namespace

std::optional<std::string> HttpResponseHead::header(std::string_view name) const {
  const std::string wanted = to_lower(name);
  for (const auto& h : headers) {
    if (h.name == wanted) return h.value;
  }
  return std::nullopt;
}

std::string HttpResponseHead::media_type() const {
  const std::string type = header("content-type").value_or("");
  return to_lower(trim(std::string_view(type).substr(0, type.find(';'))));
}

std::string display_url(std::string_view url) {
  std::string out(url.substr(0, url.find('#')));
  const auto scheme_end = out.find("://");
  const auto authority = scheme_end == std::string::npos ? 0 : scheme_end + 3;
  const auto path = out.find_first_of("/?", authority);
  const auto at = out.rfind('@', path == std::string::npos ? std::string::npos : path);
  if (at != std::string::npos && at >= authority) out.erase(authority, at + 1 - authority);
  const auto query = out.find('?');
  if (query != std::string::npos) out = out.substr(0, query) + "?...";
  return out;
}

struct HttpClient::Lane {
  CURLM* multi = curl_multi_init();
  CURL* easy = curl_easy_init();
  Lane() {
    if (multi == nullptr || easy == nullptr) throw Error(ErrorCode::kInternal, "libcurl cannot create a handle");
  }
  Lane(const Lane&) = delete;
  Lane& operator=(const Lane&) = delete;
  ~Lane() {
    curl_easy_cleanup(easy);
    curl_multi_cleanup(multi);
  }
};

HttpClient::HttpClient() { ensure_curl_initialised(); }
HttpClient::~HttpClient() = default;

std::unique_ptr<HttpClient::Lane> HttpClient::take_lane() {
  {
    std::lock_guard lock(lanes_mutex_);
    if (!idle_lanes_.empty()) {
      auto lane = std::move(idle_lanes_.back());
      idle_lanes_.pop_back();
      return lane;
    }
  }
  return std::make_unique<Lane>();
}

void HttpClient::give_back(std::unique_ptr<Lane> lane) {
  std::lock_guard lock(lanes_mutex_);
  idle_lanes_.push_back(std::move(lane));
}

HttpResponseHead HttpClient::perform(const HttpRequest& request, const BodySink& on_body, Cancellation* cancel,
                                     const HeadSink& on_head) {
  const std::string where = request.method + " " + display_url(request.url);
  auto lane = take_lane();
  CURL* easy = lane->easy;
  // Keeps the connection cache (the lane's multi handle) but no option of the last request.
  curl_easy_reset(easy);
  Transfer transfer;
  transfer.easy = easy;
  transfer.on_body = &on_body;
  transfer.on_head = &on_head;
  char error_text[CURL_ERROR_SIZE] = {0};
  HeaderList headers;
  // A POST would otherwise wait for "100 Continue" before sending a large body.
  headers.add("Expect:");
  // libcurl drops "Name:" (that is how a default header is removed); "Name;" sends it empty.
  for (const auto& h : request.headers) headers.add(h.value.empty() ? h.name + ";" : h.name + ": " + h.value);

  curl_easy_setopt(easy, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, error_text);
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers.list);
  curl_easy_setopt(easy, CURLOPT_USERAGENT, "aurite");
  curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(easy, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(request.connect_timeout.count()));
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(request.total_timeout.count()));
  if (request.idle_timeout.count() > 0) {
    // Less than one byte a second for that long: libcurl's way of saying "silent".
    curl_easy_setopt(easy, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(easy, CURLOPT_LOW_SPEED_TIME, static_cast<long>((request.idle_timeout.count() + 999) / 1000));
  }
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_header_line);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, &transfer);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body_bytes);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &transfer);
  if (request.method == "GET") {
    curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
  } else {
    curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
  if (!request.body.empty() || request.method == "POST") {
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  }
  const std::string ca_file = request.ca_file.value_or(get_env("SSL_CERT_FILE").value_or(""));
  if (!ca_file.empty()) curl_easy_setopt(easy, CURLOPT_CAINFO, ca_file.c_str());
  const std::string ca_dir = get_env("SSL_CERT_DIR").value_or("");
  if (!ca_dir.empty()) curl_easy_setopt(easy, CURLOPT_CAPATH, ca_dir.c_str());
  // Chosen here rather than by libcurl from the environment, so both spellings count.
  const std::string proxy = proxy_for(request.url);
  curl_easy_setopt(easy, CURLOPT_PROXY, proxy.c_str());
  const std::string no_proxy = first_set({"no_proxy", "NO_PROXY"});
  if (!no_proxy.empty()) curl_easy_setopt(easy, CURLOPT_NOPROXY, no_proxy.c_str());

  CURLM* multi = lane->multi;
  curl_multi_add_handle(multi, easy);
  auto wakes = watch(cancel, [multi] { curl_multi_wakeup(multi); });
  bool cancelled = false;
  CURLMcode loop_status = CURLM_OK;
  for (int running = 1;;) {
    if (cancel != nullptr && cancel->cancelled()) {
      cancelled = true;
      break;
    }
    loop_status = curl_multi_perform(multi, &running);
    if (loop_status != CURLM_OK || running == 0) break;
    loop_status = curl_multi_poll(multi, nullptr, 0, kPollMilliseconds, nullptr);
    if (loop_status != CURLM_OK) break;
  }
  CURLcode result = CURLE_OK;
  int left = 0;
  while (CURLMsg* message = curl_multi_info_read(multi, &left)) {
    if (message->msg == CURLMSG_DONE && message->easy_handle == easy) result = message->data.result;
  }
  // Mid-transfer (cancelled) this closes the connection, so nothing half-read is reused.
  curl_multi_remove_handle(multi, easy);
  wakes.reset();
  // An options pointer into this frame must not outlive it.
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, nullptr);
  give_back(std::move(lane));

  if (transfer.failure) std::rethrow_exception(transfer.failure);
  if (cancelled) throw Error(ErrorCode::kCancelled, where + ": cancelled");
  if (loop_status != CURLM_OK) {
    throw Error(ErrorCode::kInternal, where + ": libcurl: " + curl_multi_strerror(loop_status));
  }
  if (result == CURLE_WRITE_ERROR && transfer.stopped) return transfer.head;
  if (result != CURLE_OK) {
    const std::string why = error_text[0] != '\0' ? std::string(error_text) : curl_easy_strerror(result);
    if (result == CURLE_OPERATION_TIMEDOUT) throw Error(ErrorCode::kTimeout, where + ": " + why);
    if (result == CURLE_PARTIAL_FILE || result == CURLE_RECV_ERROR || result == CURLE_GOT_NOTHING) {
      throw Error(ErrorCode::kUnavailable, where + ": the connection closed before the answer was complete (" + why + ")");
    }
    throw Error(ErrorCode::kUnavailable, where + ": " + why);
  }
  transfer.finish_head();
  return transfer.head;
}

HttpClient::Response HttpClient::fetch(const HttpRequest& request, std::size_t max_body, Cancellation* cancel) {
  Response response;
  bool too_long = false;
  response.head = perform(
      request,
      [&](std::string_view chunk) {
        if (response.body.size() + chunk.size() > max_body) {
          too_long = true;
          return false;
        }
        response.body.append(chunk);
        return true;
      },
      cancel);
  if (too_long) {
    throw Error(ErrorCode::kProtocol, fmt::format("{} {}: the answer is longer than {} bytes", request.method,
                                                  display_url(request.url), max_body));
  }
  return response;
}

}  // namespace aurite::net
