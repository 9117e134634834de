// mcp/client_session — one live conversation with one MCP server.
//
// A session owns its Transport and a reader thread that matches responses to the
// requests waiting for them (by id), answers the server's own requests (ping,
// roots/list; anything else gets JSON-RPC error -32601), hands progress reports to the
// requests they are about and logs the server's log messages at their own level
// (notifications/message: debug is our debug, warning our warn, alert our critical...).
// Errors saying the server exited or failed to start end with the last lines of its
// stderr (Transport::diagnostics()).
// Once the server exits, closes its output or breaks the protocol, the session is dead
// for good: every waiting and later request fails with an error naming the client; the
// owner (McpHost) starts a new session on next use.
//
// Thread-safety: every member function may be called from any number of threads.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "aurite/common/cancellation.hpp"
#include "aurite/config/models.hpp"
#include "aurite/mcp/transport.hpp"
#include "aurite/mcp/types.hpp"

namespace aurite::mcp {

// The server's own requests beyond ping and roots/list (elicitation/create,
// sampling/createMessage), for a caller that can answer them. `handler` returns the
// result, or nullopt for "not supported" (JSON-RPC -32601); a throw is an error answer.
// It runs on the session's reader thread, so it must not wait on this session. While it
// runs, the session's requests do not time out for want of an answer (a person may be
// answering an elicitation); their wait starts again once it has answered.
// `capabilities` are declared at initialize for what it answers ({"elicitation": {}}).
struct ServerRequestHandler {
  Json capabilities = Json::object();
  std::function<std::optional<Json>(const std::string& method, const Json& params)> handler;
};

class ClientSession {
 public:
  // Takes over `transport` (already connected to the server) and performs the
  // handshake. Offering kStatelessProtocolVersion asks server/discover first and uses
  // the stateless revision when the server has it (every request then carries _meta,
  // and "input_required" answers are answered and asked again); a server that does not
  // understand it gets the handshake of the latest revision. Otherwise:
  // initialize offering `offered_version` -> check the answered version ->
  // notifications/initialized -> logging/setLevel with the client's log_level, when it
  // has one and the server declared the logging capability (a refusal is logged, not
  // fatal). Throws Error naming the client and ending with the server's last stderr
  // lines: kTimeout (no answer within the client's timeout), kProtocol (unsupported
  // version, malformed answer), kUnavailable (the server exited). The transport is
  // closed when it throws.
  static std::unique_ptr<ClientSession> open(const config::ClientConfig& client,
                                             std::unique_ptr<Transport> transport,
                                             std::string_view offered_version = kLatestProtocolVersion,
                                             ServerRequestHandler server_requests = {});

  // Closes the transport (stopping the server) and joins the reader thread.
  ~ClientSession();
  ClientSession(const ClientSession&) = delete;
  ClientSession& operator=(const ClientSession&) = delete;

  const std::string& client_id() const { return client_.client_id; }
  const config::ClientConfig& config() const { return client_; }
  const std::string& protocol_version() const { return protocol_version_; }
  std::string_view transport_name() const { return transport_->name(); }
  const Json& server_info() const { return server_info_; }
  const Json& server_capabilities() const { return server_capabilities_; }
  // False once the server is gone or broke the protocol; such a session stays dead.
  bool alive() const;
  // Bumped by each notifications/tools/list_changed: the tool list is stale when it moves.
  std::uint64_t tools_generation() const { return tools_generation_.load(); }

  // Sends a request and waits for its result, at most `timeout` (default: the
  // client's timeout). On expiry sends notifications/cancelled, forgets the request
  // (a late answer is ignored) and throws Error(kTimeout). A JSON-RPC error answer
  // throws: -32602 as kInvalidArgument, -32601 as kNotFound, others kUnavailable;
  // a dead session throws the error that killed it.
  Json request(const std::string& method, Json params = Json::object(),
               std::optional<std::chrono::milliseconds> timeout = std::nullopt);

  // How request() waits when it may hear progress.
  struct RequestOptions {
    // For the answer, started again by each progress report [the client's timeout].
    std::optional<std::chrono::milliseconds> timeout;
    // For the whole request, progress or not [the client's max_total_timeout]; only
    // applies with on_progress.
    std::optional<std::chrono::milliseconds> max_total;
    // Set: the request carries a progressToken (params._meta) and each report whose
    // progress grows is passed here, on the calling thread, before the answer returns.
    ProgressCallback on_progress;
    // Set: cancelling it gives up on the request at once, sending notifications/cancelled,
    // and throws Error(kCancelled).
    Cancellation* cancel = nullptr;
  };
  // As request() above; expiry of either deadline cancels the request and throws
  // Error(kTimeout) naming which.
  Json request(const std::string& method, Json params, const RequestOptions& options);
  void notify(const std::string& method, Json params = Json::object());

  // Every item of a paginated list (tools/list, prompts/list, resources/list),
  // following nextCursor. `key` is the array in each page ("tools", ...).
  std::vector<Json> list_all(const std::string& method, const std::string& key);

  // Stops the server; waiting requests fail with kUnavailable. Idempotent.
  void close();

 private:
  struct Pending {
    std::condition_variable done_cv;
    std::optional<Json> response;  // the whole response message
    std::optional<Error> error;    // set instead when the session died
    bool wants_progress = false;
    std::vector<Progress> progress;        // reports not yet handed to the caller
    std::optional<double> last_progress;   // reports must grow; others are dropped
  };

  ClientSession(config::ClientConfig client, std::unique_ptr<Transport> transport, ServerRequestHandler server_requests);
  void handshake(std::string_view offered_version);
  // server/discover (the stateless revision): true when the server speaks it; false
  // when it is a server of the handshake revisions, which initialize then.
  bool discover();
  // Sends a request and waits for the whole response message (result or error).
  Json call(const std::string& method, Json params, const RequestOptions& options);
  Json result_of(const std::string& method, Json response) const;
  // What every stateless request carries in _meta.
  Json request_meta() const;
  Json client_capabilities() const;
  // The answer to the server's request (ping, roots/list, the handler's); nullopt when
  // this client does not answer `method`.
  std::optional<Json> answer_for(const std::string& method, const Json& params) const;
  void read_loop();
  void dispatch(Json message);
  void answer_server_request(const Json& message);
  void record_progress(const Json& params);
  void set_server_log_level();
  // Waits for `pending` (request `id`) to be answered and returns the whole response
  // message; see RequestOptions.
  Json await(std::int64_t id, const std::string& method, Pending& pending, const RequestOptions& options);
  // `error` with the server's last stderr lines appended (once).
  Error with_diagnostics(const Error& error) const;
  void die(const Error& error);
  // A request the transport could not deliver or read the answer of fails alone.
  void fail_request(std::int64_t id, const Error& error);
  std::chrono::milliseconds default_timeout() const;
  // For the handshake: registration_timeout, else the timeout.
  std::chrono::milliseconds handshake_timeout() const;
  std::chrono::milliseconds default_max_total() const;

  const config::ClientConfig client_;
  std::unique_ptr<Transport> transport_;
  const ServerRequestHandler server_requests_;
  std::string protocol_version_;
  bool stateless_ = false;  // set by the handshake only
  Json server_info_ = Json::object();
  Json server_capabilities_ = Json::object();

  mutable std::mutex mutex_;  // guards pending_, dead_, answering_, answered_
  std::map<std::int64_t, std::shared_ptr<Pending>> pending_;
  int answering_ = 0;           // the server's requests being answered now
  std::uint64_t answered_ = 0;  // the server's requests answered so far
  std::optional<Error> dead_;
  std::condition_variable dead_cv_;  // signalled when dead_ is set
  std::atomic<std::int64_t> next_id_{1};
  std::atomic<std::uint64_t> tools_generation_{0};
  std::atomic<bool> closing_{false};  // close() began: the end of input is ours, not a fault
  std::once_flag close_once_;
  std::thread reader_;
};

}  // namespace aurite::mcp
