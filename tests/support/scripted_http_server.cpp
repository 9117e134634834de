#include "support/scripted_http_server.hpp"

#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace aurite::testing {

ScriptedHttpServer::ScriptedHttpServer() : server_(std::make_unique<httplib::Server>()) {
  server_->Post(".*", [this](const httplib::Request& request, httplib::Response& response) {
    RecordedRequest recorded{request.path, {}, request.body};
    for (const auto& [name, value] : request.headers) {
      std::string lower = name;
      std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
      recorded.headers[lower] = value;
    }
    {
      std::lock_guard lock(mutex_);
      requests_.push_back(std::move(recorded));
    }
    ScriptedReply reply = next();
    if (reply.together > 0) {
      std::unique_lock lock(mutex_);
      ++waiting_;
      if (waiting_ >= reply.together) {
        released_ += waiting_;
        waiting_ = 0;
        gathered_.notify_all();
      }
      const bool gathered = gathered_.wait_for(lock, std::chrono::seconds(10), [this] { return released_ > 0; });
      if (!gathered) {
        --waiting_;
        response.status = 504;
        return;
      }
      --released_;
    }
    if (reply.hang) {
      std::unique_lock lock(mutex_);
      stopping_.wait_for(lock, std::chrono::seconds(30), [this] { return stopped_; });
      response.status = 503;
      return;
    }
    response.status = reply.status;
    for (const auto& [name, value] : reply.headers) response.set_header(name, value);
    if (reply.chunks.empty()) {
      response.set_content(reply.body, "application/json");
      return;
    }
    auto chunks = std::make_shared<std::vector<std::string>>(std::move(reply.chunks));
    const bool drop = reply.drop_after_chunks;
    response.set_chunked_content_provider("text/event-stream", [chunks, drop](size_t, httplib::DataSink& sink) {
      for (const auto& chunk : *chunks) {
        if (!sink.write(chunk.data(), chunk.size())) return false;
      }
      if (drop) return false;  // abort: the client sees the connection end mid-stream
      sink.done();
      return true;
    });
  });
  port_ = server_->bind_to_any_port("127.0.0.1");
  if (port_ <= 0) throw std::runtime_error("cannot bind a test HTTP server on 127.0.0.1");
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  // stop() is a no-op until the accept loop runs, so wait for it (with a deadline).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!server_->is_running()) {
    if (std::chrono::steady_clock::now() > deadline) throw std::runtime_error("test HTTP server did not start");
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

ScriptedHttpServer::~ScriptedHttpServer() {
  {
    std::lock_guard lock(mutex_);
    stopped_ = true;
  }
  stopping_.notify_all();
  server_->stop();
  thread_.join();
}

void ScriptedHttpServer::push(ScriptedReply reply) {
  std::lock_guard lock(mutex_);
  script_.push_back(std::move(reply));
}

void ScriptedHttpServer::push_json(const std::string& body, int status) {
  ScriptedReply reply;
  reply.status = status;
  reply.body = body;
  push(std::move(reply));
}

std::string ScriptedHttpServer::base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

std::vector<RecordedRequest> ScriptedHttpServer::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

ScriptedReply ScriptedHttpServer::next() {
  std::lock_guard lock(mutex_);
  if (script_.empty()) {
    ScriptedReply missing;
    missing.status = 599;
    missing.body = R"({"error": {"message": "the test script has no reply left"}})";
    return missing;
  }
  ScriptedReply reply = std::move(script_.front());
  script_.pop_front();
  return reply;
}

}  // namespace aurite::testing
