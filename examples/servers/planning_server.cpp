// aurite-example-planning-server [--plans-dir DIR] [--http HOST:PORT]: an MCP server that
// keeps plans as Markdown files, on stdio, or with --http on Streamable HTTP at
// http://HOST:PORT/mcp.
//
//   tools      save_plan {plan_name, plan_content, tags?} -> DIR/<plan_name>.md
//              list_plans {}                               -> the saved plan names
//   prompt     create_plan_prompt {subject, details?}      -> a request to write a plan
//   resources  planning://plan/<plan_name>, one per saved plan
//
// Plan names are checked before they touch the file system (letters, digits, space,
// '-', '_', '.', not starting with '.'), so no name can leave DIR.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

#include "aurite/common/error.hpp"
#include "aurite/mcp/http_server.hpp"
#include "aurite/mcp/server.hpp"

namespace {

namespace fs = std::filesystem;
using aurite::Error;
using aurite::ErrorCode;
using aurite::mcp::Json;
using aurite::mcp::ToolResult;

constexpr std::string_view kUriPrefix = "planning://plan/";
constexpr std::size_t kMaxNameLength = 100;

bool valid_plan_name(const std::string& name) {
  if (name.empty() || name.size() > kMaxNameLength || name.front() == '.' || name.back() == ' ') return false;
  return std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::isalnum(c) != 0 || c == ' ' || c == '-' || c == '_' || c == '.';
  });
}

class PlanStore {
 public:
  explicit PlanStore(fs::path dir) : dir_(std::move(dir)) { fs::create_directories(dir_); }

  fs::path path_of(const std::string& name) const {
    if (!valid_plan_name(name)) {
      throw Error(ErrorCode::kInvalidArgument,
                  "invalid plan name '" + name + "': use letters, digits, space, '-', '_' or '.', not starting with '.'");
    }
    return dir_ / (name + ".md");
  }

  // Writes to a temporary file and renames it, so a reader never sees half a plan.
  void save(const std::string& name, const std::string& content) {
    const fs::path target = path_of(name);
    std::lock_guard lock(mutex_);
    const fs::path temp = dir_ / (".tmp-" + std::to_string(::getpid()) + "-" + name);
    {
      std::ofstream out(temp, std::ios::binary | std::ios::trunc);
      out << content;
      if (!out.flush()) throw Error(ErrorCode::kIo, "cannot write " + temp.string());
    }
    fs::rename(temp, target);
  }

  std::string read(const std::string& name) const {
    std::ifstream in(path_of(name), std::ios::binary);
    if (!in) throw Error(ErrorCode::kNotFound, "no plan named '" + name + "'");
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }

  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& entry : fs::directory_iterator(dir_)) {
      const auto file = entry.path().filename().string();
      if (entry.is_regular_file() && entry.path().extension() == ".md" && file.front() != '.') {
        out.push_back(entry.path().stem().string());
      }
    }
    std::sort(out.begin(), out.end());
    return out;
  }

 private:
  fs::path dir_;
  std::mutex mutex_;
};

std::string required_string(const Json& args, const char* key) {
  if (!args.contains(key) || !args[key].is_string()) {
    throw Error(ErrorCode::kInvalidArgument, std::string("missing string argument '") + key + "'");
  }
  return args[key].get<std::string>();
}

std::string plan_document(const std::string& name, const std::string& content, const Json& tags) {
  std::string doc = "# " + name + "\n\n";
  if (tags.is_array() && !tags.empty()) {
    doc += "Tags:";
    for (const auto& tag : tags) {
      if (!tag.is_string()) throw Error(ErrorCode::kInvalidArgument, "tags must be strings");
      doc += " " + tag.get<std::string>();
    }
    doc += "\n\n";
  }
  return doc + content + (content.empty() || content.back() != '\n' ? "\n" : "");
}

void register_all(aurite::mcp::McpServer& server, PlanStore& store) {
  server.add_tool({"save_plan", "Save a plan as Markdown under a name (replaces a plan of that name).",
                   {{"type", "object"},
                    {"properties", {{"plan_name", {{"type", "string"}}},
                                    {"plan_content", {{"type", "string"}}},
                                    {"tags", {{"type", "array"}, {"items", {{"type", "string"}}}}}}},
                    {"required", {"plan_name", "plan_content"}}},
                   [&store](const Json& args) {
                     const std::string name = required_string(args, "plan_name");
                     store.save(name, plan_document(name, required_string(args, "plan_content"),
                                                    args.value("tags", Json::array())));
                     ToolResult result = aurite::mcp::text_result("Saved plan '" + name + "'");
                     result.structured_content = Json{{"plan_name", name}, {"uri", std::string(kUriPrefix) + name}};
                     return result;
                   }});
  server.add_tool({"list_plans", "List the names of the saved plans.", {{"type", "object"}, {"properties", Json::object()}},
                   [&store](const Json&) {
                     const auto names = store.names();
                     std::string text = names.empty() ? "No plans saved." : "Saved plans:";
                     for (const auto& n : names) text += "\n- " + n;
                     ToolResult result = aurite::mcp::text_result(text);
                     result.structured_content = Json{{"plans", names}};
                     return result;
                   }});
  server.add_prompt({"create_plan_prompt", "Ask for a plan about a subject, ready to save with save_plan.",
                     Json::array({{{"name", "subject"}, {"description", "What the plan is for"}, {"required", true}},
                                  {{"name", "details"}, {"description", "Anything the plan must consider"}, {"required", false}}}),
                     [](const Json& args) {
                       const std::string subject = required_string(args, "subject");
                       std::string text = "Write a short, practical plan for: " + subject + ".";
                       if (args.contains("details") && args["details"].is_string()) {
                         text += " Consider: " + args["details"].get<std::string>() + ".";
                       }
                       text += " Then save it with the save_plan tool.";
                       return Json::array({{{"role", "user"}, {"content", {{"type", "text"}, {"text", text}}}}});
                     }});
  server.set_resources(
      [&store] {
        std::vector<aurite::mcp::ServerResource> out;
        for (const auto& name : store.names()) {
          out.push_back({std::string(kUriPrefix) + name, name, "The saved plan '" + name + "'", "text/markdown"});
        }
        return out;
      },
      [&store](const std::string& uri) {
        if (uri.rfind(kUriPrefix, 0) != 0) throw Error(ErrorCode::kNotFound, "unknown resource " + uri);
        return store.read(uri.substr(kUriPrefix.size()));
      });
}

}  // namespace

int main(int argc, char** argv) {
  std::string plans_dir = ".aurite/plans";
  std::optional<std::string> http;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--plans-dir" && i + 1 < argc) {
      plans_dir = argv[++i];
    } else if (arg == "--http" && i + 1 < argc) {
      http = argv[++i];
    } else {
      std::fprintf(stderr, "usage: aurite-example-planning-server [--plans-dir DIR] [--http HOST:PORT]\n");
      return 2;
    }
  }
  try {
    PlanStore store(plans_dir);
    aurite::mcp::McpServer::Options options;
    options.name = "aurite-example-planning-server";
    aurite::mcp::McpServer server(options);
    register_all(server, store);
    return aurite::mcp::serve_stdio_or_http(server, "aurite-example-planning-server", http);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "aurite-example-planning-server: %s\n", error.what());
    return 1;
  }
}
