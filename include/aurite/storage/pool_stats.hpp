// storage/pool_stats — what a connection pool holds at a moment (for metrics).
#pragma once

#include <cstddef>

namespace aurite::storage {

// PostgreSQL's pool; SQLite has one connection and no pool.
struct PoolStats {
  std::size_t in_use = 0;
  std::size_t idle = 0;
  std::size_t waiting = 0;  // callers waiting for a connection
  std::size_t capacity = 0;
};

}  // namespace aurite::storage
