// The server's own checks, in process: loopback detection, the key comparison, and the
// refusal to serve a non-loopback address without a key.
#include <gtest/gtest.h>

#include "api/serve_process.hpp"
#include "aurite/api/server.hpp"
#include "aurite/common/error.hpp"

namespace aurite::testing {
namespace {

TEST(ApiServerOptions, LoopbackHostsAreRecognised) {
  for (const char* host : {"127.0.0.1", "127.1.2.3", "::1", "localhost"}) EXPECT_TRUE(api::is_loopback_host(host)) << host;
  for (const char* host : {"0.0.0.0", "10.0.0.1", "::", "example.com", ""}) EXPECT_FALSE(api::is_loopback_host(host)) << host;
}

TEST(ApiServerOptions, KeysCompareByEveryByte) {
  EXPECT_TRUE(api::constant_time_equal("secret", "secret"));
  EXPECT_FALSE(api::constant_time_equal("secret", "secreT"));
  EXPECT_FALSE(api::constant_time_equal("secret", "secret2"));
  EXPECT_FALSE(api::constant_time_equal("", "x"));
  EXPECT_TRUE(api::constant_time_equal("", ""));
}

TEST(ApiServerOptions, NonLoopbackWithoutAKeyAndBadNumbersAreRefused) {
  auto host = host::HostManager::from_file(demo_project());
  api::ServerOptions open;
  open.host = "0.0.0.0";
  try {
    api::ApiServer server(*host, open);
    ADD_FAILURE() << "served 0.0.0.0 without a key";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kInvalidArgument);
  }
  open.api_key = "k";
  EXPECT_NO_THROW(api::ApiServer(*host, open));
  api::ServerOptions workers;
  workers.workers = 0;
  EXPECT_THROW(api::ApiServer(*host, workers), Error);
}

}  // namespace
}  // namespace aurite::testing
