#include "aurite/config/models.hpp"

#include <algorithm>

namespace aurite::config {

std::string_view kind_name(ComponentKind kind) {
  switch (kind) {
    case ComponentKind::kClient: return "client";
    case ComponentKind::kLlm: return "llm";
    case ComponentKind::kAgent: return "agent";
    case ComponentKind::kWorkflow: return "workflow";
    case ComponentKind::kCustomWorkflow: return "custom workflow";
    case ComponentKind::kGraphWorkflow: return "graph workflow";
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
    case ComponentKind::kGraphWorkflow: return "graph_workflows";
  }
  return "components";
}

bool is_known_provider(std::string_view provider) {
  return std::find(std::begin(kProviders), std::end(kProviders), provider) != std::end(kProviders);
}

double Pricing::cost_usd(std::int64_t input_tokens, std::int64_t output_tokens, std::int64_t cache_read_tokens,
                         std::int64_t cache_write_tokens) const {
  const double tokens = static_cast<double>(input_tokens) * input_per_mtok +
                        static_cast<double>(output_tokens) * output_per_mtok +
                        static_cast<double>(cache_read_tokens) * cache_read_per_mtok.value_or(input_per_mtok) +
                        static_cast<double>(cache_write_tokens) * cache_write_per_mtok.value_or(input_per_mtok);
  return tokens / 1e6;
}

const Pricing* find_pricing(const std::vector<LlmConfig>& llms, const std::string& llm_id,
                            const std::string& provider, const std::string& model) {
  if (!llm_id.empty()) {
    for (const auto& llm : llms) {
      if (llm.llm_id == llm_id && llm.pricing) return &*llm.pricing;
    }
  }
  for (const auto& llm : llms) {
    if (llm.pricing && llm.provider == provider && llm.model.value_or(llm.provider) == model) return &*llm.pricing;
  }
  return nullptr;
}

bool is_python_workflow(const CustomWorkflowConfig& workflow) {
  const std::string& path = workflow.module_path;
  const auto ends_with = [&path](std::string_view tail) {
    return path.size() >= tail.size() && path.compare(path.size() - tail.size(), tail.size(), tail) == 0;
  };
  if (ends_with(".py")) return true;
  // "custom_workflows.example_workflow": a module, not a file; a library has a / or .so.
  return path.find('/') == std::string::npos && path.find(".so") == std::string::npos && !ends_with(".dylib") &&
         path.find('.') != std::string::npos;
}

std::filesystem::path resolve_path(const std::filesystem::path& base_dir, const std::string& path) {
  const std::filesystem::path p(path);
  if (p.is_absolute() || base_dir.empty()) return p;
  return (base_dir / p).lexically_normal();
}

}  // namespace aurite::config
