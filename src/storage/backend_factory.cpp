// The one file that knows the concrete backends.
#include "storage/backend.hpp"
#include "storage/postgres/pg_backend.hpp"
#include "storage/sqlite/sqlite_backend.hpp"

namespace aurite::storage {

std::unique_ptr<Backend> make_backend(const StorageSettings& settings) {
  switch (settings.type) {
    case DbType::kSqlite:
      return std::make_unique<sqlite::SqliteBackend>(settings);
    case DbType::kPostgres:
      return std::make_unique<postgres::PgBackend>(settings);
  }
  throw Error(ErrorCode::kInternal, "unknown database type");
}

}  // namespace aurite::storage
