// mcp/server — a small library for writing MCP servers that speak stdio: register
// tools, prompts and resources, then run_stdio(). Our example servers and the test
// servers are built on it.
//
// Handlers run on worker threads (one per tools/call, so a slow tool does not hold up
// the others), so they must be safe to call concurrently. A handler that throws
// produces a tool result with isError (tools) or a JSON-RPC error (prompts,
// resources); aurite::Error(kInvalidArgument) becomes -32602, kNotFound -32002 for a
// resource, anything else -32603.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <iosfwd>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "aurite/mcp/types.hpp"

namespace aurite::mcp {

struct ServerTool {
  std::string name;
  std::string description;
  Json input_schema = {{"type", "object"}};
  std::function<ToolResult(const Json& arguments)> handler;
  // Listed as the tool's `execution` when an object ({"taskSupport": ...}). A tool with
  // taskSupport "required" answers a tools/call that is not a task with -32601, as the
  // 2025-11-25 revision says; this library runs no tasks itself.
  Json execution = Json();
};

struct ServerPrompt {
  std::string name;
  std::string description;
  Json arguments = Json::array();  // [{name, description?, required?}]
  // Returns the prompts/get result's `messages` array.
  std::function<Json(const Json& arguments)> handler;
};

struct ServerResource {
  std::string uri;
  std::string name;
  std::string description;
  std::string mime_type = "text/plain";
};

// A tool result holding one text block.
ToolResult text_result(std::string text, bool is_error = false);

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
  };

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

  // Called on the serving thread for every notification from the client
  // (notifications/initialized, notifications/cancelled, ...). Set before run.
  void on_notification(std::function<void(const std::string& method, const Json& params)> handler);

  // Sends notifications/tools/list_changed to the client. Only while serving.
  void notify_tools_changed();
  // Sends notifications/message {level, logger?, data} unless the client set a more
  // severe level with logging/setLevel. Only while serving.
  void log(const std::string& level, const Json& data, const std::string& logger = "");
  // The level the client last set with logging/setLevel; nullopt if it never did.
  std::optional<std::string> client_log_level();
  // From inside a tool handler: sends notifications/progress for the call it runs, if
  // the client asked for progress (a progressToken); otherwise does nothing.
  void report_progress(double progress, std::optional<double> total = std::nullopt, const std::string& message = "");
  // Sends a request to the client and waits for its answer (the whole response
  // message: result or error). For handlers only (the serving loop delivers the
  // answer). Throws Error(kTimeout) when none comes in time.
  Json request_client(const std::string& method, const Json& params, std::chrono::milliseconds timeout);

  // Serves on stdin/stdout until stdin closes; waits for running tool calls. Returns 0.
  int run_stdio();
  // The same on any streams (the output is flushed after every message).
  int run(std::istream& in, std::ostream& out);

 private:
  void handle(const Json& message);
  void handle_request(const Json& id, const std::string& method, const Json& params);
  Json initialize(const Json& params) const;
  Json list_page(const Json& items, const Json& params, const char* key) const;
  void call_tool(const Json& id, const Json& params);
  void send(const Json& message);

  std::optional<ServerTool> find_tool(const std::string& name);

  Options options_;
  std::mutex tools_mutex_;  // tools may be added while serving
  std::vector<ServerTool> tools_;
  std::vector<ServerPrompt> prompts_;
  std::function<std::vector<ServerResource>()> resource_lister_;
  std::function<std::string(const std::string&)> resource_reader_;
  std::function<void(const std::string&, const Json&)> notification_handler_;
  std::ostream* out_ = nullptr;
  std::mutex out_mutex_;  // one message at a time on the output
  struct Worker {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };
  void reap_workers(bool all);
  std::vector<Worker> workers_;  // touched by the serving thread only
  // Our requests to the client, by id, waiting for their answers.
  std::mutex requests_mutex_;
  std::condition_variable requests_cv_;
  std::map<std::string, std::optional<Json>> requests_;
  long next_request_id_ = 1;
  std::mutex log_mutex_;
  std::optional<std::string> client_log_level_;
};

}  // namespace aurite::mcp
