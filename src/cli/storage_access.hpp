// How the db and history commands reach the database: the settings from the environment,
// and a clear usage error (exit 2) when the database or the part they need is off; and
// where logins are kept, which depends on the same settings.
#pragma once

#include <memory>
#include <string>

#include "aurite/secrets/secret_store.hpp"
#include "aurite/storage/storage_manager.hpp"

namespace aurite::cli {

// Opens (and migrates) the database AURITE_DB_* names. Throws Error(kInvalidArgument)
// saying to set AURITE_ENABLE_DB=true when it is off; `command` names the caller.
std::unique_ptr<storage::StorageManager> open_storage(const std::string& command);

// Where OAuth logins are kept and found (`aurite mcp login`, and every command that
// talks to a server): the database's secrets when the database is on, the user's sealed
// files otherwise, as `aurite run` and `aurite serve` choose. Opened on first use.
std::shared_ptr<secrets::SecretStore> login_store();

// The store, or Error(kInvalidArgument) naming the variable that switched it off.
storage::DbConfigStore& config_store_of(storage::StorageManager& storage);
storage::HistoryAdmin& history_admin_of(storage::StorageManager& storage);
storage::HistoryStore& history_of(storage::StorageManager& storage);

}  // namespace aurite::cli
