// starkeep restore partition|table|database: plans a restore from ops.backup_history and ops.backup_manifest (the
// newest snapshot at or before --as-of for each partition, or the restore point of --snapshot), resolves each
// snapshot's backup_timestamp with SHOW SNAPSHOT, prints the plan (text or JSON) BEFORE anything runs, and unless
// --dry-run restores into a NEW name (another database with --into, or an alias with --as; a generated
// `<name>_restored_<UTC stamp>` by default), verifies it against the fingerprints recorded at backup time and, only
// with --replace and a PASSED verification, replaces the live data in one statement. With --from-repository REPO
// the plan comes from the newest catalog snapshot in the repository (runtime/catalog), restored first into a
// recovery database — cold-start recovery on a cluster whose ops tables know nothing.
// starkeep restore points: the restore points the repository alone offers (the same catalog).
// starkeep catalog publish: publishes a catalog snapshot now (`starkeep run` does it after each run).
// Exit codes: exit_codes.h and docs/operations.md "Restore".
#include <unistd.h>

#include <iostream>
#include <memory>
#include <random>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "runtime/catalog/catalog.h"
#include "runtime/jobs/lifecycle.h"
#include "kernel/dialect/restore_sql.h"
#include "runtime/ops/ops_schema.h"
#include "runtime/ops/ops_store.h"
#include "runtime/ports/clock.h"
#include "runtime/restore/cold_start.h"
#include "runtime/restore/executor.h"
#include "runtime/restore/planner.h"
#include "tools/starkeep/cluster_options.h"
#include "tools/starkeep/commands.h"
#include "tools/starkeep/exit_codes.h"

namespace sk::cli {
namespace {

// Where a repository's catalog snapshot is restored on this cluster, and which one.
struct CatalogFlags {
  std::string recovery_database;  // default <ops>_recovered
  bool refresh = false;
  std::string label;              // a chosen catalog snapshot; default the newest
};

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
  std::string from_repository;     // cold start: plan from the repository's newest catalog snapshot
  CatalogFlags catalog;
  std::string grammar = "auto";    // RESTORE grammar: auto (server version), pre-3.4, 3.4
  int wait_limit_seconds = 86'400;  // per RESTORE job; then CANCEL RESTORE
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
  if (c == "restore.timeout" || c == "catalog.timeout") return kExitRestoreTimeout;
  if (c == "catalog.none") return kExitSnapshotMissing;
  if (c == "catalog.not_empty") return kExitTargetExists;
  if (c == "catalog.busy") return kExitRestoreBusy;
  if (c == "catalog.failed") return kExitRestoreFailed;
  if (c == "catalog.schema_newer" || c == "ops.schema_newer") return kExitConfig;
  if (c == "cli.usage") return kExitUsage;
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

Result<dialect::Grammar> choose_grammar(ports::SqlConnection& conn, const std::string& option) {
  if (option == "pre-3.4") return dialect::Grammar::kPre34;
  if (option == "3.4") return dialect::Grammar::kV34;
  return jobs::detect_grammar(conn);
}

// The replication_num of this cluster's own ops tables (SHOW CREATE TABLE), `fallback` when unknown: the
// replication the operator chose for this cluster, used for a recovered catalog and for data whose source table
// is not on this cluster.
int local_replication(ports::SqlConnection& conn, const ops::OpsConfig& config, int fallback) {
  auto n = restore::source_replication_num(conn, config.database, *TableName::parse("backup_history"));
  return n && *n ? **n : fallback;
}

struct RepositoryCatalog {
  std::vector<catalog::RepositorySnapshot> listed;
  catalog::Recovered recovered;
};

// SHOW SNAPSHOT ON repo, the newest catalog snapshot, restored into (or found in) the recovery database.
Result<RepositoryCatalog> recover_from_repository(ports::SqlConnection& conn, const ops::OpsConfig& config,
                                                  const RepositoryName& repo, const CatalogFlags& flags,
                                                  dialect::Grammar grammar, int replication_num,
                                                  ports::Clock& clock, ports::Sleeper& sleeper) {
  const std::string& recovery_database = flags.recovery_database;
  const bool refresh = flags.refresh;
  catalog::RecoverOptions options{catalog::default_recovery_database(config.database), replication_num, refresh, {}};
  options.job.grammar = grammar;
  if (!recovery_database.empty()) {
    auto db = DatabaseName::parse(recovery_database);
    if (!db) return sk::fail("restore.usage", "--recovery-database: {}", db.error().message);
    options.recovery_database = *db;
  }
  if (options.recovery_database == config.database) {
    return sk::fail("restore.usage", "the recovery database must not be the ops database {}", config.database.str());
  }
  auto listed = catalog::list_snapshots(conn, repo);
  if (!listed) {
    if (auto m = ports::server_message(listed.error()); m && m->find("does not exist") != std::string::npos) {
      return sk::fail("restore.snapshot_missing",
                      "{} — create it on this cluster with the same name and location first (starkeep repository "
                      "apply)",
                      *m);
    }
    return std::unexpected(std::move(listed.error()));
  }
  std::optional<SnapshotLabel> chosen;
  if (!flags.label.empty()) {
    auto l = SnapshotLabel::parse(flags.label);
    if (!l) return sk::fail("restore.usage", "--catalog: {}", l.error().message);
    chosen = *l;
  }
  auto newest = catalog::newest_catalog(repo, *listed, chosen);
  if (!newest) return std::unexpected(std::move(newest.error()));
  auto recovered = catalog::recover(conn, *newest, options, clock, sleeper);
  if (!recovered) {
    Error e = std::move(recovered.error());
    if (e.code == "catalog.failed" && !chosen) {
      // Name the older catalogs: one of them may be chosen on purpose (it knows nothing published after it).
      std::string older;
      for (const auto& c : catalog::catalogs_newest_first(repo, *listed)) {
        if (c.label == newest->label) continue;
        older += fmt::format("{}{} (published {})", older.empty() ? "" : ", ", c.label.str(),
                             c.published_at.to_iso8601_utc());
        if (older.size() > 400) break;
      }
      if (!older.empty()) {
        e.message += "; older catalog snapshots: " + older +
                     " — choose one with --catalog LABEL (it knows no snapshot taken after it was published)";
      }
    }
    return std::unexpected(std::move(e));
  }
  return RepositoryCatalog{std::move(*listed), std::move(*recovered)};
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
  ops::OpsStore store(conn, *config, clock);  // this cluster's ops: restore_history
  std::ostream& info = o.format == "json" ? std::cerr : std::cout;

  auto grammar = choose_grammar(conn, o.grammar);
  if (!grammar) return report(grammar.error(), o.format);
  request->grammar = *grammar;

  std::vector<TableName> live_tables;
  {
    auto live = conn.query(dialect::render_list_tables(request->database));
    if (!live) return report(live.error(), o.format);
    for (std::size_t i = 0; i < live->size(); ++i) {
      auto name = live->get(i, "TABLE_NAME");
      if (!name || !*name) continue;
      if (auto t = TableName::parse(**name)) live_tables.push_back(*t);
    }
  }

  const bool cold = !o.from_repository.empty();
  std::optional<ops::OpsStore> catalog_store;  // cold start: the recovered catalog
  std::optional<catalog::Recovered> recovered;
  Result<std::vector<restore::Snapshot>> history = std::vector<restore::Snapshot>{};
  if (cold) {
    auto repo = RepositoryName::parse(o.from_repository);
    if (!repo) return report(repo.error(), o.format);
    if (request->repository && *request->repository != *repo) {
      return report(Error{"restore.usage", "--repository and --from-repository name different repositories", {}},
                    o.format);
    }
    request->repository = *repo;
    auto found = recover_from_repository(conn, *config, *repo, o.catalog, *grammar,
                                         local_replication(conn, *config, config->replication_num), clock, sleeper);
    if (!found) return report(found.error(), o.format);
    const auto& c = found->recovered.catalog;
    info << fmt::format("Catalog: snapshot '{}' (published {}) of repository {} {} {}\n", c.label.str(),
                        c.published_at.to_iso8601_utc(), c.repository.str(),
                        found->recovered.reused ? "already in" : "restored into", found->recovered.database.str());
    catalog_store.emplace(conn, ops::OpsConfig{found->recovered.database, config->replication_num}, clock);
    recovered = found->recovered;
    history = restore::load_history(*catalog_store, request->database);
    if (!history) return report(history.error(), o.format);
    std::vector<std::string> dropped;
    history = restore::listed_only(std::move(*history), *repo, found->listed, &dropped);
    for (const auto& d : dropped) info << "Catalog: skipped " << d << "\n";
    // The source database absent here: nothing live to protect, and its versions prove nothing.
    request->source_on_this_cluster = !live_tables.empty();
  } else {
    history = restore::load_history(store, request->database);
    if (!history) return report(history.error(), o.format);
  }
  if (!request->replication_num && request->table && request->source_on_this_cluster) {
    // Match the source table, or a restore next to it fails on "different replication num" (reference §3.4).
    auto n = restore::source_replication_num(conn, request->database, *request->table);
    if (!n) return report(n.error(), o.format);
    request->replication_num = *n;
  }
  if (!request->replication_num && !request->source_on_this_cluster) {
    request->replication_num = local_replication(conn, *config, config->replication_num);
  }
  if (request->source_on_this_cluster) request->live_tables = std::move(live_tables);
  auto plan = restore::make_restore_plan(*request, *history);
  if (!plan) return report(plan.error(), o.format);
  std::optional<std::string> override_ts;
  if (!o.backup_timestamp.empty()) override_ts = o.backup_timestamp;
  if (auto s = restore::resolve_timestamps(conn, *plan, override_ts); !s) return report(s.error(), o.format);

  // The plan, before anything runs.
  if (o.format == "json") {
    nlohmann::json j = restore::plan_to_json(*plan);
    j["dry_run"] = o.dry_run;
    if (recovered) {
      j["catalog"] = {{"repository", recovered->catalog.repository.str()},
                      {"label", recovered->catalog.label.str()},
                      {"backup_timestamp", recovered->catalog.backup_timestamp},
                      {"published_at", recovered->catalog.published_at.to_iso8601_utc()},
                      {"recovery_database", recovered->database.str()},
                      {"reused", recovered->reused}};
    }
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
  options.job_deadline = std::chrono::seconds(o.wait_limit_seconds);
  options.live_proof = request->source_on_this_cluster && !cold;
  std::ostream* progress = &info;
  auto outcome = restore::execute_plan(conn, &store, *plan, clock, sleeper, options, progress);
  if (o.format == "json") {
    nlohmann::json j{{"verification", std::string(verify::to_string(outcome.verdict))},
                     {"swapped", outcome.swapped},
                     {"target_database", plan->target_database.str()},
                     {"targets", nlohmann::json::array()},
                     {"not_verified", verify::not_compared(outcome.checks)}};
    for (const auto& t : plan->targets) j["targets"].push_back(t.target.str());
    if (outcome.error) j["error"] = {{"code", outcome.error->code}, {"message", outcome.error->message}};
    std::cout << j.dump(2) << "\n";
  }
  if (outcome.error) {
    std::cerr << "starkeep restore: error[" << outcome.error->code << "]: " << outcome.error->describe() << "\n";
    return exit_code_for_restore(*outcome.error);
  }
  if (o.format != "json") {
    std::string unverified;
    for (const auto& k : verify::not_compared(outcome.checks)) unverified += (unverified.empty() ? "" : ", ") + k;
    std::cout << fmt::format("Restored into {}: verification {}{}{}\n", plan->target_database.str(),
                             verify::to_string(outcome.verdict),
                             unverified.empty() ? "" : " (not verified: " + unverified + ")",
                             outcome.swapped ? "; live data replaced" : "");
  }
  return kExitOk;
}

void add_catalog_flags(CLI::App& cmd, CatalogFlags& flags) {
  cmd.add_option("--recovery-database", flags.recovery_database,
                 "Database the repository's catalog snapshot is restored into (default: <ops database>_recovered)");
  cmd.add_flag("--refresh-catalog", flags.refresh,
               "Replace the catalog tables in a recovery database that holds another catalog snapshot");
  cmd.add_option("--catalog", flags.label,
                 "Use this catalog snapshot (starkeep_catalog_…) instead of the newest; it knows no snapshot taken "
                 "after it was published");
}

void add_grammar_flag(CLI::App& cmd, std::string& grammar) {
  cmd.add_option("--restore-grammar", grammar,
                 "BACKUP/RESTORE grammar: auto (3.4 form on servers from 3.4, by current_version()), pre-3.4, 3.4")
      ->check(CLI::IsMember({"auto", "pre-3.4", "3.4"}))
      ->capture_default_str();
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
                 "replication_num of the restored tables (default: the live source table's, from SHOW CREATE TABLE; "
                 "when the source is not on this cluster: that of this cluster's ops tables)")
      ->check(CLI::PositiveNumber);
  cmd.add_option("--from-repository", o.from_repository,
                 "Cold start: plan from the newest catalog snapshot in this repository (restored first into "
                 "--recovery-database), not from this cluster's ops tables");
  add_catalog_flags(cmd, o.catalog);
  add_grammar_flag(cmd, o.grammar);
  cmd.add_option("--wait-limit", o.wait_limit_seconds,
                 "Seconds to wait for each RESTORE job; past it the job is cancelled (CANCEL RESTORE) and the "
                 "restore exits 29")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  add_connection_flags(cmd, o.connection);
  add_ops_flags(cmd, o.ops, false);
}

// ---- starkeep restore points ----

struct PointsOptions {
  std::string repository;
  std::string database;
  std::string format = "text";
  CatalogFlags catalog;
  std::string grammar = "auto";
  mysql::ConnectionFlags connection;
  OpsFlags ops;
};

int run_points(const PointsOptions& o) {
  ports::SystemClock clock;
  ports::ThreadSleeper sleeper;
  auto repo = RepositoryName::parse(o.repository);
  if (!repo) return report(repo.error(), o.format);
  std::optional<DatabaseName> db;
  if (!o.database.empty()) {
    auto d = DatabaseName::parse(o.database);
    if (!d) return report(d.error(), o.format);
    db = *d;
  }
  auto config = ops_config(o.ops);
  if (!config) return report(config.error(), o.format);
  auto session = open_cluster(o.connection);
  if (!session) return report(session.error(), o.format);
  ports::SqlConnection& conn = **session;
  auto grammar = choose_grammar(conn, o.grammar);
  if (!grammar) return report(grammar.error(), o.format);
  auto found = recover_from_repository(conn, *config, *repo, o.catalog, *grammar,
                                       local_replication(conn, *config, config->replication_num), clock, sleeper);
  if (!found) return report(found.error(), o.format);
  ops::OpsStore catalog_store(conn, ops::OpsConfig{found->recovered.database, config->replication_num}, clock);
  auto points = restore::restore_points(conn, catalog_store, db, *repo, found->listed);
  if (!points) return report(points.error(), o.format);
  if (o.format == "json") {
    std::cout << restore::points_to_json(found->recovered, *points).dump(2) << "\n";
  } else {
    std::cout << restore::points_to_text(found->recovered, *points);
  }
  return kExitOk;
}

// ---- starkeep catalog publish ----

struct PublishOptions {
  std::string repository;
  std::string format = "text";
  std::string grammar = "auto";
  mysql::ConnectionFlags connection;
  OpsFlags ops;
};

int run_publish(const PublishOptions& o) {
  ports::SystemClock clock;
  ports::ThreadSleeper sleeper;
  auto repo = RepositoryName::parse(o.repository);
  if (!repo) return report(repo.error(), o.format);
  auto config = ops_config(o.ops);
  if (!config) return report(config.error(), o.format);
  auto session = open_cluster(o.connection);
  if (!session) return report(session.error(), o.format);
  auto grammar = choose_grammar(**session, o.grammar);
  if (!grammar) return report(grammar.error(), o.format);
  catalog::JobOptions options;
  options.grammar = *grammar;
  const std::string run_id = fmt::format("catalog-publish-{}-{}-{}", clock.now().unix_seconds(), ::getpid(),
                                         std::random_device{}());
  auto published = catalog::publish(**session, *config, *repo, catalog::catalog_label(clock.now(), run_id), clock,
                                    sleeper, options);
  if (!published) return report(published.error(), o.format);
  const auto& c = published->catalog;
  if (o.format == "json") {
    std::cout << nlohmann::json{{"repository", c.repository.str()},
                                {"label", c.label.str()},
                                {"backup_timestamp", c.backup_timestamp}}
                     .dump(2)
              << "\n";
  } else {
    std::cout << fmt::format("Published catalog snapshot '{}' to repository {} (backup_timestamp {})\n",
                             c.label.str(), c.repository.str(), c.backup_timestamp);
  }
  return kExitOk;
}

struct AdoptOptions {
  std::string repository;
  CatalogFlags catalog;
  std::string grammar = "auto";
  mysql::ConnectionFlags connection;
  OpsFlags ops;
};

int run_adopt(const AdoptOptions& o) {
  ports::SystemClock clock;
  ports::ThreadSleeper sleeper;
  auto repo = RepositoryName::parse(o.repository);
  if (!repo) return report(repo.error(), "text");
  auto config = ops_config(o.ops);
  if (!config) return report(config.error(), "text");
  auto session = open_cluster(o.connection);
  if (!session) return report(session.error(), "text");
  ports::SqlConnection& conn = **session;
  auto grammar = choose_grammar(conn, o.grammar);
  if (!grammar) return report(grammar.error(), "text");
  auto found = recover_from_repository(conn, *config, *repo, o.catalog, *grammar,
                                       local_replication(conn, *config, config->replication_num), clock, sleeper);
  if (!found) return report(found.error(), "text");
  if (auto s = catalog::adopt(conn, found->recovered.database, *config, clock, "starkeep catalog adopt"); !s) {
    return report(s.error(), "text");
  }
  std::cout << fmt::format("Adopted catalog snapshot '{}' of repository {} into {}: its backups are restore points "
                           "of this cluster now, and its runs' catalog snapshots carry them\n",
                           found->recovered.catalog.label.str(), repo->str(), config->database.str());
  return kExitOk;
}

void register_catalog(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("catalog",
                                 "Catalog snapshots: the ops tables restore needs, kept in the repository next to the "
                                 "data so that an empty cluster can restore from the repository alone.");
  cmd->require_subcommand(1);
  auto o = std::make_shared<PublishOptions>();
  auto* publish = cmd->add_subcommand(
      "publish", "BACKUP the catalog (schema_version, backup_history, backup_manifest, snapshot_lineage, "
                 "table_partition_set) to a repository now (`starkeep run` does this after every run that finished a backup).");
  publish->add_option("--repository", o->repository, "The repository")->required();
  publish->add_option("--format", o->format, "text or json")->check(CLI::IsMember({"text", "json"}));
  add_grammar_flag(*publish, o->grammar);
  add_connection_flags(*publish, o->connection);
  add_ops_flags(*publish, o->ops, false);
  publish->callback([o, &exit_code] { exit_code = run_publish(*o); });

  auto a = std::make_shared<AdoptOptions>();
  auto* adopt = cmd->add_subcommand(
      "adopt", "After a cold start: copy the repository's newest catalog (its FINISHED backups, manifests and lineage) "
               "into this cluster's ops tables, so that this cluster's runs keep the earlier restore points.");
  adopt->add_option("--repository", a->repository, "The repository")->required();
  add_catalog_flags(*adopt, a->catalog);
  add_grammar_flag(*adopt, a->grammar);
  add_connection_flags(*adopt, a->connection);
  add_ops_flags(*adopt, a->ops, true);
  adopt->callback([a, &exit_code] { exit_code = run_adopt(*a); });
}

}  // namespace

void register_restore(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<RestoreOptions>();
  auto* cmd = app.add_subcommand(
      "restore",
      "Restore a partition, a table or a database as of an instant or a snapshot, into a new name by default.\n"
      "The plan is printed before anything runs. Exit codes: 0 done, 20 nothing to restore, 21 snapshot missing, "
      "22 wrong backup timestamp, 23 schema conflict, 24 BE disk limit, 25 restore job failed, 26 verification "
      "failed (live data untouched), 27 target exists, 28 database busy, 29 wait limit passed (job cancelled), "
      "64 usage, 16 cluster unreachable, 69 statement refused, 78 bad connection settings or catalog newer "
      "than this build.");
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

  auto points_options = std::make_shared<PointsOptions>();
  auto* points = cmd->add_subcommand(
      "points",
      "List the restore points the repository alone offers: its newest catalog snapshot is restored into the "
      "recovery database (or found there) and only snapshots SHOW SNAPSHOT lists as OK are shown.");
  points->add_option("--repository", points_options->repository, "The repository")->required();
  points->add_option("--database", points_options->database, "Only this database");
  points->add_option("--format", points_options->format, "text or json")->check(CLI::IsMember({"text", "json"}));
  add_catalog_flags(*points, points_options->catalog);
  add_grammar_flag(*points, points_options->grammar);
  add_connection_flags(*points, points_options->connection);
  add_ops_flags(*points, points_options->ops, false);
  points->callback([points_options, &exit_code] { exit_code = run_points(*points_options); });

  auto* database = cmd->add_subcommand("database", "Restore a whole database (into another one): DB");
  database->add_option("database", options->object, "DB")->required();
  add_common(*database, *options);
  database->callback([options, &exit_code] {
    options->scope = restore::Scope::kDatabase;
    exit_code = run_restore(*options);
  });

  // `starkeep catalog …` lives here with the restore it serves (main.cpp registers only `restore`).
  register_catalog(app, exit_code);
}

}  // namespace sk::cli
