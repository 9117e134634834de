// The deterministic offline model the demo and the agent tests run on.
#include <gtest/gtest.h>

#include "aurite/llm/llm_client.hpp"

namespace aurite::llm {
namespace {

std::unique_ptr<LlmClient> test_model() {
  ProviderSettings settings;
  settings.provider = "test";
  return make_llm_client(settings);
}

ModelRequest weather_request() {
  ModelRequest request;
  request.messages = {user_text("weather in Oslo?")};
  request.tools = {{"weather_lookup", "weather", {{"type", "object"}, {"properties", {{"location", {{"type", "string"}}}}}}},
                   {"current_time", "time", {{"type", "object"}}}};
  return request;
}

TEST(TestProvider, FirstCallsEveryToolOnceWithArgumentsFromTheSchemaAndTheUsersWords) {
  const auto response = test_model()->complete(weather_request());
  EXPECT_EQ(response.stop_reason, "tool_use");
  const auto uses = tool_uses_of(response.message);
  ASSERT_EQ(uses.size(), 2u);
  EXPECT_EQ(uses[0]["name"], "weather_lookup");
  EXPECT_EQ(uses[0]["input"], (Json{{"location", "Oslo"}}));  // the place asked about
  EXPECT_EQ(uses[1]["name"], "current_time");
  EXPECT_NE(uses[0]["id"], uses[1]["id"]);
  EXPECT_EQ(test_model()->complete(weather_request()).message, response.message);  // deterministic
}

TEST(TestProvider, ThenAnswersFromTheToolResults) {
  auto request = weather_request();
  const auto first = test_model()->complete(request);
  request.messages.push_back(first.message);
  const auto uses = tool_uses_of(first.message);
  request.messages.push_back({"user", {tool_result_block(uses[0]["id"], Json::array({text_block("Oslo: 3 C, rain")}), false),
                                       tool_result_block(uses[1]["id"], "clock broke", true)}});
  std::string streamed;
  const auto answer = test_model()->complete(request, [&streamed](const std::string& delta) { streamed += delta; });
  EXPECT_EQ(answer.stop_reason, "end_turn");
  const std::string text = text_of(answer.message.content);
  EXPECT_NE(text.find("- weather_lookup: Oslo: 3 C, rain"), std::string::npos) << text;
  EXPECT_NE(text.find("- current_time (error): clock broke"), std::string::npos) << text;
  EXPECT_NE(text.find("This conversation has 2 earlier messages."), std::string::npos) << text;
  EXPECT_EQ(streamed, text);
}

TEST(TestProvider, AnswersWithJsonMatchingTheSchema) {
  ModelRequest request;
  request.messages = {user_text("summarise")};
  request.response_schema = Json::parse(R"({"type": "object", "properties": {"summary": {"type": "string"}, "n": {"type": "integer"}}})");
  const auto answer = Json::parse(text_of(test_model()->complete(request).message.content));
  EXPECT_EQ(answer["summary"], "summarise");
  EXPECT_EQ(answer["n"], 1);
}

TEST(TestProvider, WithoutToolsAnswersDirectlyAndCountsHistory) {
  ModelRequest request;
  request.messages = {user_text("one"), {"assistant", {text_block("ok")}}, user_text("two")};
  const auto text = text_of(test_model()->complete(request).message.content);
  EXPECT_EQ(text, "You said: two\n(This conversation has 2 earlier messages.)");
}

}  // namespace
}  // namespace aurite::llm
