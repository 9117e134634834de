// The rows behind DbSecretStore: sealed values by name, and the lock rows that let one
// process at a time change a value. Values arrive sealed; a backend never sees a plain
// secret. Times come from the caller's clock, as with session leases.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace aurite::storage {

class SecretRows {
 public:
  virtual ~SecretRows() = default;

  virtual std::optional<std::string> sealed_secret(const std::string& name) = 0;

  // Inserts or replaces the value. With `holder`, only while `holder` holds the name's
  // lock (checked in the same transaction); false when it does not.
  virtual bool put_sealed_secret(const std::string& name, const std::string& sealed,
                                 const std::optional<std::string>& holder) = 0;

  // false when there was no such row.
  virtual bool delete_secret(const std::string& name) = 0;

  // Names beginning with `prefix`, sorted.
  virtual std::vector<std::string> secret_names(const std::string& prefix) = 0;

  // Every row, by name: for copying sealed values verbatim to another database.
  virtual void for_each_sealed_secret(const std::function<void(const std::string& name, const std::string& sealed)>&
                                          visit) = 0;

  // As SessionLeaseStore::try_take_lease, for one secret's name.
  virtual bool try_lock_secret(const std::string& name, const std::string& holder, std::int64_t now_ms,
                               std::int64_t expires_at_ms) = 0;
  virtual void unlock_secret(const std::string& name, const std::string& holder) = 0;
};

}  // namespace aurite::storage
