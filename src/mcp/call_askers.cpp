#include "mcp/call_askers.hpp"

#include <spdlog/spdlog.h>

namespace aurite::mcp::detail {

CallAskers::Registration::Registration(Registration&& other) noexcept
    : askers_(std::move(other.askers_)), id_(other.id_) {}

CallAskers::Registration::~Registration() {
  if (askers_) askers_->remove(id_);
}

CallAskers::Registration CallAskers::add(const std::shared_ptr<CallAskers>& askers, std::string tool,
                                         Elicitor elicitor) {
  std::lock_guard lock(askers->mutex_);
  const std::uint64_t id = askers->next_id_++;
  askers->askers_.push_back({id, std::move(tool), std::move(elicitor)});
  return Registration(askers, id);
}

void CallAskers::remove(std::uint64_t id) {
  std::unique_lock lock(mutex_);
  for (auto it = askers_.begin(); it != askers_.end(); ++it) {
    if (it->id != id) continue;
    idle_.wait(lock, [&] { return it->in_use == 0; });
    askers_.erase(it);
    return;
  }
}

Json CallAskers::answer(const std::string& client_id, const Json& params, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  if (askers_.empty()) {
    spdlog::info("MCP client '{}': declined an elicitation: no call in flight can ask a person", client_id);
    return declined_elicitation();
  }
  Asker& asker = askers_.back();
  ++asker.in_use;
  const ElicitationRequest request{client_id, asker.tool, params, timeout};
  const Elicitor elicitor = asker.elicitor;
  lock.unlock();
  std::optional<Json> answer;
  try {
    answer = elicitor(request);
  } catch (const std::exception& error) {
    spdlog::warn("MCP client '{}': asking for an elicitation during {} failed: {}", client_id, request.tool,
                 error.what());
  }
  lock.lock();
  --asker.in_use;
  idle_.notify_all();
  if (!answer) return declined_elicitation();
  if (const std::string problem = elicitation_answer_problem(request, *answer); !problem.empty()) {
    spdlog::warn("MCP client '{}': declined an elicitation whose answer does not fit: {}", client_id, problem);
    return declined_elicitation();
  }
  return *answer;
}

}  // namespace aurite::mcp::detail
