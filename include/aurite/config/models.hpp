// config/models — the configuration of a project (DESIGN.md §3), as plain values.
//
// Optional fields stay std::optional so that a field absent from the file stays absent
// when the project is written back; defaults are applied by the code that uses a field
// (see the kDefault* constants). Keys this version does not know are kept in `extra`
// and written back unchanged, so a round trip through load and save loses nothing.
#pragma once

#include <nlohmann/json.hpp>

#include "aurite/common/error.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aurite::config {

using Json = nlohmann::json;

// The kinds of component a project holds, in the order they are listed and validated.
enum class ComponentKind { kClient, kLlm, kAgent, kWorkflow, kCustomWorkflow, kGraphWorkflow };
inline constexpr ComponentKind kComponentKinds[] = {
    ComponentKind::kClient,         ComponentKind::kLlm,           ComponentKind::kAgent,
    ComponentKind::kWorkflow,       ComponentKind::kCustomWorkflow, ComponentKind::kGraphWorkflow};

inline constexpr double kDefaultClientTimeoutSeconds = 10.0;
// A tools/call whose server keeps reporting progress may run this many times the
// client's timeout in all (max_total_timeout's default).
inline constexpr double kDefaultMaxTotalTimeoutFactor = 10.0;
inline constexpr double kDefaultRoutingWeight = 1.0;
inline constexpr int kDefaultMaxIterations = 10;
// Aurite 0.4's default, given to an agent from a component file that sets none, so a
// project behaves as it did there.
inline constexpr int kAurite04DefaultMaxIterations = 50;
inline constexpr int kDefaultHistoryLimit = 50;
inline constexpr int kDefaultMaxTokens = 4096;
// Characters of a tool's result the model is sent; the rest is cut, with a note saying so.
// 100,000 characters is about 25,000 tokens: a page of output is whole, a 5 MB dump does not
// fill (or overflow) the context window.
inline constexpr std::int64_t kDefaultMaxResultChars = 100000;

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

// An MCP server the host starts and talks to over stdio, or a remote one (url).
// Aurite 0.4 component files call it an `mcp_server` and name its fields `name`,
// `http_endpoint` and `transport_type`; they are read as the fields below.
// How a url client proves who it is to a server that wants OAuth 2.1 (MCP
// authorization). Everything is optional where discovery finds it: the server's 401
// names its authorization server, which says how to register and which scopes exist.
struct ClientAuthConfig {
  std::string type = "oauth";                     // the one kind there is
  // "authorization_code" (a person logs in once: aurite mcp login) or
  // "client_credentials" (a service with its own credentials, no person involved).
  std::string grant = "authorization_code";
  std::vector<std::string> scopes;                // empty: the server's challenge, then its scopes_supported
  std::optional<std::string> client_id;           // pre-registered; unset: registration as the server offers it
  std::optional<std::string> client_secret_env;   // the variable holding a pre-registered client's secret
  // A PEM private key (EC P-256 or RSA) for private_key_jwt client authentication;
  // relative to the project's folder.
  std::optional<std::string> private_key_file;
  // An https URL where our client metadata document is published (Client ID Metadata
  // Documents): used as the client_id by servers that accept such documents.
  std::optional<std::string> client_metadata_url;
  // The loopback port of the login's redirect (http://127.0.0.1:PORT/callback), for a
  // client registered with a fixed redirect URI; unset: a free port per login.
  std::optional<int64_t> redirect_port;

  friend bool operator==(const ClientAuthConfig&, const ClientAuthConfig&) = default;
};

inline constexpr const char* kAuthGrants[] = {"authorization_code", "client_credentials"};

// `require_approval` on a client or an agent: which of its tool calls wait for a
// person's decision before they run. Written as true, false, "destructive" (every tool
// whose annotations do not declare readOnlyHint: true) or a list of tool names and globs
// (`*`, `?`, `[...]`, as fnmatch). On both, a call waits when either says so.
struct ApprovalRule {
  enum class Mode { kNone, kAll, kDestructive, kTools };
  Mode mode = Mode::kNone;
  std::vector<std::string> tools;  // kTools

  friend bool operator==(const ApprovalRule&, const ApprovalRule&) = default;
};

struct ClientConfig {
  std::string client_id;
  std::optional<std::string> description;
  // "stdio" (server_path), "local" (command + args) or "http_stream" (url); optional,
  // and when set it must agree with the field that is.
  std::optional<std::string> transport_type;
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
  std::optional<ClientAuthConfig> auth;  // with a url only
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
  // Seconds the server may take to start and answer initialize [timeout, else the default].
  std::optional<double> registration_timeout;
  // The least severe of kMcpLogLevels the server should send us (logging/setLevel, sent
  // only to a server that declares logging). Unset: nothing is sent; the server decides.
  std::optional<std::string> log_level;
  std::optional<double> routing_weight;    // [kDefaultRoutingWeight]
  std::vector<std::string> exclude;        // component names hidden from every agent
  // A run goes on without this client when its server cannot start, and reports it as
  // unavailable; otherwise [false] such a run fails naming the client.
  std::optional<bool> optional;
  std::optional<ApprovalRule> require_approval;  // unset: its calls run as they come
  // Characters of a result of this client's tools an agent's model is sent, at least 1
  // [kDefaultMaxResultChars when neither this nor the agent sets one]; the stricter of
  // the client's and the agent's wins.
  std::optional<int64_t> max_result_chars;
  // Put before every tool name of this client ("a_" makes echo a_echo), so two clients
  // serving tools of the same names can both be used; calls reach the server under the
  // tool's own name. Letters, digits, '_' and '-'; a prefixed name must stay a name model
  // providers accept (config::is_tool_name), else the client's listing fails naming it.
  std::optional<std::string> tool_prefix;
  Json extra = Json::object();

  friend bool operator==(const ClientConfig&, const ClientConfig&) = default;
};

// A model endpoint agents refer to by llm_id.
// What a model costs, in US dollars per million tokens. Cost is computed from stored
// token counts when it is read, so a corrected price re-prices the history too.
struct Pricing {
  double input_per_mtok = 0;   // input tokens not read from a prompt cache
  double output_per_mtok = 0;
  std::optional<double> cache_read_per_mtok;   // [input_per_mtok]
  std::optional<double> cache_write_per_mtok;  // [input_per_mtok]

  double cost_usd(std::int64_t input_tokens, std::int64_t output_tokens, std::int64_t cache_read_tokens,
                  std::int64_t cache_write_tokens) const;
  friend bool operator==(const Pricing&, const Pricing&) = default;
};

struct LlmConfig {
  std::string llm_id;
  std::optional<std::string> description;
  std::string provider;                     // one of kProviders
  std::optional<std::string> model;         // required except for the test provider
  std::optional<std::string> base_url;      // OpenAI-compatible servers (Ollama, vLLM, ...)
  std::optional<std::string> api_key_env;   // variable holding the API key
  std::optional<std::string> api_version;   // for providers whose API has versions
  std::optional<double> temperature;
  std::optional<int64_t> max_tokens;
  std::optional<std::string> default_system_prompt;
  std::optional<Pricing> pricing;
  Json extra = Json::object();

  friend bool operator==(const LlmConfig&, const LlmConfig&) = default;
};

struct AgentConfig {
  std::string name;
  std::optional<std::string> description;
  std::optional<std::string> system_prompt;
  std::vector<std::string> client_ids;      // MCP clients whose tools the agent sees
  std::optional<std::string> llm_config_id; // an LlmConfig; else provider/model inline
  std::optional<std::string> provider;
  std::optional<std::string> model;
  std::optional<std::string> base_url;      // overrides the llm's (Aurite 0.4: llm.api_base)
  std::optional<std::string> api_version;   // overrides the llm's (Aurite 0.4: llm.api_version)
  std::optional<double> temperature;
  std::optional<int64_t> max_tokens;        // [kDefaultMaxTokens]
  std::optional<int64_t> max_iterations;    // [kDefaultMaxIterations]
  std::optional<bool> include_history;      // [false]
  std::optional<int64_t> history_limit;     // turns loaded [kDefaultHistoryLimit]
  std::vector<std::string> exclude_components;
  std::optional<Json> schema;               // JSON Schema the final answer must satisfy
  std::optional<ApprovalRule> require_approval;  // applies to every tool the agent sees
  // Characters of a tool result the model is sent (see ClientConfig::max_result_chars).
  std::optional<int64_t> max_result_chars;
  // [false] The agent sees every tool as CLIENTID_NAME (after the client's tool_prefix),
  // so the same tools of two of its clients do not clash. Its client ids must then be
  // letters, digits, '_' and '-'.
  std::optional<bool> prefix_tool_names;
  Json extra = Json::object();

  friend bool operator==(const AgentConfig&, const AgentConfig&) = default;
};

// What a workflow step or a graph node may run.
inline constexpr std::string_view kStepTypes[] = {"agent", "linear_workflow", "custom_workflow"};

// A step of a simple workflow: a name, and optionally what kind of component it names
// (one of kStepTypes; unset: whichever the name is, since names are unique among them).
struct WorkflowStep {
  std::string name;
  std::optional<std::string> type;

  WorkflowStep() = default;
  WorkflowStep(std::string step_name) : name(std::move(step_name)) {}  // NOLINT: a name is a step
  WorkflowStep(const char* step_name) : name(step_name) {}             // NOLINT
  WorkflowStep(std::string step_name, std::optional<std::string> step_type)
      : name(std::move(step_name)), type(std::move(step_type)) {}

  friend bool operator==(const WorkflowStep&, const WorkflowStep&) = default;
};

// A simple workflow (Aurite 0.4: linear_workflow): steps run in order, each step's output
// the next step's input. A step is an agent, another simple workflow or a custom workflow.
struct WorkflowConfig {
  std::string name;
  std::vector<WorkflowStep> steps;
  std::optional<std::string> description;
  // Set: every agent of the workflow loads and stores history (or not), whatever its own
  // include_history says.
  std::optional<bool> include_history;
  Json extra = Json::object();

  friend bool operator==(const WorkflowConfig&, const WorkflowConfig&) = default;
};

struct GraphNode {
  std::string node_id;
  std::string name;                 // the agent it runs
  std::string type = "agent";       // the only kind a node runs (as in Aurite 0.4)
  Json extra = Json::object();

  friend bool operator==(const GraphNode&, const GraphNode&) = default;
};

struct GraphEdge {
  std::string from;
  std::string to;
  Json extra = Json::object();

  friend bool operator==(const GraphEdge&, const GraphEdge&) = default;
};

// A workflow whose agents form a directed acyclic graph: nodes without predecessors get
// the input, a node runs once all its predecessors are done (nodes that are ready at the
// same time run in parallel), and its input is their outputs as one JSON object keyed by
// node id (as Aurite 0.4 passes them).
struct GraphWorkflowConfig {
  std::string name;
  std::optional<std::string> description;
  std::vector<GraphNode> nodes;
  std::vector<GraphEdge> edges;
  std::optional<bool> include_history;  // as WorkflowConfig::include_history
  Json extra = Json::object();

  friend bool operator==(const GraphWorkflowConfig&, const GraphWorkflowConfig&) = default;
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

// A component of an Aurite 0.4 project left out of what runs because it, or something
// it uses, has problems: the rest of the project runs, and running this one reports them.
struct LeftOutComponent {
  ComponentKind kind;
  std::string name;
  std::string source;                // the project, for the ConfigError
  std::vector<Diagnostic> problems;  // its own, then those of what it uses

  friend bool operator==(const LeftOutComponent&, const LeftOutComponent&) = default;
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
  std::vector<GraphWorkflowConfig> graph_workflows;
  Json extra = Json::object();
  // The folder relative paths are resolved against (the project file's folder; the
  // working directory for a project that did not come from a file). Not serialized.
  std::filesystem::path base_dir;
  // Not serialized either; empty but for a project of component files with problems.
  std::vector<LeftOutComponent> left_out;

  friend bool operator==(const ProjectConfig&, const ProjectConfig&) = default;
};


// Calls `visit` with the vector of `kind` in `project` (const or not) and returns what it
// returns: the one place that maps a kind to its member.
template <typename Project, typename Visit>
decltype(auto) visit_components(Project& project, ComponentKind kind, Visit&& visit) {
  switch (kind) {
    case ComponentKind::kClient: return visit(project.clients);
    case ComponentKind::kLlm: return visit(project.llms);
    case ComponentKind::kAgent: return visit(project.agents);
    case ComponentKind::kWorkflow: return visit(project.workflows);
    case ComponentKind::kCustomWorkflow: return visit(project.custom_workflows);
    case ComponentKind::kGraphWorkflow: break;
  }
  return visit(project.graph_workflows);
}

// True for a provider this build speaks (one of kProviders).
bool is_known_provider(std::string_view provider);

// The price of a model call: the pricing of the llm it went through (`llm_id`, "" for an
// agent's inline model), else of the first llm with the same provider and model that has
// one; null when none is priced.
const Pricing* find_pricing(const std::vector<LlmConfig>& llms, const std::string& llm_id,
                            const std::string& provider, const std::string& model);

// The name a component is registered under (client_id, llm_id or name).
inline const std::string& name_of(const ClientConfig& c) { return c.client_id; }
inline const std::string& name_of(const LlmConfig& c) { return c.llm_id; }
inline const std::string& name_of(const AgentConfig& c) { return c.name; }
inline const std::string& name_of(const WorkflowConfig& c) { return c.name; }
inline const std::string& name_of(const CustomWorkflowConfig& c) { return c.name; }
inline const std::string& name_of(const GraphWorkflowConfig& c) { return c.name; }

// "client", "llm", "agent", "workflow", "custom workflow", "graph workflow".
std::string_view kind_name(ComponentKind kind);
// kind_name with its article, for messages: "a client", "an llm", "an agent", ...
std::string with_article(ComponentKind kind);
// The project file key holding this kind: "clients", "llms", "agents", ...,
// "graph_workflows".
std::string_view kind_key(ComponentKind kind);

// True for an Aurite 0.4 Python workflow: a module_path that is a .py file or a dotted
// module name ("custom_workflows.example_workflow"); such a workflow loads but cannot run.
bool is_python_workflow(const CustomWorkflowConfig& workflow);

// A path from a config resolved against `base_dir` (absolute paths stay as they are).
std::filesystem::path resolve_path(const std::filesystem::path& base_dir, const std::string& path);

}  // namespace aurite::config
