// The restore service behind `starkeep restore …` and `starkeep catalog …`: everything between the parsed
// flags and the rendered result. It chooses the RESTORE grammar (server version unless forced), the history
// to plan from (this cluster's ops tables — warm — or, with a repository given, the newest usable catalog
// snapshot restored into a recovery database — cold start), the live tables of the source database, the
// replication of the restored tables (the live source table's; else this cluster's ops tables'), makes the
// plan with its backup timestamps, and executes it. It also lists a repository's restore points and publishes
// or adopts catalog snapshots. Errors carry the codes of common/error_codes.def ("restore.*", "catalog.*",
// "sql.*", …). Progress lines ("Catalog: …", each step) go to `Env::progress` when set. Not thread-safe (one
// connection).
#pragma once

#include <chrono>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "kernel/dialect/restore_sql.h"
#include "kernel/domain/names.h"
#include "runtime/catalog/catalog.h"
#include "runtime/ops/ops_schema.h"
#include "runtime/ports/clock.h"
#include "runtime/ports/progress.h"
#include "runtime/ports/sql_connection.h"
#include "runtime/restore/cold_start.h"
#include "runtime/restore/executor.h"
#include "runtime/restore/planner.h"

namespace sk::restore {

// What the service works with; every reference outlives the calls.
struct Env {
  ports::SqlConnection& connection;
  ops::OpsConfig ops;  // this cluster's ops database (restore_history is written there)
  ports::Clock& clock;
  ports::Sleeper& sleeper;
  std::ostream* progress = nullptr;
  ports::Progress* display = nullptr;  // the updating progress line of each RESTORE (may be null)
};

// Which catalog snapshot of a repository, and where it is restored on this cluster.
struct CatalogChoice {
  std::optional<DatabaseName> recovery_database;  // default: <ops database>_recovered
  bool refresh = false;                           // replace another catalog in the recovery database
  std::optional<SnapshotLabel> label;             // default: the newest
};

// The RESTORE grammar: `forced` when given, else from the server version (jobs::detect_grammar).
[[nodiscard]] Result<dialect::Grammar> choose_grammar(ports::SqlConnection& connection,
                                                      std::optional<dialect::Grammar> forced);

// A repository's catalog: what SHOW SNAPSHOT lists and the chosen catalog snapshot, restored into (or found
// in) the recovery database. "restore.snapshot_missing" when the repository is unknown on this cluster; a
// failed catalog restore names the older catalog snapshots that may be chosen instead.
struct RepositoryCatalog {
  std::vector<catalog::RepositorySnapshot> listed;
  catalog::Recovered recovered;
};
[[nodiscard]] Result<RepositoryCatalog> open_repository_catalog(const Env& env,
                                                                const RepositoryName& repository,
                                                                const CatalogChoice& choice,
                                                                dialect::Grammar grammar);

// A restore as the command line asks for it.
struct RestoreInvocation {
  RestoreRequest request;                         // scope, names, instant or snapshot, into/as, replace, now
  std::optional<RepositoryName> from_repository;  // cold start: plan from this repository's catalog
  CatalogChoice catalog;
  std::optional<dialect::Grammar> grammar;          // nullopt: from the server version
  std::optional<BackupTimestamp> backup_timestamp;  // override for one-snapshot plans
};

// The plan, before anything runs.
struct PreparedRestore {
  RestoreRequest request;  // as completed by the service (grammar, replication, live tables)
  RestorePlan plan;        // with backup timestamps resolved
  std::optional<catalog::Recovered> recovered;  // cold start: the catalog planned from
};
[[nodiscard]] Result<PreparedRestore> prepare_restore(const Env& env, RestoreInvocation invocation);

// Runs a prepared plan (a new run id per invocation; each RESTORE job waits at most `wait_limit`).
[[nodiscard]] RestoreOutcome execute_restore(const Env& env, const PreparedRestore& prepared,
                                             std::chrono::seconds wait_limit);

// `starkeep restore points`: the restore points the repository alone offers.
struct RepositoryPoints {
  catalog::Recovered recovered;
  std::vector<RestorePoint> points;
};
[[nodiscard]] Result<RepositoryPoints> list_restore_points(const Env& env, const RepositoryName& repository,
                                                           const std::optional<DatabaseName>& database,
                                                           const CatalogChoice& choice,
                                                           std::optional<dialect::Grammar> grammar);

// `starkeep catalog publish`: a catalog snapshot of this cluster's ops tables, now.
[[nodiscard]] Result<catalog::Published> publish_catalog(const Env& env, const RepositoryName& repository,
                                                         std::optional<dialect::Grammar> grammar);

// `starkeep catalog adopt`: the repository's catalog copied into this cluster's ops tables; returns the
// catalog.
[[nodiscard]] Result<catalog::Recovered> adopt_catalog(const Env& env, const RepositoryName& repository,
                                                       const CatalogChoice& choice,
                                                       std::optional<dialect::Grammar> grammar);

}  // namespace sk::restore
