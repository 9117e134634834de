// Where a client's bare `command` is found: PATH first, then the folders of the
// installation (the running program's folder, <prefix>/libexec/aurite).
#include <sys/stat.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "aurite/common/error.hpp"
#include "mcp/program_lookup.hpp"
#include "support/temp_dir.hpp"

namespace aurite::mcp::detail {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::filesystem::path executable(const aurite::testing::TempDir& dir, const std::string& name) {
  const auto path = dir.write(name, "#!/bin/sh\n");
  ::chmod(path.c_str(), 0755);
  return path;
}

TEST(mcp_program_lookup, ABareCommandOnPathIsLeftToExec) {
  aurite::testing::TempDir dir;
  executable(dir, "on-path/aurite-lookup-probe");
  executable(dir, "install/bin/aurite-lookup-probe");
  EXPECT_EQ(resolve_command("aurite-lookup-probe", (dir / "on-path").string(), {dir / "install/bin"}),
            "aurite-lookup-probe");
}

TEST(mcp_program_lookup, ACommandMissingFromPathIsTakenFromTheProgramsFolder) {
  aurite::testing::TempDir dir;
  const auto server = executable(dir, "install/bin/aurite-lookup-probe");
  EXPECT_EQ(
      resolve_command("aurite-lookup-probe", "/usr/bin:/bin", installation_folders(dir / "install/bin")),
      server.string());
}

TEST(mcp_program_lookup, AnInstalledProgramFindsTheServersInItsPrefixLibexec) {
  aurite::testing::TempDir dir;
  const auto prefix = dir / "usr";
  EXPECT_THAT(installation_folders(prefix / "bin"), ElementsAre(prefix / "bin", prefix / "libexec/aurite"));
  EXPECT_THAT(installation_folders(dir / "build/bin/tools"), ElementsAre(dir / "build/bin/tools"));
  const auto server = executable(dir, "usr/libexec/aurite/aurite-lookup-probe");
  EXPECT_EQ(resolve_command("aurite-lookup-probe", "/usr/bin:/bin", installation_folders(prefix / "bin")),
            server.string());
}

TEST(mcp_program_lookup, AFileThatIsNotExecutableIsSkipped) {
  aurite::testing::TempDir dir;
  dir.write("first/aurite-lookup-probe", "not a program\n");
  const auto second = executable(dir, "second/aurite-lookup-probe");
  EXPECT_EQ(resolve_command("aurite-lookup-probe", "/usr/bin", {dir / "first", dir / "second"}),
            second.string());
}

TEST(mcp_program_lookup, APathWithASlashOrARelativePathEntryIsLeftToExec) {
  aurite::testing::TempDir dir;
  executable(dir, "install/aurite-lookup-probe");
  EXPECT_EQ(resolve_command("./aurite-lookup-probe", "/usr/bin", {dir / "install"}), "./aurite-lookup-probe");
  EXPECT_EQ(resolve_command("aurite-lookup-probe", "/usr/bin::/bin", {dir / "install"}),
            "aurite-lookup-probe");
  EXPECT_EQ(resolve_command("aurite-lookup-probe", "tools:/bin", {dir / "install"}), "aurite-lookup-probe");
}

TEST(mcp_program_lookup, AProgramFoundNowhereIsUnavailableNamingEveryFolderSearched) {
  aurite::testing::TempDir dir;
  try {
    resolve_command("aurite-no-such-server", "/usr/bin:/bin", {dir / "bin", dir / "libexec/aurite"});
    FAIL() << "a missing program was found";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kUnavailable);
    EXPECT_THAT(error.what(), HasSubstr("'aurite-no-such-server'"));
    EXPECT_THAT(error.what(),
                HasSubstr("PATH, " + (dir / "bin").string() + ", " + (dir / "libexec/aurite").string()));
  }
}

}  // namespace
}  // namespace aurite::mcp::detail
