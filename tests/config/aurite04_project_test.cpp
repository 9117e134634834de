// Aurite 0.4 projects read as they are: the .aurite file, folders of component files
// (JSON and YAML), workspaces, names defined twice, every 0.4 field, and problems named
// by component file and JSON path as written there.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdlib.h>

#include "aurite/common/error.hpp"
#include "aurite/config/project_file.hpp"
#include "aurite/config/validate.hpp"
#include "support/temp_dir.hpp"

namespace aurite::config {
namespace {

namespace fs = std::filesystem;
using ::testing::Contains;
using ::testing::HasSubstr;

const fs::path kInitProject = AURITE_TEST_DATA_DIR "/aurite04/init_project";
constexpr const char* kProjectAnchor = "[aurite]\ntype = \"project\"\ninclude_configs = [\"config\"]\n";

template <typename T>
const T& named(const std::vector<T>& components, const std::string& name) {
  for (const auto& c : components) {
    if (name_of(c) == name) return c;
  }
  throw std::runtime_error("no component named " + name);
}

bool any_contains(const std::vector<std::string>& lines, const std::string& part) {
  return std::any_of(lines.begin(), lines.end(), [&](const std::string& l) { return l.find(part) != std::string::npos; });
}

// The problems a refused project names, as "path: message" lines.
std::vector<std::string> problems_of(const fs::path& project) {
  try {
    load_project_file(project);
  } catch (const ConfigError& error) {
    std::vector<std::string> out;
    for (const auto& d : error.diagnostics()) out.push_back(to_string(d));
    return out;
  }
  return {};
}

TEST(InitProject, LoadsFromItsFolderOrItsAuriteFileWithEveryComponentOfItsConfigFolder) {
  for (const fs::path& named_as : {kInitProject, kInitProject / ".aurite"}) {
    const LoadedProject loaded = load_project_file(named_as);
    const ProjectConfig& p = loaded.project;
    EXPECT_EQ(loaded.format, ProjectFormat::kComponentFiles);
    EXPECT_EQ(p.clients.size(), 3u);
    EXPECT_EQ(p.llms.size(), 3u);
    EXPECT_EQ(p.agents.size(), 8u);
    EXPECT_EQ(p.workflows.size(), 2u);
    EXPECT_EQ(p.graph_workflows.size(), 2u);
    EXPECT_EQ(p.custom_workflows.size(), 2u);
    EXPECT_EQ(p.base_dir, fs::weakly_canonical(kInitProject));
    EXPECT_TRUE(loaded.unknown_keys.empty()) << loaded.unknown_keys.front().path;
  }
}

TEST(InitProject, ReadsTheFieldsAsAurite04Does) {
  const LoadedProject loaded = load_project_file(kInitProject);
  const ProjectConfig& p = loaded.project;
  const ClientConfig& weather = named(p.clients, "weather_server");
  EXPECT_EQ(weather.server_path, "mcp_servers/weather_server.py");
  EXPECT_EQ(weather.timeout, 15.0);  // written "15.0", a string
  EXPECT_EQ(weather.capabilities, (std::vector<std::string>{"tools", "prompts"}));
  const ClientConfig& math = named(p.clients, "math_server");
  EXPECT_EQ(math.url, "http://127.0.0.1:8088/mcp");  // http_endpoint
  // The first definition in include order wins: config/ before config/mcp_servers/.
  EXPECT_EQ(named(p.clients, "planning_server").transport_type, std::nullopt);
  const LlmConfig& haiku = named(p.llms, "anthropic_claude_3_haiku");
  EXPECT_EQ(haiku.provider, "anthropic");
  EXPECT_EQ(haiku.api_key_env, "ANTHROPIC_API_KEY");  // api_key_env_var
  EXPECT_EQ(named(p.llms, "my_openai_gpt4_turbo").default_system_prompt, "You are a helpful AI assistant by OpenAI.");
  const AgentConfig& weather_agent = named(p.agents, "Weather Agent");
  EXPECT_EQ(weather_agent.client_ids, (std::vector<std::string>{"weather_server"}));  // mcp_servers
  EXPECT_EQ(weather_agent.include_history, true);
  EXPECT_EQ(weather_agent.max_iterations, kAurite04DefaultMaxIterations);
  const AgentConfig& structured = named(p.agents, "Structured Output Weather Agent");
  ASSERT_TRUE(structured.schema.has_value());  // config_validation_schema
  EXPECT_EQ((*structured.schema)["required"].size(), 3u);
  EXPECT_EQ(structured.exclude_components, (std::vector<std::string>{"current_time"}));
  EXPECT_EQ(named(p.agents, "Red Agent").temperature, 0.0);  // from its llm overrides
  EXPECT_EQ(named(p.agents, "Linear Planning Agent").extra["evaluation"], "planning_agent_test.json");
  const GraphWorkflowConfig& color = named(p.graph_workflows, "Color Graph Workflow");
  ASSERT_EQ(color.nodes.size(), 4u);
  EXPECT_EQ(color.nodes[3].node_id, "r2");
  EXPECT_EQ(color.nodes[3].name, "Red Agent");
  ASSERT_EQ(color.edges.size(), 4u);
  EXPECT_EQ(color.edges[2].from, "b1");
  EXPECT_EQ(color.edges[2].to, "r2");
  EXPECT_EQ(named(p.workflows, "Weather Planning Workflow").include_history, true);
  EXPECT_TRUE(is_python_workflow(named(p.custom_workflows, "Example Custom Workflow")));
  EXPECT_TRUE(is_python_workflow(named(p.custom_workflows, "ExampleCustomWorkflow")));
}

TEST(InitProject, SaysWhatItDoesNotLoadAsWritten) {
  const LoadedProject loaded = load_project_file(kInitProject);
  const auto& w = loaded.warnings;
  EXPECT_TRUE(any_contains(w, "config/llms/example_llms.json: [0]: llm 'my_openai_gpt4_turbo' is also defined in "
                              "config/example_multi_component.json [0], which comes first"))
      << ::testing::PrintToString(w);
  EXPECT_TRUE(any_contains(w, "kept out: security 'default', security 'production'"));
  EXPECT_TRUE(any_contains(w, "provider 'google' is not one this build speaks"));
  EXPECT_TRUE(any_contains(w, "custom_workflow 'Example Custom Workflow' is a Python workflow"));
  EXPECT_TRUE(any_contains(w, "agent 'Linear Planning Agent': evaluation is not run here"));
}

class ComponentFiles : public ::testing::Test {
 protected:
  fs::path write(const std::string& name, const std::string& content) { return dir_.write(name, content); }
  fs::path project() const { return dir_.path(); }
  testing::TempDir dir_;
};

TEST_F(ComponentFiles, AProblemNamesTheFileAndTheJsonPathAsWrittenThere) {
  write(".aurite", kProjectAnchor);
  write("config/servers.json", R"({"type": "mcp_server", "name": "weather", "command": "weather-server"})");
  write("config/agents/a.json", R"([
    {"type": "llm", "name": "fast", "provider": "test"},
    {"type": "agent", "name": "ok", "llm_config_id": "fast"},
    {"type": "agent", "name": "typo", "llm_config_id": "fast", "mcp_servers": ["wether"]}
  ])");
  EXPECT_THAT(problems_of(project()),
              Contains("config/agents/a.json: [2].mcp_servers[0]: unknown mcp_server 'wether' (did you mean 'weather'?)"));
}

TEST_F(ComponentFiles, ASingleComponentFileHasPathsOfItsOwn) {
  write(".aurite", kProjectAnchor);
  write("config/agent.json", R"({"type": "agent", "name": "a", "llm_config_id": "nowhere", "max_iterations": 0})");
  const auto problems = problems_of(project());
  EXPECT_THAT(problems, Contains("config/agent.json: llm_config_id: unknown llm 'nowhere'"));
  EXPECT_THAT(problems, Contains("config/agent.json: max_iterations: must be at least 1, got 0"));
}

TEST_F(ComponentFiles, TheLeaveOutPolicyKeepsWhatDoesNotDependOnABrokenComponent) {
  write(".aurite", kProjectAnchor);
  write("config/all.json", R"([
    {"type": "llm", "name": "fast", "provider": "test"},
    {"type": "mcp_server", "name": "broken", "command": "x", "timeout": -1},
    {"type": "agent", "name": "uses broken", "llm_config_id": "fast", "mcp_servers": ["broken"]},
    {"type": "agent", "name": "fine", "llm_config_id": "fast"},
    {"type": "linear_workflow", "name": "flow", "steps": ["uses broken"]},
    {"type": "graph_workflow", "name": "graph", "nodes": [{"node_id": "n", "name": "fine", "type": "agent"}], "edges": []}
  ])");
  EXPECT_THROW(load_project_file(project()), ConfigError);
  const LoadedProject loaded = load_project_file(project(), ProblemPolicy::kLeaveOut);
  const ProjectConfig& p = loaded.project;
  ASSERT_EQ(p.agents.size(), 1u);
  EXPECT_EQ(p.agents[0].name, "fine");
  EXPECT_TRUE(p.clients.empty());
  EXPECT_TRUE(p.workflows.empty());
  EXPECT_EQ(p.graph_workflows.size(), 1u);
  ASSERT_EQ(p.left_out.size(), 3u);
  const auto left = std::find_if(p.left_out.begin(), p.left_out.end(), [](const auto& l) { return l.name == "flow"; });
  ASSERT_NE(left, p.left_out.end());
  std::vector<std::string> problems;
  for (const auto& d : left->problems) problems.push_back(to_string(d));
  EXPECT_THAT(problems, Contains("linear_workflow 'flow' uses agent 'uses broken', which has problems"));
  EXPECT_THAT(problems, Contains("config/all.json: [1].timeout: must be greater than 0, got -1"))
      << "what it uses is explained too, transitively: " << ::testing::PrintToString(problems);
  EXPECT_TRUE(any_contains(loaded.warnings, "left out, with problems"));
}

TEST_F(ComponentFiles, AYamlFileReadsLikeJson) {
  write(".aurite", kProjectAnchor);
  const std::string components = R"(
- type: llm
  name: local
  provider: openai
  model: llama3
  api_base: http://127.0.0.1:11434/v1
  temperature: 0.2
- type: agent
  name: Helper
  llm_config_id: local
  system_prompt: "true"
  max_iterations: 7
)";
  write("config/components.yaml", components + "  include_history: yes_but_quoted_is_a_string\n");
  EXPECT_THAT(problems_of(project()), Contains(HasSubstr("config/components.yaml: [1].include_history")));
  write("config/components.yaml", components + "  include_history: true\n");
  const ProjectConfig p = load_project_file(project()).project;
  EXPECT_EQ(named(p.llms, "local").base_url, "http://127.0.0.1:11434/v1");
  EXPECT_EQ(named(p.llms, "local").temperature, 0.2);
  EXPECT_EQ(named(p.agents, "Helper").system_prompt, "true");  // quoted: a string
  EXPECT_EQ(named(p.agents, "Helper").max_iterations, 7);
  EXPECT_EQ(named(p.agents, "Helper").include_history, true);
}

TEST_F(ComponentFiles, MalformedFilesAreNamedWithLineAndColumn) {
  write(".aurite", kProjectAnchor);
  write("config/bad.json", "[\n  {\"type\": \"llm\",\n  \"name\": }\n]");
  write("config/bad.yaml", "- type: llm\n  name: [unclosed\n");
  write("config/latin1.yml", "- type: llm\n  name: caf\xe9\n  provider: test\n");
  // Found by fuzzing: yaml-cpp's message quotes the bytes it stopped at.
  const unsigned char quoted_bytes[] = {
      0x2d, 0x20, 0x74, 0x79, 0x70, 0x65, 0x3a, 0x20, 0x6c, 0x6c, 0x6d, 0x0a,
      0x20, 0x20, 0x6e, 0x61, 0x6d, 0x65, 0x3a, 0x00, 0xff, 0xff, 0xff, 0xff,
      0xff, 0xff, 0xff, 0x27, 0x5b, 0x75, 0x6e, 0x63, 0x6c, 0x6f, 0x00, 0x00,
      0x00, 0x48, 0x00, 0x00, 0x00, 0x00, 0x2e, 0xff, 0xff, 0x27, 0x0a};
  write("config/quoted_bytes.yaml", std::string(reinterpret_cast<const char*>(quoted_bytes), sizeof quoted_bytes));
  const auto problems = problems_of(project());
  EXPECT_THAT(problems, Contains(HasSubstr("config/bad.json: malformed JSON at line 3, column 11")));
  EXPECT_THAT(problems, Contains(HasSubstr("config/bad.yaml: malformed YAML at line")));
  EXPECT_THAT(problems, Contains("config/latin1.yml: holds bytes that are not UTF-8 text"));
  EXPECT_THAT(problems, Contains(HasSubstr("config/quoted_bytes.yaml: malformed YAML")));
  for (const auto& problem : problems) {
    for (const char c : problem) EXPECT_LT(static_cast<unsigned char>(c), 0x80) << problem;
  }
}

TEST_F(ComponentFiles, AYamlFileOfRepeatedAliasesIsRefusedNotExpanded) {
  write(".aurite", kProjectAnchor);
  std::string bomb = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 6; ++i) {
    bomb += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int j = 0; j < 10; ++j) bomb += (j ? ", *a" : "*a") + std::to_string(i - 1);
    bomb += "]\n";
  }
  write("config/bomb.yaml", bomb);  // 10^6 values
  EXPECT_THAT(problems_of(project()), Contains(HasSubstr("config/bomb.yaml: malformed YAML: more than 100000 values")));
  // Found by fuzzing: an alias inside the node it names.
  write("config/bomb.yaml", "base: &base {list: [*base, 1]}\n");
  EXPECT_THAT(problems_of(project()),
              Contains("config/bomb.yaml: malformed YAML: nested more than 64 levels deep (an alias inside itself?)"));
}

TEST_F(ComponentFiles, TheAuriteFileIsCheckedWithLineAndColumn) {
  write(".aurite", "[aurite]\ntype = \"project\nx");
  EXPECT_THAT(problems_of(project()), Contains(HasSubstr("malformed TOML at line 2")));
  write(".aurite", "[other]\n");
  EXPECT_THAT(problems_of(project()), Contains(HasSubstr("no [aurite] table")));
  write(".aurite", "[aurite]\ntype = \"projet\"\n");
  EXPECT_THAT(problems_of(project()), Contains("aurite.type: 'projet' is not a type (expected \"project\" or \"workspace\")"));
  write(".aurite", "[aurite]\ntype = \"project\"\ninclude_configs = \"config\"\n");
  EXPECT_THAT(problems_of(project()), Contains("aurite.include_configs: expected an array of folder names"));
}

TEST_F(ComponentFiles, TypesAndNamesAreCheckedAndFilesThatAreNotComponentsSkipped) {
  write(".aurite", kProjectAnchor);
  write("config/a.json", R"([
    {"type": "agnt", "name": "x"},
    {"type": "agent"},
    {"type": "llm", "name": "twice", "provider": "test"},
    {"type": "llm", "name": "twice", "provider": "test"},
    {"type": "evaluation", "name": "e1"}
  ])");
  write("config/testing/dataset.json", R"({"cases": [1, 2, 3]})");
  const auto problems = problems_of(project());
  EXPECT_THAT(problems, Contains("config/a.json: [0].type: unknown type 'agnt' (did you mean 'agent'?) (expected agent, "
                                 "llm, mcp_server, linear_workflow, graph_workflow or custom_workflow)"));
  EXPECT_THAT(problems, Contains("config/a.json: [1]: a component needs a name (it has a type)"));
  EXPECT_THAT(problems, Contains("config/a.json: [3]: llm 'twice' is defined twice in this file (first at [2])"));
  const LoadedProject loaded = load_project_file(project(), ProblemPolicy::kLeaveOut);
  EXPECT_TRUE(any_contains(loaded.warnings, "config/testing/dataset.json: not a component (no type or name); skipped"));
  EXPECT_TRUE(any_contains(loaded.warnings, "kept out: evaluation 'e1'"));
}

TEST_F(ComponentFiles, McpServerFieldsTransportTypesAndPlaceholders) {
  write(".aurite", kProjectAnchor);
  write("config/servers.json", R"([
    {"type": "mcp_server", "name": "local", "transport_type": "local", "command": "npx",
     "args": ["-y", "server", "--token={API_TOKEN}", "{\"json\": 1}"], "registration_timeout": 5,
     "roots": [{"uri": "file:///tmp", "name": "tmp", "capabilities": ["read"]}], "exclude": ["rm"]},
    {"type": "mcp_server", "name": "remote", "http_endpoint": "https://{HOST}/mcp",
     "headers": {"Authorization": "Bearer {TOKEN}"}},
    {"type": "mcp_server", "name": "wrong", "transport_type": "stdio", "command": "x"}
  ])");
  EXPECT_THAT(problems_of(project()), Contains("config/servers.json: [2].transport_type: 'stdio' needs server_path"));
  const LoadedProject loaded = load_project_file(project(), ProblemPolicy::kLeaveOut);
  const ClientConfig& local = named(loaded.project.clients, "local");
  EXPECT_EQ(local.args[2], "--token=${API_TOKEN}");
  EXPECT_EQ(local.args[3], "{\"json\": 1}");  // not a variable name: left as it is
  EXPECT_EQ(local.registration_timeout, 5.0);
  ASSERT_EQ(local.roots.size(), 1u);
  EXPECT_EQ(local.roots[0].capabilities, (std::vector<std::string>{"read"}));
  EXPECT_EQ(local.exclude, (std::vector<std::string>{"rm"}));
  const ClientConfig& remote = named(loaded.project.clients, "remote");
  EXPECT_EQ(remote.url, "https://${HOST}/mcp");
  EXPECT_EQ(remote.headers.at("Authorization"), "Bearer ${TOKEN}");
}

TEST_F(ComponentFiles, AgentLlmOverridesAndWorkflowStepsOfEveryKind) {
  write(".aurite", kProjectAnchor);
  write("config/all.json", R"([
    {"type": "llm", "name": "base", "provider": "openai", "model": "gpt-4o", "api_base": "https://a.example/v1",
     "api_version": "2024-06-01"},
    {"type": "agent", "name": "A", "llm_config_id": "base", "system_prompt": "mine",
     "llm": {"model": "gpt-4o-mini", "temperature": 0.1, "max_tokens": 99, "system_prompt": "theirs",
             "api_base": "https://b.example/v1", "api_version": "2025-01-01"},
     "auto": true, "include_logging": false, "exclude_components": ["t"]},
    {"type": "custom_workflow", "name": "C", "module_path": "plugins/libc.so", "class_name": "K"},
    {"type": "linear_workflow", "name": "inner", "steps": ["A"]},
    {"type": "linear_workflow", "name": "outer", "include_history": false,
     "steps": [{"name": "inner", "type": "linear_workflow"}, "C", {"name": "A", "type": "agent"}]}
  ])");
  const LoadedProject loaded = load_project_file(project());
  const ProjectConfig& p = loaded.project;
  const LlmConfig& base = named(p.llms, "base");
  EXPECT_EQ(base.base_url, "https://a.example/v1");
  EXPECT_EQ(base.api_version, "2024-06-01");
  const AgentConfig& a = named(p.agents, "A");
  EXPECT_EQ(a.model, "gpt-4o-mini");
  EXPECT_EQ(a.temperature, 0.1);
  EXPECT_EQ(a.max_tokens, 99);
  EXPECT_EQ(a.system_prompt, "mine");  // the agent's own prompt wins, as in Aurite
  EXPECT_EQ(a.base_url, "https://b.example/v1");
  EXPECT_EQ(a.api_version, "2025-01-01");
  EXPECT_TRUE(loaded.unknown_keys.empty());
  EXPECT_TRUE(any_contains(loaded.warnings, "agent 'A': auto (choosing servers at run time) is not done here"));
  const WorkflowConfig& outer = named(p.workflows, "outer");
  ASSERT_EQ(outer.steps.size(), 3u);
  EXPECT_EQ(outer.steps[0], WorkflowStep("inner", "linear_workflow"));
  EXPECT_EQ(outer.steps[1], WorkflowStep("C"));
  EXPECT_EQ(outer.include_history, false);
}

TEST_F(ComponentFiles, AnApiKeyInAConfigFileIsRefused) {
  write(".aurite", kProjectAnchor);
  write("config/all.json", R"([{"type": "llm", "name": "base", "provider": "test"},
    {"type": "agent", "name": "A", "llm_config_id": "base", "llm": {"api_key": "sk-live-123"}}])");
  const auto problems = problems_of(project());
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_THAT(problems[0], HasSubstr("config/all.json: [1].llm.api_key: a key is not kept in a project"));
  EXPECT_THAT(problems[0], ::testing::Not(HasSubstr("sk-live-123")));
}

TEST_F(ComponentFiles, AWorkspaceSharesItsComponentsAndTheProjectsOwnComeFirst) {
  write(".aurite", "[aurite]\ntype = \"workspace\"\ninclude_configs = [\"shared\"]\nprojects = [\"alpha\", \"bravo\"]\n");
  write("shared/llms.json", R"([{"type": "llm", "name": "main", "provider": "test", "model": "workspace"},
                               {"type": "mcp_server", "name": "tools", "server_path": "servers/tool.py"}])");
  write("alpha/.aurite", kProjectAnchor);
  write("alpha/config/a.json", R"([{"type": "llm", "name": "main", "provider": "test", "model": "alpha"},
                                  {"type": "agent", "name": "Alpha Agent", "llm_config_id": "main", "mcp_servers": ["tools"]}])");
  write("bravo/.aurite", kProjectAnchor);
  write("bravo/config/b.json", R"([{"type": "agent", "name": "Bravo Agent", "llm_config_id": "main"}])");

  const LoadedProject alpha = load_project_file(project() / "alpha");
  EXPECT_EQ(named(alpha.project.llms, "main").model, "alpha");  // the project's own first
  EXPECT_EQ(alpha.project.base_dir, fs::weakly_canonical(project() / "alpha"));
  // A path from the workspace's folders resolves against the workspace, as there.
  EXPECT_EQ(named(alpha.project.clients, "tools").server_path, "../servers/tool.py");
  EXPECT_EQ(alpha.project.agents.size(), 2u);  // and the other projects' components after
  EXPECT_TRUE(any_contains(alpha.warnings, "../shared/llms.json: [0]: llm 'main' is also defined in config/a.json [0]"))
      << ::testing::PrintToString(alpha.warnings);

  const LoadedProject bravo = load_project_file(project() / "bravo");
  EXPECT_EQ(named(bravo.project.llms, "main").model, "workspace");
  // From the workspace itself, every project's components.
  const LoadedProject workspace = load_project_file(project());
  EXPECT_EQ(workspace.project.agents.size(), 2u);
  EXPECT_EQ(workspace.project.base_dir, fs::weakly_canonical(project()));
}

TEST_F(ComponentFiles, AProjectIsFoundFromAnyFolderInsideIt) {
  write(".aurite", kProjectAnchor);
  write("config/agents/a.json", R"({"type": "llm", "name": "x", "provider": "test"})");
  EXPECT_EQ(find_project(project() / "config" / "agents"), fs::weakly_canonical(project() / ".aurite"));
  write("aurite_config.json", "{}");
  EXPECT_EQ(find_project(project()), project() / "aurite_config.json");  // a project file here comes first
  EXPECT_EQ(locate_project(project()), project() / ".aurite");
  testing::TempDir empty;
  EXPECT_EQ(find_project(empty.path()), std::nullopt);
  EXPECT_THAT(problems_of(empty.path()), Contains(HasSubstr("is a folder with neither a .aurite file nor an aurite_config.json")));
}

// Graphs are checked as a whole: every problem with its path.
class GraphValidation : public ::testing::Test {
 protected:
  std::vector<std::string> problems(const std::string& nodes, const std::string& edges) {
    dir_.write(".aurite", kProjectAnchor);
    dir_.write("config/g.json", R"([{"type": "llm", "name": "m", "provider": "test"},
      {"type": "agent", "name": "Red", "llm_config_id": "m"},
      {"type": "graph_workflow", "name": "G", "nodes": )" + nodes + R"(, "edges": )" + edges + "}]");
    return problems_of(dir_.path());
  }
  testing::TempDir dir_;
};

constexpr const char* kTwoNodes = R"([{"node_id": "a", "name": "Red", "type": "agent"}, {"node_id": "b", "name": "Red", "type": "agent"}])";

TEST_F(GraphValidation, AValidGraphHasNoProblems) {
  EXPECT_TRUE(problems(kTwoNodes, R"([{"from": "a", "to": "b"}])").empty());
}

TEST_F(GraphValidation, DuplicateNodeIdsUnknownAgentsAndOtherTypes) {
  const auto found = problems(R"([{"node_id": "a", "name": "Red", "type": "agent"}, {"node_id": "a", "name": "Blue", "type": "agent"},
                                  {"node_id": "c", "name": "Red", "type": "linear_workflow"}])",
                              "[]");
  EXPECT_THAT(found, Contains("config/g.json: [2].nodes[1].node_id: duplicate node_id 'a' (already used by config/g.json [2].nodes[0])"));
  EXPECT_THAT(found, Contains("config/g.json: [2].nodes[1].name: unknown agent 'Blue'"));
  EXPECT_THAT(found, Contains("config/g.json: [2].nodes[2].type: a node runs an agent, not 'linear_workflow'"));
}

TEST_F(GraphValidation, EdgesToUnknownNodes) {
  const auto found = problems(kTwoNodes, R"([{"from": "a", "to": "bb"}, {"from": "x", "to": "a"}])");
  EXPECT_THAT(found, Contains("config/g.json: [2].edges[0].to: unknown node 'bb' (did you mean 'b'?)"));
  EXPECT_THAT(found, Contains(HasSubstr("config/g.json: [2].edges[1].from: unknown node 'x'")));
}

TEST_F(GraphValidation, ACycleIsNamedNodeByNode) {
  EXPECT_THAT(problems(kTwoNodes, R"([{"from": "a", "to": "b"}, {"from": "b", "to": "a"}])"),
              Contains("config/g.json: [2].edges: the graph has a cycle: a -> b -> a"));
  EXPECT_THAT(problems(kTwoNodes, R"([{"from": "a", "to": "a"}])"),
              Contains("config/g.json: [2].edges: the graph has a cycle: a -> a"));
  EXPECT_THAT(problems("[]", "[]"), Contains("config/g.json: [2].nodes: a graph workflow needs at least one node"));
}

TEST(WorkflowValidation, AWorkflowThatRunsItselfIsRefused) {
  ProjectConfig project;
  project.llms.push_back({});
  project.llms[0].llm_id = "m";
  project.llms[0].provider = "test";
  project.agents.push_back({});
  project.agents[0].name = "A";
  project.agents[0].llm_config_id = "m";
  WorkflowConfig one;
  one.name = "one";
  one.steps = {"A", WorkflowStep("two", "linear_workflow")};
  WorkflowConfig two;
  two.name = "two";
  two.steps = {"one"};
  project.workflows = {one, two};
  std::vector<std::string> found;
  for (const auto& d : validate_project(project)) found.push_back(to_string(d));
  EXPECT_THAT(found, Contains("workflows[0].steps: the workflow runs itself: one -> two -> one"));
  project.workflows[1].steps = {WorkflowStep("A", "custom_workflow")};
  found.clear();
  for (const auto& d : validate_project(project)) found.push_back(to_string(d));
  EXPECT_THAT(found, Contains("workflows[1].steps[0].name: unknown custom_workflow 'A'"));
}

}  // namespace
}  // namespace aurite::config
