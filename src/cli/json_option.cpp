#include "cli/json_option.hpp"

#include "aurite/common/error.hpp"
#include "aurite/common/text.hpp"
#include "aurite/config/project_file.hpp"

namespace aurite::cli {

nlohmann::json parse_object_option(const std::string& flag, const std::string& text) {
  // parse_json_text would call an empty value an empty file.
  if (trim(text).empty()) throw Error(ErrorCode::kInvalidArgument, flag + " is empty; give a JSON object such as '{}'");
  nlohmann::json value = config::parse_json_text(text, flag);
  if (!value.is_object()) {
    throw Error(ErrorCode::kInvalidArgument, flag + " must be a JSON object, got " + std::string(value.type_name()) + ": " + text);
  }
  return value;
}

}  // namespace aurite::cli
