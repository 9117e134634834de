#include "storage/run_rules.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <nlohmann/json.hpp>
#include <string_view>

#include "aurite/common/error.hpp"
#include "storage/history_rules.hpp"

namespace aurite::storage {
namespace {

constexpr std::array<std::string_view, 3> kLiveStatuses = {"queued", "running", "awaiting_approval"};
constexpr std::array<std::string_view, 4> kEndedStatuses = {"completed", "failed", "cancelled", "interrupted"};

bool one_of(const auto& statuses, const std::string& status) {
  return std::find(statuses.begin(), statuses.end(), status) != statuses.end();
}

void check_json(const std::string& text, const char* field, const std::string& status) {
  if (text.empty()) return;
  if (nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false).is_discarded()) {
    throw Error(ErrorCode::kInvalidArgument, std::string("run: ") + field + " of a '" + status + "' end is not valid JSON");
  }
}

// YYYY-MM-DDTHH:MM:SS.fffZ, with 3 (SQLite, memory) or 6 (PostgreSQL) fraction digits.
bool is_sort_key(const std::string& text) {
  constexpr std::string_view kShape = "dddd-dd-ddTdd:dd:dd.";
  if (text.size() != kShape.size() + 4 && text.size() != kShape.size() + 7) return false;
  for (std::size_t i = 0; i + 1 < text.size(); ++i) {
    const char want = i < kShape.size() ? kShape[i] : 'd';
    if (want == 'd' ? std::isdigit(static_cast<unsigned char>(text[i])) == 0 : text[i] != want) return false;
  }
  return text.back() == 'Z';
}

}  // namespace

bool run_status_is_live(const std::string& status) { return one_of(kLiveStatuses, status); }

bool is_run_status(const std::string& status) { return run_status_is_live(status) || one_of(kEndedStatuses, status); }

void check_new_run(const RunRecord& run) {
  if (run.id.empty()) throw Error(ErrorCode::kInvalidArgument, "run: id is empty");
  if (run.kind.empty()) throw Error(ErrorCode::kInvalidArgument, "run '" + run.id + "': kind is empty");
  if (run.name.empty()) throw Error(ErrorCode::kInvalidArgument, "run '" + run.id + "': name is empty");
  if (run.status != "queued" && run.status != "running") {
    throw Error(ErrorCode::kInvalidArgument,
                "run '" + run.id + "': a new run is 'queued' or 'running', not '" + run.status + "'");
  }
  session_or_default(run.session_id);
}

void check_run_end(const RunEnd& end, bool may_wait) {
  const bool allowed = one_of(kEndedStatuses, end.status) || (may_wait && end.status == "awaiting_approval");
  if (!allowed) throw Error(ErrorCode::kInvalidArgument, "run: '" + end.status + "' is not a status a run can end in here");
  check_json(end.result_json, "result", end.status);
  check_json(end.error_json, "error", end.status);
  check_json(end.turns_json, "turns", end.status);
}

void check_run_query(const RunQuery& query) {
  if (query.limit == 0) throw Error(ErrorCode::kInvalidArgument, "list_runs: limit must be at least 1");
  if (query.status && !is_run_status(*query.status)) {
    throw Error(ErrorCode::kInvalidArgument, "list_runs: status '" + *query.status + "' is not a run status");
  }
}

void check_run_events(const std::string& run_id, const std::vector<RunEvent>& events) {
  for (const RunEvent& event : events) {
    if (event.seq < 1) {
      throw Error(ErrorCode::kInvalidArgument,
                  "run '" + run_id + "': event seq " + std::to_string(event.seq) + " is not at least 1");
    }
    if (event.event.empty()) {
      throw Error(ErrorCode::kInvalidArgument,
                  "run '" + run_id + "': event " + std::to_string(event.seq) + " has no name");
    }
  }
}

std::string stored_turns(const std::string& turns_json) { return turns_json.empty() ? "[]" : turns_json; }

std::string encode_run_cursor(const RunCursor& cursor) {
  return nlohmann::json::array({cursor.sort_key, cursor.id}).dump();
}

RunCursor decode_run_cursor(const std::string& text) {
  const auto json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!json.is_array() || json.size() != 2 || !json[0].is_string() || !json[1].is_string() ||
      !is_sort_key(json[0].get_ref<const std::string&>())) {
    throw Error(ErrorCode::kInvalidArgument,
                "cursor: not one we issued (pass the next_cursor of the previous page, or none for the first)");
  }
  return {json[0].get<std::string>(), json[1].get<std::string>()};
}

std::string interrupted_error(const std::string& process, std::int64_t heartbeat_ms) {
  const std::chrono::system_clock::time_point beat{std::chrono::milliseconds(heartbeat_ms)};
  return nlohmann::json{{"code", "interrupted"},
                        {"message", "the process running it (" + process + ") stopped beating at " + iso_utc(beat)}}
      .dump();
}

}  // namespace aurite::storage
