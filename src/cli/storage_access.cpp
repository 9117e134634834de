#include "cli/storage_access.hpp"

#include "aurite/common/error.hpp"
#include "aurite/secrets/file_secret_store.hpp"

namespace aurite::cli {

std::unique_ptr<storage::StorageManager> open_storage(const std::string& command) {
  const storage::StorageSettings settings = storage::load_storage_settings();
  if (!settings.enabled) {
    throw Error(ErrorCode::kInvalidArgument,
                "'aurite " + command +
                    "' works on the database, which is disabled: set AURITE_ENABLE_DB=true (and AURITE_DB_URL, "
                    "or AURITE_DB_TYPE with its settings)");
  }
  return storage::StorageManager::open(settings);
}

std::shared_ptr<secrets::SecretStore> login_store() {
  const storage::StorageSettings settings = storage::load_storage_settings();
  if (!settings.enabled) return secrets::default_file_store();
  return secrets::lazy_store(
      [settings] {
        // An optional database that is down: as for runs, the files (open_if_enabled warns).
        const std::shared_ptr<storage::StorageManager> storage = storage::StorageManager::open_if_enabled(settings);
        return storage ? storage->secrets() : secrets::default_file_store();
      },
      "the database " + settings.masked());
}

storage::DbConfigStore& config_store_of(storage::StorageManager& storage) {
  if (storage.configs() == nullptr) {
    throw Error(ErrorCode::kInvalidArgument,
                "configurations are not stored in the database (AURITE_DB_STORE_CONFIGS=false)");
  }
  return *storage.configs();
}

storage::HistoryAdmin& history_admin_of(storage::StorageManager& storage) {
  if (storage.history_admin() == nullptr) {
    throw Error(ErrorCode::kInvalidArgument, "history is not stored in the database (AURITE_DB_STORE_HISTORY=false)");
  }
  return *storage.history_admin();
}

storage::HistoryStore& history_of(storage::StorageManager& storage) {
  if (storage.history() == nullptr) {
    throw Error(ErrorCode::kInvalidArgument, "history is not stored in the database (AURITE_DB_STORE_HISTORY=false)");
  }
  return *storage.history();
}

}  // namespace aurite::cli
