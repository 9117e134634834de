// Hostile agent names and session ids on both backends: SQL, quotes, dots and Unicode are
// stored and read back verbatim with every table intact; NUL, newline, "/" and names past
// config::kMaxNameBytes are refused with kInvalidArgument, the same on SQLite and
// PostgreSQL, without echoing the name.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "aurite/common/error.hpp"
#include "aurite/config/names.hpp"
#include "storage/backend_fixture.hpp"

namespace aurite::testing {
namespace {

using ::testing::HasSubstr;

class HostileNames : public BackendTest {};
AURITE_INSTANTIATE_ON_BOTH_BACKENDS(HostileNames);

const std::vector<std::string> kAcceptedNames = {
    "'; DROP TABLE agent_history; --",
    "Robert'); DELETE FROM sessions WHERE ('1' = '1",
    "\" OR 1=1 --",
    "..",
    "..\\..\\windows\\system32",
    "%s%n{}{0}$1?1:name",
    "Ünïcödé 名前 🚀 עברית",
    std::string(config::kMaxNameBytes, 'x'),
};

std::string text_turn(const std::string& text) { return nlohmann::json(text).dump(); }

TEST_P(HostileNames, AreStoredAndReadBackVerbatimWithTheTablesIntact) {
  auto storage = open();
  auto* history = storage->history();
  for (const auto& name : kAcceptedNames) {
    history->append_turn(name, name, "user", text_turn(name));
    history->append_turn(name, "plain", "assistant", text_turn("ok"));
  }
  for (const auto& name : kAcceptedNames) {
    const auto turns = history->load_history(name, name, 10);
    ASSERT_EQ(turns.size(), 1u) << name;
    EXPECT_EQ(turns[0].content_json, text_turn(name));
    storage::SessionQuery query;
    query.agent_name = name;
    const auto page = history->list_sessions(query);
    ASSERT_EQ(page.sessions.size(), 2u) << name;
    for (const auto& session : page.sessions) {
      EXPECT_EQ(session.agent_name, name);
      EXPECT_TRUE(session.session_id == name || session.session_id == "plain") << session.session_id;
    }
  }
  const auto counts = storage->status().row_counts;
  EXPECT_EQ(counts.at("agent_history"), static_cast<std::int64_t>(2 * kAcceptedNames.size()));
  EXPECT_EQ(counts.at("sessions"), static_cast<std::int64_t>(2 * kAcceptedNames.size()));

  EXPECT_TRUE(history->delete_session(kAcceptedNames[0], kAcceptedNames[0]));
  EXPECT_EQ(storage->status().row_counts.at("agent_history"), static_cast<std::int64_t>(2 * kAcceptedNames.size() - 1));
}

TEST_P(HostileNames, ControlCharactersAndHugeNamesAreRefusedWithoutEcho) {
  auto storage = open();
  auto* history = storage->history();
  const std::string huge(10 * 1024 * 1024, 'h');
  const std::vector<std::pair<std::string, std::string>> refused = {
      {std::string("nul\0inside", 10), "U+0000"},
      {"two\nlines", "U+000A"},
      {"carriage\rreturn", "U+000D"},
      {"escape\x1b[31m", "U+001B"},
      {"../../etc/passwd", "'/' at byte 2"},
      {std::string(config::kMaxNameBytes + 1, 'y'), "at most 256 bytes"},
      {huge, "at most 256 bytes"},
  };
  for (const auto& [name, reason] : refused) {
    for (const bool as_session : {false, true}) {
      const std::string agent = as_session ? "agent" : name;
      const std::string session = as_session ? name : "session";
      try {
        history->append_turn(agent, session, "user", text_turn("hello"));
        ADD_FAILURE() << "stored " << config::excerpt(name);
      } catch (const Error& error) {
        EXPECT_EQ(error.code(), ErrorCode::kInvalidArgument);
        EXPECT_THAT(error.what(), HasSubstr(as_session ? "session id" : "agent name"));
        EXPECT_THAT(error.what(), HasSubstr(reason));
        EXPECT_LT(std::string(error.what()).size(), 200u) << "the name was echoed";
      }
      EXPECT_THROW(history->load_history(agent, session, 10), Error);
      EXPECT_THROW(history->delete_session(agent, session), Error);
    }
  }
  // Nothing was written, and a NUL did not get cut to a name that exists.
  history->append_turn("nul", "nul", "user", text_turn("kept"));
  EXPECT_EQ(storage->status().row_counts.at("agent_history"), 1);
  EXPECT_EQ(history->load_history("nul", "nul", 10).size(), 1u);
}

}  // namespace
}  // namespace aurite::testing
