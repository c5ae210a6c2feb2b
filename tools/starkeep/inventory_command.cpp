// starkeep inventory sync|export|classify: keep ops.table_inventory in step with the cluster, export it as the
// JSON inventory file (docs/inventory.md) for check/plan without the cluster, and set manual classifications.
// Exit codes: 0 ok; 1 unknown table or invalid class (classify), policy errors; 64 usage; 66 unreadable file;
// 16 the cluster cannot be reached; 69 the cluster refused a statement; 78 bad connection settings.
#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <memory>

#include "common/json_text.h"
#include "runtime/inventory_sync/inventory_sync.h"
#include "runtime/ops/ops_store.h"
#include "runtime/ports/clock.h"
#include "tools/starkeep/cli_common.h"
#include "tools/starkeep/cluster_options.h"
#include "tools/starkeep/commands.h"
#include "tools/starkeep/exit_codes.h"

namespace sk::cli {
namespace {

struct InventoryOptions {
  mysql::ConnectionFlags connection;
  OpsFlags ops;
  std::string policy;
  std::string rules;
  std::string out = "-";
  std::string qualified;  // classify: DB.TABLE
  std::string database;
  std::string table;
  std::string table_class;
};

// The pieces every inventory subcommand needs; `rc` is set when something failed.
struct Session {
  std::unique_ptr<ports::SqlConnection> connection;
  std::optional<ops::OpsConfig> config;
  ports::SystemClock clock;
  std::optional<inventory_sync::Scope> scope;
  int rc = kExitOk;
};

void open_session(const InventoryOptions& o, const char* cmd, Session& s) {
  auto config = ops_config(o.ops);
  if (!config) {
    std::cerr << "starkeep inventory " << cmd << ": error: " << config.error().describe() << "\n";
    s.rc = kExitUsage;
    return;
  }
  s.config = std::move(*config);
  s.scope = inventory_sync::Scope{std::nullopt, s.config->database};
  if (!o.policy.empty()) {
    auto policy = load_policy_model(o.policy, std::cerr, s.rc);
    if (!policy) return;
    s.scope->selection = policy->databases;
  }
  auto conn = open_cluster(o.connection);
  if (!conn) {
    std::cerr << "starkeep inventory " << cmd << ": error: " << conn.error().describe() << "\n";
    s.rc = exit_code_for(conn.error());
    return;
  }
  s.connection = std::move(*conn);
}

int fail_with(const char* cmd, const Error& e) {
  std::cerr << "starkeep inventory " << cmd << ": error: " << e.describe() << "\n";
  if (e.code == errc::kSqlServer && e.describe().find("ops") != std::string::npos) {
    std::cerr << "  hint: has `starkeep init` created the ops schema?\n";
  }
  return exit_code_for(e);
}

int run_sync(const InventoryOptions& o) {
  inventory_sync::ClassificationRules rules = inventory_sync::ClassificationRules::defaults();
  if (!o.rules.empty()) {
    auto text = read_file(o.rules);
    if (!text) {
      std::cerr << "starkeep inventory sync: error: " << text.error().describe() << "\n";
      return kExitNoInput;
    }
    auto parsed = inventory_sync::parse_rules_json(*text);
    if (!parsed) {
      std::cerr << "starkeep inventory sync: error: " << o.rules << ": " << parsed.error().describe() << "\n";
      return kExitErrors;
    }
    rules = std::move(*parsed);
  }
  Session s;
  open_session(o, "sync", s);
  if (s.rc != kExitOk) return s.rc;
  const inventory_sync::SyncOptions options{*s.scope, std::move(rules)};
  ops::OpsStore store(*s.connection, *s.config, s.clock);
  auto report = inventory_sync::sync_inventory(*s.connection, store, options, s.clock.now());
  if (!report) return fail_with("sync", report.error());
  for (const auto& w : report->warnings) std::cerr << "warning: " << w << "\n";
  const std::size_t seen = report->added.size() + report->changed.size() + report->unchanged;
  std::cout << "inventory sync: " << report->databases.size() << " database(s), " << seen << " table(s): "
            << report->added.size() << " new, " << report->changed.size() << " changed, " << report->gone.size()
            << " gone, " << report->unchanged << " unchanged"
            << (report->retired_earlier > 0 ? fmt::format(" ({} retired earlier)", report->retired_earlier) : "")
            << "\n";
  for (const auto& r : report->added) {
    std::cout << "  new      " << r.database.str() << "." << r.table.str() << "  class " << r.table_class
              << (r.partitioned ? ", partitioned" : "") << "\n";
  }
  for (const auto& c : report->changed) {
    std::cout << "  changed  " << c.record.database.str() << "." << c.record.table.str() << "  " << c.what << "\n";
  }
  for (const auto& r : report->gone) {
    std::cout << "  gone     " << r.database.str() << "." << r.table.str() << "  last seen "
              << r.last_seen.to_iso8601_utc() << "; retired (kept for restores, no longer backed up)\n";
  }
  return kExitOk;
}

int run_export(const InventoryOptions& o) {
  Session s;
  open_session(o, "export", s);
  if (s.rc != kExitOk) return s.rc;
  ops::OpsStore store(*s.connection, *s.config, s.clock);
  auto result = inventory_sync::export_inventory(*s.connection, store, *s.scope, s.clock.now());
  if (!result) return fail_with("export", result.error());
  for (const auto& w : result->warnings) std::cerr << "warning: " << w << "\n";
  const std::string text = json_text(result->document, 2) + "\n";
  if (o.out == "-") {
    std::cout << text;
  } else {
    std::ofstream out(o.out, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) {
      std::cerr << "starkeep inventory export: error: cannot write '" << o.out << "'\n";
      return kExitNoInput;
    }
    std::cerr << "inventory export: " << result->tables << " table(s) written to " << o.out << "\n";
  }
  return kExitOk;
}

int run_classify(const InventoryOptions& o) {
  std::string db_text = o.database, table_text = o.table;
  if (!o.qualified.empty()) {
    const auto dot = o.qualified.find('.');
    if (dot == std::string::npos || !db_text.empty() || !table_text.empty()) {
      std::cerr << "starkeep inventory classify: error: give DB.TABLE, or --database and --table (for names "
                   "containing '.')\n";
      return kExitUsage;
    }
    db_text = o.qualified.substr(0, dot);
    table_text = o.qualified.substr(dot + 1);
  }
  auto db = DatabaseName::parse(db_text);
  auto table = TableName::parse(table_text);
  if (!db || !table) {
    std::cerr << "starkeep inventory classify: error: " << (!db ? db.error().message : table.error().message)
              << "\n";
    return kExitUsage;
  }
  Session s;
  open_session(o, "classify", s);
  if (s.rc != kExitOk) return s.rc;
  ops::OpsStore store(*s.connection, *s.config, s.clock);
  auto r = inventory_sync::classify_table(store, *db, *table, o.table_class, s.clock.now());
  if (!r) return fail_with("classify", r.error());  // inventory.*: 1 (common/error_codes.def)
  std::cout << "classified " << r->database.str() << "." << r->table.str() << " as " << r->table_class
            << " (manual; kept by every sync)\n";
  return kExitOk;
}

}  // namespace

void register_inventory(CLI::App& app, int& exit_code) {
  CLI::App* inv = app.add_subcommand("inventory", "Keep ops.table_inventory in step with the cluster");
  inv->require_subcommand(1);

  auto o = std::make_shared<InventoryOptions>();
  CLI::App* sync = inv->add_subcommand(
      "sync",
      "Discover databases (the policy's selection), tables and partitioning (two catalog queries per database) and "
      "refresh ops.table_inventory: new tables are classified by rules, manual classifications are kept, tables "
      "that disappeared are reported as gone and retired (kept for restores of older snapshots, no longer backed "
      "up; a table seen again is selectable again).");
  sync->add_option("--policy,-p", o->policy, "Policy file: only its databases (default: every user database)");
  sync->add_option("--rules", o->rules, "Classification rules (JSON, see docs/operations.md); default built-in");
  add_ops_flags(*sync, o->ops, false);
  add_connection_flags(*sync, o->connection);
  sync->callback([o, &exit_code] { exit_code = run_sync(*o); });

  auto e = std::make_shared<InventoryOptions>();
  CLI::App* exp = inv->add_subcommand(
      "export", "Write the JSON inventory file (docs/inventory.md) from ops.table_inventory and the live catalog");
  exp->add_option("--out,-o", e->out, "Output file ('-': stdout)")->capture_default_str();
  exp->add_option("--policy,-p", e->policy, "Policy file: only its databases (default: every user database)");
  add_ops_flags(*exp, e->ops, false);
  add_connection_flags(*exp, e->connection);
  exp->callback([e, &exit_code] { exit_code = run_export(*e); });

  auto c = std::make_shared<InventoryOptions>();
  CLI::App* cls = inv->add_subcommand(
      "classify", "Set a table's class by hand (classified_by = manual: later syncs never change it)");
  cls->add_option("table", c->qualified, "DB.TABLE (split at the first '.')");
  cls->add_option("--database", c->database, "Database (instead of DB.TABLE)");
  cls->add_option("--table", c->table, "Table (instead of DB.TABLE)");
  cls->add_option("--class", c->table_class, "Lower-case class: fact, dimension, …")->required();
  add_ops_flags(*cls, c->ops, false);
  add_connection_flags(*cls, c->connection);
  cls->callback([c, &exit_code] { exit_code = run_classify(*c); });
}

}  // namespace sk::cli
