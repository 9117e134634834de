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

// The tables row_counts() reports, in the order status() shows them.
inline constexpr const char* kCountedTables[] = {
    "client_configs", "llm_configs",  "agent_configs", "workflow_configs",
    "custom_workflow_configs", "graph_workflow_configs", "sessions", "agent_history", "schema_migrations"};

}  // namespace aurite::storage
