#include "aurite/common/text.hpp"

#include <gtest/gtest.h>

namespace aurite {
namespace {

TEST(EditDistance, CountsInsertionsDeletionsAndSubstitutions) {
  EXPECT_EQ(edit_distance("", ""), 0u);
  EXPECT_EQ(edit_distance("abc", ""), 3u);
  EXPECT_EQ(edit_distance("weather_server", "wether_server"), 1u);
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
}

TEST(ClosestMatch, SuggestsOnlyLikelyTypos) {
  const std::vector<std::string> names = {"weather_server", "planning_server"};
  EXPECT_EQ(closest_match("wether_server", names), "weather_server");
  EXPECT_EQ(closest_match("planing_server", names), "planning_server");
  EXPECT_EQ(closest_match("database", names), "");
  EXPECT_EQ(closest_match("x", {}), "");
}

TEST(Trim, RemovesSurroundingWhitespaceOnly) {
  EXPECT_EQ(trim("  a b \n"), "a b");
  EXPECT_EQ(trim(""), "");
  EXPECT_EQ(to_lower("MiXeD"), "mixed");
}

}  // namespace
}  // namespace aurite

namespace aurite {
namespace {

TEST(ShellQuote, QuotesOnlyWhatAShellWouldSplitOrExpand) {
  EXPECT_EQ(shell_quote("/tmp/project/aurite_config.json"), "/tmp/project/aurite_config.json");
  EXPECT_EQ(shell_quote("/tmp/my project/aurite_config.json"), "'/tmp/my project/aurite_config.json'");
  EXPECT_EQ(shell_quote("it's $HOME"), "'it'\\''s $HOME'");
  EXPECT_EQ(shell_quote(""), "''");
}

}  // namespace
}  // namespace aurite
