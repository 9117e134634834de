// The Bearer challenge of a WWW-Authenticate header (RFC 6750 §3, RFC 9728 §5.1): what
// a server that refused us says about where to get a token and which scope it wants.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace aurite::mcp::auth {

struct BearerChallenge {
  std::map<std::string, std::string> params;  // names lower-cased, values unquoted

  std::optional<std::string> param(const std::string& name) const;
  std::optional<std::string> error() const { return param("error"); }
  std::optional<std::string> scope() const { return param("scope"); }
  std::optional<std::string> resource_metadata() const { return param("resource_metadata"); }
};

// The Bearer challenge among those of `header` (other schemes are skipped); nullopt
// when there is none. Never throws: a malformed header is a header without a challenge.
std::optional<BearerChallenge> parse_bearer_challenge(std::string_view header);

}  // namespace aurite::mcp::auth
