// storage/storage_manager — owns the database of a process: opens the backend chosen by
// StorageSettings, brings its schema up to date, and hands out the stores.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "aurite/secrets/secret_store.hpp"
#include "aurite/storage/approval_store.hpp"
#include "aurite/storage/config_store.hpp"
#include "aurite/storage/history_admin.hpp"
#include "aurite/storage/history_store.hpp"
#include "aurite/storage/pool_stats.hpp"
#include "aurite/storage/run_store.hpp"
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

  // Credentials we obtained (OAuth logins), sealed with secrets::default_secret_box()
  // in the `secrets` table and shared by every process on the database; update() holds
  // a lock row per name (one refresh at a time across processes). Always present: it
  // does not depend on the configuration and history switches. The key is loaded on the
  // first seal or open; with PostgreSQL and a key that is this machine's own key file,
  // a warning says that other machines on the database need the same AURITE_SECRET_KEY.
  std::shared_ptr<secrets::SecretStore> secrets();

  // Tool calls waiting for a person, and the runs they paused. Valid for the life of
  // this manager, thread-safe. Always present: a paused run keeps what it needs in its
  // own row, so it does not depend on the configuration and history switches.
  ApprovalStore* approvals();

  // Every run and the events it reported, for following a run from another connection
  // or process. Valid for the life of this manager, thread-safe. Always present: a run's
  // row holds what it needs, so it does not depend on the configuration and history
  // switches.
  RunStore* runs();

  // Writes every secret of this database into `target` as it is stored, sealed: the
  // plain values are never read, so the copy needs no key (the target's processes need
  // the same one to open them). Replaces values of the same names. Returns how many.
  std::int64_t copy_secrets_to(StorageManager& target);

  // Applies pending migrations; idempotent. open() already calls it.
  void migrate();

  StorageStatus status();

  // The connection pool's state; nullopt for a backend without one (SQLite).
  std::optional<PoolStats> pool_stats();

 private:
  StorageManager(StorageSettings settings, std::unique_ptr<Backend> backend);

  StorageSettings settings_;
  std::shared_ptr<Backend> backend_;
};

}  // namespace aurite::storage
