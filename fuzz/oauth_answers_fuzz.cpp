// Fuzz target: what an OAuth server or a redirect hands the client: a WWW-Authenticate
// header (mcp::auth::parse_bearer_challenge) and a redirect's query (net::form_decode).
//
// Properties beyond "no crash" (neither may throw):
// - the params of a challenge, written back as quoted strings, read back the same;
// - a decoded query, encoded again, decodes to the same fields.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "aurite/net/url.hpp"
#include "fuzz_support.hpp"
#include "mcp/auth/challenge.hpp"

namespace {

std::string quoted(const std::string& value) {
  std::string out = "\"";
  for (const char c : value) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  if (const auto challenge = aurite::mcp::auth::parse_bearer_challenge(input)) {
    std::string header = "Bearer";
    bool first = true;
    for (const auto& [name, value] : challenge->params) {
      header += (first ? " " : ", ") + name + "=" + quoted(value);
      first = false;
    }
    const auto again = aurite::mcp::auth::parse_bearer_challenge(header);
    if (!again || again->params != challenge->params) aurite::fuzz::fail("a challenge written back reads otherwise");
  }
  const auto fields = aurite::net::form_decode(input);
  if (aurite::net::form_decode(aurite::net::form_encode(fields)) != fields) {
    aurite::fuzz::fail("a query encoded again decodes otherwise");
  }
  return 0;
}
