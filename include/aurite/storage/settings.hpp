// storage/settings — where the database is and which parts of it are on, read once from
// the environment at start-up.
//
// Every setting has a default (in brackets below) so an empty environment means "no
// database at all". A value that cannot be used is an error naming the variable, never a
// silent fallback. Passwords are kept here but never printed: logs and error messages use
// StorageSettings::masked().
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace aurite::storage {

enum class DbType { kSqlite, kPostgres };

std::string_view to_string(DbType type);

struct StorageSettings {
  bool enabled = false;        // AURITE_ENABLE_DB [false]: false touches no file and no server
  bool store_configs = true;   // AURITE_DB_STORE_CONFIGS [true]
  bool store_history = true;   // AURITE_DB_STORE_HISTORY [true]
  bool optional = false;       // AURITE_DB_OPTIONAL [false]: an unreachable DB only warns
  DbType type = DbType::kSqlite;  // AURITE_DB_TYPE [sqlite] | postgresql | postgres

  // AURITE_DB_URL, when set, overrides every field below it: `sqlite:///abs/path`,
  // `sqlite://rel/path` or a libpq URI `postgresql://user:pw@host:port/db?sslmode=...`.
  std::optional<std::string> url;

  std::string sqlite_path = ".aurite/aurite.db";  // AURITE_DB_PATH [.aurite/aurite.db]

  std::string host = "localhost";  // AURITE_DB_HOST [localhost]
  std::uint16_t port = 5432;       // AURITE_DB_PORT [5432]
  std::string user;                // AURITE_DB_USER [libpq default]
  std::string password;            // AURITE_DB_PASSWORD [none]; never logged
  std::string database;            // AURITE_DB_NAME [libpq default]
  std::string sslmode;             // AURITE_DB_SSLMODE [libpq default, "prefer"]

  int pool_size = 4;  // AURITE_DB_POOL_SIZE [4], 1..256: PostgreSQL connections at most

  // How long an operation waits for a pooled connection before it fails with kTimeout.
  std::chrono::milliseconds pool_wait{10'000};
  // libpq connect_timeout, per address tried: an unreachable server is an error after
  // this long (twice for "localhost", which resolves to ::1 and 127.0.0.1).
  std::chrono::seconds connect_timeout{4};
  // PostgreSQL statement_timeout for every statement we send.
  std::chrono::milliseconds statement_timeout{30'000};
  // SQLite busy_timeout: how long a writer waits for another process's write lock.
  std::chrono::milliseconds busy_timeout{15'000};

  // Session leases (storage/session_lease_store.hpp), used with and without a database:
  // how long a lease lasts without a heartbeat, AURITE_SESSION_LEASE_TTL [30] seconds,
  // 1..3600; how long a run waits for a busy session, AURITE_SESSION_WAIT [60] seconds,
  // 0..86400.
  std::chrono::milliseconds session_lease_ttl{30'000};
  std::chrono::milliseconds session_wait{60'000};

  // The location with any password replaced by `***`: `sqlite:///path/to/aurite.db` or
  // `postgresql://user:***@host:port/db`. The only form used in logs and errors.
  std::string masked() const;

  // "host:port" of a PostgreSQL location (from the URL when one is set), for errors.
  std::string endpoint() const;
};

// Reads the AURITE_DB_* variables. Throws Error(kInvalidArgument) naming the variable and
// its value when a boolean, type, port or pool size is not valid (a password is never
// echoed). Reading does not open anything.
StorageSettings load_storage_settings();

// `base` pointed at another database by URL (as AURITE_DB_URL would): the type and
// location come from the URL, everything else from `base`. Throws Error(kInvalidArgument)
// naming `origin` for a URL that is neither sqlite:// nor postgresql://.
StorageSettings with_url(StorageSettings base, const std::string& url, const std::string& origin);

}  // namespace aurite::storage
