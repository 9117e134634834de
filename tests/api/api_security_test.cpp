// Attacks on `aurite serve` over raw sockets, so every byte is ours: ways around the API
// key (header spelling, methods, path tricks, the query string), oversized requests, and
// slow clients (slowloris) that must not hold the workers beyond the read timeout.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "api/serve_process.hpp"

namespace aurite::testing {
namespace {

using Clock = std::chrono::steady_clock;

// One TCP connection to the server under test; closed by the destructor.
class Connection {
 public:
  explicit Connection(int port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    if (fd_ < 0) throw std::runtime_error("socket failed");
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      ::close(fd_);
      throw std::runtime_error("connect failed");
    }
  }
  ~Connection() { ::close(fd_); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Whether all of `bytes` went out (false once the server closed the connection).
  bool send(const std::string& bytes) {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
      const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<std::size_t>(n);
    }
    return true;
  }

  // Everything the server sends until it closes the connection, a response with
  // Content-Length is complete, or `timeout` passes.
  std::string receive(std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    std::string data;
    const auto deadline = Clock::now() + timeout;
    while (!complete(data)) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      pollfd entry{fd_, POLLIN, 0};
      if (left.count() <= 0 || ::poll(&entry, 1, static_cast<int>(left.count())) <= 0) break;
      char buffer[4096];
      const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n <= 0) {
        closed_ = true;
        break;
      }
      data.append(buffer, static_cast<std::size_t>(n));
    }
    return data;
  }

  // Whether the server closed the connection within `timeout` (reading what it sends).
  bool closed_by_server_within(std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (!closed_ && Clock::now() < deadline) {
      receive(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
    }
    return closed_;
  }

 private:
  static bool complete(const std::string& data) {
    const auto head_end = data.find("\r\n\r\n");
    if (head_end == std::string::npos) return false;
    const auto length_at = data.find("Content-Length: ");
    if (length_at == std::string::npos || length_at > head_end) return false;
    const auto length = std::stoul(data.substr(length_at + 16));
    return data.size() >= head_end + 4 + length;
  }

  int fd_;
  bool closed_ = false;
};

// The status code of a raw response, 0 when there is none.
int status_of(const std::string& response) {
  if (response.rfind("HTTP/1.1 ", 0) != 0) return 0;
  return std::stoi(response.substr(9, 3));
}

class ApiSecurity : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new ServeProcess(demo_env(), demo_project(), {"--workers", "2", "--read-timeout", "2"}); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static ServeProcess& server() { return *server_; }

  // Sends one request (request line, headers, then the blank line) and returns the response.
  static std::string request(const std::string& line, const std::vector<std::string>& headers = {}) {
    Connection connection(server().port());
    std::string text = line + "\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
    for (const auto& header : headers) text += header + "\r\n";
    connection.send(text + "\r\n");
    return connection.receive();
  }

  static void expect_health_answers() {
    const auto health = server().client(false)->Get("/health");
    ASSERT_TRUE(health) << "the server no longer answers";
    EXPECT_EQ(health->status, 200);
  }

  static ServeProcess* server_;
};

ServeProcess* ApiSecurity::server_ = nullptr;

// Text only the configs routes return (an agent of the demo project).
constexpr const char* kConfigData = "Weather Agent";

TEST_F(ApiSecurity, WrongMissingOrMisplacedKeysAre401WithoutData) {
  const std::string key = kApiKey;
  const std::vector<std::vector<std::string>> attempts = {
      {},
      {"X-API-Key: "},
      {"X-API-Key: " + key.substr(0, key.size() - 1)},  // a prefix
      {"X-API-Key: " + key + "0"},
      {"X-API-Key: " + key + " x"},                      // more after whitespace
      {"x-api-key: wrong"},                               // lowercase name, wrong key
      {"X-API-Key: wrong", "X-API-Key: " + key},          // the first of two counts
      {"X-API-Key: wrong", "X-API-Key: wrong"},
      {"Authorization: Bearer " + key},                   // only X-API-Key carries it
      {"X-Api-Key-Extra: " + key},
  };
  for (const auto& headers : attempts) {
    const std::string response = request("GET /configs/agents HTTP/1.1", headers);
    EXPECT_EQ(status_of(response), 401) << (headers.empty() ? "(no key)" : headers.front()) << "\n" << response;
    EXPECT_EQ(response.find(kConfigData), std::string::npos) << response;
  }
  for (const std::string query : {"?api_key=", "?X-API-Key=", "?key="}) {
    const std::string response = request("GET /configs/agents" + query + key + " HTTP/1.1");
    EXPECT_EQ(status_of(response), 401) << query << "\n" << response;
    EXPECT_EQ(response.find(kConfigData), std::string::npos) << response;
  }
}

TEST_F(ApiSecurity, HeaderNameCaseAndSurroundingWhitespaceFollowHttp) {
  // Header names are case-insensitive and a field value excludes the whitespace around it
  // (RFC 9110 §5.1, §5.5): these carry the key itself.
  for (const std::string header : {"x-api-key: ", "X-API-KEY:   "}) {
    const std::string response = request("GET /configs/agents HTTP/1.1", {header + kApiKey + "  "});
    EXPECT_EQ(status_of(response), 200) << header << "\n" << response;
  }
}

TEST_F(ApiSecurity, OtherMethodsAndPathTricksNeedTheKeyToo) {
  for (const std::string line : {"HEAD /configs/agents HTTP/1.1", "OPTIONS /configs/agents HTTP/1.1",
                                 "OPTIONS * HTTP/1.1", "POST /health HTTP/1.1", "DELETE /configs/agents/Weather%20Agent HTTP/1.1",
                                 "GET //configs/agents HTTP/1.1", "GET /health/../configs/agents HTTP/1.1",
                                 "GET /health%2F..%2Fconfigs%2Fagents HTTP/1.1", "GET /./configs/agents HTTP/1.1",
                                 "GET /Health HTTP/1.1", "GET /health/ HTTP/1.1", "GET /configs%2Fagents HTTP/1.1",
                                 "GET /CONFIGS/AGENTS HTTP/1.1", "GET http://127.0.0.1/configs/agents HTTP/1.1"}) {
    const std::string response = request(line, {"Content-Length: 0"});
    const int status = status_of(response);
    EXPECT_TRUE(status == 401 || status == 400 || status == 404) << line << "\n" << response;
    EXPECT_EQ(response.find(kConfigData), std::string::npos) << line << "\n" << response;
  }
  // The deletion above was refused: the agent is still there.
  const auto agent = server().get("/configs/agents/Weather%20Agent");
  ASSERT_TRUE(agent);
  EXPECT_EQ(agent->status, 200);
  // /health itself stays open.
  EXPECT_EQ(status_of(request("GET /health HTTP/1.1")), 200);
}

TEST_F(ApiSecurity, OversizedRequestsAreRefusedAndTheServerLives) {
  const std::string key = std::string("X-API-Key: ") + kApiKey;
  // A body over the limit is refused from its Content-Length, before it is read.
  EXPECT_EQ(status_of(request("POST /configs/agents HTTP/1.1", {key, "Content-Type: application/json",
                                                                  "Content-Length: 2000000000"})),
            413);
  // A chunked body has no length to check: refused outright.
  EXPECT_EQ(status_of(request("POST /configs/agents HTTP/1.1", {key, "Transfer-Encoding: chunked"})), 411);

  const std::string long_uri = request("GET /configs/agents/" + std::string(20000, 'a') + " HTTP/1.1", {key});
  EXPECT_TRUE(status_of(long_uri) == 414 || long_uri.empty()) << long_uri.substr(0, 200);
  const std::string long_header = request("GET /configs/agents HTTP/1.1", {key, "X-Filler: " + std::string(20000, 'b')});
  EXPECT_TRUE(status_of(long_header) == 400 || status_of(long_header) == 431 || long_header.empty()) << long_header.substr(0, 200);
  expect_health_answers();

  // Many headers, each under the line limit, past the request head budget (64 KiB): the
  // server stops reading and closes the connection rather than keep them all.
  Connection flood(server().port());
  flood.send("GET /configs/agents HTTP/1.1\r\nHost: x\r\n" + key + "\r\n");
  const std::string filler = "X-Filler: " + std::string(1000, 'c') + "\r\n";
  bool sending = true;
  for (int i = 0; i < 1000 && sending; ++i) sending = flood.send(filler);
  if (sending) flood.send("\r\n");
  const std::string flooded = flood.receive();
  EXPECT_NE(status_of(flooded), 200) << flooded.substr(0, 200);
  EXPECT_EQ(flooded.find(kConfigData), std::string::npos);
  expect_health_answers();
}

TEST_F(ApiSecurity, AWorkflowPostedWithALibraryOutsideTheProjectIsNeverLoaded) {
  // A real, loadable workflow library, but outside the project folder (examples/demo).
  const std::string outside = std::string(AURITE_BINARY_DIR) + "/plugins/libaurite_example_workflow.so";
  for (const std::string& module_path : {outside, std::string("../../../../tmp/evil.so")}) {
    const nlohmann::json workflow = {
        {"name", "Posted Workflow"}, {"module_path", module_path}, {"class_name", "ExampleCustomWorkflow"}};
    const auto created = server().post("/configs/custom_workflows", workflow);
    ASSERT_TRUE(created);
    ASSERT_EQ(created->status, 201) << created->body;
    const auto run = server().post("/runs", {{"name", "Posted Workflow"}, {"message", "Quito"}});
    const auto error = expect_error(run, 422, "invalid_config");
    EXPECT_NE(error.value("message", "").find("module_path '" + module_path + "' leaves the project folder"),
              std::string::npos)
        << error;
    EXPECT_EQ(server().del("/configs/custom_workflows/" + segment("Posted Workflow"))->status, 204);
  }
  // The demo's own workflow, inside the project and found through AURITE_PLUGIN_PATH, runs.
  const auto allowed = server().post("/runs", {{"name", "Example Custom Workflow"}, {"message", "Quito"}});
  ASSERT_TRUE(allowed);
  EXPECT_EQ(allowed->status, 200) << allowed->body;
}

// A client that sends its request a byte at a time, each just inside the read timeout.
class SlowSender {
 public:
  explicit SlowSender(int port) : connection_(port) {
    thread_ = std::thread([this] {
      const std::string text = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + std::string(4096, 's');
      for (const char c : text) {
        if (stop_ || !connection_.send(std::string(1, c))) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
      }
    });
  }
  ~SlowSender() {
    stop_ = true;
    thread_.join();
  }
  Connection& connection() { return connection_; }

 private:
  Connection connection_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

TEST_F(ApiSecurity, SlowAndSilentClientsDoNotHoldTheWorkersPastTheReadTimeout) {
  // --workers 2 --read-timeout 2: three clients dribble their headers and three connect
  // and never send; each would hold a worker for ever if the timeout applied per read.
  std::vector<std::unique_ptr<SlowSender>> slow;
  std::vector<std::unique_ptr<Connection>> silent;
  for (int i = 0; i < 3; ++i) {
    slow.push_back(std::make_unique<SlowSender>(server().port()));
    silent.push_back(std::make_unique<Connection>(server().port()));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // let them take the workers

  auto client = server().client(false);
  client->set_read_timeout(std::chrono::seconds(60));
  const auto started = Clock::now();
  const auto health = client->Get("/health");
  const auto waited = Clock::now() - started;
  ASSERT_TRUE(health) << httplib::to_string(health.error());
  EXPECT_EQ(health->status, 200);
  // Each blocker is cut off after at most the 2 s read or keep-alive timeout; without the
  // bound the request above would wait as long as the slow clients keep sending (~35 min).
  EXPECT_LT(waited, std::chrono::seconds(15)) << std::chrono::duration_cast<std::chrono::milliseconds>(waited).count() << " ms";
  for (auto& sender : slow) EXPECT_TRUE(sender->connection().closed_by_server_within(std::chrono::seconds(15)));
  for (auto& connection : silent) EXPECT_TRUE(connection->closed_by_server_within(std::chrono::seconds(15)));
}

}  // namespace
}  // namespace aurite::testing
