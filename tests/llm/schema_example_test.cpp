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

}  // namespace
}  // namespace aurite::llm
