// starkeep restore partition|table|database: parses the flags, asks the restore service (runtime/restore/
// restore_service.h) for the plan — the newest snapshot at or before --as-of for each partition, or the
// restore point of --snapshot, with backup timestamps from SHOW SNAPSHOT; with --from-repository REPO from
// the newest catalog snapshot in the repository (cold start) — prints it (text or JSON) BEFORE anything runs,
// and unless
// --dry-run has the service restore into a NEW name (another database with --into, or an alias with --as; a
// generated `<name>_restored_<UTC stamp>` by default), verify against the fingerprints recorded at backup
// time and, only with --replace and a PASSED verification, replace the live data in one statement. starkeep
// restore points: the restore points the repository alone offers (the same catalog). starkeep catalog
// publish|adopt: catalog_command.cpp. Exit codes: common/error_codes.def, docs/operations.md "Restore".
#include <fmt/format.h>

#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "common/json_text.h"
#include "runtime/ports/clock.h"
#include "runtime/restore/restore_service.h"
#include "tools/starkeep/cli_common.h"
#include "tools/starkeep/cluster_options.h"
#include "tools/starkeep/commands.h"
#include "tools/starkeep/exit_codes.h"
#include "tools/starkeep/progress_display.h"
#include "tools/starkeep/restore_flags.h"

namespace sk::cli {
namespace {

// The plan, before anything runs; true when the command stops here (--dry-run).
bool print_plan(const RestoreOptions& o, const restore::PreparedRestore& prepared) {
  if (o.format != "json") {
    std::cout << restore::plan_to_text(prepared.plan);
    if (o.dry_run) std::cout << "Dry run: nothing was sent.\n";
    std::cout << std::flush;
    return o.dry_run;
  }
  nlohmann::json j = restore::plan_to_json(prepared.plan);
  j["restore_version"] = kRestoreJsonVersion;
  j["dry_run"] = o.dry_run;
  if (const auto& r = prepared.recovered) {
    j["catalog"] = {{"repository", r->catalog.repository.str()},
                    {"label", r->catalog.label.str()},
                    {"backup_timestamp", r->catalog.backup_timestamp.str()},
                    {"published_at", r->catalog.published_at.to_iso8601_utc()},
                    {"recovery_database", r->database.str()},
                    {"reused", r->reused}};
  }
  (o.dry_run ? std::cout : std::cerr) << json_text(j, 2) << "\n";
  return o.dry_run;
}

int print_outcome(const RestoreOptions& o, const restore::RestorePlan& plan,
                  const restore::RestoreOutcome& outcome) {
  if (o.format == "json") {
    nlohmann::json j{{"restore_version", kRestoreJsonVersion},
                     {"verification", std::string(verify::to_string(outcome.verdict))},
                     {"swapped", outcome.swapped},
                     {"target_database", plan.target_database.str()},
                     {"targets", nlohmann::json::array()},
                     {"not_verified", verify::not_compared(outcome.checks)}};
    for (const auto& t : plan.targets) j["targets"].push_back(t.target.str());
    if (outcome.error) j["error"] = {{"code", outcome.error->code}, {"message", outcome.error->message}};
    std::cout << json_text(j, 2) << "\n";
  }
  if (outcome.error) {
    std::cerr << "starkeep restore: error[" << outcome.error->code << "]: " << outcome.error->describe()
              << "\n";
    return exit_code_for(*outcome.error);
  }
  if (o.format != "json") {
    std::string unverified;
    for (const auto& k : verify::not_compared(outcome.checks))
      unverified += (unverified.empty() ? "" : ", ") + k;
    std::cout << fmt::format("Restored into {}: verification {}{}{}\n", plan.target_database.str(),
                             verify::to_string(outcome.verdict),
                             unverified.empty() ? "" : " (not verified: " + unverified + ")",
                             outcome.swapped ? "; live data replaced" : "");
  }
  return kExitOk;
}

int run_restore(const RestoreOptions& o) {
  auto inv = restore_invocation(o, ports::SystemClock().now());
  if (!inv) return report(inv.error(), o.format);
  auto session = open_restore_session(o.connection, o.ops);
  if (!session) return report(session.error(), o.format);
  std::ostream& info = o.format == "json" ? std::cerr : std::cout;
  restore::Env env = (*session)->env(&info);
  const auto display = make_progress_display(o.format != "json", env.clock);
  env.display = display.get();
  auto prepared = restore::prepare_restore(env, std::move(*inv));
  if (!prepared) return report(prepared.error(), o.format);
  if (print_plan(o, *prepared)) return kExitOk;
  const auto outcome = restore::execute_restore(env, *prepared, std::chrono::seconds(o.wait_limit_seconds));
  return print_outcome(o, prepared->plan, outcome);
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
  auto repo = RepositoryName::parse(o.repository);
  if (!repo) return report(repo.error(), o.format);
  std::optional<DatabaseName> db;
  if (!o.database.empty()) {
    auto d = DatabaseName::parse(o.database);
    if (!d) return report(d.error(), o.format);
    db = *d;
  }
  auto choice = catalog_choice(o.catalog);
  if (!choice) return report(choice.error(), o.format);
  auto session = open_restore_session(o.connection, o.ops);
  if (!session) return report(session.error(), o.format);
  const restore::Env env = (*session)->env();
  auto found = restore::list_restore_points(env, *repo, db, *choice, grammar_choice(o.grammar));
  if (!found) return report(found.error(), o.format);
  if (o.format == "json") {
    nlohmann::json j = restore::points_to_json(found->recovered, found->points);
    j["restore_version"] = kRestoreJsonVersion;
    std::cout << json_text(j, 2) << "\n";
  } else {
    std::cout << restore::points_to_text(found->recovered, found->points);
  }
  return kExitOk;
}

}  // namespace

void register_restore(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<RestoreOptions>();
  auto* cmd = app.add_subcommand(
      "restore",
      "Restore a partition, a table or a database as of an instant or a snapshot, into a new name by "
      "default.\n"
      "The plan is printed before anything runs. Exit codes: 0 done, 20 nothing to restore, 21 snapshot "
      "missing, "
      "22 wrong backup timestamp, 23 schema conflict, 24 BE disk limit, 25 restore job failed, 26 "
      "verification "
      "failed (live data untouched), 27 target exists, 28 database busy, 29 wait limit passed (job "
      "cancelled), "
      "64 usage, 16 cluster unreachable, 69 statement refused, 78 bad connection settings or catalog newer "
      "than this build.");
  cmd->require_subcommand(1);

  auto* partition = cmd->add_subcommand(
      "partition",
      "Restore partitions of one table: DB.TABLE PARTITION [PARTITION ...], or --database DB --table TABLE "
      "PARTITION [PARTITION ...]; with --replace they replace the live partitions in one statement");
  partition->add_option("object", options->positionals,
                        "DB.TABLE (`my.db`.t for a name with a dot; or use --database/--table), then the "
                        "partition names");
  add_restore_flags(*partition, *options);
  partition->callback([options, &exit_code] {
    options->scope = restore::Scope::kPartition;
    exit_code = run_restore(*options);
  });

  auto* table = cmd->add_subcommand("table", "Restore one table: DB.TABLE, or --database DB --table TABLE");
  table->add_option("object", options->positionals,
                    "DB.TABLE (`my.db`.t for a name with a dot; or use --database/--table)");
  add_restore_flags(*table, *options);
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
  points->add_option("--format", points_options->format, "text or json")
      ->check(CLI::IsMember({"text", "json"}));
  add_catalog_flags(*points, points_options->catalog);
  add_grammar_flag(*points, points_options->grammar);
  add_connection_flags(*points, points_options->connection);
  add_ops_flags(*points, points_options->ops, false);
  points->callback([points_options, &exit_code] { exit_code = run_points(*points_options); });

  auto* database = cmd->add_subcommand("database", "Restore a whole database (into another one): DB");
  database->add_option("object", options->positionals, "DB (or --database DB)");
  add_restore_flags(*database, *options);
  database->callback([options, &exit_code] {
    options->scope = restore::Scope::kDatabase;
    exit_code = run_restore(*options);
  });
}

}  // namespace sk::cli
