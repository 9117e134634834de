// common/env — reading settings from the process environment.
//
// Settings are read once at start-up through these helpers so a bad value is reported
// with the variable's name, never silently replaced by a default.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace aurite {

// The variable's value, or nullopt when it is unset. An empty value counts as set.
std::optional<std::string> get_env(const std::string& name);

// Parses true/false/1/0/yes/no/on/off in any case (surrounding blanks ignored).
// Returns nullopt for anything else; callers turn that into an error naming the source.
std::optional<bool> parse_bool(std::string_view text);

// The boolean variable `name`, or `fallback` when unset or empty.
// Throws Error(kInvalidArgument) naming the variable and its value when it is not a boolean.
bool env_bool(const std::string& name, bool fallback);

// `text` with every `${NAME}` replaced by the variable's value, so a configuration can
// hand one secret to the one place that needs it without writing it down. `$${` stands
// for a literal `${`; a `$` not followed by `{` is kept as it is. NAME is
// [A-Za-z_][A-Za-z0-9_]*. Throws Error(kInvalidConfig) naming `where` (e.g. "client
// 'github' env.TOKEN") and the variable when it is unset, or the reference when it is
// malformed (no closing brace, a bad name). The value itself never appears in an error.
std::string expand_env_references(std::string_view text, std::string_view where);

// True when `name` can be the name of an environment variable ([A-Za-z_][A-Za-z0-9_]*).
bool is_env_name(std::string_view name);

}  // namespace aurite
