#include "storage/history_rules.hpp"
#include "storage/usage_rules.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>

#include "aurite/common/error.hpp"
#include "aurite/config/names.hpp"

namespace aurite::storage {
namespace {

bool has_nul(const std::string& text) { return text.find('\0') != std::string::npos; }

bool holds_nul(const nlohmann::json& value) {
  if (value.is_string()) return has_nul(value.get_ref<const std::string&>());
  if (value.is_array()) return std::any_of(value.begin(), value.end(), holds_nul);
  if (value.is_object()) {
    for (const auto& [key, item] : value.items()) {
      if (has_nul(key) || holds_nul(item)) return true;
    }
  }
  return false;
}

}  // namespace

std::string session_or_default(const std::string& session_id) {
  if (const std::string problem = config::name_problem(session_id); !problem.empty()) {
    throw Error(ErrorCode::kInvalidArgument, "history: session id " + problem);
  }
  return session_id.empty() ? std::string(kDefaultSession) : session_id;
}

void check_agent_name(const std::string& agent_name) {
  if (agent_name.empty()) throw Error(ErrorCode::kInvalidArgument, "history: agent name is empty");
  if (const std::string problem = config::name_problem(agent_name); !problem.empty()) {
    throw Error(ErrorCode::kInvalidArgument, "history: agent name " + problem);
  }
}

void check_lease_args(const std::string& agent_name, const std::string& holder) {
  check_agent_name(agent_name);
  if (holder.empty()) throw Error(ErrorCode::kInvalidArgument, "session lease: holder is empty");
}

void check_append(const std::string& agent_name, const std::string& role,
                  const std::string& content_json) {
  check_agent_name(agent_name);
  if (role.empty()) {
    throw Error(ErrorCode::kInvalidArgument, "history: role is empty for agent '" + agent_name + "'");
  }
  const auto content = nlohmann::json::parse(content_json, nullptr, /*allow_exceptions=*/false);
  if (content.is_discarded()) {
    throw Error(ErrorCode::kInvalidArgument,
                "history: content of a '" + role + "' turn for agent '" + agent_name +
                    "' is not valid JSON");
  }
  // Rejected on every backend alike, so a history never depends on where it is kept.
  if (holds_nul(content)) {
    throw Error(ErrorCode::kInvalidArgument,
                "history: content of a '" + role + "' turn for agent '" + agent_name +
                    "' holds a NUL character (\\u0000), which PostgreSQL cannot store");
  }
}

bool starts_exchange(const Turn& turn) {
  if (turn.role != "user") return false;
  const auto content = nlohmann::json::parse(turn.content_json, nullptr, /*allow_exceptions=*/false);
  if (!content.is_array()) return true;  // plain text (or anything that is not blocks)
  return std::none_of(content.begin(), content.end(), [](const nlohmann::json& block) {
    return block.is_object() && block.value("type", "") == "tool_result";
  });
}

std::vector<Turn> safe_window(std::vector<Turn> newest_first) {
  std::reverse(newest_first.begin(), newest_first.end());
  const auto start = std::find_if(newest_first.begin(), newest_first.end(), starts_exchange);
  newest_first.erase(newest_first.begin(), start);
  return newest_first;
}

std::string encode_cursor(const SessionCursor& cursor) {
  return nlohmann::json::array({cursor.sort_key, cursor.agent_name, cursor.session_id}).dump();
}

SessionCursor decode_cursor(const std::string& text) {
  const auto json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!json.is_array() || json.size() != 3 ||
      !std::all_of(json.begin(), json.end(), [](const auto& v) { return v.is_string(); })) {
    throw Error(ErrorCode::kInvalidArgument, "cursor: not one we issued (pass the next_cursor of the previous page, or none for the first)");
  }
  return {json[0].get<std::string>(), json[1].get<std::string>(), json[2].get<std::string>()};
}

}  // namespace aurite::storage

namespace aurite::storage {

std::string iso_utc(std::chrono::system_clock::time_point time) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[80];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900, utc.tm_mon + 1,
                utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, static_cast<int>(ms % 1000));
  return text;
}

std::string fts5_all_words(const std::string& query) {
  std::string out;
  std::string word;
  const auto flush = [&] {
    if (word.empty()) return;
    if (!out.empty()) out += ' ';
    out += '"' + word + '"';
    word.clear();
  };
  for (unsigned char c : query) {
    if (std::isalnum(c) != 0 || c >= 0x80) {
      word += static_cast<char>(c);
    } else {
      flush();
    }
  }
  flush();
  return out;
}

void check_import(const TurnRecord& turn) {
  check_append(turn.agent_name, turn.role, turn.content_json);
  if (turn.seq < 1) {
    throw Error(ErrorCode::kInvalidArgument, "history: seq " + std::to_string(turn.seq) + " of agent '" +
                                                 turn.agent_name + "' session '" + turn.session_id +
                                                 "' is not at least 1");
  }
  if (turn.created_at.empty()) {
    throw Error(ErrorCode::kInvalidArgument, "history: empty created_at for agent '" + turn.agent_name + "'");
  }
  if (turn.session_id.empty()) {
    throw Error(ErrorCode::kInvalidArgument, "history: empty session id for agent '" + turn.agent_name + "'");
  }
  check_usage(turn.usage);
}

}  // namespace aurite::storage
