// common/text — small string helpers shared by every module.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace aurite {

std::string_view trim(std::string_view text);
std::string to_lower(std::string_view text);

// Levenshtein distance, used to suggest the name a user probably meant.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `name` when it is close enough to be a likely typo, else "".
std::string closest_match(std::string_view name, const std::vector<std::string>& candidates);

}  // namespace aurite
