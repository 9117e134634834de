// Keeping a tool's result within what a model should read: its text is cut at
// max_result_chars (ClientConfig, AgentConfig), with a note saying how much went, so the
// model knows it did not see everything. The cut version is what the model is sent and
// what the turn stores.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace aurite::execution::detail {

// Cuts the text blocks of `content` (an Anthropic-style tool_result content array) so
// their characters (Unicode code points) add up to at most `limit`: the block where the
// limit falls is shortened, later text blocks go, other blocks stay. Appends one text
// block "[... 4,900,000 of 5,000,000 characters cut; max_result_chars is 100000]" when
// anything was cut. Returns whether it was.
bool cut_result_content(nlohmann::json& content, std::int64_t limit);

// The same for a plain text (what a person is shown of the result).
std::string cut_result_text(const std::string& text, std::int64_t limit);

}  // namespace aurite::execution::detail
