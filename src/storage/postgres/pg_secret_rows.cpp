// PgBackend as SecretRows: each operation is one statement. A write made as a lock's
// holder checks the lock in the same statement and keeps the lock row from being taken
// over until it commits (FOR SHARE).
#include "aurite/common/error.hpp"
#include "storage/postgres/pg_backend.hpp"

namespace aurite::storage::postgres {
namespace {

constexpr Query kSelectSecret{"select_secret", "SELECT value FROM secrets WHERE name = $1"};
// $3 NULL: write unconditionally.
constexpr Query kUpsertSecret{
    "upsert_secret",
    "INSERT INTO secrets (name, value) SELECT $1, $2"
    " WHERE $3::text IS NULL"
    "  OR EXISTS (SELECT 1 FROM secret_locks WHERE name = $1 AND holder = $3::text FOR SHARE)"
    " ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = now()"
    " RETURNING name"};
constexpr Query kDeleteSecret{"delete_secret", "DELETE FROM secrets WHERE name = $1 RETURNING name"};
// left() rather than LIKE: a '%' or '_' in the prefix is a character, not a pattern.
constexpr Query kSelectSecretNames{
    "select_secret_names", "SELECT name FROM secrets WHERE left(name, length($1)) = $1 ORDER BY name COLLATE \"C\""};
constexpr Query kSelectAllSecrets{"select_all_secrets", "SELECT name, value FROM secrets ORDER BY name COLLATE \"C\""};
constexpr Query kTakeSecretLock{
    "take_secret_lock",
    "INSERT INTO secret_locks AS l (name, holder, expires_at) VALUES ($1, $2, $4::bigint)"
    " ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at"
    " WHERE l.expires_at <= $3::bigint OR l.holder = excluded.holder"
    " RETURNING holder"};
constexpr Query kReleaseSecretLock{"release_secret_lock", "DELETE FROM secret_locks WHERE name = $1 AND holder = $2"};

}  // namespace

std::optional<std::string> PgBackend::sealed_secret(const std::string& name) {
  return with_connection(true, [&](Connection& conn) -> std::optional<std::string> {
    const Result rows = conn.exec(kSelectSecret, {name});
    if (PQntuples(rows.get()) == 0) return std::nullopt;
    return text_at(rows, 0, 0);
  });
}

bool PgBackend::put_sealed_secret(const std::string& name, const std::string& sealed,
                                  const std::optional<std::string>& holder) {
  // Safe to repeat: writing the same sealed value again changes nothing more.
  return with_connection(true, [&](Connection& conn) {
    const Param held = holder ? Param(*holder) : Param(nullptr);
    return PQntuples(conn.exec(kUpsertSecret, {name, sealed, held}).get()) > 0;
  });
}

bool PgBackend::delete_secret(const std::string& name) {
  return with_connection(true, [&](Connection& conn) {
    return PQntuples(conn.exec(kDeleteSecret, {name}).get()) > 0;
  });
}

std::vector<std::string> PgBackend::secret_names(const std::string& prefix) {
  return with_connection(true, [&](Connection& conn) {
    const Result rows = conn.exec(kSelectSecretNames, {prefix});
    std::vector<std::string> names;
    for (int row = 0; row < PQntuples(rows.get()); ++row) names.push_back(text_at(rows, row, 0));
    return names;
  });
}

void PgBackend::for_each_sealed_secret(
    const std::function<void(const std::string& name, const std::string& sealed)>& visit) {
  const auto rows = with_connection(true, [&](Connection& conn) {
    const Result result = conn.exec(kSelectAllSecrets);
    std::vector<std::pair<std::string, std::string>> out;
    for (int row = 0; row < PQntuples(result.get()); ++row) out.emplace_back(text_at(result, row, 0), text_at(result, row, 1));
    return out;
  });
  for (const auto& [name, sealed] : rows) visit(name, sealed);
}

bool PgBackend::try_lock_secret(const std::string& name, const std::string& holder, std::int64_t now_ms,
                                std::int64_t expires_at_ms) {
  if (holder.empty()) throw Error(ErrorCode::kInvalidArgument, "a secret lock needs a holder");
  // Safe to repeat on a new connection: taking a lock we already hold succeeds again.
  return with_connection(true, [&](Connection& conn) {
    return PQntuples(conn.exec(kTakeSecretLock, {name, holder, std::to_string(now_ms), std::to_string(expires_at_ms)})
                         .get()) > 0;
  });
}

void PgBackend::unlock_secret(const std::string& name, const std::string& holder) {
  with_connection(true, [&](Connection& conn) {
    conn.exec(kReleaseSecretLock, {name, holder});
    return 0;
  });
}

}  // namespace aurite::storage::postgres
