// config/names — what may name a component (client_id, llm_id, agent, workflow) or a
// history session. Quotes, SQL, dots, backslashes and any Unicode are fine: names are
// only ever bound as SQL parameters or compared, never used as file paths or SQL text.
// Refused: names longer than kMaxNameBytes (they would bloat every row, URL and log line),
// control characters such as NUL or newline (PostgreSQL cannot store NUL, and a newline
// would forge lines in logs and in the CLI's tables), and "/" (a name is one segment of
// an API path such as /sessions/{agent}/{session_id}; the server decodes %2F before
// routing, so a name holding "/" could be created but never addressed).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace aurite::config {

inline constexpr std::size_t kMaxNameBytes = 256;

// Why `name` cannot be used, or "" when it can. The reason never repeats the name, so a
// huge one is not echoed back. Emptiness is left to the caller (some names may be empty).
std::string name_problem(std::string_view name);

// `text` fit for an error message: itself up to 64 bytes, else its first 64 bytes (cut on a
// UTF-8 boundary) followed by "... (N bytes)".
std::string excerpt(std::string_view text);

// What model providers accept as a tool name: ^[a-zA-Z0-9_-]{1,64}$.
inline constexpr std::size_t kMaxToolNameLength = 64;
inline constexpr const char* kToolNameRule = "letters, digits, '_' and '-', at most 64";
bool is_tool_name(std::string_view name);

}  // namespace aurite::config
