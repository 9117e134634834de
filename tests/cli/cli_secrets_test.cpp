// Secrets never reach the output: the CLI and `aurite serve` at --log-level trace, with a
// database password, model API keys and the API key set, through success and failure
// (wrong password, unreachable database, a model server that answers 401 and even echoes
// the key, wrong keys sent to the HTTP API). Everything printed is captured and searched.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <httplib.h>

#include <fstream>
#include <sstream>

#include "cli/cli_test_support.hpp"
#include "support/child_process.hpp"
#include "support/postgres_server.hpp"
#include "support/scripted_http_server.hpp"
#include "support/subprocess.hpp"
#include "support/temp_dir.hpp"

namespace aurite::cli {
namespace {

using testing::run_aurite;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kAnthropicKey = "sk-ant-secret-AAAA-1111";
constexpr const char* kOpenAiKey = "sk-openai-secret-BBBB-2222";
constexpr const char* kApiKey = "api-key-secret-CCCC-3333";
constexpr const char* kWrongPassword = "Wr0ng-Pa55-secret-DDDD";
constexpr const char* kUnreachablePassword = "Unreach-Pa55-secret-EEEE";
constexpr const char* kGuessedKey = "guessed-key-secret-FFFF";

class Secrets : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 0; i < 4; ++i) {
      anthropic_.push_json(std::string(R"({"type": "error", "error": {"type": "authentication_error", "message": )") +
                               R"("invalid x-api-key )" + kAnthropicKey + R"("}})",
                           401);
      openai_.push_json(R"({"error": {"message": "Incorrect API key provided", "type": "invalid_request_error"}})", 401);
    }
    project_ = dir_.write("aurite_config.json", R"({
      "llms": [
        {"llm_id": "claude", "provider": "anthropic", "model": "claude-test", "base_url": ")" + anthropic_.base_url() + R"("},
        {"llm_id": "gpt", "provider": "openai", "model": "gpt-test", "base_url": ")" + openai_.base_url() + R"("}
      ],
      "agents": [
        {"name": "Claude Agent", "llm_config_id": "claude"},
        {"name": "Gpt Agent", "llm_config_id": "gpt"}
      ]
    })");
  }

  // The environment with every secret set; the database is `url`, or off when empty.
  testing::ProcessOptions options(const std::string& url) const {
    testing::ProcessOptions o;
    o.unset_env = kStorageVariables;
    o.env = {{"ANTHROPIC_API_KEY", kAnthropicKey}, {"OPENAI_API_KEY", kOpenAiKey}, {"AURITE_API_KEY", kApiKey}};
    if (!url.empty()) {
      o.env["AURITE_ENABLE_DB"] = "true";
      o.env["AURITE_DB_URL"] = url;
    }
    return o;
  }

  std::vector<std::string> secrets() const {
    auto& pg = testing::PostgresServer::shared();
    return {kAnthropicKey, kOpenAiKey, kApiKey, kWrongPassword, kUnreachablePassword, kGuessedKey, pg.password()};
  }

  void expect_no_secret(const std::string& what, const std::string& output) const {
    for (const auto& secret : secrets()) EXPECT_THAT(output, Not(HasSubstr(secret))) << what << " printed a secret";
  }

  testing::TempDir dir_;
  testing::ScriptedHttpServer anthropic_;  // a model server that refuses the key, echoing it
  testing::ScriptedHttpServer openai_;
  std::filesystem::path project_;
};

TEST_F(Secrets, TheCliPrintsNoSecretOnSuccessOrFailure) {
  auto& pg = testing::PostgresServer::shared();
  const std::string good = pg.url(pg.create_database());
  std::string wrong = good;
  wrong.replace(wrong.find(pg.password()), pg.password().size(), kWrongPassword);
  const std::string unreachable = std::string("postgresql://app:") + kUnreachablePassword + "@127.0.0.1:1/nowhere";

  struct Case {
    std::string what;
    std::vector<std::string> args;
    std::string url;
    bool succeeds;
    std::string shows;  // what proves the path was taken
  };
  const std::string config = project_.string();
  const std::vector<Case> cases = {
      {"db status", {"db", "status"}, good, true, "postgresql://postgres:***@"},
      {"db migrate", {"db", "migrate"}, good, true, ""},
      {"db status, wrong password", {"db", "status"}, wrong, false, "authentication failed"},
      {"db status, unreachable", {"db", "status"}, unreachable, false, "127.0.0.1:1"},
      {"run, wrong password", {"--config", config, "run", "Claude Agent", "hi"}, wrong, false, "authentication failed"},
      {"run, model 401 echoing the key", {"--config", config, "run", "Claude Agent", "hi"}, "", false, "invalid x-api-key ***"},
      {"run, openai 401", {"--config", config, "run", "Gpt Agent", "hi"}, "", false, "HTTP 401"},
      {"serve, unreachable", {"--config", config, "serve", "--port", "0"}, unreachable, false, "127.0.0.1:1"},
  };
  for (const auto& c : cases) {
    std::vector<std::string> args = {"--log-level", "trace"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    auto o = options(c.url);
    o.env["AURITE_DB_OPTIONAL"] = "false";
    o.timeout = std::chrono::seconds(60);
    const auto result = run_aurite(args, o);
    EXPECT_EQ(result.exit_code == 0, c.succeeds) << c.what << "\n" << result.out << result.err;
    EXPECT_THAT(result.out + result.err, HasSubstr(c.shows)) << c.what;
    expect_no_secret(c.what, result.out + result.err);
  }
}

TEST_F(Secrets, ServePrintsNoSecretWhateverItIsSent) {
  auto& pg = testing::PostgresServer::shared();
  const std::string log = (dir_ / "serve.log").string();
  auto o = options(pg.url(pg.create_database()));
  // stderr (the log) goes to a file; stdout is read for the address.
  testing::ChildProcess serve({"/bin/sh", "-c", "exec \"$0\" \"$@\" 2>\"" + log + "\"", AURITE_CLI_PATH, "--log-level",
                               "trace", "--config", project_.string(), "serve", "--port", "0"},
                              o.env);
  std::string address = serve.read_line(std::chrono::seconds(30)).value_or("");
  ASSERT_THAT(address, HasSubstr("listening on http://127.0.0.1:")) << address;
  const int port = std::stoi(address.substr(address.rfind(':') + 1));

  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(std::chrono::seconds(60));
  for (const std::string& key : {std::string(kGuessedKey), std::string(kApiKey).substr(0, 10), std::string()}) {
    const auto refused = client.Get("/configs/agents", {{"X-API-Key", key}});
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 401);
  }
  const httplib::Headers with_key = {{"X-API-Key", kApiKey}};
  const auto listed = client.Get("/configs/llms", with_key);
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->status, 200);
  const auto failed = client.Post("/runs", with_key, R"({"name": "Claude Agent", "message": "hi"})", "application/json");
  ASSERT_TRUE(failed);
  EXPECT_NE(failed->status, 200);
  std::string printed = address + "\n" + listed->body + failed->body;

  serve.kill(SIGTERM);
  EXPECT_EQ(serve.wait(), 0);
  while (const auto line = serve.read_line(std::chrono::seconds(5))) printed += *line + "\n";
  std::ifstream file(log);
  std::stringstream logged;
  logged << file.rdbuf();
  EXPECT_THAT(logged.str(), HasSubstr("/configs/llms")) << "the trace log was not captured";
  expect_no_secret("aurite serve", printed + logged.str());
}

}  // namespace
}  // namespace aurite::cli
