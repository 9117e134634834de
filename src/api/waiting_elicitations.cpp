#include "api/waiting_elicitations.hpp"

#include <fmt/format.h>

#include "aurite/common/error.hpp"

namespace aurite::api::detail {

std::optional<nlohmann::json> WaitingElicitations::wait(const std::string& run_id, const std::string& id,
                                                        const mcp::ElicitationRequest& request,
                                                        const std::function<void()>& announce) {
  const auto key = std::pair(run_id, id);
  const auto deadline = std::chrono::steady_clock::now() + request.timeout;
  {
    std::lock_guard lock(mutex_);
    waiting_[key] = Question{&request, std::nullopt};
  }
  announce();
  std::unique_lock lock(mutex_);
  answered_.wait_until(lock, deadline, [&] { return waiting_.at(key).answer.has_value(); });
  std::optional<nlohmann::json> answer = std::move(waiting_.at(key).answer);
  waiting_.erase(key);
  return answer;
}

void WaitingElicitations::answer(const std::string& run_id, const std::string& id, nlohmann::json answer) {
  std::lock_guard lock(mutex_);
  const auto it = waiting_.find(std::pair(run_id, id));
  if (it == waiting_.end() || it->second.answer) {
    throw Error(ErrorCode::kNotFound,
                fmt::format("no elicitation '{}' of run '{}' waits for an answer (unknown, answered, or given up "
                            "after its timeout)",
                            id, run_id));
  }
  if (const std::string problem = mcp::elicitation_answer_problem(*it->second.request, answer); !problem.empty()) {
    throw Error(ErrorCode::kInvalidArgument, "elicitation '" + id + "': " + problem);
  }
  it->second.answer = std::move(answer);
  answered_.notify_all();
}

}  // namespace aurite::api::detail
