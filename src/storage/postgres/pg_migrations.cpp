// The PostgreSQL schema, as migrations. JSON is JSONB; timestamps are TIMESTAMPTZ.
#include "storage/migration.hpp"

namespace aurite::storage {
namespace {

const Migration kMigrations[] = {
    {1, "initial schema",
     {
         "CREATE TABLE client_configs ("
         " name TEXT PRIMARY KEY,"
         " config JSONB NOT NULL,"
         " server_path TEXT,"
         " command TEXT,"
         " config_hash TEXT NOT NULL,"
         " created_at TIMESTAMPTZ NOT NULL DEFAULT now(),"
         " last_updated TIMESTAMPTZ NOT NULL DEFAULT now())",

         "CREATE TABLE llm_configs ("
         " name TEXT PRIMARY KEY,"
         " config JSONB NOT NULL,"
         " provider TEXT NOT NULL,"
         " model TEXT,"
         " config_hash TEXT NOT NULL,"
         " created_at TIMESTAMPTZ NOT NULL DEFAULT now(),"
         " last_updated TIMESTAMPTZ NOT NULL DEFAULT now())",

         "CREATE TABLE agent_configs ("
         " name TEXT PRIMARY KEY,"
         " config JSONB NOT NULL,"
         " llm_config_id TEXT,"
         " provider TEXT,"
         " model TEXT,"
         " include_history BOOLEAN,"
         " history_limit BIGINT,"
         " config_hash TEXT NOT NULL,"
         " created_at TIMESTAMPTZ NOT NULL DEFAULT now(),"
         " last_updated TIMESTAMPTZ NOT NULL DEFAULT now())",

         "CREATE TABLE workflow_configs ("
         " name TEXT PRIMARY KEY,"
         " config JSONB NOT NULL,"
         " description TEXT,"
         " config_hash TEXT NOT NULL,"
         " created_at TIMESTAMPTZ NOT NULL DEFAULT now(),"
         " last_updated TIMESTAMPTZ NOT NULL DEFAULT now())",

         "CREATE TABLE custom_workflow_configs ("
         " name TEXT PRIMARY KEY,"
         " config JSONB NOT NULL,"
         " module_path TEXT NOT NULL,"
         " class_name TEXT NOT NULL,"
         " description TEXT,"
         " config_hash TEXT NOT NULL,"
         " created_at TIMESTAMPTZ NOT NULL DEFAULT now(),"
         " last_updated TIMESTAMPTZ NOT NULL DEFAULT now())",

         "CREATE TABLE sessions ("
         " agent_name TEXT NOT NULL,"
         " session_id TEXT NOT NULL,"
         " created_at TIMESTAMPTZ NOT NULL DEFAULT now(),"
         " last_updated TIMESTAMPTZ NOT NULL DEFAULT now(),"
         " turn_count BIGINT NOT NULL DEFAULT 0,"
         " PRIMARY KEY (agent_name, session_id))",

         // Newest-first listing, across agents and for one agent, by keyset.
         "CREATE INDEX sessions_by_last_updated ON sessions (last_updated, agent_name, session_id)",
         "CREATE INDEX sessions_of_agent_by_last_updated ON sessions (agent_name, last_updated, session_id)",

         // The UNIQUE constraint's index also serves "the last N turns of a session".
         "CREATE TABLE agent_history ("
         " id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
         " agent_name TEXT NOT NULL,"
         " session_id TEXT NOT NULL,"
         " seq BIGINT NOT NULL,"
         " role TEXT NOT NULL,"
         " content JSONB NOT NULL,"
         " created_at TIMESTAMPTZ NOT NULL DEFAULT now(),"
         " CONSTRAINT agent_history_session_seq UNIQUE (agent_name, session_id, seq),"
         " FOREIGN KEY (agent_name, session_id) REFERENCES sessions (agent_name, session_id)"
         "  ON DELETE CASCADE)",
     }},
    {2, "full-text index of turns, kept off the append path",
     {
         // The text-search vector of each turn (every string value of its content), filled
         // by search() for the turns it has not seen, so an append does not pay for the
         // index. A deleted turn leaves with its row.
         "CREATE TABLE agent_history_search ("
         " id BIGINT PRIMARY KEY REFERENCES agent_history (id) ON DELETE CASCADE,"
         " tsv TSVECTOR NOT NULL)",
         "CREATE INDEX agent_history_search_tsv ON agent_history_search USING GIN (tsv)",
     }},
    {3, "session leases",
     {
         // Who may write a session now (storage/session_lease_store.hpp). expires_at is
         // milliseconds since the Unix epoch, from the holder's clock. No foreign key: a
         // lease is taken before a new session's first turn makes its row.
         "CREATE TABLE session_leases ("
         " agent_name TEXT NOT NULL,"
         " session_id TEXT NOT NULL,"
         " holder TEXT NOT NULL,"
         " expires_at BIGINT NOT NULL,"
         " PRIMARY KEY (agent_name, session_id))",
     }},
    {4, "graph workflow configs",
     {
         // As the other config tables: the whole config as JSONB, the fields people query
         // as columns.
         "CREATE TABLE graph_workflow_configs ("
         " name TEXT PRIMARY KEY,"
         " config JSONB NOT NULL,"
         " description TEXT,"
         " include_history BOOLEAN,"
         " config_hash TEXT NOT NULL,"
         " created_at TIMESTAMPTZ NOT NULL DEFAULT now(),"
         " last_updated TIMESTAMPTZ NOT NULL DEFAULT now())",
     }},
    {5, "sealed secrets",
     {
         // Credentials we obtained (OAuth logins of MCP servers), each sealed by
         // secrets::SecretBox before it reaches the database: value is never plain text.
         "CREATE TABLE secrets ("
         " name TEXT PRIMARY KEY,"
         " value TEXT NOT NULL,"
         " updated_at TIMESTAMPTZ NOT NULL DEFAULT now())",
         // Who is changing a secret now (a refresh), as session_leases: expires_at is
         // milliseconds since the Unix epoch from the holder's clock.
         "CREATE TABLE secret_locks ("
         " name TEXT PRIMARY KEY,"
         " holder TEXT NOT NULL,"
         " expires_at BIGINT NOT NULL)",
     }},
    {6, "tool call approvals",
     {
         // A run stopped at tool calls that wait for a person (storage/approval_store.hpp):
         // state is what the run needs to go on, as JSON; status goes awaiting, resuming
         // (claimed by the process continuing it), done.
         "CREATE TABLE paused_runs ("
         " id TEXT PRIMARY KEY,"
         " agent_name TEXT NOT NULL,"
         " session_id TEXT NOT NULL,"
         " turn_seq BIGINT NOT NULL,"
         " state TEXT NOT NULL,"
         " status TEXT NOT NULL DEFAULT 'awaiting' CHECK (status IN ('awaiting', 'resuming', 'done')),"
         " resumed_by TEXT,"
         " created_at TIMESTAMPTZ NOT NULL DEFAULT now())",
         "CREATE INDEX paused_runs_waiting ON paused_runs (agent_name, session_id) WHERE status = 'awaiting'",
         // One row per gated call; a decision fills the decided_ columns once.
         "CREATE TABLE approvals ("
         " id TEXT PRIMARY KEY,"
         " run_id TEXT NOT NULL REFERENCES paused_runs (id) ON DELETE CASCADE,"
         " agent_name TEXT NOT NULL,"
         " session_id TEXT NOT NULL,"
         " turn_seq BIGINT NOT NULL,"
         " call_id TEXT NOT NULL,"
         " tool TEXT NOT NULL,"
         " client_id TEXT NOT NULL,"
         " arguments TEXT NOT NULL,"
         " why TEXT NOT NULL,"
         " status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'denied')),"
         " decided_arguments TEXT,"
         " reason TEXT,"
         " decided_by TEXT,"
         " decided_at TIMESTAMPTZ,"
         " created_at TIMESTAMPTZ NOT NULL DEFAULT now())",
         "CREATE INDEX approvals_of_run ON approvals (run_id)",
         "CREATE INDEX approvals_pending ON approvals (agent_name, session_id) WHERE status = 'pending'",
     }},
    {7, "runs",
     {
         // Every run as a resource (storage/run_store.hpp). result, error and turns are TEXT,
         // as approvals' arguments: handed back byte for byte as the run gave them, as on
         // SQLite. heartbeat_ms is milliseconds since the Unix epoch from the clock of the
         // process running it, as session_leases.
         "CREATE TABLE runs ("
         " id TEXT PRIMARY KEY,"
         " kind TEXT NOT NULL,"
         " name TEXT NOT NULL,"
         " session_id TEXT NOT NULL,"
         " status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'awaiting_approval', 'completed', 'failed',"
         "  'cancelled', 'interrupted')),"
         " message TEXT NOT NULL,"
         " process TEXT NOT NULL,"
         " created_at TIMESTAMPTZ NOT NULL DEFAULT now(),"
         " started_at TIMESTAMPTZ,"
         " finished_at TIMESTAMPTZ,"
         " final_text TEXT NOT NULL DEFAULT '',"
         " result TEXT,"
         " error TEXT,"
         " turns TEXT NOT NULL DEFAULT '[]',"
         " cancel_requested BOOLEAN NOT NULL DEFAULT false,"
         " heartbeat_ms BIGINT NOT NULL)",
         // Newest-first listing by keyset, of all runs and filtered by one column.
         "CREATE INDEX runs_newest ON runs (created_at DESC, id DESC)",
         "CREATE INDEX runs_of_name ON runs (name, created_at DESC, id DESC)",
         "CREATE INDEX runs_of_session ON runs (session_id, created_at DESC, id DESC)",
         "CREATE INDEX runs_of_status ON runs (status, created_at DESC, id DESC)",
         // The few live runs, for the heartbeat of a process and for finding stale ones.
         "CREATE INDEX runs_live ON runs (process, heartbeat_ms)"
         " WHERE status IN ('queued', 'running', 'awaiting_approval')",
         // What a run reported, numbered per run by the process running it.
         "CREATE TABLE run_events ("
         " run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,"
         " seq BIGINT NOT NULL,"
         " event TEXT NOT NULL,"
         " data TEXT NOT NULL,"
         " created_at TIMESTAMPTZ NOT NULL DEFAULT now(),"
         " PRIMARY KEY (run_id, seq))",
     }},
    {8, "usage of model and tool calls",
     {
         // Written in the transaction of the turn they belong to (storage/usage.hpp), and
         // gone with it: the model call with the assistant turn it produced, the tool calls
         // with the turn that carries their results. created_at is the turn's. Cost is not
         // stored: it comes from the tokens and today's prices when read.
         "CREATE TABLE model_calls ("
         " agent_name TEXT NOT NULL,"
         " session_id TEXT NOT NULL,"
         " turn_seq BIGINT NOT NULL,"
         " run_id TEXT,"
         " provider TEXT NOT NULL,"
         " model TEXT NOT NULL,"
         " llm_id TEXT,"
         " input_tokens BIGINT NOT NULL,"
         " output_tokens BIGINT NOT NULL,"
         " cache_read_tokens BIGINT NOT NULL,"
         " cache_write_tokens BIGINT NOT NULL,"
         " stop_reason TEXT NOT NULL,"
         " first_token_ms DOUBLE PRECISION,"
         " duration_ms DOUBLE PRECISION NOT NULL,"
         " created_at TIMESTAMPTZ NOT NULL,"
         " PRIMARY KEY (agent_name, session_id, turn_seq),"
         " FOREIGN KEY (agent_name, session_id, turn_seq) REFERENCES agent_history (agent_name, session_id, seq)"
         "  ON DELETE CASCADE)",
         "CREATE INDEX model_calls_of_run ON model_calls (run_id) WHERE run_id IS NOT NULL",
         "CREATE TABLE tool_calls ("
         " agent_name TEXT NOT NULL,"
         " session_id TEXT NOT NULL,"
         " turn_seq BIGINT NOT NULL,"
         " position INTEGER NOT NULL,"
         " run_id TEXT,"
         " call_id TEXT NOT NULL,"
         " client_id TEXT NOT NULL,"
         " tool TEXT NOT NULL,"
         " duration_ms DOUBLE PRECISION NOT NULL,"
         " is_error BOOLEAN NOT NULL,"
         " created_at TIMESTAMPTZ NOT NULL,"
         " PRIMARY KEY (agent_name, session_id, turn_seq, position),"
         " FOREIGN KEY (agent_name, session_id, turn_seq) REFERENCES agent_history (agent_name, session_id, seq)"
         "  ON DELETE CASCADE)",
     }},
};

}  // namespace

std::span<const Migration> postgres_migrations() { return kMigrations; }

}  // namespace aurite::storage
