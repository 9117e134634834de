// Where a custom workflow's module_path may point: inside the project folder, or by file
// name in an AURITE_PLUGIN_PATH folder; anywhere else only with
// AURITE_ALLOW_EXTERNAL_MODULES=true. The library used is the real example plugin.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "aurite/common/error.hpp"
#include "execution/plugin_library.hpp"
#include "storage/scoped_env.hpp"
#include "support/temp_dir.hpp"

namespace aurite::execution {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

const fs::path kPlugin = fs::path(AURITE_EXAMPLE_PLUGIN_DIR) / "libaurite_example_workflow.so";

class ModulePaths : public ::testing::Test {
 protected:
  void SetUp() override {
    env_.unset("AURITE_ALLOW_EXTERNAL_MODULES").unset("AURITE_PLUGIN_PATH");
    project_ = dir_ / "project";
    fs::create_directories(project_ / "plugins");
    fs::copy_file(kPlugin, project_ / "plugins/libinside.so");
  }

  // The error resolving `module_path` throws, or a failure when it resolves.
  Error refusal(const std::string& module_path) {
    try {
      const auto path = resolve_module_path(project_, module_path);
      ADD_FAILURE() << module_path << " resolved to " << path;
    } catch (const Error& error) {
      return error;
    }
    return Error(ErrorCode::kInternal, "not refused");
  }

  testing::ScopedEnv env_;
  testing::TempDir dir_;
  fs::path project_;
};

TEST_F(ModulePaths, APathInsideTheProjectResolvesThere) {
  EXPECT_EQ(resolve_module_path(project_, "plugins/libinside.so"), project_ / "plugins/libinside.so");
  EXPECT_EQ(resolve_module_path(project_, "./plugins/../plugins/libinside.so"), project_ / "plugins/libinside.so");
  EXPECT_EQ(resolve_module_path(project_, (project_ / "plugins/libinside.so").string()),
            project_ / "plugins/libinside.so");
}

TEST_F(ModulePaths, PathsLeavingTheProjectAreRefusedNamingThem) {
  const std::vector<std::string> outside = {"../../../../tmp/evil.so", "plugins/../../outside.so", "..",
                                            kPlugin.string(), "/tmp/evil.so"};
  for (const std::string& module_path : outside) {
    const Error error = refusal(module_path);
    EXPECT_EQ(error.code(), ErrorCode::kInvalidConfig) << module_path;
    EXPECT_THAT(error.what(), HasSubstr("module_path '" + module_path + "' leaves the project folder"));
    EXPECT_THAT(error.what(), HasSubstr("AURITE_ALLOW_EXTERNAL_MODULES"));
  }
}

TEST_F(ModulePaths, ASymbolicLinkLeadingOutIsRefused) {
  fs::create_symlink(kPlugin, project_ / "plugins/liblinked.so");
  const Error error = refusal("plugins/liblinked.so");
  EXPECT_EQ(error.code(), ErrorCode::kInvalidConfig);
  EXPECT_THAT(error.what(), HasSubstr("links out of the project folder"));
  fs::create_directory_symlink(kPlugin.parent_path(), project_ / "outside");
  EXPECT_THAT(refusal("outside/libaurite_example_workflow.so").what(), HasSubstr("links out of"));
}

TEST_F(ModulePaths, ThePluginPathIsSearchedByFileNameForPathsInside) {
  env_.set("AURITE_PLUGIN_PATH", "/nonexistent:" + kPlugin.parent_path().string());
  EXPECT_EQ(resolve_module_path(project_, "plugins/libaurite_example_workflow.so"), kPlugin);
  // The operator's folders do not launder a path that leaves the project.
  EXPECT_EQ(refusal("../elsewhere/libaurite_example_workflow.so").code(), ErrorCode::kInvalidConfig);
  EXPECT_EQ(refusal(kPlugin.string()).code(), ErrorCode::kInvalidConfig);
}

TEST_F(ModulePaths, TheInstallationsPluginFoldersAreSearchedAfterThePluginPath) {
  const fs::path prefix = dir_ / "usr";
  EXPECT_EQ(installation_plugin_folders(prefix / "bin"),
            (std::vector<fs::path>{prefix / "plugins", prefix / AURITE_PLUGIN_INSTALL_DIR}));
  EXPECT_TRUE(installation_plugin_folders("").empty());
  fs::create_directories(prefix / AURITE_PLUGIN_INSTALL_DIR);
  const fs::path installed = prefix / AURITE_PLUGIN_INSTALL_DIR / "libaurite_example_workflow.so";
  fs::copy_file(kPlugin, installed);
  const auto folders = installation_plugin_folders(prefix / "bin");
  EXPECT_EQ(resolve_module_path(project_, "plugins/libaurite_example_workflow.so", folders), installed);
  env_.set("AURITE_PLUGIN_PATH", kPlugin.parent_path().string());  // the operator's folders come first
  EXPECT_EQ(resolve_module_path(project_, "plugins/libaurite_example_workflow.so", folders), kPlugin);
  EXPECT_EQ(refusal("../elsewhere/libaurite_example_workflow.so").code(), ErrorCode::kInvalidConfig);
}

TEST_F(ModulePaths, TheOperatorMayAllowExternalLibraries) {
  env_.set("AURITE_ALLOW_EXTERNAL_MODULES", "true");
  EXPECT_EQ(resolve_module_path(project_, kPlugin.string()), kPlugin);
  fs::create_symlink(kPlugin, project_ / "plugins/liblinked.so");
  EXPECT_EQ(resolve_module_path(project_, "plugins/liblinked.so"), project_ / "plugins/liblinked.so");
  env_.set("AURITE_ALLOW_EXTERNAL_MODULES", "perhaps");
  const Error error = refusal(kPlugin.string());
  EXPECT_EQ(error.code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(error.what(), HasSubstr("AURITE_ALLOW_EXTERNAL_MODULES"));
}

TEST_F(ModulePaths, ARefusedLibraryIsNeverLoaded) {
  // The refusal comes before dlopen: a library outside with a constructor would run it.
  LoadedPlugins plugins;
  EXPECT_THROW(plugins.create(resolve_module_path(project_, kPlugin.string()), "ExampleCustomWorkflow"), Error);
  EXPECT_NE(plugins.create(resolve_module_path(project_, "plugins/libinside.so"), "ExampleCustomWorkflow"), nullptr);
}

}  // namespace
}  // namespace aurite::execution
