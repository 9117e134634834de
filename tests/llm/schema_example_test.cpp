#include "aurite/llm/schema_example.hpp"

#include <gtest/gtest.h>

namespace aurite::llm {
namespace {

TEST(SchemaExample, BuildsEveryRequiredShape) {
  const Json schema = Json::parse(R"({
    "type": "object",
    "properties": {
      "summary": {"type": "string"},
      "location": {"type": "string"},
      "units": {"type": "string", "enum": ["celsius", "fahrenheit"]},
      "days": {"type": "integer", "minimum": 3},
      "ratio": {"type": ["null", "number"], "maximum": 0.5},
      "tags": {"type": "array", "items": {"type": "string"}, "minItems": 2},
      "when": {"type": "string", "format": "date-time"},
      "ok": {"type": "boolean"},
      "choice": {"anyOf": [{"type": "integer"}, {"type": "string"}]},
      "nested": {"properties": {"k": {"const": 7}}}
    },
    "required": ["summary"]
  })");
  const Json value = example_for_schema(schema, "sunny");
  EXPECT_EQ(value["summary"], "sunny");
  EXPECT_EQ(value["location"], "example location");
  EXPECT_EQ(value["units"], "celsius");
  EXPECT_EQ(value["days"], 3);
  EXPECT_EQ(value["ratio"], 0.5);
  EXPECT_EQ(value["tags"].size(), 2u);
  EXPECT_EQ(value["when"], "2025-01-01T12:00:00Z");
  EXPECT_EQ(value["ok"], true);
  EXPECT_EQ(value["choice"], 1);
  EXPECT_EQ(value["nested"]["k"], 7);
}

TEST(SchemaExample, SameSchemaSameValue) {
  const Json schema = {{"type", "object"}, {"properties", {{"a", {{"type", "string"}}}}}};
  EXPECT_EQ(example_for_schema(schema), example_for_schema(schema));
  EXPECT_EQ(example_for_schema(Json::object()), nullptr);
}

// The schema comes from an MCP server. Sizes of billions, fractions and bounds beyond
// int64_t used to be converted by casts whose results are undefined (or allocated
// gigabytes); they give a bounded example instead.
TEST(SchemaExample, HugeOrFractionalBoundsGiveABoundedExample) {
  const Json schema = Json::parse(R"({
    "type": "object",
    "properties": {
      "long": {"type": "string", "minLength": 10000000000},
      "fraction": {"type": "string", "minLength": 1e300, "maxLength": 2.5},
      "many": {"type": "array", "items": {"type": "integer"}, "minItems": 4000000000},
      "far": {"type": "integer", "minimum": 1e300},
      "below": {"type": "integer", "maximum": -1e300}
    }
  })");
  const Json value = example_for_schema(schema);
  EXPECT_EQ(value["long"].get<std::string>().size(), 4096u);
  EXPECT_EQ(value["fraction"], "example fraction");
  EXPECT_EQ(value["many"].size(), 4096u);
  EXPECT_GT(value["far"].get<std::int64_t>(), 9'000'000'000'000'000'000);
  EXPECT_LT(value["below"].get<std::int64_t>(), -9'000'000'000'000'000'000);
}

}  // namespace
}  // namespace aurite::llm
