#include "aurite/config/models.hpp"

namespace aurite::config {

std::string_view kind_name(ComponentKind kind) {
  switch (kind) {
    case ComponentKind::kClient: return "client";
    case ComponentKind::kLlm: return "llm";
    case ComponentKind::kAgent: return "agent";
    case ComponentKind::kWorkflow: return "workflow";
    case ComponentKind::kCustomWorkflow: return "custom workflow";
  }
  return "component";
}

std::string with_article(ComponentKind kind) {
  const std::string_view name = kind_name(kind);
  // "llm" is said "el-el-em": an.
  const bool vowel_sound = name == "llm" || std::string_view("aeiou").find(name.front()) != std::string_view::npos;
  return (vowel_sound ? "an " : "a ") + std::string(name);
}

std::string_view kind_key(ComponentKind kind) {
  switch (kind) {
    case ComponentKind::kClient: return "clients";
    case ComponentKind::kLlm: return "llms";
    case ComponentKind::kAgent: return "agents";
    case ComponentKind::kWorkflow: return "workflows";
    case ComponentKind::kCustomWorkflow: return "custom_workflows";
  }
  return "components";
}

std::filesystem::path resolve_path(const std::filesystem::path& base_dir, const std::string& path) {
  const std::filesystem::path p(path);
  if (p.is_absolute() || base_dir.empty()) return p;
  return (base_dir / p).lexically_normal();
}

}  // namespace aurite::config
