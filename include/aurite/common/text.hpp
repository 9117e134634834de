// common/text — small string helpers shared by every module.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace aurite {

std::string_view trim(std::string_view text);
std::string to_lower(std::string_view text);
// An HTTP token (RFC 9110): what a header name may be. ASCII letters, digits, !#$%&'*+-.^_`|~.
bool is_http_token(std::string_view text);

// Levenshtein distance, used to suggest the name a user probably meant.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `name` when it is close enough to be a likely typo, else "".
std::string closest_match(std::string_view name, const std::vector<std::string>& candidates);

// " (did you mean 'NAME'?)" for the closest_match of `name`, or "" when none is close.
std::string did_you_mean(std::string_view name, const std::vector<std::string>& candidates);

// `text` as one word for a POSIX shell, for commands we print for the user to copy:
// unchanged when it holds only characters no shell treats specially, else single-quoted.
std::string shell_quote(std::string_view text);

}  // namespace aurite
