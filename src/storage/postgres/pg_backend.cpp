#include "storage/postgres/pg_backend.hpp"

#include <algorithm>
#include <limits>

#include "aurite/common/log.hpp"
#include "storage/history_rules.hpp"
#include "storage/migration.hpp"
#include "storage/postgres/pg_usage.hpp"

namespace aurite::storage::postgres {
namespace {

// Any constant of ours: serialises migrators of one database across processes.
constexpr const char* kMigrationLockKey = "7214093822150117";

constexpr const char* kLockMigrations = "SELECT pg_advisory_xact_lock($1::bigint)";
constexpr const char* kCreateMigrationsTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version BIGINT PRIMARY KEY,"
    " name TEXT NOT NULL,"
    " applied_at TIMESTAMPTZ NOT NULL DEFAULT now())";
constexpr const char* kSelectAppliedVersions = "SELECT version FROM schema_migrations ORDER BY version";
constexpr const char* kInsertMigration = "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)";
constexpr Query kSchemaVersion{"schema_version",
                               "SELECT COALESCE(MAX(version), 0) FROM schema_migrations"};

// Bumps (or creates) the session row, which locks it until commit, and inserts the turn
// with the new count as its seq: one statement, one transaction, one round trip.
constexpr Query kAppendTurn{
    "append_turn",
    "WITH session AS ("
    " INSERT INTO sessions AS s (agent_name, session_id, turn_count) VALUES ($1, $2, 1)"
    " ON CONFLICT (agent_name, session_id) DO UPDATE SET"
    "  turn_count = s.turn_count + 1, last_updated = now()"
    " RETURNING turn_count)"
    " INSERT INTO agent_history (agent_name, session_id, seq, role, content)"
    " SELECT $1, $2, turn_count, $3, $4::jsonb FROM session"
    " RETURNING seq"};

// Timestamps leave the server as UTC ISO-8601 text with milliseconds; the cursor's sort key
// keeps microseconds so that comparing it with last_updated stays exact.
constexpr Query kLastTurns{
    "last_turns",
    "SELECT seq, role, content::text,"
    " to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
    " FROM agent_history"
    " WHERE agent_name = $1 AND session_id = $2 ORDER BY seq DESC LIMIT $3::bigint"};
constexpr Query kTurnsAfter{
    "turns_after",
    "SELECT seq, role, content::text,"
    " to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
    " FROM agent_history"
    " WHERE agent_name = $1 AND session_id = $2 AND seq > $3::bigint ORDER BY seq LIMIT $4::bigint"};

// Columns: agent, session, created, updated, turns, then the exact sort key for the cursor.
constexpr Query kSessionsFirst{
    "sessions_first",
    "SELECT agent_name, session_id,"
    " to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'),"
    " to_char(last_updated AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'),"
    " turn_count,"
    " to_char(last_updated AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
    " FROM sessions"
    " ORDER BY last_updated DESC, agent_name DESC, session_id DESC LIMIT $1::bigint"};
constexpr Query kSessionsAfter{
    "sessions_after",
    "SELECT agent_name, session_id,"
    " to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'),"
    " to_char(last_updated AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'),"
    " turn_count,"
    " to_char(last_updated AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
    " FROM sessions"
    " WHERE (last_updated, agent_name, session_id) < ($2::timestamptz, $3, $4)"
    " ORDER BY last_updated DESC, agent_name DESC, session_id DESC LIMIT $1::bigint"};
constexpr Query kAgentSessionsFirst{
    "agent_sessions_first",
    "SELECT agent_name, session_id,"
    " to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'),"
    " to_char(last_updated AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'),"
    " turn_count,"
    " to_char(last_updated AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
    " FROM sessions"
    " WHERE agent_name = $2"
    " ORDER BY last_updated DESC, session_id DESC LIMIT $1::bigint"};
constexpr Query kAgentSessionsAfter{
    "agent_sessions_after",
    "SELECT agent_name, session_id,"
    " to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'),"
    " to_char(last_updated AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'),"
    " turn_count,"
    " to_char(last_updated AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
    " FROM sessions"
    " WHERE agent_name = $2 AND (last_updated, session_id) < ($3::timestamptz, $4)"
    " ORDER BY last_updated DESC, session_id DESC LIMIT $1::bigint"};

constexpr Query kDeleteTurns{"delete_turns",
                             "DELETE FROM agent_history WHERE agent_name = $1 AND session_id = $2"};
constexpr Query kDeleteSession{
    "delete_session", "DELETE FROM sessions WHERE agent_name = $1 AND session_id = $2 RETURNING turn_count"};

// One constant per table: table names are never spliced into SQL.
constexpr std::pair<const char*, Query> kCountRows[] = {
    {"client_configs", {"count_client_configs", "SELECT COUNT(*) FROM client_configs"}},
    {"llm_configs", {"count_llm_configs", "SELECT COUNT(*) FROM llm_configs"}},
    {"agent_configs", {"count_agent_configs", "SELECT COUNT(*) FROM agent_configs"}},
    {"workflow_configs", {"count_workflow_configs", "SELECT COUNT(*) FROM workflow_configs"}},
    {"custom_workflow_configs", {"count_custom_workflow_configs", "SELECT COUNT(*) FROM custom_workflow_configs"}},
    {"graph_workflow_configs", {"count_graph_workflow_configs", "SELECT COUNT(*) FROM graph_workflow_configs"}},
    {"sessions", {"count_sessions", "SELECT COUNT(*) FROM sessions"}},
    {"agent_history", {"count_agent_history", "SELECT COUNT(*) FROM agent_history"}},
    {"model_calls", {"count_model_calls", "SELECT COUNT(*) FROM model_calls"}},
    {"tool_calls", {"count_tool_calls", "SELECT COUNT(*) FROM tool_calls"}},
    {"secrets", {"count_secrets", "SELECT COUNT(*) FROM secrets"}},
    {"paused_runs", {"count_paused_runs", "SELECT COUNT(*) FROM paused_runs"}},
    {"approvals", {"count_approvals", "SELECT COUNT(*) FROM approvals"}},
    {"runs", {"count_runs", "SELECT COUNT(*) FROM runs"}},
    {"run_events", {"count_run_events", "SELECT COUNT(*) FROM run_events"}},
    {"schema_migrations", {"count_schema_migrations", "SELECT COUNT(*) FROM schema_migrations"}},
};

// Failures after which nothing was committed and the statement may simply run again.
bool transient(const PgError& e) {
  return e.sqlstate() == "40001" || e.sqlstate() == "40P01" || e.sqlstate() == "23505";
}

std::string limit_text(std::size_t n) {
  return std::to_string(std::min<std::size_t>(n, std::numeric_limits<std::int64_t>::max() - 1));
}

}  // namespace

PgBackend::PgBackend(const StorageSettings& settings)
    : pool_(static_cast<std::size_t>(settings.pool_size), settings.pool_wait,
            [settings] { return std::make_unique<Connection>(settings); },
            [](Connection& c) { return c.healthy(); }, settings.masked()) {
  auto first = pool_.acquire();  // fail at start-up, not on first use
}

void PgBackend::migrate() {
  with_connection(true, [](Connection& conn) {
    Transaction tx(conn);
    // Held to the end of the transaction: a second process waits here, then finds the
    // migrations recorded and applies nothing.
    conn.exec_once(kLockMigrations, {std::string(kMigrationLockKey)});
    conn.exec_once(kCreateMigrationsTable);
    const Result applied_rows = conn.exec_once(kSelectAppliedVersions);
    std::vector<std::int64_t> applied;
    for (int row = 0; row < PQntuples(applied_rows.get()); ++row) applied.push_back(int64_at(applied_rows, row, 0));
    for (const Migration& migration : postgres_migrations()) {
      if (std::find(applied.begin(), applied.end(), migration.version) != applied.end()) continue;
      spdlog::info("applying migration {} ({}) to {}", migration.version, migration.name, conn.where());
      for (const char* statement : migration.statements) conn.exec_once(statement);
      conn.exec_once(kInsertMigration, {std::to_string(migration.version), std::string(migration.name)});
    }
    tx.commit();
    return 0;
  });
}

std::int64_t PgBackend::schema_version() {
  return with_connection(true, [](Connection& conn) { return int64_at(conn.exec(kSchemaVersion), 0, 0); });
}

std::map<std::string, std::int64_t> PgBackend::row_counts() {
  return with_connection(true, [](Connection& conn) {
    std::map<std::string, std::int64_t> counts;
    for (const auto& [table, query] : kCountRows) counts[table] = int64_at(conn.exec(query), 0, 0);
    return counts;
  });
}

std::int64_t PgBackend::append_turn(const std::string& agent_name, const std::string& session_id,
                                    const std::string& role, const std::string& content_json,
                                    const TurnUsage& usage) {
  check_append(agent_name, role, content_json);
  check_usage(usage);
  const std::string session = session_or_default(session_id);
  const std::string usage_json = usage.empty() ? "" : usage_to_json(usage).dump();
  // Not repeated when the connection is lost mid-statement: the turn may have been
  // committed, and appending it again would duplicate it.
  return with_connection(false, [&](Connection& conn) {
    for (int attempt = 1;; ++attempt) {
      try {
        if (usage.empty()) return int64_at(conn.exec(kAppendTurn, {agent_name, session, role, content_json}), 0, 0);
        return int64_at(conn.exec(kAppendTurnWithUsage, {agent_name, session, role, content_json, usage_json}), 0, 0);
      } catch (const PgError& e) {
        if (!transient(e) || attempt == 3) throw;
      }
    }
  });
}

std::vector<Turn> PgBackend::load_history(const std::string& agent_name, const std::string& session_id,
                                          std::size_t limit) {
  check_agent_name(agent_name);
  if (limit == 0) return {};
  const std::string session = session_or_default(session_id);
  auto newest_first = with_connection(true, [&](Connection& conn) {
    const Result rows = conn.exec(kLastTurns, {agent_name, session, limit_text(limit)});
    std::vector<Turn> turns;
    for (int row = 0; row < PQntuples(rows.get()); ++row) {
      turns.push_back({int64_at(rows, row, 0), text_at(rows, row, 1), text_at(rows, row, 2), text_at(rows, row, 3)});
    }
    return turns;
  });
  return safe_window(std::move(newest_first));
}

std::vector<Turn> PgBackend::load_turns(const std::string& agent_name, const std::string& session_id,
                                        std::int64_t after_seq, std::size_t limit) {
  check_agent_name(agent_name);
  if (limit == 0) return {};
  const std::string session = session_or_default(session_id);
  return with_connection(true, [&](Connection& conn) {
    const Result rows = conn.exec(kTurnsAfter, {agent_name, session, std::to_string(after_seq), limit_text(limit)});
    std::vector<Turn> turns;
    for (int row = 0; row < PQntuples(rows.get()); ++row) {
      turns.push_back({int64_at(rows, row, 0), text_at(rows, row, 1), text_at(rows, row, 2), text_at(rows, row, 3)});
    }
    return turns;
  });
}

SessionPage PgBackend::list_sessions(const SessionQuery& query) {
  if (query.limit == 0) throw Error(ErrorCode::kInvalidArgument, "list_sessions: limit must be at least 1");
  const bool first = query.after.empty();
  SessionCursor cursor;
  if (!first) cursor = decode_cursor(query.after);
  const std::string fetch = limit_text(query.limit + 1);  // one more tells whether a page follows

  return with_connection(true, [&](Connection& conn) {
    Result rows;
    if (query.agent_name) {
      rows = first ? conn.exec(kAgentSessionsFirst, {fetch, *query.agent_name})
                   : conn.exec(kAgentSessionsAfter, {fetch, *query.agent_name, cursor.sort_key, cursor.session_id});
    } else {
      rows = first ? conn.exec(kSessionsFirst, {fetch})
                   : conn.exec(kSessionsAfter, {fetch, cursor.sort_key, cursor.agent_name, cursor.session_id});
    }
    SessionPage page;
    const int count = PQntuples(rows.get());
    for (int row = 0; row < count; ++row) {
      if (page.sessions.size() == query.limit) {
        const int last = row - 1;
        page.next_cursor = encode_cursor({text_at(rows, last, 5), text_at(rows, last, 0), text_at(rows, last, 1)});
        break;
      }
      page.sessions.push_back({text_at(rows, row, 0), text_at(rows, row, 1), text_at(rows, row, 2),
                               text_at(rows, row, 3), int64_at(rows, row, 4)});
    }
    return page;
  });
}

bool PgBackend::delete_session(const std::string& agent_name, const std::string& session_id) {
  check_agent_name(agent_name);
  const std::string session = session_or_default(session_id);
  return with_connection(true, [&](Connection& conn) {  // deleting twice is harmless
    Transaction tx(conn);
    conn.exec(kDeleteTurns, {agent_name, session});
    const bool existed = PQntuples(conn.exec(kDeleteSession, {agent_name, session}).get()) > 0;
    tx.commit();
    return existed;
  });
}

}  // namespace aurite::storage::postgres
