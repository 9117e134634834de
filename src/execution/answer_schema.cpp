#include "execution/answer_schema.hpp"

// Without this valijson aborts the process on a schema it cannot read.
#define VALIJSON_USE_EXCEPTIONS 1
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include "aurite/common/error.hpp"
#include "aurite/common/text.hpp"

namespace aurite::execution::detail {

std::string schema_instruction(const nlohmann::json& schema) {
  return "Your final answer must be a single JSON object that matches this JSON Schema, "
         "with no other text:\n" + schema.dump(2);
}

std::optional<nlohmann::json> extract_json(const std::string& text) {
  std::string_view body = trim(text);
  if (body.rfind("```", 0) == 0) {
    const auto first_newline = body.find('\n');
    const auto closing = body.rfind("```");
    if (first_newline != std::string_view::npos && closing > first_newline) {
      body = trim(body.substr(first_newline + 1, closing - first_newline - 1));
    }
  }
  nlohmann::json value = nlohmann::json::parse(body, nullptr, false);
  if (value.is_discarded()) return std::nullopt;
  return value;
}

std::vector<std::string> schema_violations(const nlohmann::json& schema, const nlohmann::json& value) {
  valijson::Schema parsed;
  try {
    valijson::SchemaParser parser;
    valijson::adapters::NlohmannJsonAdapter schema_adapter(schema);
    parser.populateSchema(schema_adapter, parsed);
  } catch (const std::exception& error) {
    throw Error(ErrorCode::kInvalidConfig, std::string("the agent's schema cannot be used: ") + error.what());
  }
  valijson::Validator validator;
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter value_adapter(value);
  std::vector<std::string> out;
  if (validator.validate(parsed, value_adapter, &results)) return out;
  valijson::ValidationResults::Error error;
  while (results.popError(error)) {
    std::string path;
    for (const auto& part : error.context) path += part;
    out.push_back(path + ": " + error.description);
  }
  return out;
}

std::string correction_request(const std::vector<std::string>& violations) {
  std::string text = "Your answer does not match the required JSON Schema:\n";
  for (const auto& violation : violations) text += "- " + violation + "\n";
  return text + "Reply again with only the corrected JSON object.";
}

}  // namespace aurite::execution::detail
