// The provider implementations behind make_llm_client; only llm_factory.cpp creates them.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "aurite/llm/llm_client.hpp"

namespace aurite::llm::detail {

std::unique_ptr<LlmClient> make_anthropic_client(const ProviderSettings& settings, const std::string& api_key);
std::unique_ptr<LlmClient> make_openai_client(const ProviderSettings& settings, const std::optional<std::string>& api_key);
std::unique_ptr<LlmClient> make_test_client();

// Exposed for the round-trip tests of the content-block mapping.
Json openai_request_body(const ModelRequest& request);
ModelResponse openai_response_from(const Json& json);

}  // namespace aurite::llm::detail
