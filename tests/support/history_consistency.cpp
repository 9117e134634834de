#include "support/history_consistency.hpp"

#include <libpq-fe.h>
#include <sqlite3.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>

namespace aurite::testing {
namespace {

using Json = nlohmann::json;
using Row = std::vector<std::string>;

// Sessions whose count or seqs disagree with their turns, then turns without a session.
// Column 0 says which. Plain SQL both backends understand.
constexpr const char* kProblems =
    "SELECT 'session', s.agent_name, s.session_id, CAST(s.turn_count AS TEXT), CAST(COUNT(h.seq) AS TEXT),"
    " CAST(COALESCE(MIN(h.seq), 0) AS TEXT), CAST(COALESCE(MAX(h.seq), 0) AS TEXT)"
    " FROM sessions AS s LEFT JOIN agent_history AS h"
    "  ON h.agent_name = s.agent_name AND h.session_id = s.session_id"
    " GROUP BY s.agent_name, s.session_id, s.turn_count"
    // A session with turns starts at seq 1; one without any has min 0 (and count 0).
    " HAVING COUNT(h.seq) <> s.turn_count"
    "  OR COALESCE(MIN(h.seq), 0) <> CASE WHEN s.turn_count = 0 THEN 0 ELSE 1 END"
    "  OR COALESCE(MAX(h.seq), 0) <> s.turn_count"
    " UNION ALL"
    " SELECT 'orphan', h.agent_name, h.session_id, '', CAST(COUNT(*) AS TEXT), '', ''"
    " FROM agent_history AS h LEFT JOIN sessions AS s"
    "  ON h.agent_name = s.agent_name AND h.session_id = s.session_id"
    " WHERE s.session_id IS NULL GROUP BY h.agent_name, h.session_id"
    " ORDER BY 1, 2, 3";

std::vector<Row> query_sqlite(const std::string& path, const std::string& sql) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
  const std::unique_ptr<sqlite3, decltype(&sqlite3_close)> db(raw, &sqlite3_close);
  if (rc != SQLITE_OK) throw std::runtime_error("cannot open " + path + ": " + sqlite3_errstr(rc));
  std::vector<Row> rows;
  char* error = nullptr;
  const int exec_rc = sqlite3_exec(
      raw, sql.c_str(),
      [](void* out, int columns, char** values, char**) {
        Row row;
        for (int i = 0; i < columns; ++i) row.emplace_back(values[i] != nullptr ? values[i] : "NULL");
        static_cast<std::vector<Row>*>(out)->push_back(std::move(row));
        return 0;
      },
      &rows, &error);
  const std::string message = error != nullptr ? error : "";
  sqlite3_free(error);
  if (exec_rc != SQLITE_OK) throw std::runtime_error("consistency query failed on " + path + ": " + message);
  return rows;
}

std::vector<Row> query_postgres(const std::string& url, const std::string& sql) {
  const std::unique_ptr<PGconn, decltype(&PQfinish)> conn(PQconnectdb(url.c_str()), &PQfinish);
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    throw std::runtime_error(std::string("cannot connect for the consistency query: ") +
                             PQerrorMessage(conn.get()));
  }
  const std::unique_ptr<PGresult, decltype(&PQclear)> result(PQexec(conn.get(), sql.c_str()), &PQclear);
  if (PQresultStatus(result.get()) != PGRES_TUPLES_OK) {
    throw std::runtime_error(std::string("consistency query failed: ") + PQresultErrorMessage(result.get()));
  }
  std::vector<Row> rows;
  for (int r = 0; r < PQntuples(result.get()); ++r) {
    Row row;
    for (int c = 0; c < PQnfields(result.get()); ++c) row.emplace_back(PQgetvalue(result.get(), r, c));
    rows.push_back(std::move(row));
  }
  return rows;
}

std::vector<std::string> ids_of(const Json& content, const char* type, const char* id_field) {
  std::vector<std::string> ids;
  if (!content.is_array()) return ids;
  for (const auto& block : content) {
    if (block.is_object() && block.value("type", "") == type) ids.push_back(block.value(id_field, ""));
  }
  return ids;
}

}  // namespace

std::vector<std::string> history_table_problems(const std::string& url) {
  const std::string sqlite_scheme = "sqlite://";
  const auto rows = url.starts_with(sqlite_scheme) ? query_sqlite(url.substr(sqlite_scheme.size()), kProblems)
                                                   : query_postgres(url, kProblems);
  std::vector<std::string> problems;
  for (const auto& row : rows) {
    if (row[0] == "orphan") {
      problems.push_back(row[4] + " turns of " + row[1] + "/" + row[2] + " have no session row");
    } else {
      problems.push_back("session " + row[1] + "/" + row[2] + ": turn_count " + row[3] + ", " + row[4] +
                         " turns, seqs " + row[5] + ".." + row[6]);
    }
  }
  return problems;
}

std::vector<std::string> tool_exchange_problems(const std::vector<storage::Turn>& turns,
                                                bool allow_unanswered) {
  std::vector<std::string> problems;
  std::set<std::string> asked;  // tool_use ids of the turn before
  for (std::size_t k = 0; k < turns.size(); ++k) {
    const Json content = Json::parse(turns[k].content_json, nullptr, false);
    const auto seq = std::to_string(turns[k].seq);
    std::set<std::string> answered;
    for (const auto& id : ids_of(content, "tool_result", "tool_use_id")) {
      if (!asked.contains(id))
        problems.push_back("seq " + seq + ": tool_result " + id + " answers no tool_use");
      answered.insert(id);
    }
    for (const auto& id : asked) {
      if (!answered.contains(id) && !allow_unanswered)
        problems.push_back("seq " + seq + ": tool_use " + id + " has no tool_result");
    }
    asked.clear();
    if (turns[k].role == "assistant") {
      for (const auto& id : ids_of(content, "tool_use", "id")) asked.insert(id);
    }
  }
  if (!asked.empty() && !allow_unanswered) {
    problems.push_back("the last turn asks for " + std::to_string(asked.size()) +
                       " tool results that never came");
  }
  return problems;
}

std::vector<std::string> interleaving_problems(const std::vector<storage::Turn>& turns) {
  std::vector<std::string> problems;
  std::string previous_role;
  bool previous_asked_tools = false;
  for (const auto& turn : turns) {
    const Json content = Json::parse(turn.content_json, nullptr, false);
    const auto seq = std::to_string(turn.seq);
    const bool tool_results = !ids_of(content, "tool_result", "tool_use_id").empty();
    if (turn.role == previous_role) problems.push_back("seq " + seq + ": a second " + turn.role + " turn in a row");
    if (previous_role.empty() && turn.role != "user") problems.push_back("seq " + seq + ": starts with " + turn.role);
    if (turn.role == "user" && !tool_results && previous_asked_tools) {
      problems.push_back("seq " + seq + ": a new user message where tool results were due");
    }
    previous_role = turn.role;
    previous_asked_tools = turn.role == "assistant" && !ids_of(content, "tool_use", "id").empty();
  }
  return problems;
}

std::string sqlite_integrity_check(const std::filesystem::path& path) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE, nullptr);
  const std::unique_ptr<sqlite3, decltype(&sqlite3_close)> db(raw, &sqlite3_close);
  if (rc != SQLITE_OK) return std::string("cannot open: ") + sqlite3_errstr(rc);
  std::string report;
  char* error = nullptr;
  const int exec_rc = sqlite3_exec(
      raw, "PRAGMA integrity_check",
      [](void* out, int, char** values, char**) {
        auto& text = *static_cast<std::string*>(out);
        if (!text.empty()) text += "; ";
        text += values[0] != nullptr ? values[0] : "NULL";
        return 0;
      },
      &report, &error);
  if (exec_rc != SQLITE_OK) {
    report = std::string("integrity_check failed: ") + (error != nullptr ? error : sqlite3_errstr(exec_rc));
  }
  sqlite3_free(error);
  return report;
}

}  // namespace aurite::testing
