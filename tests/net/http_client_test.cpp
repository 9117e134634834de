// The HTTP client against real local servers: proxies and certificates are honoured as
// users expect of a command-line tool, and failures name the URL without its secrets.
#include "aurite/net/http_client.hpp"

#include <httplib.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <thread>

#include "aurite/common/error.hpp"
#include "support/subprocess.hpp"
#include "support/temp_dir.hpp"

namespace aurite::net {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// A server on 127.0.0.1 that answers every GET with where it was asked for.
class EchoServer {
 public:
  explicit EchoServer(std::unique_ptr<httplib::Server> server = std::make_unique<httplib::Server>())
      : server_(std::move(server)) {
    server_->Get("/stream", [this](const httplib::Request&, httplib::Response& response) {
      response.set_chunked_content_provider("text/event-stream", [this](size_t, httplib::DataSink& sink) {
        sink.write(": open\n\n", 8);
        while (!stopping_ && sink.is_writable()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
        return false;
      });
    });
    server_->Get(".*", [](const httplib::Request& request, httplib::Response& response) {
      // A proxy is asked for the absolute URL; an origin server for the path.
      response.set_content(request.target.empty() ? request.path : request.target, "text/plain");
    });
    server_->set_keep_alive_timeout(1);  // its stop() waits out idle kept-alive connections
    port_ = server_->bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    while (!server_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~EchoServer() {
    stopping_ = true;
    server_->stop();
    thread_.join();
  }
  int port() const { return port_; }

 private:
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  int port_ = 0;
};

HttpRequest get(const std::string& url) {
  HttpRequest request;
  request.url = url;
  request.connect_timeout = std::chrono::seconds(5);
  request.total_timeout = std::chrono::seconds(10);
  return request;
}

// Proxy variables of the machine must not steer these tests; each sets its own.
class HttpClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : {"http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY",
                             "no_proxy", "NO_PROXY", "SSL_CERT_FILE", "SSL_CERT_DIR"}) {
      ::unsetenv(name);
    }
  }
  void TearDown() override { SetUp(); }
  HttpClient client_;
};

TEST_F(HttpClientTest, DisplayUrlDropsCredentialsAndTheQuery) {
  EXPECT_EQ(display_url("https://user:pa55@example.com:8443/mcp?token=abc#frag"), "https://example.com:8443/mcp?...");
  EXPECT_EQ(display_url("http://127.0.0.1:9/mcp"), "http://127.0.0.1:9/mcp");
  EXPECT_EQ(display_url("http://example.com/a@b"), "http://example.com/a@b") << "an @ in the path is no userinfo";
}

TEST_F(HttpClientTest, HttpProxyInEitherSpellingIsUsedAndNoProxyBypassesIt) {
  EchoServer origin;
  EchoServer proxy;
  const std::string url = "http://127.0.0.1:" + std::to_string(origin.port()) + "/hello";
  EXPECT_EQ(client_.fetch(get(url), 1024).body, "/hello") << "no proxy set: straight to the origin";
  ::setenv("HTTP_PROXY", ("http://127.0.0.1:" + std::to_string(proxy.port())).c_str(), 1);
  EXPECT_EQ(client_.fetch(get(url), 1024).body, url) << "the proxy was asked for the absolute URL";
  ::setenv("NO_PROXY", "127.0.0.1", 1);
  EXPECT_EQ(client_.fetch(get(url), 1024).body, "/hello") << "NO_PROXY names the host";
}

TEST_F(HttpClientTest, ARefusedConnectionNamesTheUrlWithoutItsSecrets) {
  int port = 0;
  { port = EchoServer().port(); }
  try {
    client_.fetch(get("http://user:hunter2@127.0.0.1:" + std::to_string(port) + "/x?key=s3cret"), 1024);
    FAIL() << "a closed port answered";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kUnavailable);
    EXPECT_THAT(error.what(), HasSubstr("GET http://127.0.0.1:" + std::to_string(port) + "/x?..."));
    EXPECT_THAT(error.what(), Not(HasSubstr("hunter2")));
    EXPECT_THAT(error.what(), Not(HasSubstr("s3cret")));
  }
}

TEST_F(HttpClientTest, ACancelEndsAnOpenStreamAtOnce) {
  EchoServer server;
  Cancellation cancel;
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    cancel.cancel();
  });
  HttpRequest request = get("http://127.0.0.1:" + std::to_string(server.port()) + "/stream");
  request.total_timeout = std::chrono::milliseconds(0);
  const auto started = std::chrono::steady_clock::now();
  try {
    client_.perform(request, [](std::string_view) { return true; }, &cancel);
    ADD_FAILURE() << "the stream ended by itself";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kCancelled);
    EXPECT_THAT(error.what(), HasSubstr("cancelled"));
  }
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(900))
      << "the cancel waited for the next poll instead of waking the transfer";
  canceller.join();
}

TEST_F(HttpClientTest, CertificatesAreVerifiedAgainstTheCaFileOrSslCertFile) {
  testing::TempDir dir;
  const auto cert = dir / "cert.pem";
  const auto key = dir / "key.pem";
  const auto made = testing::run_process({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                                          "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                                          "-keyout", key.string(), "-out", cert.string()});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  EchoServer server(std::make_unique<httplib::SSLServer>(cert.c_str(), key.c_str()));
  const std::string url = "https://127.0.0.1:" + std::to_string(server.port()) + "/tls";
  try {
    client_.fetch(get(url), 1024);
    FAIL() << "a self-signed certificate was trusted";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kUnavailable);
    EXPECT_THAT(error.what(), HasSubstr(url));
  }
  HttpRequest trusted = get(url);
  trusted.ca_file = cert.string();
  EXPECT_EQ(client_.fetch(trusted, 1024).body, "/tls");
  ::setenv("SSL_CERT_FILE", cert.c_str(), 1);
  EXPECT_EQ(client_.fetch(get(url), 1024).body, "/tls");
}

}  // namespace
}  // namespace aurite::net
