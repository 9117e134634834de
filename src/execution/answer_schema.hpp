// Final answers that must match a JSON Schema: what the model is told, how the answer is
// read, and what is wrong with it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace aurite::execution::detail {

// The instruction appended to the system prompt of an agent with a schema.
std::string schema_instruction(const nlohmann::json& schema);

// The JSON value in an answer: the whole text, or the body of a ```json fenced block.
std::optional<nlohmann::json> extract_json(const std::string& text);

// Every way `value` fails `schema` (JSON Schema draft 7), "" paths meaning the root;
// empty when it matches. Throws Error(kInvalidConfig) when the schema itself is unusable.
std::vector<std::string> schema_violations(const nlohmann::json& schema, const nlohmann::json& value);

// The user turn asking the model to correct an answer.
std::string correction_request(const std::vector<std::string>& violations);

}  // namespace aurite::execution::detail
