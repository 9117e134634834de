#include "aurite/common/env.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include "aurite/common/error.hpp"

namespace aurite {
namespace {

TEST(ParseBool, AcceptsEverySpellingInAnyCase) {
  for (const char* yes : {"true", "TRUE", "True", "1", "yes", "Yes", "on", " ON "}) {
    EXPECT_EQ(parse_bool(yes), true) << yes;
  }
  for (const char* no : {"false", "False", "0", "no", "NO", "off", "Off"}) {
    EXPECT_EQ(parse_bool(no), false) << no;
  }
}

TEST(ParseBool, RejectsAnythingElse) {
  for (const char* bad : {"", "2", "truthy", "y", "n", "enable", "t"}) {
    EXPECT_EQ(parse_bool(bad), std::nullopt) << bad;
  }
}

TEST(EnvBool, UnsetOrEmptyGivesTheFallback) {
  ::unsetenv("AURITE_TEST_FLAG");
  EXPECT_TRUE(env_bool("AURITE_TEST_FLAG", true));
  ::setenv("AURITE_TEST_FLAG", "", 1);
  EXPECT_FALSE(env_bool("AURITE_TEST_FLAG", false));
  ::unsetenv("AURITE_TEST_FLAG");
}

TEST(EnvBool, BadValueIsAnErrorNamingTheVariableAndValue) {
  ::setenv("AURITE_TEST_FLAG", "maybe", 1);
  try {
    env_bool("AURITE_TEST_FLAG", false);
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(std::string(error.what()).find("AURITE_TEST_FLAG='maybe'"), std::string::npos) << error.what();
  }
  ::unsetenv("AURITE_TEST_FLAG");
}

}  // namespace
}  // namespace aurite
