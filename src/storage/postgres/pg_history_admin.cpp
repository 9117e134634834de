// PgBackend as a HistoryAdmin. Search is PostgreSQL text search over every string value of
// a turn's content (to_tsvector(jsonb)), served by the GIN index of agent_history_search
// (migration 2), which search brings up to date before it queries.
#include "storage/history_rules.hpp"
#include "storage/postgres/pg_backend.hpp"
#include "storage/postgres/pg_usage.hpp"

namespace aurite::storage::postgres {
namespace {

#define AURITE_ISO(column) "to_char(" column " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"

// Deleting a session cascades to its turns; the count of those is read from the snapshot
// the statement started with.
constexpr Query kPruneOlder{
    "prune_older",
    "WITH gone AS (DELETE FROM sessions WHERE last_updated < $1::timestamptz RETURNING agent_name, session_id)"
    " SELECT COUNT(*), COALESCE(SUM((SELECT COUNT(*) FROM agent_history AS h"
    "  WHERE h.agent_name = g.agent_name AND h.session_id = g.session_id)), 0) FROM gone AS g"};
constexpr Query kPruneKeep{
    "prune_keep",
    "WITH ranked AS (SELECT agent_name, session_id, ROW_NUMBER() OVER"
    "  (PARTITION BY agent_name ORDER BY last_updated DESC, session_id DESC) AS rank FROM sessions),"
    " gone AS (DELETE FROM sessions AS s USING ranked AS r"
    "  WHERE r.rank > $1::bigint AND s.agent_name = r.agent_name AND s.session_id = r.session_id"
    "  RETURNING s.agent_name, s.session_id)"
    " SELECT COUNT(*), COALESCE(SUM((SELECT COUNT(*) FROM agent_history AS h"
    "  WHERE h.agent_name = g.agent_name AND h.session_id = g.session_id)), 0) FROM gone AS g"};

// Indexes the turns search has not seen yet; run before every search, in the same
// transaction. Appends stay free of the index: the catch-up pays for it.
constexpr Query kIndexNewTurns{
    "index_new_turns",
    "INSERT INTO agent_history_search (id, tsv)"
    " SELECT h.id, to_tsvector('simple'::regconfig, h.content) FROM agent_history AS h"
    " WHERE NOT EXISTS (SELECT 1 FROM agent_history_search AS s WHERE s.id = h.id)"
    " ORDER BY h.id ON CONFLICT (id) DO NOTHING"};
constexpr Query kSearch{
    "search_turns",
    "SELECT h.agent_name, h.session_id, h.seq, h.role, h.content::text, " AURITE_ISO("h.created_at")
    " FROM agent_history_search AS s JOIN agent_history AS h ON h.id = s.id"
    " WHERE s.tsv @@ plainto_tsquery('simple'::regconfig, $1)"
    " AND ($2::text IS NULL OR h.agent_name = $2::text)"
    " ORDER BY h.id DESC LIMIT $3::bigint"};

#define AURITE_TOOL_CALLS                                                                        \
  "CASE WHEN jsonb_typeof(content) = 'array' THEN (SELECT COUNT(*) FROM jsonb_array_elements(content) AS b" \
  " WHERE jsonb_typeof(b) = 'object' AND b->>'type' = 'tool_use') ELSE 0 END"
constexpr Query kStatsPerAgent{
    "stats_per_agent",
    "SELECT agent_name, COUNT(*), COUNT(DISTINCT session_id), COALESCE(SUM(" AURITE_TOOL_CALLS "), 0)"
    " FROM agent_history WHERE ($1::text IS NULL OR agent_name = $1::text)"
    " GROUP BY agent_name ORDER BY agent_name"};
constexpr Query kStatsPerDay{
    "stats_per_day",
    "SELECT agent_name, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, COUNT(*),"
    " COUNT(DISTINCT session_id), COALESCE(SUM(" AURITE_TOOL_CALLS "), 0)"
    " FROM agent_history WHERE ($1::text IS NULL OR agent_name = $1::text)"
    " GROUP BY agent_name, day ORDER BY agent_name, day"};
#undef AURITE_TOOL_CALLS

constexpr Query kTurnsPage{
    "turns_page",
    "SELECT agent_name, session_id, seq, role, content::text, " AURITE_ISO("created_at")
    " FROM agent_history"
    " WHERE ($1::text IS NULL OR agent_name = $1::text) AND ($2::text IS NULL OR session_id = $2::text)"
    " AND (agent_name, session_id, seq) > ($3, $4, $5::bigint)"
    " ORDER BY agent_name, session_id, seq LIMIT $6::bigint"};

#undef AURITE_ISO

constexpr std::size_t kPageSize = 1000;
constexpr std::size_t kImportBatch = 1000;

TurnRecord record_at(const Result& rows, int row) {
  return {text_at(rows, row, 0), text_at(rows, row, 1), int64_at(rows, row, 2),
          text_at(rows, row, 3), text_at(rows, row, 4), text_at(rows, row, 5)};
}

}  // namespace

PruneCounts PgBackend::prune_older_than(std::chrono::seconds age) {
  const std::string cutoff = iso_utc(std::chrono::system_clock::now() - age);
  return with_connection(true, [&](Connection& conn) {
    const Result rows = conn.exec(kPruneOlder, {cutoff});
    return PruneCounts{int64_at(rows, 0, 0), int64_at(rows, 0, 1)};
  });
}

PruneCounts PgBackend::prune_keep_newest(std::size_t keep) {
  const std::string kept = std::to_string(std::min<std::size_t>(keep, INT64_MAX));
  return with_connection(true, [&](Connection& conn) {
    const Result rows = conn.exec(kPruneKeep, {kept});
    return PruneCounts{int64_at(rows, 0, 0), int64_at(rows, 0, 1)};
  });
}

std::vector<TurnRecord> PgBackend::search(const std::string& query, const std::optional<std::string>& agent_name,
                                          std::size_t limit) {
  if (fts5_all_words(query).empty() || limit == 0) return {};
  const std::string max = std::to_string(std::min<std::size_t>(limit, INT64_MAX));
  return with_connection(true, [&](Connection& conn) {
    Transaction tx(conn);
    conn.exec(kIndexNewTurns);
    const Result rows = conn.exec(kSearch, {query, optional_param(agent_name), max});
    tx.commit();
    std::vector<TurnRecord> hits;
    for (int row = 0; row < PQntuples(rows.get()); ++row) hits.push_back(record_at(rows, row));
    return hits;
  });
}

HistoryStats PgBackend::stats(const std::optional<std::string>& agent_name,
                              const std::vector<config::LlmConfig>& llms) {
  return with_connection(true, [&](Connection& conn) {
    HistoryStats stats;
    const Result agents = conn.exec(kStatsPerAgent, {optional_param(agent_name)});
    for (int row = 0; row < PQntuples(agents.get()); ++row) {
      stats.per_agent.push_back({text_at(agents, row, 0), int64_at(agents, row, 1), int64_at(agents, row, 2),
                                 int64_at(agents, row, 3)});
    }
    const Result days = conn.exec(kStatsPerDay, {optional_param(agent_name)});
    for (int row = 0; row < PQntuples(days.get()); ++row) {
      stats.per_day.push_back({text_at(days, row, 0), text_at(days, row, 1), int64_at(days, row, 2),
                               int64_at(days, row, 3), int64_at(days, row, 4)});
    }
    add_usage(stats, usage_cells(conn, agent_name), usage_latencies(conn, agent_name), llms);
    return stats;
  });
}

void PgBackend::for_each_turn(const TurnFilter& filter, const std::function<void(const TurnRecord&)>& visit) {
  const std::string page_size = std::to_string(kPageSize);
  TurnRecord last{"", "", 0, "", "", ""};
  for (;;) {
    const std::string seq = std::to_string(last.seq);
    // The connection goes back to the pool before `visit` runs, so it may use this backend.
    std::vector<TurnRecord> page = with_connection(true, [&](Connection& conn) {
      const Result rows = conn.exec(kTurnsPage, {optional_param(filter.agent_name), optional_param(filter.session_id),
                                                 last.agent_name, last.session_id, seq, page_size});
      std::vector<TurnRecord> out;
      for (int row = 0; row < PQntuples(rows.get()); ++row) out.push_back(record_at(rows, row));
      read_usage(conn, out);
      return out;
    });
    for (const TurnRecord& turn : page) visit(turn);
    if (page.size() < kPageSize) return;
    last = page.back();
  }
}

std::int64_t PgBackend::import_turns(const std::vector<TurnRecord>& turns) {
  std::vector<std::string> batches;
  config::Json batch = config::Json::array();
  for (const TurnRecord& turn : turns) {
    check_import(turn);
    batch.push_back({{"agent", turn.agent_name},
                     {"session", turn.session_id},
                     {"seq", turn.seq},
                     {"role", turn.role},
                     {"content", config::Json::parse(turn.content_json)},
                     {"created_at", turn.created_at}});
    if (!turn.usage.empty()) batch.back()["usage"] = usage_to_json(turn.usage);
    if (batch.size() == kImportBatch) {
      batches.push_back(batch.dump());
      batch = config::Json::array();
    }
  }
  if (!batch.empty()) batches.push_back(batch.dump());
  if (batches.empty()) return 0;
  // Repeating after a lost connection is safe: the import is idempotent.
  return with_connection(true, [&](Connection& conn) {
    Transaction tx(conn);
    std::int64_t inserted = 0;
    for (const std::string& rows : batches) inserted += int64_at(conn.exec(kImportTurnsWithUsage, {rows}), 0, 0);
    tx.commit();
    return inserted;
  });
}

}  // namespace aurite::storage::postgres
