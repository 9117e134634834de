// The provider implementations behind make_llm_client; only llm_factory.cpp creates them.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "aurite/common/error.hpp"
#include "aurite/llm/llm_client.hpp"
#include "aurite/net/sse_parser.hpp"

namespace aurite::llm::detail {

using net::SseEvent;
using net::SseParser;

std::unique_ptr<LlmClient> make_anthropic_client(const ProviderSettings& settings, const std::string& api_key);
std::unique_ptr<LlmClient> make_openai_client(const ProviderSettings& settings, const std::optional<std::string>& api_key);
std::unique_ptr<LlmClient> make_test_client();

class HttpJsonClient;

// Rebuilds an answer a provider streams as Server-Sent Events. on_event throws Error:
// kProtocol for an event that breaks the provider's protocol (malformed JSON, missing or
// mistyped members; never the JSON library's own exceptions), kUnavailable for an error
// the provider reports in the stream. finish throws kProtocol for a stream cut short.
class StreamDecoder {
 public:
  explicit StreamDecoder(std::string provider) : provider_(std::move(provider)) {}
  virtual ~StreamDecoder() = default;

  // Streams `body` to `path` and returns the answer these events make, with the time to
  // its first content.
  ModelResponse stream(const HttpJsonClient& http, const std::string& path, const Json& body,
                       Cancellation* cancel);

  void on_event(const SseEvent& event) {
    try {
      decode(event);
    } catch (const Json::exception& error) {
      // A member missing or of the wrong type: the provider broke its protocol.
      throw Error(ErrorCode::kProtocol, provider_ + ": malformed stream event: " + error.what());
    }
  }
  virtual ModelResponse finish() = 0;

 protected:
  // May let the JSON library's exceptions out; on_event turns them into kProtocol.
  virtual void decode(const SseEvent& event) = 0;
  // Called by decode when an event carries generated content (text or a tool call).
  void mark_first_token() {
    if (!first_token_at_) first_token_at_ = std::chrono::steady_clock::now();
  }

 private:
  std::string provider_;
  std::optional<std::chrono::steady_clock::time_point> first_token_at_;
};

// A token count or a block index from a provider's answer at `where` in `object`: `fallback`
// when absent, else a non-negative integer that fits int64_t. Anything else is kProtocol
// naming the provider and the member, never a conversion: the JSON library casts a
// fraction or an out-of-range number, which is undefined behaviour. A member missing
// without a fallback, or `object` not an object, throws the JSON library's exception, which
// StreamDecoder::on_event reports as a malformed event.
std::int64_t provider_integer(const Json& object, const Json::json_pointer& where, const std::string& provider,
                              std::optional<std::int64_t> fallback = std::nullopt);

// `on_text` must outlive the decoder. Exposed so the event streams can be fuzzed offline.
std::unique_ptr<StreamDecoder> make_anthropic_stream_decoder(const TextDeltaHandler& on_text);
std::unique_ptr<StreamDecoder> make_openai_stream_decoder(const TextDeltaHandler& on_text);

// Exposed for the round-trip tests of the content-block mapping.
Json openai_request_body(const ModelRequest& request);
ModelResponse openai_response_from(const Json& json);

}  // namespace aurite::llm::detail
