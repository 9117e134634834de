#include "llm/http_json_client.hpp"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <cctype>
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
std::optional<std::chrono::milliseconds> retry_after_of(const httplib::Headers& headers) {
  const auto it = headers.find("retry-after");
  if (it == headers.end()) return std::nullopt;
  char* end = nullptr;
  const double seconds = std::strtod(it->second.c_str(), &end);
  // "nan" or "inf" parse too; converting them to an integer would be undefined.
  if (end == it->second.c_str() || !std::isfinite(seconds) || seconds < 0) return std::nullopt;
  return std::chrono::milliseconds(static_cast<int64_t>(std::min(seconds, 300.0) * 1000));
}

std::chrono::milliseconds backoff_for(const RetryPolicy& policy, int retry) {
  static thread_local std::mt19937_64 random(std::random_device{}());
  const auto cap = std::min<int64_t>(policy.max_backoff.count(), policy.initial_backoff.count() << std::min(retry, 20));
  std::uniform_int_distribution<int64_t> jitter(0, std::max<int64_t>(cap, 0));
  return std::chrono::milliseconds(jitter(random));
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
  httplib::Headers headers;
  httplib::Error error = httplib::Error::Success;
  bool delivered = false;       // a streamed chunk already went to the caller
};

template <typename Send>
void HttpJsonClient::with_retries(const std::string& path, Send send) const {
  const std::string where = endpoint_.origin + endpoint_.path_prefix + path;
  for (int retry = 0;; ++retry) {
    httplib::Client client(endpoint_.origin);
    const auto to_timeval = [](std::chrono::milliseconds ms) {
      return std::pair<time_t, time_t>(ms.count() / 1000, (ms.count() % 1000) * 1000);
    };
    const auto [connect_s, connect_us] = to_timeval(settings_.connect_timeout);
    const auto [read_s, read_us] = to_timeval(settings_.request_timeout);
    client.set_connection_timeout(connect_s, connect_us);
    client.set_read_timeout(read_s, read_us);
    client.set_write_timeout(read_s, read_us);
    httplib::Headers headers;
    for (const auto& [name, value] : headers_) headers.emplace(name, value);

    const auto started = Clock::now();
    Attempt attempt = send(client, endpoint_.path_prefix + path, headers);
    if (attempt.status >= 200 && attempt.status < 300) return;

    std::string failure;
    std::optional<std::chrono::milliseconds> wait;
    if (attempt.status == 0) {
      // The library reports a read timeout and a connection closed mid-answer alike;
      // only the clock tells them apart.
      const bool timed_out = attempt.error == httplib::Error::ConnectionTimeout ||
                             (attempt.error == httplib::Error::Read &&
                              Clock::now() - started >= settings_.request_timeout - std::chrono::milliseconds(50));
      if (timed_out) {
        throw Error(ErrorCode::kTimeout, fmt::format("{}: no answer from {} within the timeout ({})", provider_,
                                                     where, httplib::to_string(attempt.error)));
      }
      failure = fmt::format("{}: cannot reach {}: {}", provider_, where, httplib::to_string(attempt.error));
    } else {
      failure = fmt::format("{}: HTTP {} from {}: {}", provider_, attempt.status, where,
                            without_credentials(error_message_of(attempt.body), headers_));
      if ((attempt.status == 401 || attempt.status == 403) && settings_.api_key_env) {
        failure += fmt::format(" (check the API key in {})", *settings_.api_key_env);
      }
      if (!is_retryable_status(attempt.status)) throw Error(ErrorCode::kUpstream, failure);
      wait = retry_after_of(attempt.headers);
    }
    if (attempt.delivered || retry >= settings_.retry.max_retries) {
      // The provider answered, with an error: upstream's fault. No answer at all: unreachable.
      throw Error(attempt.status > 0 ? ErrorCode::kUpstream : ErrorCode::kUnavailable,
                  retry > 0 ? fmt::format("{} (after {} retries)", failure, retry) : failure);
    }
    const auto delay = wait.value_or(backoff_for(settings_.retry, retry));
    spdlog::warn("{}; retrying in {} ms", failure, delay.count());
    std::this_thread::sleep_for(delay);
  }
}

Json HttpJsonClient::post(const std::string& path, const Json& body) const {
  const std::string payload = body.dump();
  std::string answer;
  with_retries(path, [&](httplib::Client& client, const std::string& full_path, const httplib::Headers& headers) {
    Attempt attempt;
    auto result = client.Post(full_path.c_str(), headers, payload, "application/json");
    if (!result) {
      attempt.error = result.error();
      return attempt;
    }
    attempt.status = result->status;
    attempt.body = std::move(result->body);
    attempt.headers = result->headers;
    if (attempt.status >= 200 && attempt.status < 300) answer = attempt.body;
    return attempt;
  });
  Json json = Json::parse(answer, nullptr, false);
  if (json.is_discarded()) {
    throw Error(ErrorCode::kProtocol, fmt::format("{}: the answer is not JSON: {}", provider_,
                                                  answer.substr(0, 200)));
  }
  return json;
}

void HttpJsonClient::post_stream(const std::string& path, const Json& body,
                                 const std::function<void(std::string_view)>& on_chunk) const {
  const std::string payload = body.dump();
  with_retries(path, [&](httplib::Client& client, const std::string& full_path, const httplib::Headers& headers) {
    Attempt attempt;
    httplib::Request request;
    request.method = "POST";
    request.path = full_path;
    request.headers = headers;
    request.set_header("Accept", "text/event-stream");
    request.body = payload;
    request.set_header("Content-Type", "application/json");
    request.response_handler = [&attempt](const httplib::Response& response) {
      attempt.status = response.status;
      attempt.headers = response.headers;
      return true;
    };
    // An exception must not unwind through the HTTP library: park it, stop the
    // transfer, and rethrow it here.
    std::exception_ptr failure;
    request.content_receiver = [&](const char* data, size_t length, uint64_t, uint64_t) {
      if (attempt.status < 200 || attempt.status >= 300) {
        attempt.body.append(data, length);
        return true;
      }
      attempt.delivered = true;
      try {
        on_chunk(std::string_view(data, length));
        return true;
      } catch (...) {
        failure = std::current_exception();
        return false;
      }
    };
    httplib::Response response;
    httplib::Error error = httplib::Error::Success;
    const bool sent = client.send(request, response, error);
    if (failure) std::rethrow_exception(failure);
    if (!sent) {
      attempt.error = error;
      attempt.status = 0;  // an interrupted stream is a failure even after a 200
    }
    return attempt;
  });
}

}  // namespace aurite::llm::detail
