// secrets/secret_store — where credentials we obtain are kept between processes
// (OAuth tokens and client registrations of remote MCP servers).
//
// A narrow interface so that the code that obtains secrets does not know where they
// live: with the database on, storage keeps them in a table, sealed; without it, a file
// store keeps them under the user's configuration folder, sealed as well. Values are
// opaque text to the store; names are short, printable and not secret ("mcp-oauth/notion").
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aurite::secrets {

class SecretStore {
 public:
  virtual ~SecretStore() = default;

  // The value stored under `name`; nullopt when there is none. Throws Error(kIo or
  // kUnavailable) when the store cannot be read, Error(kUnauthenticated) when a value is
  // there but does not open with our key (tampered with, or sealed with another key).
  virtual std::optional<std::string> get(std::string_view name) = 0;

  // Stores `value` under `name`, replacing what was there, durably before returning.
  virtual void put(std::string_view name, std::string_view value) = 0;

  // Removes `name`; false when there was nothing to remove.
  virtual bool remove(std::string_view name) = 0;

  // The names that begin with `prefix`, sorted.
  virtual std::vector<std::string> names(std::string_view prefix) = 0;

  // Read-modify-write of one name under a lock every process using the same store
  // honours: `change` sees the value stored now and returns the one to store (nullopt:
  // leave it). Returns what is stored afterwards. This is what keeps two processes that
  // both find a token expired from both refreshing it: the second sees the first's.
  using Change = std::function<std::optional<std::string>(const std::optional<std::string>& current)>;
  virtual std::optional<std::string> update(std::string_view name, const Change& change) = 0;

  // Where the values live, for messages ("/home/ada/.config/aurite/secrets", "the database").
  virtual std::string location() const = 0;
};

// A store opened by `open` on its first use, so a process that never needs a secret
// opens nothing (creates no key, no folder, no connection). A failure to open is thrown
// by that use and tried again by the next. location() is `location` until it is open.
std::shared_ptr<SecretStore> lazy_store(std::function<std::shared_ptr<SecretStore>()> open, std::string location);

}  // namespace aurite::secrets
