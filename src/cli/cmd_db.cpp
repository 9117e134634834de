// aurite db migrate|status|sync|export|import|copy: the database itself. Settings come
// from AURITE_DB_*; locations are shown masked.
#include <fmt/format.h>

#include <iostream>

#include "aurite/common/error.hpp"
#include "aurite/config/project_file.hpp"
#include "aurite/config/validate.hpp"
#include "aurite/storage/history_transfer.hpp"
#include "cli/cli_context.hpp"
#include "cli/output.hpp"
#include "cli/storage_access.hpp"

namespace aurite::cli {
namespace {

using nlohmann::json;

json counts_json(const storage::SyncCounts& c) {
  return {{"inserted", c.inserted}, {"updated", c.updated}, {"unchanged", c.unchanged}, {"deleted", c.deleted}};
}

std::string counts_text(const storage::SyncCounts& c) {
  return fmt::format("{} inserted, {} updated, {} unchanged, {} deleted", c.inserted, c.updated, c.unchanged,
                     c.deleted);
}

std::size_t component_count(const config::ProjectConfig& p) {
  return p.clients.size() + p.llms.size() + p.agents.size() + p.workflows.size() + p.custom_workflows.size() +
         p.graph_workflows.size();
}

int run_migrate(const Context& context) {
  const auto db = open_storage("db migrate");  // opening applies pending migrations
  const auto status = db->status();
  if (context.options.json) {
    print_json(std::cout, {{"location", status.location}, {"schema_version", status.schema_version}});
  } else {
    std::cout << "schema of " << status.location << " is at version " << status.schema_version << '\n';
  }
  return kExitOk;
}

int run_status(const Context& context) {
  const auto db = open_storage("db status");
  const auto status = db->status();
  const auto& settings = db->settings();
  if (context.options.json) {
    print_json(std::cout, {{"backend", status.backend},
                           {"location", status.location},
                           {"schema_version", status.schema_version},
                           {"store_configs", settings.store_configs},
                           {"store_history", settings.store_history},
                           {"row_counts", status.row_counts}});
    return kExitOk;
  }
  Table summary({"SETTING", "VALUE"});
  summary.add_row({"backend", status.backend});
  summary.add_row({"location", status.location});
  summary.add_row({"schema version", std::to_string(status.schema_version)});
  summary.add_row({"configs", settings.store_configs ? "stored" : "off (AURITE_DB_STORE_CONFIGS=false)"});
  summary.add_row({"history", settings.store_history ? "stored" : "off (AURITE_DB_STORE_HISTORY=false)"});
  summary.print(std::cout);
  std::cout << '\n';
  Table rows({"TABLE", "ROWS"});
  for (const auto& [table, count] : status.row_counts) rows.add_row({table, std::to_string(count)});
  rows.print(std::cout);
  return kExitOk;
}

int run_sync(const Context& context, bool prune) {
  const auto file = context.config_path();
  const auto project = config::load_project_file(file).project;  // a bad file writes nothing
  const auto db = open_storage("db sync");
  const auto counts = config_store_of(*db).sync_configs(project, prune);
  if (context.options.json) {
    print_json(std::cout, counts_json(counts));
  } else {
    std::cout << "synced " << file.string() << " to " << db->settings().masked() << ": " << counts_text(counts)
              << '\n';
  }
  return kExitOk;
}

int run_db_export(const Context& context, const std::string& file) {
  const auto db = open_storage("db export");
  config::ProjectConfig project = config_store_of(*db).load_configs();
  config::save_project_file(project, file);
  const auto problems = config::validate_project(project);
  if (context.options.json) {
    print_json(std::cout, {{"file", file}, {"components", component_count(project)}, {"valid", problems.empty()}});
  } else {
    std::cout << "wrote " << component_count(project) << " components from " << db->settings().masked() << " to "
              << file << '\n';
    if (!problems.empty()) std::cerr << "warning: the stored project has " << problems.size() << " problems\n";
  }
  return kExitOk;
}

int run_import(const Context& context, const std::string& file) {
  const auto project = config::load_project_file(file).project;  // validated first
  const auto db = open_storage("db import");
  const auto counts = config_store_of(*db).sync_configs(project, /*prune=*/false);
  if (context.options.json) {
    print_json(std::cout, counts_json(counts));
  } else {
    std::cout << "imported " << file << " into " << db->settings().masked() << ": " << counts_text(counts) << '\n';
  }
  return kExitOk;
}

int run_copy(const Context& context, const std::string& url) {
  const auto source = open_storage("db copy");
  storage::StorageSettings target_settings = storage::with_url(source->settings(), url, "--to");
  target_settings.enabled = true;
  const auto target = storage::StorageManager::open(target_settings);
  const auto counts = storage::copy_all(*source, *target);
  if (context.options.json) {
    print_json(std::cout, {{"from", source->settings().masked()},
                           {"to", target->settings().masked()},
                           {"configs", counts.configs},
                           {"turns", counts.turns},
                           {"secrets", counts.secrets},
                           {"source_rows", counts.source_rows},
                           {"target_rows", counts.target_rows}});
    return kExitOk;
  }
  std::cout << "copied " << source->settings().masked() << " to " << target->settings().masked() << ": "
            << counts.configs << " configurations, " << counts.turns << " turns and " << counts.secrets
            << " sealed credentials written\n";
  Table table({"TABLE", "SOURCE", "TARGET"});
  for (const auto& [name, rows] : counts.source_rows) {
    table.add_row({name, std::to_string(rows), std::to_string(counts.target_rows.at(name))});
  }
  table.print(std::cout);
  return kExitOk;
}

}  // namespace

void add_db_command(CLI::App& app, Context& context) {
  auto* db = app.add_subcommand("db", "Manage the database (AURITE_ENABLE_DB=true and AURITE_DB_*)");
  db->require_subcommand(1);
  db->fallthrough();

  db->add_subcommand("migrate", "Bring the schema up to date")->callback([&context] {
    context.action = [&context] { return run_migrate(context); };
  });
  db->add_subcommand("status", "Show the backend, masked location, schema version and row counts")->callback([&context] {
    context.action = [&context] { return run_status(context); };
  });

  auto* sync = db->add_subcommand("sync", "Write the project file's configurations to the database");
  auto prune = std::make_shared<bool>(false);
  sync->add_flag("--prune", *prune, "Also delete stored components the file does not hold");
  sync->callback([&context, prune] { context.action = [&context, prune] { return run_sync(context, *prune); }; });

  auto* exp = db->add_subcommand("export", "Write the stored configurations as a project file");
  auto export_file = std::make_shared<std::string>();
  exp->add_option("file", *export_file, "Project file to write")->required();
  exp->callback([&context, export_file] {
    context.action = [&context, export_file] { return run_db_export(context, *export_file); };
  });

  auto* imp = db->add_subcommand("import", "Validate a project file and write its configurations to the database");
  auto import_file = std::make_shared<std::string>();
  imp->add_option("file", *import_file, "Project file to read")->required();
  imp->callback([&context, import_file] {
    context.action = [&context, import_file] { return run_import(context, *import_file); };
  });

  auto* copy = db->add_subcommand("copy", "Copy configurations and history into another database");
  auto url = std::make_shared<std::string>();
  copy->add_option("--to", *url, "Target: postgresql://... or sqlite:///path")->required();
  copy->callback([&context, url] { context.action = [&context, url] { return run_copy(context, *url); }; });
}

}  // namespace aurite::cli
