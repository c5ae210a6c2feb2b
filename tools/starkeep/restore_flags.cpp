#include "tools/starkeep/restore_flags.h"

#include "tools/starkeep/cli_common.h"

#include <algorithm>
#include <iostream>
#include <nlohmann/json.hpp>

#include "common/json_text.h"
#include "common/error_codes.h"

namespace sk::cli {
namespace {

// What is restored: DB.TABLE (`my.db`.t for a name with a dot) or DB as the first positional, or --database and
// --table, which take names as they are (dots, backticks, quotes; issue 10 item 18); the partitions follow.
struct Object {
  DatabaseName database;
  std::optional<TableName> table;
  std::vector<std::string> rest;  // positionals after the object: the partitions
};

Result<Object> named_object(const RestoreOptions& o) {
  const bool needs_table = o.scope != restore::Scope::kDatabase;
  if (!needs_table && o.table) return sk::fail("restore.usage", "restore database takes no --table");
  if (!o.database) return sk::fail("restore.usage", "--table needs --database (the table's database)");
  if (needs_table && !o.table) {
    return sk::fail("restore.usage", "--database needs --table for a {} restore (or give DB.TABLE)",
                    restore::to_string(o.scope));
  }
  auto db = DatabaseName::parse(*o.database);
  if (!db) return sk::fail("restore.usage", "--database: {}", db.error().message);
  Object out{*db, std::nullopt, o.positionals};
  if (o.table) {
    auto t = TableName::parse(*o.table);
    if (!t) return sk::fail("restore.usage", "--table: {}", t.error().message);
    out.table = *t;
  }
  return out;
}

Result<Object> restored_object(const RestoreOptions& o) {
  if (o.database || o.table) return named_object(o);
  if (o.positionals.empty()) {
    return sk::fail("restore.usage", "name what to restore: {} (or --database{})",
                    o.scope == restore::Scope::kDatabase ? "DB" : "DB.TABLE",
                    o.scope == restore::Scope::kDatabase ? "" : " and --table");
  }
  std::vector<std::string> rest(o.positionals.begin() + 1, o.positionals.end());
  if (o.scope == restore::Scope::kDatabase) {
    auto db = DatabaseName::parse(o.positionals.front());
    if (!db) return std::unexpected(db.error());
    return Object{*db, std::nullopt, std::move(rest)};
  }
  auto q = parse_qualified_table(o.positionals.front());
  if (!q) return sk::fail("restore.usage", "{} (or name it with --database and --table)", q.error().message);
  return Object{q->database, q->table, std::move(rest)};
}

// The partitions of a partition restore (at least one, each once); nothing may follow the object otherwise.
Result<std::vector<PartitionName>> restored_partitions(const RestoreOptions& o, const Object& object) {
  std::vector<PartitionName> out;
  if (o.scope != restore::Scope::kPartition) {
    if (!object.rest.empty()) {
      return sk::fail("restore.usage", "unexpected '{}' after the {} to restore", object.rest.front(),
                      o.scope == restore::Scope::kDatabase ? "database" : "table");
    }
    return out;
  }
  if (object.rest.empty()) return sk::fail("restore.usage", "name at least one partition to restore");
  for (const auto& text : object.rest) {
    auto p = PartitionName::parse(text);
    if (!p) return std::unexpected(p.error());
    if (std::find(out.begin(), out.end(), *p) != out.end())
      return sk::fail("restore.usage", "partition {} is named twice", text);
    out.push_back(*p);
  }
  return out;
}

Result<restore::RestoreRequest> build_request(const RestoreOptions& o, Instant now) {
  auto object = restored_object(o);
  if (!object) return std::unexpected(std::move(object.error()));
  auto partitions = restored_partitions(o, *object);
  if (!partitions) return std::unexpected(std::move(partitions.error()));
  restore::RestoreRequest r{.scope = o.scope, .database = object->database};
  r.table = object->table;
  r.partitions = std::move(*partitions);
  if (!o.as_of.empty()) {
    auto zone = TimeZone::parse(o.time_zone);
    if (!zone) return std::unexpected(zone.error());
    auto t = parse_instant_flag(o.as_of, *zone);  // "now" as for run --at
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

}  // namespace

void add_catalog_flags(CLI::App& cmd, CatalogFlags& flags) {
  cmd.add_option(
      "--recovery-database", flags.recovery_database,
      "Database the repository's catalog snapshot is restored into (default: <ops database>_recovered)");
  cmd.add_flag("--refresh-catalog", flags.refresh,
               "Replace the catalog tables in a recovery database that holds another catalog snapshot");
  cmd.add_option(
      "--catalog", flags.label,
      "Use this catalog snapshot (starkeep_catalog_…) instead of the newest; it knows no snapshot taken "
      "after it was published");
}

Result<restore::CatalogChoice> catalog_choice(const CatalogFlags& flags) {
  restore::CatalogChoice choice;
  choice.refresh = flags.refresh;
  if (!flags.recovery_database.empty()) {
    auto db = DatabaseName::parse(flags.recovery_database);
    if (!db) return sk::fail(errc::kRestoreUsage, "--recovery-database: {}", db.error().message);
    choice.recovery_database = *db;
  }
  if (!flags.label.empty()) {
    auto l = SnapshotLabel::parse(flags.label);
    if (!l) return sk::fail(errc::kRestoreUsage, "--catalog: {}", l.error().message);
    choice.label = *l;
  }
  return choice;
}

void add_grammar_flag(CLI::App& cmd, std::string& grammar) {
  cmd.add_option(
         "--restore-grammar", grammar,
         "BACKUP/RESTORE grammar: auto (3.4 form on servers from 3.4, by current_version()), pre-3.4, 3.4")
      ->check(CLI::IsMember({"auto", "pre-3.4", "3.4"}))
      ->capture_default_str();
}

Result<std::unique_ptr<RestoreSession>> open_restore_session(const mysql::ConnectionFlags& connection,
                                                             const OpsFlags& ops) {
  auto config = ops_config(ops);
  if (!config) return std::unexpected(std::move(config.error()));
  auto session = open_cluster(connection);
  if (!session) return std::unexpected(std::move(session.error()));
  return std::make_unique<RestoreSession>(std::move(*config), std::move(*session));
}

std::optional<dialect::Grammar> grammar_choice(const std::string& option) {
  if (option == "pre-3.4") return dialect::Grammar::kPre34;
  if (option == "3.4") return dialect::Grammar::kV34;
  return std::nullopt;
}

// The flags as the service's invocation.
Result<restore::RestoreInvocation> restore_invocation(const RestoreOptions& o, Instant now) {
  auto request = build_request(o, now);
  if (!request) return std::unexpected(std::move(request.error()));
  restore::RestoreInvocation inv{
      std::move(*request), std::nullopt, {}, grammar_choice(o.grammar), std::nullopt};
  if (!o.from_repository.empty()) {
    auto repo = RepositoryName::parse(o.from_repository);
    if (!repo) return std::unexpected(std::move(repo.error()));
    inv.from_repository = *repo;
  }
  auto choice = catalog_choice(o.catalog);
  if (!choice) return std::unexpected(std::move(choice.error()));
  inv.catalog = std::move(*choice);
  if (o.backup_timestamp) {
    inv.backup_timestamp = BackupTimestamp::from_server(*o.backup_timestamp);
    if (!inv.backup_timestamp) {
      return sk::fail(errc::kRestoreUsage,
                      "--backup-timestamp is empty: give one of the snapshot's timestamps as SHOW SNAPSHOT lists "
                      "it, or leave the flag out");
    }
  }
  return inv;
}

void add_restore_flags(CLI::App& cmd, RestoreOptions& o) {
  cmd.add_option("--database", o.database,
                 "The database, its name as it is (no quoting: a '.' is part of the name); instead of DB.TABLE "
                 "or DB");
  if (cmd.get_name() != "database") {
    cmd.add_option("--table", o.table, "The table, its name as it is; with --database, instead of DB.TABLE");
  }
  auto* as_of =
      cmd.add_option("--as-of", o.as_of,
                     "Restore the state as of this instant: 2025-09-14T01:00:00Z, …+08:00, or a local time "
                     "in --time-zone, or now (the newest state the snapshots hold)");
  auto* snap =
      cmd.add_option("--snapshot", o.snapshot, "Restore the state of this snapshot label (and its chain)");
  as_of->excludes(snap);
  cmd.add_option("--time-zone", o.time_zone, "Zone of an --as-of without offset (default UTC)");
  auto* into =
      cmd.add_option("--into", o.into, "Restore into this database (created when missing), same names");
  auto* as = cmd.add_option("--as", o.as_name, "Restore the table under this new name in its own database");
  (void)into;
  (void)as;
  auto* replace =
      cmd.add_flag("--replace", o.replace,
                   "After verification PASSED, replace the live data atomically (ALTER TABLE … SWAP WITH; "
                   "INSERT OVERWRITE … PARTITION for a partition)");
  cmd.add_flag("--drop-old", o.drop_old, "With --replace: drop the old data afterwards")->needs(replace);
  cmd.add_flag("--dry-run", o.dry_run, "Show the plan (with backup timestamps) and stop");
  cmd.add_option("--format", o.format, "text or json")->check(CLI::IsMember({"text", "json"}));
  cmd.add_option("--repository", o.repository, "Only snapshots of this repository");
  cmd.add_option("--backup-timestamp", o.backup_timestamp,
                 "Use this backup_timestamp (one-snapshot plans; must be listed by SHOW SNAPSHOT)");
  cmd.add_option(
         "--replication-num", o.replication_num,
         "replication_num of the restored tables (default: the live source table's, from SHOW CREATE TABLE; "
         "when the source is not on this cluster: that of this cluster's ops tables)")
      ->check(CLI::PositiveNumber);
  cmd.add_option("--from-repository", o.from_repository,
                 "Cold start: plan from the newest catalog snapshot in this repository (restored first into "
                 "--recovery-database), not from this cluster's ops tables");
  add_catalog_flags(cmd, o.catalog);
  add_grammar_flag(cmd, o.grammar);
  cmd.add_option(
         "--wait-limit", o.wait_limit_seconds,
         "Seconds to wait for each RESTORE job; past it the job is cancelled (CANCEL RESTORE) and the "
         "restore exits 29")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  add_connection_flags(cmd, o.connection);
  add_ops_flags(cmd, o.ops, false);
}

int report(const Error& e, std::string_view format) {
  if (format == "json") {
    std::cout << json_text(nlohmann::json{{"restore_version", kRestoreJsonVersion},
                                          {"error", {{"code", e.code}, {"message", e.message}}}},
                           2)
              << "\n";
  }
  std::cerr << "starkeep restore: error[" << e.code << "]: " << e.describe() << "\n";
  return exit_code_for(e);
}

}  // namespace sk::cli
