#include "aurite/storage/storage_manager.hpp"

#include <mutex>

#include "aurite/common/error.hpp"
#include "aurite/common/log.hpp"
#include "storage/backend.hpp"
#include "storage/db_secret_store.hpp"

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

std::shared_ptr<secrets::SecretStore> StorageManager::secrets() {
  const bool shared_server = settings_.type == DbType::kPostgres;
  auto box = [shared_server] {
    auto box = secrets::default_secret_box();
    static std::once_flag warned;
    if (shared_server && secrets::secret_key_is_machine_local()) {
      std::call_once(warned, [] {
        spdlog::warn("credentials in the database are sealed with this machine's key file ({}); processes on "
                     "other machines cannot open them unless AURITE_SECRET_KEY holds the same key on each",
                     (secrets::user_config_dir() / "secret.key").string());
      });
    }
    return box;
  };
  return std::make_shared<DbSecretStore>(std::shared_ptr<SecretRows>(backend_, backend_.get()), std::move(box),
                                         "the database " + settings_.masked());
}

ApprovalStore* StorageManager::approvals() { return backend_.get(); }

RunStore* StorageManager::runs() { return backend_.get(); }

std::int64_t StorageManager::copy_secrets_to(StorageManager& target) {
  std::int64_t copied = 0;
  backend_->for_each_sealed_secret([&](const std::string& name, const std::string& sealed) {
    target.backend_->put_sealed_secret(name, sealed, std::nullopt);
    ++copied;
  });
  return copied;
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

std::optional<PoolStats> StorageManager::pool_stats() { return backend_->pool_stats(); }

}  // namespace aurite::storage
