#include "execution/result_cut.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "aurite/llm/message.hpp"

namespace aurite::execution::detail {
namespace {

bool is_continuation_byte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

std::int64_t code_points(const std::string& text) {
  std::int64_t count = 0;
  for (const char c : text) count += is_continuation_byte(c) ? 0 : 1;
  return count;
}

// The byte length of the first `count` code points, so a cut never splits a character.
std::size_t prefix_bytes(const std::string& text, std::int64_t count) {
  std::size_t at = 0;
  for (std::int64_t seen = 0; at < text.size(); ++at) {
    if (!is_continuation_byte(text[at]) && seen++ == count) break;
  }
  return at;
}

// 4900000 -> "4,900,000": a count a person reads at a glance.
std::string grouped(std::int64_t number) {
  std::string digits = std::to_string(number);
  for (auto at = static_cast<std::ptrdiff_t>(digits.size()) - 3; at > 0; at -= 3) digits.insert(static_cast<std::size_t>(at), ",");
  return digits;
}

std::string cut_note(std::int64_t cut, std::int64_t total, std::int64_t limit) {
  return fmt::format("[... {} of {} characters cut; max_result_chars is {}]", grouped(cut), grouped(total), limit);
}

}  // namespace

bool cut_result_content(nlohmann::json& content, std::int64_t limit) {
  if (!content.is_array()) return false;
  std::int64_t total = 0;
  for (const auto& block : content) {
    if (block.value("type", "") == "text") total += code_points(block.value("text", ""));
  }
  if (total <= limit) return false;
  nlohmann::json kept = nlohmann::json::array();
  std::int64_t budget = limit;
  for (auto& block : content) {
    if (block.value("type", "") != "text") {
      kept.push_back(std::move(block));
      continue;
    }
    if (budget == 0) continue;
    std::string text = block.value("text", "");
    const std::int64_t length = code_points(text);
    if (length > budget) text.resize(prefix_bytes(text, budget));
    budget -= std::min(length, budget);
    block["text"] = std::move(text);
    kept.push_back(std::move(block));
  }
  kept.push_back(llm::text_block(cut_note(total - limit, total, limit)));
  content = std::move(kept);
  return true;
}

std::string cut_result_text(const std::string& text, std::int64_t limit) {
  const std::int64_t total = code_points(text);
  if (total <= limit) return text;
  return text.substr(0, prefix_bytes(text, limit)) + "\n" + cut_note(total - limit, total, limit);
}

}  // namespace aurite::execution::detail
