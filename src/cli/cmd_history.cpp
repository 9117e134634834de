// aurite history sessions|show|delete|prune|search|stats|export|import: stored conversations.
#include <fmt/format.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "aurite/common/error.hpp"
#include "aurite/storage/history_transfer.hpp"
#include "cli/cli_context.hpp"
#include "cli/output.hpp"
#include "cli/storage_access.hpp"

namespace aurite::cli {
namespace {

using nlohmann::json;

struct HistoryOptions {
  std::optional<std::string> agent;
  std::optional<std::string> session;
  std::size_t limit = 50;
  std::string after;
  std::string agent_arg;    // positional AGENT
  std::string session_arg;  // positional SESSION
  std::string query;
  std::optional<std::string> older_than;
  std::optional<std::size_t> keep;
  std::optional<std::string> output;
  std::string file;      // import FILE
  bool dry_run = false;  // import --dry-run
  bool usage = false;    // show --usage
};

// "30d", "12h", "45m", "90s", "2w" -> seconds.
std::chrono::seconds parse_age(const std::string& text) {
  std::int64_t number = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  const std::string unit(end, text.data() + text.size());
  static const std::map<std::string, std::int64_t> kUnits = {
      {"s", 1}, {"m", 60}, {"h", 3600}, {"d", 86400}, {"w", 7 * 86400}};
  if (ec != std::errc() || number < 0 || !kUnits.contains(unit)) {
    throw Error(ErrorCode::kInvalidArgument,
                "--older-than '" + text + "' is not an age (a number and s, m, h, d or w: 30d)");
  }
  return std::chrono::seconds(number * kUnits.at(unit));
}

// A turn's content for people: a JSON string as its text, anything else as compact JSON.
std::string content_text(const std::string& content_json) {
  const json content = json::parse(content_json, nullptr, false);
  if (content.is_string()) return content.get<std::string>();
  return content.is_discarded() ? content_json : content.dump();
}

json turn_json(const storage::TurnRecord& t) {
  json out = {{"agent", t.agent_name}, {"session", t.session_id}, {"seq", t.seq}, {"role", t.role},
              {"content", json::parse(t.content_json)}, {"created_at", t.created_at}};
  if (!t.usage.empty()) out["usage"] = storage::usage_to_json(t.usage);
  return out;
}

// What a turn cost, on one line: its model call, or the tool calls it answers.
std::string usage_text(const storage::TurnUsage& usage) {
  std::string out;
  if (const auto& call = usage.model_call) {
    out = fmt::format("{}/{}: {} in / {} out tokens", call->provider, call->model, call->input_tokens,
                      call->output_tokens);
    if (call->cache_read_tokens > 0 || call->cache_write_tokens > 0) {
      out += fmt::format(" (cache: {} read, {} written)", call->cache_read_tokens, call->cache_write_tokens);
    }
    out += fmt::format(", {:.0f} ms, {}", call->duration_ms, call->stop_reason);
  }
  for (const auto& tool : usage.tool_calls) {
    out += fmt::format("{}{}{} {:.0f} ms{}", out.empty() ? "" : "; ", tool.tool,
                       tool.client_id.empty() ? "" : " (" + tool.client_id + ")", tool.duration_ms,
                       tool.is_error ? ", error" : "");
  }
  return out;
}

void print_turns(const Context& context, const std::vector<storage::TurnRecord>& turns, bool show_usage = false) {
  if (context.options.json) {
    json out = json::array();
    for (const auto& t : turns) out.push_back(turn_json(t));
    print_json(std::cout, out);
    return;
  }
  for (const auto& t : turns) {
    std::cout << fmt::format("{}/{} #{} {} {}\n  {}\n", t.agent_name, t.session_id, t.seq, t.role, t.created_at,
                             content_text(t.content_json));
    if (show_usage && !t.usage.empty()) std::cout << "  [" << usage_text(t.usage) << "]\n";
  }
}

int run_sessions(const Context& context, const HistoryOptions& o) {
  const auto db = open_storage("history sessions");
  const auto page = history_of(*db).list_sessions({o.agent, o.limit, o.after});
  if (context.options.json) {
    json sessions = json::array();
    for (const auto& s : page.sessions) {
      sessions.push_back({{"agent", s.agent_name}, {"session", s.session_id}, {"turns", s.turn_count},
                          {"created_at", s.created_at}, {"last_updated", s.last_updated}});
    }
    print_json(std::cout, {{"sessions", sessions}, {"next_cursor", page.next_cursor}});
    return kExitOk;
  }
  Table table({"AGENT", "SESSION", "TURNS", "CREATED", "LAST_UPDATED"});
  for (const auto& s : page.sessions) {
    table.add_row({s.agent_name, s.session_id, std::to_string(s.turn_count), s.created_at, s.last_updated});
  }
  table.print(std::cout);
  if (!page.next_cursor.empty()) std::cout << "more: --after " << page.next_cursor << '\n';
  return kExitOk;
}

int run_history_show(const Context& context, const HistoryOptions& o) {
  const auto db = open_storage("history show");
  const std::string session = o.session.value_or(storage::kDefaultSession);
  // Forward through the session by seq (a page at a time, with usage), keeping the last `limit` turns.
  std::deque<storage::TurnRecord> last;
  history_admin_of(*db).for_each_turn({o.agent_arg, session}, [&](const storage::TurnRecord& turn) {
    last.push_back(turn);
    if (last.size() > o.limit) last.pop_front();
  });
  if (last.empty()) {
    throw Error(ErrorCode::kNotFound, "no turns for agent '" + o.agent_arg + "' in session '" + session + "'");
  }
  print_turns(context, {last.begin(), last.end()}, o.usage);
  return kExitOk;
}

int run_delete(const Context& context, const HistoryOptions& o) {
  const auto db = open_storage("history delete");
  if (!history_of(*db).delete_session(o.agent_arg, o.session_arg)) {
    throw Error(ErrorCode::kNotFound, "no session '" + o.session_arg + "' for agent '" + o.agent_arg + "'");
  }
  if (context.options.json) {
    print_json(std::cout, {{"deleted", true}, {"agent", o.agent_arg}, {"session", o.session_arg}});
  } else {
    std::cout << "deleted session '" << o.session_arg << "' of agent '" << o.agent_arg << "'\n";
  }
  return kExitOk;
}

int run_prune(const Context& context, const HistoryOptions& o) {
  if (o.older_than.has_value() == o.keep.has_value()) {
    throw Error(ErrorCode::kInvalidArgument, "history prune needs exactly one of --older-than AGE or --keep N");
  }
  const auto age = o.older_than ? std::optional(parse_age(*o.older_than)) : std::nullopt;
  const auto db = open_storage("history prune");
  auto& admin = history_admin_of(*db);
  const auto counts = age ? admin.prune_older_than(*age) : admin.prune_keep_newest(*o.keep);
  if (context.options.json) {
    print_json(std::cout, {{"sessions", counts.sessions}, {"turns", counts.turns}});
  } else {
    std::cout << "pruned " << counts.sessions << " sessions (" << counts.turns << " turns)\n";
  }
  return kExitOk;
}

int run_search(const Context& context, const HistoryOptions& o) {
  const auto db = open_storage("history search");
  print_turns(context, history_admin_of(*db).search(o.query, o.agent, o.limit));
  return kExitOk;
}

// Prices come from the project's llms, when there is a project to read.
std::vector<config::LlmConfig> priced_llms(const Context& context) {
  const bool from_file = host::resolve_config_source(context.options.config_source) == host::ConfigSource::kFile;
  if (from_file && !std::filesystem::exists(context.config_path())) return {};
  return context.load_host()->snapshot().llms;
}

std::string tokens_text(std::int64_t tokens) {
  if (tokens >= 1'000'000) return fmt::format("{:.1f}M", static_cast<double>(tokens) / 1e6);
  if (tokens >= 10'000) return fmt::format("{:.1f}k", static_cast<double>(tokens) / 1e3);
  return std::to_string(tokens);
}

// "$0.0123", with "+" when some calls had no pricing, "-" when none had.
std::string cost_text(const storage::UsageTotals& usage) {
  if (usage.model_calls == 0) return "";
  if (usage.unpriced_calls == usage.model_calls) return "-";
  return fmt::format("${:.4f}{}", usage.cost_usd, usage.unpriced_calls > 0 ? "+" : "");
}

std::string millis_text(const std::optional<double>& ms) { return ms ? fmt::format("{:.0f}", *ms) : ""; }

std::vector<std::string> usage_cells(const storage::UsageTotals& usage) {
  return {std::to_string(usage.model_calls), tokens_text(usage.input_tokens), tokens_text(usage.output_tokens),
          cost_text(usage), millis_text(usage.p50_ms), millis_text(usage.p95_ms)};
}

std::vector<std::string> with_usage(std::vector<std::string> head) {
  for (const char* column : {"MODEL_CALLS", "IN_TOKENS", "OUT_TOKENS", "COST", "P50_MS", "P95_MS"}) head.push_back(column);
  return head;
}

std::vector<std::string> joined(std::vector<std::string> head, const std::vector<std::string>& tail) {
  head.insert(head.end(), tail.begin(), tail.end());
  return head;
}

int run_stats(const Context& context, const HistoryOptions& o) {
  const auto llms = priced_llms(context);
  const auto db = open_storage("history stats");
  const auto stats = history_admin_of(*db).stats(o.agent, llms);
  if (context.options.json) {
    print_json(std::cout, storage::to_json(stats));
    return kExitOk;
  }
  Table agents(with_usage({"AGENT", "TURNS", "SESSIONS", "TOOL_CALLS"}));
  for (const auto& a : stats.per_agent) {
    agents.add_row(joined({a.agent_name, std::to_string(a.turns), std::to_string(a.sessions),
                           std::to_string(a.tool_calls)},
                          usage_cells(a.usage)));
  }
  agents.print(std::cout);
  std::cout << '\n';
  Table days(with_usage({"AGENT", "DAY", "TURNS", "SESSIONS", "TOOL_CALLS"}));
  for (const auto& d : stats.per_day) {
    days.add_row(joined({d.agent_name, d.day, std::to_string(d.turns), std::to_string(d.sessions),
                         std::to_string(d.tool_calls)},
                        usage_cells(d.usage)));
  }
  days.print(std::cout);
  if (stats.per_model.empty()) return kExitOk;
  std::cout << '\n';
  Table models(with_usage({"PROVIDER", "MODEL"}));
  for (const auto& m : stats.per_model) models.add_row(joined({m.provider, m.model}, usage_cells(m.usage)));
  models.print(std::cout);
  return kExitOk;
}

int run_history_export(const Context&, const HistoryOptions& o) {
  if (o.session && !o.agent) throw Error(ErrorCode::kInvalidArgument, "--session needs --agent");
  const auto db = open_storage("history export");
  auto& admin = history_admin_of(*db);
  const storage::TurnFilter filter{o.agent, o.session};
  if (!o.output) {
    storage::export_jsonl(admin, std::cout, filter);
    return kExitOk;
  }
  std::ofstream file(*o.output, std::ios::binary | std::ios::trunc);
  if (!file) throw Error(ErrorCode::kIo, "cannot write " + *o.output);
  const auto lines = storage::export_jsonl(admin, file, filter);
  std::cerr << "wrote " << lines << " turns to " << *o.output << '\n';
  return kExitOk;
}

// The file is read and every line checked before anything is written (import_jsonl);
// --dry-run stops there and says what the import would add.
int run_history_import(const Context& context, const HistoryOptions& o) {
  std::ifstream file(o.file, std::ios::binary);
  if (!file) throw Error(ErrorCode::kInvalidArgument, "cannot read " + o.file + ": " + std::strerror(errno));
  const auto db = open_storage("history import");
  auto& admin = history_admin_of(*db);
  storage::ImportCounts counts;
  try {
    counts = o.dry_run ? storage::check_jsonl(admin, file) : storage::import_jsonl(admin, file);
  } catch (const Error& error) {
    if (error.code() != ErrorCode::kInvalidArgument) throw;
    throw Error(error.code(), fmt::format("{}: {}; nothing was imported", o.file, error.what()));
  }
  const std::int64_t already = counts.lines - counts.inserted;
  if (context.options.json) {
    print_json(std::cout, {{"file", o.file}, {"dry_run", o.dry_run}, {"turns", counts.lines},
                           {"sessions", counts.sessions}, {"inserted", counts.inserted}, {"already_stored", already}});
    return kExitOk;
  }
  if (o.dry_run) {
    std::cout << fmt::format("{}: {} turns in {} sessions, all valid; importing would add {} ({} already stored); "
                             "nothing was written\n",
                             o.file, counts.lines, counts.sessions, counts.inserted, already);
  } else {
    std::cout << fmt::format("imported {} into {}: {} turns in {} sessions, {} new, {} already stored\n", o.file,
                             db->settings().masked(), counts.lines, counts.sessions, counts.inserted, already);
  }
  return kExitOk;
}

using Runner = int (*)(const Context&, const HistoryOptions&);

void on_chosen(CLI::App* command, Context& context, const std::shared_ptr<HistoryOptions>& options, Runner run) {
  command->callback([&context, options, run] {
    context.action = [&context, options, run] { return run(context, *options); };
  });
}

}  // namespace

void add_history_command(CLI::App& app, Context& context) {
  auto* history = app.add_subcommand("history", "Stored conversation history (AURITE_ENABLE_DB=true)");
  history->require_subcommand(1);
  history->fallthrough();
  auto o = std::make_shared<HistoryOptions>();

  auto* sessions = history->add_subcommand("sessions", "List sessions, most recently updated first");
  sessions->add_option("--agent", o->agent, "Only this agent's sessions");
  sessions->add_option("--limit", o->limit, "Sessions per page")->check(CLI::Range(1, 100000));
  sessions->add_option("--after", o->after, "The cursor a previous page printed");
  on_chosen(sessions, context, o, run_sessions);

  auto* show = history->add_subcommand("show", "Show the last turns of a session");
  show->add_option("agent", o->agent_arg, "Agent name")->required();
  show->add_option("--session", o->session, "Session id (default: default)");
  show->add_option("--limit", o->limit, "Turns shown, the latest")->check(CLI::Range(1, 1000000));
  show->add_flag("--usage", o->usage, "Show tokens and time beside each model call and tool result");
  on_chosen(show, context, o, run_history_show);

  auto* remove = history->add_subcommand("delete", "Delete a session and its turns");
  remove->add_option("agent", o->agent_arg, "Agent name")->required();
  remove->add_option("session", o->session_arg, "Session id")->required();
  on_chosen(remove, context, o, run_delete);

  auto* prune = history->add_subcommand("prune", "Delete old sessions: --older-than 30d or --keep N per agent");
  prune->add_option("--older-than", o->older_than, "Sessions whose last turn is older (s, m, h, d, w)");
  prune->add_option("--keep", o->keep, "Sessions kept per agent, the most recent");
  on_chosen(prune, context, o, run_prune);

  auto* search = history->add_subcommand("search", "Full-text search over turns, newest first");
  search->add_option("query", o->query, "Words that must all appear")->required();
  search->add_option("--agent", o->agent, "Only this agent's turns");
  search->add_option("--limit", o->limit, "Turns at most")->check(CLI::Range(1, 100000));
  on_chosen(search, context, o, run_search);

  auto* stats = history->add_subcommand(
      "stats", "Turns, tool calls, tokens, cost and model latency per agent, per day and per model");
  stats->add_option("--agent", o->agent, "Only this agent");
  on_chosen(stats, context, o, run_stats);

  auto* exp = history->add_subcommand("export", "Write turns as JSON Lines (stdout, or --output FILE)");
  exp->add_option("--agent", o->agent, "Only this agent's turns");
  exp->add_option("--session", o->session, "Only this session (with --agent)");
  exp->add_option("-o,--output", o->output, "File to write instead of stdout");
  on_chosen(exp, context, o, run_history_export);

  auto* imp = history->add_subcommand("import", "Read turns from JSON Lines (as export writes them) into the database");
  imp->add_option("file", o->file, "JSON Lines file")->required();
  imp->add_flag("--dry-run", o->dry_run, "Check every line and count what would be added; write nothing");
  on_chosen(imp, context, o, run_history_import);
}

}  // namespace aurite::cli
