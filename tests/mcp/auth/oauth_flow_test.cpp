// OAuth end to end against a real authorization server and the MCP server it protects
// (servers/oauth_server.cpp, a process of its own): `aurite mcp login --no-browser`, the
// stored login used and refreshed by later processes, a refresh token the server revoked,
// two processes refreshing at once, and no token anywhere in what the CLI prints; with
// the logins in sealed files, and in the database on both backends.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <future>

#include <nlohmann/json.hpp>

#include "aurite/common/error.hpp"
#include "aurite/mcp/mcp_host.hpp"
#include "aurite/net/http_client.hpp"
#include "aurite/secrets/file_secret_store.hpp"
#include "storage/backend.hpp"
#include "storage/backend_fixture.hpp"
#include "support/child_process.hpp"
#include "support/subprocess.hpp"
#include "support/temp_dir.hpp"

namespace aurite::mcp::auth {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using nlohmann::json;

constexpr const char* kKey = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

// The servers, a project with one OAuth client, and `aurite` run against them.
class OAuthWorld {
 protected:
  void start_world() {
    server_ = std::make_unique<testing::ChildProcess>(std::vector<std::string>{AURITE_TEST_OAUTH_SERVER},
                                                     std::map<std::string, std::string>{});
    for (int i = 0; i < 2; ++i) {
      const auto line = server_->read_line(std::chrono::seconds(10));
      ASSERT_TRUE(line) << "the OAuth test server printed no URLs";
      const auto space = line->find(' ');
      (line->rfind("mcp ", 0) == 0 ? mcp_url_ : issuer_) = line->substr(space + 1);
    }
    project_ = work_.write("aurite_config.json", json{{"clients", {{{"client_id", "guarded"},
                                                                    {"url", mcp_url_},
                                                                    {"auth", {{"type", "oauth"}}}}}}}
                                                       .dump());
    options_.env = {{"XDG_CONFIG_HOME", (work_ / "config").string()}, {"AURITE_SECRET_KEY", kKey}};
    options_.unset_env = {"AURITE_SECRET_KEY_FILE"};
  }

  // Two processes find the token refused at once: one refreshes (the server spends each
  // refresh token once, so a second refresh with it would fail), the other uses its result.
  void expect_two_processes_to_refresh_once() {
    ASSERT_EQ(aurite({"mcp", "login", "guarded", "--no-browser"}).exit_code, 0);
    admin("POST", "/admin/expire");
    const std::vector<std::string> call = {"--config", project_.string(), "call-tool", "whoami",
                                           "--client", "guarded",         "--args",    "{}"};
    auto first = std::async(std::launch::async, [&] { return testing::run_aurite(call, options_); });
    auto second = std::async(std::launch::async, [&] { return testing::run_aurite(call, options_); });
    const auto a = first.get();
    const auto b = second.get();
    EXPECT_EQ(a.exit_code, 0) << a.err;
    EXPECT_EQ(b.exit_code, 0) << b.err;
    const json stats = admin("GET", "/admin/stats");
    EXPECT_EQ(stats["refreshes"], 1);
    EXPECT_EQ(stats["valid_access_tokens"], 1);
    EXPECT_EQ(aurite({"call-tool", "whoami", "--client", "guarded", "--args", "{}"}).exit_code, 0);
    EXPECT_EQ(admin("GET", "/admin/stats")["refreshes"], 1);
  }

  testing::ProcessResult aurite(std::vector<std::string> args) {
    args.insert(args.begin(), {"--config", project_.string(), "--log-level", "trace"});
    auto result = testing::run_aurite(args, options_);
    outputs_ += result.out + result.err;
    return result;
  }

  json admin(const std::string& method, const std::string& path) {
    net::HttpClient http;
    net::HttpRequest request;
    request.method = method;
    request.url = issuer_ + path;
    const auto response = http.fetch(request, 1 << 20);
    EXPECT_EQ(response.head.status, 200) << path;
    return json::parse(response.body);
  }

  std::shared_ptr<secrets::SecretStore> store() {
    std::array<std::uint8_t, secrets::kKeyBytes> key{};
    for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<std::uint8_t>(std::stoi(std::string(kKey + 2 * i, 2), nullptr, 16));
    return std::make_shared<secrets::FileSecretStore>(work_ / "config" / "aurite" / "secrets",
                                                      std::make_shared<const secrets::SecretBox>(key));
  }

  // A host of our own (as `aurite serve` has) on the store the CLI's logins go to.
  std::unique_ptr<McpHost>& host_over_store() {
    config::ClientConfig client;
    client.client_id = "guarded";
    client.url = mcp_url_;
    client.auth = config::ClientAuthConfig{};
    host_ = std::make_unique<McpHost>(std::vector<config::ClientConfig>{client}, work_.path());
    AuthorizerOptions options;
    options.store = store();
    host_->set_authorization(options);
    return host_;
  }

  // No token, code or secret the server issued is in anything the CLI printed.
  void expect_no_token_printed() {
    const json stats = admin("GET", "/admin/stats");
    for (const auto& issued : stats["issued"]) {
      if (issued.get<std::string>().rfind("client-", 0) == 0) continue;  // client ids are public
      EXPECT_THAT(outputs_, Not(HasSubstr(issued.get<std::string>())));
    }
  }

  testing::TempDir work_;
  std::unique_ptr<testing::ChildProcess> server_;
  std::string mcp_url_;
  std::string issuer_;
  std::filesystem::path project_;
  testing::ProcessOptions options_;
  std::string outputs_;
  std::unique_ptr<McpHost> host_;
};

class OAuthFlow : public ::testing::Test, public OAuthWorld {
 protected:
  void SetUp() override { start_world(); }
};

// The same with the database on: logins live in its secrets table.
class OAuthFlowOnDatabase : public testing::BackendTest, public OAuthWorld {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    start_world();
    for (const auto& [name, value] : db_env()) options_.env[name] = value;
  }
};
AURITE_INSTANTIATE_ON_BOTH_BACKENDS(OAuthFlowOnDatabase);

TEST_F(OAuthFlow, ALoginIsKeptSealedAndUsedByLaterRuns) {
  const auto refused = aurite({"call-tool", "whoami", "--client", "guarded", "--args", "{}"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.err, HasSubstr("needs a login: run `aurite mcp login guarded`"));

  const auto login = aurite({"mcp", "login", "guarded", "--no-browser"});
  ASSERT_EQ(login.exit_code, 0) << login.err;
  EXPECT_THAT(login.out, HasSubstr("Logged in to guarded at " + issuer_));
  for (const auto& entry : std::filesystem::directory_iterator(work_ / "config" / "aurite" / "secrets")) {
    EXPECT_THAT(testing::read_text(entry.path()), Not(HasSubstr("access-"))) << entry.path();
  }
  const auto call = aurite({"call-tool", "whoami", "--client", "guarded", "--args", "{}"});
  EXPECT_EQ(call.exit_code, 0) << call.err;
  EXPECT_THAT(call.out, HasSubstr("authorized"));

  const auto status = aurite({"--json", "mcp", "auth-status"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  const json rows = json::parse(status.out);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["client"], "guarded");
  EXPECT_EQ(rows[0]["logged_in"], true);
  EXPECT_EQ(rows[0]["refreshable"], true);
  EXPECT_EQ(rows[0]["issuer"], issuer_);

  EXPECT_EQ(aurite({"mcp", "logout", "guarded"}).exit_code, 0);
  EXPECT_EQ(aurite({"call-tool", "whoami", "--client", "guarded", "--args", "{}"}).exit_code, 1);
  EXPECT_EQ(admin("GET", "/admin/stats")["authorizations"], 1);
  expect_no_token_printed();
}

// The server stops taking the token mid-session: the next call is refreshed and goes on.
TEST_F(OAuthFlow, ATokenThatExpiresMidSessionIsRefreshed) {
  ASSERT_EQ(aurite({"mcp", "login", "guarded", "--no-browser"}).exit_code, 0);
  McpHost& host = *host_over_store();
  EXPECT_EQ(host.call_tool("whoami", json::object()).content.at(0).value("text", ""), "authorized");
  admin("POST", "/admin/expire");
  EXPECT_EQ(host.call_tool("whoami", json::object()).content.at(0).value("text", ""), "authorized");
  EXPECT_EQ(admin("GET", "/admin/stats")["refreshes"], 1);
}

// `aurite serve` started before the login: its next call finds the login and uses it.
TEST_F(OAuthFlow, ALoginMadeWhileAHostRunsIsPickedUp) {
  McpHost& host = *host_over_store();
  try {
    host.start();
    FAIL() << "a client that needs a login started";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kUnauthenticated);
    EXPECT_THAT(error.what(), HasSubstr("needs a login: run `aurite mcp login guarded`"));
  }
  ASSERT_EQ(aurite({"mcp", "login", "guarded", "--no-browser"}).exit_code, 0);
  host.start();
  const auto call = host.call_tool("whoami", json::object());
  EXPECT_FALSE(call.is_error) << call.content.dump();
  EXPECT_EQ(admin("GET", "/admin/stats")["authorizations"], 1);
}

TEST_F(OAuthFlow, ARevokedRefreshTokenAsksForANewLogin) {
  ASSERT_EQ(aurite({"mcp", "login", "guarded", "--no-browser"}).exit_code, 0);
  admin("POST", "/admin/expire");
  admin("POST", "/admin/revoke");
  const auto call = aurite({"call-tool", "whoami", "--client", "guarded", "--args", "{}"});
  EXPECT_EQ(call.exit_code, 1);
  EXPECT_THAT(call.err, HasSubstr("refused the refresh token (invalid_grant)"));
  EXPECT_THAT(call.err, HasSubstr("needs a login: run `aurite mcp login guarded`"));
  const auto status = aurite({"--json", "mcp", "auth-status"});
  EXPECT_EQ(json::parse(status.out)[0]["logged_in"], false);
  // A new login mends it.
  ASSERT_EQ(aurite({"mcp", "login", "guarded", "--no-browser"}).exit_code, 0);
  EXPECT_EQ(aurite({"call-tool", "whoami", "--client", "guarded", "--args", "{}"}).exit_code, 0);
  expect_no_token_printed();
}

TEST_F(OAuthFlow, TwoProcessesRefreshingAtOnceEndWithOneValidToken) { expect_two_processes_to_refresh_once(); }

TEST_F(OAuthFlow, ALoginThatNeverComesBackTimesOutNamingTheCallback) {
  // With a browser and nobody to use it, the login waits for its redirect, then gives up.
  options_.env["BROWSER"] = "true";  // a "browser" that opens nothing
  const auto login = aurite({"mcp", "login", "guarded", "--timeout", "1"});
  EXPECT_EQ(login.exit_code, 1);
  EXPECT_THAT(login.err, HasSubstr("Open this URL to log in to guarded"));
  EXPECT_THAT(login.err, HasSubstr("no login came back to http://127.0.0.1:"));
  EXPECT_THAT(login.err, HasSubstr("within 1 s"));
}

TEST_P(OAuthFlowOnDatabase, ALoginIsKeptSealedInTheDatabaseAndUsedByLaterRuns) {
  const auto login = aurite({"mcp", "login", "guarded", "--no-browser"});
  ASSERT_EQ(login.exit_code, 0) << login.err;
  EXPECT_THAT(login.out, HasSubstr("Kept in the database"));
  EXPECT_FALSE(std::filesystem::exists(work_ / "config" / "aurite" / "secrets"));
  const auto sealed = storage::make_backend(settings())->sealed_secret(secret_name("guarded"));
  ASSERT_TRUE(sealed);
  EXPECT_THAT(*sealed, Not(HasSubstr("access-")));
  EXPECT_THAT(*sealed, Not(HasSubstr("refresh-")));
  const auto call = aurite({"call-tool", "whoami", "--client", "guarded", "--args", "{}"});
  EXPECT_EQ(call.exit_code, 0) << call.err;
  const auto status = aurite({"--json", "mcp", "auth-status"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_EQ(json::parse(status.out)[0]["logged_in"], true);
  EXPECT_EQ(aurite({"mcp", "logout", "guarded"}).exit_code, 0);
  EXPECT_FALSE(storage::make_backend(settings())->sealed_secret(secret_name("guarded")));
  expect_no_token_printed();
}

TEST_P(OAuthFlowOnDatabase, TwoProcessesRefreshingAtOnceEndWithOneValidToken) {
  expect_two_processes_to_refresh_once();
}

}  // namespace
}  // namespace aurite::mcp::auth
