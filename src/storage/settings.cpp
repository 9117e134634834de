#include "aurite/storage/settings.hpp"

#include <charconv>
#include <filesystem>

#include "aurite/common/env.hpp"
#include "aurite/common/error.hpp"
#include "aurite/common/text.hpp"
#include "storage/uri.hpp"

namespace aurite::storage {
namespace {

// An integer variable in [min, max], or `fallback` when unset or blank.
long env_int(const std::string& name, long fallback, long min, long max) {
  const auto value = get_env(name);
  if (!value || trim(*value).empty()) return fallback;
  const std::string_view text = trim(*value);
  long parsed = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), parsed);
  if (ec != std::errc() || end != text.data() + text.size() || parsed < min || parsed > max) {
    throw Error(ErrorCode::kInvalidArgument, name + "='" + *value + "' is not an integer in " +
                                                 std::to_string(min) + ".." + std::to_string(max));
  }
  return parsed;
}

std::string env_string(const std::string& name, std::string fallback) {
  auto value = get_env(name);
  if (!value || trim(*value).empty()) return fallback;
  return std::string(trim(*value));
}

DbType parse_type(const std::string& variable, const std::string& value) {
  const std::string lower = to_lower(trim(value));
  if (lower == "sqlite" || lower == "sqlite3") return DbType::kSqlite;
  if (lower == "postgresql" || lower == "postgres") return DbType::kPostgres;
  throw Error(ErrorCode::kInvalidArgument,
              variable + "='" + value + "' is not a database type (use sqlite or postgresql)");
}

}  // namespace

std::string_view to_string(DbType type) {
  return type == DbType::kSqlite ? "sqlite" : "postgresql";
}

std::string StorageSettings::masked() const {
  if (url) {
    if (type == DbType::kSqlite) return *url;
    return mask_pg_uri(*url);
  }
  // sqlite:// followed by the absolute path ("sqlite:///home/..."), which opens the same
  // file from any folder; the relative default would read as a path from the root.
  if (type == DbType::kSqlite) return "sqlite://" + std::filesystem::absolute(sqlite_path).lexically_normal().string();
  std::string out = "postgresql://";
  if (!user.empty()) out += user + (password.empty() ? "" : ":***") + "@";
  out += endpoint();
  if (!database.empty()) out += "/" + database;
  if (!sslmode.empty()) out += "?sslmode=" + sslmode;
  return out;
}

std::string StorageSettings::endpoint() const {
  if (url && type == DbType::kPostgres) return pg_uri_endpoint(*url);
  return host + ":" + std::to_string(port);
}

StorageSettings with_url(StorageSettings s, const std::string& url, const std::string& origin) {
  const std::string text(trim(url));
  const auto scheme_end = text.find("://");
  const std::string scheme = to_lower(text.substr(0, scheme_end == std::string::npos ? 0 : scheme_end));
  if (scheme == "sqlite") {
    s.type = DbType::kSqlite;
    s.sqlite_path = text.substr(scheme_end + 3);  // sqlite:///abs -> /abs, sqlite://rel -> rel
    if (s.sqlite_path.empty()) {
      throw Error(ErrorCode::kInvalidArgument, origin + "='" + text + "' names no file");
    }
  } else if (scheme == "postgresql" || scheme == "postgres") {
    s.type = DbType::kPostgres;
  } else {
    // The value may hold a password: only the scheme is echoed.
    throw Error(ErrorCode::kInvalidArgument,
                origin + " has scheme '" + scheme + "'; use postgresql://... or sqlite:///path");
  }
  s.url = text;
  return s;
}

StorageSettings load_storage_settings() {
  StorageSettings s;
  s.enabled = env_bool("AURITE_ENABLE_DB", false);
  s.store_configs = env_bool("AURITE_DB_STORE_CONFIGS", true);
  s.store_history = env_bool("AURITE_DB_STORE_HISTORY", true);
  s.optional = env_bool("AURITE_DB_OPTIONAL", false);
  if (auto type = get_env("AURITE_DB_TYPE"); type && !trim(*type).empty()) {
    s.type = parse_type("AURITE_DB_TYPE", *type);
  }
  s.sqlite_path = env_string("AURITE_DB_PATH", s.sqlite_path);
  s.host = env_string("AURITE_DB_HOST", s.host);
  s.port = static_cast<std::uint16_t>(env_int("AURITE_DB_PORT", s.port, 1, 65535));
  s.user = env_string("AURITE_DB_USER", "");
  s.password = get_env("AURITE_DB_PASSWORD").value_or("");
  s.database = env_string("AURITE_DB_NAME", "");
  s.sslmode = env_string("AURITE_DB_SSLMODE", "");
  s.pool_size = static_cast<int>(env_int("AURITE_DB_POOL_SIZE", s.pool_size, 1, 256));
  s.session_lease_ttl = std::chrono::seconds(env_int("AURITE_SESSION_LEASE_TTL", 30, 1, 3600));
  s.session_wait = std::chrono::seconds(env_int("AURITE_SESSION_WAIT", 60, 0, 86400));

  if (auto url = get_env("AURITE_DB_URL"); url && !trim(*url).empty()) {
    s = with_url(std::move(s), *url, "AURITE_DB_URL");
  }
  return s;
}

}  // namespace aurite::storage
