// Typed access to the ops tables (runtime/ops/ops_schema.h, docs/ops-schema.md). Every write is an idempotent
// whole-row upsert by id, or an UPDATE by id, so a write repeated after a dropped connection has the same effect;
// multi-row writes are batched into few INSERT statements. Reads are a constant number of queries, independent of
// the number of tables (load_last_manifest: one query per database).
//
// Times are Instants (UTC) and are stored in *_utc DATETIME columns; the caller converts server times (SHOW BACKUP
// CreateTime etc., which are in the cluster's time zone) before handing them in. Error texts are redacted and cut
// to the column size before they are written (invariant 7).
//
// Errors: the connection's "sql.*" errors with context; "ops.corrupt" when a stored row cannot be read back into
// its type. Not thread-safe (uses one connection).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "kernel/domain/backup_timestamp.h"
#include "kernel/domain/names.h"
#include "runtime/ops/ops_schema.h"
#include "runtime/ports/clock.h"
#include "runtime/ports/sql_connection.h"

namespace sk::ops {

// ---- table_inventory ----

enum class ClassifiedBy { kManual, kRule };
[[nodiscard]] std::string_view to_string(ClassifiedBy by);

struct InventoryRecord {
  DatabaseName database;
  TableName table;
  std::string table_class{};                 // "fact", "dimension", … (lower case)
  bool partitioned = false;
  std::map<std::string, bool> eligibility{};  // tier name → eligible; a tier not listed is eligible
  ClassifiedBy classified_by = ClassifiedBy::kRule;
  Instant first_seen{};
  Instant last_seen{};
  // Set by `inventory sync` when the table is no longer on the cluster (issue 10 item 15): the row is kept (restores
  // of older snapshots name it) but a run no longer selects it; cleared when the table is seen again.
  std::optional<Instant> retired_at{};
};

// ---- backup_history ----

// Our view of one attempt's life. Terminal: kRejected, kFinished, kCancelled, kLost.
enum class AttemptState {
  kSubmitting,  // row written; the BACKUP statement is about to be (or is being) sent
  kRejected,    // the server refused the statement: no job exists
  kRunning,     // the server accepted the job; server_state says where it is
  kFinished,    // SHOW BACKUP State = FINISHED
  kCancelled,   // SHOW BACKUP State = CANCELLED (error_text has Status / TaskErrMsg)
  kLost,        // reconciliation found no trace of the job on the server
};
[[nodiscard]] std::string_view to_string(AttemptState state);
[[nodiscard]] Result<AttemptState> parse_attempt_state(std::string_view text);
[[nodiscard]] bool is_terminal(AttemptState state);

enum class BackupKind { kPartitions, kTables, kDatabase };
[[nodiscard]] std::string_view to_string(BackupKind kind);
[[nodiscard]] Result<BackupKind> parse_backup_kind(std::string_view text);

// What one BACKUP job covers: tables with an optional partition list (empty = whole table); no tables = the whole
// database. Stored as JSON text: [{"table":"t","partitions":["p1"]}, …].
struct BackupObject {
  TableName table;
  std::vector<PartitionName> partitions{};
  friend bool operator==(const BackupObject&, const BackupObject&) = default;
};

struct BackupAttempt {
  std::string run_id{};                  // the runner invocation; ≤ 64 bytes
  SnapshotLabel label;                 // the label value we chose (never re-parsed from SQL, pitfall 1)
  RepositoryName repository;
  DatabaseName database;
  std::vector<TierName> tiers{};         // every tier this snapshot counts for (weekly + monthly on first Sundays)
  std::optional<Instant> slot{};         // the schedule slot it fulfils
  BackupKind kind = BackupKind::kTables;
  std::vector<BackupObject> objects{};
  AttemptState state = AttemptState::kSubmitting;
  std::optional<std::string> server_state{};      // SHOW BACKUP State, verbatim
  std::optional<std::int64_t> job_id{};           // SHOW BACKUP JobId
  int submit_tries = 0;                         // statements sent for this label (busy-database retries)
  std::optional<Instant> submitted_at{};
  std::optional<Instant> started_at{};            // server CreateTime, converted to UTC
  std::optional<Instant> finished_at{};
  std::optional<std::string> error_text{};        // server Status / TaskErrMsg or the submit error; redacted on write
  std::optional<std::int64_t> bytes{};
  std::optional<BackupTimestamp> backup_timestamp{};  // SHOW SNAPSHOT Timestamp
  Instant updated_at{};                           // filled by the store on every write

  // make_id(run_id, repository, label): one row per attempt; two runners racing for a label keep separate rows.
  [[nodiscard]] std::string attempt_id() const;
};

// A partial update of an attempt; only the fields set are written (plus updated_at_utc).
struct AttemptUpdate {
  std::optional<AttemptState> state{};
  std::optional<std::string> server_state{};
  std::optional<std::int64_t> job_id{};
  std::optional<int> submit_tries{};
  std::optional<Instant> submitted_at{};
  std::optional<Instant> started_at{};
  std::optional<Instant> finished_at{};
  std::optional<std::string> error_text{};
  std::optional<std::int64_t> bytes{};
  std::optional<BackupTimestamp> backup_timestamp{};
};

// ---- backup_manifest ----

// One partition of one snapshot, with VisibleVersion as read BEFORE the job was submitted (pitfall 4).
struct ManifestEntry {
  std::string attempt_id{};
  RepositoryName repository;
  SnapshotLabel label;
  DatabaseName database;
  TableName table;
  PartitionName partition;
  std::int64_t partition_id = 0;
  std::int64_t visible_version = 0;
  std::optional<Instant> visible_version_time{};
  std::optional<std::int64_t> row_count{};
  std::optional<std::int64_t> data_size{};
  std::optional<std::string> checksum_algorithm{};  // e.g. "murmur_hash3_32_sum"
  std::optional<std::string> checksum{};            // decimal text (sums exceed BIGINT)
  std::optional<std::int64_t> checksum_row_count{};
  Instant recorded_at{};                            // filled by the store

  [[nodiscard]] std::string entry_id() const;  // make_id(attempt_id, table, partition)
};

// The newest backed-up version of a partition among FINISHED attempts: the change baseline for binding.
struct LastBackedUp {
  TableName table;
  PartitionName partition;
  std::int64_t partition_id = 0;
  std::int64_t visible_version = 0;
};

// ---- table_partition_set (schema 2) ----

// Every partition a bound table had when a backup was bound (partitions_meta, read before submission), whether
// or not the snapshot holds them: what the table looked like at that backup.
struct PartitionSet {
  std::string attempt_id{};
  RepositoryName repository;
  SnapshotLabel label;
  DatabaseName database;
  TableName table;
  std::vector<std::string> partitions{};  // sorted names; stored as a JSON array
  Instant recorded_at{};                  // filled by the store

  [[nodiscard]] std::string set_id() const;  // make_id(attempt_id, table)
};

// ---- snapshot_lineage ----

struct LineageEdge {
  RepositoryName repository;
  SnapshotLabel label;             // the restore point
  DatabaseName database;
  RepositoryName depends_on_repository;
  SnapshotLabel depends_on_label;  // an earlier snapshot it needs
  std::string reason{};              // "baseline", "unchanged_partitions", … (≤ 64 bytes)
  Instant recorded_at{};             // filled by the store

  [[nodiscard]] std::string edge_id() const;
};

// ---- restore_history ----

enum class RestoreKind { kRestore, kDrill };
[[nodiscard]] std::string_view to_string(RestoreKind kind);

struct RestoreRecord {
  std::string restore_id{};  // chosen by the caller, e.g. make_id(run_id, step); 32 hex digits
  std::string run_id{};
  RestoreKind kind = RestoreKind::kRestore;
  std::optional<std::string> drill_name{};
  RepositoryName repository;
  SnapshotLabel label;
  BackupTimestamp backup_timestamp;  // the one the RESTORE named
  DatabaseName source_database;
  DatabaseName target_database;
  std::vector<BackupObject> objects{};
  std::optional<Instant> target_time{};
  AttemptState state = AttemptState::kSubmitting;  // same life cycle as a backup attempt
  std::optional<std::string> server_state{};
  std::optional<std::int64_t> job_id{};
  std::optional<Instant> submitted_at{};
  std::optional<Instant> finished_at{};
  std::optional<std::string> error_text{};
  std::optional<std::string> verification{};        // "PASSED" | "PARTIAL" | "FAILED" | "SKIPPED"
  std::optional<std::string> expected_checksums{};  // JSON text
  std::optional<std::string> actual_checksums{};    // JSON text
  bool swapped = false;                           // live data replaced (ALTER TABLE … SWAP WITH)
  Instant updated_at{};                             // filled by the store
  // Schema 2.
  std::optional<Instant> started_at{};              // the restore (or drill) began
  std::optional<std::int64_t> duration_seconds{};   // finished_at - started_at, whole seconds
  std::optional<std::string> drill_period{};        // drills: e.g. "2026-11", "2026-Q4", "2026-H2" (≤ 16 bytes)
  std::optional<std::string> drill_seed{};          // drills: the seed of the reproducible choice (≤ 16 bytes)
};

// ---- run_status ----

enum class RunState { kActive, kDone, kAbandoned };
[[nodiscard]] std::string_view to_string(RunState state);

// An advisory marker: which run works on which database, alive as long as its heartbeat is fresh. It is NOT a
// lock (pitfall 8): exclusion comes from the server (one job per database, unique labels).
struct RunMarker {
  std::string run_id{};
  DatabaseName database;
  std::string slot{};  // e.g. "2025-09-14T01:00:00Z daily"
  std::string host{};
  std::int64_t pid = 0;
  RunState state = RunState::kActive;
  Instant started_at{};
  Instant heartbeat_at{};
  std::optional<Instant> finished_at{};
  // Schema 5 (issue 10 item 5): which process this is, beyond its pid — "<boot id>/<start time in clock ticks>"
  // (Linux: /proc/sys/kernel/random/boot_id and field 22 of /proc/<pid>/stat); absent where unknown. A process
  // with the marker's pid but another start identity is not the run that wrote it (the pid was reused).
  std::optional<std::string> process_start{};

  [[nodiscard]] std::string marker_id() const;  // make_id(run_id, database)
};

// ---- snapshot_expiry (schema 3) ----

// What kind of snapshot `expire` deleted: a backup of the policy's data, a catalog snapshot of the ops tables
// (runtime/catalog), or a run's canary (runtime/executor/precheck.cpp).
enum class SnapshotKind { kData, kCatalog, kCanary };
[[nodiscard]] std::string_view to_string(SnapshotKind kind);
[[nodiscard]] Result<SnapshotKind> parse_snapshot_kind(std::string_view text);

// How the snapshot is deleted: DROP SNAPSHOT (StarRocks 4.2+) or its objects through the storage API.
enum class ExpiryMethod { kDropSnapshot, kStorage };
[[nodiscard]] std::string_view to_string(ExpiryMethod method);

// kDeleting is written before the first deleting statement or request, kDeleted after the last one succeeded;
// kFailed keeps the error (the snapshot may be partly deleted: the next expire retries it).
enum class ExpiryState { kDeleting, kDeleted, kFailed };
[[nodiscard]] std::string_view to_string(ExpiryState state);

struct ExpiryRecord {
  std::string run_id{};
  RepositoryName repository;
  SnapshotLabel label;
  DatabaseName database;  // the snapshot's database (the ops database for catalog and canary snapshots)
  SnapshotKind kind = SnapshotKind::kData;
  std::vector<TierName> tiers{};
  std::optional<BackupTimestamp> backup_timestamp{};
  ExpiryMethod method = ExpiryMethod::kDropSnapshot;
  ExpiryState state = ExpiryState::kDeleting;
  std::string reason{};  // the verdict's reasons, "; "-joined (cut to the column)
  Instant decided_at{};
  std::optional<Instant> finished_at{};
  std::optional<std::string> error_text{};  // redacted
  Instant updated_at{};                     // filled by the store

  [[nodiscard]] std::string expiry_id() const;  // make_id(repository, label): one row per snapshot
};

class OpsStore {
 public:
  // `connection` and `clock` must outlive the store.
  OpsStore(ports::SqlConnection& connection, OpsConfig config, ports::Clock& clock);

  [[nodiscard]] const OpsConfig& config() const { return config_; }

  // table_inventory
  [[nodiscard]] Status upsert_inventory(const std::vector<InventoryRecord>& records);
  // All rows, or one database's; ordered by database, table.
  [[nodiscard]] Result<std::vector<InventoryRecord>> load_inventory(const std::optional<DatabaseName>& database = {});

  // backup_history
  [[nodiscard]] Status record_backup_attempt(const BackupAttempt& attempt);
  // Many whole rows in few INSERT statements (bulk loads: the metrics benchmark's synthetic history).
  [[nodiscard]] Status record_backup_attempts(const std::vector<BackupAttempt>& attempts);
  [[nodiscard]] Status update_backup_state(std::string_view attempt_id, const AttemptUpdate& update);
  // Attempts for one database (newest first by updated_at), optionally narrowed to one label and/or one slot.
  struct AttemptFilter {
    std::optional<SnapshotLabel> label{};
    std::optional<Instant> slot{};
  };
  [[nodiscard]] Result<std::vector<BackupAttempt>> load_backup_attempts(const DatabaseName& database,
                                                                        const AttemptFilter& filter);
  [[nodiscard]] Result<std::vector<BackupAttempt>> load_backup_attempts(const DatabaseName& database) {
    return load_backup_attempts(database, AttemptFilter{});
  }
  // Every FINISHED attempt of every database, by database and label (expire weighs them all at once).
  [[nodiscard]] Result<std::vector<BackupAttempt>> load_finished_attempts();
  // Every attempt of every database, any state, by database and submission: one query (the KPI report, metrics).
  [[nodiscard]] Result<std::vector<BackupAttempt>> load_all_attempts();
  // Attempts in a non-terminal state, any database (what a killed run left behind; reconciled from SHOW BACKUP).
  [[nodiscard]] Result<std::vector<BackupAttempt>> load_unfinished_attempts();

  // backup_manifest
  [[nodiscard]] Status write_manifest(const std::vector<ManifestEntry>& entries);
  // One query: per partition id, the highest visible_version recorded for a FINISHED attempt of `database`.
  [[nodiscard]] Result<std::vector<LastBackedUp>> load_last_manifest(const DatabaseName& database);
  [[nodiscard]] Result<std::vector<ManifestEntry>> load_manifest(std::string_view attempt_id);
  // Every manifest row, by attempt: one query (expire).
  [[nodiscard]] Result<std::vector<ManifestEntry>> load_all_manifests();
  // The manifest rows of `database` for these partition ids (any attempt, with or without a fingerprint), by
  // table, partition and recorded_at: one query (fingerprint reuse, verify::record_attempt_fingerprints; issue 10
  // item 14). No ids → no rows, no query.
  [[nodiscard]] Result<std::vector<ManifestEntry>> load_manifest_of_partitions(
      const DatabaseName& database, const std::vector<std::int64_t>& partition_ids);

  // table_partition_set
  [[nodiscard]] Status write_partition_sets(const std::vector<PartitionSet>& sets);
  // The sets recorded for one attempt, by table. Errors as the other reads (a catalog from before schema 2 has no
  // such table: the server's error).
  [[nodiscard]] Result<std::vector<PartitionSet>> load_partition_sets(std::string_view attempt_id);
  // Every recorded set, by attempt: one query (expire).
  [[nodiscard]] Result<std::vector<PartitionSet>> load_all_partition_sets();

  // snapshot_lineage
  [[nodiscard]] Status record_lineage(const std::vector<LineageEdge>& edges);
  [[nodiscard]] Result<std::vector<LineageEdge>> load_lineage(const RepositoryName& repository,
                                                              const SnapshotLabel& label);

  // restore_history
  [[nodiscard]] Status record_restore(const RestoreRecord& record);
  // Every restore or every drill (by kind), any state, by restore id: one query (the KPI report's drills, metrics).
  [[nodiscard]] Result<std::vector<RestoreRecord>> load_restores(RestoreKind kind);
  // Restores and drills in a non-terminal state (the snapshots they read must not be deleted).
  [[nodiscard]] Result<std::vector<RestoreRecord>> load_unfinished_restores();

  // snapshot_expiry
  [[nodiscard]] Status record_expiry(const ExpiryRecord& record);  // insert or rewrite the whole row
  [[nodiscard]] Status record_expiries(const std::vector<ExpiryRecord>& records);  // batched, as above
  // Every row, by repository and label.
  [[nodiscard]] Result<std::vector<ExpiryRecord>> load_expiries();

  // run_status
  [[nodiscard]] Status mark_run(const RunMarker& marker);  // insert or rewrite the whole marker
  [[nodiscard]] Status mark_runs(const std::vector<RunMarker>& markers);  // batched, as above
  [[nodiscard]] Status heartbeat(const RunMarker& marker);  // heartbeat_at_utc = clock.now()
  [[nodiscard]] Status finish_run(const RunMarker& marker, RunState final_state);
  // Markers in state ACTIVE for `database` (stale ones included; the caller judges heartbeat age).
  [[nodiscard]] Result<std::vector<RunMarker>> load_active_runs(const DatabaseName& database);
  // Every marker in any state, by run id and database: one query (metrics).
  [[nodiscard]] Result<std::vector<RunMarker>> load_all_runs();

 private:
  [[nodiscard]] std::string table(std::string_view name) const;
  [[nodiscard]] Status run_all(const std::vector<std::string>& statements, std::string_view what);

  ports::SqlConnection& connection_;
  OpsConfig config_;
  ports::Clock& clock_;
};

// JSON text of a list of objects, and back ("ops.corrupt" on malformed text). Exposed for tests and restore.
[[nodiscard]] std::string objects_to_json(const std::vector<BackupObject>& objects);
[[nodiscard]] Result<std::vector<BackupObject>> objects_from_json(std::string_view text);

}  // namespace sk::ops
