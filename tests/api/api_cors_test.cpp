// CORS through a real `aurite serve`: off by default, and with --cors-origin only the
// named origins get preflight answers and their Origin echoed.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "api/serve_process.hpp"
#include "support/subprocess.hpp"

namespace aurite::testing {
namespace {

using ::testing::HasSubstr;

constexpr const char* kAppOrigin = "https://app.example.com";
constexpr const char* kDevOrigin = "http://127.0.0.1:5173";

// The Access-Control-* headers of a response, "Name: value" each.
std::vector<std::string> cors_headers(const httplib::Result& result) {
  std::vector<std::string> found;
  if (!result) return found;
  for (const auto& [name, value] : result->headers) {
    std::string lower = name;
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower.rfind("access-control-", 0) == 0) found.push_back(name + ": " + value);
  }
  return found;
}

httplib::Result preflight(const ServeProcess& serve, const std::string& path, const std::string& origin) {
  return serve.client(/*with_key=*/false)
      ->Options(path.c_str(), {{"Origin", origin}, {"Access-Control-Request-Method", "POST"},
                               {"Access-Control-Request-Headers", "x-api-key, content-type"}});
}

TEST(ApiCors, IsOffByDefault) {
  ServeProcess serve(demo_env());
  const auto health = serve.client()->Get("/health", {{"Origin", kAppOrigin}});
  ASSERT_EQ(status_of(health), 200);
  EXPECT_THAT(cors_headers(health), ::testing::IsEmpty());
  EXPECT_FALSE(health->has_header("Vary"));
  const auto asked = preflight(serve, "/configs/agents", kAppOrigin);
  ASSERT_TRUE(asked);
  EXPECT_NE(asked->status, 204);
  EXPECT_THAT(cors_headers(asked), ::testing::IsEmpty());
}

TEST(ApiCors, NamedOriginsArePreflightedAndEchoed) {
  ServeProcess serve(demo_env(), demo_project(), {"--cors-origin", kAppOrigin, "--cors-origin", kDevOrigin});
  const auto asked = preflight(serve, "/configs/agents", kAppOrigin);
  ASSERT_EQ(status_of(asked), 204) << (asked ? asked->body : "");
  EXPECT_EQ(asked->get_header_value("Access-Control-Allow-Origin"), kAppOrigin);
  EXPECT_EQ(asked->get_header_value("Access-Control-Allow-Methods"), "GET, POST");
  const std::string allowed = asked->get_header_value("Access-Control-Allow-Headers");
  for (const char* header : {"X-API-Key", "Content-Type", "Last-Event-ID", "Authorization"}) {
    EXPECT_THAT(allowed, HasSubstr(header));
  }
  EXPECT_EQ(asked->get_header_value("Vary"), "Origin");

  const auto health = serve.client()->Get("/health", {{"Origin", kDevOrigin}});
  ASSERT_EQ(status_of(health), 200);
  EXPECT_EQ(health->get_header_value("Access-Control-Allow-Origin"), kDevOrigin);
  EXPECT_EQ(health->get_header_value("Vary"), "Origin");

  // The page can read why it was refused.
  const auto refused = serve.client(/*with_key=*/false)->Get("/configs/agents", {{"Origin", kAppOrigin}});
  ASSERT_EQ(status_of(refused), 401);
  EXPECT_EQ(refused->get_header_value("Access-Control-Allow-Origin"), kAppOrigin);
  const auto listed = serve.client()->Get("/configs/agents", {{"Origin", kAppOrigin}});
  ASSERT_EQ(status_of(listed), 200);
  EXPECT_EQ(listed->get_header_value("Access-Control-Allow-Origin"), kAppOrigin);
}

TEST(ApiCors, AnOriginNotNamedGetsNoCorsHeaders) {
  ServeProcess serve(demo_env(), demo_project(), {"--cors-origin", kAppOrigin});
  for (const char* origin : {"https://evil.example.com", "https://app.example.com.evil.example", "http://app.example.com"}) {
    const auto health = serve.client()->Get("/health", {{"Origin", origin}});
    ASSERT_EQ(status_of(health), 200);
    EXPECT_THAT(cors_headers(health), ::testing::IsEmpty()) << origin;
    const auto asked = preflight(serve, "/configs/agents", origin);
    ASSERT_TRUE(asked);
    EXPECT_NE(asked->status, 204) << origin;
    EXPECT_THAT(cors_headers(asked), ::testing::IsEmpty()) << origin;
  }
  const auto without = serve.client()->Get("/health");
  EXPECT_THAT(cors_headers(without), ::testing::IsEmpty());
}

TEST(ApiCors, AValueThatIsNotAnOriginIsRefusedAtStart) {
  ProcessOptions options;
  options.env = demo_env();
  for (const char* bad : {"https://app.example.com/", "app.example.com", "https://app.example.com/ui", "*"}) {
    const auto result = run_aurite({"serve", "--port", "0", "--config", demo_project(), "--cors-origin", bad}, options);
    EXPECT_EQ(result.exit_code, 2) << bad << ": " << result.err;
    EXPECT_THAT(result.err, HasSubstr(std::string("--cors-origin '") + bad + "' is not an origin")) << bad;
  }
}

}  // namespace
}  // namespace aurite::testing
