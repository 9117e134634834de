// The file store: values sealed on disk in a folder only the user can open, and an
// update lock that processes honour, so concurrent read-modify-writes lose nothing.
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "aurite/common/error.hpp"
#include "aurite/secrets/file_secret_store.hpp"
#include "support/temp_dir.hpp"

namespace aurite::secrets {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

std::shared_ptr<const SecretBox> test_box() {
  std::array<std::uint8_t, kKeyBytes> key{};
  key.fill(3);
  return std::make_shared<const SecretBox>(key);
}

mode_t mode_of(const std::filesystem::path& path) {
  struct stat info {};
  EXPECT_EQ(::stat(path.c_str(), &info), 0) << path;
  return info.st_mode & 0777;
}

TEST(FileSecretStore, KeepsValuesSealedInAPrivateFolder) {
  testing::TempDir dir;
  FileSecretStore store(dir / "secrets", test_box());
  EXPECT_EQ(store.get("mcp-oauth/notion"), std::nullopt);
  store.put("mcp-oauth/notion", "{\"access_token\":\"tok-123\"}");
  store.put("mcp-oauth/git hub", "second");
  EXPECT_EQ(store.get("mcp-oauth/notion"), "{\"access_token\":\"tok-123\"}");
  EXPECT_THAT(store.names("mcp-oauth/"), ElementsAre("mcp-oauth/git hub", "mcp-oauth/notion"));
  EXPECT_THAT(store.names("other/"), ElementsAre());
  EXPECT_EQ(mode_of(dir / "secrets"), 0700u);
  for (const auto& entry : std::filesystem::directory_iterator(dir / "secrets")) {
    if (entry.path().extension() != ".sealed") continue;
    EXPECT_EQ(mode_of(entry.path()), 0600u) << entry.path();
    EXPECT_THAT(testing::read_text(entry.path()), Not(HasSubstr("tok-123")));
  }
  EXPECT_TRUE(store.remove("mcp-oauth/notion"));
  EXPECT_FALSE(store.remove("mcp-oauth/notion"));
  EXPECT_EQ(store.get("mcp-oauth/notion"), std::nullopt);
}

TEST(FileSecretStore, RefusesAFileThatWasTamperedWith) {
  testing::TempDir dir;
  FileSecretStore store(dir / "secrets", test_box());
  store.put("mcp-oauth/a", "token");
  const auto file = dir / "secrets" / "mcp-oauth%2Fa.sealed";
  std::string text = testing::read_text(file);
  text[text.size() - 3] = text[text.size() - 3] == 'x' ? 'y' : 'x';
  dir.write("secrets/mcp-oauth%2Fa.sealed", text);
  try {
    store.get("mcp-oauth/a");
    FAIL() << "a tampered value was opened";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kUnauthenticated);
    EXPECT_THAT(error.what(), HasSubstr("'mcp-oauth/a'"));
  }
}

// Two processes add one to the same counter 100 times each: with the lock, every
// increment is there at the end.
TEST(FileSecretStore, UpdatesFromSeveralProcessesLoseNothing) {
  testing::TempDir dir;
  const auto folder = dir / "secrets";
  FileSecretStore(folder, test_box()).put("counter", "0");
  constexpr int kProcesses = 2;
  constexpr int kIncrements = 100;
  std::vector<pid_t> children;
  for (int p = 0; p < kProcesses; ++p) {
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      int status = 0;
      try {
        FileSecretStore store(folder, test_box());
        for (int i = 0; i < kIncrements; ++i) {
          store.update("counter", [](const std::optional<std::string>& current) {
            return std::to_string(std::stoi(current.value_or("0")) + 1);
          });
        }
      } catch (...) {
        status = 1;
      }
      ::_exit(status);
    }
    children.push_back(pid);
  }
  for (const pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  EXPECT_EQ(FileSecretStore(folder, test_box()).get("counter"), std::to_string(kProcesses * kIncrements));
}

TEST(FileSecretStore, UpdateThatChangesNothingWritesNothing) {
  testing::TempDir dir;
  FileSecretStore store(dir / "secrets", test_box());
  const auto kept = store.update("absent", [](const std::optional<std::string>&) { return std::nullopt; });
  EXPECT_EQ(kept, std::nullopt);
  EXPECT_THAT(store.names(""), ElementsAre());
}

}  // namespace
}  // namespace aurite::secrets
