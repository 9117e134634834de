#include "aurite/storage/history_transfer.hpp"

#include <istream>
#include <map>
#include <set>
#include <utility>
#include <vector>
#include <nlohmann/json.hpp>
#include <ostream>

#include "aurite/common/error.hpp"
#include "aurite/common/log.hpp"
#include "storage/history_rules.hpp"
#include "storage/usage_rules.hpp"

namespace aurite::storage {
namespace {

using nlohmann::json;

constexpr std::size_t kCopyBatch = 2000;

// The tables whose rows copy_all checks: configurations, sessions, turns with their usage,
// and secrets.
constexpr const char* kCopiedTables[] = {"client_configs",          "llm_configs",
                                         "agent_configs",           "workflow_configs",
                                         "custom_workflow_configs", "graph_workflow_configs",
                                         "sessions",                "agent_history",
                                         "model_calls",             "tool_calls",
                                         "secrets"};

std::string string_field(const json& line, const char* key, std::int64_t number) {
  const auto found = line.find(key);
  if (found == line.end() || !found->is_string()) {
    throw Error(ErrorCode::kInvalidArgument,
                "line " + std::to_string(number) + ": \"" + key + "\" must be a string");
  }
  return found->get<std::string>();
}

TurnRecord parse_line(const std::string& text, std::int64_t number) {
  const json line = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (line.is_discarded() || !line.is_object()) {
    throw Error(ErrorCode::kInvalidArgument, "line " + std::to_string(number) + ": not a JSON object");
  }
  TurnRecord turn;
  turn.agent_name = string_field(line, "agent", number);
  turn.session_id = string_field(line, "session", number);
  turn.role = string_field(line, "role", number);
  turn.created_at = string_field(line, "created_at", number);
  const auto seq = line.find("seq");
  if (seq == line.end() || !seq->is_number_integer()) {
    throw Error(ErrorCode::kInvalidArgument, "line " + std::to_string(number) + ": \"seq\" must be an integer");
  }
  turn.seq = seq->get<std::int64_t>();
  const auto content = line.find("content");
  if (content == line.end()) {
    throw Error(ErrorCode::kInvalidArgument, "line " + std::to_string(number) + ": \"content\" is missing");
  }
  turn.content_json = content->dump();
  if (const auto usage = line.find("usage"); usage != line.end() && !usage->is_null()) {
    turn.usage = usage_from_json(*usage, "line " + std::to_string(number));
  }
  return turn;
}

}  // namespace

std::int64_t export_jsonl(HistoryAdmin& history, std::ostream& out, const TurnFilter& filter) {
  std::int64_t lines = 0;
  history.for_each_turn(filter, [&](const TurnRecord& turn) {
    json line = {{"agent", turn.agent_name},   {"session", turn.session_id},
                       {"seq", turn.seq},            {"role", turn.role},
                       {"content", json::parse(turn.content_json)}, {"created_at", turn.created_at}};
    if (!turn.usage.empty()) line["usage"] = usage_to_json(turn.usage);
    out << line.dump() << '\n';
    ++lines;
  });
  out.flush();
  if (!out) throw Error(ErrorCode::kIo, "export: writing the JSON Lines failed");
  return lines;
}

namespace {

// Every line parsed and checked as the store would check it, before anything is written.
std::vector<TurnRecord> read_jsonl(std::istream& in) {
  std::vector<TurnRecord> turns;
  std::string text;
  std::int64_t number = 0;
  while (std::getline(in, text)) {
    ++number;
    if (text.find_first_not_of(" \t\r") == std::string::npos) continue;
    TurnRecord turn = parse_line(text, number);
    try {
      check_import(turn);  // the store's own checks, with the line number, before any write
    } catch (const Error& e) {
      throw Error(ErrorCode::kInvalidArgument, "line " + std::to_string(number) + ": " + e.what());
    }
    turns.push_back(std::move(turn));
  }
  return turns;
}

using SessionKey = std::pair<std::string, std::string>;  // agent, session

std::int64_t session_count(const std::vector<TurnRecord>& turns) {
  std::set<SessionKey> sessions;
  for (const auto& turn : turns) sessions.emplace(turn.agent_name, turn.session_id);
  return static_cast<std::int64_t>(sessions.size());
}

}  // namespace

ImportCounts import_jsonl(HistoryAdmin& history, std::istream& in) {
  const std::vector<TurnRecord> turns = read_jsonl(in);
  ImportCounts counts;
  counts.lines = static_cast<std::int64_t>(turns.size());
  counts.sessions = session_count(turns);
  counts.inserted = history.import_turns(turns);
  return counts;
}

ImportCounts check_jsonl(HistoryAdmin& history, std::istream& in) {
  const std::vector<TurnRecord> turns = read_jsonl(in);
  // The seqs already stored of each session the file names (only those sessions are read).
  std::map<SessionKey, std::set<std::int64_t>> stored;
  for (const auto& turn : turns) {
    const SessionKey key(turn.agent_name, turn.session_id);
    if (stored.count(key) > 0) continue;
    auto& seqs = stored[key];
    history.for_each_turn({key.first, key.second}, [&seqs](const TurnRecord& existing) { seqs.insert(existing.seq); });
  }
  ImportCounts counts;
  counts.lines = static_cast<std::int64_t>(turns.size());
  counts.sessions = static_cast<std::int64_t>(stored.size());
  // A seq twice in the file is inserted once, as import_turns does.
  for (const auto& turn : turns) {
    if (stored[{turn.agent_name, turn.session_id}].insert(turn.seq).second) ++counts.inserted;
  }
  return counts;
}

CopyCounts copy_all(StorageManager& source, StorageManager& target) {
  DbConfigStore* source_configs = source.configs();
  DbConfigStore* target_configs = target.configs();
  HistoryAdmin* source_history = source.history_admin();
  HistoryAdmin* target_history = target.history_admin();
  if (source_configs == nullptr || target_configs == nullptr || source_history == nullptr ||
      target_history == nullptr) {
    throw Error(ErrorCode::kInvalidArgument,
                "copy needs configuration and history storage on both databases "
                "(AURITE_DB_STORE_CONFIGS and AURITE_DB_STORE_HISTORY)");
  }
  CopyCounts counts;
  const SyncCounts synced = target_configs->sync_configs(source_configs->load_configs(), /*prune=*/false);
  counts.configs = synced.inserted + synced.updated;

  std::vector<TurnRecord> batch;
  const auto flush = [&] {
    counts.turns += target_history->import_turns(batch);
    batch.clear();
  };
  source_history->for_each_turn({}, [&](const TurnRecord& turn) {
    batch.push_back(turn);
    if (batch.size() == kCopyBatch) flush();
  });
  if (!batch.empty()) flush();
  counts.secrets = source.copy_secrets_to(target);

  const auto source_rows = source.status().row_counts;
  const auto target_rows = target.status().row_counts;
  for (const char* table : kCopiedTables) {
    counts.source_rows[table] = source_rows.at(table);
    counts.target_rows[table] = target_rows.at(table);
    if (source_rows.at(table) != target_rows.at(table)) {
      throw Error(ErrorCode::kInternal, std::string("copy: table ") + table + " holds " +
                                            std::to_string(source_rows.at(table)) + " rows in " +
                                            source.settings().masked() + " but " +
                                            std::to_string(target_rows.at(table)) + " in " +
                                            target.settings().masked());
    }
  }
  spdlog::info("copied {} configurations, {} turns and {} sealed secrets from {} to {}", counts.configs, counts.turns,
               counts.secrets, source.settings().masked(), target.settings().masked());
  return counts;
}

}  // namespace aurite::storage
