// Catalog snapshots: the metadata a restore needs travels with the data snapshots (issue 5 point 2, cold-start
// disaster recovery). After a run that finished a backup, the runner BACKs UP the ops tables that restore planning
// reads (schema_version, backup_history, backup_manifest, snapshot_lineage, table_partition_set — an ordinary
// StarRocks database) to the same repository, under a label that sorts by publication time:
//
//     starkeep_catalog_<yyyymmddHHMMSS, UTC>_<8 hex digits of the run id>
//
// A second, empty cluster that creates a repository with the same name and location (reference §1.1: a
// repository is bound to its name and location) lists the repository (SHOW SNAPSHOT), RESTOREs the newest catalog
// snapshot into a recovery database (`<ops>_recovered` by default) and plans from it (OpsStore pointed at that
// database). The recovery database also gets a one-row table `catalog_source` naming the catalog snapshot it
// holds, so a second command reuses it instead of restoring again; a recovery database holding anything else is
// never overwritten unless asked (refresh).
//
// Errors (sk::Error::code): "catalog.none" (no usable catalog snapshot in the repository), "catalog.busy" (the
// ops / recovery database kept busy by another backup or restore job), "catalog.failed" (a BACKUP/RESTORE refused
// or CANCELLED; the server's text is in the message), "catalog.timeout" (not finished within the deadline), "catalog.interrupted" (the stop flag),
// "catalog.not_empty" (the recovery database holds other data), "catalog.schema_newer", plus the connection's
// "sql.*". Not thread-safe (one connection).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "kernel/domain/backup_timestamp.h"
#include "kernel/domain/names.h"
#include "kernel/domain/time.h"
#include "kernel/dialect/starrocks_dialect.h"
#include "runtime/jobs/backoff.h"
#include "runtime/ops/ops_schema.h"
#include "runtime/ports/clock.h"
#include "runtime/ports/sql_connection.h"

namespace sk::catalog {

inline constexpr std::string_view kLabelPrefix = "starkeep_catalog_";

// The ops tables a catalog snapshot holds, in this order.
[[nodiscard]] const std::vector<TableName>& catalog_tables();
// True for a catalog table that catalogs published before ops schema 2 lack (table_partition_set): recovering such
// a catalog restores the others, and restores planned from it use no partition sets.
[[nodiscard]] bool optional_catalog_table(const TableName& table);

// starkeep_catalog_<yyyymmddHHMMSS of `at` in UTC>_<first 8 hex digits of make_id(run_id)>: deterministic for one
// run, unique across runs (labels must be unique per repository, reference §2.1).
[[nodiscard]] SnapshotLabel catalog_label(Instant at, std::string_view run_id);
// The publication instant of a catalog label; nullopt when `label` is not one.
[[nodiscard]] std::optional<Instant> catalog_label_instant(std::string_view label);

// One row of SHOW SNAPSHOT ON repo (reference §1.4): the label, each of its backup timestamps (the Timestamp
// cell split at '\n', copied verbatim), and the Status ("OK" when usable).
struct RepositorySnapshot {
  std::string label;
  std::vector<BackupTimestamp> timestamps;
  std::string status;
  [[nodiscard]] bool ok() const { return status == "OK" && !timestamps.empty(); }
};
[[nodiscard]] Result<std::vector<RepositorySnapshot>> list_snapshots(ports::SqlConnection& connection,
                                                                     const RepositoryName& repository);

// A catalog snapshot in a repository.
struct CatalogRef {
  RepositoryName repository;
  SnapshotLabel label;
  BackupTimestamp backup_timestamp;  // from SHOW SNAPSHOT
  Instant published_at{};            // from the label
};
// The usable catalog snapshots, newest first (latest label instant, then latest timestamp). Labels that merely
// start with the prefix but do not parse are ignored.
[[nodiscard]] std::vector<CatalogRef> catalogs_newest_first(const RepositoryName& repository,
                                                            const std::vector<RepositorySnapshot>& snapshots);
// The newest usable catalog snapshot, or the one labelled `label` when given; "catalog.none" when there is none
// (or `label` is not a usable catalog snapshot of the repository).
[[nodiscard]] Result<CatalogRef> newest_catalog(const RepositoryName& repository,
                                                const std::vector<RepositorySnapshot>& snapshots,
                                                const std::optional<SnapshotLabel>& label = std::nullopt);

// How a catalog job is driven.
struct JobOptions {
  dialect::Grammar grammar = dialect::Grammar::kPre34;
  int busy_retries = 5;  // statement refused because the database runs another backup/restore job
  std::chrono::milliseconds busy_initial{1'000};
  std::chrono::milliseconds poll_initial{200};
  std::chrono::milliseconds poll_max{5'000};
  std::chrono::milliseconds deadline{std::chrono::hours(1)};
  std::function<double()> random01 = jobs::default_random01;  // jitter of the busy backoff; empty → none
  const std::atomic<bool>* stop = nullptr;                     // interrupts the busy backoff and the wait
};

struct Published {
  CatalogRef catalog;
  std::optional<std::int64_t> job_id;
};

// BACKUP SNAPSHOT `<ops>`.`label` TO `repo` ON (the catalog tables), awaited (runtime/jobs: our label and job id,
// never merely the newest job of the ops database) to FINISHED; then the backup timestamp from SHOW SNAPSHOT. When
// a later BACKUP of the ops database replaced ours in SHOW BACKUP, SHOW SNAPSHOT alone settles it. A job still running at the deadline is left running (it is small;
// the next run publishes again).
[[nodiscard]] Result<Published> publish(ports::SqlConnection& connection, const ops::OpsConfig& ops,
                                        const RepositoryName& repository, const SnapshotLabel& label,
                                        ports::Clock& clock, ports::Sleeper& sleeper, const JobOptions& options);

struct RecoverOptions {
  DatabaseName recovery_database;
  int replication_num = 3;  // of the restored catalog tables
  bool refresh = false;     // drop an older or foreign catalog in the recovery database first
  JobOptions job{};
};

struct Recovered {
  CatalogRef catalog;
  DatabaseName database;  // the recovery database: point an OpsStore at it
  bool reused = false;    // it already held this catalog snapshot: nothing was restored
};

// Makes `options.recovery_database` hold `catalog`: reuses it when its catalog_source names this very snapshot;
// restores into it when it is empty (creating it when missing) or, with refresh, after dropping the catalog
// tables it holds; otherwise "catalog.not_empty". The RESTORE names every catalog table; its source database is
// read from SHOW SNAPSHOT … WHERE SNAPSHOT = … AND TIMESTAMP = … (Database column). Checks the restored
// schema_version (a catalog newer than this build → "catalog.schema_newer").
[[nodiscard]] Result<Recovered> recover(ports::SqlConnection& connection, const CatalogRef& catalog,
                                        const RecoverOptions& options, ports::Clock& clock, ports::Sleeper& sleeper);

// Makes this cluster's own ops tables (migrated first) carry the recovered catalog's history, so that its runs —
// and the catalog snapshots they publish — keep the earlier cluster's restore points: every FINISHED
// backup_history row and every backup_manifest, snapshot_lineage and table_partition_set row of `recovered` is
// copied (whole-row upserts by id: idempotent; rows this cluster wrote itself are kept). `applied_by` names the
// migration author.
[[nodiscard]] Status adopt(ports::SqlConnection& connection, const DatabaseName& recovered, const ops::OpsConfig& ops,
                           ports::Clock& clock, std::string_view applied_by);

// The default recovery database: `<ops database>_recovered` (cut to the name limit).
[[nodiscard]] DatabaseName default_recovery_database(const DatabaseName& ops_database);

}  // namespace sk::catalog
