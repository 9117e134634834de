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

namespace aurite {
namespace {

TEST(ExpandEnvReferences, ReplacesEachReferenceAndKeepsTheRest) {
  ::setenv("AURITE_TEST_TOKEN", "t0ken", 1);
  ::setenv("AURITE_TEST_HOST", "db.example", 1);
  EXPECT_EQ(expand_env_references("Bearer ${AURITE_TEST_TOKEN}", "x"), "Bearer t0ken");
  EXPECT_EQ(expand_env_references("${AURITE_TEST_HOST}:${AURITE_TEST_TOKEN}", "x"), "db.example:t0ken");
  EXPECT_EQ(expand_env_references("cost $5 and $HOME stay", "x"), "cost $5 and $HOME stay");
  EXPECT_EQ(expand_env_references("$${AURITE_TEST_TOKEN} is literal", "x"), "${AURITE_TEST_TOKEN} is literal");
  ::unsetenv("AURITE_TEST_TOKEN");
  ::unsetenv("AURITE_TEST_HOST");
}

TEST(ExpandEnvReferences, AnUnsetVariableIsAConfigErrorNamingWhereAndTheVariable) {
  ::unsetenv("AURITE_TEST_MISSING");
  try {
    expand_env_references("--token=${AURITE_TEST_MISSING}", "client 'gh' args[1]");
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kInvalidConfig);
    EXPECT_EQ(std::string(error.what()), "client 'gh' args[1]: environment variable AURITE_TEST_MISSING is not set");
  }
}

TEST(ExpandEnvReferences, AMalformedReferenceIsAConfigError) {
  for (const char* bad : {"${UNCLOSED", "${}", "${1ABC}", "${A-B}"}) {
    try {
      expand_env_references(bad, "client 'gh' command");
      FAIL() << bad;
    } catch (const Error& error) {
      EXPECT_EQ(error.code(), ErrorCode::kInvalidConfig) << bad;
      EXPECT_NE(std::string(error.what()).find("client 'gh' command"), std::string::npos) << error.what();
    }
  }
}

}  // namespace
}  // namespace aurite
