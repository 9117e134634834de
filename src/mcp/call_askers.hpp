// The tool calls in flight on one client that can answer the server's elicitations, so
// that a request the server sends during a call reaches whoever made the call. Nothing in
// the protocol ties an elicitation to the call it belongs to on every transport, so the
// newest call answers: a server asks during the call it serves, and with several calls of
// one client in flight the newest is the likeliest to ask.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>

#include "aurite/mcp/elicitation.hpp"

namespace aurite::mcp::detail {

class CallAskers {
 public:
  // Registered for its lifetime. The destructor waits for an answer its elicitor is
  // giving (bounded by the request's timeout), so the elicitor outlives its use.
  class Registration {
   public:
    Registration() = default;
    Registration(Registration&& other) noexcept;
    Registration& operator=(Registration&&) = delete;
    Registration(const Registration&) = delete;
    ~Registration();

   private:
    friend class CallAskers;
    Registration(std::shared_ptr<CallAskers> askers, std::uint64_t id) : askers_(std::move(askers)), id_(id) {}
    std::shared_ptr<CallAskers> askers_;
    std::uint64_t id_ = 0;
  };

  static Registration add(const std::shared_ptr<CallAskers>& askers, std::string tool, Elicitor elicitor);

  // The newest call's answer to elicitation/create `params` from `client_id`; a decline
  // when no call can answer, it gives no answer, or it gives one that does not fit.
  Json answer(const std::string& client_id, const Json& params, std::chrono::milliseconds timeout);

 private:
  struct Asker {
    std::uint64_t id;
    std::string tool;
    Elicitor elicitor;
    int in_use = 0;
  };
  void remove(std::uint64_t id);

  std::mutex mutex_;
  std::condition_variable idle_;
  std::list<Asker> askers_;  // oldest first
  std::uint64_t next_id_ = 1;
};

}  // namespace aurite::mcp::detail
