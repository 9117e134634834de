// aurite mcp login CLIENT [--no-browser] [--timeout SECONDS] | logout CLIENT | auth-status:
// the OAuth logins of the project's url clients. A login is kept (sealed) where every
// later `aurite run` and `aurite serve` finds and refreshes it; nothing here prints a
// token.
#include <chrono>
#include <iostream>

#include <fmt/format.h>

#include "aurite/common/error.hpp"
#include "aurite/host/host_manager.hpp"
#include "aurite/mcp/auth.hpp"
#include "aurite/mcp/mcp_host.hpp"
#include "cli/storage_access.hpp"
#include "cli/cli_context.hpp"
#include "cli/output.hpp"

namespace aurite::cli {
namespace {

struct LoginOptions {
  std::string client_id;
  bool no_browser = false;
  int timeout_seconds = 300;
};

config::ProjectConfig project_of(const Context& context) { return context.load_host()->snapshot(); }

const config::ClientConfig& oauth_client(const config::ProjectConfig& project, const std::string& id,
                                         const Context& context) {
  for (const auto& client : project.clients) {
    if (client.client_id != id) continue;
    if (!client.url || !client.auth) {
      throw Error(ErrorCode::kInvalidArgument,
                  fmt::format("client '{}' {}: give it \"auth\": {{\"type\": \"oauth\"}} to log in", id,
                              client.url ? "has no auth" : "is not a url client"));
    }
    return client;
  }
  throw Error(ErrorCode::kNotFound, "no client '" + id + "' in " + context.config_path().string());
}

std::string when(std::int64_t unix_seconds) {
  const auto left = unix_seconds - std::chrono::duration_cast<std::chrono::seconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count();
  if (left <= 0) return "expired";
  if (left < 120) return fmt::format("in {} s", left);
  if (left < 7200) return fmt::format("in {} min", left / 60);
  return fmt::format("in {} h", left / 3600);
}

int run_login(const Context& context, const LoginOptions& options) {
  const auto project = project_of(context);
  const auto& client = oauth_client(project, options.client_id, context);
  const auto store = login_store();
  // A login is a new one: what was stored is forgotten first.
  store->remove(mcp::auth::secret_name(client.client_id));
  mcp::McpHost host({client}, project.base_dir);
  mcp::auth::AuthorizerOptions login;
  login.store = store;
  login.login = options.no_browser ? mcp::auth::LoginMode::kNoBrowser : mcp::auth::LoginMode::kBrowser;
  login.login_timeout = std::chrono::seconds(options.timeout_seconds);
  login.show_url = [&](const std::string& url) {
    std::cerr << "Open this URL to log in to " << client.client_id << " (a browser opens where there is one):\n  "
              << url << "\nWaiting for the login (" << options.timeout_seconds << " s)...\n";
  };
  host.set_authorization(std::move(login));
  host.start();
  const auto tools = host.tools();
  const auto stored = mcp::auth::stored_login(*store, client.client_id);
  if (!stored) {
    std::cout << "The server of " << client.client_id << " did not ask for a login; nothing was stored.\n";
    return kExitOk;
  }
  if (context.options.json) {
    print_json(std::cout, {{"client", client.client_id}, {"issuer", stored->issuer}, {"scopes", stored->scopes},
                           {"tools", tools.size()}, {"stored_in", store->location()}});
    return kExitOk;
  }
  std::cout << "Logged in to " << client.client_id << " at " << stored->issuer
            << (stored->scopes.empty() ? "" : " (" + fmt::format("{}", fmt::join(stored->scopes, " ")) + ")") << "; "
            << tools.size() << " tools. Kept in " << store->location() << ".\n";
  return kExitOk;
}

int run_logout(const Context& context, const std::string& client_id) {
  const auto project = project_of(context);
  const auto& client = oauth_client(project, client_id, context);
  const bool removed = login_store()->remove(mcp::auth::secret_name(client.client_id));
  std::cout << (removed ? "Logged out of " : "No login was stored for ") << client.client_id << ".\n";
  return kExitOk;
}

int run_auth_status(const Context& context) {
  const auto project = project_of(context);
  const auto store = login_store();
  nlohmann::json out = nlohmann::json::array();
  Table table({"CLIENT", "STATUS", "EXPIRES", "REFRESH", "SCOPES", "ISSUER"});
  for (const auto& client : project.clients) {
    if (!client.url || !client.auth) continue;
    const auto login = mcp::auth::stored_login(*store, client.client_id);
    const bool current = login && login->server_url == *client.url;
    const std::string status = !login || !login->has_tokens ? "not logged in"
                               : !current                   ? "logged in to another url (log in again)"
                                                            : "logged in";
    nlohmann::json row = {{"client", client.client_id}, {"url", *client.url}, {"grant", client.auth->grant},
                          {"logged_in", current && login->has_tokens}};
    if (current) {
      row["issuer"] = login->issuer;
      row["scopes"] = login->scopes;
      row["refreshable"] = login->refreshable;
      if (login->expires_at) row["expires_at"] = *login->expires_at;
    }
    out.push_back(row);
    table.add_row({client.client_id, status, current && login->expires_at ? when(*login->expires_at) : "-",
                   current ? (login->refreshable ? "yes" : "no") : "-",
                   current && !login->scopes.empty() ? fmt::format("{}", fmt::join(login->scopes, " ")) : "-",
                   current ? login->issuer : "-"});
  }
  if (context.options.json) {
    print_json(std::cout, out);
  } else if (table.empty()) {
    std::cout << "No client of this project has auth.\n";
  } else {
    table.print(std::cout);
  }
  return kExitOk;
}

}  // namespace

void add_mcp_command(CLI::App& app, Context& context) {
  auto* mcp = app.add_subcommand("mcp", "OAuth logins of the project's remote MCP servers");
  mcp->require_subcommand(1);

  auto options = std::make_shared<LoginOptions>();
  auto* login = mcp->add_subcommand("login", "Log in to a client's server once (OAuth); runs then use the login");
  login->add_option("client", options->client_id, "The client (its config has auth)")->required();
  login->add_flag("--no-browser", options->no_browser,
                  "Fetch the authorization URL and follow its redirects instead of opening a browser (automation)");
  login->add_option("--timeout", options->timeout_seconds, "Seconds to wait for the login to come back")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  login->callback([&context, options] { context.action = [&context, options] { return run_login(context, *options); }; });

  auto client_id = std::make_shared<std::string>();
  auto* logout = mcp->add_subcommand("logout", "Forget a client's login (its tokens and registration)");
  logout->add_option("client", *client_id, "The client")->required();
  logout->callback([&context, client_id] { context.action = [&context, client_id] { return run_logout(context, *client_id); }; });

  auto* status = mcp->add_subcommand("auth-status", "The logins of the project's clients (never a token)");
  status->callback([&context] { context.action = [&context] { return run_auth_status(context); }; });
}

}  // namespace aurite::cli
