// Chat Completions (OpenAI and compatible servers) over real HTTP against a scripted server.
#include <gtest/gtest.h>

#include "llm/provider_test_support.hpp"

namespace aurite::llm {
namespace {

using testing::ScriptedHttpServer;
using testing::ScriptedReply;

ModelRequest simple_request() {
  ModelRequest request;
  request.model = "llama3.2";
  request.messages = {user_text("hi")};
  request.tools = {{"weather_lookup", "Looks up weather", {{"type", "object"}}}};
  return request;
}

TEST(OpenAiClient, BaseUrlPathPrefixAndBearerKey) {
  ScriptedHttpServer server;
  server.push_json(R"({"choices": [{"message": {"role": "assistant", "content": "Hello!"}, "finish_reason": "stop"}],
                      "usage": {"prompt_tokens": 3, "completion_tokens": 2}})");
  const auto response = make_llm_client(settings_for("openai", server, "/v1/"))->complete(simple_request());
  EXPECT_EQ(response.message.content, Json::array({text_block("Hello!")}));
  EXPECT_EQ(response.stop_reason, "end_turn");
  const auto request = server.requests().at(0);
  EXPECT_EQ(request.path, "/v1/chat/completions");
  EXPECT_EQ(request.headers.at("authorization"), "Bearer sk-test-secret-1234");
  const auto body = Json::parse(request.body);
  EXPECT_EQ(body["tools"][0]["type"], "function");
  EXPECT_EQ(body["tools"][0]["function"]["name"], "weather_lookup");
}

TEST(OpenAiClient, CompatibleServerWithoutKeySendsNoAuthorization) {
  ScriptedHttpServer server;
  server.push_json(R"({"choices": [{"message": {"content": "ok"}, "finish_reason": "stop"}]})");
  auto settings = settings_for("openai", server, "/v1");
  settings.api_key_env = "AURITE_TEST_NO_KEY";
  ::unsetenv("AURITE_TEST_NO_KEY");
  make_llm_client(settings)->complete(simple_request());
  EXPECT_EQ(server.requests().at(0).headers.count("authorization"), 0u);
}

TEST(OpenAiClient, StreamsTextAndToolCallChunks) {
  ScriptedHttpServer server;
  ScriptedReply reply;
  reply.chunks = {
      sse("", R"({"choices":[{"index":0,"delta":{"role":"assistant","content":"Che"}}]})"),
      sse("", R"({"choices":[{"index":0,"delta":{"content":"cking"}}]})"),
      sse("", R"({"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"weather_lookup","arguments":""}}]}}]})"),
      sse("", R"({"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"location\":"}}]}}]})"),
      sse("", R"({"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"Oslo\"}"}}]}}]})"),
      sse("", R"({"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]})"),
      sse("", R"({"choices":[],"usage":{"prompt_tokens":11,"completion_tokens":7}})"),
      sse("", "[DONE]")};
  server.push(reply);
  std::string streamed;
  const auto response = make_llm_client(settings_for("openai", server))
                            ->complete(simple_request(), [&streamed](const std::string& d) { streamed += d; });
  EXPECT_EQ(streamed, "Checking");
  EXPECT_EQ(response.message.content[0], text_block("Checking"));
  EXPECT_EQ(response.message.content[1], tool_use_block("call_1", "weather_lookup", {{"location", "Oslo"}}));
  EXPECT_EQ(response.stop_reason, "tool_use");
  EXPECT_EQ(response.usage.input_tokens, 11);
  const auto body = Json::parse(server.requests()[0].body);
  EXPECT_EQ(body["stream"], true);
  EXPECT_EQ(body["stream_options"]["include_usage"], true);
}

// prompt_tokens counts the cached tokens too: ours are split into input and cache read.
TEST(OpenAiClient, CachedPromptTokensAreCountedApartInAnswersAndStreams) {
  ScriptedHttpServer server;
  server.push_json(R"({"choices": [{"message": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 1000, "completion_tokens": 20, "prompt_tokens_details": {"cached_tokens": 768}}})");
  ScriptedReply reply;
  reply.chunks = {sse("", R"({"choices":[{"index":0,"delta":{"role":"assistant","content":"ok"}}]})"),
                  sse("", R"({"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]})"),
                  sse("", R"({"choices":[],"usage":{"prompt_tokens":50,"completion_tokens":2,"prompt_tokens_details":null}})"),
                  sse("", "[DONE]")};
  server.push(reply);
  const auto client = make_llm_client(settings_for("openai", server));
  const auto answer = client->complete(simple_request());
  EXPECT_EQ(answer.usage.input_tokens, 232);
  EXPECT_EQ(answer.usage.cache_read_tokens, 768);
  EXPECT_EQ(answer.usage.output_tokens, 20);
  EXPECT_FALSE(answer.first_token_ms);
  const auto streamed = client->complete(simple_request(), [](const std::string&) {});
  EXPECT_EQ(streamed.usage.input_tokens, 50);
  EXPECT_EQ(streamed.usage.cache_read_tokens, 0);
  EXPECT_EQ(streamed.usage.output_tokens, 2);
  ASSERT_TRUE(streamed.first_token_ms);
  EXPECT_GE(*streamed.first_token_ms, 0);
}

// These used to throw the JSON library's exceptions out of complete(), which callers
// report as an internal error (fuzz/provider_stream_fuzz.cpp checks for it).
TEST(OpenAiClient, AMalformedStreamChunkIsAProtocolError) {
  for (const std::string data : {R"({"choices":[{"index":0,"delta":{"tool_calls":[7]}}]})"}) {
    expect_stream_protocol_error("openai", simple_request(), {sse("", data), sse("", "[DONE]")}, "openai: malformed stream event");
  }
}

// Converting a fraction or an out-of-range number to an integer is undefined behaviour,
// so an index or a count must be a non-negative integer.
TEST(OpenAiClient, IndicesAndCountsThatAreNotNonNegativeIntegersAreAProtocolError) {
  for (const std::string data : {R"({"choices":[],"usage":{"prompt_tokens":"11"}})",
                                 R"({"choices":[],"usage":{"completion_tokens":-4}})",
                                 R"({"choices":[{"index":0,"delta":{"tool_calls":[{"index":1e300,"id":"c"}]}}]})",
                                 R"({"choices":[{"index":0,"delta":{"tool_calls":[{"index":0.5,"id":"c"}]}}]})"}) {
    expect_stream_protocol_error("openai", simple_request(), {sse("", data), sse("", "[DONE]")}, "must be a non-negative integer");
  }
}

TEST(OpenAiClient, AnErrorReportedAsPlainTextInTheStreamIsUnavailable) {
  ScriptedHttpServer server;
  ScriptedReply reply;
  reply.chunks = {sse("", R"({"error":"model is overloaded"})")};
  server.push(reply);
  try {
    make_llm_client(settings_for("openai", server))->complete(simple_request(), [](const std::string&) {});
    FAIL();
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kUnavailable);
    EXPECT_NE(std::string(error.what()).find("model is overloaded"), std::string::npos) << error.what();
  }
}

TEST(OpenAiClient, ImagesOfToolResultsFollowTheToolMessagesAsImageParts) {
  ScriptedHttpServer server;
  server.push_json(R"({"choices": [{"message": {"content": "a red dot"}, "finish_reason": "stop"}]})");
  ModelRequest request = simple_request();
  request.messages.push_back({"assistant", Json::array({tool_use_block("call_1", "snapshot", Json::object())})});
  const Json image = {{"type", "image"}, {"source", {{"type", "base64"}, {"media_type", "image/png"}, {"data", "iVBORw0KGgo"}}}};
  request.messages.push_back(
      {"user", Json::array({{{"type", "tool_result"}, {"tool_use_id", "call_1"},
                             {"content", Json::array({text_block("one image"), image})}}})});
  make_llm_client(settings_for("openai", server))->complete(request);
  const auto messages = Json::parse(server.requests().at(0).body)["messages"];
  ASSERT_EQ(messages.size(), 4u) << messages.dump();
  EXPECT_EQ(messages[2]["role"], "tool");
  EXPECT_EQ(messages[2]["content"], "one image");
  EXPECT_EQ(messages[3]["role"], "user");
  EXPECT_EQ(messages[3]["content"][0]["text"], "Image returned by tool call \"call_1\":");
  EXPECT_EQ(messages[3]["content"][1]["type"], "image_url");
  EXPECT_EQ(messages[3]["content"][1]["image_url"]["url"], "data:image/png;base64,iVBORw0KGgo");
}

TEST(OpenAiClient, InvalidToolArgumentsAreAProtocolError) {
  ScriptedHttpServer server;
  server.push_json(R"({"choices": [{"message": {"tool_calls": [{"id": "c", "type": "function",
                      "function": {"name": "t", "arguments": "{not json"}}]}, "finish_reason": "tool_calls"}]})");
  try {
    make_llm_client(settings_for("openai", server))->complete(simple_request());
    FAIL();
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kProtocol);
  }
}

}  // namespace
}  // namespace aurite::llm
