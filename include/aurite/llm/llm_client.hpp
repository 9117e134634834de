// llm/llm_client — one interface in front of every model provider.
//
// Providers: "anthropic" (Messages API), "openai" (Chat Completions; with base_url also
// Ollama, vLLM, llama.cpp server, LM Studio and other compatible servers) and "test" (a
// deterministic offline model). Clients are thread-safe: one client may serve several
// agents at once.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "aurite/common/cancellation.hpp"
#include "aurite/llm/message.hpp"

namespace aurite::llm {

struct ModelRequest {
  std::string model;
  std::optional<std::string> system;
  std::vector<Message> messages;
  std::vector<ToolSpec> tools;
  std::optional<double> temperature;
  int64_t max_tokens = 4096;
  // JSON Schema the final answer must satisfy; the test model answers with an example
  // of it, real models are told about it in the system prompt by the agent.
  std::optional<Json> response_schema;
  // Set: cancelling it abandons the request (and any retry) with Error(kCancelled).
  Cancellation* cancel = nullptr;
};

// Token counts as the provider reports them, in one shape for every provider:
// `input_tokens` are those not read from a prompt cache (OpenAI's prompt_tokens less its
// cached_tokens), so input + cache_read + cache_write is the whole prompt.
struct Usage {
  int64_t input_tokens = 0;
  int64_t output_tokens = 0;
  int64_t cache_read_tokens = 0;
  int64_t cache_write_tokens = 0;

  Usage& operator+=(const Usage& other);
};

struct ModelResponse {
  Message message;          // role "assistant"
  std::string stop_reason;  // "end_turn", "tool_use", "max_tokens", "stop_sequence"
  Usage usage;
  // Streamed calls: milliseconds from the request to the first generated content.
  std::optional<double> first_token_ms;
};

// Receives text as it is generated when streaming; may be empty.
using TextDeltaHandler = std::function<void(const std::string& text_delta)>;

class LlmClient {
 public:
  virtual ~LlmClient() = default;

  // One model call. Retries 429, 5xx and connection failures with exponential backoff
  // and jitter (honouring retry-after), then throws Error(kUnavailable); a timeout
  // throws Error(kTimeout); another 4xx throws Error(kInvalidArgument) naming the
  // provider, the status and the provider's message; an answer that is not the
  // provider's format throws Error(kProtocol). With `on_text` set the call streams.
  virtual ModelResponse complete(const ModelRequest& request, const TextDeltaHandler& on_text = {}) = 0;
};

struct RetryPolicy {
  int max_retries = 3;
  std::chrono::milliseconds initial_backoff{500};
  std::chrono::milliseconds max_backoff{8000};
};

struct ProviderSettings {
  std::string provider;                 // anthropic | openai | test
  std::optional<std::string> base_url;  // default: the provider's public endpoint
  std::optional<std::string> api_key_env;  // default ANTHROPIC_API_KEY / OPENAI_API_KEY
  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::milliseconds request_timeout{120000};
  RetryPolicy retry;
};

// Creates the client for settings.provider. The API key is read from the environment
// here, once; a missing key is Error(kInvalidConfig) naming the variable (except for an
// OpenAI-compatible base_url, where local servers need none). The key never appears in
// logs or errors.
std::unique_ptr<LlmClient> make_llm_client(const ProviderSettings& settings);

}  // namespace aurite::llm
