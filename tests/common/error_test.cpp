#include "aurite/common/error.hpp"

#include <gtest/gtest.h>

namespace aurite {
namespace {

TEST(ConfigError, MessageNamesSourceAndEveryDiagnostic) {
  const ConfigError error("project.json", {{"agents[0].name", "required field is missing"},
                                           {"", "the file is empty"}});
  EXPECT_EQ(error.code(), ErrorCode::kInvalidConfig);
  EXPECT_STREQ(error.what(),
               "project.json: 2 configuration errors\n"
               "  agents[0].name: required field is missing\n"
               "  the file is empty");
  EXPECT_EQ(error.diagnostics().size(), 2u);
}

TEST(ConfigError, SingularForOneProblem) {
  const ConfigError error("x", {{"a", "b"}});
  EXPECT_EQ(std::string(error.what()).rfind("x: 1 configuration error\n", 0), 0u) << error.what();
}

}  // namespace
}  // namespace aurite
