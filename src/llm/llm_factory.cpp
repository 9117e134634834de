// The one place that knows every provider.
#include <fmt/format.h>

#include "aurite/common/env.hpp"
#include "aurite/common/error.hpp"
#include "llm/providers.hpp"

namespace aurite::llm {

Usage& Usage::operator+=(const Usage& other) {
  input_tokens += other.input_tokens;
  output_tokens += other.output_tokens;
  cache_read_tokens += other.cache_read_tokens;
  cache_write_tokens += other.cache_write_tokens;
  return *this;
}


namespace {

// What to do about a missing key, for someone who has never set one.
std::string key_hint(const std::string& variable) {
  return fmt::format(" (export {}=..., or name another variable with api_key_env; the 'test' provider needs no key)",
                     variable);
}

}  // namespace

std::unique_ptr<LlmClient> make_llm_client(const ProviderSettings& settings) {
  if (settings.provider == "test") return detail::make_test_client();
  if (settings.provider != "anthropic" && settings.provider != "openai") {
    throw Error(ErrorCode::kInvalidConfig,
                fmt::format("unknown provider '{}' (expected anthropic, openai or test)", settings.provider));
  }
  const bool anthropic = settings.provider == "anthropic";
  // The variable is named in every error about the key (unset here, refused later).
  ProviderSettings resolved = settings;
  const std::string variable = settings.api_key_env.value_or(anthropic ? "ANTHROPIC_API_KEY" : "OPENAI_API_KEY");
  resolved.api_key_env = variable;
  std::optional<std::string> key = get_env(variable);
  if (key && key->empty()) key.reset();
  if (anthropic) {
    if (!key) throw Error(ErrorCode::kInvalidConfig, fmt::format("anthropic: the API key variable {} is not set{}", variable, key_hint(variable)));
    return detail::make_anthropic_client(resolved, *key);
  }
  // A compatible server on another base_url (Ollama, llama.cpp, ...) often needs no key.
  if (!key && !settings.base_url) {
    throw Error(ErrorCode::kInvalidConfig, fmt::format("openai: the API key variable {} is not set{}", variable, key_hint(variable)));
  }
  return detail::make_openai_client(resolved, key);
}

}  // namespace aurite::llm
