// docs/openapi.json and the server agree: every route served is documented and every
// documented path and method is served.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <set>

#include "api/serve_process.hpp"
#include "aurite/api/server.hpp"
#include "aurite/host/host_manager.hpp"

namespace aurite::testing {
namespace {

using nlohmann::json;
using Route = std::pair<std::string, std::string>;

std::string openapi_text() {
  std::ifstream in(std::string(AURITE_SOURCE_DIR) + "/docs/openapi.json", std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

json openapi() { return json::parse(openapi_text()); }

std::set<Route> documented_routes() {
  std::set<Route> routes;
  const json spec = openapi();
  for (const auto& [path, item] : spec["paths"].items()) {
    for (const auto& [method, operation] : item.items()) {
      std::string upper = method;
      for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      routes.emplace(upper, path);
    }
  }
  return routes;
}

TEST(ApiOpenApi, DocumentsExactlyTheRoutesTheServerRegisters) {
  const json spec = openapi();
  EXPECT_EQ(spec["openapi"].get<std::string>().rfind("3.1", 0), 0u);
  auto host = host::HostManager::from_file(demo_project());
  const api::ApiServer server(*host, {});
  const auto served = server.routes();
  const std::set<Route> registered(served.begin(), served.end());
  EXPECT_EQ(registered.size(), served.size()) << "a route registered twice";
  EXPECT_EQ(registered, documented_routes());
}

TEST(ApiOpenApi, EveryDocumentedRouteAnswersOverHttp) {
  auto env = demo_env();
  ServeProcess serve(env);
  auto client = serve.client();
  for (const auto& [method, path] : documented_routes()) {
    std::string concrete = path;
    for (const auto& [param, value] : std::vector<Route>{{"{kind}", "agents"}, {"{name}", "Nobody"},
                                                         {"{agent}", "Nobody"}, {"{session_id}", "s"}}) {
      if (const auto at = concrete.find(param); at != std::string::npos) concrete.replace(at, param.size(), value);
    }
    httplib::Result result = method == "GET"      ? client->Get(concrete)
                             : method == "DELETE" ? client->Delete(concrete)
                             : method == "PUT"    ? client->Put(concrete, "{}", "application/json")
                                                  : client->Post(concrete, "{}", "application/json");
    ASSERT_TRUE(result) << method << " " << concrete;
    EXPECT_EQ(result->body.find("no route"), std::string::npos) << method << " " << concrete << ": " << result->body;
  }
}

TEST(ApiOpenApi, ServesTheDocumentFileByteForByte) {
  ServeProcess serve(demo_env());
  const auto served = serve.get("/openapi.json");
  ASSERT_EQ(status_of(served), 200);
  EXPECT_EQ(served->get_header_value("Content-Type"), "application/json");
  EXPECT_EQ(served->body, openapi_text());
  EXPECT_EQ(status_of(serve.client(/*with_key=*/false)->Get("/openapi.json")), 401);
}

}  // namespace
}  // namespace aurite::testing
