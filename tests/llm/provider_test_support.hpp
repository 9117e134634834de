#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <string>
#include <vector>

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

// A `provider` client sent `chunks` as its streamed answer must fail with kProtocol and a
// message containing `expected`.
inline void expect_stream_protocol_error(const std::string& provider, const ModelRequest& request,
                                         const std::vector<std::string>& chunks, const std::string& expected) {
  testing::ScriptedHttpServer server;
  testing::ScriptedReply reply;
  reply.chunks = chunks;
  server.push(reply);
  try {
    make_llm_client(settings_for(provider, server))->complete(request, [](const std::string&) {});
    ADD_FAILURE() << "accepted: " << ::testing::PrintToString(chunks);
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kProtocol) << error.what();
    EXPECT_NE(std::string(error.what()).find(expected), std::string::npos) << error.what();
  }
}

}  // namespace aurite::llm
