// Fixture for tests/checks/check_sql.sh: every statement below builds SQL from values or
// hands the database something other than a named constant. Never compiled.
#include <string>

void concatenated(Database& db, const std::string& name) {
  db.exec(("DELETE FROM sessions WHERE agent_name = '" + name + "'").c_str());
}

void concatenated_over_lines(Database& db, const std::string& name) {
  const std::string sql = "SELECT seq FROM agent_history"
                          " WHERE agent_name = '" +
                          name + "'";
  auto select = db.cached(sql.c_str());
}

void formatted(PGconn* conn, const std::string& name) {
  const std::string sql = fmt::format("INSERT INTO sessions (agent_name) VALUES ('{}')", name);
  PQexec(conn, sql.c_str());
}

void appended(sqlite3* db, std::string order) {
  std::string sql = "SELECT name FROM agent_configs";
  sql += " ORDER BY " + order;
  sqlite3_exec(db, sql.data(), nullptr, nullptr, nullptr);
}

void prepared_from_a_call(PGconn* conn) {
  PQprepare(conn, "by_name", make_query().c_str(), 1, nullptr);
  sqlite3_prepare_v2(handle, query_text(kind), -1, &stmt, nullptr);
}
