// Every bad file of the corpus is rejected as a whole, with each expected problem named.
#include <gtest/gtest.h>

#include "aurite/common/error.hpp"
#include "aurite/config/project_file.hpp"
#include "support/bad_config_corpus.hpp"
#include "support/temp_dir.hpp"

namespace aurite::config {
namespace {

using testing::BadConfigCase;

class BadConfigCorpus : public ::testing::TestWithParam<BadConfigCase> {};

TEST_P(BadConfigCorpus, IsRejectedWithEveryExpectedProblem) {
  const auto& c = GetParam();
  ASSERT_FALSE(c.expected.empty()) << c.name << ".expect is missing or empty";
  try {
    load_project_file(c.file);
    FAIL() << c.name << " was accepted";
  } catch (const ConfigError& error) {
    const std::string message = error.what();
    EXPECT_EQ(error.source(), c.file.string());
    for (const auto& expected : c.expected) {
      EXPECT_NE(message.find(expected), std::string::npos) << "missing: " << expected << "\nin:\n" << message;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Files, BadConfigCorpus, ::testing::ValuesIn(testing::bad_config_corpus()),
                         [](const auto& info) { return info.param.name; });

TEST(BadConfigFile, DirectoryInsteadOfAFile) {
  testing::TempDir dir;
  EXPECT_THROW(
      {
        try {
          load_project_file(dir.path());
        } catch (const ConfigError& error) {
          EXPECT_NE(std::string(error.what()).find("is a folder with neither"), std::string::npos) << error.what();
          throw;
        }
      },
      ConfigError);
}

TEST(BadConfigFile, MissingFileNamesThePath) {
  try {
    load_project_file("/nonexistent/aurite_config.json");
    FAIL();
  } catch (const ConfigError& error) {
    EXPECT_STREQ(error.what(), "/nonexistent/aurite_config.json: 1 configuration error\n  no such file");
  }
}

}  // namespace
}  // namespace aurite::config
