// What a server says about itself reaches the person reading our errors and logs: the
// last lines of its stderr end the error when it exits or fails to start, its log
// messages keep their severity, and the client's log_level is passed on.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "aurite/mcp/client_session.hpp"
#include "aurite/mcp/mcp_host.hpp"
#include "aurite/mcp/transport.hpp"
#include "mcp/mcp_test_support.hpp"

namespace aurite::mcp {
namespace {

using testing::CapturedLog;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::test_client;

Error start_failure(const config::ClientConfig& client) {
  McpHost host({client}, {});
  try {
    host.start();
  } catch (const Error& error) {
    return error;
  }
  ADD_FAILURE() << "client '" << client.client_id << "' started";
  return Error(ErrorCode::kInternal, "started");
}

TEST(mcp_diagnostics, AServerThatExitsAtStartEndsItsErrorWithItsLastStderrLines) {
  const Error error = start_failure(test_client("quitter", {"--stderr-lines", "2", "--exit-at-start", "3"}));
  EXPECT_EQ(error.code(), ErrorCode::kUnavailable);
  EXPECT_THAT(error.what(), HasSubstr("'quitter': the server exited with status 3; its last stderr lines:\n"
                                      "  startup diagnostic 1 of 2\n  startup diagnostic 2 of 2"));
}

TEST(mcp_diagnostics, AServerThatCrashesMidCallShowsWhatItSaidInTheToolError) {
  McpHost host({test_client("fragile")}, {});
  host.start();
  const ToolResult crashed = host.call_tool("crash", Json::object());
  EXPECT_TRUE(crashed.is_error);
  EXPECT_EQ(crashed.failure, ErrorCode::kUnavailable);
  EXPECT_THAT(crashed.text(), HasSubstr("exited with status 3; its last stderr lines:"));
  EXPECT_THAT(crashed.text(), HasSubstr("crash tool called: exiting with status 3"));
}

TEST(mcp_diagnostics, AHandshakeThatFailsEndsItsErrorWithTheServersStderr) {
  const Error error =
      start_failure(test_client("ancient", {"--stderr-lines", "1", "--protocol", "1999-01-01"}));
  EXPECT_EQ(error.code(), ErrorCode::kProtocol);
  EXPECT_THAT(error.what(), HasSubstr("1999-01-01"));
  EXPECT_THAT(error.what(), HasSubstr("its last stderr lines:\n  startup diagnostic 1 of 1"));
}

TEST(mcp_diagnostics, TheStderrTailIsTheLastTwentyLinesAndAtMostFourKibibytes) {
  const Error error =
      start_failure(test_client("verbose", {"--stderr-lines", "300", "--exit-at-start", "1"}));
  const std::string message = error.what();
  EXPECT_THAT(message, HasSubstr("startup diagnostic 300 of 300"));
  EXPECT_THAT(message, HasSubstr("startup diagnostic 281 of 300"));
  EXPECT_THAT(message, Not(HasSubstr("startup diagnostic 280 of 300")));

  // Thirty lines of 1000 bytes: each is cut to 512, and only the last ones that fit in
  // 4 KiB are kept.
  config::ClientConfig wide;
  wide.client_id = "wide";
  wide.command = "sh";
  wide.args = {"-c", R"(for i in $(seq 10 39); do printf "line $i %01000d
" 0 >&2; done; exit 2)"};
  const std::string cut = start_failure(wide).what();
  const auto tail = cut.find("; its last stderr lines:");
  ASSERT_NE(tail, std::string::npos) << cut;
  EXPECT_THAT(cut, HasSubstr("line 39 "));
  EXPECT_THAT(cut, HasSubstr(" [cut]"));
  EXPECT_THAT(cut, Not(HasSubstr("line 30 ")));
  EXPECT_LE(cut.size() - tail, 4096u + 20 * 3 + 30);  // the lines, their "\n  ", the heading
}

TEST(mcp_diagnostics, StderrThatIsNotUtf8OrHoldsEscapesIsMadeSafeText) {
  config::ClientConfig client;
  client.client_id = "binary";
  client.command = "sh";
  client.args = {"-c", R"(printf 'bad \377 byte \033[31mred\n' >&2; exit 4)"};
  const Error error = start_failure(client);
  EXPECT_THAT(error.what(), HasSubstr("status 4"));
  EXPECT_THAT(error.what(), HasSubstr("bad \xEF\xBF\xBD byte ?[31mred"));
  EXPECT_NO_THROW(static_cast<void>(Json(error.what()).dump()));
}

TEST(mcp_diagnostics, ServerLogMessagesKeepTheirSeverity) {
  CapturedLog log;
  McpHost host({test_client("logger")}, {});
  host.start();
  for (const char* level : {"debug", "notice", "warning", "error", "alert", "emergency"}) {
    EXPECT_EQ(
        host.call_tool("log", {{"level", level}, {"text", std::string("a ") + level + " record"}}).text(),
        "logged");
  }
  host.shutdown();
  const std::string text = log.text();
  EXPECT_THAT(text, HasSubstr("[debug] [logger] test-logger: a debug record"));
  EXPECT_THAT(text, HasSubstr("[info] [logger] test-logger: a notice record"));
  EXPECT_THAT(text, HasSubstr("[warning] [logger] test-logger: a warning record"));
  EXPECT_THAT(text, HasSubstr("[error] [logger] test-logger: a error record"));
  EXPECT_THAT(text, HasSubstr("[critical] [logger] test-logger: a alert record"));
  EXPECT_THAT(text, HasSubstr("[critical] [logger] test-logger: a emergency record"));
}

TEST(mcp_diagnostics, TheClientsLogLevelIsSentToAServerThatDeclaresLogging) {
  CapturedLog log;  // before any server runs: the logger is swapped outside their threads
  config::ClientConfig client = test_client("leveled", {"--logging", "yes"});
  client.log_level = "warning";
  McpHost host({client}, {});
  host.start();
  EXPECT_EQ(host.call_tool("log_level", Json::object()).text(), "warning");
  // The server now filters: an info record is not sent, an error is.
  host.call_tool("log", {{"level", "info"}, {"text", "quiet please"}});
  host.call_tool("log", {{"level", "error"}, {"text", "loud enough"}});
  host.shutdown();
  EXPECT_THAT(log.text(), Not(HasSubstr("quiet please")));
  EXPECT_THAT(log.text(), HasSubstr("[error] [leveled] test-logger: loud enough"));
}

TEST(mcp_diagnostics, NoLogLevelIsSentToAServerWithoutLoggingOrWhenNoneIsSet) {
  CapturedLog log;
  config::ClientConfig undeclared = test_client("undeclared");
  undeclared.log_level = "error";
  config::ClientConfig unset = test_client("unset", {"--logging", "yes", "--prefix", "u_"});
  McpHost host({undeclared, unset}, {});
  host.start();
  EXPECT_EQ(host.call_tool("log_level", Json::object()).text(), "");
  EXPECT_EQ(host.call_tool("u_log_level", Json::object()).text(), "");
  host.shutdown();
  // Not sent at all, rather than sent and refused.
  EXPECT_THAT(log.text(),
              HasSubstr("'undeclared': the server does not declare logging; log_level 'error' not sent"));
  EXPECT_THAT(log.text(), Not(HasSubstr("refused")));
}

}  // namespace
}  // namespace aurite::mcp
