#include "api/cors.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <regex>

#include "aurite/common/error.hpp"

namespace aurite::api::detail {
namespace {

// What a browser may send besides the CORS-safelisted headers: the key, JSON bodies,
// resuming an event stream, and a bearer token for a proxy in front.
constexpr const char* kAllowedHeaders = "X-API-Key, Content-Type, Last-Event-ID, Authorization";
constexpr const char* kPreflightMaxAgeSeconds = "600";

}  // namespace

CorsPolicy::CorsPolicy(const std::vector<std::string>& origins) {
  // A browser sends the origin serialised: scheme, host, port when not the default, no
  // path and no trailing slash. Anything else would never match, silently.
  static const std::regex kOrigin(R"(https?://[A-Za-z0-9.\-]+(:[0-9]{1,5})?|https?://\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?)");
  for (const auto& origin : origins) {
    if (!std::regex_match(origin, kOrigin)) {
      throw Error(ErrorCode::kInvalidArgument,
                  fmt::format("--cors-origin '{}' is not an origin: give scheme://host[:port], such as "
                              "https://app.example.com, with no path or trailing slash",
                              origin));
    }
    origins_.insert(origin);
  }
}

bool CorsPolicy::named(const httplib::Request& request) const {
  return request.has_header("Origin") && origins_.count(request.get_header_value("Origin")) > 0;
}

void CorsPolicy::annotate(const httplib::Request& request, httplib::Response& response) const {
  if (!enabled()) return;
  response.set_header("Vary", "Origin");
  if (named(request)) response.set_header("Access-Control-Allow-Origin", request.get_header_value("Origin"));
}

bool CorsPolicy::answer_preflight(const httplib::Request& request, httplib::Response& response,
                                  const std::vector<std::string>& methods) const {
  if (request.method != "OPTIONS" || !request.has_header("Access-Control-Request-Method") || !named(request) ||
      methods.empty()) {
    return false;
  }
  response.status = 204;
  response.set_header("Access-Control-Allow-Methods", fmt::format("{}", fmt::join(methods, ", ")));
  response.set_header("Access-Control-Allow-Headers", kAllowedHeaders);
  response.set_header("Access-Control-Max-Age", kPreflightMaxAgeSeconds);
  return true;
}

}  // namespace aurite::api::detail
