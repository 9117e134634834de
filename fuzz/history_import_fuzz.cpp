// Fuzz target: `aurite history import` (storage::import_jsonl) into a real SQLite
// database in a temporary folder, opened once per fuzzing process and emptied after
// every input.
//
// Properties beyond "no crash":
// - a rejected import throws Error(kInvalidArgument) with a valid UTF-8 message and
//   stores nothing (all or nothing);
// - an accepted import stores exactly the first turn of every (agent, session, seq) in
//   the input, with its role, created_at and content (compared as JSON);
// - importing the same input again inserts nothing (idempotent);
// - export_jsonl of what was stored imports into an empty database as the same turns.
#include <stdlib.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "aurite/common/error.hpp"
#include "aurite/storage/history_transfer.hpp"
#include "aurite/storage/storage_manager.hpp"
#include "fuzz_support.hpp"

namespace {

using aurite::storage::HistoryAdmin;
using aurite::storage::TurnRecord;
using Json = nlohmann::json;
using Key = std::tuple<std::string, std::string, std::int64_t>;

// The database of this process, removed with its folder at exit.
class FuzzDatabase {
 public:
  FuzzDatabase() {
    const std::filesystem::path base = std::filesystem::temp_directory_path() / "aurite-fuzz-XXXXXX";
    std::string pattern = base.string();
    if (::mkdtemp(pattern.data()) == nullptr) aurite::fuzz::fail("mkdtemp " + pattern);
    folder_ = pattern;
    aurite::storage::StorageSettings settings;
    settings.enabled = true;
    settings.store_configs = false;
    settings.type = aurite::storage::DbType::kSqlite;
    settings.sqlite_path = (folder_ / "history.db").string();
    manager_ = aurite::storage::StorageManager::open(settings);
  }
  ~FuzzDatabase() {
    manager_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(folder_, ignored);
  }

  HistoryAdmin& history() { return *manager_->history_admin(); }

 private:
  std::filesystem::path folder_;
  std::unique_ptr<aurite::storage::StorageManager> manager_;
};

std::map<Key, TurnRecord> stored_turns(HistoryAdmin& history) {
  std::map<Key, TurnRecord> turns;
  history.for_each_turn({}, [&turns](const TurnRecord& turn) {
    if (!turns.emplace(Key{turn.agent_name, turn.session_id, turn.seq}, turn).second) {
      aurite::fuzz::fail("one (agent, session, seq) stored twice");
    }
  });
  return turns;
}

aurite::storage::ImportCounts import_text(HistoryAdmin& history, const std::string& text) {
  std::istringstream in(text);
  return aurite::storage::import_jsonl(history, in);
}

// The first line of every key, as the import promises to keep it.
std::map<Key, Json> first_lines(const std::string& text, std::int64_t& non_blank) {
  std::map<Key, Json> firsts;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    ++non_blank;
    const Json json = Json::parse(line);
    firsts.emplace(Key{json["agent"].get<std::string>(), json["session"].get<std::string>(), json["seq"].get<std::int64_t>()}, json);
  }
  return firsts;
}

void check_stored(const std::map<Key, TurnRecord>& stored, const std::map<Key, Json>& expected) {
  if (stored.size() != expected.size()) {
    aurite::fuzz::fail("stored " + std::to_string(stored.size()) + " turns, expected " +
                       std::to_string(expected.size()));
  }
  for (const auto& [key, line] : expected) {
    const auto found = stored.find(key);
    if (found == stored.end()) aurite::fuzz::fail("a turn was not stored: " + line.dump());
    const TurnRecord& turn = found->second;
    if (turn.role != line["role"] || turn.created_at != line["created_at"] ||
        Json::parse(turn.content_json) != line["content"]) {
      aurite::fuzz::fail("a turn was stored differently: " + line.dump() + " became " + turn.content_json);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static FuzzDatabase database;
  HistoryAdmin& history = database.history();
  const std::string text(reinterpret_cast<const char*>(data), size);

  aurite::storage::ImportCounts counts;
  try {
    counts = import_text(history, text);
  } catch (const aurite::Error& error) {
    if (error.code() != aurite::ErrorCode::kInvalidArgument) {
      aurite::fuzz::fail(std::string("a bad import is not kInvalidArgument: ") + error.what());
    }
    aurite::fuzz::check_message("import", error.what());
    if (!stored_turns(history).empty()) aurite::fuzz::fail("a rejected import stored turns");
    return 0;
  }

  std::int64_t non_blank = 0;
  const std::map<Key, Json> expected = first_lines(text, non_blank);
  if (counts.lines != non_blank) aurite::fuzz::fail("import counted other lines than it was given");
  if (counts.inserted != static_cast<std::int64_t>(expected.size())) {
    aurite::fuzz::fail("import inserted " + std::to_string(counts.inserted) + " turns for " +
                       std::to_string(expected.size()) + " distinct ones");
  }
  const auto stored = stored_turns(history);
  check_stored(stored, expected);
  if (import_text(history, text).inserted != 0) aurite::fuzz::fail("a second import inserted turns");

  std::ostringstream exported;
  aurite::storage::export_jsonl(history, exported);
  history.prune_keep_newest(0);
  if (!stored_turns(history).empty()) aurite::fuzz::fail("prune_keep_newest(0) left turns");
  import_text(history, exported.str());
  if (stored_turns(history) != stored) aurite::fuzz::fail("export then import changed the turns");
  history.prune_keep_newest(0);
  return 0;
}
