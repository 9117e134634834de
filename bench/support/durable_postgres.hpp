// A PostgreSQL 15 server for benchmarks: a fresh cluster in a temporary folder on
// 127.0.0.1 and a free port, with fsync on (unlike the test server) so a commit is
// durable, as it is in production. Runs as the `aurite-test` system user when started by
// root (initdb refuses root); that user must exist (the test harness creates it).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "support/temp_dir.hpp"

namespace aurite::bench {

class DurablePostgres {
 public:
  DurablePostgres();  // initdb + start; throws std::runtime_error with the server log
  ~DurablePostgres();  // fast shutdown
  DurablePostgres(const DurablePostgres&) = delete;
  DurablePostgres& operator=(const DurablePostgres&) = delete;

  // postgresql://postgres@127.0.0.1:<port>/<database> (trust authentication on loopback).
  std::string url(const std::string& database) const;

  // Creates an empty database named `name` (plain [a-z0-9_]).
  void create_database(const std::string& name);

 private:
  std::string run(const std::vector<std::string>& argv);

  testing::TempDir dir_;
  std::uint16_t port_ = 0;
};

}  // namespace aurite::bench
