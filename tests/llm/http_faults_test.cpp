// What the providers do when the server misbehaves: retries, clear errors, timeouts.
#include <gtest/gtest.h>

#include "llm/provider_test_support.hpp"

namespace aurite::llm {
namespace {

using testing::ScriptedHttpServer;
using testing::ScriptedReply;

constexpr const char* kOkAnswer =
    R"({"content": [{"type": "text", "text": "fine"}], "stop_reason": "end_turn", "usage": {"input_tokens": 1, "output_tokens": 1}})";

ModelRequest hello() {
  ModelRequest request;
  request.model = "claude-sonnet-4-5";
  request.messages = {user_text("hello")};
  return request;
}

Error expect_error(LlmClient& client) {
  try {
    client.complete(hello());
  } catch (const Error& error) {
    return error;
  }
  ADD_FAILURE() << "expected an error";
  return Error(ErrorCode::kInternal, "none");
}

TEST(HttpFaults, RateLimitIsRetriedAfterTheRetryAfterDelay) {
  ScriptedHttpServer server;
  ScriptedReply limited;
  limited.status = 429;
  limited.headers = {{"retry-after", "1"}};
  limited.body = R"({"type": "error", "error": {"type": "rate_limit_error", "message": "slow down"}})";
  server.push(limited);
  server.push_json(kOkAnswer);
  const auto client = make_llm_client(settings_for("anthropic", server));
  const auto started = std::chrono::steady_clock::now();
  const auto response = client->complete(hello());
  const auto waited = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(text_of(response.message.content), "fine");
  EXPECT_EQ(server.requests().size(), 2u);
  EXPECT_GE(waited, std::chrono::milliseconds(950));  // honoured retry-after: 1 (backoff alone is <= 50 ms)
}

// strtod reads "nan" and "inf"; the delay they gave was converted to milliseconds by a
// cast with undefined behaviour. A retry-after that is not a finite number is ignored.
TEST(HttpFaults, ARetryAfterThatIsNotAFiniteNumberFallsBackToTheBackoff) {
  for (const std::string value : {"nan", "inf", "-inf", "soon"}) {
    ScriptedHttpServer server;
    ScriptedReply limited;
    limited.status = 429;
    limited.headers = {{"retry-after", value}};
    limited.body = R"({"type": "error", "error": {"type": "rate_limit_error", "message": "slow down"}})";
    server.push(limited);
    server.push_json(kOkAnswer);
    const auto started = std::chrono::steady_clock::now();
    const auto response = make_llm_client(settings_for("anthropic", server))->complete(hello());
    const auto waited = std::chrono::steady_clock::now() - started;
    EXPECT_EQ(text_of(response.message.content), "fine") << value;
    EXPECT_EQ(server.requests().size(), 2u) << value;
    EXPECT_LT(waited, std::chrono::seconds(10)) << value;  // not the 300 s cap: the backoff (<= 50 ms)
  }
}

TEST(HttpFaults, ServerErrorsAreRetriedThenReportedWithStatusAndMessage) {
  ScriptedHttpServer server;
  for (int i = 0; i < 4; ++i) server.push_json(R"({"error": {"message": "internal trouble"}})", 500);
  const auto client = make_llm_client(settings_for("anthropic", server));
  const Error error = expect_error(*client);
  EXPECT_EQ(error.code(), ErrorCode::kUpstream);
  EXPECT_NE(std::string(error.what()).find("anthropic: HTTP 500"), std::string::npos) << error.what();
  EXPECT_NE(std::string(error.what()).find("internal trouble"), std::string::npos) << error.what();
  EXPECT_NE(std::string(error.what()).find("after 3 retries"), std::string::npos) << error.what();
  EXPECT_EQ(server.requests().size(), 4u);
}

TEST(HttpFaults, ClientErrorIsNotRetriedAndNamesProviderStatusAndMessage) {
  ScriptedHttpServer server;
  server.push_json(R"({"type": "error", "error": {"type": "invalid_request_error", "message": "max_tokens: too large"}})", 400);
  const auto client = make_llm_client(settings_for("anthropic", server));
  const Error error = expect_error(*client);
  EXPECT_EQ(error.code(), ErrorCode::kUpstream);
  EXPECT_NE(std::string(error.what()).find("anthropic: HTTP 400"), std::string::npos) << error.what();
  EXPECT_NE(std::string(error.what()).find("max_tokens: too large"), std::string::npos) << error.what();
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST(HttpFaults, ApiKeyNeverAppearsInErrors) {
  ScriptedHttpServer server;
  server.push_json(R"({"error": {"message": "invalid x-api-key"}})", 401);
  const auto client = make_llm_client(settings_for("anthropic", server));
  const Error error = expect_error(*client);
  EXPECT_EQ(std::string(error.what()).find("sk-test-secret-1234"), std::string::npos) << error.what();
  EXPECT_EQ(error.code(), ErrorCode::kUpstream);
  EXPECT_NE(std::string(error.what()).find("check the API key in"), std::string::npos) << error.what();
}

TEST(HttpFaults, AKeyTheProviderQuotesBackIsMaskedInErrors) {
  for (const char* provider : {"anthropic", "openai"}) {
    ScriptedHttpServer server;
    server.push_json(R"({"error": {"message": "invalid key sk-test-secret-1234, check it"}})", 401);
    server.push_json("not json, but sk-test-secret-1234 all the same", 403);
    const auto client = make_llm_client(settings_for(provider, server));
    for (int i = 0; i < 2; ++i) {
      const Error error = expect_error(*client);
      EXPECT_EQ(std::string(error.what()).find("sk-test-secret-1234"), std::string::npos) << error.what();
      EXPECT_NE(std::string(error.what()).find("***"), std::string::npos) << error.what();
    }
  }
}

TEST(HttpFaults, MalformedJsonIsAProtocolError) {
  ScriptedHttpServer server;
  server.push_json("{\"content\": [oops");
  const Error error = expect_error(*make_llm_client(settings_for("anthropic", server)));
  EXPECT_EQ(error.code(), ErrorCode::kProtocol);
  EXPECT_NE(std::string(error.what()).find("not JSON"), std::string::npos) << error.what();
}

TEST(HttpFaults, WrongShapeIsAProtocolError) {
  ScriptedHttpServer server;
  server.push_json(R"({"unexpected": true})");
  EXPECT_EQ(expect_error(*make_llm_client(settings_for("anthropic", server))).code(), ErrorCode::kProtocol);
}

TEST(HttpFaults, HangingServerTimesOut) {
  ScriptedHttpServer server;
  ScriptedReply hang;
  hang.hang = true;
  server.push(hang);
  auto settings = settings_for("anthropic", server);
  settings.request_timeout = std::chrono::milliseconds(700);
  const auto started = std::chrono::steady_clock::now();
  const Error error = expect_error(*make_llm_client(settings));
  EXPECT_EQ(error.code(), ErrorCode::kTimeout);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
}

TEST(HttpFaults, RefusedConnectionIsRetriedThenUnavailableNamingTheAddress) {
  int port = 0;
  {
    ScriptedHttpServer closed;  // take a free port, then free it again
    port = closed.port();
  }
  ProviderSettings settings;
  settings.provider = "anthropic";
  settings.base_url = "http://127.0.0.1:" + std::to_string(port);
  settings.api_key_env = "AURITE_TEST_API_KEY";
  settings.retry.initial_backoff = std::chrono::milliseconds(5);
  ::setenv("AURITE_TEST_API_KEY", "k", 1);
  const Error error = expect_error(*make_llm_client(settings));
  EXPECT_EQ(error.code(), ErrorCode::kUnavailable);
  EXPECT_NE(std::string(error.what()).find("127.0.0.1:" + std::to_string(port)), std::string::npos) << error.what();
}

TEST(HttpFaults, StreamCutBeforeTheEndIsReported) {
  ScriptedHttpServer server;
  ScriptedReply cut;
  cut.chunks = {sse("message_start", R"({"type":"message_start","message":{"usage":{"input_tokens":1}}})")};
  cut.drop_after_chunks = true;
  server.push(cut);
  try {
    make_llm_client(settings_for("anthropic", server))->complete(hello(), [](const std::string&) {});
    FAIL();
  } catch (const Error& error) {
    EXPECT_TRUE(error.code() == ErrorCode::kProtocol || error.code() == ErrorCode::kUnavailable) << error.what();
  }
  EXPECT_EQ(server.requests().size(), 1u);  // never retried once data was delivered
}

TEST(HttpFaults, BadBaseUrlIsAConfigError) {
  ProviderSettings settings;
  settings.provider = "openai";
  settings.base_url = "ftp://example";
  EXPECT_THROW(make_llm_client(settings), Error);
}

}  // namespace
}  // namespace aurite::llm
