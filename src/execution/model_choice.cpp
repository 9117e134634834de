#include <fmt/format.h>

#include "aurite/common/error.hpp"
#include "aurite/execution/agent.hpp"

namespace aurite::execution {

ModelChoice choose_model(const config::AgentConfig& agent, const std::optional<config::LlmConfig>& llm) {
  ModelChoice choice;
  if (agent.llm_config_id) {
    const auto& it = llm;
    if (!it) {
      throw Error(ErrorCode::kInvalidConfig,
                  fmt::format("agent '{}': unknown llm '{}'", agent.name, *agent.llm_config_id));
    }
    choice.provider.provider = it->provider;
    choice.provider.base_url = it->base_url;
    choice.provider.api_key_env = it->api_key_env;
    choice.model = it->model.value_or(it->provider);
    choice.temperature = it->temperature;
    if (it->max_tokens) choice.max_tokens = *it->max_tokens;
    choice.default_system_prompt = it->default_system_prompt;
    choice.llm_id = it->llm_id;
    choice.pricing = it->pricing;
  } else if (agent.provider || agent.model) {
    choice.provider.provider = agent.provider.value_or("anthropic");
    choice.model = agent.model.value_or(choice.provider.provider);
  } else {
    throw Error(ErrorCode::kInvalidConfig,
                fmt::format("agent '{}' has no model: set llm_config_id, or provider and model", agent.name));
  }
  if (agent.llm_config_id && agent.model) choice.model = *agent.model;
  if (agent.base_url) choice.provider.base_url = agent.base_url;
  if (!config::is_known_provider(choice.provider.provider)) {
    throw Error(ErrorCode::kInvalidConfig,
                fmt::format("agent '{}'{}: provider '{}' is not one this build speaks (anthropic, openai or test)",
                            agent.name, agent.llm_config_id ? fmt::format(" (llm '{}')", *agent.llm_config_id) : "",
                            choice.provider.provider));
  }
  if (agent.temperature) choice.temperature = agent.temperature;
  if (agent.max_tokens) choice.max_tokens = *agent.max_tokens;
  return choice;
}

}  // namespace aurite::execution
