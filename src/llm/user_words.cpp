#include "llm/user_words.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <string_view>

#include "aurite/llm/schema_example.hpp"

namespace aurite::llm::detail {
namespace {

enum class Fit { kNone, kPlace, kName, kText };

struct Word {
  std::string text;      // without the punctuation around it
  bool ends_clause;      // followed by , . ? ! ; or :
  bool starts_sentence;  // the first word, or after . ? !
};

bool is_letter_or_digit(unsigned char c) {
  return std::isalnum(c) != 0 || c >= 0x80;
}

std::string lower(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

template <std::size_t N>
bool one_of(const std::string& word, const std::array<std::string_view, N>& set) {
  return std::find(set.begin(), set.end(), lower(word)) != set.end();
}

constexpr std::array<std::string_view, 25> kNotPlaces = {
    "i",      "i'm",      "i'll",      "i'd",     "i've",     "monday",   "tuesday", "wednesday", "thursday",
    "friday", "saturday", "sunday",    "january", "february", "march",    "april",   "may",       "june",
    "july",   "august",   "september", "october", "november", "december", "ok"};
constexpr std::array<std::string_view, 7> kBeforePlaces = {"in", "at",   "near",    "around",
                                                           "to", "from", "visiting"};
constexpr std::array<std::string_view, 3> kBeforeLowerCasePlaces = {"in", "at", "near"};
constexpr std::array<std::string_view, 12> kNotLowerCasePlaces = {"today",  "tomorrow", "tonight", "general",
                                                                  "time",   "advance",  "winter",  "spring",
                                                                  "summer", "autumn",   "it",      "all"};
// Lower-case words inside a place's name.
constexpr std::array<std::string_view, 9> kJoiners = {"de", "da", "do",   "del", "la",
                                                      "le", "am", "upon", "on"};

std::vector<Word> words_of(const std::string& text) {
  std::vector<Word> out;
  bool sentence_start = true;
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t end = std::min(text.find_first_of(" \t\r\n", at), text.size());
    std::string token = text.substr(at, end - at);
    at = end + 1;
    std::size_t first = 0;
    while (first < token.size() && !is_letter_or_digit(static_cast<unsigned char>(token[first]))) ++first;
    std::size_t last = token.size();
    while (last > first && !is_letter_or_digit(static_cast<unsigned char>(token[last - 1]))) --last;
    if (first == last) continue;
    const std::string tail = token.substr(last);
    const bool ends_sentence = tail.find_first_of(".?!") != std::string::npos;
    out.push_back({token.substr(first, last - first), !tail.empty(), sentence_start});
    sentence_start = ends_sentence;
  }
  return out;
}

bool capitalised(const std::string& word) {
  const auto c = static_cast<unsigned char>(word.front());
  return std::isupper(c) != 0 || c >= 0x80;
}

bool could_be_place(const Word& word) {
  return capitalised(word.text) && !one_of(word.text, kNotPlaces);
}

// The run of capitalised words (with joiners between them) starting at `at`.
std::string run_from(const std::vector<Word>& words, std::size_t at) {
  std::string place = words[at].text;
  std::size_t next = at + 1;
  while (!words[next - 1].ends_clause && next < words.size()) {
    std::size_t after_joiners = next;
    while (after_joiners < words.size() && one_of(words[after_joiners].text, kJoiners) &&
           !words[after_joiners].ends_clause) {
      ++after_joiners;
    }
    if (after_joiners >= words.size() || !could_be_place(words[after_joiners])) break;
    for (std::size_t i = next; i <= after_joiners; ++i) place += " " + words[i].text;
    next = after_joiners + 1;
  }
  return place;
}

std::vector<std::string> name_words(const std::string& name) {
  std::vector<std::string> out(1);
  for (std::size_t i = 0; i < name.size(); ++i) {
    const auto c = static_cast<unsigned char>(name[i]);
    if (!std::isalnum(c)) {
      if (!out.back().empty()) out.emplace_back();
      continue;
    }
    if (std::isupper(c) && i > 0 && std::islower(static_cast<unsigned char>(name[i - 1])) &&
        !out.back().empty()) {
      out.emplace_back();  // camelCase
    }
    out.back() += static_cast<char>(std::tolower(c));
  }
  return out;
}

Fit fit_of_words(const std::vector<std::string>& words) {
  constexpr std::array<std::string_view, 10> kPlace = {"location", "locations",   "city",   "place",
                                                       "town",     "destination", "region", "country",
                                                       "address",  "locality"};
  constexpr std::array<std::string_view, 14> kText = {"query",   "q",      "question", "message", "prompt",
                                                      "text",    "input",  "content",  "subject", "topic",
                                                      "request", "search", "task",     "keywords"};
  for (const auto& word : words) {
    if (one_of(word, kPlace)) return Fit::kPlace;
  }
  for (const auto& word : words) {
    if (one_of(word, kText)) return Fit::kText;
  }
  if (!words.empty() && (words.back() == "name" || words.back() == "title")) return Fit::kName;
  return Fit::kNone;
}

Fit fit_of(const std::string& name, const Json& property) {
  if (!property.is_object() || property.value("type", Json()) != "string") return Fit::kNone;
  if (property.contains("enum") || property.contains("const") || property.contains("format"))
    return Fit::kNone;
  const Fit by_name = fit_of_words(name_words(name));
  if (by_name != Fit::kNone) return by_name;
  const auto description = property.find("description");
  if (description == property.end() || !description->is_string()) return Fit::kNone;
  const Fit by_description = fit_of_words(name_words(description->get<std::string>()));
  return by_description == Fit::kName ? Fit::kNone : by_description;
}

bool is_question(const Message& message) {
  return message.role == "user" && !is_tool_result_message(message);
}

}  // namespace

std::string place_in(const std::string& text) {
  const auto words = words_of(text);
  if (words.empty()) return "";
  for (std::size_t i = 0; i + 1 < words.size(); ++i) {
    if (!words[i].ends_clause && one_of(words[i].text, kBeforePlaces) && could_be_place(words[i + 1])) {
      return run_from(words, i + 1);
    }
  }
  const bool all_capitalised = std::all_of(words.begin(), words.end(), [](const Word& w) {
    return could_be_place(w) || one_of(w.text, kJoiners);
  });
  if (all_capitalised && could_be_place(words.front())) return run_from(words, 0);
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (!words[i].starts_sentence && could_be_place(words[i])) return run_from(words, i);
  }
  // Typed in lower case: the last word of a clause right after in/at/near ("weather in oslo?").
  for (std::size_t i = 0; i + 1 < words.size(); ++i) {
    const Word& next = words[i + 1];
    const bool last_of_clause = next.ends_clause || i + 2 == words.size();
    if (!words[i].ends_clause && one_of(words[i].text, kBeforeLowerCasePlaces) && last_of_clause &&
        !one_of(next.text, kNotLowerCasePlaces) && !one_of(next.text, kNotPlaces)) {
      return next.text;
    }
  }
  return "";
}

Json arguments_from_words(const Json& input_schema, const std::vector<Message>& messages) {
  Json arguments = example_for_schema(input_schema);
  if (!arguments.is_object() || !input_schema.contains("properties") ||
      !input_schema["properties"].is_object()) {
    return arguments;
  }
  std::string latest;
  std::string place;
  bool have_latest = false;
  for (auto it = messages.rbegin(); it != messages.rend() && place.empty(); ++it) {
    if (!is_question(*it)) continue;
    const std::string text = text_of(it->content);
    if (!have_latest) {
      latest = text;
      have_latest = true;
    }
    place = place_in(text);
  }
  if (!have_latest) return arguments;
  for (const auto& [key, property] : input_schema["properties"].items()) {
    const Fit fit = fit_of(key, property);
    if (fit == Fit::kText && !latest.empty()) arguments[key] = latest;
    if ((fit == Fit::kPlace || fit == Fit::kName) && !place.empty()) arguments[key] = place;
  }
  return arguments;
}

}  // namespace aurite::llm::detail
