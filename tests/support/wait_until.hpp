// Waiting on a condition with a deadline, never a fixed sleep.
#pragma once

#include <chrono>
#include <functional>

namespace aurite::testing {

// Polls `condition` until it holds or `timeout` passes; returns its last value.
bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace aurite::testing
