// mcp/server — a small library for writing MCP servers: register tools, prompts,
// resources and completions, then serve them over stdio (run_stdio) or Streamable HTTP
// (McpHttpServer in aurite/mcp/http_server.hpp, or serve_stdio_or_http for a program's
// main). Our example servers and the test servers are built on it.
//
// One McpServer may serve several clients at once (HTTP sessions); what a client set
// (log level, subscriptions, capabilities) is kept per client. Handlers of tools/call,
// prompts/get and resources/read run on worker threads, one per request, because they
// may wait for the client; the others run on the transport's threads. Handlers must
// therefore be safe to call concurrently. A handler that throws produces a tool result
// with isError (tools) or a JSON-RPC error (everything else):
// aurite::Error(kInvalidArgument) becomes -32602, kNotFound -32002 for a resource
// (-32602 with data.uri in the stateless revision), anything else -32603.
#pragma once

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <iosfwd>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "aurite/mcp/types.hpp"

namespace aurite::mcp {

namespace detail {
class Outbox;
class ServerSession;
struct Call;
}  // namespace detail

struct ServerTool {
  std::string name;
  std::string description;
  Json input_schema = {{"type", "object"}};
  std::function<ToolResult(const Json& arguments)> handler;
  // Listed as the tool's `execution` when an object ({"taskSupport": ...}). A tool with
  // taskSupport "required" answers a tools/call that is not a task with -32601, as the
  // 2025-11-25 revision says; this library runs no tasks itself.
  Json execution = Json();
  // Listed as the tool's `annotations` when an object ({"readOnlyHint": true, ...}).
  Json annotations = Json();
};

struct ServerPrompt {
  std::string name;
  std::string description;
  Json arguments = Json::array();  // [{name, description?, required?}]
  // Returns the prompts/get result's `messages` array; its content blocks (text, image,
  // audio, resource) are passed through as given.
  std::function<Json(const Json& arguments)> handler;
};

struct ServerResource {
  std::string uri;
  std::string name;
  std::string description;
  std::string mime_type = "text/plain";
};

// A resources/templates/list entry: `uri_template` is an RFC 6570 template. Reading a
// URI made from it goes to the same reader as every other resource.
struct ServerResourceTemplate {
  std::string uri_template;
  std::string name;
  std::string description;
  std::string mime_type = "text/plain";
};

// What resources/read answers for one URI: text, or binary data as base64 in `blob`.
struct ResourceContent {
  std::string mime_type = "text/plain";
  std::string text;
  std::optional<std::string> blob;  // base64; when set, `text` is not sent
};

// A tool result holding one text block.
ToolResult text_result(std::string text, bool is_error = false);

// Thrown by a tools/call, prompts/get or resources/read handler that cannot finish
// without the client (multi round-trip requests, SEP-2322). In the stateless revision
// the request is answered with an InputRequiredResult, and the client retries it with
// the answers, which the handler reads with McpServer::input_responses(). In a session
// of the handshake revisions the library asks the client itself (request_client) and
// runs the handler again with the answers, so one handler serves both. The handler
// may therefore run more than once per call: keep side effects after the last ask.
// `input_requests` maps keys of the handler's choosing to {method, params}
// (elicitation/create, sampling/createMessage, roots/list); `request_state` (empty:
// none) comes back with the retry: seal it with McpServer::seal_state when the
// handler relies on it.
struct InputRequired {
  Json input_requests = Json::object();
  std::string request_state;
};

// Thrown by a handler to answer with a JSON-RPC error instead of a result. A tool's
// own failures are results with isError; this is for a request that is wrong as a
// request, such as a request state that fails its seal (code -32602, Invalid Params).
struct RequestRejected {
  int code = -32602;
  std::string message;
};

// Thrown by McpServer::require_client_capability: answered with
// MissingRequiredClientCapabilityError (-32021, HTTP 400) naming the capability.
struct MissingClientCapability {
  std::string capability;
};

class McpServer {
 public:
  struct Options {
    std::string name;                 // serverInfo.name
    std::string version = "0.1.0";    // serverInfo.version
    std::size_t page_size = 0;        // items per tools/prompts/resources list page; 0: all
    // Answer this version to every initialize whatever the client offers (for tests
    // of the host's negotiation). Unset: echo the client's if we support it, else our latest.
    std::optional<std::string> forced_protocol_version;
    std::string instructions;
    // Declare the logging capability: logging/setLevel is accepted and log() honours it.
    bool logging = false;
    // Declare resources.subscribe: resources/subscribe and /unsubscribe are accepted and
    // notify_resource_updated() reaches the clients subscribed to a URI.
    bool resource_subscriptions = false;
    // Declare tools.listChanged (notify_tools_changed() is then worth listening to).
    bool tools_list_changed = false;
  };

  // The completion/complete handler: `ref` ({type: ref/prompt, name} or {type:
  // ref/resource, uri}), `argument` ({name, value}) and `context` (may be null) in, the
  // result's `completion` object ({values, total?, hasMore?}) out.
  using Completer = std::function<Json(const Json& ref, const Json& argument, const Json& context)>;

  explicit McpServer(Options options);
  ~McpServer();
  McpServer(const McpServer&) = delete;
  McpServer& operator=(const McpServer&) = delete;

  // Throw Error(kAlreadyExists) for a name registered twice. add_tool may also be
  // called while serving (from a handler), followed by notify_tools_changed().
  void add_tool(ServerTool tool);
  void add_prompt(ServerPrompt prompt);
  // Resources are listed by `lister` on each resources/list (so they may change), and
  // read by `reader(uri)`, which returns the text or throws Error(kNotFound).
  void set_resources(std::function<std::vector<ServerResource>()> lister,
                     std::function<std::string(const std::string& uri)> reader);
  // The same with a reader that may answer binary content (and its own MIME type).
  void set_resource_contents(std::function<std::vector<ServerResource>()> lister,
                             std::function<ResourceContent(const std::string& uri)> reader);
  // Listed by resources/templates/list; set the resources (above) to read them. Set before serving.
  void add_resource_template(ServerResourceTemplate resource_template);
  // Declares the completions capability. Set before serving.
  void set_completer(Completer completer);

  // Called for every notification from a client (notifications/initialized,
  // notifications/cancelled, ...), on the transport's thread. Set before serving.
  void on_notification(std::function<void(const std::string& method, const Json& params)> handler);

  // Sends notifications/tools/list_changed to every client (over HTTP: on the sessions'
  // GET streams; a client that has none open misses it, as the specification allows).
  void notify_tools_changed();
  // Sends notifications/resources/updated {uri} to the clients subscribed to `uri`.
  void notify_resource_updated(const std::string& uri);
  // Sends notifications/message {level, logger?, data} unless the client set a more
  // severe level with logging/setLevel. From a handler: to the client whose request it
  // handles, with the answer (over HTTP, on that request's stream); otherwise to all.
  void log(const std::string& level, const Json& data, const std::string& logger = "");
  // The level the current client last set with logging/setLevel; nullopt if it never
  // did, or when not called from a handler.
  std::optional<std::string> client_log_level();
  // The capabilities the current client declared in initialize ({} if none, or when not
  // called from a handler): a handler checks them before request_client.
  Json client_capabilities();
  // From a handler: throws MissingClientCapability unless the current client declared
  // `capability` (sampling, elicitation, roots).
  void require_client_capability(const std::string& capability);
  // From a handler of a retried request (see InputRequired): the client's answers by
  // key ({} on the first round), and the request state it echoed ("" when none).
  Json input_responses();
  std::string request_state();
  // An opaque token carrying `payload` that this process can later tell apart from a
  // forgery: open_state returns the payload, or nullopt for a token it did not seal
  // (or one changed by the client). The key is random per process.
  std::string seal_state(const std::string& payload) const;
  std::optional<std::string> open_state(const std::string& token) const;
  // From a handler, over HTTP in a session: ends the SSE stream carrying its request
  // now, before the answer, freeing the connection of a long call; the client resumes
  // with a GET carrying Last-Event-ID and receives the rest, answer included, there
  // (SEP-1699). Elsewhere (stdio, the stateless revision) nothing happens.
  void close_sse_stream();
  // From inside a tool handler: sends notifications/progress for the call it runs, if
  // the client asked for progress (a progressToken); otherwise does nothing.
  void report_progress(double progress, std::optional<double> total = std::nullopt, const std::string& message = "");
  // From inside a handler: sends a request to the client whose request it handles (over
  // HTTP, on that request's stream) and waits for its answer (the whole response
  // message: result or error). Throws Error(kTimeout) when none comes in time, and
  // Error(kInternal) when not called from a handler. The stateless revision has no
  // requests to the client: there it throws InputRequired for the request (keys
  // "request-1", "request-2", ... in call order, earlier answers kept in the sealed
  // request state) and returns the answer when the client retries, so the handler must
  // not use request_state itself.
  Json request_client(const std::string& method, const Json& params, std::chrono::milliseconds timeout);

  // Serves on stdin/stdout until stdin closes; waits for running tool calls. Returns 0.
  int run_stdio();
  // The same on any streams (the output is flushed after every message).
  int run(std::istream& in, std::ostream& out);

  // For transports (stdio here, HTTP in http_server.cpp): handles one message from the
  // client of `session`; what it causes is sent to `outbox`, which is where the answer
  // to a request goes. Requests other than tools/call are answered before it returns.
  void handle(const std::shared_ptr<detail::ServerSession>& session, const Json& message,
              const std::shared_ptr<detail::Outbox>& outbox);
  // For transports: a client connects / goes away (notify_* reach the attached ones).
  void attach(const std::shared_ptr<detail::ServerSession>& session);
  void detach(const std::shared_ptr<detail::ServerSession>& session);
  // Waits for every running tool call to finish.
  void join_workers();
  // For transports: the input schema of the tool `name` (null when there is none), for
  // checks that read it before the call (HTTP parameter headers).
  Json tool_input_schema(const std::string& name);

 private:
  using Call = detail::Call;  // the request a handler runs for (src/mcp/server/server_session.hpp)
  template <typename Run>
  auto answering_input(Call& call, Run&& run) -> decltype(run());
  void handle_request(const Call& call, const std::string& method, const Json& params);
  void answer_request(const Call& call, const std::string& method, const Json& params);
  Json dispatch(const Call& call, const std::string& method, const Json& params);
  Json initialize(const Call& call, const Json& params) const;
  Json capabilities() const;
  Json list_page(const Json& items, const Json& params, const char* key) const;
  Json read_resource(const Json& params);
  Json call_tool(const Json& params);
  std::optional<ServerTool> find_tool(const std::string& name);
  std::vector<std::shared_ptr<detail::ServerSession>> sessions();
  void reap_workers(bool all);

  Options options_;
  std::mutex tools_mutex_;  // tools may be added while serving
  std::vector<ServerTool> tools_;
  std::vector<ServerPrompt> prompts_;
  std::vector<ServerResourceTemplate> resource_templates_;
  std::function<std::vector<ServerResource>()> resource_lister_;
  std::function<ResourceContent(const std::string&)> resource_reader_;
  Completer completer_;
  std::function<void(const std::string&, const Json&)> notification_handler_;
  struct Worker {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };
  std::mutex workers_mutex_;
  std::vector<Worker> workers_;
  std::mutex sessions_mutex_;
  std::vector<std::weak_ptr<detail::ServerSession>> sessions_;
  std::string state_key_;  // random; keys seal_state
};

}  // namespace aurite::mcp
