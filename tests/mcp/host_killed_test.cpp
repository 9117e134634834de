// A host killed outright (SIGKILL: no destructors, no shutdown) must not leave its
// servers running, even a server busy in a long call that would not notice the end of
// its input for a minute.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "mcp/mcp_test_support.hpp"
#include "support/temp_dir.hpp"

extern char** environ;

namespace aurite::mcp {
namespace {

using testing::child_processes;
using testing::wait_until;

std::size_t thread_count(pid_t pid) {
  std::error_code ignored;
  std::size_t n = 0;
  for (auto it = std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", ignored);
       it != std::filesystem::directory_iterator(); ++it) {
    ++n;
  }
  return n;
}

TEST(mcp_host_killed, ItsServersDieWithIt) {
  // Orphans are re-parented to us, so we can reap them and see how they ended.
  ASSERT_EQ(::prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
  testing::TempDir dir;
  const nlohmann::json project = {
      {"clients", {{{"client_id", "busy"}, {"command", testing::test_server_path().string()}, {"timeout", 60}}}}};
  const auto config = dir.write("aurite_config.json", project.dump());

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  std::vector<std::string> args = {AURITE_CLI_PATH, "--config", config.string(), "call-tool", "sleep",
                                   "--args", R"({"ms":60000})"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t cli = -1;
  ASSERT_EQ(::posix_spawn(&cli, argv[0], &actions, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&actions);

  // Wait until the server runs the long call (a worker thread beside its main thread).
  pid_t server = -1;
  ASSERT_TRUE(wait_until([&] {
    const auto children = child_processes(cli);
    server = children.empty() ? -1 : children.front();
    return server > 0 && thread_count(server) >= 2;
  })) << "the server never started its call";

  ASSERT_EQ(::kill(cli, SIGKILL), 0);
  ASSERT_EQ(::waitpid(cli, nullptr, 0), cli);
  int status = 0;
  EXPECT_TRUE(wait_until([&] { return ::waitpid(server, &status, WNOHANG) == server; }, std::chrono::seconds(5)))
      << "the server outlived its host";
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  ::prctl(PR_SET_CHILD_SUBREAPER, 0);
}

}  // namespace
}  // namespace aurite::mcp
