// The example servers (examples/servers/) driven through the host, as the demo uses them.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "aurite/mcp/mcp_host.hpp"
#include "mcp/mcp_test_support.hpp"
#include "support/temp_dir.hpp"

namespace aurite::mcp {
namespace {

using ::testing::HasSubstr;
using testing::example_server_path;
using testing::TempDir;

config::ClientConfig weather_client(std::map<std::string, std::string> env = {}) {
  config::ClientConfig client;
  client.client_id = "weather_server";
  client.command = example_server_path("aurite-example-weather-server").string();
  client.env = std::move(env);
  return client;
}

config::ClientConfig planning_client(const std::string& plans_dir) {
  config::ClientConfig client;
  client.client_id = "planning_server";
  client.command = example_server_path("aurite-example-planning-server").string();
  client.args = {"--plans-dir", plans_dir};
  return client;
}

TEST(mcp_examples, WeatherLookupIsDeterministicAndHonoursUnits) {
  McpHost host({weather_client()}, {});
  host.start();
  const ToolResult first = host.call_tool("weather_lookup", {{"location", "Paris"}});
  ASSERT_FALSE(first.is_error) << first.text();
  EXPECT_THAT(first.text(), HasSubstr("Paris"));
  EXPECT_EQ(host.call_tool("weather_lookup", {{"location", "Paris"}}).to_json(), first.to_json());
  const ToolResult imperial = host.call_tool("weather_lookup", {{"location", "Paris"}, {"units", "imperial"}});
  const int celsius = (*first.structured_content)["temperature"];
  EXPECT_EQ((*imperial.structured_content)["temperature"], celsius * 9 / 5 + 32);
  EXPECT_TRUE(host.call_tool("weather_lookup", Json::object()).is_error);
  EXPECT_TRUE(host.call_tool("weather_lookup", {{"location", "Paris"}, {"units", "kelvin"}}).is_error);
}

TEST(mcp_examples, CurrentTimeUsesTheFixedClockWhenSet) {
  McpHost host({weather_client({{"AURITE_EXAMPLE_FIXED_TIME", "2026-03-01T12:00:00Z"}})}, {});
  host.start();
  EXPECT_EQ(host.call_tool("current_time", Json::object()).text(), "Current time in UTC: 2026-03-01T12:00:00+00:00");
  EXPECT_EQ(host.call_tool("current_time", {{"timezone", "Asia/Tokyo"}}).text(),
            "Current time in Asia/Tokyo: 2026-03-01T21:00:00+09:00");
  EXPECT_EQ(host.call_tool("current_time", {{"timezone", "-03:30"}}).text(),
            "Current time in -03:30: 2026-03-01T08:30:00-03:30");
  EXPECT_TRUE(host.call_tool("current_time", {{"timezone", "Mars/Olympus"}}).is_error);
}

TEST(mcp_examples, PlanningSavesListsAndServesPlansAsResources) {
  TempDir dir;
  McpHost host({planning_client((dir / "plans").string())}, {});
  host.start();
  const ToolResult saved =
      host.call_tool("save_plan", {{"plan_name", "rainy day"}, {"plan_content", "Take an umbrella."}, {"tags", {"weather"}}});
  ASSERT_FALSE(saved.is_error) << saved.text();
  const std::string file = testing::read_text(dir / "plans" / "rainy day.md");
  EXPECT_THAT(file, HasSubstr("Take an umbrella."));
  EXPECT_THAT(file, HasSubstr("Tags: weather"));
  EXPECT_THAT(host.call_tool("list_plans", Json::object()).text(), HasSubstr("rainy day"));

  const auto resources = host.resources();
  ASSERT_EQ(resources.size(), 1u);
  EXPECT_EQ(resources[0].uri, "planning://plan/rainy day");
  EXPECT_THAT(host.read_resource("planning://plan/rainy day")["contents"][0]["text"].get<std::string>(),
              HasSubstr("Take an umbrella."));

  const Json prompt = host.get_prompt("create_plan_prompt", {{"subject", "a picnic"}});
  EXPECT_THAT(prompt["messages"][0]["content"]["text"].get<std::string>(), HasSubstr("a picnic"));
}

TEST(mcp_examples, PlanningRejectsNamesThatWouldLeaveThePlansFolder) {
  TempDir dir;
  McpHost host({planning_client((dir / "plans").string())}, {});
  host.start();
  for (const std::string& name : std::vector<std::string>{"../escape", "/etc/passwd", "..", ".hidden", "a/b", "", std::string(101, 'x')}) {
    const ToolResult result = host.call_tool("save_plan", {{"plan_name", name}, {"plan_content", "x"}});
    EXPECT_TRUE(result.is_error) << "accepted plan name '" << name << "'";
    EXPECT_FALSE(result.failure.has_value());
  }
  EXPECT_FALSE(std::filesystem::exists(dir / "escape.md"));
  EXPECT_TRUE(std::filesystem::is_empty(dir / "plans"));
}

}  // namespace
}  // namespace aurite::mcp
