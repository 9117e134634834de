#include "support/postgres_server.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <random>
#include <stdexcept>
#include <thread>

#include "support/subprocess.hpp"
#include "support/unprivileged_user.hpp"

namespace aurite::testing {
namespace {

constexpr const char* kBinDir = "/usr/lib/postgresql/15/bin";

std::string bin(const char* name) { return std::string(kBinDir) + "/" + name; }

std::uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket() failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot find a free port");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

std::string random_password() {
  // Characters that need percent-encoding in a URL are left out on purpose: the URL is
  // built by plain concatenation here.
  static const char kAlphabet[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  std::random_device seed;
  std::mt19937 gen(seed());
  std::uniform_int_distribution<std::size_t> pick(0, sizeof kAlphabet - 2);
  std::string out = "pw";
  for (int i = 0; i < 20; ++i) out += kAlphabet[pick(gen)];
  return out;
}

struct ConnDeleter {
  void operator()(PGconn* c) const noexcept { PQfinish(c); }
};
struct ResultDeleter {
  void operator()(PGresult* r) const noexcept { PQclear(r); }
};
using Conn = std::unique_ptr<PGconn, ConnDeleter>;
using Result = std::unique_ptr<PGresult, ResultDeleter>;

Conn admin_connection(const std::string& url) {
  Conn conn(PQconnectdb(url.c_str()));
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    throw std::runtime_error(std::string("test admin connection failed: ") + PQerrorMessage(conn.get()));
  }
  return conn;
}

Result admin_exec(PGconn* conn, const char* sql, std::initializer_list<const char*> params = {}) {
  std::vector<const char*> values(params);
  Result result(PQexecParams(conn, sql, static_cast<int>(values.size()), nullptr, values.data(), nullptr,
                             nullptr, 0));
  const auto status = PQresultStatus(result.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    throw std::runtime_error(std::string("test admin statement failed: ") + PQresultErrorMessage(result.get()));
  }
  return result;
}

class SharedServerEnvironment : public ::testing::Environment {
 public:
  static std::unique_ptr<PostgresServer>& server() {
    static std::unique_ptr<PostgresServer> instance;
    return instance;
  }
  void TearDown() override { server().reset(); }
};

// Registered at load time so the shared server is stopped when the test program ends.
[[maybe_unused]] ::testing::Environment* const kEnvironment =
    ::testing::AddGlobalTestEnvironment(new SharedServerEnvironment);

}  // namespace

PostgresServer::PostgresServer() : password_(random_password()) {
  if (running_as_root()) {
    ensure_unprivileged_user();
    std::filesystem::permissions(dir_.path(), std::filesystem::perms::owner_all);
    give_to_unprivileged_user(dir_.path());
  }
  const auto pwfile = dir_.write("pwfile", password_ + "\n");
  if (running_as_root()) give_to_unprivileged_user(pwfile);
  run_as_server_user({bin("initdb"), "-D", (dir_ / "data").string(), "-U", kUser, "--pwfile=" + pwfile.string(),
                      "--auth-local=trust", "--auth-host=scram-sha-256", "--no-sync", "-E", "UTF8",
                      "--locale=C.UTF-8", "--no-instructions"});
  std::filesystem::remove(pwfile);
  // The port is free when picked but another program may take it before the server
  // binds it; a few tries make that race harmless.
  for (int attempt = 1;; ++attempt) {
    port_ = free_port();
    try {
      start();
      return;
    } catch (const std::runtime_error&) {
      if (attempt == 3) throw;
    }
  }
}

PostgresServer::~PostgresServer() {
  try {
    if (running_) stop();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "stopping the test PostgreSQL server failed: %s\n", e.what());
  }
}

PostgresServer& PostgresServer::shared() {
  auto& server = SharedServerEnvironment::server();
  if (!server) server = std::make_unique<PostgresServer>();
  return *server;
}

std::string PostgresServer::run_as_server_user(const std::vector<std::string>& argv) {
  const std::vector<std::string> full = as_unprivileged_user(argv);
  ProcessOptions options;
  options.timeout = std::chrono::seconds(60);
  options.working_dir = dir_.path().string();  // the server user may not read root's cwd
  const auto result = run_process(full, options);
  if (result.exit_code != 0) {
    std::string log;
    if (std::filesystem::exists(dir_ / "server.log")) log = read_text(dir_ / "server.log");
    throw std::runtime_error(argv.at(0) + " failed (" + std::to_string(result.exit_code) + "): " + result.out +
                             result.err + "\nserver log:\n" + log);
  }
  return result.out;
}

void PostgresServer::start() {
  // fsync off: the tests check what reaches the server, not what survives power loss.
  const std::string options = "-h 127.0.0.1 -p " + std::to_string(port_) +
                              " -c unix_socket_directories='' -c fsync=off -c max_connections=60"
                              " -c shared_buffers=16MB";
  run_as_server_user({bin("pg_ctl"), "-D", (dir_ / "data").string(), "-l", (dir_ / "server.log").string(), "-w",
                      "-t", "60", "-o", options, "start"});
  running_ = true;
}

void PostgresServer::stop() {
  running_ = false;
  run_as_server_user({bin("pg_ctl"), "-D", (dir_ / "data").string(), "-w", "-t", "60", "-m", "fast", "stop"});
}

std::string PostgresServer::url(const std::string& database) const {
  return std::string("postgresql://") + kUser + ":" + password_ + "@127.0.0.1:" + std::to_string(port_) + "/" +
         database;
}

std::string PostgresServer::create_database() {
  const std::string name = "t" + std::to_string(::getpid()) + "_" + std::to_string(++next_database_);
  auto conn = admin_connection(url("postgres"));
  // CREATE DATABASE takes no parameters; the name is ours and plain [a-z0-9_].
  const std::string sql = "CREATE DATABASE " + name;
  admin_exec(conn.get(), sql.c_str());
  return name;
}

int PostgresServer::count_connections(const std::string& database, const std::string& application) {
  auto conn = admin_connection(url("postgres"));
  auto result = admin_exec(conn.get(),
                           "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = $1 AND application_name = $2",
                           {database.c_str(), application.c_str()});
  return std::stoi(PQgetvalue(result.get(), 0, 0));
}

}  // namespace aurite::testing
