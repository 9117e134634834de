// llm/user_words — the user's words in the test model's tool arguments (internal).
//
// The test model builds tool arguments from input schemas. A schema alone gives
// "example location", and an offline demo asked about Oslo would answer about nowhere.
// So a string argument whose name (or, failing that, description) asks for a place or
// for the user's text is filled from the conversation, by fixed rules, with no
// randomness and no knowledge of the world:
//
// - a place (name or description mentions location, city, place, town, destination,
//   region, country or address; also a `name` or `title` when a place is known):
//   the place the latest user message names, else the latest earlier user message that
//   names one ("And tomorrow?" after "Oslo?" is still about Oslo);
// - the user's text (query, q, question, message, prompt, text, input, content, subject,
//   topic, request, search, task): the latest user message as it is.
//
// A message names a place when it has a capitalised word (or run of them, "New York",
// "Frankfurt am Main") that does not start a sentence and is not "I", a weekday or a
// month; one right after in/at/near/around/to/from/visiting is preferred; a message whose
// words are all capitalised ("Lima") is itself the place; typed in lower case, the last
// word of a clause right after in/at/near is ("weather in oslo?"). Without a place, a
// place argument keeps its schema example. Properties with an enum, a
// const or a string format keep their schema example.
#pragma once

#include <string>
#include <vector>

#include "aurite/llm/message.hpp"

namespace aurite::llm::detail {

// The place `text` names by the rules above; empty when it names none.
std::string place_in(const std::string& text);

// Arguments for a tool with `input_schema`: example_for_schema's, with the top-level
// string properties that ask for a place or for the user's text filled from `messages`.
Json arguments_from_words(const Json& input_schema, const std::vector<Message>& messages);

}  // namespace aurite::llm::detail
