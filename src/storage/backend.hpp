// The contract every database backend fulfils. Internal to the storage module: only
// backend_factory.cpp knows the concrete backends, and StorageManager knows this.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "aurite/storage/approval_store.hpp"
#include "aurite/storage/config_store.hpp"
#include "aurite/storage/history_admin.hpp"
#include "aurite/storage/history_store.hpp"
#include "aurite/storage/run_store.hpp"
#include "aurite/storage/session_lease_store.hpp"
#include "aurite/storage/settings.hpp"
#include "aurite/storage/pool_stats.hpp"
#include "storage/secret_rows.hpp"

namespace aurite::storage {

class Backend : public HistoryStore,
                public HistoryAdmin,
                public DbConfigStore,
                public SessionLeaseStore,
                public SecretRows,
                public ApprovalStore,
                public RunStore {
 public:
  // Applies every migration not yet recorded in schema_migrations, each in its own
  // transaction, serialised across processes. Idempotent.
  virtual void migrate() = 0;

  // The highest applied migration version (0 before any).
  virtual std::int64_t schema_version() = 0;

  // Rows in each of our tables, by table name.
  virtual std::map<std::string, std::int64_t> row_counts() = 0;

  // The connection pool's state; nullopt without a pool.
  virtual std::optional<PoolStats> pool_stats() { return std::nullopt; }
};

// Opens the backend named by `settings.type` (connecting, creating the SQLite file).
// Does not migrate. Throws Error as StorageManager::open documents.
std::unique_ptr<Backend> make_backend(const StorageSettings& settings);

}  // namespace aurite::storage
