// Usage of model and tool calls on both backends: stored in the transaction of its turn,
// read back with it, gone with it, carried by export, import and copy, and summed and
// priced by history stats.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "aurite/common/error.hpp"
#include "aurite/storage/history_transfer.hpp"
#include "storage/backend_fixture.hpp"
#include "support/postgres_server.hpp"

namespace aurite::testing {
namespace {

using nlohmann::json;
using storage::ModelCallUsage;
using storage::ToolCallUsage;
using storage::TurnRecord;
using storage::TurnUsage;
using ::testing::HasSubstr;

class UsageTest : public BackendTest {};
AURITE_INSTANTIATE_ON_BOTH_BACKENDS(UsageTest);

std::string text(const std::string& s) { return json(s).dump(); }

ModelCallUsage call_of(const std::string& model, std::int64_t input, std::int64_t output, double ms) {
  ModelCallUsage call;
  call.provider = "anthropic";
  call.model = model;
  call.llm_id = "claude";
  call.input_tokens = input;
  call.output_tokens = output;
  call.cache_read_tokens = 10;
  call.cache_write_tokens = 5;
  call.stop_reason = "tool_use";
  call.first_token_ms = 12.5;
  call.duration_ms = ms;
  return call;
}

TurnUsage model_usage(const ModelCallUsage& call) { return {"run_1", call, {}}; }

TurnUsage tool_usage() {
  return {"run_1", std::nullopt, {{"t1", "weather", "get_weather", 41.25, false}, {"t2", "", "unknown", 0, true}}};
}

std::vector<TurnRecord> all_turns(storage::HistoryAdmin& admin, const storage::TurnFilter& filter = {}) {
  std::vector<TurnRecord> out;
  admin.for_each_turn(filter, [&](const TurnRecord& t) { out.push_back(t); });
  return out;
}

// One exchange: the user's message, a model call that asks for two tools, their results,
// and the answer.
void store_exchange(storage::HistoryStore& history, const std::string& agent, const std::string& session,
                    double answer_ms = 300) {
  history.append_turn(agent, session, "user", text("weather?"));
  history.append_turn(agent, session, "assistant", text("calling"), model_usage(call_of("claude-x", 1000, 200, 100)));
  history.append_turn(agent, session, "user", text("results"), tool_usage());
  ModelCallUsage answer = call_of("claude-x", 1500, 50, answer_ms);
  answer.stop_reason = "end_turn";
  history.append_turn(agent, session, "assistant", text("sunny"), model_usage(answer));
}

TEST_P(UsageTest, IsStoredWithItsTurnAndReadBackWithIt) {
  auto db = open();
  store_exchange(*db->history(), "a", "s");
  const auto turns = all_turns(*db->history_admin());
  ASSERT_EQ(turns.size(), 4u);
  EXPECT_TRUE(turns[0].usage.empty());
  EXPECT_EQ(turns[1].usage, model_usage(call_of("claude-x", 1000, 200, 100)));
  EXPECT_EQ(turns[2].usage, tool_usage());
  ASSERT_TRUE(turns[3].usage.model_call);
  EXPECT_EQ(turns[3].usage.model_call->stop_reason, "end_turn");
  const auto counts = db->status().row_counts;
  EXPECT_EQ(counts.at("model_calls"), 2);
  EXPECT_EQ(counts.at("tool_calls"), 2);
}

TEST_P(UsageTest, AStreamlessCallWithoutLlmOrRunKeepsThemEmpty) {
  auto db = open();
  ModelCallUsage call = call_of("m", 1, 2, 3);
  call.llm_id.clear();
  call.first_token_ms.reset();
  db->history()->append_turn("a", "s", "assistant", text("hi"), {"", call, {}});
  const auto turns = all_turns(*db->history_admin());
  ASSERT_EQ(turns.size(), 1u);
  EXPECT_EQ(turns[0].usage, (TurnUsage{"", call, {}}));
}

TEST_P(UsageTest, BadUsageFailsTheAppendAndWritesNothing) {
  auto db = open();
  ModelCallUsage call = call_of("m", -1, 2, 3);
  std::string message;
  EXPECT_EQ(code_of([&] { db->history()->append_turn("a", "s", "assistant", text("hi"), model_usage(call)); },
                    &message),
            ErrorCode::kInvalidArgument);
  EXPECT_THAT(message, HasSubstr("usage.model_call.input_tokens"));
  call = call_of("", 1, 2, 3);
  EXPECT_EQ(code_of([&] { db->history()->append_turn("a", "s", "assistant", text("hi"), model_usage(call)); }),
            ErrorCode::kInvalidArgument);
  const auto counts = db->status().row_counts;
  EXPECT_EQ(counts.at("agent_history"), 0);
  EXPECT_EQ(counts.at("sessions"), 0);
  EXPECT_EQ(counts.at("model_calls"), 0);
}

TEST_P(UsageTest, GoesWithItsSessionWhenDeletedOrPruned) {
  auto db = open();
  store_exchange(*db->history(), "a", "gone");
  store_exchange(*db->history(), "a", "kept");
  ASSERT_TRUE(db->history()->delete_session("a", "gone"));
  auto counts = db->status().row_counts;
  EXPECT_EQ(counts.at("model_calls"), 2);
  EXPECT_EQ(counts.at("tool_calls"), 2);
  db->history_admin()->prune_keep_newest(0);
  counts = db->status().row_counts;
  EXPECT_EQ(counts.at("model_calls"), 0);
  EXPECT_EQ(counts.at("tool_calls"), 0);
}

TEST_P(UsageTest, StatsSumTokensPriceThemAndGivePercentiles) {
  auto db = open();
  store_exchange(*db->history(), "a", "s1", 300);
  store_exchange(*db->history(), "a", "s2", 500);
  store_exchange(*db->history(), "b", "s1", 700);
  config::LlmConfig claude;
  claude.llm_id = "claude";
  claude.provider = "anthropic";
  claude.model = "claude-x";
  claude.pricing = config::Pricing{3.0, 15.0, 0.3, 3.75};
  const auto stats = db->history_admin()->stats(std::nullopt, {claude});

  ASSERT_EQ(stats.per_agent.size(), 2u);
  const storage::UsageTotals& a = stats.per_agent[0].usage;
  EXPECT_EQ(stats.per_agent[0].agent_name, "a");
  EXPECT_EQ(a.model_calls, 4);
  EXPECT_EQ(a.input_tokens, 2 * (1000 + 1500));
  EXPECT_EQ(a.output_tokens, 2 * (200 + 50));
  EXPECT_EQ(a.cache_read_tokens, 40);
  EXPECT_EQ(a.cache_write_tokens, 20);
  EXPECT_EQ(a.unpriced_calls, 0);
  const double expected_a = (5000 * 3.0 + 500 * 15.0 + 40 * 0.3 + 20 * 3.75) / 1e6;
  EXPECT_NEAR(a.cost_usd, expected_a, 1e-12);
  // Durations 100, 100, 300, 500: nearest rank 2 and 4.
  EXPECT_EQ(a.p50_ms, 100);
  EXPECT_EQ(a.p95_ms, 500);

  ASSERT_EQ(stats.per_day.size(), 2u);
  EXPECT_EQ(stats.per_day[0].usage, a);  // everything of "a" happened today
  ASSERT_EQ(stats.per_model.size(), 1u);
  EXPECT_EQ(stats.per_model[0].provider, "anthropic");
  EXPECT_EQ(stats.per_model[0].model, "claude-x");
  EXPECT_EQ(stats.per_model[0].usage.model_calls, 6);
  EXPECT_EQ(stats.per_model[0].usage.p50_ms, 100);  // 100, 100, 100, 300, 500, 700
  EXPECT_EQ(stats.per_model[0].usage.p95_ms, 700);

  // Without prices every call is counted as unpriced; a later price re-prices the same rows.
  const auto unpriced = db->history_admin()->stats(std::string("b"));
  ASSERT_EQ(unpriced.per_agent.size(), 1u);
  EXPECT_EQ(unpriced.per_agent[0].usage.unpriced_calls, 2);
  EXPECT_EQ(unpriced.per_agent[0].usage.cost_usd, 0);
  claude.pricing->input_per_mtok = 6.0;
  const auto repriced = db->history_admin()->stats(std::string("b"), {claude});
  EXPECT_NEAR(repriced.per_agent[0].usage.cost_usd,
              (2500 * 6.0 + 250 * 15.0 + 20 * 0.3 + 10 * 3.75) / 1e6, 1e-12);
}

TEST_P(UsageTest, StatsPriceByModelWhenTheLlmIdIsNotKnown) {
  auto db = open();
  ModelCallUsage call = call_of("gpt-x", 1'000'000, 1'000'000, 10);
  call.provider = "openai";
  call.llm_id = "renamed";
  call.cache_read_tokens = 0;
  call.cache_write_tokens = 0;
  db->history()->append_turn("a", "s", "assistant", text("hi"), model_usage(call));
  config::LlmConfig gpt;
  gpt.llm_id = "gpt";
  gpt.provider = "openai";
  gpt.model = "gpt-x";
  gpt.pricing = config::Pricing{1.0, 2.0, std::nullopt, std::nullopt};
  const auto stats = db->history_admin()->stats(std::nullopt, {gpt});
  EXPECT_NEAR(stats.per_agent[0].usage.cost_usd, 3.0, 1e-12);
}

TEST_P(UsageTest, ExportAndImportCarryIt) {
  auto db = open();
  store_exchange(*db->history(), "a", "s");
  std::stringstream lines;
  EXPECT_EQ(storage::export_jsonl(*db->history_admin(), lines), 4);
  const std::string exported = lines.str();
  EXPECT_THAT(exported, HasSubstr(R"("usage":{"model_call":)"));
  db->history()->delete_session("a", "s");
  std::stringstream in(exported);
  EXPECT_EQ(storage::import_jsonl(*db->history_admin(), in).inserted, 4);
  const auto turns = all_turns(*db->history_admin());
  ASSERT_EQ(turns.size(), 4u);
  EXPECT_EQ(turns[2].usage, tool_usage());
  std::stringstream again(exported);
  EXPECT_EQ(storage::import_jsonl(*db->history_admin(), again).inserted, 0);  // nothing doubled
  EXPECT_EQ(db->status().row_counts.at("model_calls"), 2);
  EXPECT_EQ(db->status().row_counts.at("tool_calls"), 2);
}

TEST_P(UsageTest, ImportRefusesBadUsageNamingTheLine) {
  auto db = open();
  std::stringstream in(
      R"({"agent":"a","session":"s","seq":1,"role":"user","content":"hi","created_at":"2026-01-01T00:00:00.000Z"})"
      "\n"
      R"({"agent":"a","session":"s","seq":2,"role":"assistant","content":"x","created_at":"2026-01-01T00:00:00.000Z",)"
      R"("usage":{"model_call":{"provider":"p","model":"m","input_tokens":"many"}}})"
      "\n");
  std::string message;
  EXPECT_EQ(code_of([&] { storage::import_jsonl(*db->history_admin(), in); }, &message), ErrorCode::kInvalidArgument);
  EXPECT_THAT(message, HasSubstr("line 2: usage.model_call.input_tokens must be an integer"));
  EXPECT_EQ(db->status().row_counts.at("agent_history"), 0);
}

TEST_P(UsageTest, MigrationEightAddsTheTablesToADatabaseOfVersionSeven) {
  {
    auto db = open();
    db->history()->append_turn("a", "s", "user", text("kept"));
  }
  exec_sql("DROP TABLE tool_calls");
  exec_sql("DROP TABLE model_calls");
  exec_sql("DELETE FROM schema_migrations WHERE version = 8");
  auto db = open();
  const auto status = db->status();
  EXPECT_EQ(status.schema_version, 8);
  EXPECT_EQ(status.row_counts.at("agent_history"), 1);
  EXPECT_EQ(status.row_counts.at("model_calls"), 0);
  db->history()->append_turn("a", "s", "assistant", text("new"), model_usage(call_of("m", 1, 1, 1)));
  EXPECT_EQ(db->status().row_counts.at("model_calls"), 1);
}

// SQLite into PostgreSQL, as `aurite db copy` does: the usage rows arrive and are counted.
TEST(UsageCopy, CopyCarriesUsageAndChecksItsTables) {
  TempDir dir;
  auto& server = PostgresServer::shared();
  const std::string pg_url = server.url(server.create_database());
  auto source = open_storage_at("sqlite://" + (dir / "source.db").string());
  auto target = open_storage_at(pg_url);
  store_exchange(*source->history(), "a", "s");
  const auto counts = storage::copy_all(*source, *target);
  EXPECT_EQ(counts.target_rows.at("model_calls"), 2);
  EXPECT_EQ(counts.target_rows.at("tool_calls"), 2);
  const auto copied = all_turns(*target->history_admin());
  const auto original = all_turns(*source->history_admin());
  ASSERT_EQ(copied.size(), original.size());
  for (std::size_t i = 0; i < copied.size(); ++i) EXPECT_EQ(copied[i].usage, original[i].usage) << "turn " << i + 1;
}

}  // namespace
}  // namespace aurite::testing
