// Reading the parts of a libpq connection URI that we show to people, without the
// password. Internal to the storage module.
#pragma once

#include <string>

namespace aurite::storage {

// `postgresql://user:secret@host:5432/db?password=x&sslmode=require` becomes
// `postgresql://user:***@host:5432/db?password=***&sslmode=require`.
std::string mask_pg_uri(const std::string& uri);

// The host list of the URI as written ("host:port", port 5432 added when absent;
// "localhost:5432" when the URI names no host).
std::string pg_uri_endpoint(const std::string& uri);

// The password in the URI's user info or `password=` parameter, "" when none.
std::string pg_uri_password(const std::string& uri);

// Replaces every occurrence of `secret` in `text` by `***` (no-op for an empty secret).
// A last line of defence for messages that come back from a database client library.
std::string scrub_secret(std::string text, const std::string& secret);

}  // namespace aurite::storage
