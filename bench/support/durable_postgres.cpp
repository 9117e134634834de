#include "support/durable_postgres.hpp"

#include <arpa/inet.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <stdexcept>

#include "support/subprocess.hpp"

namespace aurite::bench {
namespace {

constexpr const char* kBinDir = "/usr/lib/postgresql/15/bin";
constexpr const char* kServerUser = "aurite-test";

std::string bin(const char* name) { return std::string(kBinDir) + "/" + name; }

std::uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    if (fd >= 0) ::close(fd);
    throw std::runtime_error("cannot find a free port");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

void give_to_server_user(const std::filesystem::path& path) {
  const passwd* user = ::getpwnam(kServerUser);
  if (user == nullptr || ::chown(path.c_str(), user->pw_uid, user->pw_gid) != 0) {
    throw std::runtime_error("cannot give " + path.string() + " to " + kServerUser +
                             " (run the storage tests once to create the user)");
  }
}

}  // namespace

std::string DurablePostgres::run(const std::vector<std::string>& argv) {
  std::vector<std::string> full;
  if (::geteuid() == 0) full = {"/usr/sbin/runuser", "-u", kServerUser, "--"};
  full.insert(full.end(), argv.begin(), argv.end());
  testing::ProcessOptions options;
  options.timeout = std::chrono::seconds(120);
  options.working_dir = dir_.path().string();
  const auto result = testing::run_process(full, options);
  if (result.exit_code != 0) {
    throw std::runtime_error(argv.at(0) + " failed: " + result.out + result.err);
  }
  return result.out;
}

DurablePostgres::DurablePostgres() {
  if (::geteuid() == 0) {
    std::filesystem::permissions(dir_.path(), std::filesystem::perms::owner_all);
    give_to_server_user(dir_.path());
  }
  run({bin("initdb"), "-D", (dir_ / "data").string(), "-U", "postgres", "--auth=trust", "-E", "UTF8",
       "--locale=C.UTF-8", "--no-instructions"});
  port_ = free_port();
  // Production-like durability: fsync and synchronous_commit stay on (the defaults).
  const std::string options = "-h 127.0.0.1 -p " + std::to_string(port_) +
                              " -c unix_socket_directories='' -c max_connections=60 -c shared_buffers=128MB";
  run({bin("pg_ctl"), "-D", (dir_ / "data").string(), "-l", (dir_ / "server.log").string(), "-w", "-t", "60", "-o",
       options, "start"});
}

DurablePostgres::~DurablePostgres() {
  try {
    run({bin("pg_ctl"), "-D", (dir_ / "data").string(), "-w", "-t", "60", "-m", "fast", "stop"});
  } catch (const std::exception& e) {
    std::fprintf(stderr, "stopping the benchmark PostgreSQL server failed: %s\n", e.what());
  }
}

std::string DurablePostgres::url(const std::string& database) const {
  return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/" + database;
}

void DurablePostgres::create_database(const std::string& name) {
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn(PQconnectdb(url("postgres").c_str()), &PQfinish);
  if (PQstatus(conn.get()) != CONNECTION_OK) throw std::runtime_error(PQerrorMessage(conn.get()));
  // CREATE DATABASE takes no parameters; the name is the benchmark's own constant.
  const std::string sql = "CREATE DATABASE " + name;
  std::unique_ptr<PGresult, decltype(&PQclear)> result(PQexec(conn.get(), sql.c_str()), &PQclear);
  if (PQresultStatus(result.get()) != PGRES_COMMAND_OK) throw std::runtime_error(PQerrorMessage(conn.get()));
}

}  // namespace aurite::bench
