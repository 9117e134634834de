#pragma once

#include <stdlib.h>

#include "aurite/common/error.hpp"
#include "aurite/llm/llm_client.hpp"
#include "support/scripted_http_server.hpp"

namespace aurite::llm {

// Settings pointing a provider at a scripted server, with short waits so retries are quick.
inline ProviderSettings settings_for(const std::string& provider, const testing::ScriptedHttpServer& server,
                                     const std::string& path_prefix = "") {
  ProviderSettings settings;
  settings.provider = provider;
  settings.base_url = server.base_url() + path_prefix;
  settings.api_key_env = "AURITE_TEST_API_KEY";
  settings.connect_timeout = std::chrono::milliseconds(2000);
  settings.request_timeout = std::chrono::milliseconds(5000);
  settings.retry.initial_backoff = std::chrono::milliseconds(10);
  settings.retry.max_backoff = std::chrono::milliseconds(50);
  ::setenv("AURITE_TEST_API_KEY", "sk-test-secret-1234", 1);
  return settings;
}

inline std::string sse(const std::string& event, const std::string& data) {
  return (event.empty() ? "" : "event: " + event + "\n") + "data: " + data + "\n\n";
}

}  // namespace aurite::llm
