// Runs as resources: each behaviour is one body written against storage::RunStore and run
// on SQLite, PostgreSQL and MemoryRunStore. A change of a run happens only from the
// statuses it allows (of two managers finishing one run at once exactly one wins),
// listing pages by keyset without gaps or repeats, events keep their seqs, and stale
// live runs are interrupted while waiting and fresh ones are not.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>
#include <vector>

#include "aurite/storage/memory_run_store.hpp"
#include "storage/backend_fixture.hpp"

namespace aurite::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr std::int64_t kT0 = 1'000'000;  // a heartbeat clock of the tests' own

storage::RunRecord run_of(const std::string& id, const std::string& status = "queued",
                          const std::string& name = "planner", const std::string& session = "s1",
                          const std::string& process = "host:1:a") {
  storage::RunRecord run;
  run.id = id;
  run.kind = "agent";
  run.name = name;
  run.session_id = session;
  run.status = status;
  run.message = "plan a trip to " + id;
  run.process = process;
  return run;
}

storage::RunEnd end_of(const std::string& status, const std::string& text = "") {
  storage::RunEnd end;
  end.status = status;
  end.final_text = text;
  if (status == "completed" || status == "awaiting_approval") end.result_json = R"({"text": ")" + text + R"("})";
  if (status == "failed" || status == "cancelled") end.error_json = R"({"code": ")" + status + R"(", "message": "x"})";
  return end;
}

std::string status_of(storage::RunStore& runs, const std::string& id) {
  const auto run = runs.find_run(id);
  return run ? run->status : "(none)";
}

std::vector<std::string> ids_of(const storage::RunPage& page) {
  std::vector<std::string> ids;
  for (const auto& run : page.runs) ids.push_back(run.id);
  return ids;
}

storage::RunPage list(storage::RunStore& runs, std::optional<std::string> name = std::nullopt,
                      std::optional<std::string> session = std::nullopt, std::optional<std::string> status = std::nullopt,
                      std::size_t limit = 50, std::optional<std::string> cursor = std::nullopt) {
  storage::RunQuery query;
  query.name = std::move(name);
  query.session_id = std::move(session);
  query.status = std::move(status);
  query.limit = limit;
  query.cursor = std::move(cursor);
  return runs.list_runs(query);
}

bool same_record(const storage::RunRecord& a, const storage::RunRecord& b) {
  return std::tie(a.id, a.kind, a.name, a.session_id, a.status, a.message, a.process, a.created_at, a.started_at,
                  a.finished_at, a.final_text, a.result_json, a.error_json, a.turns_json, a.cancel_requested) ==
         std::tie(b.id, b.kind, b.name, b.session_id, b.status, b.message, b.process, b.created_at, b.started_at,
                  b.finished_at, b.final_text, b.result_json, b.error_json, b.turns_json, b.cancel_requested);
}

// ---- The bodies: one per behaviour, on every store.

void a_run_is_found_as_created(storage::RunStore& runs) {
  runs.create_run(run_of("run_q", "queued", "planner", ""), kT0);
  const auto queued = runs.find_run("run_q");
  ASSERT_TRUE(queued);
  EXPECT_EQ(queued->kind, "agent");
  EXPECT_EQ(queued->name, "planner");
  EXPECT_EQ(queued->session_id, "default");  // as history names it
  EXPECT_EQ(queued->status, "queued");
  EXPECT_EQ(queued->message, "plan a trip to run_q");
  EXPECT_EQ(queued->process, "host:1:a");
  EXPECT_EQ(queued->created_at.size(), std::string("2026-12-03T07:00:00.000Z").size()) << queued->created_at;
  EXPECT_EQ(queued->started_at, "");
  EXPECT_EQ(queued->finished_at, "");
  EXPECT_EQ(queued->final_text, "");
  EXPECT_EQ(queued->result_json, "");
  EXPECT_EQ(queued->error_json, "");
  EXPECT_EQ(queued->turns_json, "[]");
  EXPECT_FALSE(queued->cancel_requested);

  runs.create_run(run_of("run_r", "running"), kT0);
  const auto running = runs.find_run("run_r");
  ASSERT_TRUE(running);
  EXPECT_EQ(running->status, "running");
  EXPECT_EQ(running->started_at.size(), running->created_at.size()) << running->started_at;
  EXPECT_EQ(running->session_id, "s1");

  EXPECT_EQ(runs.find_run("run_unknown"), std::nullopt);
}

void a_taken_id_or_a_bad_run_is_refused(storage::RunStore& runs) {
  runs.create_run(run_of("run_1"), kT0);
  EXPECT_EQ(code_of([&] { runs.create_run(run_of("run_1", "running", "writer"), kT0); }), ErrorCode::kAlreadyExists);
  EXPECT_EQ(runs.find_run("run_1")->name, "planner");  // the first one stays
  EXPECT_EQ(code_of([&] { runs.create_run(run_of("run_2", "completed"), kT0); }), ErrorCode::kInvalidArgument);
  EXPECT_EQ(code_of([&] { runs.create_run(run_of(""), kT0); }), ErrorCode::kInvalidArgument);
  EXPECT_EQ(code_of([&] { runs.create_run(run_of("run_3", "queued", "planner", std::string("a\0b", 3)), kT0); }),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(runs.find_run("run_2"), std::nullopt);
}

void a_run_changes_only_from_the_statuses_that_allow_it(storage::RunStore& runs) {
  runs.create_run(run_of("run_1"), kT0);
  const auto queued = runs.find_run("run_1");
  EXPECT_FALSE(runs.finish_run("run_1", end_of("completed", "too early")));  // queued, not running
  EXPECT_TRUE(same_record(*runs.find_run("run_1"), *queued));

  ASSERT_TRUE(runs.start_run("run_1", "host:2:b", kT0 + 1));
  const auto started = runs.find_run("run_1");
  EXPECT_EQ(started->status, "running");
  EXPECT_EQ(started->process, "host:2:b");
  EXPECT_FALSE(started->started_at.empty());
  EXPECT_FALSE(runs.start_run("run_1", "host:3:c", kT0 + 2));  // running already
  EXPECT_EQ(runs.find_run("run_1")->process, "host:2:b");

  storage::RunEnd done = end_of("completed", "Lisbon");
  done.turns_json = R"([{"agent": "planner", "seq": 1}, {"agent": "planner", "seq": 2}])";
  ASSERT_TRUE(runs.finish_run("run_1", done));
  const auto finished = runs.find_run("run_1");
  EXPECT_EQ(finished->status, "completed");
  EXPECT_EQ(finished->final_text, "Lisbon");
  EXPECT_EQ(finished->result_json, R"({"text": "Lisbon"})");
  EXPECT_EQ(finished->error_json, "");
  EXPECT_EQ(finished->turns_json, done.turns_json);
  EXPECT_FALSE(finished->finished_at.empty());

  // Ended: nothing changes it any more.
  EXPECT_FALSE(runs.finish_run("run_1", end_of("failed")));
  EXPECT_FALSE(runs.start_run("run_1", "host:3:c", kT0 + 3));
  EXPECT_FALSE(runs.end_waiting_run("run_1", end_of("cancelled")));
  EXPECT_TRUE(same_record(*runs.find_run("run_1"), *finished));

  EXPECT_FALSE(runs.start_run("run_unknown", "host:3:c", kT0));
  EXPECT_FALSE(runs.finish_run("run_unknown", end_of("completed")));
  EXPECT_EQ(code_of([&] { runs.finish_run("run_1", end_of("queued")); }), ErrorCode::kInvalidArgument);
  storage::RunEnd bad_json = end_of("completed");
  bad_json.result_json = "{not json";
  EXPECT_EQ(code_of([&] { runs.finish_run("run_1", bad_json); }), ErrorCode::kInvalidArgument);
}

void a_run_waiting_for_approval_starts_again_or_ends_waiting(storage::RunStore& runs) {
  runs.create_run(run_of("run_1", "running"), kT0);
  const std::string first_start = runs.find_run("run_1")->started_at;
  storage::RunEnd waits = end_of("awaiting_approval", "");
  waits.result_json = R"({"pending": ["apr_1"]})";
  waits.turns_json = R"([{"agent": "planner", "seq": 1}])";
  ASSERT_TRUE(runs.finish_run("run_1", waits));
  const auto waiting = runs.find_run("run_1");
  EXPECT_EQ(waiting->status, "awaiting_approval");
  EXPECT_EQ(waiting->finished_at, "");  // it has not ended
  EXPECT_EQ(waiting->result_json, R"({"pending": ["apr_1"]})");

  ASSERT_TRUE(runs.start_run("run_1", "host:2:b", kT0 + 1));  // approved: any process goes on with it
  EXPECT_EQ(runs.find_run("run_1")->started_at, first_start);
  EXPECT_EQ(runs.find_run("run_1")->process, "host:2:b");
  ASSERT_TRUE(runs.finish_run("run_1", waits));

  // Nobody runs it while it waits: it ends at once, keeping what `end` leaves empty.
  storage::RunEnd cancelled;
  cancelled.status = "cancelled";
  cancelled.error_json = R"({"code": "cancelled", "message": "denied"})";
  ASSERT_TRUE(runs.end_waiting_run("run_1", cancelled));
  const auto ended = runs.find_run("run_1");
  EXPECT_EQ(ended->status, "cancelled");
  EXPECT_EQ(ended->error_json, cancelled.error_json);
  EXPECT_EQ(ended->result_json, R"({"pending": ["apr_1"]})");
  EXPECT_EQ(ended->turns_json, R"([{"agent": "planner", "seq": 1}])");
  EXPECT_FALSE(ended->finished_at.empty());
  EXPECT_FALSE(runs.end_waiting_run("run_1", cancelled));

  runs.create_run(run_of("run_q"), kT0);
  EXPECT_TRUE(runs.end_waiting_run("run_q", cancelled));
  runs.create_run(run_of("run_r", "running"), kT0);
  EXPECT_FALSE(runs.end_waiting_run("run_r", cancelled));  // its process ends it
  EXPECT_EQ(status_of(runs, "run_r"), "running");
  EXPECT_EQ(code_of([&] { runs.end_waiting_run("run_q", end_of("awaiting_approval")); }),
            ErrorCode::kInvalidArgument);
}

void listing_filters_by_name_session_and_status_newest_first(storage::RunStore& runs) {
  runs.create_run(run_of("run_1", "queued", "planner", "s1"), kT0);
  next_millisecond();
  runs.create_run(run_of("run_2", "running", "writer", "s1"), kT0);
  next_millisecond();
  runs.create_run(run_of("run_3", "running", "planner", "s2"), kT0);
  next_millisecond();
  runs.create_run(run_of("run_4", "queued", "planner", ""), kT0);
  ASSERT_TRUE(runs.finish_run("run_3", end_of("completed")));

  EXPECT_THAT(ids_of(list(runs)), ElementsAre("run_4", "run_3", "run_2", "run_1"));
  EXPECT_THAT(ids_of(list(runs, "planner")), ElementsAre("run_4", "run_3", "run_1"));
  EXPECT_THAT(ids_of(list(runs, std::nullopt, "s1")), ElementsAre("run_2", "run_1"));
  EXPECT_THAT(ids_of(list(runs, std::nullopt, "")), ElementsAre("run_4"));  // the default session
  EXPECT_THAT(ids_of(list(runs, std::nullopt, std::nullopt, "completed")), ElementsAre("run_3"));
  EXPECT_THAT(ids_of(list(runs, "planner", "s1", "queued")), ElementsAre("run_1"));
  EXPECT_THAT(ids_of(list(runs, "nobody")), IsEmpty());
  EXPECT_EQ(list(runs).next_cursor, std::nullopt);

  const auto first = list(runs, std::nullopt, std::nullopt, std::nullopt, 4);
  EXPECT_EQ(first.runs.size(), 4U);
  EXPECT_EQ(list(runs, "planner", std::nullopt, std::nullopt, 3).next_cursor, std::nullopt);  // exactly 3 match
  EXPECT_EQ(code_of([&] { list(runs, std::nullopt, std::nullopt, "finished"); }), ErrorCode::kInvalidArgument);
  EXPECT_EQ(code_of([&] { list(runs, std::nullopt, std::nullopt, std::nullopt, 0); }), ErrorCode::kInvalidArgument);
}

// Runs created while a client pages are newer than its cursor: the pages it goes on
// reading hold exactly the runs it started with, each once.
void pages_hold_every_run_once_while_runs_are_created(storage::RunStore& runs) {
  std::set<std::string> before;
  for (int i = 0; i < 8; ++i) {
    const std::string id = "r" + std::to_string(i);  // several share a millisecond: the id orders them
    runs.create_run(run_of(id, "queued", i % 2 == 0 ? "planner" : "writer"), kT0);
    before.insert(id);
  }
  std::vector<std::string> seen;
  std::vector<storage::RunRecord> listed;
  std::optional<std::string> cursor;
  for (int page_number = 0; page_number < 10; ++page_number) {
    const auto page = list(runs, std::nullopt, std::nullopt, std::nullopt, 3, cursor);
    for (const auto& run : page.runs) {
      seen.push_back(run.id);
      listed.push_back(run);
    }
    // Newer than all of them, even in the same millisecond ("z" orders after "r").
    runs.create_run(run_of("z" + std::to_string(page_number)), kT0);
    cursor = page.next_cursor;
    if (!cursor) break;
  }
  EXPECT_EQ(seen.size(), before.size());
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()), before);
  for (std::size_t i = 1; i < listed.size(); ++i) {
    EXPECT_GE(listed[i - 1].created_at, listed[i].created_at) << listed[i].id;
  }

  // Filtered pages too: the planners, two at a time.
  std::vector<std::string> planners;
  cursor.reset();
  do {
    const auto page = list(runs, "planner", std::nullopt, std::nullopt, 2, cursor);
    for (const auto& id : ids_of(page)) {
      if (id.starts_with("r")) planners.push_back(id);
    }
    cursor = page.next_cursor;
  } while (cursor);
  EXPECT_EQ(std::set<std::string>(planners.begin(), planners.end()),
            (std::set<std::string>{"r0", "r2", "r4", "r6"}));
  EXPECT_EQ(planners.size(), 4U);
}

void a_cursor_that_is_not_ours_is_refused(storage::RunStore& runs) {
  runs.create_run(run_of("run_1"), kT0);
  runs.create_run(run_of("run_2"), kT0);
  const auto first = list(runs, std::nullopt, std::nullopt, std::nullopt, 1);
  ASSERT_TRUE(first.next_cursor);
  EXPECT_EQ(list(runs, std::nullopt, std::nullopt, std::nullopt, 1, first.next_cursor).runs.size(), 1U);
  for (const std::string bad : {"nonsense", R"(["a", "b", "c"])", R"(["yesterday", "run_1"])", R"([1, 2])", ""}) {
    std::string message;
    EXPECT_EQ(code_of([&] { list(runs, std::nullopt, std::nullopt, std::nullopt, 1, bad); }, &message),
              ErrorCode::kInvalidArgument)
        << bad;
    EXPECT_THAT(message, HasSubstr("cursor")) << bad;
  }
}

void events_keep_their_seqs_and_a_taken_seq_is_refused(storage::RunStore& runs) {
  runs.create_run(run_of("run_1", "running"), kT0);
  EXPECT_EQ(runs.last_event_seq("run_1"), 0);
  runs.append_events("run_1", {{1, "model_call", R"({"turn": 1})"}, {2, "tool_call", R"({"tool": "search"})"}});
  runs.append_events("run_1", {{3, "done", R"({"text": "Lisbon"})"}});
  EXPECT_EQ(runs.last_event_seq("run_1"), 3);

  const auto all = runs.events_after("run_1", 0, 10);
  ASSERT_EQ(all.size(), 3U);
  EXPECT_EQ(all[0].seq, 1);
  EXPECT_EQ(all[0].event, "model_call");
  EXPECT_EQ(all[0].data_json, R"({"turn": 1})");
  EXPECT_EQ(all[2].event, "done");
  const auto after_one = runs.events_after("run_1", 1, 1);
  ASSERT_EQ(after_one.size(), 1U);
  EXPECT_EQ(after_one[0].seq, 2);
  EXPECT_THAT(runs.events_after("run_1", 3, 10), IsEmpty());

  // Another writer took seq 3: nothing of the batch is kept.
  EXPECT_EQ(code_of([&] { runs.append_events("run_1", {{4, "x", "{}"}, {3, "y", "{}"}}); }),
            ErrorCode::kAlreadyExists);
  EXPECT_EQ(runs.last_event_seq("run_1"), 3);
  EXPECT_EQ(runs.events_after("run_1", 2, 10).at(0).event, "done");

  EXPECT_EQ(code_of([&] { runs.append_events("run_unknown", {{1, "x", "{}"}}); }), ErrorCode::kNotFound);
  EXPECT_EQ(code_of([&] { runs.append_events("run_1", {{0, "x", "{}"}}); }), ErrorCode::kInvalidArgument);
  EXPECT_EQ(runs.last_event_seq("run_unknown"), 0);
  EXPECT_THAT(runs.events_after("run_unknown", 0, 10), IsEmpty());
}

void only_a_live_run_can_be_asked_to_cancel(storage::RunStore& runs) {
  runs.create_run(run_of("run_q"), kT0);
  runs.create_run(run_of("run_done", "running"), kT0);
  ASSERT_TRUE(runs.finish_run("run_done", end_of("completed")));
  EXPECT_TRUE(runs.request_cancel("run_q"));
  EXPECT_TRUE(runs.request_cancel("run_q"));  // asking twice asks once
  EXPECT_TRUE(runs.find_run("run_q")->cancel_requested);
  EXPECT_EQ(status_of(runs, "run_q"), "queued");  // its process cancels it
  EXPECT_FALSE(runs.request_cancel("run_done"));
  EXPECT_FALSE(runs.find_run("run_done")->cancel_requested);
  EXPECT_FALSE(runs.request_cancel("run_unknown"));
}

void a_heartbeat_returns_the_runs_of_its_process_asked_to_cancel(storage::RunStore& runs) {
  runs.create_run(run_of("a_running", "running", "planner", "s1", "host:1:a"), kT0);
  runs.create_run(run_of("a_queued", "queued", "planner", "s2", "host:1:a"), kT0);
  runs.create_run(run_of("a_ended", "running", "planner", "s3", "host:1:a"), kT0);
  runs.create_run(run_of("b_running", "running", "planner", "s4", "host:2:b"), kT0);
  ASSERT_TRUE(runs.request_cancel("a_running"));
  ASSERT_TRUE(runs.request_cancel("a_ended"));
  ASSERT_TRUE(runs.request_cancel("b_running"));
  ASSERT_TRUE(runs.finish_run("a_ended", end_of("completed")));

  EXPECT_THAT(runs.heartbeat("host:1:a", kT0 + 10'000), ElementsAre("a_running"));
  EXPECT_THAT(runs.heartbeat("host:3:c", kT0 + 10'000), IsEmpty());
  // The beat counts: a's live runs are fresh now, b's is not.
  EXPECT_EQ(runs.mark_interrupted(kT0 + 5'000), 1U);
  EXPECT_EQ(status_of(runs, "b_running"), "interrupted");
  EXPECT_EQ(status_of(runs, "a_running"), "running");
  EXPECT_EQ(status_of(runs, "a_queued"), "queued");
}

void only_stale_queued_and_running_runs_are_interrupted(storage::RunStore& runs) {
  runs.create_run(run_of("stale_running", "running", "planner", "s1", "host:1:a"), kT0);
  runs.create_run(run_of("stale_queued", "queued", "planner", "s2", "host:1:a"), kT0);
  runs.create_run(run_of("fresh_running", "running", "planner", "s3", "host:2:b"), kT0 + 9'000);
  runs.create_run(run_of("waiting", "running", "planner", "s4", "host:1:a"), kT0);
  ASSERT_TRUE(runs.finish_run("waiting", end_of("awaiting_approval")));
  runs.create_run(run_of("completed", "running", "planner", "s5", "host:1:a"), kT0);
  ASSERT_TRUE(runs.finish_run("completed", end_of("completed")));

  EXPECT_EQ(runs.mark_interrupted(kT0 + 5'000), 2U);
  for (const char* id : {"stale_running", "stale_queued"}) {
    const auto run = runs.find_run(id);
    ASSERT_TRUE(run) << id;
    EXPECT_EQ(run->status, "interrupted") << id;
    EXPECT_FALSE(run->finished_at.empty()) << id;
    const auto error = nlohmann::json::parse(run->error_json);
    EXPECT_EQ(error.at("code"), "interrupted") << run->error_json;
    EXPECT_THAT(error.at("message").get<std::string>(), HasSubstr("host:1:a")) << run->error_json;
  }
  EXPECT_EQ(status_of(runs, "fresh_running"), "running");
  EXPECT_EQ(status_of(runs, "waiting"), "awaiting_approval");
  EXPECT_EQ(status_of(runs, "completed"), "completed");
  EXPECT_EQ(runs.find_run("completed")->error_json, "");

  EXPECT_EQ(runs.mark_interrupted(kT0 + 5'000), 0U);
  EXPECT_FALSE(runs.finish_run("stale_running", end_of("completed")));  // its process came back too late
  EXPECT_EQ(status_of(runs, "stale_running"), "interrupted");
}

// ---- On both databases, through StorageManager.

class RunStoreTest : public BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    db_ = open();
    runs_ = db_->runs();
  }

  std::unique_ptr<storage::StorageManager> db_;
  storage::RunStore* runs_ = nullptr;
};
AURITE_INSTANTIATE_ON_BOTH_BACKENDS(RunStoreTest);

// ---- In memory.

class MemoryRunStoreTest : public ::testing::Test {
 protected:
  storage::MemoryRunStore runs_;
};

#define AURITE_RUN_STORE_CASE(test, body)     \
  TEST_P(RunStoreTest, test) { body(*runs_); } \
  TEST_F(MemoryRunStoreTest, test) { body(runs_); }

AURITE_RUN_STORE_CASE(ARunIsFoundAsCreated, a_run_is_found_as_created)
AURITE_RUN_STORE_CASE(ATakenIdOrABadRunIsRefused, a_taken_id_or_a_bad_run_is_refused)
AURITE_RUN_STORE_CASE(ARunChangesOnlyFromTheStatusesThatAllowIt, a_run_changes_only_from_the_statuses_that_allow_it)
AURITE_RUN_STORE_CASE(ARunWaitingForApprovalStartsAgainOrEndsWaiting,
                      a_run_waiting_for_approval_starts_again_or_ends_waiting)
AURITE_RUN_STORE_CASE(ListingFiltersByNameSessionAndStatusNewestFirst,
                      listing_filters_by_name_session_and_status_newest_first)
AURITE_RUN_STORE_CASE(PagesHoldEveryRunOnceWhileRunsAreCreated, pages_hold_every_run_once_while_runs_are_created)
AURITE_RUN_STORE_CASE(ACursorThatIsNotOursIsRefused, a_cursor_that_is_not_ours_is_refused)
AURITE_RUN_STORE_CASE(EventsKeepTheirSeqsAndATakenSeqIsRefused, events_keep_their_seqs_and_a_taken_seq_is_refused)
AURITE_RUN_STORE_CASE(OnlyALiveRunCanBeAskedToCancel, only_a_live_run_can_be_asked_to_cancel)
AURITE_RUN_STORE_CASE(AHeartbeatReturnsTheRunsOfItsProcessAskedToCancel,
                      a_heartbeat_returns_the_runs_of_its_process_asked_to_cancel)
AURITE_RUN_STORE_CASE(OnlyStaleQueuedAndRunningRunsAreInterrupted, only_stale_queued_and_running_runs_are_interrupted)

#undef AURITE_RUN_STORE_CASE

// Two processes' worth of connections finish the same run at once: exactly one wins, and
// the run holds the winner's end.
TEST_P(RunStoreTest, OfTwoManagersFinishingOneRunAtOnceExactlyOneWins) {
  auto other = open();
  for (int round = 0; round < 20; ++round) {
    const std::string id = "run_r" + std::to_string(round);
    runs_->create_run(run_of(id, "running"), kT0);
    std::atomic<bool> go{false};
    auto finish = [&](storage::StorageManager& db, const std::string& status) {
      while (!go.load()) std::this_thread::yield();
      return db.runs()->finish_run(id, end_of(status, status));
    };
    auto a = std::async(std::launch::async, finish, std::ref(*db_), "completed");
    auto b = std::async(std::launch::async, finish, std::ref(*other), "failed");
    go = true;
    const bool a_won = a.get();
    const bool b_won = b.get();
    EXPECT_NE(a_won, b_won) << "round " << round;
    const auto run = runs_->find_run(id);
    ASSERT_TRUE(run);
    EXPECT_EQ(run->status, a_won ? "completed" : "failed") << "round " << round;
    EXPECT_EQ(run->final_text, run->status) << "round " << round;
  }
}

TEST_P(RunStoreTest, StatusCountsRunsAndTheirEvents) {
  runs_->create_run(run_of("run_1"), kT0);
  runs_->append_events("run_1", {{1, "model_call", "{}"}, {2, "done", "{}"}});
  const auto counts = db_->status().row_counts;
  EXPECT_EQ(counts.at("runs"), 1);
  EXPECT_EQ(counts.at("run_events"), 2);
}

TEST_P(RunStoreTest, MigrationSevenAddsTheTablesToADatabaseOfVersionSix) {
  db_->history()->append_turn("agent", "s", "user", R"([{"type": "text", "text": "kept"}])");
  db_->approvals()->pause_run({"run_p", "agent", "s", 1, "{}"}, {});
  runs_ = nullptr;
  db_.reset();
  exec_sql("DROP TABLE run_events");
  exec_sql("DROP TABLE runs");
  exec_sql("DELETE FROM schema_migrations WHERE version = 7");
  auto db = open();
  const auto status = db->status();
  EXPECT_EQ(status.schema_version, 8);
  EXPECT_EQ(status.row_counts.at("schema_migrations"), 8);
  EXPECT_EQ(status.row_counts.at("runs"), 0);
  EXPECT_EQ(status.row_counts.at("run_events"), 0);
  EXPECT_EQ(status.row_counts.at("agent_history"), 1);
  EXPECT_EQ(status.row_counts.at("paused_runs"), 1);
  db->runs()->create_run(run_of("run_1"), kT0);
  db->runs()->append_events("run_1", {{1, "model_call", "{}"}});
  EXPECT_EQ(db->runs()->last_event_seq("run_1"), 1);
}

TEST_F(MemoryRunStoreTest, OnlyTheNewestEndedRunsAreKept) {
  storage::MemoryRunStore runs(2);
  for (const char* id : {"run_1", "run_2", "run_3", "run_live"}) runs.create_run(run_of(id, "running"), kT0);
  runs.append_events("run_1", {{1, "done", "{}"}});
  ASSERT_TRUE(runs.finish_run("run_2", end_of("completed")));
  ASSERT_TRUE(runs.finish_run("run_1", end_of("completed")));
  ASSERT_TRUE(runs.finish_run("run_3", end_of("failed")));  // the third to end: run_2, the first, goes
  EXPECT_EQ(runs.find_run("run_2"), std::nullopt);
  EXPECT_EQ(status_of(runs, "run_1"), "completed");
  EXPECT_EQ(runs.last_event_seq("run_1"), 1);
  EXPECT_EQ(status_of(runs, "run_3"), "failed");
  EXPECT_EQ(status_of(runs, "run_live"), "running");  // live runs are never dropped
  EXPECT_EQ(runs.mark_interrupted(kT0 + 1), 1U);      // run_live ends: run_1 goes, with its events
  EXPECT_EQ(runs.find_run("run_1"), std::nullopt);
  EXPECT_EQ(runs.last_event_seq("run_1"), 0);
  EXPECT_THAT(ids_of(list(runs)), ElementsAre("run_live", "run_3"));
}

}  // namespace
}  // namespace aurite::testing
