// The SecretStore of a process with the database: values sealed with the installation's
// SecretBox in the `secrets` table, shared by every process (and machine) on it.
//
// update() serialises a read-modify-write across all of them with a lock row per name
// rather than a database lock: the change in between may be a network round trip (an
// OAuth refresh), and a SQLite write transaction held that long would stop every other
// writer of the file. A holder that dies frees the name after lock_ttl; a holder slower
// than that finds its write refused instead of overwriting the next holder's.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "aurite/common/wall_clock.hpp"
#include "aurite/secrets/secret_box.hpp"
#include "aurite/secrets/secret_store.hpp"
#include "storage/secret_rows.hpp"

namespace aurite::storage {

struct SecretLockTiming {
  // How long a lock lasts: beyond the longest change (a token request's 30 s timeout).
  std::chrono::milliseconds lock_ttl{60'000};
  // How long update() waits for another holder before Error(kTimeout).
  std::chrono::milliseconds wait{75'000};
};

class DbSecretStore final : public secrets::SecretStore {
 public:
  // Called for each seal and open; throws when there is no key (load_secret_key's errors).
  using BoxSource = std::function<std::shared_ptr<const secrets::SecretBox>()>;

  // `rows` is kept alive by the store; `location` names the database for messages.
  DbSecretStore(std::shared_ptr<SecretRows> rows, BoxSource box, std::string location, SecretLockTiming timing = {},
                WallClock& clock = system_wall_clock());

  std::optional<std::string> get(std::string_view name) override;
  void put(std::string_view name, std::string_view value) override;
  bool remove(std::string_view name) override;
  std::vector<std::string> names(std::string_view prefix) override;
  std::optional<std::string> update(std::string_view name, const Change& change) override;
  std::string location() const override { return location_; }

 private:
  void lock(const std::string& name, const std::string& holder);

  std::shared_ptr<SecretRows> rows_;
  BoxSource box_;
  std::string location_;
  SecretLockTiming timing_;
  WallClock& clock_;
};

}  // namespace aurite::storage
