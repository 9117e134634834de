#include "storage/sqlite/sqlite_backend.hpp"

#include <algorithm>
#include <limits>

#include "aurite/common/error.hpp"
#include "aurite/common/log.hpp"
#include "storage/history_rules.hpp"
#include "storage/migration.hpp"
#include "storage/sqlite/sqlite_usage.hpp"

namespace aurite::storage::sqlite {
namespace {

constexpr const char* kCreateMigrationsTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL,"
    " applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))";
constexpr const char* kSelectAppliedVersions =
    "SELECT version FROM schema_migrations ORDER BY version";
constexpr const char* kInsertMigration = "INSERT INTO schema_migrations (version, name) VALUES (?1, ?2)";
constexpr const char* kSelectSchemaVersion = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations";

// Bumps the session's turn count (creating the session at 1) and returns it: the new seq.
constexpr const char* kUpsertSession =
    "INSERT INTO sessions (agent_name, session_id, turn_count) VALUES (?1, ?2, 1)"
    " ON CONFLICT (agent_name, session_id) DO UPDATE SET"
    "  turn_count = sessions.turn_count + 1,"
    "  last_updated = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
    " RETURNING turn_count";
constexpr const char* kInsertTurn =
    "INSERT INTO agent_history (agent_name, session_id, seq, role, content)"
    " VALUES (?1, ?2, ?3, ?4, ?5)";
// The searchable text of a turn: every string value of its content, as PostgreSQL's
// to_tsvector(jsonb) reads it.
constexpr const char* kInsertFts =
    "INSERT INTO agent_history_fts (rowid, text)"
    " SELECT ?1, (SELECT group_concat(value, ' ') FROM json_tree(?2) WHERE type = 'text')";
// The index is contentless: a row is removed by handing it the same text again.
constexpr const char* kDeleteSessionFts =
    "INSERT INTO agent_history_fts (agent_history_fts, rowid, text)"
    " SELECT 'delete', h.id, (SELECT group_concat(j.value, ' ') FROM json_tree(h.content) AS j WHERE j.type = 'text')"
    " FROM agent_history AS h WHERE h.agent_name = ?1 AND h.session_id = ?2 ORDER BY h.id";
constexpr const char* kSelectLastTurns =
    "SELECT seq, role, content, created_at FROM agent_history"
    " WHERE agent_name = ?1 AND session_id = ?2 ORDER BY seq DESC LIMIT ?3";
constexpr const char* kSelectTurnsAfter =
    "SELECT seq, role, content, created_at FROM agent_history"
    " WHERE agent_name = ?1 AND session_id = ?2 AND seq > ?3 ORDER BY seq LIMIT ?4";

constexpr const char* kSelectSessionsFirst =
    "SELECT agent_name, session_id, created_at, last_updated, turn_count FROM sessions"
    " ORDER BY last_updated DESC, agent_name DESC, session_id DESC LIMIT ?1";
constexpr const char* kSelectSessionsAfter =
    "SELECT agent_name, session_id, created_at, last_updated, turn_count FROM sessions"
    " WHERE (last_updated, agent_name, session_id) < (?2, ?3, ?4)"
    " ORDER BY last_updated DESC, agent_name DESC, session_id DESC LIMIT ?1";
constexpr const char* kSelectAgentSessionsFirst =
    "SELECT agent_name, session_id, created_at, last_updated, turn_count FROM sessions"
    " WHERE agent_name = ?2"
    " ORDER BY last_updated DESC, session_id DESC LIMIT ?1";
constexpr const char* kSelectAgentSessionsAfter =
    "SELECT agent_name, session_id, created_at, last_updated, turn_count FROM sessions"
    " WHERE agent_name = ?2 AND (last_updated, session_id) < (?3, ?4)"
    " ORDER BY last_updated DESC, session_id DESC LIMIT ?1";

constexpr const char* kDeleteTurns = "DELETE FROM agent_history WHERE agent_name = ?1 AND session_id = ?2";
constexpr const char* kDeleteSession =
    "DELETE FROM sessions WHERE agent_name = ?1 AND session_id = ?2 RETURNING turn_count";

// One constant per table: table names are never spliced into SQL.
constexpr std::pair<const char*, const char*> kCountRows[] = {
    {"client_configs", "SELECT COUNT(*) FROM client_configs"},
    {"llm_configs", "SELECT COUNT(*) FROM llm_configs"},
    {"agent_configs", "SELECT COUNT(*) FROM agent_configs"},
    {"workflow_configs", "SELECT COUNT(*) FROM workflow_configs"},
    {"custom_workflow_configs", "SELECT COUNT(*) FROM custom_workflow_configs"},
    {"graph_workflow_configs", "SELECT COUNT(*) FROM graph_workflow_configs"},
    {"sessions", "SELECT COUNT(*) FROM sessions"},
    {"agent_history", "SELECT COUNT(*) FROM agent_history"},
    {"model_calls", "SELECT COUNT(*) FROM model_calls"},
    {"tool_calls", "SELECT COUNT(*) FROM tool_calls"},
    {"secrets", "SELECT COUNT(*) FROM secrets"},
    {"paused_runs", "SELECT COUNT(*) FROM paused_runs"},
    {"approvals", "SELECT COUNT(*) FROM approvals"},
    {"runs", "SELECT COUNT(*) FROM runs"},
    {"run_events", "SELECT COUNT(*) FROM run_events"},
    {"schema_migrations", "SELECT COUNT(*) FROM schema_migrations"},
};

std::int64_t as_limit(std::size_t n) {
  return static_cast<std::int64_t>(std::min<std::size_t>(n, std::numeric_limits<std::int64_t>::max()));
}

}  // namespace

SqliteBackend::SqliteBackend(const StorageSettings& settings)
    : db_(settings.sqlite_path, settings.busy_timeout, settings.masked()) {}

void SqliteBackend::migrate() {
  std::lock_guard lock(mutex_);
  // The write lock is held from the first read of schema_migrations to the last insert, so
  // two processes starting at once apply each migration exactly once.
  Transaction tx(db_);
  db_.exec(kCreateMigrationsTable);
  std::vector<std::int64_t> applied;
  {
    auto select = db_.cached(kSelectAppliedVersions);
    while (select->step()) applied.push_back(select->column_int64(0));
  }
  for (const Migration& migration : sqlite_migrations()) {
    if (std::find(applied.begin(), applied.end(), migration.version) != applied.end()) continue;
    spdlog::info("applying migration {} ({}) to {}", migration.version, migration.name, db_.where());
    for (const char* statement : migration.statements) db_.exec(statement);
    auto insert = db_.cached(kInsertMigration);
    insert->bind(1, migration.version);
    insert->bind(2, std::string_view(migration.name));
    insert->step();
  }
  tx.commit();
}

std::int64_t SqliteBackend::schema_version() {
  std::lock_guard lock(mutex_);
  auto select = db_.cached(kSelectSchemaVersion);
  select->step();
  return select->column_int64(0);
}

std::map<std::string, std::int64_t> SqliteBackend::row_counts() {
  std::lock_guard lock(mutex_);
  std::map<std::string, std::int64_t> counts;
  for (const auto& [table, sql] : kCountRows) {
    auto select = db_.cached(sql);
    select->step();
    counts[table] = select->column_int64(0);
  }
  return counts;
}

std::int64_t SqliteBackend::append_turn(const std::string& agent_name, const std::string& session_id,
                                        const std::string& role, const std::string& content_json,
                                        const TurnUsage& usage) {
  check_append(agent_name, role, content_json);
  check_usage(usage);
  const std::string session = session_or_default(session_id);
  std::lock_guard lock(mutex_);
  Transaction tx(db_);
  std::int64_t seq = 0;
  {
    auto upsert = db_.cached(kUpsertSession);
    upsert->bind(1, agent_name);
    upsert->bind(2, session);
    if (!upsert->step()) throw Error(ErrorCode::kInternal, "session upsert returned no row on " + db_.where());
    seq = upsert->column_int64(0);
  }
  {
    auto insert = db_.cached(kInsertTurn);
    insert->bind(1, agent_name);
    insert->bind(2, session);
    insert->bind(3, seq);
    insert->bind(4, role);
    insert->bind(5, content_json);
    insert->step();
  }
  const std::int64_t rowid = sqlite3_last_insert_rowid(db_.handle());
  index_turn(rowid, content_json);
  if (!usage.empty()) write_usage(db_, rowid, usage);
  tx.commit();
  return seq;
}

void SqliteBackend::index_turn(std::int64_t id, const std::string& content_json) {
  auto insert = db_.cached(kInsertFts);
  insert->bind(1, id);
  insert->bind(2, content_json);
  insert->step();
}

std::vector<Turn> SqliteBackend::load_history(const std::string& agent_name, const std::string& session_id,
                                              std::size_t limit) {
  check_agent_name(agent_name);
  if (limit == 0) return {};
  std::vector<Turn> newest_first;
  {
    std::lock_guard lock(mutex_);
    auto select = db_.cached(kSelectLastTurns);
    select->bind(1, agent_name);
    select->bind(2, session_or_default(session_id));
    select->bind(3, as_limit(limit));
    while (select->step()) {
      newest_first.push_back(
          {select->column_int64(0), select->column_text(1), select->column_text(2), select->column_text(3)});
    }
  }
  return safe_window(std::move(newest_first));
}

std::vector<Turn> SqliteBackend::load_turns(const std::string& agent_name, const std::string& session_id,
                                            std::int64_t after_seq, std::size_t limit) {
  check_agent_name(agent_name);
  if (limit == 0) return {};
  std::vector<Turn> turns;
  std::lock_guard lock(mutex_);
  auto select = db_.cached(kSelectTurnsAfter);
  select->bind(1, agent_name);
  select->bind(2, session_or_default(session_id));
  select->bind(3, after_seq);
  select->bind(4, as_limit(limit));
  while (select->step()) {
    turns.push_back({select->column_int64(0), select->column_text(1), select->column_text(2), select->column_text(3)});
  }
  return turns;
}

SessionPage SqliteBackend::list_sessions(const SessionQuery& query) {
  if (query.limit == 0) throw Error(ErrorCode::kInvalidArgument, "list_sessions: limit must be at least 1");
  const bool by_agent = query.agent_name.has_value();
  const bool first = query.after.empty();
  SessionCursor cursor;
  if (!first) cursor = decode_cursor(query.after);
  const char* sql = by_agent ? (first ? kSelectAgentSessionsFirst : kSelectAgentSessionsAfter)
                             : (first ? kSelectSessionsFirst : kSelectSessionsAfter);

  SessionPage page;
  std::lock_guard lock(mutex_);
  auto select = db_.cached(sql);
  // One more row than asked tells whether another page follows.
  select->bind(1, as_limit(query.limit) + 1);
  int next = 2;
  if (by_agent) select->bind(next++, *query.agent_name);
  if (!first) {
    select->bind(next++, cursor.sort_key);
    if (!by_agent) select->bind(next++, cursor.agent_name);
    select->bind(next++, cursor.session_id);
  }
  while (select->step()) {
    if (page.sessions.size() == query.limit) {
      const SessionInfo& last = page.sessions.back();
      page.next_cursor = encode_cursor({last.last_updated, last.agent_name, last.session_id});
      break;
    }
    page.sessions.push_back({select->column_text(0), select->column_text(1), select->column_text(2),
                             select->column_text(3), select->column_int64(4)});
  }
  return page;
}

bool SqliteBackend::delete_session(const std::string& agent_name, const std::string& session_id) {
  check_agent_name(agent_name);
  const std::string session = session_or_default(session_id);
  std::lock_guard lock(mutex_);
  Transaction tx(db_);
  {
    auto fts = db_.cached(kDeleteSessionFts);
    fts->bind(1, agent_name);
    fts->bind(2, session);
    fts->step();
  }
  {
    auto turns = db_.cached(kDeleteTurns);
    turns->bind(1, agent_name);
    turns->bind(2, session);
    turns->step();
  }
  bool existed = false;
  {
    auto sessions = db_.cached(kDeleteSession);
    sessions->bind(1, agent_name);
    sessions->bind(2, session);
    existed = sessions->step();  // one row at most: (agent, session) is the key
  }
  tx.commit();
  return existed;
}

}  // namespace aurite::storage::sqlite
