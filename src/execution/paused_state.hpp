// What a run that paused for approvals keeps in its paused_runs row to go on in another
// process: the conversation up to the model turn that made the calls, that turn's calls
// (with the outcomes of those that ran), and the loop's counters. Versioned JSON.
#pragma once

#include <string>
#include <vector>

#include "aurite/llm/message.hpp"
#include "execution/tool_calls.hpp"

namespace aurite::execution::detail {

struct PausedState {
  std::vector<llm::Message> messages;  // ends with the assistant turn whose calls wait
  TurnCalls calls{0};                  // outcomes of the calls that ran; waiting ones unset
  bool history = false;                // the run loads and stores history
  int iterations = 0;
  int corrections = 0;
};

std::string to_state_json(const PausedState& state);

// Throws Error(kInternal) naming `run_id` for a state this version does not read.
PausedState paused_state_from_json(const std::string& json, const std::string& run_id);

}  // namespace aurite::execution::detail
