// What a server process sees of our environment: the minimal set and its client's
// `env`, never our secrets unless the client names them; `${NAME}` references expand
// from our environment when the server starts.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>

#include "aurite/common/error.hpp"
#include "aurite/mcp/client_session.hpp"
#include "aurite/mcp/transport.hpp"
#include "mcp/mcp_test_support.hpp"
#include "support/subprocess.hpp"
#include "support/temp_dir.hpp"

namespace aurite::mcp {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::test_client;

// Our secrets, set in this process for the length of a test.
class mcp_server_environment : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const auto& [name, value] : kSecrets) ::setenv(name, value, 1);
  }
  void TearDown() override {
    for (const auto& [name, value] : kSecrets) ::unsetenv(name);
  }

  // The value of `name` as the server sees it, or null.
  static Json seen(ClientSession& session, const std::string& name) {
    return session.request("tools/call", {{"name", "env"}, {"arguments", {{"name", name}}}})["structuredContent"]["value"];
  }

  static std::unique_ptr<ClientSession> open(const config::ClientConfig& client) {
    return ClientSession::open(client, start_stdio_transport(client, {}));
  }

  static constexpr std::pair<const char*, const char*> kSecrets[] = {
      {"AURITE_API_KEY", "sekret"}, {"AURITE_DB_PASSWORD", "pw"}, {"ANTHROPIC_API_KEY", "sk-x"},
      {"AURITE_TEST_UNRELATED", "nothing-secret"}};
};

TEST_F(mcp_server_environment, OurSecretsDoNotReachAServerThatDidNotAskForThem) {
  auto client = test_client("minimal");
  client.env["GIVEN"] = "by the client";
  auto session = open(client);
  for (const auto& [name, value] : kSecrets) EXPECT_TRUE(seen(*session, name).is_null()) << name;
  EXPECT_EQ(seen(*session, "GIVEN"), "by the client");
  EXPECT_EQ(seen(*session, "PATH"), std::getenv("PATH"));
  if (std::getenv("HOME") != nullptr) {
    EXPECT_EQ(seen(*session, "HOME"), std::getenv("HOME"));
  }
}

TEST_F(mcp_server_environment, AListedNamePassesThatVariableAlone) {
  auto client = test_client("listed");
  client.inherit_env.names = {"ANTHROPIC_API_KEY", "AURITE_TEST_NEVER_SET"};
  auto session = open(client);
  EXPECT_EQ(seen(*session, "ANTHROPIC_API_KEY"), "sk-x");
  EXPECT_TRUE(seen(*session, "AURITE_API_KEY").is_null());
  EXPECT_TRUE(seen(*session, "AURITE_DB_PASSWORD").is_null());
  EXPECT_TRUE(seen(*session, "AURITE_TEST_NEVER_SET").is_null());
}

TEST_F(mcp_server_environment, InheritEnvTruePassesEverything) {
  auto client = test_client("trusting");
  client.inherit_env.all = true;
  auto session = open(client);
  for (const auto& [name, value] : kSecrets) EXPECT_EQ(seen(*session, name), value) << name;
}

TEST_F(mcp_server_environment, ReferencesInEnvAndArgsExpandFromOurEnvironment) {
  auto client = test_client("referencing");
  client.env["TOKEN"] = "Bearer ${ANTHROPIC_API_KEY}";
  client.env["LITERAL"] = "$${ANTHROPIC_API_KEY}";
  auto session = open(client);
  EXPECT_EQ(seen(*session, "TOKEN"), "Bearer sk-x");
  EXPECT_EQ(seen(*session, "LITERAL"), "${ANTHROPIC_API_KEY}");
  EXPECT_TRUE(seen(*session, "ANTHROPIC_API_KEY").is_null());
}

TEST_F(mcp_server_environment, AnUnsetReferenceIsAConfigErrorAndStartsNoServer) {
  auto client = test_client("unset");
  client.args.push_back("--name=${AURITE_TEST_NEVER_SET}");
  const auto before = testing::child_processes().size();
  try {
    start_stdio_transport(client, {});
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kInvalidConfig);
    EXPECT_THAT(error.what(), HasSubstr("client 'unset' args["));
    EXPECT_THAT(error.what(), HasSubstr("AURITE_TEST_NEVER_SET is not set"));
  }
  EXPECT_EQ(testing::child_processes().size(), before);
}

// Our listening and accepted sockets are not all close-on-exec: a server that inherited
// one would hold a client's connection, or our port, open after we are gone.
TEST_F(mcp_server_environment, AServerInheritsNoDescriptorOfOursBeyondItsStdio) {
  int pipe_fds[2] = {-1, -1};
  ASSERT_EQ(::pipe(pipe_fds), 0);  // inheritable: no O_CLOEXEC
  auto session = open(test_client("descriptors"));
  const Json open_fds = session->request("tools/call", {{"name", "fds"}, {"arguments", Json::object()}})["structuredContent"]["open"];
  ::close(pipe_fds[0]);
  ::close(pipe_fds[1]);
  EXPECT_EQ(open_fds, Json::array()) << open_fds.dump();
}

// The reference server's own get-env tool, driven through `aurite call-tool` as a user
// would: the secrets of the CLI's environment stay out of what it prints.
TEST(mcp_server_environment_cli, TheReferenceServerSeesNoneOfOurSecrets) {
  testing::TempDir dir;
  const auto everything = testing::everything_client("everything");
  const Json project = {{"clients", {{{"client_id", "everything"}, {"command", *everything.command},
                                      {"args", everything.args}, {"timeout", 15}}}}};
  const auto config = dir.write("aurite_config.json", project.dump());
  testing::ProcessOptions options;
  options.env = {{"AURITE_API_KEY", "sekret-api-key"}, {"AURITE_DB_PASSWORD", "pw-of-the-db"},
                 {"ANTHROPIC_API_KEY", "sk-x-anthropic"}};
  const auto result = testing::run_aurite(
      {"--config", config.string(), "call-tool", "get-env", "--client", "everything", "--args", "{}"}, options);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("PATH"));
  for (const char* secret : {"sekret-api-key", "pw-of-the-db", "sk-x-anthropic"}) {
    EXPECT_THAT(result.out, Not(HasSubstr(secret)));
    EXPECT_THAT(result.err, Not(HasSubstr(secret)));
  }
}

}  // namespace
}  // namespace aurite::mcp
