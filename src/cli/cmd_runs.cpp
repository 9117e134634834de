// aurite runs list|show|cancel|events: runs as the database keeps them, whichever
// process (`aurite run`, `aurite serve`, here or elsewhere) ran them.
#include <iostream>

#include <fmt/format.h>

#include "aurite/common/error.hpp"
#include "cli/cli_context.hpp"
#include "cli/output.hpp"
#include "cli/run_progress.hpp"

namespace aurite::cli {
namespace {

struct RunsListOptions {
  std::string name;
  std::string session;
  std::string status;
  std::size_t limit = 50;
  std::string cursor;
};

struct RunEventsOptions {
  std::string id;
  std::int64_t after = 0;
  bool no_follow = false;
};

// Runs are followed across processes only through the database.
std::unique_ptr<host::HostManager> open_runs_host(const Context& context, const std::string& command) {
  auto host = context.open_host();
  if (host->storage() == nullptr) {
    throw Error(ErrorCode::kInvalidArgument,
                command + ": runs are kept in the database: set AURITE_ENABLE_DB=true (without it a run is known "
                          "only to the process that ran it)");
  }
  return host;
}

int list_runs_command(const Context& context, const RunsListOptions& options) {
  auto host = open_runs_host(context, "aurite runs list");
  storage::RunQuery query;
  if (!options.name.empty()) query.name = options.name;
  if (!options.session.empty()) query.session_id = options.session;
  if (!options.status.empty()) query.status = options.status;
  if (!options.cursor.empty()) query.cursor = options.cursor;
  query.limit = options.limit;
  const storage::RunPage page = host->runs().list(query);
  if (context.options.json) {
    nlohmann::json runs = nlohmann::json::array();
    for (const auto& record : page.runs) runs.push_back(host::to_json(record));
    print_json(std::cout, {{"runs", runs}, {"next_cursor", page.next_cursor ? nlohmann::json(*page.next_cursor) : nullptr}});
    return kExitOk;
  }
  if (page.runs.empty()) {
    std::cout << "no runs\n";
    return kExitOk;
  }
  Table table({"ID", "NAME", "SESSION", "STATUS", "CREATED", "ANSWER"});
  for (const auto& run : page.runs) {
    table.add_row({run.id, run.name, run.session_id, run.status, run.created_at, one_line(run.final_text, 60)});
  }
  table.print(std::cout);
  if (page.next_cursor) std::cout << fmt::format("more: --cursor {}\n", *page.next_cursor);
  return kExitOk;
}

int show_run_command(const Context& context, const std::string& id) {
  auto host = open_runs_host(context, "aurite runs show");
  const nlohmann::json run = host::to_json(host->runs().get(id));
  if (context.options.json) {
    print_json(std::cout, run);
    return kExitOk;
  }
  for (const char* key : {"run_id", "kind", "name", "session_id", "status", "created_at", "started_at", "finished_at"}) {
    if (!run[key].is_null()) std::cout << fmt::format("{:<12} {}\n", std::string(key) + ":", run[key].get<std::string>());
  }
  std::cout << fmt::format("{:<12} {}\n", "message:", one_line(run.value("message", ""), 200));
  if (run["error"].is_object()) std::cout << fmt::format("{:<12} {}\n", "error:", run["error"].value("message", ""));
  if (!run.value("final_text", "").empty()) std::cout << fmt::format("{:<12} {}\n", "answer:", run["final_text"].get<std::string>());
  std::cout << fmt::format("{:<12} {}\n", "turns:", run["turns"].is_array() ? run["turns"].size() : 0);
  return kExitOk;
}

int cancel_run_command(const Context& context, const std::string& id) {
  auto host = open_runs_host(context, "aurite runs cancel");
  const auto [record, asked] = host->runs().cancel(id, user_at_host());
  if (context.options.json) {
    print_json(std::cout, host::to_json(record));
  } else if (asked && storage::run_status_is_live(record.status)) {
    std::cout << fmt::format("asked the process running {} to cancel it (it hears with its next heartbeat)\n", id);
  } else {
    std::cout << fmt::format("{} {}\n", id, record.status);
  }
  return kExitOk;
}

int run_events_command(const Context& context, const RunEventsOptions& options) {
  auto host = open_runs_host(context, "aurite runs events");
  host::Runs& runs = host->runs();
  runs.get(options.id);
  std::int64_t after = options.after;
  while (true) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(options.no_follow ? 0 : 15);
    const auto events = runs.wait_for_events(options.id, after, deadline);
    for (const auto& event : events) {
      const auto data = nlohmann::json::parse(event.data_json, nullptr, false);
      if (context.options.json) {
        std::cout << nlohmann::json{{"seq", event.seq}, {"event", event.event}, {"data", data}}.dump(
                         -1, ' ', false, nlohmann::json::error_handler_t::replace)
                  << '\n'
                  << std::flush;
      } else {
        std::cout << fmt::format("{:>5} {:<20} {}\n", event.seq, event.event, one_line(event.data_json, 160)) << std::flush;
      }
      after = event.seq;
    }
    if (!events.empty()) continue;
    if (options.no_follow) return kExitOk;
    if (!host::Runs::still_running(runs.get(options.id))) return kExitOk;
  }
}

}  // namespace

void add_runs_command(CLI::App& app, Context& context) {
  auto* runs = app.add_subcommand("runs", "Runs of agents and workflows, from any process on the database");
  runs->require_subcommand(1);

  auto* list = runs->add_subcommand("list", "List runs, newest first");
  auto list_options = std::make_shared<RunsListOptions>();
  list->add_option("--name", list_options->name, "Only runs of this agent or workflow");
  list->add_option("-s,--session", list_options->session, "Only this session's");
  list->add_option("--status", list_options->status, "Only runs with this status")
      ->check(CLI::IsMember({"queued", "running", "awaiting_approval", "completed", "failed", "cancelled", "interrupted"}));
  list->add_option("--limit", list_options->limit, "At most this many (default 50)")->check(CLI::Range(1, 500));
  list->add_option("--cursor", list_options->cursor, "The page after the one that printed this cursor");
  list->callback([&context, list_options] {
    context.action = [&context, list_options] { return list_runs_command(context, *list_options); };
  });

  auto* show = runs->add_subcommand("show", "Show one run: status, timings, answer or error");
  auto show_id = std::make_shared<std::string>();
  show->add_option("id", *show_id, "The run's id")->required();
  show->callback([&context, show_id] { context.action = [&context, show_id] { return show_run_command(context, *show_id); }; });

  auto* cancel = runs->add_subcommand("cancel", "Cancel a run, in whichever process runs it");
  auto cancel_id = std::make_shared<std::string>();
  cancel->add_option("id", *cancel_id, "The run's id")->required();
  cancel->callback(
      [&context, cancel_id] { context.action = [&context, cancel_id] { return cancel_run_command(context, *cancel_id); }; });

  auto* events = runs->add_subcommand("events", "Print a run's events; follow it while it runs");
  auto events_options = std::make_shared<RunEventsOptions>();
  events->add_option("id", events_options->id, "The run's id")->required();
  events->add_option("--after", events_options->after, "Only events after this seq")->check(CLI::NonNegativeNumber);
  events->add_flag("--no-follow", events_options->no_follow, "Print what is stored and stop");
  events->callback([&context, events_options] {
    context.action = [&context, events_options] { return run_events_command(context, *events_options); };
  });
}

}  // namespace aurite::cli
