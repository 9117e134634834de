// llm/schema_example — a value that satisfies a JSON Schema, built deterministically.
// The test model uses it for tool arguments and for answers that must match a schema.
#pragma once

#include <string>

#include "aurite/llm/message.hpp"

namespace aurite::llm {

// Supports type (incl. arrays of types), properties/required, items, enum, const,
// default, minimum/maximum, minLength, minItems, anyOf/oneOf/allOf (first branch) and
// common string formats. Strings are `text` when given, else "example <name>".
Json example_for_schema(const Json& schema, const std::string& text = "");

}  // namespace aurite::llm
