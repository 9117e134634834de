// Fixture for tests/checks/check_sql.sh: the accepted shapes. Never compiled.
#include <string>

#define SELECT_COLUMNS "SELECT agent_name, session_id"
constexpr const char* kSelectSessions = SELECT_COLUMNS " FROM sessions"
                                        " WHERE agent_name = ?1 ORDER BY session_id LIMIT ?2";
constexpr Query kDeleteTurns = {"delete_turns", "DELETE FROM agent_history WHERE agent_name = $1"};

void bound(Database& db, PGconn* conn, const std::string& name, bool first) {
  auto select = db.cached(kSelectSessions);  // a named constant
  select->bind(1, name);
  conn.exec(kDeleteTurns, {name});
  const char* sql = first ? kSelectSessions : kSelectOthers;
  PQexecParams(conn, sql, 1, nullptr, values.data(), lengths.data(), nullptr, 0);
  PQprepare(conn, query.name, query.sql, count, nullptr);
  std::string message = "cannot run " + std::string(name) + ": the database is read-only";
  log("rows: " + std::to_string(count));
}
