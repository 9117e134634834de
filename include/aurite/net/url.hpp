// net/url — the pieces of URLs that OAuth discovery and redirects need, parsed by
// libcurl's URL API (the parser our requests go through anyway), and form encoding.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace aurite::net {

struct Url {
  std::string scheme;  // lower case
  std::string host;    // lower case; an IPv6 address in brackets
  std::string port;    // as written; empty when the URL names none
  std::string path;    // "/" when empty
  std::string query;   // without '?'; empty when none

  // scheme://host[:port], without a trailing slash.
  std::string origin() const;
};

// nullopt when `text` is not an absolute http(s) URL.
std::optional<Url> parse_url(std::string_view text);

// `reference` (absolute, or relative like a Location header) against `base`; nullopt
// when the result is not an http(s) URL.
std::optional<std::string> resolve_url(std::string_view base, std::string_view reference);

// RFC 3986 percent-encoding of everything but the unreserved characters.
std::string percent_encode(std::string_view text);
std::string percent_decode(std::string_view text);  // '+' is a space, as in forms

using FormFields = std::vector<std::pair<std::string, std::string>>;
// application/x-www-form-urlencoded, in the order given.
std::string form_encode(const FormFields& fields);
// A query string or form body, each pair decoded, in order.
FormFields form_decode(std::string_view text);
// The first value of `name` in `fields`.
std::optional<std::string> form_value(const FormFields& fields, std::string_view name);

}  // namespace aurite::net
