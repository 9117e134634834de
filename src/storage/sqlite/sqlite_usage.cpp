#include "storage/sqlite/sqlite_usage.hpp"

#include <map>
#include <tuple>

namespace aurite::storage::sqlite {
namespace {

// The turn's key and time, read from its row, so the usage rows can never name another.
constexpr const char* kInsertModelCall =
    "INSERT INTO model_calls (agent_name, session_id, turn_seq, run_id, provider, model, llm_id, input_tokens,"
    " output_tokens, cache_read_tokens, cache_write_tokens, stop_reason, first_token_ms, duration_ms, created_at)"
    " SELECT agent_name, session_id, seq, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, created_at"
    " FROM agent_history WHERE id = ?1";
constexpr const char* kInsertToolCall =
    "INSERT INTO tool_calls (agent_name, session_id, turn_seq, position, run_id, call_id, client_id, tool,"
    " duration_ms, is_error, created_at)"
    " SELECT agent_name, session_id, seq, ?2, ?3, ?4, ?5, ?6, ?7, ?8, created_at FROM agent_history WHERE id = ?1";

// The rows of one page of turns: from its first turn's key to its last's.
constexpr const char* kModelCallsOfPage =
    "SELECT agent_name, session_id, turn_seq, run_id, provider, model, llm_id, input_tokens, output_tokens,"
    " cache_read_tokens, cache_write_tokens, stop_reason, first_token_ms, duration_ms FROM model_calls"
    " WHERE (agent_name, session_id, turn_seq) >= (?1, ?2, ?3) AND (agent_name, session_id, turn_seq) <= (?4, ?5, ?6)";
constexpr const char* kToolCallsOfPage =
    "SELECT agent_name, session_id, turn_seq, run_id, call_id, client_id, tool, duration_ms, is_error FROM tool_calls"
    " WHERE (agent_name, session_id, turn_seq) >= (?1, ?2, ?3) AND (agent_name, session_id, turn_seq) <= (?4, ?5, ?6)"
    " ORDER BY agent_name, session_id, turn_seq, position";

constexpr const char* kUsageCells =
    "SELECT agent_name, substr(created_at, 1, 10) AS day, COALESCE(llm_id, ''), provider, model, COUNT(*),"
    " SUM(input_tokens), SUM(output_tokens), SUM(cache_read_tokens), SUM(cache_write_tokens)"
    " FROM model_calls WHERE (?1 IS NULL OR agent_name = ?1)"
    " GROUP BY agent_name, day, llm_id, provider, model";

// Nearest-rank percentiles of each group: p50 at rank ceil(n/2), p95 at ceil(0.95 n).
#define AURITE_PERCENTILES(keys, partition)                                                       \
  "SELECT " keys ", MAX(CASE WHEN rank = (n + 1) / 2 THEN duration_ms END),"                      \
  " MAX(CASE WHEN rank = (95 * n + 99) / 100 THEN duration_ms END)"                               \
  " FROM (SELECT " keys ", duration_ms,"                                                         \
  "  ROW_NUMBER() OVER (PARTITION BY " partition " ORDER BY duration_ms) AS rank,"              \
  "  COUNT(*) OVER (PARTITION BY " partition ") AS n"                                            \
  "  FROM (SELECT *, substr(created_at, 1, 10) AS day FROM model_calls WHERE (?1 IS NULL OR agent_name = ?1)))" \
  " GROUP BY " keys
constexpr const char* kAgentPercentiles = AURITE_PERCENTILES("agent_name", "agent_name");
constexpr const char* kDayPercentiles = AURITE_PERCENTILES("agent_name, day", "agent_name, day");
constexpr const char* kModelPercentiles = AURITE_PERCENTILES("provider, model", "provider, model");
#undef AURITE_PERCENTILES

using TurnKey = std::tuple<std::string, std::string, std::int64_t>;

TurnKey key_of(const TurnRecord& turn) { return {turn.agent_name, turn.session_id, turn.seq}; }

void bind_page(Statement& select, const std::vector<TurnRecord>& page) {
  select.bind(1, page.front().agent_name);
  select.bind(2, page.front().session_id);
  select.bind(3, page.front().seq);
  select.bind(4, page.back().agent_name);
  select.bind(5, page.back().session_id);
  select.bind(6, page.back().seq);
}

std::optional<double> optional_double(const Statement& row, int column) {
  if (row.column_is_null(column)) return std::nullopt;
  return row.column_double(column);
}

Percentiles percentiles_at(const Statement& row, int first) {
  return {row.column_double(first), row.column_double(first + 1)};
}

}  // namespace

void write_usage(Database& db, std::int64_t turn_rowid, const TurnUsage& usage) {
  const std::optional<std::string> run_id =
      usage.run_id.empty() ? std::nullopt : std::optional<std::string>(usage.run_id);
  if (const auto& call = usage.model_call) {
    auto insert = db.cached(kInsertModelCall);
    insert->bind(1, turn_rowid);
    insert->bind(2, run_id);
    insert->bind(3, call->provider);
    insert->bind(4, call->model);
    insert->bind(5, call->llm_id.empty() ? std::nullopt : std::optional<std::string>(call->llm_id));
    insert->bind(6, call->input_tokens);
    insert->bind(7, call->output_tokens);
    insert->bind(8, call->cache_read_tokens);
    insert->bind(9, call->cache_write_tokens);
    insert->bind(10, call->stop_reason);
    insert->bind(11, call->first_token_ms);
    insert->bind(12, call->duration_ms);
    insert->step();
  }
  for (std::size_t i = 0; i < usage.tool_calls.size(); ++i) {
    const ToolCallUsage& call = usage.tool_calls[i];
    auto insert = db.cached(kInsertToolCall);
    insert->bind(1, turn_rowid);
    insert->bind(2, static_cast<std::int64_t>(i));
    insert->bind(3, run_id);
    insert->bind(4, call.call_id);
    insert->bind(5, call.client_id);
    insert->bind(6, call.tool);
    insert->bind(7, call.duration_ms);
    insert->bind(8, static_cast<std::int64_t>(call.is_error ? 1 : 0));
    insert->step();
  }
}

void read_usage(Database& db, std::vector<TurnRecord>& page) {
  if (page.empty()) return;
  std::map<TurnKey, TurnRecord*> turns;
  for (TurnRecord& turn : page) turns[key_of(turn)] = &turn;
  const auto turn_at = [&turns](const Statement& row) -> TurnRecord* {
    const auto found = turns.find({row.column_text(0), row.column_text(1), row.column_int64(2)});
    return found == turns.end() ? nullptr : found->second;
  };
  {
    auto select = db.cached(kModelCallsOfPage);
    bind_page(*select, page);
    while (select->step()) {
      TurnRecord* turn = turn_at(*select);
      if (turn == nullptr) continue;  // a turn of another filter inside the key range
      turn->usage.run_id = select->column_text(3);
      turn->usage.model_call = ModelCallUsage{select->column_text(4),       select->column_text(5),
                                              select->column_text(6),       select->column_int64(7),
                                              select->column_int64(8),      select->column_int64(9),
                                              select->column_int64(10),     select->column_text(11),
                                              optional_double(*select, 12), select->column_double(13)};
    }
  }
  auto select = db.cached(kToolCallsOfPage);
  bind_page(*select, page);
  while (select->step()) {
    TurnRecord* turn = turn_at(*select);
    if (turn == nullptr) continue;
    turn->usage.run_id = select->column_text(3);
    turn->usage.tool_calls.push_back({select->column_text(4), select->column_text(5), select->column_text(6),
                                      select->column_double(7), select->column_int64(8) != 0});
  }
}

std::vector<UsageCell> usage_cells(Database& db, const std::optional<std::string>& agent_name) {
  std::vector<UsageCell> cells;
  auto select = db.cached(kUsageCells);
  select->bind(1, agent_name);
  while (select->step()) {
    cells.push_back({select->column_text(0), select->column_text(1), select->column_text(2), select->column_text(3),
                     select->column_text(4), select->column_int64(5), select->column_int64(6),
                     select->column_int64(7), select->column_int64(8), select->column_int64(9)});
  }
  return cells;
}

UsageLatencies usage_latencies(Database& db, const std::optional<std::string>& agent_name) {
  UsageLatencies latencies;
  {
    auto select = db.cached(kAgentPercentiles);
    select->bind(1, agent_name);
    while (select->step()) latencies.per_agent[select->column_text(0)] = percentiles_at(*select, 1);
  }
  {
    auto select = db.cached(kDayPercentiles);
    select->bind(1, agent_name);
    while (select->step()) latencies.per_day[{select->column_text(0), select->column_text(1)}] = percentiles_at(*select, 2);
  }
  auto select = db.cached(kModelPercentiles);
  select->bind(1, agent_name);
  while (select->step()) latencies.per_model[{select->column_text(0), select->column_text(1)}] = percentiles_at(*select, 2);
  return latencies;
}

}  // namespace aurite::storage::sqlite
