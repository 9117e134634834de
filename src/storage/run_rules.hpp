// Rules of the run store that do not depend on where runs are kept: the statuses each
// change may start from or end in, argument checks, the keyset cursor of list_runs and
// the error body of an interrupted run. The two database backends and MemoryRunStore all
// use these, so a run behaves alike wherever it is kept.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "aurite/storage/run_store.hpp"

namespace aurite::storage {

// Throws Error(kInvalidArgument) naming what is wrong: an empty id, kind or name, a
// status other than "queued" or "running", a session id session_or_default refuses.
void check_new_run(const RunRecord& run);

// Throws Error(kInvalidArgument) unless `end.status` is an ended status, or
// "awaiting_approval" when `may_wait`, and its JSON fields are empty or valid JSON.
void check_run_end(const RunEnd& end, bool may_wait);

// Throws Error(kInvalidArgument) for a limit of 0 or an unknown status filter.
void check_run_query(const RunQuery& query);

// Throws Error(kInvalidArgument) for a seq below 1 or an empty event name.
void check_run_events(const std::string& run_id, const std::vector<RunEvent>& events);

// The turns to store: "[]" for empty text.
std::string stored_turns(const std::string& turns_json);

// The position after the last run of a page. The sort key is the backend's exact text
// for created_at, so comparisons in SQL stay exact.
struct RunCursor {
  std::string sort_key;
  std::string id;
};

std::string encode_run_cursor(const RunCursor& cursor);
// Throws Error(kInvalidArgument) naming the cursor for text encode_run_cursor did not
// produce (including a sort key that is not an ISO-8601 UTC time).
RunCursor decode_run_cursor(const std::string& text);

// The error body of a run interrupted because `process` stopped beating at
// `heartbeat_ms`: {"code": "interrupted", "message": "..."}.
std::string interrupted_error(const std::string& process, std::int64_t heartbeat_ms);

}  // namespace aurite::storage
