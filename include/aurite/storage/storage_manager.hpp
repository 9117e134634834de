// storage/storage_manager — owns the database of a process: opens the backend chosen by
// StorageSettings, brings its schema up to date, and hands out the stores.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "aurite/storage/config_store.hpp"
#include "aurite/storage/history_admin.hpp"
#include "aurite/storage/history_store.hpp"
#include "aurite/storage/session_lease_store.hpp"
#include "aurite/storage/settings.hpp"

namespace aurite::storage {

class Backend;

struct StorageStatus {
  std::string backend;          // "sqlite" or "postgresql"
  std::string location;         // StorageSettings::masked()
  std::int64_t schema_version = 0;
  std::map<std::string, std::int64_t> row_counts;  // table name -> rows

  friend bool operator==(const StorageStatus&, const StorageStatus&) = default;
};

class StorageManager {
 public:
  // Opens the database and applies pending migrations (safe when several processes
  // start at once). Throws Error: kInvalidArgument when settings.enabled is false,
  // kUnavailable naming the masked location (and host:port for PostgreSQL) when it
  // cannot be reached, kIo naming the SQLite file when it cannot be created or written.
  static std::unique_ptr<StorageManager> open(const StorageSettings& settings);

  // nullptr when settings.enabled is false (nothing is opened), or when it cannot be
  // opened and settings.optional is true (a warning is logged); otherwise as open().
  static std::unique_ptr<StorageManager> open_if_enabled(const StorageSettings& settings);

  ~StorageManager();
  StorageManager(const StorageManager&) = delete;
  StorageManager& operator=(const StorageManager&) = delete;

  const StorageSettings& settings() const noexcept { return settings_; }

  // The history store, valid for the life of this manager and thread-safe; nullptr when
  // history storage is off (AURITE_DB_STORE_HISTORY=false).
  HistoryStore* history();

  // The session leases that keep runs on one session from interleaving; nullptr when
  // history storage is off (there is then nothing shared to keep apart). Valid for the
  // life of this manager, thread-safe.
  SessionLeaseStore* leases();

  // History maintenance (prune, search, stats, export/import); nullptr when history
  // storage is off. Valid for the life of this manager, thread-safe.
  HistoryAdmin* history_admin();

  // The configuration store, valid for the life of this manager and thread-safe; nullptr
  // when configuration storage is off (AURITE_DB_STORE_CONFIGS=false).
  DbConfigStore* configs();
  // The same store as a shared handle that keeps the database open while it lives (for
  // HostManager::attach_config_store); null when configuration storage is off.
  std::shared_ptr<DbConfigStore> shared_configs();

  // Applies pending migrations; idempotent. open() already calls it.
  void migrate();

  StorageStatus status();

 private:
  StorageManager(StorageSettings settings, std::unique_ptr<Backend> backend);

  StorageSettings settings_;
  std::shared_ptr<Backend> backend_;
};

}  // namespace aurite::storage
