// SqliteBackend as a HistoryAdmin. Full-text search uses the FTS5 table agent_history_fts
// (rowid = agent_history.id), which append_turn and import fill in the same transaction.
#include "aurite/common/error.hpp"
#include "storage/history_rules.hpp"
#include "storage/sqlite/sqlite_backend.hpp"
#include "storage/sqlite/sqlite_usage.hpp"

namespace aurite::storage::sqlite {
namespace {

// The sessions prune removes: ?1 is the cutoff / the number kept per agent.
constexpr const char* kCountOldTurns =
    "SELECT COUNT(*) FROM agent_history WHERE (agent_name, session_id) IN"
    " (SELECT agent_name, session_id FROM sessions WHERE last_updated < ?1)";
// The index is contentless: rows leave it through 'delete' with the text they went in with.
#define AURITE_FTS_DELETE                                                                       \
  "INSERT INTO agent_history_fts (agent_history_fts, rowid, text)"                              \
  " SELECT 'delete', h.id, (SELECT group_concat(j.value, ' ') FROM json_tree(h.content) AS j"   \
  " WHERE j.type = 'text') FROM agent_history AS h WHERE (h.agent_name, h.session_id) IN "
constexpr const char* kDeleteOldFts =
    AURITE_FTS_DELETE "(SELECT agent_name, session_id FROM sessions WHERE last_updated < ?1) ORDER BY h.id";
constexpr const char* kDeleteOldSessions = "DELETE FROM sessions WHERE last_updated < ?1";  // turns cascade

#define AURITE_RANKED                                                                            \
  "SELECT agent_name, session_id FROM (SELECT agent_name, session_id, ROW_NUMBER() OVER"        \
  " (PARTITION BY agent_name ORDER BY last_updated DESC, session_id DESC) AS rank FROM sessions)" \
  " WHERE rank > ?1"
constexpr const char* kCountExtraTurns =
    "SELECT COUNT(*) FROM agent_history WHERE (agent_name, session_id) IN (" AURITE_RANKED ")";
constexpr const char* kDeleteExtraFts = AURITE_FTS_DELETE "(" AURITE_RANKED ") ORDER BY h.id";
#undef AURITE_FTS_DELETE
constexpr const char* kDeleteExtraSessions =
    "DELETE FROM sessions WHERE (agent_name, session_id) IN (" AURITE_RANKED ")";
#undef AURITE_RANKED

constexpr const char* kSearch =
    "SELECT h.agent_name, h.session_id, h.seq, h.role, h.content, h.created_at"
    " FROM agent_history_fts JOIN agent_history AS h ON h.id = agent_history_fts.rowid"
    " WHERE agent_history_fts MATCH ?1 AND (?2 IS NULL OR h.agent_name = ?2)"
    " ORDER BY h.id DESC LIMIT ?3";

// tool_use blocks in a turn's content (an array of blocks; a string content has none).
#define AURITE_TOOL_CALLS                                                                      \
  "CASE WHEN json_type(content) = 'array' THEN (SELECT COUNT(*) FROM json_each(content) AS b"  \
  " WHERE CASE WHEN b.type = 'object' THEN json_extract(b.value, '$.type') = 'tool_use' ELSE 0 END)" \
  " ELSE 0 END"
constexpr const char* kStatsPerAgent =
    "SELECT agent_name, COUNT(*), COUNT(DISTINCT session_id), SUM(" AURITE_TOOL_CALLS ")"
    " FROM agent_history WHERE (?1 IS NULL OR agent_name = ?1)"
    " GROUP BY agent_name ORDER BY agent_name";
constexpr const char* kStatsPerDay =
    "SELECT agent_name, substr(created_at, 1, 10) AS day, COUNT(*), COUNT(DISTINCT session_id),"
    " SUM(" AURITE_TOOL_CALLS ")"
    " FROM agent_history WHERE (?1 IS NULL OR agent_name = ?1)"
    " GROUP BY agent_name, day ORDER BY agent_name, day";
#undef AURITE_TOOL_CALLS

constexpr const char* kTurnsPage =
    "SELECT agent_name, session_id, seq, role, content, created_at FROM agent_history"
    " WHERE (?1 IS NULL OR agent_name = ?1) AND (?2 IS NULL OR session_id = ?2)"
    " AND (agent_name, session_id, seq) > (?3, ?4, ?5)"
    " ORDER BY agent_name, session_id, seq LIMIT ?6";

constexpr const char* kImportSession =
    "INSERT INTO sessions (agent_name, session_id, created_at, last_updated, turn_count)"
    " VALUES (?1, ?2, ?3, ?3, ?4)"
    " ON CONFLICT (agent_name, session_id) DO UPDATE SET"
    "  turn_count = max(sessions.turn_count, excluded.turn_count),"
    "  created_at = min(sessions.created_at, excluded.created_at),"
    "  last_updated = max(sessions.last_updated, excluded.last_updated)";
constexpr const char* kImportTurn =
    "INSERT INTO agent_history (agent_name, session_id, seq, role, content, created_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
    " ON CONFLICT (agent_name, session_id, seq) DO NOTHING RETURNING id";

constexpr std::int64_t kPageSize = 1000;

std::int64_t count(Database& db, const char* sql, std::int64_t param) {
  auto select = db.cached(sql);
  select->bind(1, param);
  select->step();
  return select->column_int64(0);
}

std::int64_t count(Database& db, const char* sql, const std::string& param) {
  auto select = db.cached(sql);
  select->bind(1, std::string_view(param));
  select->step();
  return select->column_int64(0);
}

template <typename Param>
void run(Database& db, const char* sql, const Param& param) {
  auto statement = db.cached(sql);
  if constexpr (std::is_same_v<Param, std::string>) {
    statement->bind(1, std::string_view(param));
  } else {
    statement->bind(1, param);
  }
  statement->step();
}

TurnRecord record_at(Statement& row) {
  return {row.column_text(0), row.column_text(1), row.column_int64(2),
          row.column_text(3), row.column_text(4), row.column_text(5)};
}

}  // namespace

PruneCounts SqliteBackend::prune_older_than(std::chrono::seconds age) {
  const std::string cutoff = iso_utc(std::chrono::system_clock::now() - age);
  std::lock_guard lock(mutex_);
  Transaction tx(db_);
  PruneCounts counts;
  counts.turns = count(db_, kCountOldTurns, cutoff);
  run(db_, kDeleteOldFts, cutoff);
  run(db_, kDeleteOldSessions, cutoff);
  counts.sessions = sqlite3_changes(db_.handle());
  tx.commit();
  return counts;
}

PruneCounts SqliteBackend::prune_keep_newest(std::size_t keep) {
  const auto kept = static_cast<std::int64_t>(std::min<std::size_t>(keep, INT64_MAX));
  std::lock_guard lock(mutex_);
  Transaction tx(db_);
  PruneCounts counts;
  counts.turns = count(db_, kCountExtraTurns, kept);
  run(db_, kDeleteExtraFts, kept);
  run(db_, kDeleteExtraSessions, kept);
  counts.sessions = sqlite3_changes(db_.handle());
  tx.commit();
  return counts;
}

std::vector<TurnRecord> SqliteBackend::search(const std::string& query, const std::optional<std::string>& agent_name,
                                              std::size_t limit) {
  const std::string match = fts5_all_words(query);
  if (match.empty() || limit == 0) return {};
  std::vector<TurnRecord> hits;
  std::lock_guard lock(mutex_);
  auto select = db_.cached(kSearch);
  select->bind(1, std::string_view(match));
  select->bind(2, agent_name);
  select->bind(3, static_cast<std::int64_t>(std::min<std::size_t>(limit, INT64_MAX)));
  while (select->step()) hits.push_back(record_at(*select));
  return hits;
}

HistoryStats SqliteBackend::stats(const std::optional<std::string>& agent_name,
                                  const std::vector<config::LlmConfig>& llms) {
  HistoryStats stats;
  std::lock_guard lock(mutex_);
  {
    auto select = db_.cached(kStatsPerAgent);
    select->bind(1, agent_name);
    while (select->step()) {
      stats.per_agent.push_back(
          {select->column_text(0), select->column_int64(1), select->column_int64(2), select->column_int64(3)});
    }
  }
  {
    auto select = db_.cached(kStatsPerDay);
    select->bind(1, agent_name);
    while (select->step()) {
      stats.per_day.push_back({select->column_text(0), select->column_text(1), select->column_int64(2),
                               select->column_int64(3), select->column_int64(4)});
    }
  }
  add_usage(stats, usage_cells(db_, agent_name), usage_latencies(db_, agent_name), llms);
  return stats;
}

void SqliteBackend::for_each_turn(const TurnFilter& filter, const std::function<void(const TurnRecord&)>& visit) {
  TurnRecord last{"", "", 0, "", "", ""};
  for (;;) {
    std::vector<TurnRecord> page;
    {
      // The lock is not held while `visit` runs, so it may use this backend.
      std::lock_guard lock(mutex_);
      auto select = db_.cached(kTurnsPage);
      select->bind(1, filter.agent_name);
      select->bind(2, filter.session_id);
      select->bind(3, std::string_view(last.agent_name));
      select->bind(4, std::string_view(last.session_id));
      select->bind(5, last.seq);
      select->bind(6, kPageSize);
      while (select->step()) page.push_back(record_at(*select));
      read_usage(db_, page);
    }
    for (const TurnRecord& turn : page) visit(turn);
    if (static_cast<std::int64_t>(page.size()) < kPageSize) return;
    last = page.back();
  }
}

std::int64_t SqliteBackend::import_turns(const std::vector<TurnRecord>& turns) {
  for (const TurnRecord& turn : turns) check_import(turn);
  std::int64_t inserted = 0;
  std::lock_guard lock(mutex_);
  Transaction tx(db_);
  for (const TurnRecord& turn : turns) {
    {
      auto session = db_.cached(kImportSession);
      session->bind(1, turn.agent_name);
      session->bind(2, turn.session_id);
      session->bind(3, turn.created_at);
      session->bind(4, turn.seq);
      session->step();
    }
    std::int64_t id = 0;
    {
      auto insert = db_.cached(kImportTurn);
      insert->bind(1, turn.agent_name);
      insert->bind(2, turn.session_id);
      insert->bind(3, turn.seq);
      insert->bind(4, turn.role);
      insert->bind(5, turn.content_json);
      insert->bind(6, turn.created_at);
      if (!insert->step()) continue;  // already stored
      id = insert->column_int64(0);
    }
    index_turn(id, turn.content_json);
    if (!turn.usage.empty()) write_usage(db_, id, turn.usage);
    ++inserted;
  }
  tx.commit();
  return inserted;
}

}  // namespace aurite::storage::sqlite
