#include "llm/http_json_client.hpp"

#include "llm/providers.hpp"

#include <spdlog/spdlog.h>

#include <cctype>
#include <condition_variable>
#include <mutex>
#include <cmath>
#include <random>
#include <regex>
#include <thread>

#include <fmt/format.h>

#include "aurite/common/error.hpp"

namespace aurite::llm::detail {
namespace {

using Clock = std::chrono::steady_clock;

bool is_retryable_status(int status) { return status == 429 || status == 529 || (status >= 500 && status <= 599); }

// The provider's own error message when the body is its JSON error shape
// ({"error": {"message": ...}} for both Anthropic and OpenAI), else the start of the body.
std::string error_message_of(const std::string& body) {
  const Json json = Json::parse(body, nullptr, false);
  if (json.is_object() && json.contains("error")) {
    const Json& error = json["error"];
    if (error.is_object() && error.contains("message") && error["message"].is_string()) {
      return error["message"].get<std::string>();
    }
    if (error.is_string()) return error.get<std::string>();
  }
  return body.size() > 300 ? body.substr(0, 300) + "..." : body;
}

// `text` with the credentials among `headers` (an API key, a bearer token) replaced by
// "***": a provider may quote the key it refused, and its message goes into our errors.
std::string without_credentials(std::string text, const std::map<std::string, std::string>& headers) {
  for (const auto& [name, value] : headers) {
    std::string lower = name;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower != "authorization" && lower != "x-api-key" && lower != "api-key") continue;
    std::string secret = value;
    if (secret.rfind("Bearer ", 0) == 0) secret.erase(0, 7);
    if (secret.empty()) continue;
    for (auto at = text.find(secret); at != std::string::npos; at = text.find(secret, at + 3)) {
      text.replace(at, secret.size(), "***");
    }
  }
  return text;
}

// Seconds from a retry-after header (the HTTP-date form is not used by model providers).
std::optional<std::chrono::milliseconds> retry_after_of(const net::HttpResponseHead& head) {
  const auto value = head.header("retry-after");
  if (!value) return std::nullopt;
  char* end = nullptr;
  const double seconds = std::strtod(value->c_str(), &end);
  // "nan" or "inf" parse too; converting them to an integer would be undefined.
  if (end == value->c_str() || !std::isfinite(seconds) || seconds < 0) return std::nullopt;
  return std::chrono::milliseconds(static_cast<int64_t>(std::min(seconds, 300.0) * 1000));
}

// The HTTP client's reason without its "POST url: " prefix (we name the URL ourselves).
std::string reason_of(const Error& error, const std::string& prefix) {
  const std::string text = error.what();
  return text.rfind(prefix, 0) == 0 ? text.substr(prefix.size()) : text;
}

// Error answers are quoted, not kept whole.
constexpr std::size_t kMaxErrorBody = 64 * 1024;
// A non-streamed answer is one JSON document; past this it is not one we can use.
constexpr std::size_t kMaxAnswerBytes = 64u * 1024u * 1024u;

std::chrono::milliseconds backoff_for(const RetryPolicy& policy, int retry) {
  static thread_local std::mt19937_64 random(std::random_device{}());
  const auto cap = std::min<int64_t>(policy.max_backoff.count(), policy.initial_backoff.count() << std::min(retry, 20));
  std::uniform_int_distribution<int64_t> jitter(0, std::max<int64_t>(cap, 0));
  return std::chrono::milliseconds(jitter(random));
}

// The pause before a retry, which a cancel ends at once with Error(kCancelled).
void wait_unless_cancelled(std::chrono::milliseconds delay, Cancellation* cancel, const std::string& where) {
  std::mutex mutex;
  std::condition_variable woken;
  bool cancelled = false;
  auto wakes = watch(cancel, [&] {
    std::lock_guard lock(mutex);
    cancelled = true;
    woken.notify_all();
  });
  std::unique_lock lock(mutex);
  woken.wait_for(lock, delay, [&] { return cancelled; });
  if (cancelled) throw Error(ErrorCode::kCancelled, "POST " + where + ": cancelled");
}

}  // namespace

Endpoint parse_base_url(const std::string& provider, const std::string& url) {
  static const std::regex kUrl(R"(^(https?://[^/\s?#]+)(/[^\s?#]*)?$)");
  std::smatch match;
  if (!std::regex_match(url, match, kUrl)) {
    throw Error(ErrorCode::kInvalidConfig,
                fmt::format("{}: base_url '{}' is not http(s)://host[:port][/path]", provider, url));
  }
  std::string prefix = match[2].str();
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  return {match[1].str(), prefix};
}

HttpJsonClient::HttpJsonClient(std::string provider, const std::string& base_url,
                               std::map<std::string, std::string> headers, const ProviderSettings& settings)
    : provider_(std::move(provider)),
      endpoint_(parse_base_url(provider_, base_url)),
      headers_(std::move(headers)),
      settings_(settings) {}

// What one try produced: an answer (status > 0) or a transport failure.
struct HttpJsonClient::Attempt {
  int status = 0;
  std::string body;             // the whole body (non-streaming, or an error answer)
  net::HttpResponseHead head;
  bool delivered = false;       // a streamed chunk already went to the caller
};

template <typename Send>
void HttpJsonClient::with_retries(const std::string& path, Cancellation* cancel, Send send) const {
  const std::string url = endpoint_.origin + endpoint_.path_prefix + path;
  const std::string where = net::display_url(url);
  for (int retry = 0;; ++retry) {
    net::HttpRequest request;
    request.method = "POST";
    request.url = url;
    request.connect_timeout = settings_.connect_timeout;
    request.headers.push_back({"Content-Type", "application/json"});
    for (const auto& [name, value] : headers_) request.headers.push_back({name, value});

    Attempt attempt;
    std::string failure;
    try {
      send(request, attempt);
      if (attempt.status >= 200 && attempt.status < 300) return;
    } catch (const Error& error) {
      const std::string reason = reason_of(error, "POST " + where + ": ");
      if (error.code() == ErrorCode::kTimeout) {
        throw Error(ErrorCode::kTimeout,
                    fmt::format("{}: no answer from {} within the timeout ({})", provider_, where, reason));
      }
      if (error.code() != ErrorCode::kUnavailable) throw;
      attempt.status = 0;  // an interrupted stream is a failure even after a 200
      failure = fmt::format("{}: cannot reach {}: {}", provider_, where, reason);
    }
    std::optional<std::chrono::milliseconds> wait;
    if (attempt.status != 0) {
      failure = fmt::format("{}: HTTP {} from {}: {}", provider_, attempt.status, where,
                            without_credentials(error_message_of(attempt.body), headers_));
      if ((attempt.status == 401 || attempt.status == 403) && settings_.api_key_env) {
        failure += fmt::format(" (check the API key in {})", *settings_.api_key_env);
      }
      if (!is_retryable_status(attempt.status)) throw Error(ErrorCode::kUpstream, failure);
      wait = retry_after_of(attempt.head);
    }
    if (attempt.delivered || retry >= settings_.retry.max_retries) {
      // The provider answered, with an error: upstream's fault. No answer at all: unreachable.
      throw Error(attempt.status > 0 ? ErrorCode::kUpstream : ErrorCode::kUnavailable,
                  retry > 0 ? fmt::format("{} (after {} retries)", failure, retry) : failure);
    }
    const auto delay = wait.value_or(backoff_for(settings_.retry, retry));
    spdlog::warn("{}; retrying in {} ms", failure, delay.count());
    wait_unless_cancelled(delay, cancel, where);
  }
}

Json HttpJsonClient::post(const std::string& path, const Json& body, Cancellation* cancel) const {
  const std::string payload = body.dump();
  std::string answer;
  with_retries(path, cancel, [&](net::HttpRequest& request, Attempt& attempt) {
    request.body = payload;
    // Nothing comes before the whole answer, so its silence is its duration.
    request.total_timeout = settings_.request_timeout;
    auto response = http_->fetch(request, kMaxAnswerBytes, cancel);
    attempt.status = static_cast<int>(response.head.status);
    attempt.head = std::move(response.head);
    attempt.body = std::move(response.body);
    if (attempt.status >= 200 && attempt.status < 300) answer = std::move(attempt.body);
  });
  Json json = Json::parse(answer, nullptr, false);
  if (json.is_discarded()) {
    throw Error(ErrorCode::kProtocol, fmt::format("{}: the answer is not JSON: {}", provider_,
                                                  answer.substr(0, 200)));
  }
  return json;
}

void HttpJsonClient::post_stream(const std::string& path, const Json& body,
                                 const std::function<void(std::string_view)>& on_chunk, Cancellation* cancel) const {
  const std::string payload = body.dump();
  with_retries(path, cancel, [&](net::HttpRequest& request, Attempt& attempt) {
    request.body = payload;
    request.headers.push_back({"Accept", "text/event-stream"});
    // A stream may take minutes in all; what must not last is its silence.
    request.idle_timeout = settings_.request_timeout;
    const auto ok = [&attempt] { return attempt.status >= 200 && attempt.status < 300; };
    attempt.head = http_->perform(
        request,
        [&](std::string_view chunk) {
          if (!ok()) {
            attempt.body.append(chunk.substr(0, kMaxErrorBody - std::min(kMaxErrorBody, attempt.body.size())));
            return true;
          }
          attempt.delivered = true;
          on_chunk(chunk);
          return true;
        },
        cancel, [&attempt](const net::HttpResponseHead& head) { attempt.status = static_cast<int>(head.status); });
    attempt.status = static_cast<int>(attempt.head.status);
  });
}

ModelResponse StreamDecoder::stream(const HttpJsonClient& http, const std::string& path, const Json& body,
                                    Cancellation* cancel) {
  const auto started = std::chrono::steady_clock::now();
  SseParser parser([this](const SseEvent& event) { on_event(event); });
  http.post_stream(path, body, [&parser](std::string_view chunk) { parser.feed(chunk); }, cancel);
  parser.finish();
  ModelResponse response = finish();
  if (first_token_at_) response.first_token_ms = std::chrono::duration<double, std::milli>(*first_token_at_ - started).count();
  return response;
}

}  // namespace aurite::llm::detail
