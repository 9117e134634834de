// Loading an Aurite 0.4 project: the component files of its config folders, read into
// one ProjectConfig, with every problem named by file and JSON path as written there.
#include <algorithm>
#include <functional>
#include <map>
#include <regex>
#include <set>

#include <fmt/format.h>

#include "aurite/common/text.hpp"
#include "aurite/config/json_codec.hpp"
#include "aurite/config/names.hpp"
#include "aurite/config/project_file.hpp"
#include "aurite/config/validate.hpp"
#include "config/anchor_file.hpp"
#include "config/component_files.hpp"
#include "config/field_reader.hpp"

namespace aurite::config {
namespace {

namespace fs = std::filesystem;
using detail::RawComponent;

// Aurite 0.4's component types and the kinds they are here.
const std::map<std::string, ComponentKind, std::less<>> kTypes = {
    {"mcp_server", ComponentKind::kClient},         {"llm", ComponentKind::kLlm},
    {"agent", ComponentKind::kAgent},               {"linear_workflow", ComponentKind::kWorkflow},
    {"custom_workflow", ComponentKind::kCustomWorkflow}, {"graph_workflow", ComponentKind::kGraphWorkflow}};
// Types Aurite 0.4 has that nothing here runs: kept out, with one warning.
const std::set<std::string, std::less<>> kUnsupportedTypes = {"evaluation", "security"};

// Our field names in diagnostics, and Aurite 0.4's for the same field.
const std::map<ComponentKind, std::vector<std::pair<std::string, std::string>>> kAliases = {
    {ComponentKind::kClient, {{"client_id", "name"}, {"url", "http_endpoint"}}},
    {ComponentKind::kLlm, {{"llm_id", "name"}, {"base_url", "api_base"}, {"api_key_env", "api_key_env_var"}}},
    {ComponentKind::kAgent, {{"client_ids", "mcp_servers"}, {"schema", "config_validation_schema"}}}};

std::string_view type_of(ComponentKind kind) {
  for (const auto& [type, k] : kTypes) {
    if (k == kind) return type;
  }
  return "component";
}

// Aurite expands {NAME} from the environment in an mcp_server's args and endpoint; here
// headers too. Written as ${NAME}, so the client expands it when it connects, as any
// other reference (an unset variable is then an error naming it).
std::string dollar_placeholders(const std::string& text) {
  static const std::regex placeholder(R"((^|[^$])\{([A-Za-z_][A-Za-z0-9_]*)\})");
  return std::regex_replace(text, placeholder, "$1$${$2}");
}

Json with_placeholders(Json json) {
  for (const char* key : {"args", "http_endpoint", "url", "headers"}) {
    if (!json.contains(key)) continue;
    Json& value = json[key];
    if (value.is_string()) value = dollar_placeholders(value.get<std::string>());
    if (value.is_array() || value.is_object()) {
      for (auto& item : value) {
        if (item.is_string()) item = dollar_placeholders(item.get<std::string>());
      }
    }
  }
  return json;
}

// A path relative to the folder that listed the component, made relative to the project's.
void rebase(std::optional<std::string>& path, const fs::path& from, const fs::path& to) {
  if (!path || path->empty() || fs::path(*path).is_absolute() || from == to) return;
  *path = (from / *path).lexically_normal().lexically_relative(to).string();
}

// A component in a diagnostic: "agents[3]".
const std::regex& component_reference() {
  static const std::regex reference(R"((clients|llms|agents|workflows|custom_workflows|graph_workflows)\[(\d+)\])");
  return reference;
}

struct Origin {
  std::string file;
  std::string path;  // in the file
  Json json;         // as written
};

class ProjectAssembler {
 public:
  ProjectAssembler(const fs::path& base_dir, std::vector<std::string>& warnings) : warnings_(warnings) {
    project_.base_dir = base_dir;
  }

  void add(const RawComponent& raw) {
    const std::string type = raw.json["type"].get<std::string>();
    const std::string name = raw.json["name"].get<std::string>();
    const std::string where = raw.path.empty() ? raw.file : raw.file + ": " + raw.path;
    const auto kind_it = kTypes.find(type);
    if (kind_it == kTypes.end()) {
      if (kUnsupportedTypes.count(type)) {
        unsupported_.push_back(fmt::format("{} '{}'", type, name));
        return;
      }
      std::vector<std::string> known;
      for (const auto& [t, unused] : kTypes) known.push_back(t);
      file_problems_.push_back({raw.file + ": " + detail::key_path(raw.path, "type"),
                                fmt::format("unknown type '{}'{} (expected agent, llm, mcp_server, linear_workflow, "
                                            "graph_workflow or custom_workflow)",
                                            excerpt(type), did_you_mean(type, known))});
      return;
    }
    const ComponentKind kind = kind_it->second;
    const auto [first, inserted] = first_seen_.emplace(std::pair{type, name}, std::pair{raw.file, raw.path});
    if (!inserted) {
      const auto& [file, path] = first->second;
      if (file == raw.file) {
        file_problems_.push_back({where, fmt::format("{} '{}' is defined twice in this file (first at {})", type,
                                                     excerpt(name), path)});
      } else {
        warnings_.push_back(fmt::format("{}: {} '{}' is also defined in {}{}, which comes first in include order "
                                        "and is the one used",
                                        where, type, excerpt(name), file, path.empty() ? "" : " " + path));
      }
      return;
    }
    switch (kind) {
      case ComponentKind::kClient: {
        ClientConfig client = parse(parse_client, with_placeholders(raw.json), raw, kind, name);
        rebase(client.server_path, raw.context_root, project_.base_dir);
        rebase(client.ca_file, raw.context_root, project_.base_dir);
        if (client.auth) rebase(client.auth->private_key_file, raw.context_root, project_.base_dir);
        keep(project_.clients, std::move(client), kind, raw);
        break;
      }
      case ComponentKind::kLlm: {
        LlmConfig llm = parse(parse_llm, raw.json, raw, kind, name);
        if (!is_known_provider(llm.provider)) {
          warnings_.push_back(fmt::format("{}: llm '{}': provider '{}' is not one this build speaks (anthropic, "
                                          "openai, test); agents using it cannot run",
                                          where, excerpt(name), excerpt(llm.provider)));
        }
        keep(project_.llms, std::move(llm), kind, raw);
        break;
      }
      case ComponentKind::kAgent: {
        AgentConfig agent = parse(parse_agent, raw.json, raw, kind, name);
        if (!agent.max_iterations) agent.max_iterations = kAurite04DefaultMaxIterations;
        if (agent.extra.value("auto", false)) {
          warnings_.push_back(fmt::format("{}: agent '{}': auto (choosing servers at run time) is not done here; "
                                          "the agent uses the mcp_servers it lists",
                                          where, excerpt(name)));
        }
        if (agent.extra.contains("evaluation")) {
          warnings_.push_back(fmt::format("{}: agent '{}': evaluation is not run here; kept as written", where,
                                          excerpt(name)));
        }
        keep(project_.agents, std::move(agent), kind, raw);
        break;
      }
      case ComponentKind::kWorkflow:
        keep(project_.workflows, parse(parse_workflow, raw.json, raw, kind, name), kind, raw);
        break;
      case ComponentKind::kCustomWorkflow: {
        CustomWorkflowConfig workflow = parse(parse_custom_workflow, raw.json, raw, kind, name);
        if (is_python_workflow(workflow)) {
          warnings_.push_back(fmt::format("{}: custom_workflow '{}' is a Python workflow: it is listed, but running "
                                          "it is an error (C++ plugins replace Python workflows)",
                                          where, excerpt(name)));
        } else {
          std::optional<std::string> module = workflow.module_path;
          rebase(module, raw.context_root, project_.base_dir);
          workflow.module_path = *module;
        }
        keep(project_.custom_workflows, std::move(workflow), kind, raw);
        break;
      }
      case ComponentKind::kGraphWorkflow:
        keep(project_.graph_workflows, parse(parse_graph_workflow, raw.json, raw, kind, name), kind, raw);
        break;
    }
  }

  // Validates what was read, files every problem under its component, and says which
  // types were kept out.
  void finish() {
    if (!unsupported_.empty()) {
      std::string list;
      for (const auto& item : unsupported_) list += (list.empty() ? "" : ", ") + item;
      warnings_.push_back(fmt::format("{} component{} of a type Aurite 0.4 has and this build does not run, kept "
                                      "out: {}",
                                      unsupported_.size(), unsupported_.size() == 1 ? "" : "s", list));
    }
    const ValidateOptions options{kAurite04Vocabulary, /*any_provider=*/true};
    for (auto& diagnostic : validate_project(project_, options)) attribute(std::move(diagnostic));
  }

  ProjectConfig& project() { return project_; }
  std::vector<UnknownKey>& unknown_keys() { return unknown_keys_; }
  const std::vector<Diagnostic>& file_problems() const { return file_problems_; }
  // (kind, name) -> problems.
  const std::map<std::pair<ComponentKind, std::string>, std::vector<Diagnostic>>& component_problems() const {
    return component_problems_;
  }

  // Every component's problems, in the order the components were read.
  std::vector<Diagnostic> component_problems_in_order() const {
    std::vector<Diagnostic> all;
    for (const auto& key : order_) {
      const auto it = component_problems_.find(key);
      if (it != component_problems_.end()) all.insert(all.end(), it->second.begin(), it->second.end());
    }
    return all;
  }

 private:
  template <typename T>
  T parse(T (*parse_fn)(const Json&, const std::string&, ParseReport&), const Json& json, const RawComponent& raw,
          ComponentKind kind, const std::string& name) {
    ParseReport report;
    auto component = parse_fn(json, raw.path, report);
    for (auto& error : report.errors) {
      component_problems_[{kind, name}].push_back({raw.file + ": " + error.path, std::move(error.message)});
    }
    for (auto& key : report.unknown_keys) {
      key.path = raw.file + ": " + key.path;
      unknown_keys_.push_back(std::move(key));
    }
    return component;
  }

  template <typename T>
  void keep(std::vector<T>& into, T component, ComponentKind kind, const RawComponent& raw) {
    const std::string& name = name_of(component);
    origins_[{kind, into.size()}] = {raw.file, raw.path, raw.json};
    order_.push_back({kind, name});
    into.push_back(std::move(component));
  }

  // "agents[3].client_ids[0]" -> the component at agents[3], and the path as its file has it.
  void attribute(Diagnostic diagnostic) {
    const std::regex& component_ref = component_reference();
    diagnostic.message = rewrite_references(diagnostic.message);
    std::smatch match;
    if (!std::regex_search(diagnostic.path, match, component_ref) || match.position(0) != 0) {
      file_problems_.push_back(std::move(diagnostic));
      return;
    }
    const auto found = find_origin(match[1].str(), std::stoul(match[2].str()));
    if (!found) {
      file_problems_.push_back(std::move(diagnostic));
      return;
    }
    const auto& [kind, index, origin] = *found;
    std::string rest = diagnostic.path.substr(static_cast<std::size_t>(match.length(0)));
    if (rest.size() > 1 && rest[0] == '.') {
      const std::size_t end = rest.find_first_of(".[", 1);
      const std::string key = rest.substr(1, end == std::string::npos ? std::string::npos : end - 1);
      const auto aliases = kAliases.find(kind);
      if (aliases != kAliases.end() && !origin->json.contains(key)) {
        for (const auto& [ours, theirs] : aliases->second) {
          if (ours == key && origin->json.contains(theirs)) rest = "." + theirs + rest.substr(key.size() + 1);
        }
      }
    }
    std::string path = origin->path + rest;
    if (!path.empty() && path[0] == '.') path.erase(0, 1);
    component_problems_[{kind, name_at(kind, index)}].push_back(
        {origin->file + (path.empty() ? "" : ": " + path), std::move(diagnostic.message)});
  }

  std::optional<std::tuple<ComponentKind, std::size_t, const Origin*>> find_origin(const std::string& key,
                                                                                  std::size_t index) const {
    for (const ComponentKind kind : kComponentKinds) {
      if (kind_key(kind) != key) continue;
      const auto it = origins_.find({kind, index});
      if (it != origins_.end()) return std::tuple{kind, index, &it->second};
    }
    return std::nullopt;
  }

  // "(already used by agents[3])" -> "(already used by config/agents.json: [3])".
  std::string rewrite_references(const std::string& message) const {
    const std::regex& component_ref = component_reference();
    std::string out;
    auto begin = message.cbegin();
    for (std::sregex_iterator it(message.begin(), message.end(), component_ref), end; it != end; ++it) {
      out.append(begin, message.cbegin() + it->position(0));
      const auto found = find_origin((*it)[1].str(), std::stoul((*it)[2].str()));
      if (found) {
        const Origin* origin = std::get<2>(*found);
        out += origin->path.empty() ? origin->file : origin->file + " " + origin->path;
      } else {
        out += it->str();
      }
      begin = message.cbegin() + it->position(0) + it->length(0);
    }
    out.append(begin, message.cend());
    return out;
  }

  std::string name_at(ComponentKind kind, std::size_t index) const {
    return visit_components(project_, kind, [index](const auto& items) { return name_of(items.at(index)); });
  }

  std::vector<std::string>& warnings_;
  ProjectConfig project_;
  std::vector<UnknownKey> unknown_keys_;
  std::vector<Diagnostic> file_problems_;
  std::map<std::pair<ComponentKind, std::string>, std::vector<Diagnostic>> component_problems_;
  std::vector<std::pair<ComponentKind, std::string>> order_;
  std::map<std::pair<ComponentKind, std::size_t>, Origin> origins_;
  std::map<std::pair<std::string, std::string>, std::pair<std::string, std::string>> first_seen_;
  std::vector<std::string> unsupported_;
};

using ComponentKey = std::pair<ComponentKind, std::string>;

// What a component uses, by kind and name.
std::vector<ComponentKey> uses_of(const ProjectConfig& project, const ComponentKey& key) {
  std::vector<ComponentKey> uses;
  // Names are unique among agents, workflows and custom workflows (validation says so).
  const auto runnable = [&](const std::string& name) -> std::optional<ComponentKey> {
    const auto named = [&name](const auto& c) { return name_of(c) == name; };
    if (std::any_of(project.agents.begin(), project.agents.end(), named)) return ComponentKey{ComponentKind::kAgent, name};
    if (std::any_of(project.workflows.begin(), project.workflows.end(), named)) {
      return ComponentKey{ComponentKind::kWorkflow, name};
    }
    if (std::any_of(project.custom_workflows.begin(), project.custom_workflows.end(), named)) {
      return ComponentKey{ComponentKind::kCustomWorkflow, name};
    }
    return std::nullopt;
  };
  const auto& [kind, name] = key;
  if (kind == ComponentKind::kAgent) {
    for (const auto& agent : project.agents) {
      if (agent.name != name) continue;
      for (const auto& client : agent.client_ids) uses.push_back({ComponentKind::kClient, client});
      if (agent.llm_config_id) uses.push_back({ComponentKind::kLlm, *agent.llm_config_id});
    }
  } else if (kind == ComponentKind::kWorkflow) {
    for (const auto& workflow : project.workflows) {
      if (workflow.name != name) continue;
      for (const auto& step : workflow.steps) {
        if (auto used = runnable(step.name)) uses.push_back(*used);
      }
    }
  } else if (kind == ComponentKind::kGraphWorkflow) {
    for (const auto& workflow : project.graph_workflows) {
      if (workflow.name != name) continue;
      for (const auto& node : workflow.nodes) uses.push_back({ComponentKind::kAgent, node.name});
    }
  }
  return uses;
}

// Leaves out every component with problems and every one that uses such a component,
// each recorded with its problems and those of what it uses.
void leave_out_broken(ProjectConfig& project, const std::string& source,
                      const std::map<ComponentKey, std::vector<Diagnostic>>& problems,
                      std::vector<std::string>& warnings) {
  std::set<ComponentKey> out;
  for (const auto& [key, unused] : problems) out.insert(key);
  std::map<ComponentKey, std::vector<ComponentKey>> broken_uses;
  // The kinds that use others.
  std::vector<ComponentKey> users;
  for (const auto& a : project.agents) users.push_back({ComponentKind::kAgent, a.name});
  for (const auto& w : project.workflows) users.push_back({ComponentKind::kWorkflow, w.name});
  for (const auto& w : project.graph_workflows) users.push_back({ComponentKind::kGraphWorkflow, w.name});
  for (bool grew = true; grew;) {
    grew = false;
    for (const ComponentKey& key : users) {
      for (const auto& used : uses_of(project, key)) {
        if (!out.count(used)) continue;
        auto& list = broken_uses[key];
        if (std::find(list.begin(), list.end(), used) == list.end()) list.push_back(used);
        if (out.insert(key).second) grew = true;
      }
    }
  }
  if (out.empty()) return;
  // Its own problems, then for each broken thing it uses, that it does and why, down
  // to the problems at the bottom; each component explained once.
  std::function<void(const ComponentKey&, std::set<ComponentKey>&, std::vector<Diagnostic>&)> explain =
      [&](const ComponentKey& key, std::set<ComponentKey>& explained, std::vector<Diagnostic>& into) {
        if (!explained.insert(key).second) return;
        if (const auto own = problems.find(key); own != problems.end()) {
          into.insert(into.end(), own->second.begin(), own->second.end());
        }
        for (const auto& used : broken_uses[key]) {
          into.push_back({"", fmt::format("{} '{}' uses {} '{}', which has problems", type_of(key.first), key.second,
                                          type_of(used.first), used.second)});
          explain(used, explained, into);
        }
      };
  std::string listed;
  for (const auto& key : out) {
    LeftOutComponent left{key.first, key.second, source, {}};
    std::set<ComponentKey> explained;
    explain(key, explained, left.problems);
    project.left_out.push_back(std::move(left));
    listed += fmt::format("{}{} '{}'", listed.empty() ? "" : ", ", type_of(key.first), key.second);
  }
  warnings.push_back(fmt::format("left out, with problems (aurite validate lists them): {}", listed));
  for (const ComponentKind kind : kComponentKinds) {
    visit_components(project, kind, [&](auto& components) {
      std::erase_if(components, [&](const auto& c) { return out.count({kind, name_of(c)}) != 0; });
    });
  }
}

}  // namespace

LoadedProject load_component_project(const fs::path& anchor, ProblemPolicy policy) {
  const detail::ProjectContext context = detail::resolve_context(anchor);
  LoadedProject loaded;
  loaded.format = ProjectFormat::kComponentFiles;
  loaded.warnings = context.warnings;
  detail::ComponentScan scan;
  for (const auto& source : context.sources) detail::scan_source(source, context.base_dir, scan);
  loaded.warnings.insert(loaded.warnings.end(), scan.warnings.begin(), scan.warnings.end());

  ProjectAssembler assembler(context.base_dir, loaded.warnings);
  for (const auto& raw : scan.components) assembler.add(raw);
  assembler.finish();
  std::vector<Diagnostic> file_problems = scan.errors;
  file_problems.insert(file_problems.end(), assembler.file_problems().begin(), assembler.file_problems().end());

  const std::string source = anchor.string();
  if (policy == ProblemPolicy::kRefuse) {
    std::vector<Diagnostic> all = file_problems;
    const auto rest = assembler.component_problems_in_order();
    all.insert(all.end(), rest.begin(), rest.end());
    if (!all.empty()) throw ConfigError(source, std::move(all));
  } else {
    for (const auto& problem : file_problems) loaded.warnings.push_back(to_string(problem));
    leave_out_broken(assembler.project(), source, assembler.component_problems(), loaded.warnings);
    // What is left must stand on its own, or something above was missed.
    auto remaining = validate_project(assembler.project(), {kAurite04Vocabulary, true});
    if (!remaining.empty()) throw ConfigError(source, std::move(remaining));
  }
  loaded.project = std::move(assembler.project());
  loaded.unknown_keys = std::move(assembler.unknown_keys());
  return loaded;
}

}  // namespace aurite::config
