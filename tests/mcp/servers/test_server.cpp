// aurite-test-mcp-server: an MCP server for the host's tests, built on our server
// library. Options shape the handshake and the tool list; tools misbehave on request.
//
//   --protocol VERSION   answer this protocolVersion to every initialize
//   --tools N            add tools tool_0 .. tool_{N-1} (pagination tests)
//   --page-size K        list pages of K items
//   --exit-at-start N    exit with status N before reading anything
//   --prefix P           prefix every tool name with P
//   --stderr-lines N     write N numbered lines to stderr first ("startup diagnostic I of N")
//   --logging yes        declare the logging capability (logging/setLevel)
//   --task-tools yes     add needs_task (taskSupport "required") and maybe_task ("optional")
//   --start-delay-ms N   take N ms to start (a slow server: a runtime, a download) before serving
#include <unistd.h>

#include <filesystem>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "aurite/mcp/server.hpp"

namespace {

using aurite::mcp::Json;
using aurite::mcp::McpServer;
using aurite::mcp::ServerTool;
using aurite::mcp::ToolResult;
using aurite::mcp::text_result;

// 1x1 PNG and a 44-byte silent WAV header, base64.
constexpr const char* kPng =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";
constexpr const char* kWav = "UklGRiQAAABXQVZFZm10IBAAAAABAAEAQB8AAIA+AAACABAAZGF0YQAAAAA=";

// How many `sleep` calls have finished (their answers are on the way).
std::atomic<int> sleeps_finished{0};

ToolResult all_content_types() {
  ToolResult r;
  r.content = Json::array({
      {{"type", "text"}, {"text", "plain text"}},
      {{"type", "image"}, {"data", kPng}, {"mimeType", "image/png"}},
      {{"type", "audio"}, {"data", kWav}, {"mimeType", "audio/wav"}},
      {{"type", "resource"}, {"resource", {{"uri", "test://embedded"}, {"mimeType", "text/plain"}, {"text", "embedded"}}}},
      {{"type", "resource_link"}, {"uri", "test://linked"}, {"name", "linked"}, {"mimeType", "text/plain"}},
  });
  return r;
}

void add_tools(McpServer& server, const std::string& p) {
  const Json any = {{"type", "object"}};
  server.add_tool({p + "echo", "Returns its text argument.", any,
                   [](const Json& a) { return text_result(a.value("text", "")); }});
  server.add_tool({p + "sleep", "Sleeps for ms milliseconds, then answers.", any, [](const Json& a) {
                     std::this_thread::sleep_for(std::chrono::milliseconds(a.value("ms", 0)));
                     ++sleeps_finished;
                     return text_result("slept");
                   }});
  server.add_tool({p + "crash", "Says why on stderr, then exits the server in the middle of the call.", any,
                   [](const Json&) -> ToolResult {
                     std::fputs("crash tool called: exiting with status 3\n", stderr);
                     std::_Exit(3);
                   }});
  server.add_tool({p + "garbage", "Writes a line that is not JSON to stdout.", any, [](const Json&) {
                     std::fputs("this is not json\n", stdout);
                     std::fflush(stdout);
                     return text_result("wrote garbage");
                   }});
  server.add_tool({p + "huge", "Answers with a text of `bytes` bytes.", any, [](const Json& a) {
                     return text_result(std::string(a.value("bytes", std::size_t{0}), 'x'));
                   }});
  server.add_tool({p + "content", "Answers with one block of every content type.", any,
                   [](const Json&) { return all_content_types(); }});
  server.add_tool({p + "fail", "A tool error (isError).", any,
                   [](const Json&) { return text_result("the tool failed", /*is_error=*/true); }});
  server.add_tool({p + "structured", "Answers with structuredContent.", any, [](const Json& a) {
                     ToolResult r = text_result("{\"value\":42}");
                     r.structured_content = Json{{"value", 42}, {"echo", a}};
                     return r;
                   }});
  server.add_tool({p + "env", "The value of environment variable `name` and the working directory.", any,
                   [](const Json& a) {
                     const char* value = std::getenv(a.value("name", "").c_str());
                     char cwd[4096] = "";
                     const bool have_cwd = ::getcwd(cwd, sizeof cwd) != nullptr;
                     ToolResult r = text_result(value != nullptr ? value : "");
                     r.structured_content = Json{{"value", value != nullptr ? Json(value) : Json(nullptr)},
                                                 {"cwd", have_cwd ? cwd : ""}};
                     return r;
                   }});
  server.add_tool({p + "pid", "The server's process id.", any,
                   [](const Json&) { return text_result(std::to_string(::getpid())); }});
  server.add_tool({p + "fds", "The descriptors the server has open beyond 0, 1 and 2, as targets.", any,
                   [](const Json&) {
                     Json open = Json::array();
                     for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
                       const int fd = std::stoi(entry.path().filename().string());
                       std::error_code ec;
                       const auto target = std::filesystem::read_symlink(entry.path(), ec);
                       // The directory listing itself shows up as a descriptor too.
                       if (fd > 2 && target.string().rfind("/proc/", 0) != 0) open.push_back(target.string());
                     }
                     ToolResult r = text_result(open.dump());
                     r.structured_content = Json{{"open", open}};
                     return r;
                   }});
}

// The requestIds of the notifications/cancelled received so far.
std::mutex cancelled_mutex;
Json cancelled_ids = Json::array();

void add_client_facing_tools(McpServer& server, const std::string& p) {
  const Json any = {{"type", "object"}};
  server.on_notification([](const std::string& method, const Json& params) {
    if (method != "notifications/cancelled") return;
    std::lock_guard lock(cancelled_mutex);
    cancelled_ids.push_back(params.value("requestId", Json()));
  });
  server.add_tool({p + "cancelled", "The requestIds of the cancellations received so far.", any, [](const Json&) {
                     std::lock_guard lock(cancelled_mutex);
                     ToolResult r = text_result(cancelled_ids.dump());
                     r.structured_content = Json{{"ids", cancelled_ids}, {"sleeps_finished", sleeps_finished.load()}};
                     return r;
                   }});
  server.add_tool({p + "ask_client", "Sends request `method` to the client; answers its response.", any,
                   [&server](const Json& a) {
                     const Json response = server.request_client(a.value("method", "ping"), Json::object(),
                                                                 std::chrono::seconds(5));
                     return text_result(response.dump());
                   }});
  server.add_tool({p + "progress", "Reports progress `steps` times (default 3), `interval_ms` apart (20), then answers.",
                   any, [&server](const Json& a) {
                     const int steps = a.value("steps", 3);
                     for (int i = 1; i <= steps; ++i) {
                       std::this_thread::sleep_for(std::chrono::milliseconds(a.value("interval_ms", 20)));
                       server.report_progress(i, steps, "step " + std::to_string(i));
                     }
                     return text_result("done after " + std::to_string(steps) + " steps");
                   }});
  server.add_tool({p + "log", "Sends a log message `text` at `level` (default info).", any, [&server](const Json& a) {
                     server.log(a.value("level", "info"), a.value("text", ""), "test-logger");
                     return text_result("logged");
                   }});
  server.add_tool({p + "log_level", "The level the client set with logging/setLevel, or \"\".", any,
                   [&server](const Json&) { return text_result(server.client_log_level().value_or("")); }});
  server.add_tool({p + "add_tool", "Adds tool `name` and tells the client the list changed.", any,
                   [&server](const Json& a) {
                     server.add_tool({a.value("name", "added"), "Added at run time.", {{"type", "object"}},
                                      [](const Json&) { return text_result("added tool"); }});
                     server.notify_tools_changed();
                     return text_result("added");
                   }});
}

}  // namespace

int main(int argc, char** argv) {
  McpServer::Options options;
  options.name = "aurite-test-mcp-server";
  int generated = 0;
  std::string prefix;
  std::optional<int> exit_at_start;
  int stderr_lines = 0;
  bool task_tools = false;
  int start_delay_ms = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const std::string value = argv[i + 1];
    if (flag == "--protocol") options.forced_protocol_version = value;
    else if (flag == "--tools") generated = std::stoi(value);
    else if (flag == "--page-size") options.page_size = std::stoul(value);
    else if (flag == "--prefix") prefix = value;
    else if (flag == "--exit-at-start") exit_at_start = std::stoi(value);
    else if (flag == "--stderr-lines") stderr_lines = std::stoi(value);
    else if (flag == "--logging") options.logging = value == "yes";
    else if (flag == "--task-tools") task_tools = value == "yes";
    else if (flag == "--start-delay-ms") start_delay_ms = std::stoi(value);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(start_delay_ms));
  for (int i = 1; i <= stderr_lines; ++i) std::fprintf(stderr, "startup diagnostic %d of %d\n", i, stderr_lines);
  if (exit_at_start) return *exit_at_start;
  std::fprintf(stderr, "test server starting (pid %d)\n", static_cast<int>(::getpid()));
  McpServer server(options);
  add_tools(server, prefix);
  add_client_facing_tools(server, prefix);
  if (task_tools) {
    for (const char* support : {"required", "optional"}) {
      ServerTool tool{prefix + (support == std::string("required") ? "needs_task" : "maybe_task"),
                      std::string("A tool with taskSupport '") + support + "'.", {{"type", "object"}},
                      [](const Json&) { return text_result("ran without a task"); }};
      tool.execution = {{"taskSupport", support}};
      server.add_tool(std::move(tool));
    }
  }
  for (int i = 0; i < generated; ++i) {
    server.add_tool({prefix + "tool_" + std::to_string(i), "Generated tool " + std::to_string(i), {{"type", "object"}},
                     [i](const Json&) { return text_result(std::to_string(i)); }});
  }
  return server.run_stdio();
}
