// The test model's tool arguments take the user's words where a string argument asks for
// a place or for the user's text, so an offline run answers about what was asked.
#include <gtest/gtest.h>

#include "llm/user_words.hpp"

namespace aurite::llm::detail {
namespace {

const Json kWeatherSchema = Json::parse(R"({"type": "object", "required": ["location"], "properties": {
  "location": {"type": "string", "description": "City or place name"},
  "units": {"type": "string", "enum": ["metric", "imperial"], "default": "metric"}}})");

TEST(UserWords, APlaceIsTheCapitalisedWordsThatDoNotStartTheSentence) {
  EXPECT_EQ(place_in("What should I wear in Oslo today?"), "Oslo");
  EXPECT_EQ(place_in("Plan my day in New York, please"), "New York");
  EXPECT_EQ(place_in("Is it raining in Frankfurt am Main?"), "Frankfurt am Main");
  EXPECT_EQ(place_in("Should I bring a coat to São Paulo?"), "São Paulo");
  EXPECT_EQ(place_in("On Monday I fly to Lima."), "Lima");  // after "to", not the weekday
  EXPECT_EQ(place_in("Oslo Bergen trip. Weather in Tromsø?"), "Tromsø");
}

TEST(UserWords, AMessageOfCapitalisedWordsIsItselfThePlace) {
  EXPECT_EQ(place_in("Lima"), "Lima");
  EXPECT_EQ(place_in("Rio de Janeiro"), "Rio de Janeiro");
}

TEST(UserWords, ALowerCasePlaceIsTheLastWordAfterIn) {
  EXPECT_EQ(place_in("weather in oslo?"), "oslo");
  EXPECT_EQ(place_in("what to wear in winter?"), "");
  EXPECT_EQ(place_in("what is it like in the morning"), "");
}

TEST(UserWords, NoPlaceInWordsThatOnlyStartSentencesOrArePronounsOrDates) {
  EXPECT_EQ(place_in("And tomorrow?"), "");
  EXPECT_EQ(place_in("What do I wear on Friday in March?"), "");
  EXPECT_EQ(place_in(""), "");
  EXPECT_EQ(place_in("?!"), "");
}

TEST(UserWords, ThePlaceOfTheQuestionGoesIntoALocationArgument) {
  const Json arguments =
      arguments_from_words(kWeatherSchema, {user_text("What should I wear in Oslo today?")});
  EXPECT_EQ(arguments, (Json{{"location", "Oslo"}, {"units", "metric"}}));  // the enum keeps its default
}

TEST(UserWords, AFollowUpWithoutAPlaceTakesThePlaceOfAnEarlierQuestion) {
  const std::vector<Message> messages = {
      user_text("Weather in Oslo?"), {"assistant", {text_block("Rain.")}}, user_text("And tomorrow?")};
  EXPECT_EQ(arguments_from_words(kWeatherSchema, messages)["location"], "Oslo");
}

TEST(UserWords, WithoutAnyPlaceTheSchemaExampleStays) {
  EXPECT_EQ(arguments_from_words(kWeatherSchema, {user_text("And tomorrow?")})["location"],
            "example location");
  EXPECT_EQ(arguments_from_words(kWeatherSchema, {})["location"], "example location");
}

TEST(UserWords, TextArgumentsGetTheMessageAndNamesGetThePlace) {
  const Json schema = Json::parse(R"({"type": "object", "properties": {
    "plan_name": {"type": "string"}, "plan_content": {"type": "string"}, "searchQuery": {"type": "string"},
    "destination_code": {"type": "string", "format": "uuid"}, "count": {"type": "integer"},
    "notes": {"type": "string", "description": "The topic to write about"},
    "label": {"type": "string", "description": "A name for it"}}})");
  const std::string question = "Plan my day in Lima";
  const Json arguments = arguments_from_words(schema, {user_text(question)});
  EXPECT_EQ(arguments["plan_name"], "Lima");
  EXPECT_EQ(arguments["plan_content"], question);
  EXPECT_EQ(arguments["searchQuery"], question);  // camelCase is split into words
  EXPECT_EQ(arguments["notes"], question);        // the description asks for a topic
  EXPECT_EQ(arguments["destination_code"], "00000000-0000-4000-8000-000000000000");  // a format wins
  EXPECT_EQ(arguments["count"], 1);
  EXPECT_EQ(arguments["label"], "example label");  // a description's "name" is not a name field
}

TEST(UserWords, ToolResultsAreNotQuestions) {
  const std::vector<Message> messages = {
      user_text("Weather in Oslo?"),
      {"user", {tool_result_block("toolu_1", Json::array({text_block("Weather in Lima: sunny")}), false)}}};
  EXPECT_EQ(arguments_from_words(kWeatherSchema, messages)["location"], "Oslo");
}

}  // namespace
}  // namespace aurite::llm::detail
