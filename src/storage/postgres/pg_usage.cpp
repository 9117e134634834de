#include "storage/postgres/pg_usage.hpp"

#include <map>
#include <tuple>

namespace aurite::storage::postgres {
namespace {

// The columns of a model call and of a tool call, and their values read from a turn `t`
// (agent_name, session_id, seq, created_at) and its usage JSON `u` (usage_to_json).
#define AURITE_MODEL_CALL_COLUMNS                                                                \
  "agent_name, session_id, turn_seq, run_id, provider, model, llm_id, input_tokens, output_tokens," \
  " cache_read_tokens, cache_write_tokens, stop_reason, first_token_ms, duration_ms, created_at"
#define AURITE_MODEL_CALL_VALUES                                                                  \
  "t.agent_name, t.session_id, t.seq, t.u->>'run_id', t.u->'model_call'->>'provider',"               \
  " t.u->'model_call'->>'model', t.u->'model_call'->>'llm_id', (t.u->'model_call'->>'input_tokens')::bigint," \
  " (t.u->'model_call'->>'output_tokens')::bigint, (t.u->'model_call'->>'cache_read_tokens')::bigint,"  \
  " (t.u->'model_call'->>'cache_write_tokens')::bigint, t.u->'model_call'->>'stop_reason',"           \
  " (t.u->'model_call'->>'first_token_ms')::float8, (t.u->'model_call'->>'duration_ms')::float8, t.created_at"
#define AURITE_TOOL_CALL_COLUMNS \
  "agent_name, session_id, turn_seq, position, run_id, call_id, client_id, tool, duration_ms, is_error, created_at"
#define AURITE_TOOL_CALL_VALUES                                                                   \
  "t.agent_name, t.session_id, t.seq, (c.ordinality - 1)::int, t.u->>'run_id', c.call->>'call_id',"  \
  " c.call->>'client_id', c.call->>'tool', (c.call->>'duration_ms')::float8,"                     \
  " (c.call->>'is_error')::boolean, t.created_at"
#define AURITE_TOOL_CALLS_OF_U \
  "jsonb_array_elements(COALESCE(t.u->'tool_calls', '[]'::jsonb)) WITH ORDINALITY AS c(call, ordinality)"

constexpr const char* kAppendSql =
    "WITH session AS ("
    " INSERT INTO sessions AS s (agent_name, session_id, turn_count) VALUES ($1, $2, 1)"
    " ON CONFLICT (agent_name, session_id) DO UPDATE SET"
    "  turn_count = s.turn_count + 1, last_updated = now()"
    " RETURNING turn_count),"
    " turn AS (INSERT INTO agent_history (agent_name, session_id, seq, role, content)"
    "  SELECT $1, $2, turn_count, $3, $4::jsonb FROM session"
    "  RETURNING agent_name, session_id, seq, created_at, $5::jsonb AS u),"
    " model AS (INSERT INTO model_calls (" AURITE_MODEL_CALL_COLUMNS ")"
    "  SELECT " AURITE_MODEL_CALL_VALUES " FROM turn AS t WHERE t.u->'model_call' IS NOT NULL),"
    " tools AS (INSERT INTO tool_calls (" AURITE_TOOL_CALL_COLUMNS ")"
    "  SELECT " AURITE_TOOL_CALL_VALUES " FROM turn AS t, " AURITE_TOOL_CALLS_OF_U ")"
    " SELECT seq FROM turn";

// Sessions are created or extended first (one row each), then the turns not yet stored
// are inserted, and the usage of those (one row of the input per turn, should the input
// name a turn twice).
constexpr const char* kImportSql =
    "WITH rows AS (SELECT r->>'agent' AS agent_name, r->>'session' AS session_id, (r->>'seq')::bigint AS seq,"
    "  r->>'role' AS role, r->'content' AS content, (r->>'created_at')::timestamptz AS created_at,"
    "  r->'usage' AS usage"
    "  FROM jsonb_array_elements($1::jsonb) AS r),"
    " touched AS (INSERT INTO sessions AS s (agent_name, session_id, created_at, last_updated, turn_count)"
    "  SELECT agent_name, session_id, MIN(created_at), MAX(created_at), MAX(seq) FROM rows"
    "  GROUP BY agent_name, session_id"
    "  ON CONFLICT (agent_name, session_id) DO UPDATE SET"
    "   turn_count = GREATEST(s.turn_count, excluded.turn_count),"
    "   created_at = LEAST(s.created_at, excluded.created_at),"
    "   last_updated = GREATEST(s.last_updated, excluded.last_updated)"
    "  RETURNING 1),"
    " inserted AS (INSERT INTO agent_history (agent_name, session_id, seq, role, content, created_at)"
    "  SELECT agent_name, session_id, seq, role, content, created_at FROM rows"
    "  ON CONFLICT (agent_name, session_id, seq) DO NOTHING"
    "  RETURNING agent_name, session_id, seq, created_at),"
    " turn AS (SELECT i.*, x.u FROM inserted AS i CROSS JOIN LATERAL (SELECT r.usage AS u FROM rows AS r"
    "  WHERE r.agent_name = i.agent_name AND r.session_id = i.session_id AND r.seq = i.seq LIMIT 1) AS x"
    "  WHERE x.u IS NOT NULL),"
    " model AS (INSERT INTO model_calls (" AURITE_MODEL_CALL_COLUMNS ")"
    "  SELECT " AURITE_MODEL_CALL_VALUES " FROM turn AS t WHERE t.u->'model_call' IS NOT NULL),"
    " tools AS (INSERT INTO tool_calls (" AURITE_TOOL_CALL_COLUMNS ")"
    "  SELECT " AURITE_TOOL_CALL_VALUES " FROM turn AS t, " AURITE_TOOL_CALLS_OF_U ")"
    " SELECT COUNT(*) FROM inserted";
#undef AURITE_MODEL_CALL_COLUMNS
#undef AURITE_MODEL_CALL_VALUES
#undef AURITE_TOOL_CALL_COLUMNS
#undef AURITE_TOOL_CALL_VALUES
#undef AURITE_TOOL_CALLS_OF_U

// The rows of one page of turns: from its first turn's key to its last's.
constexpr Query kModelCallsOfPage{
    "model_calls_of_page",
    "SELECT agent_name, session_id, turn_seq, COALESCE(run_id, ''), provider, model, COALESCE(llm_id, ''),"
    " input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, stop_reason, first_token_ms, duration_ms"
    " FROM model_calls"
    " WHERE (agent_name, session_id, turn_seq) >= ($1, $2, $3::bigint)"
    " AND (agent_name, session_id, turn_seq) <= ($4, $5, $6::bigint)"};
constexpr Query kToolCallsOfPage{
    "tool_calls_of_page",
    "SELECT agent_name, session_id, turn_seq, COALESCE(run_id, ''), call_id, client_id, tool, duration_ms,"
    " is_error::int FROM tool_calls"
    " WHERE (agent_name, session_id, turn_seq) >= ($1, $2, $3::bigint)"
    " AND (agent_name, session_id, turn_seq) <= ($4, $5, $6::bigint)"
    " ORDER BY agent_name, session_id, turn_seq, position"};

#define AURITE_DAY "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
constexpr Query kUsageCells{
    "usage_cells",
    "SELECT agent_name, " AURITE_DAY " AS day, COALESCE(llm_id, '') AS llm, provider, model, COUNT(*),"
    " SUM(input_tokens), SUM(output_tokens), SUM(cache_read_tokens), SUM(cache_write_tokens)"
    " FROM model_calls WHERE ($1::text IS NULL OR agent_name = $1::text)"
    " GROUP BY agent_name, day, llm, provider, model"};

// Nearest-rank percentiles of each group: p50 at rank ceil(n/2), p95 at ceil(0.95 n).
#define AURITE_PERCENTILES(name, keys)                                                             \
  Query {                                                                                          \
    name, "SELECT " keys ", MAX(CASE WHEN rank = (n + 1) / 2 THEN duration_ms END),"               \
          " MAX(CASE WHEN rank = (95 * n + 99) / 100 THEN duration_ms END)"                        \
          " FROM (SELECT " keys ", duration_ms,"                                                  \
          "  ROW_NUMBER() OVER (PARTITION BY " keys " ORDER BY duration_ms) AS rank,"             \
          "  COUNT(*) OVER (PARTITION BY " keys ") AS n"                                          \
          "  FROM (SELECT *, " AURITE_DAY " AS day FROM model_calls"                              \
          "   WHERE ($1::text IS NULL OR agent_name = $1::text)) AS calls) AS ranked"             \
          " GROUP BY " keys                                                                        \
  }
constexpr Query kAgentPercentiles = AURITE_PERCENTILES("agent_percentiles", "agent_name");
constexpr Query kDayPercentiles = AURITE_PERCENTILES("day_percentiles", "agent_name, day");
constexpr Query kModelPercentiles = AURITE_PERCENTILES("model_percentiles", "provider, model");
#undef AURITE_PERCENTILES
#undef AURITE_DAY

using TurnKey = std::tuple<std::string, std::string, std::int64_t>;

std::optional<double> optional_double(const Result& rows, int row, int column) {
  if (null_at(rows, row, column)) return std::nullopt;
  return double_at(rows, row, column);
}

Percentiles percentiles_at(const Result& rows, int row, int first) {
  return {double_at(rows, row, first), double_at(rows, row, first + 1)};
}

}  // namespace

const Query kAppendTurnWithUsage{"append_turn_with_usage", kAppendSql};
const Query kImportTurnsWithUsage{"import_turns_with_usage", kImportSql};

void read_usage(Connection& conn, std::vector<TurnRecord>& page) {
  if (page.empty()) return;
  std::map<TurnKey, TurnRecord*> turns;
  for (TurnRecord& turn : page) turns[{turn.agent_name, turn.session_id, turn.seq}] = &turn;
  const std::string first_seq = std::to_string(page.front().seq);
  const std::string last_seq = std::to_string(page.back().seq);
  const auto select = [&](const Query& query) {
    return conn.exec(query, {page.front().agent_name, page.front().session_id, first_seq, page.back().agent_name,
                             page.back().session_id, last_seq});
  };
  const auto turn_at = [&turns](const Result& rows, int row) -> TurnRecord* {
    const auto found = turns.find({text_at(rows, row, 0), text_at(rows, row, 1), int64_at(rows, row, 2)});
    return found == turns.end() ? nullptr : found->second;  // a turn of another filter inside the range
  };
  const Result models = select(kModelCallsOfPage);
  for (int row = 0; row < PQntuples(models.get()); ++row) {
    TurnRecord* turn = turn_at(models, row);
    if (turn == nullptr) continue;
    turn->usage.run_id = text_at(models, row, 3);
    turn->usage.model_call =
        ModelCallUsage{text_at(models, row, 4),   text_at(models, row, 5),          text_at(models, row, 6),
                       int64_at(models, row, 7),  int64_at(models, row, 8),         int64_at(models, row, 9),
                       int64_at(models, row, 10), text_at(models, row, 11),         optional_double(models, row, 12),
                       double_at(models, row, 13)};
  }
  const Result tools = select(kToolCallsOfPage);
  for (int row = 0; row < PQntuples(tools.get()); ++row) {
    TurnRecord* turn = turn_at(tools, row);
    if (turn == nullptr) continue;
    turn->usage.run_id = text_at(tools, row, 3);
    turn->usage.tool_calls.push_back({text_at(tools, row, 4), text_at(tools, row, 5), text_at(tools, row, 6),
                                      double_at(tools, row, 7), int64_at(tools, row, 8) != 0});
  }
}

std::vector<UsageCell> usage_cells(Connection& conn, const std::optional<std::string>& agent_name) {
  const Result rows = conn.exec(kUsageCells, {optional_param(agent_name)});
  std::vector<UsageCell> cells;
  for (int row = 0; row < PQntuples(rows.get()); ++row) {
    cells.push_back({text_at(rows, row, 0), text_at(rows, row, 1), text_at(rows, row, 2), text_at(rows, row, 3),
                     text_at(rows, row, 4), int64_at(rows, row, 5), int64_at(rows, row, 6), int64_at(rows, row, 7),
                     int64_at(rows, row, 8), int64_at(rows, row, 9)});
  }
  return cells;
}

UsageLatencies usage_latencies(Connection& conn, const std::optional<std::string>& agent_name) {
  UsageLatencies latencies;
  const Result agents = conn.exec(kAgentPercentiles, {optional_param(agent_name)});
  for (int row = 0; row < PQntuples(agents.get()); ++row) {
    latencies.per_agent[text_at(agents, row, 0)] = percentiles_at(agents, row, 1);
  }
  const Result days = conn.exec(kDayPercentiles, {optional_param(agent_name)});
  for (int row = 0; row < PQntuples(days.get()); ++row) {
    latencies.per_day[{text_at(days, row, 0), text_at(days, row, 1)}] = percentiles_at(days, row, 2);
  }
  const Result models = conn.exec(kModelPercentiles, {optional_param(agent_name)});
  for (int row = 0; row < PQntuples(models.get()); ++row) {
    latencies.per_model[{text_at(models, row, 0), text_at(models, row, 1)}] = percentiles_at(models, row, 2);
  }
  return latencies;
}

}  // namespace aurite::storage::postgres
