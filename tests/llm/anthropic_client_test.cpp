// The Anthropic Messages API over real HTTP against a scripted local server.
#include <gtest/gtest.h>

#include <chrono>

#include "llm/provider_test_support.hpp"

namespace aurite::llm {
namespace {

using testing::ScriptedHttpServer;
using testing::ScriptedReply;

ModelRequest request_with_tool() {
  ModelRequest request;
  request.model = "claude-sonnet-4-5";
  request.system = "You help.";
  request.temperature = 0.2;
  request.max_tokens = 512;
  request.messages = {user_text("weather in Oslo?")};
  request.tools = {{"weather_lookup", "Looks up weather", {{"type", "object"}}}};
  return request;
}

TEST(AnthropicClient, SendsTheMessagesApiRequestAndReadsToolUse) {
  ScriptedHttpServer server;
  server.push_json(R"({"id": "msg_1", "type": "message", "role": "assistant",
    "content": [{"type": "text", "text": "Let me check."},
                {"type": "tool_use", "id": "toolu_1", "name": "weather_lookup", "input": {"location": "Oslo"}}],
    "stop_reason": "tool_use", "usage": {"input_tokens": 42, "output_tokens": 17}})");
  const auto client = make_llm_client(settings_for("anthropic", server));
  const auto response = client->complete(request_with_tool());

  EXPECT_EQ(response.stop_reason, "tool_use");
  EXPECT_EQ(response.usage.input_tokens, 42);
  EXPECT_EQ(response.usage.output_tokens, 17);
  ASSERT_EQ(tool_uses_of(response.message).size(), 1u);
  EXPECT_EQ(tool_uses_of(response.message)[0]["input"]["location"], "Oslo");

  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].path, "/v1/messages");
  EXPECT_EQ(requests[0].headers.at("x-api-key"), "sk-test-secret-1234");
  EXPECT_EQ(requests[0].headers.at("anthropic-version"), "2023-06-01");
  const auto body = Json::parse(requests[0].body);
  EXPECT_EQ(body["model"], "claude-sonnet-4-5");
  EXPECT_EQ(body["system"], "You help.");
  EXPECT_EQ(body["max_tokens"], 512);
  EXPECT_EQ(body["tools"][0]["input_schema"], (Json{{"type", "object"}}));
  EXPECT_EQ(body["messages"][0], (Json{{"role", "user"}, {"content", {{{"type", "text"}, {"text", "weather in Oslo?"}}}}}));
  EXPECT_FALSE(body.contains("stream"));
}

TEST(AnthropicClient, StreamsTextAndAssemblesToolInput) {
  ScriptedHttpServer server;
  ScriptedReply reply;
  reply.chunks = {
      sse("message_start", R"({"type":"message_start","message":{"usage":{"input_tokens":9}}})"),
      sse("content_block_start", R"({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}})"),
      sse("ping", R"({"type":"ping"})"),
      sse("content_block_delta", R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hel"}})"),
      "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,",  // split mid-event
      "\"delta\":{\"type\":\"text_delta\",\"text\":\"lo\"}}\n\n",
      sse("content_block_stop", R"({"type":"content_block_stop","index":0})"),
      sse("content_block_start", R"({"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_9","name":"weather_lookup","input":{}}})"),
      sse("content_block_delta", R"({"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"loca"}})"),
      sse("content_block_delta", R"({"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"tion\": \"Oslo\"}"}})"),
      sse("content_block_stop", R"({"type":"content_block_stop","index":1})"),
      sse("message_delta", R"({"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":12}})"),
      sse("message_stop", R"({"type":"message_stop"})")};
  server.push(reply);
  std::vector<std::string> deltas;
  const auto response = make_llm_client(settings_for("anthropic", server))
                            ->complete(request_with_tool(), [&deltas](const std::string& d) { deltas.push_back(d); });
  EXPECT_EQ(deltas, (std::vector<std::string>{"Hel", "lo"}));
  EXPECT_EQ(response.message.content[0], text_block("Hello"));
  EXPECT_EQ(response.message.content[1], tool_use_block("toolu_9", "weather_lookup", {{"location", "Oslo"}}));
  EXPECT_EQ(response.stop_reason, "tool_use");
  EXPECT_EQ(response.usage.input_tokens, 9);
  EXPECT_EQ(response.usage.output_tokens, 12);
  EXPECT_EQ(Json::parse(server.requests()[0].body)["stream"], true);
}

TEST(AnthropicClient, ReadsPromptCacheTokensAndNoFirstTokenTimeWithoutAStream) {
  ScriptedHttpServer server;
  server.push_json(R"({"content": [{"type": "text", "text": "ok"}], "stop_reason": "end_turn",
    "usage": {"input_tokens": 5, "output_tokens": 3, "cache_read_input_tokens": 1200,
              "cache_creation_input_tokens": 300}})");
  const auto response = make_llm_client(settings_for("anthropic", server))->complete(request_with_tool());
  EXPECT_EQ(response.usage.input_tokens, 5);
  EXPECT_EQ(response.usage.output_tokens, 3);
  EXPECT_EQ(response.usage.cache_read_tokens, 1200);
  EXPECT_EQ(response.usage.cache_write_tokens, 300);
  EXPECT_FALSE(response.first_token_ms);
}

// message_start carries the prompt's counts; a later message_delta may repeat some of
// them (the final counts), and what it leaves out stays.
TEST(AnthropicClient, AStreamReadsCacheTokensAndTheTimeToItsFirstContent) {
  ScriptedHttpServer server;
  ScriptedReply reply;
  reply.chunks = {
      sse("message_start", R"({"type":"message_start","message":{"usage":{"input_tokens":9,"cache_read_input_tokens":800,"cache_creation_input_tokens":40,"output_tokens":1}}})"),
      sse("content_block_start", R"({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}})"),
      sse("content_block_delta", R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}})"),
      sse("content_block_stop", R"({"type":"content_block_stop","index":0})"),
      sse("message_delta", R"({"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":12,"cache_read_input_tokens":810}})"),
      sse("message_stop", R"({"type":"message_stop"})")};
  server.push(reply);
  const auto started = std::chrono::steady_clock::now();
  const auto response =
      make_llm_client(settings_for("anthropic", server))->complete(request_with_tool(), [](const std::string&) {});
  const double total_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  EXPECT_EQ(response.usage.input_tokens, 9);
  EXPECT_EQ(response.usage.output_tokens, 12);
  EXPECT_EQ(response.usage.cache_read_tokens, 810);
  EXPECT_EQ(response.usage.cache_write_tokens, 40);
  ASSERT_TRUE(response.first_token_ms);
  EXPECT_GE(*response.first_token_ms, 0);
  EXPECT_LE(*response.first_token_ms, total_ms);
}

TEST(AnthropicClient, ErrorEventInTheStreamIsReported) {
  ScriptedHttpServer server;
  ScriptedReply reply;
  reply.chunks = {sse("error", R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})")};
  server.push(reply);
  try {
    make_llm_client(settings_for("anthropic", server))->complete(request_with_tool(), [](const std::string&) {});
    FAIL();
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kUnavailable);
    EXPECT_NE(std::string(error.what()).find("Overloaded"), std::string::npos) << error.what();
  }
}

// A missing or mistyped member used to throw the JSON library's exception out of
// complete(), which callers report as an internal error (fuzz/provider_stream_fuzz.cpp
// checks for it).
TEST(AnthropicClient, AMalformedStreamEventIsAProtocolError) {
  for (const std::string data : {R"({"type":"content_block_delta","delta":{"type":"text_delta","text":"x"}})",
                                 R"({"type":["message_start"]})"}) {
    expect_stream_protocol_error("anthropic", request_with_tool(),
                                 {sse("message_start", R"({"type":"message_start","message":{"usage":{"input_tokens":1}}})"),
                                  sse("content_block_delta", data), sse("message_stop", R"({"type":"message_stop"})")},
                                 "anthropic: malformed stream event");
  }
}

// Found by fuzz/provider_stream_fuzz.cpp: a token count of 60 digits (parsed as a double)
// was converted to an integer by a cast whose result is undefined. An index or a count
// must be a non-negative integer, streamed or not.
TEST(AnthropicClient, IndicesAndCountsThatAreNotNonNegativeIntegersAreAProtocolError) {
  const std::string huge(60, '9');
  const std::vector<std::string> events = {
      sse("content_block_start", R"({"type":"content_block_start","index":"0","content_block":{"type":"text"}})"),
      sse("content_block_start", R"({"type":"content_block_start","index":1.5,"content_block":{"type":"text"}})"),
      sse("content_block_start", R"({"type":"content_block_start","index":-1,"content_block":{"type":"text"}})"),
      sse("message_delta", R"({"type":"message_delta","delta":{},"usage":{"output_tokens":)" + huge + "}}"),
      sse("message_start", R"({"type":"message_start","message":{"usage":{"input_tokens":1e300}}})")};
  for (const auto& event : events) {
    expect_stream_protocol_error("anthropic", request_with_tool(), {event, sse("message_stop", R"({"type":"message_stop"})")},
                                 "must be a non-negative integer");
  }

  ScriptedHttpServer server;
  server.push_json(R"({"content": [], "stop_reason": "end_turn", "usage": {"input_tokens": 2.5}})");
  try {
    make_llm_client(settings_for("anthropic", server))->complete(request_with_tool());
    ADD_FAILURE() << "accepted a fractional input_tokens";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kProtocol) << error.what();
    EXPECT_NE(std::string(error.what()).find("/usage/input_tokens"), std::string::npos) << error.what();
  }
}

// Found by fuzz/provider_stream_fuzz.cpp: a block started without a type, or a delta for
// a block never started, put a content block without a type into the answer, which is
// stored in the history and sent back with the next request.
TEST(AnthropicClient, ContentBlocksWithoutATypeAreAProtocolError) {
  const std::vector<std::vector<std::string>> streams = {
      {sse("content_block_start", R"({"type":"content_block_start","index":0,"content_block":{"text":"hi"}})")},
      {sse("content_block_delta",
           R"({"type":"content_block_delta","index":3,"delta":{"type":"text_delta","text":"x"}})")}};
  for (auto events : streams) {
    events.push_back(sse("message_stop", R"({"type":"message_stop"})"));
    expect_stream_protocol_error("anthropic", request_with_tool(), events, "content_block");
  }
}

TEST(AnthropicClient, MissingApiKeyNamesTheVariable) {
  ProviderSettings settings;
  settings.provider = "anthropic";
  settings.api_key_env = "AURITE_TEST_UNSET_KEY";
  ::unsetenv("AURITE_TEST_UNSET_KEY");
  try {
    make_llm_client(settings);
    FAIL();
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kInvalidConfig);
    EXPECT_EQ(std::string(error.what()),
              "anthropic: the API key variable AURITE_TEST_UNSET_KEY is not set (export AURITE_TEST_UNSET_KEY=..., "
              "or name another variable with api_key_env; the 'test' provider needs no key)");
  }
}

}  // namespace
}  // namespace aurite::llm
