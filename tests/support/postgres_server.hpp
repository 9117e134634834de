// A real PostgreSQL 15 server for tests: a fresh cluster in a temporary folder, listening
// on 127.0.0.1 only (no Unix socket) on a free port, with password authentication for TCP.
//
// initdb and postgres refuse to run as root; when the tests run as root the server runs as
// the system user `aurite-test` (created with useradd when missing). One server per test
// program (PostgresServer::shared(), stopped by a gtest Environment at exit); a fresh
// database per test (create_database()).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "support/temp_dir.hpp"

namespace aurite::testing {

class PostgresServer {
 public:
  // initdb + start; throws std::runtime_error with the server's log when either fails.
  PostgresServer();
  // Stops the server (fast shutdown) and removes its folder.
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  // The server of this test program, started on first use.
  static PostgresServer& shared();

  std::uint16_t port() const { return port_; }
  static constexpr const char* kUser = "postgres";
  const std::string& password() const { return password_; }

  // postgresql://postgres:<password>@127.0.0.1:<port>/<database>
  std::string url(const std::string& database) const;

  // Creates an empty database with a new name and returns the name.
  std::string create_database();

  // Connections currently open to `database` whose application_name is `application`.
  int count_connections(const std::string& database, const std::string& application);

  // Fast shutdown (clients are disconnected) and start again on the same port.
  void stop();
  void start();
  bool running() const { return running_; }

 private:
  std::string run_as_server_user(const std::vector<std::string>& argv);

  TempDir dir_;
  std::string password_;
  std::uint16_t port_ = 0;
  bool running_ = false;
  int next_database_ = 0;
};

}  // namespace aurite::testing
