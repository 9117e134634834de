// A command-line option whose value is a JSON object (--args), read so that a mistake
// is named with its line and column.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace aurite::cli {

// `text` as a JSON object. Throws ConfigError naming `flag` with the line and column of
// malformed JSON, Error(kInvalidArgument) naming `flag` for JSON that is not an object.
nlohmann::json parse_object_option(const std::string& flag, const std::string& text);

}  // namespace aurite::cli
