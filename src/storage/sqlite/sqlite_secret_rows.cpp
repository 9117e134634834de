// SqliteBackend as SecretRows: each operation is one statement, or two in one BEGIN
// IMMEDIATE transaction where a write depends on who holds the lock.
#include "aurite/common/error.hpp"
#include "storage/sqlite/sqlite_backend.hpp"

namespace aurite::storage::sqlite {
namespace {

#define AURITE_NOW "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"

constexpr const char* kSelectSecret = "SELECT value FROM secrets WHERE name = ?1";
constexpr const char* kUpsertSecret =
    "INSERT INTO secrets (name, value) VALUES (?1, ?2)"
    " ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = " AURITE_NOW;
constexpr const char* kSelectLockHolder = "SELECT 1 FROM secret_locks WHERE name = ?1 AND holder = ?2";
constexpr const char* kDeleteSecret = "DELETE FROM secrets WHERE name = ?1 RETURNING name";
// substr rather than LIKE: a '%' or '_' in the prefix is a character, not a pattern.
constexpr const char* kSelectSecretNames =
    "SELECT name FROM secrets WHERE substr(name, 1, length(?1)) = ?1 ORDER BY name";
constexpr const char* kSelectAllSecrets = "SELECT name, value FROM secrets ORDER BY name";
constexpr const char* kTakeSecretLock =
    "INSERT INTO secret_locks (name, holder, expires_at) VALUES (?1, ?2, ?4)"
    " ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at"
    " WHERE secret_locks.expires_at <= ?3 OR secret_locks.holder = excluded.holder"
    " RETURNING holder";
constexpr const char* kReleaseSecretLock = "DELETE FROM secret_locks WHERE name = ?1 AND holder = ?2";

#undef AURITE_NOW

}  // namespace

std::optional<std::string> SqliteBackend::sealed_secret(const std::string& name) {
  std::lock_guard lock(mutex_);
  auto select = db_.cached(kSelectSecret);
  select->bind(1, name);
  if (!select->step()) return std::nullopt;
  return select->column_text(0);
}

bool SqliteBackend::put_sealed_secret(const std::string& name, const std::string& sealed,
                                      const std::optional<std::string>& holder) {
  std::lock_guard lock(mutex_);
  Transaction tx(db_);
  if (holder) {
    auto held = db_.cached(kSelectLockHolder);
    held->bind(1, name);
    held->bind(2, *holder);
    if (!held->step()) return false;
  }
  {
    auto upsert = db_.cached(kUpsertSecret);
    upsert->bind(1, name);
    upsert->bind(2, sealed);
    upsert->step();
  }
  tx.commit();
  return true;
}

bool SqliteBackend::delete_secret(const std::string& name) {
  std::lock_guard lock(mutex_);
  auto remove = db_.cached(kDeleteSecret);
  remove->bind(1, name);
  return remove->step();
}

std::vector<std::string> SqliteBackend::secret_names(const std::string& prefix) {
  std::lock_guard lock(mutex_);
  auto select = db_.cached(kSelectSecretNames);
  select->bind(1, prefix);
  std::vector<std::string> names;
  while (select->step()) names.push_back(select->column_text(0));
  return names;
}

void SqliteBackend::for_each_sealed_secret(
    const std::function<void(const std::string& name, const std::string& sealed)>& visit) {
  std::vector<std::pair<std::string, std::string>> rows;
  {
    std::lock_guard lock(mutex_);
    auto select = db_.cached(kSelectAllSecrets);
    while (select->step()) rows.emplace_back(select->column_text(0), select->column_text(1));
  }
  // Visited without the mutex: `visit` may write to another database on this thread.
  for (const auto& [name, sealed] : rows) visit(name, sealed);
}

bool SqliteBackend::try_lock_secret(const std::string& name, const std::string& holder, std::int64_t now_ms,
                                    std::int64_t expires_at_ms) {
  if (holder.empty()) throw Error(ErrorCode::kInvalidArgument, "a secret lock needs a holder");
  std::lock_guard lock(mutex_);
  Transaction tx(db_);
  bool taken = false;
  {
    auto take = db_.cached(kTakeSecretLock);
    take->bind(1, name);
    take->bind(2, holder);
    take->bind(3, now_ms);
    take->bind(4, expires_at_ms);
    taken = take->step();
  }
  tx.commit();
  return taken;
}

void SqliteBackend::unlock_secret(const std::string& name, const std::string& holder) {
  std::lock_guard lock(mutex_);
  auto release = db_.cached(kReleaseSecretLock);
  release->bind(1, name);
  release->bind(2, holder);
  release->step();
}

}  // namespace aurite::storage::sqlite
