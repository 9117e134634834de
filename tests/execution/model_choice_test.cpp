#include <gtest/gtest.h>

#include "aurite/common/error.hpp"
#include "aurite/execution/agent.hpp"

namespace aurite::execution {
namespace {

TEST(ChooseModel, LlmConfigWithAgentOverrides) {
  config::LlmConfig llm;
  llm.llm_id = "local";
  llm.provider = "openai";
  llm.model = "llama3.2";
  llm.base_url = "http://127.0.0.1:11434/v1";
  llm.temperature = 0.1;
  llm.max_tokens = 100;
  config::AgentConfig agent;
  agent.name = "a";
  agent.llm_config_id = "local";
  agent.temperature = 0.9;
  const auto choice = choose_model(agent, llm);
  EXPECT_EQ(choice.provider.provider, "openai");
  EXPECT_EQ(choice.provider.base_url, "http://127.0.0.1:11434/v1");
  EXPECT_EQ(choice.model, "llama3.2");
  EXPECT_EQ(choice.temperature, 0.9);
  EXPECT_EQ(choice.max_tokens, 100);
}

TEST(ChooseModel, InlineModelDefaultsToAnthropic) {
  config::AgentConfig agent;
  agent.name = "a";
  agent.model = "claude-3-opus-20240229";
  const auto choice = choose_model(agent, std::nullopt);
  EXPECT_EQ(choice.provider.provider, "anthropic");
  EXPECT_EQ(choice.model, "claude-3-opus-20240229");
  EXPECT_EQ(choice.max_tokens, config::kDefaultMaxTokens);
}

TEST(ChooseModel, NoModelOrUnknownLlmIsAConfigErrorNamingTheAgent) {
  config::AgentConfig agent;
  agent.name = "lonely";
  try {
    choose_model(agent, std::nullopt);
    FAIL();
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kInvalidConfig);
    EXPECT_NE(std::string(error.what()).find("agent 'lonely' has no model"), std::string::npos);
  }
  agent.llm_config_id = "gone";
  EXPECT_THROW(choose_model(agent, std::nullopt), Error);
}

}  // namespace
}  // namespace aurite::execution
