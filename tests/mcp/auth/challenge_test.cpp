// WWW-Authenticate as servers send it: the SDKs' forms, several schemes in one header,
// quoting, and headers that are not well formed (never a crash, never a made-up value).
#include <gtest/gtest.h>

#include "mcp/auth/challenge.hpp"

namespace aurite::mcp::auth {
namespace {

TEST(BearerChallenge, ReadsTheParamsOfTheSdkChallenge) {
  const auto challenge = parse_bearer_challenge(
      "Bearer error=\"invalid_token\", error_description=\"Missing Authorization header\", scope=\"mcp:basic "
      "mcp:write\", resource_metadata=\"http://localhost:3000/.well-known/oauth-protected-resource/mcp\"");
  ASSERT_TRUE(challenge);
  EXPECT_EQ(challenge->error(), "invalid_token");
  EXPECT_EQ(challenge->scope(), "mcp:basic mcp:write");
  EXPECT_EQ(challenge->resource_metadata(), "http://localhost:3000/.well-known/oauth-protected-resource/mcp");
  EXPECT_EQ(challenge->param("error_description"), "Missing Authorization header");
}

TEST(BearerChallenge, FindsBearerAmongOtherSchemes) {
  const auto challenge = parse_bearer_challenge("Basic realm=\"x\", Negotiate abc==, bearer Scope=read, error=x");
  ASSERT_TRUE(challenge);
  EXPECT_EQ(challenge->scope(), "read");  // names are case-insensitive, token values kept
  EXPECT_EQ(challenge->error(), "x");
  const auto first = parse_bearer_challenge("Bearer realm=\"a\", Basic realm=\"b\"");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->param("realm"), "a");
}

TEST(BearerChallenge, UnquotesEscapes) {
  const auto challenge = parse_bearer_challenge(R"(Bearer error_description="say \"hi\", then \\go")");
  ASSERT_TRUE(challenge);
  EXPECT_EQ(challenge->param("error_description"), R"(say "hi", then \go)");
}

TEST(BearerChallenge, BareBearerHasNoParams) {
  const auto challenge = parse_bearer_challenge("Bearer");
  ASSERT_TRUE(challenge);
  EXPECT_TRUE(challenge->params.empty());
}

TEST(BearerChallenge, NoneInOtherSchemesOrBrokenHeaders) {
  EXPECT_FALSE(parse_bearer_challenge("Basic realm=\"x\""));
  EXPECT_FALSE(parse_bearer_challenge(""));
  EXPECT_FALSE(parse_bearer_challenge("\"quoted\""));
  // An unterminated quote ends the params; what came before stands.
  const auto cut = parse_bearer_challenge("Bearer scope=\"a\", error=\"unterminated");
  ASSERT_TRUE(cut);
  EXPECT_EQ(cut->scope(), "a");
  EXPECT_FALSE(cut->error());
}

}  // namespace
}  // namespace aurite::mcp::auth
