#include "aurite/storage/storage_manager.hpp"

#include "aurite/common/error.hpp"
#include "aurite/common/log.hpp"
#include "storage/backend.hpp"

namespace aurite::storage {

std::unique_ptr<StorageManager> StorageManager::open(const StorageSettings& settings) {
  if (!settings.enabled) {
    throw Error(ErrorCode::kInvalidArgument, "the database is disabled (set AURITE_ENABLE_DB=true)");
  }
  std::unique_ptr<StorageManager> manager(new StorageManager(settings, make_backend(settings)));
  manager->migrate();
  spdlog::info("storage: {} at {}", to_string(settings.type), settings.masked());
  return manager;
}

std::unique_ptr<StorageManager> StorageManager::open_if_enabled(const StorageSettings& settings) {
  if (!settings.enabled) return nullptr;
  try {
    return open(settings);
  } catch (const Error& e) {
    if (!settings.optional || e.code() == ErrorCode::kInvalidArgument) throw;
    spdlog::warn("continuing without a database (AURITE_DB_OPTIONAL=true): {}", e.what());
    return nullptr;
  }
}

StorageManager::StorageManager(StorageSettings settings, std::unique_ptr<Backend> backend)
    : settings_(std::move(settings)), backend_(std::move(backend)) {}

StorageManager::~StorageManager() = default;

HistoryStore* StorageManager::history() { return settings_.store_history ? backend_.get() : nullptr; }

SessionLeaseStore* StorageManager::leases() { return settings_.store_history ? backend_.get() : nullptr; }

HistoryAdmin* StorageManager::history_admin() { return settings_.store_history ? backend_.get() : nullptr; }

DbConfigStore* StorageManager::configs() { return settings_.store_configs ? backend_.get() : nullptr; }

std::shared_ptr<DbConfigStore> StorageManager::shared_configs() {
  if (!settings_.store_configs) return nullptr;
  return std::shared_ptr<DbConfigStore>(backend_, backend_.get());
}

void StorageManager::migrate() { backend_->migrate(); }

StorageStatus StorageManager::status() {
  StorageStatus status;
  status.backend = std::string(to_string(settings_.type));
  status.location = settings_.masked();
  status.schema_version = backend_->schema_version();
  status.row_counts = backend_->row_counts();
  return status;
}

}  // namespace aurite::storage
