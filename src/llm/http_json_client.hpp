// POSTs JSON to a model provider over HTTP(S) with the retry rules of LlmClient:
// 429, 5xx and connection failures are retried with exponential backoff and full
// jitter (a retry-after header wins), other answers become errors naming the provider.
// The connection is net::HttpClient's: certificates, SSL_CERT_FILE and the proxy
// variables count as they do for remote MCP servers, and it is kept alive between calls.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "aurite/llm/llm_client.hpp"
#include "aurite/net/http_client.hpp"

namespace aurite::llm::detail {

// "https://api.openai.com/v1" -> {"https://api.openai.com", "/v1"}.
struct Endpoint {
  std::string origin;       // scheme://host[:port]
  std::string path_prefix;  // "" or "/v1" (no trailing slash)
};
// Throws Error(kInvalidConfig) naming the URL when it is not http(s)://host[:port][/path].
Endpoint parse_base_url(const std::string& provider, const std::string& url);

class HttpJsonClient {
 public:
  // `headers` go with every request; values are never logged (they hold API keys).
  HttpJsonClient(std::string provider, const std::string& base_url,
                 std::map<std::string, std::string> headers, const ProviderSettings& settings);

  // The parsed JSON body of a 2xx answer to POST path.
  Json post(const std::string& path, const Json& body, Cancellation* cancel = nullptr) const;

  // Streams the body of a 2xx answer to `on_chunk` as it arrives. Retries only while
  // nothing has been received, so no chunk is ever delivered twice.
  void post_stream(const std::string& path, const Json& body,
                   const std::function<void(std::string_view)>& on_chunk, Cancellation* cancel = nullptr) const;

  const std::string& provider() const { return provider_; }

 private:
  struct Attempt;
  // Tries send(request, attempt) until it succeeds or the retry rules say stop.
  template <typename Send>
  void with_retries(const std::string& path, Cancellation* cancel, Send send) const;

  std::string provider_;
  Endpoint endpoint_;
  std::map<std::string, std::string> headers_;
  ProviderSettings settings_;
  std::shared_ptr<net::HttpClient> http_ = std::make_shared<net::HttpClient>();
};

}  // namespace aurite::llm::detail
