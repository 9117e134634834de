// The server library on in-memory streams: the protocol details our servers promise.
#include <gtest/gtest.h>

#include <sstream>

#include "aurite/mcp/server.hpp"
#include "aurite/mcp/transport.hpp"
#include "mcp/mcp_test_support.hpp"

namespace aurite::mcp {
namespace {

using testing::jsonrpc_request;

std::vector<Json> serve(McpServer& server, const std::vector<Json>& messages) {
  std::stringstream in, out;
  for (const auto& m : messages) in << m.dump() << '\n';
  server.run(in, out);
  std::vector<Json> replies;
  std::string line;
  while (std::getline(out, line)) replies.push_back(Json::parse(line));
  return replies;
}

McpServer::Options options(std::size_t page_size = 0) {
  McpServer::Options o;
  o.name = "library-test";
  o.page_size = page_size;
  return o;
}

TEST(mcp_server_library, NegotiatesTheVersionLikeTheSpecificationSays) {
  McpServer server(options());
  const auto replies = serve(server, {jsonrpc_request(1, "initialize", {{"protocolVersion", "2025-03-26"}}),
                                      jsonrpc_request(2, "initialize", {{"protocolVersion", "1999-01-01"}})});
  ASSERT_EQ(replies.size(), 2u);
  EXPECT_EQ(replies[0]["result"]["protocolVersion"], "2025-03-26");
  EXPECT_EQ(replies[1]["result"]["protocolVersion"], kLatestProtocolVersion);
}

TEST(mcp_server_library, PagesListsWithOpaqueCursorsAndRejectsBadOnes) {
  McpServer server(options(2));
  for (int i = 0; i < 5; ++i) {
    server.add_tool({"t" + std::to_string(i), "", {{"type", "object"}}, [](const Json&) { return text_result(""); }});
  }
  const auto replies = serve(server, {jsonrpc_request(1, "tools/list"), jsonrpc_request(2, "tools/list", {{"cursor", "4"}}),
                                      jsonrpc_request(3, "tools/list", {{"cursor", "bogus"}})});
  ASSERT_EQ(replies.size(), 3u);
  EXPECT_EQ(replies[0]["result"]["tools"].size(), 2u);
  EXPECT_EQ(replies[0]["result"]["nextCursor"], "2");
  EXPECT_EQ(replies[1]["result"]["tools"].size(), 1u);
  EXPECT_FALSE(replies[1]["result"].contains("nextCursor"));
  EXPECT_EQ(replies[2]["error"]["code"], -32602);
}

TEST(mcp_server_library, AnswersPingUnknownMethodsAndInvalidJson) {
  McpServer server(options());
  std::stringstream in, out;
  in << jsonrpc_request(1, "ping").dump() << "\nnot json\n" << jsonrpc_request(2, "nope").dump() << '\n';
  server.run(in, out);
  std::vector<Json> replies;
  std::string line;
  while (std::getline(out, line)) replies.push_back(Json::parse(line));
  ASSERT_EQ(replies.size(), 3u);
  EXPECT_EQ(replies[0]["result"], Json::object());
  EXPECT_EQ(replies[1]["error"]["code"], -32700);
  EXPECT_EQ(replies[2]["error"]["code"], -32601);
}

TEST(mcp_server_library, ALineOverTheCapIsRejectedAndServingGoesOn) {
  McpServer server(options());
  std::stringstream in, out;
  in << std::string(kMaxLineBytes + 1, ' ') << '\n' << jsonrpc_request(7, "ping").dump() << '\n';
  server.run(in, out);
  std::string first, second;
  ASSERT_TRUE(std::getline(out, first));
  ASSERT_TRUE(std::getline(out, second));
  EXPECT_EQ(Json::parse(first)["error"]["code"], -32600);
  EXPECT_EQ(Json::parse(second)["id"], 7);
}

TEST(mcp_server_library, AThrowingToolHandlerBecomesAToolError) {
  McpServer server(options());
  server.add_tool({"boom", "", {{"type", "object"}}, [](const Json&) -> ToolResult {
                     throw Error(ErrorCode::kInvalidArgument, "bad input");
                   }});
  const auto replies = serve(server, {jsonrpc_request(1, "tools/call", {{"name", "boom"}, {"arguments", Json::object()}})});
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0]["result"]["isError"], true);
  EXPECT_EQ(replies[0]["result"]["content"][0]["text"], "bad input");
}

TEST(mcp_server_library, RegisteringANameTwiceIsAnError) {
  McpServer server(options());
  const ServerTool tool{"same", "", {{"type", "object"}}, [](const Json&) { return text_result(""); }};
  server.add_tool(tool);
  try {
    server.add_tool(tool);
    FAIL() << "duplicate accepted";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kAlreadyExists);
  }
}

}  // namespace
}  // namespace aurite::mcp
