// ClientSession against a peer scripted line by line through an in-memory Transport:
// the protocol corners real servers reach only by accident (string ids, answers out
// of order or for nobody, messages that are not JSON-RPC).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>

#include "aurite/mcp/client_session.hpp"

namespace aurite::mcp {
namespace {

using ::testing::HasSubstr;

// The test plays the server: it reads what the session sent and writes what the
// session receives. Shared with the session through a shared_ptr so either may go first.
struct Wire {
  std::mutex mutex;
  std::condition_variable changed;
  std::deque<std::string> to_session;
  std::deque<std::string> from_session;
  bool closed = false;
};

class InMemoryTransport final : public Transport {
 public:
  explicit InMemoryTransport(std::shared_ptr<Wire> wire) : wire_(std::move(wire)) {}
  void send_line(const std::string& line) override {
    std::lock_guard lock(wire_->mutex);
    if (wire_->closed) throw Error(ErrorCode::kUnavailable, "closed");
    wire_->from_session.push_back(line);
    wire_->changed.notify_all();
  }
  std::optional<std::string> receive_line() override {
    std::unique_lock lock(wire_->mutex);
    wire_->changed.wait(lock, [&] { return wire_->closed || !wire_->to_session.empty(); });
    if (wire_->to_session.empty()) return std::nullopt;
    std::string line = std::move(wire_->to_session.front());
    wire_->to_session.pop_front();
    return line;
  }
  void close() override {
    std::lock_guard lock(wire_->mutex);
    wire_->closed = true;
    wire_->changed.notify_all();
  }
  std::string exit_description() override { return "hung up"; }
  std::string_view name() const override { return "memory"; }

 private:
  std::shared_ptr<Wire> wire_;
};

class ScriptedPeer {
 public:
  ScriptedPeer() : wire_(std::make_shared<Wire>()) {}
  std::unique_ptr<Transport> transport() { return std::make_unique<InMemoryTransport>(wire_); }

  // The next message the session sent (waits up to 5 s).
  Json next() {
    std::unique_lock lock(wire_->mutex);
    if (!wire_->changed.wait_for(lock, std::chrono::seconds(5), [&] { return !wire_->from_session.empty(); })) {
      throw std::runtime_error("the session sent nothing");
    }
    Json message = Json::parse(wire_->from_session.front());
    wire_->from_session.pop_front();
    return message;
  }
  void send(const std::string& line) {
    std::lock_guard lock(wire_->mutex);
    wire_->to_session.push_back(line);
    wire_->changed.notify_all();
  }
  void hang_up() {
    std::lock_guard lock(wire_->mutex);
    wire_->closed = true;
    wire_->changed.notify_all();
  }

 private:
  std::shared_ptr<Wire> wire_;
};

config::ClientConfig client() {
  config::ClientConfig c;
  c.client_id = "scripted";
  c.timeout = 5.0;
  return c;
}

// Opens a session, answering its initialize with `version`.
std::unique_ptr<ClientSession> open(ScriptedPeer& peer, const std::string& version = "2025-06-18") {
  auto opening = std::async(std::launch::async, [&] { return ClientSession::open(client(), peer.transport()); });
  const Json initialize = peer.next();
  EXPECT_EQ(initialize["method"], "initialize");
  EXPECT_EQ(initialize["params"]["protocolVersion"], kLatestProtocolVersion);
  // Keys in an unusual order and the id as the server saw it.
  peer.send(R"({"result":{"protocolVersion":")" + version + R"(","capabilities":{}},"jsonrpc":"2.0","id":)" +
            initialize["id"].dump() + "}");
  auto session = opening.get();
  EXPECT_EQ(peer.next()["method"], "notifications/initialized");
  return session;
}

TEST(mcp_session_protocol, AnswersOutOfOrderReachTheirOwnRequests) {
  ScriptedPeer peer;
  auto session = open(peer);
  auto first = std::async(std::launch::async, [&] { return session->request("a"); });
  const Json a = peer.next();
  auto second = std::async(std::launch::async, [&] { return session->request("b"); });
  const Json b = peer.next();
  peer.send(Json{{"jsonrpc", "2.0"}, {"id", std::to_string(b["id"].get<int>())}, {"result", {{"is", "b"}}}}.dump());
  peer.send(Json{{"jsonrpc", "2.0"}, {"id", a["id"]}, {"result", {{"is", "a"}}}}.dump());
  EXPECT_EQ(second.get()["is"], "b");  // a string id naming our integer id still matches
  EXPECT_EQ(first.get()["is"], "a");
}

TEST(mcp_session_protocol, AnAnswerForNoPendingRequestIsIgnored) {
  ScriptedPeer peer;
  auto session = open(peer);
  peer.send(R"({"jsonrpc":"2.0","id":999,"result":{}})");
  auto answer = std::async(std::launch::async, [&] { return session->request("ping"); });
  peer.send(Json{{"jsonrpc", "2.0"}, {"id", peer.next()["id"]}, {"result", Json::object()}}.dump());
  EXPECT_EQ(answer.get(), Json::object());
  EXPECT_TRUE(session->alive());
}

TEST(mcp_session_protocol, AMessageThatIsNotJsonRpcKillsTheSessionNamingTheClient) {
  ScriptedPeer peer;
  auto session = open(peer);
  auto answer = std::async(std::launch::async, [&] { return session->request("tools/list"); });
  peer.next();
  peer.send(R"({"hello":"world"})");
  try {
    answer.get();
    FAIL() << "a broken peer was accepted";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kProtocol);
    EXPECT_THAT(error.what(), HasSubstr("scripted"));
  }
  EXPECT_FALSE(session->alive());
  EXPECT_THROW(session->request("ping"), Error);
}

// Found by fuzz/jsonrpc_lines_fuzz.cpp: a "jsonrpc" member that is not a string threw
// from the JSON library and ended the session as an internal error.
TEST(mcp_session_protocol, AJsonrpcMemberThatIsNotAStringIsAProtocolError) {
  for (const char* version : {"true", "2", "null", "[\"2.0\"]"}) {
    ScriptedPeer peer;
    auto session = open(peer);
    auto answer = std::async(std::launch::async, [&] { return session->request("tools/list"); });
    const Json request = peer.next();
    peer.send(std::string(R"({"jsonrpc":)") + version + R"(,"id":)" + request["id"].dump() + R"(,"result":{}})");
    try {
      answer.get();
      ADD_FAILURE() << "a broken peer was accepted: jsonrpc " << version;
    } catch (const Error& error) {
      EXPECT_EQ(error.code(), ErrorCode::kProtocol) << version << ": " << error.what();
      EXPECT_THAT(error.what(), HasSubstr("not JSON-RPC 2.0"));
    }
  }
}

TEST(mcp_session_protocol, APeerThatHangsUpFailsEveryWaitingRequest) {
  ScriptedPeer peer;
  auto session = open(peer);
  auto one = std::async(std::launch::async, [&] { return session->request("x"); });
  auto two = std::async(std::launch::async, [&] { return session->request("y"); });
  peer.next();
  peer.next();
  peer.hang_up();
  for (auto* pending : {&one, &two}) {
    try {
      pending->get();
      ADD_FAILURE() << "a request survived the hang-up";
    } catch (const Error& error) {
      EXPECT_EQ(error.code(), ErrorCode::kUnavailable);
      EXPECT_THAT(error.what(), HasSubstr("hung up"));
    }
  }
}

TEST(mcp_session_protocol, NotificationsBeforeTheHandshakeAnswerAreHandled) {
  ScriptedPeer peer;
  auto opening = std::async(std::launch::async, [&] { return ClientSession::open(client(), peer.transport()); });
  const Json initialize = peer.next();
  // server-everything sends list_changed this early.
  peer.send(R"({"method":"notifications/tools/list_changed","jsonrpc":"2.0"})");
  peer.send(Json{{"jsonrpc", "2.0"}, {"id", initialize["id"]},
                 {"result", {{"protocolVersion", "2024-11-05"}, {"capabilities", Json::object()}}}}.dump());
  auto session = opening.get();
  EXPECT_EQ(session->protocol_version(), "2024-11-05");
  EXPECT_EQ(session->tools_generation(), 1u);
}

}  // namespace
}  // namespace aurite::mcp
