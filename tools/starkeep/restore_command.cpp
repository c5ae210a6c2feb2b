// starkeep restore partition|table|database: plans a restore from ops.backup_history and ops.backup_manifest (the
// newest snapshot at or before --as-of for each partition, or the restore point of --snapshot), resolves each
// snapshot's backup_timestamp with SHOW SNAPSHOT, prints the plan (text or JSON) BEFORE anything runs, and unless
// --dry-run restores into a NEW name (another database with --into, or an alias with --as; a generated
// `<name>_restored_<UTC stamp>` by default), verifies it against the fingerprints recorded at backup time and, only
// with --replace and a PASSED verification, replaces the live data in one statement. Exit codes: exit_codes.h and
// docs/operations.md "Restore".
#include <unistd.h>

#include <iostream>
#include <memory>
#include <random>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "runtime/dialect/restore_sql.h"
#include "runtime/ops/ops_schema.h"
#include "runtime/ops/ops_store.h"
#include "runtime/ports/clock.h"
#include "runtime/restore/executor.h"
#include "runtime/restore/planner.h"
#include "tools/starkeep/cluster_options.h"
#include "tools/starkeep/commands.h"
#include "tools/starkeep/exit_codes.h"

namespace sk::cli {
namespace {

struct RestoreOptions {
  restore::Scope scope = restore::Scope::kTable;
  std::string object;      // DB.TABLE or DB
  std::string partition;   // partition scope
  std::string as_of;
  std::string snapshot;
  std::string into;
  std::string as_name;
  std::string repository;
  std::string backup_timestamp;
  std::string time_zone = "UTC";
  std::string format = "text";
  int replication_num = 0;
  bool replace = false;
  bool drop_old = false;
  bool dry_run = false;
  mysql::ConnectionFlags connection;
  OpsFlags ops;
};

int exit_code_for_restore(const Error& e) {
  const std::string& c = e.code;
  if (c == "restore.nothing") return kExitRestoreNothing;
  if (c == "restore.snapshot_missing") return kExitSnapshotMissing;
  if (c == "restore.wrong_timestamp") return kExitWrongTimestamp;
  if (c == "restore.schema_conflict") return kExitSchemaConflict;
  if (c == "restore.disk_limit") return kExitDiskLimit;
  if (c == "restore.job_failed") return kExitRestoreFailed;
  if (c == "restore.verify_failed") return kExitVerifyFailed;
  if (c == "restore.target_exists") return kExitTargetExists;
  if (c == "restore.busy") return kExitRestoreBusy;
  if (c == "restore.usage" || c.starts_with("domain.")) return kExitUsage;
  if (c.starts_with("sql.")) return exit_code_for(e);
  return kExitInternal;
}

int report(const Error& e, std::string_view format) {
  if (format == "json") {
    std::cout << nlohmann::json{{"error", {{"code", e.code}, {"message", e.message}}}}.dump(2) << "\n";
  }
  std::cerr << "starkeep restore: error[" << e.code << "]: " << e.describe() << "\n";
  return exit_code_for_restore(e);
}

Result<restore::RestoreRequest> build_request(const RestoreOptions& o, Instant now) {
  std::string db_text = o.object;
  std::string table_text;
  if (o.scope != restore::Scope::kDatabase) {
    auto dot = o.object.find('.');
    if (dot == std::string::npos) return sk::fail("restore.usage", "expected DB.TABLE, got '{}'", o.object);
    db_text = o.object.substr(0, dot);
    table_text = o.object.substr(dot + 1);
  }
  auto db = DatabaseName::parse(db_text);
  if (!db) return std::unexpected(db.error());
  restore::RestoreRequest r{.scope = o.scope, .database = *db};
  if (!table_text.empty()) {
    auto t = TableName::parse(table_text);
    if (!t) return std::unexpected(t.error());
    r.table = *t;
  }
  if (o.scope == restore::Scope::kPartition) {
    auto p = PartitionName::parse(o.partition);
    if (!p) return std::unexpected(p.error());
    r.partitions.push_back(*p);
  }
  if (!o.as_of.empty()) {
    auto zone = TimeZone::parse(o.time_zone);
    if (!zone) return std::unexpected(zone.error());
    auto t = Instant::parse(o.as_of, *zone);
    if (!t) return sk::fail("restore.usage", "--as-of: {}", t.error().message);
    r.as_of = *t;
  }
  if (!o.snapshot.empty()) {
    auto l = SnapshotLabel::parse(o.snapshot);
    if (!l) return std::unexpected(l.error());
    r.snapshot = *l;
  }
  if (!o.repository.empty()) {
    auto repo = RepositoryName::parse(o.repository);
    if (!repo) return std::unexpected(repo.error());
    r.repository = *repo;
  }
  if (!o.into.empty()) {
    auto into = DatabaseName::parse(o.into);
    if (!into) return std::unexpected(into.error());
    r.into = *into;
  }
  if (!o.as_name.empty()) {
    auto as = TableName::parse(o.as_name);
    if (!as) return std::unexpected(as.error());
    r.as_name = *as;
  }
  r.replace = o.replace;
  r.drop_old = o.drop_old;
  if (o.replication_num > 0) r.replication_num = o.replication_num;
  r.now = now;
  return r;
}

int run_restore(const RestoreOptions& o) {
  ports::SystemClock clock;
  ports::ThreadSleeper sleeper;
  auto request = build_request(o, clock.now());
  if (!request) return report(request.error(), o.format);
  auto config = ops_config(o.ops);
  if (!config) return report(config.error(), o.format);
  auto session = open_cluster(o.connection);
  if (!session) return report(session.error(), o.format);
  ports::SqlConnection& conn = **session;
  ops::OpsStore store(conn, *config, clock);

  auto history = restore::load_history(store, request->database);
  if (!history) return report(history.error(), o.format);
  if (!request->replication_num && request->table) {
    // Match the source table, or a restore next to it fails on "different replication num" (reference §3.4).
    auto n = restore::source_replication_num(conn, request->database, *request->table);
    if (!n) return report(n.error(), o.format);
    request->replication_num = *n;
  }
  {
    auto live = conn.query(dialect::render_list_tables(request->database));
    if (!live) return report(live.error(), o.format);
    std::vector<TableName> tables;
    for (std::size_t i = 0; i < live->size(); ++i) {
      auto name = live->get(i, "TABLE_NAME");
      if (!name || !*name) continue;
      if (auto t = TableName::parse(**name)) tables.push_back(*t);
    }
    request->live_tables = std::move(tables);
  }
  auto plan = restore::make_restore_plan(*request, *history);
  if (!plan) return report(plan.error(), o.format);
  std::optional<std::string> override_ts;
  if (!o.backup_timestamp.empty()) override_ts = o.backup_timestamp;
  if (auto s = restore::resolve_timestamps(conn, *plan, override_ts); !s) return report(s.error(), o.format);

  // The plan, before anything runs.
  if (o.format == "json") {
    nlohmann::json j = restore::plan_to_json(*plan);
    j["dry_run"] = o.dry_run;
    if (o.dry_run) {
      std::cout << j.dump(2) << "\n";
      return kExitOk;
    }
    std::cerr << j.dump(2) << "\n";
  } else {
    std::cout << restore::plan_to_text(*plan);
    if (o.dry_run) {
      std::cout << "Dry run: nothing was sent.\n";
      return kExitOk;
    }
    std::cout << std::flush;
  }

  restore::ExecuteOptions options;
  // Unique per invocation: two restores of the same database within one second must not share history rows.
  options.run_id = ops::make_id({"restore", std::to_string(clock.now().unix_seconds()), std::to_string(::getpid()),
                                 std::to_string(std::random_device{}()), plan->target_database.str(),
                                 request->database.str()});
  std::ostream* progress = o.format == "json" ? &std::cerr : &std::cout;
  auto outcome = restore::execute_plan(conn, &store, *plan, clock, sleeper, options, progress);
  if (o.format == "json") {
    nlohmann::json j{{"verification", std::string(verify::to_string(outcome.verdict))},
                     {"swapped", outcome.swapped},
                     {"target_database", plan->target_database.str()},
                     {"targets", nlohmann::json::array()}};
    for (const auto& t : plan->targets) j["targets"].push_back(t.target.str());
    if (outcome.error) j["error"] = {{"code", outcome.error->code}, {"message", outcome.error->message}};
    std::cout << j.dump(2) << "\n";
  }
  if (outcome.error) {
    std::cerr << "starkeep restore: error[" << outcome.error->code << "]: " << outcome.error->describe() << "\n";
    return exit_code_for_restore(*outcome.error);
  }
  if (o.format != "json") {
    std::cout << fmt::format("Restored into {}: verification {}{}\n", plan->target_database.str(),
                             verify::to_string(outcome.verdict), outcome.swapped ? "; live data replaced" : "");
  }
  return kExitOk;
}

void add_common(CLI::App& cmd, RestoreOptions& o) {
  auto* as_of = cmd.add_option("--as-of", o.as_of,
                               "Restore the state as of this instant: 2025-09-14T01:00:00Z, …+08:00, or a local time "
                               "in --time-zone");
  auto* snap = cmd.add_option("--snapshot", o.snapshot, "Restore the state of this snapshot label (and its chain)");
  as_of->excludes(snap);
  cmd.add_option("--time-zone", o.time_zone, "Zone of an --as-of without offset (default UTC)");
  auto* into = cmd.add_option("--into", o.into, "Restore into this database (created when missing), same names");
  auto* as = cmd.add_option("--as", o.as_name, "Restore the table under this new name in its own database");
  (void)into;
  (void)as;
  auto* replace = cmd.add_flag("--replace", o.replace,
                               "After verification PASSED, replace the live data atomically (ALTER TABLE … SWAP WITH; "
                               "INSERT OVERWRITE … PARTITION for a partition)");
  cmd.add_flag("--drop-old", o.drop_old, "With --replace: drop the old data afterwards")->needs(replace);
  cmd.add_flag("--dry-run", o.dry_run, "Show the plan (with backup timestamps) and stop");
  cmd.add_option("--format", o.format, "text or json")->check(CLI::IsMember({"text", "json"}));
  cmd.add_option("--repository", o.repository, "Only snapshots of this repository");
  cmd.add_option("--backup-timestamp", o.backup_timestamp,
                 "Use this backup_timestamp (one-snapshot plans; must be listed by SHOW SNAPSHOT)");
  cmd.add_option("--replication-num", o.replication_num,
                 "replication_num of the restored tables (default: the live source table's, from SHOW CREATE TABLE)")
      ->check(CLI::PositiveNumber);
  add_connection_flags(cmd, o.connection);
  add_ops_flags(cmd, o.ops, false);
}

}  // namespace

void register_restore(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<RestoreOptions>();
  auto* cmd = app.add_subcommand(
      "restore",
      "Restore a partition, a table or a database as of an instant or a snapshot, into a new name by default.\n"
      "The plan is printed before anything runs. Exit codes: 0 done, 20 nothing to restore, 21 snapshot missing, "
      "22 wrong backup timestamp, 23 schema conflict, 24 BE disk limit, 25 restore job failed, 26 verification "
      "failed (live data untouched), 27 target exists, 28 database busy, 64 usage, 69 cluster unreachable.");
  cmd->require_subcommand(1);

  auto* partition = cmd->add_subcommand("partition", "Restore one partition: DB.TABLE PARTITION");
  partition->add_option("table", options->object, "DB.TABLE")->required();
  partition->add_option("partition", options->partition, "Partition name")->required();
  add_common(*partition, *options);
  partition->callback([options, &exit_code] {
    options->scope = restore::Scope::kPartition;
    exit_code = run_restore(*options);
  });

  auto* table = cmd->add_subcommand("table", "Restore one table: DB.TABLE");
  table->add_option("table", options->object, "DB.TABLE")->required();
  add_common(*table, *options);
  table->callback([options, &exit_code] {
    options->scope = restore::Scope::kTable;
    exit_code = run_restore(*options);
  });

  auto* database = cmd->add_subcommand("database", "Restore a whole database (into another one): DB");
  database->add_option("database", options->object, "DB")->required();
  add_common(*database, *options);
  database->callback([options, &exit_code] {
    options->scope = restore::Scope::kDatabase;
    exit_code = run_restore(*options);
  });
}

}  // namespace sk::cli
