// Cross-origin requests from browsers (aurite serve --cors-origin ORIGIN ...). Off unless
// origins are named: a page elsewhere must not drive the API with a user's key. A named
// Origin is echoed back (never `*`), so a cache keyed without it would serve one origin's
// answer to another: every response says Vary: Origin once the policy is on.
#pragma once

#include <httplib.h>

#include <set>
#include <string>
#include <vector>

namespace aurite::api::detail {

class CorsPolicy {
 public:
  // Throws Error(kInvalidArgument) naming an entry that is not an origin
  // (http(s)://host[:port], nothing after it).
  explicit CorsPolicy(const std::vector<std::string>& origins);

  bool enabled() const { return !origins_.empty(); }

  // Vary: Origin when enabled, and Access-Control-Allow-Origin for a named Origin.
  void annotate(const httplib::Request& request, httplib::Response& response) const;

  // Answers a preflight (OPTIONS with Access-Control-Request-Method) from a named origin
  // for a path served with `methods` (none: not served here) with 204 and what may be
  // sent. False, touching nothing, for any other request.
  bool answer_preflight(const httplib::Request& request, httplib::Response& response,
                        const std::vector<std::string>& methods) const;

 private:
  bool named(const httplib::Request& request) const;

  std::set<std::string> origins_;
};

}  // namespace aurite::api::detail
