// Questions MCP servers ask during the tool calls of streamed runs (elicitation/create),
// waiting for the API client to answer: the stream carries an `elicitation_required`
// event, and POST /runs/{run_id}/elicitations/{id} brings the answer to the thread that
// waits for it. No answer within the request's timeout is a decline.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "aurite/mcp/elicitation.hpp"

namespace aurite::api::detail {

class WaitingElicitations {
 public:
  // Registers the question, calls `announce` (the event), and waits for the answer until
  // request.timeout has passed; nullopt then.
  std::optional<nlohmann::json> wait(const std::string& run_id, const std::string& id,
                                     const mcp::ElicitationRequest& request, const std::function<void()>& announce);

  // Hands `answer` to the question. Throws Error: kNotFound when no such question waits
  // (unknown, answered before, or given up), kInvalidArgument naming what does not fit
  // the request.
  void answer(const std::string& run_id, const std::string& id, nlohmann::json answer);

 private:
  struct Question {
    const mcp::ElicitationRequest* request;
    std::optional<nlohmann::json> answer;
  };
  std::mutex mutex_;
  std::condition_variable answered_;
  std::map<std::pair<std::string, std::string>, Question> waiting_;
};

}  // namespace aurite::api::detail
