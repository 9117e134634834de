// A schema migration: a version, a name, and the statements that take the schema from
// the previous version to this one. Each dialect keeps its own list, append-only: a
// released migration is never edited, a new version is added instead.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>

namespace aurite::storage {

struct Migration {
  std::int64_t version;
  const char* name;
  std::initializer_list<const char*> statements;  // one SQL statement each, no parameters
};

// Versions strictly increasing from 1.
std::span<const Migration> sqlite_migrations();
std::span<const Migration> postgres_migrations();

}  // namespace aurite::storage
