#include "aurite/llm/message.hpp"

#include <gtest/gtest.h>

#include "aurite/common/error.hpp"
#include "llm/providers.hpp"

namespace aurite::llm {
namespace {

TEST(Message, TextOfJoinsTextAndToolResultText) {
  const Json content = {text_block("a"), tool_use_block("id1", "t", {{"x", 1}}),
                        tool_result_block("id1", Json::array({text_block("b")}), false), tool_result_block("id2", "c", true)};
  EXPECT_EQ(text_of(content), "a\nb\nc");
}

TEST(Message, FromJsonAcceptsStringContentAndRejectsGarbage) {
  const auto message = message_from_json({{"role", "user"}, {"content", "hi"}});
  EXPECT_EQ(message, user_text("hi"));
  EXPECT_THROW(message_from_json({{"content", "x"}}), Error);
  EXPECT_THROW(message_from_json({{"role", "user"}, {"content", 5}}), Error);
}

// Canonical blocks -> Chat Completions -> canonical blocks keeps text and tool calls.
TEST(OpenAiMapping, TextAndToolCallsSurviveTheRoundTrip) {
  ModelRequest request;
  request.model = "m";
  request.system = "be brief";
  const Message assistant{"assistant", {text_block("checking"), tool_use_block("call_1", "weather_lookup", {{"location", "Oslo"}}),
                                         tool_use_block("call_2", "current_time", Json::object())}};
  request.messages = {user_text("weather?"), assistant,
                      {"user", {tool_result_block("call_1", Json::array({text_block("rain")}), false),
                                tool_result_block("call_2", "boom", true), text_block("and tomorrow?")}}};
  const Json body = detail::openai_request_body(request);
  const Json& chat = body["messages"];
  ASSERT_EQ(chat.size(), 6u);
  EXPECT_EQ(chat[0], (Json{{"role", "system"}, {"content", "be brief"}}));
  EXPECT_EQ(chat[1], (Json{{"role", "user"}, {"content", "weather?"}}));
  EXPECT_EQ(chat[2]["tool_calls"][0]["function"]["arguments"], R"({"location":"Oslo"})");
  EXPECT_EQ(chat[3], (Json{{"role", "tool"}, {"tool_call_id", "call_1"}, {"content", "rain"}}));
  EXPECT_EQ(chat[4], (Json{{"role", "tool"}, {"tool_call_id", "call_2"}, {"content", "Error: boom"}}));
  EXPECT_EQ(chat[5], (Json{{"role", "user"}, {"content", "and tomorrow?"}}));

  // The assistant turn as OpenAI would send it back maps to the same blocks.
  const Json answer = {{"choices", {{{"message", chat[2]}, {"finish_reason", "tool_calls"}}}},
                       {"usage", {{"prompt_tokens", 10}, {"completion_tokens", 5}}}};
  const auto response = detail::openai_response_from(answer);
  EXPECT_EQ(response.message, assistant);
  EXPECT_EQ(response.stop_reason, "tool_use");
  EXPECT_EQ(response.usage.input_tokens, 10);
}

TEST(OpenAiMapping, ImagesBecomeDataUrlParts) {
  ModelRequest request;
  const Json image = {{"type", "image"}, {"source", {{"type", "base64"}, {"media_type", "image/png"}, {"data", "AAAA"}}}};
  request.messages = {Message{"user", Json::array({text_block("what is this?"), image})}};
  const Json body = detail::openai_request_body(request);
  EXPECT_EQ(body["messages"][0]["content"][1]["image_url"]["url"], "data:image/png;base64,AAAA");
}

}  // namespace
}  // namespace aurite::llm
