// mcp/mcp_host — the MCP host: every configured client's session and one registry of
// the tools, prompts and resources they offer (DESIGN.md §5).
//
// Registry rules:
//  - A client's `exclude` hides components from everyone; an agent additionally sees
//    only the clients in its `client_ids`, minus its `exclude_components`.
//  - A client's `tool_prefix` goes before each of its tools' names (the server is called
//    with its own name); an agent with `prefix_tool_names` sees each as CLIENTID_NAME.
//    A prefixed name providers would refuse is Error(kInvalidConfig) naming client and tool.
//  - Tool names are unique in what each caller sees: every client's tools (after their
//    `exclude` and `tool_prefix`), or one agent's. A clash is Error(kInvalidConfig)
//    naming the tool and both client ids, from start() and from every listing or call
//    whose view holds it.
//  - A notifications/tools/list_changed makes the next lookup re-list that client.
//  - A tool whose `execution.taskSupport` is "required" can only be called as a task,
//    which this host does not do, and one whose x-mcp-header annotations are invalid
//    must not be called (SEP-2243): both are hidden (logged once per client and tool).
//  - An HTTP client is asked for the stateless revision first (server/discover) and
//    falls back to the handshake; connections() tells which one each server speaks.
//
// Faults: a server that cannot start, exits or breaks the protocol is restarted the
// next time it is used; call_tool() reports such failures, and timeouts, as a
// ToolResult with is_error and `failure` set, so an agent can show them to the model.
//
// Clients change at run time through update_clients(): a new client is usable at once, a
// changed one gets a fresh server on its next use, a removed one is gone. The server of
// a changed or removed client stops as soon as no call in flight uses it any more.
//
// Thread-safety: every member function may be called from any number of threads;
// calls to different clients, and to the same client, run concurrently.
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "aurite/common/cancellation.hpp"
#include "aurite/config/models.hpp"
#include "aurite/mcp/auth.hpp"
#include "aurite/mcp/elicitation.hpp"
#include "aurite/mcp/types.hpp"

namespace aurite::mcp {

class ClientSession;
class Transport;

// A client whose server could not be started or listed, and so offers no tools.
struct ClientFailure {
  std::string client_id;
  std::string error;      // why, as the start or listing failed (names the client)
  bool optional = false;  // the client's `optional`: a run may go on without it

  friend bool operator==(const ClientFailure&, const ClientFailure&) = default;
};

// A client with a live session: how it is connected and what the server said it is.
struct ClientConnection {
  std::string client_id;
  std::string transport;         // "stdio" or "http"
  std::string protocol_version;  // the revision the server speaks with us
  std::string server_name;       // serverInfo, empty when it gave none
  std::string server_version;
};

// Connects to the server a client describes (start_transport, or a test's own).
using TransportFactory = std::function<std::unique_ptr<Transport>(const config::ClientConfig& client)>;

class McpHost {
 public:
  // Nothing starts until start() or the first use of a client (a listing or a call).
  // Transports come from `connect`, by default start_transport with `base_dir`
  // (ProjectConfig::base_dir: relative server paths, ca_file, the servers' working directory).
  McpHost(std::vector<config::ClientConfig> clients, std::filesystem::path base_dir,
          std::string offered_version = std::string(kLatestProtocolVersion), TransportFactory connect = {});
  // Stops every server (see ChildProcess: EOF, SIGTERM, SIGKILL).
  ~McpHost();
  McpHost(const McpHost&) = delete;
  McpHost& operator=(const McpHost&) = delete;

  // Where url clients with `auth` keep and find their OAuth tokens (mcp/auth.hpp), and
  // whether a login may happen; call before the first use of a client. Unset: tokens
  // live in this host only and a needed login is an error naming `aurite mcp login`.
  // No effect with a `connect` of the caller's.
  void set_authorization(auth::AuthorizerOptions options);

  // Whether servers may ask for input during a call (elicitation/create, form and URL
  // mode): announced to them only when on, for a host whose calls can reach a person.
  // A request then goes to the `elicitor` of the call in flight on that client (the
  // newest); a call without one, or an answer that does not come within the client's
  // timeout, declines. Call before the first use of a client. Off by default.
  void answer_elicitations(bool enabled);

  // Starts every client at once and lists their tools. Throws the first failure in
  // configuration order (kUnavailable, kTimeout, kProtocol naming the client), or
  // kInvalidConfig for a tool name clash.
  void start();
  // Stops every server; the host may be started again with start(). Idempotent.
  void shutdown();

  // Makes `clients` the host's clients, in that order. A client whose configuration is
  // unchanged keeps its running server; a new or changed one starts on its next use; the
  // server of a changed or removed one is stopped once the calls using it have returned
  // (here, when none does). Clients are not validated here (HostManager did that).
  void update_clients(std::vector<config::ClientConfig> clients);

  std::vector<std::string> client_ids() const;
  // The configuration of one client as the host has it now; nullopt when it has none.
  std::optional<config::ClientConfig> client_config(const std::string& client_id) const;
  // The clients whose session is live now, in client order (starts nothing).
  std::vector<ClientConnection> connections();

  // Tools of every client (minus each client's exclude), in client then server order.
  std::vector<ToolInfo> tools();
  // What `agent` sees. Clients it names that this host does not have are skipped.
  std::vector<ToolInfo> tools_for(const config::AgentConfig& agent);
  // The clients (of `agent`, or all when null) that offer no tools because their server
  // could not be started or listed the last time it was tried, in client order. A
  // listing tries such a client again, so a server that comes back is used.
  std::vector<ClientFailure> failed_clients(const config::AgentConfig* agent = nullptr);
  std::optional<ToolInfo> find_tool(const std::string& name);
  // The same, listing only the clients of `agent` (all when null): no other server starts.
  std::optional<ToolInfo> find_tool(const std::string& name, const config::AgentConfig* agent);

  // Calls a visible tool. Throws Error(kNotFound) when no client offers `name` (or it
  // is hidden from `agent`, when given); every other failure is in the result. The call
  // always asks for progress: each report restarts its timeout (the client's `timeout`),
  // its max_total_timeout bounds it, and `on_progress`, when set, sees each report on
  // the calling thread. `elicitor` answers the server's elicitations during the call (see
  // answer_elicitations), on another thread; the wait for the call's answer pauses while
  // it does. Cancelling `cancel` abandons the call (the server is sent
  // notifications/cancelled) and the result is an error saying so.
  ToolResult call_tool(const std::string& name, const Json& arguments,
                       const config::AgentConfig* agent = nullptr, const ProgressCallback& on_progress = {},
                       const Elicitor& elicitor = {}, Cancellation* cancel = nullptr);

  // Prompts and resources, filtered like tools (by prompt name, by resource name or
  // uri). Listing a client that cannot be reached throws its error.
  std::vector<PromptInfo> prompts(const config::AgentConfig* agent = nullptr);
  std::vector<ResourceInfo> resources(const config::AgentConfig* agent = nullptr);
  // prompts/get: the server's result ({description?, messages}). Throws kNotFound for
  // an unknown prompt (naming the closest known one), the server's error otherwise.
  Json get_prompt(const std::string& name, const Json& arguments);
  // resources/read: the server's result ({contents}). Throws kNotFound for a uri no
  // listed resource has (naming the closest), the server's error otherwise.
  Json read_resource(const std::string& uri);

 private:
  struct Slot;

  // A copy of the slot list, so a concurrent update_clients() never invalidates a loop.
  std::vector<std::shared_ptr<Slot>> slots() const;
  // Throws Error(kNotFound) for a client the host does not have (any more).
  std::shared_ptr<Slot> slot(const std::string& client_id) const;
  bool slot_exists(const std::string& client_id) const;
  // The slot's session, (re)started when there is none or it died.
  std::shared_ptr<ClientSession> session(Slot& slot);
  // The slot's session if it is alive, else null; never starts one.
  std::shared_ptr<ClientSession> live_session(Slot& slot);
  // Re-lists tools of clients whose session or list changed; checks clashes. `strict`
  // (start-up) starts every client and throws when one cannot be reached; otherwise a
  // client whose server is down keeps its last list, so one broken server neither
  // hides nor slows down the other clients' tools (calling its tools restarts it, or
  // reports why it cannot).
  // With `agent`, only the clients it uses are listed (and started on first use).
  void refresh_tools(bool strict, const config::AgentConfig* agent = nullptr);
  static bool visible(const Slot& slot, const std::string& name, const config::AgentConfig* agent);
  // The listed tools `agent` sees (every client's when null), named as it sees them.
  // Throws Error(kInvalidConfig) for a clash in it, or a name providers would refuse.
  std::vector<ToolInfo> view(const config::AgentConfig* agent);

  struct Authorization;
  const std::shared_ptr<Authorization> authorization_;
  const TransportFactory connect_;
  const std::string offered_version_;
  std::atomic<bool> answer_elicitations_{false};
  mutable std::mutex slots_mutex_;  // guards slots_ (the list, not the slots)
  std::vector<std::shared_ptr<Slot>> slots_;
  std::mutex registry_mutex_;  // serialises refresh_tools()
};

}  // namespace aurite::mcp
