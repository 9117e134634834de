#include "execution/answer_schema.hpp"

#include <gtest/gtest.h>

#include "aurite/common/error.hpp"
#include "execution/tool_calls.hpp"

namespace aurite::execution::detail {
namespace {

using Json = nlohmann::json;

const Json kSchema = Json::parse(R"({"type": "object", "properties": {"temperature": {"type": "number"}},
                                     "required": ["temperature"]})");

TEST(ExtractJson, PlainOrFenced) {
  EXPECT_EQ(extract_json(R"({"a": 1})"), (Json{{"a", 1}}));
  EXPECT_EQ(extract_json("```json\n{\"a\": 1}\n```"), (Json{{"a", 1}}));
  EXPECT_EQ(extract_json("  ```\n[1]\n```  "), Json::array({1}));
  EXPECT_EQ(extract_json("It is {\"a\": 1}"), std::nullopt);
}

TEST(SchemaViolations, NamesWhatIsWrong) {
  EXPECT_TRUE(schema_violations(kSchema, {{"temperature", 3.5}}).empty());
  const auto missing = schema_violations(kSchema, Json::object());
  ASSERT_FALSE(missing.empty());
  const auto wrong_type = schema_violations(kSchema, {{"temperature", "warm"}});
  ASSERT_FALSE(wrong_type.empty());
  EXPECT_NE(wrong_type[0].find("temperature"), std::string::npos) << wrong_type[0];
}

TEST(SchemaViolations, UnusableSchemaIsAConfigError) {
  EXPECT_THROW(schema_violations({{"type", 12}}, Json::object()), Error);
}

TEST(ToolResultContent, McpBlocksBecomeModelBlocks) {
  const Json mcp = Json::parse(R"([
    {"type": "text", "text": "hello"},
    {"type": "image", "data": "AAAA", "mimeType": "image/png"},
    {"type": "resource", "resource": {"uri": "file:///a", "text": "inside"}},
    {"type": "resource", "resource": {"uri": "file:///b", "blob": "AAAA", "mimeType": "application/pdf"}},
    {"type": "resource_link", "uri": "file:///c", "name": "c"},
    {"type": "audio", "data": "AAAA", "mimeType": "audio/wav"}])");
  const Json content = tool_result_content(mcp, std::nullopt);
  ASSERT_EQ(content.size(), 6u);
  EXPECT_EQ(content[0]["text"], "hello");
  EXPECT_EQ(content[1]["source"]["media_type"], "image/png");
  EXPECT_EQ(content[2]["text"], "inside");
  EXPECT_EQ(content[3]["text"], "[binary resource file:///b (application/pdf)]");
  EXPECT_EQ(content[4]["text"], "[resource file:///c] c");
  EXPECT_EQ(content[5]["text"], "[audio audio/wav]");
  EXPECT_EQ(tool_result_content(Json::array(), Json{{"x", 1}})[0]["text"], R"({"x":1})");
}

}  // namespace
}  // namespace aurite::execution::detail
