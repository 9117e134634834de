// config/models — the configuration of a project (DESIGN.md §3), as plain values.
//
// Optional fields stay std::optional so that a field absent from the file stays absent
// when the project is written back; defaults are applied by the code that uses a field
// (see the kDefault* constants). Keys this version does not know are kept in `extra`
// and written back unchanged, so a round trip through load and save loses nothing.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aurite::config {

using Json = nlohmann::json;

inline constexpr double kDefaultClientTimeoutSeconds = 10.0;
// A tools/call whose server keeps reporting progress may run this many times the
// client's timeout in all (max_total_timeout's default).
inline constexpr double kDefaultMaxTotalTimeoutFactor = 10.0;
inline constexpr double kDefaultRoutingWeight = 1.0;
inline constexpr int kDefaultMaxIterations = 10;
inline constexpr int kDefaultHistoryLimit = 50;
inline constexpr int kDefaultMaxTokens = 4096;

// The LLM providers this build speaks to.
inline constexpr std::string_view kProviders[] = {"anthropic", "openai", "test"};

// The MCP log levels (RFC 5424 severities, lowest first), the values of a client's log_level.
inline constexpr std::string_view kMcpLogLevels[] = {"debug", "info",     "notice", "warning",
                                                     "error", "critical", "alert",  "emergency"};

// A root (a URI the server may work in) offered to an MCP server.
struct RootConfig {
  std::string uri;
  std::optional<std::string> name;
  std::vector<std::string> capabilities;
  Json extra = Json::object();

  friend bool operator==(const RootConfig&, const RootConfig&) = default;
};

// Which of our environment variables a server process sees. It always gets a minimal
// set (PATH, HOME, USER, LOGNAME, SHELL, TERM, LANG, LC_ALL, LC_CTYPE, TZ, TMPDIR) plus
// its client's `env`; never, unless asked here, our secrets (API keys, database
// passwords), since a third-party server can read and send on whatever it is given.
// JSON: `"inherit_env": true` (everything: the risk is the user's) or a list of names.
struct InheritEnv {
  bool all = false;
  std::vector<std::string> names;  // passed on when set in our environment

  friend bool operator==(const InheritEnv&, const InheritEnv&) = default;
};

// An MCP server the host starts and talks to over stdio.
struct ClientConfig {
  std::string client_id;
  // Exactly one of server_path (a `.py` file runs with python3, anything else is
  // executed), command (+ args) or url (a remote server, Streamable HTTP) is set.
  // server_path is kept as written; relative paths are resolved against the project
  // file's folder (see ProjectConfig::base_dir).
  std::optional<std::string> server_path;
  std::optional<std::string> command;
  std::vector<std::string> args;
  std::optional<std::string> url;  // http:// or https://
  // Sent with every request to `url`. `${NAME}` in a value expands from our environment
  // when the client connects, so a token need not be written down; shown masked.
  std::map<std::string, std::string> headers;
  // Trusted certificates (PEM) for an https url; relative to the project's folder.
  // Unset: SSL_CERT_FILE, else the system store.
  std::optional<std::string> ca_file;
  // `${NAME}` in command, args and env values expands from our environment when the
  // server starts (an unset variable is an error naming client, field and variable).
  std::map<std::string, std::string> env;  // added to the minimal environment
  InheritEnv inherit_env;
  std::vector<std::string> capabilities;   // e.g. tools, prompts, resources
  std::vector<RootConfig> roots;
  // Seconds a request waits for its answer [kDefaultClientTimeoutSeconds]; for a
  // tools/call, seconds without an answer or a progress report.
  std::optional<double> timeout;
  // Seconds a tools/call may take in all, however much progress it reports
  // [kDefaultMaxTotalTimeoutFactor x timeout]; not less than timeout.
  std::optional<double> max_total_timeout;
  // The least severe of kMcpLogLevels the server should send us (logging/setLevel, sent
  // only to a server that declares logging). Unset: nothing is sent; the server decides.
  std::optional<std::string> log_level;
  std::optional<double> routing_weight;    // [kDefaultRoutingWeight]
  std::vector<std::string> exclude;        // component names hidden from every agent
  // A run goes on without this client when its server cannot start, and reports it as
  // unavailable; otherwise [false] such a run fails naming the client.
  std::optional<bool> optional;
  Json extra = Json::object();

  friend bool operator==(const ClientConfig&, const ClientConfig&) = default;
};

// A model endpoint agents refer to by llm_id.
struct LlmConfig {
  std::string llm_id;
  std::string provider;                     // one of kProviders
  std::optional<std::string> model;         // required except for the test provider
  std::optional<std::string> base_url;      // OpenAI-compatible servers (Ollama, vLLM, ...)
  std::optional<std::string> api_key_env;   // variable holding the API key
  std::optional<double> temperature;
  std::optional<int64_t> max_tokens;
  std::optional<std::string> default_system_prompt;
  Json extra = Json::object();

  friend bool operator==(const LlmConfig&, const LlmConfig&) = default;
};

struct AgentConfig {
  std::string name;
  std::optional<std::string> system_prompt;
  std::vector<std::string> client_ids;      // MCP clients whose tools the agent sees
  std::optional<std::string> llm_config_id; // an LlmConfig; else provider/model inline
  std::optional<std::string> provider;
  std::optional<std::string> model;
  std::optional<double> temperature;
  std::optional<int64_t> max_tokens;        // [kDefaultMaxTokens]
  std::optional<int64_t> max_iterations;    // [kDefaultMaxIterations]
  std::optional<bool> include_history;      // [false]
  std::optional<int64_t> history_limit;     // turns loaded [kDefaultHistoryLimit]
  std::vector<std::string> exclude_components;
  std::optional<Json> schema;               // JSON Schema the final answer must satisfy
  Json extra = Json::object();

  friend bool operator==(const AgentConfig&, const AgentConfig&) = default;
};

// A simple workflow: agents run in order, each step's output the next step's input.
struct WorkflowConfig {
  std::string name;
  std::vector<std::string> steps;
  std::optional<std::string> description;
  Json extra = Json::object();

  friend bool operator==(const WorkflowConfig&, const WorkflowConfig&) = default;
};

// A workflow implemented in a shared library loaded at run time.
struct CustomWorkflowConfig {
  std::string name;
  std::string module_path;  // kept as written; relative to the project file's folder
  std::string class_name;
  std::optional<std::string> description;
  Json extra = Json::object();

  friend bool operator==(const CustomWorkflowConfig&, const CustomWorkflowConfig&) = default;
};

// A whole project file.
struct ProjectConfig {
  std::optional<std::string> name;
  std::optional<std::string> description;
  std::vector<ClientConfig> clients;
  std::vector<LlmConfig> llms;
  std::vector<AgentConfig> agents;
  std::vector<WorkflowConfig> workflows;
  std::vector<CustomWorkflowConfig> custom_workflows;
  Json extra = Json::object();
  // The folder relative paths are resolved against (the project file's folder; the
  // working directory for a project that did not come from a file). Not serialized.
  std::filesystem::path base_dir;

  friend bool operator==(const ProjectConfig&, const ProjectConfig&) = default;
};

// The kinds of component a project holds, in the order they are listed and validated.
enum class ComponentKind { kClient, kLlm, kAgent, kWorkflow, kCustomWorkflow };
inline constexpr ComponentKind kComponentKinds[] = {
    ComponentKind::kClient, ComponentKind::kLlm, ComponentKind::kAgent,
    ComponentKind::kWorkflow, ComponentKind::kCustomWorkflow};

// The name a component is registered under (client_id, llm_id or name).
inline const std::string& name_of(const ClientConfig& c) { return c.client_id; }
inline const std::string& name_of(const LlmConfig& c) { return c.llm_id; }
inline const std::string& name_of(const AgentConfig& c) { return c.name; }
inline const std::string& name_of(const WorkflowConfig& c) { return c.name; }
inline const std::string& name_of(const CustomWorkflowConfig& c) { return c.name; }

// "client", "llm", "agent", "workflow", "custom workflow".
std::string_view kind_name(ComponentKind kind);
// kind_name with its article, for messages: "a client", "an llm", "an agent", ...
std::string with_article(ComponentKind kind);
// The project file key holding this kind: "clients", "llms", "agents", ...
std::string_view kind_key(ComponentKind kind);

// A path from a config resolved against `base_dir` (absolute paths stay as they are).
std::filesystem::path resolve_path(const std::filesystem::path& base_dir, const std::string& path);

}  // namespace aurite::config
