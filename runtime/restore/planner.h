// Restore planning (product.md §4 "Restore"): from ops.backup_history and ops.backup_manifest, which snapshot
// restores each partition of a partition, table or database as of an instant T (or as of a snapshot label), and
// the fewest RESTORE jobs that bring them into a staging object. Pure: no I/O; the executor (executor.h) resolves
// backup timestamps and runs the plan.
//
// Rules:
//  * Snapshots are ordered by backup_timestamp (see order_snapshots), never by label.
//  * A snapshot counts for T when it FINISHED at or before T (its content is as of a moment before it finished,
//    so nothing newer than T is ever restored). Instants are UTC (pitfall 3).
//  * Per table, the baseline is the newest whole-table or whole-database snapshot at or before T that holds it;
//    the table's partitions are those of the baseline and of the partition (incremental) snapshots after it; each
//    partition comes from the newest of those that holds it. Without a baseline, the incrementals alone are used
//    (noted in the plan).
//  * Dropped partitions: a partition absent from the table's partition set (ops.table_partition_set) at the
//    newest snapshot at or before T that recorded one is not restored ("dropped before T"), unless it comes from
//    a later snapshot than that set. Tables without any recorded set keep the rules above.
//  * Tables or partitions first seen after T are not restored (explained in `notes`); a table missing from a
//    whole-database snapshot taken after its last backup (and at or before T) was dropped before T: not restored.
//  * One RESTORE job per snapshot label, in snapshot order (baseline first); every job of the plan writes into the
//    SAME staging object (pitfall 2): restoring a table never names the live table — the target is another name
//    (AS alias) or another database. The live table is touched only by the final, explicit action (--replace):
//    one `ALTER TABLE live SWAP WITH staging` (table) or one `INSERT OVERWRITE live PARTITION (p1, p2, …)` over
//    every restored partition (partition; issue 10 item 13), after the live partitions were copied into
//    `<table>_<partitions>_replaced_<now>` unless --drop-old.
//
// Errors (sk::Error::code): "restore.usage" (contradictory request), "restore.snapshot_missing" (--snapshot label
// not in the history as FINISHED), "restore.nothing" (nothing at or before T for the target).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "common/result.h"
#include "kernel/domain/backup_timestamp.h"
#include "kernel/domain/names.h"
#include "kernel/domain/time.h"
#include "kernel/dialect/starrocks_dialect.h"
#include "runtime/ops/ops_store.h"

namespace sk::restore {

enum class Scope { kPartition, kTable, kDatabase };
[[nodiscard]] std::string_view to_string(Scope scope);

// One FINISHED backup attempt with its manifest rows.
struct Snapshot {
  ops::BackupAttempt attempt;
  std::vector<ops::ManifestEntry> entries;
  // Schema 2: every partition each table of the job had at backup time (held or not); empty for older snapshots.
  std::vector<ops::PartitionSet> partition_sets{};
  // The instant the snapshot counts from: finished_at (updated_at when the history lacks it).
  [[nodiscard]] Instant point() const;
};

struct RestoreRequest {
  Scope scope = Scope::kTable;
  DatabaseName database;
  std::optional<TableName> table{};               // partition and table scope
  std::vector<PartitionName> partitions{};        // partition scope: at least one
  std::optional<Instant> as_of{};                 // exactly one of as_of / snapshot
  std::optional<SnapshotLabel> snapshot{};
  std::optional<RepositoryName> repository{};     // only snapshots of this repository
  std::optional<DatabaseName> into{};             // restore into this database (same table names)
  std::optional<TableName> as_name{};             // restore under this name (partition/table scope)
  bool replace = false;                           // final atomic replacement of the live data after verification
  bool drop_old = false;                          // with replace: drop the old data (the staging name after swap)
  std::optional<int> replication_num{};           // PROPERTIES replication_num for every job
  Instant now{};                                  // names default staging objects (UTC stamp)
  // Tables of `database` that exist now (information_schema.tables), when known: a restored table missing there
  // was dropped since; the plan says so, and --replace (nothing to swap with) is refused.
  std::optional<std::vector<TableName>> live_tables{};
  // False when the source database does not exist on the cluster restored to (cold-start recovery on another
  // cluster): nothing live can be touched, so `--into <the source's own name>` keeps the table names (the
  // database is created); --replace is refused (nothing to replace).
  bool source_on_this_cluster = true;
  // The RESTORE grammar to render (reference §3.1); both restore the same objects.
  dialect::Grammar grammar = dialect::Grammar::kPre34;
};

// Where one source table lands, and which manifest entry (snapshot) each of its partitions comes from.
struct TargetTable {
  TableName source;
  DatabaseName target_database;
  TableName target;
  std::vector<ops::ManifestEntry> partitions{};  // one per partition: the entry of the snapshot it comes from
  // Partition replace without --drop-old: the live partitions are copied here (in target_database) before the
  // one INSERT OVERWRITE, so the replaced data stays recoverable as the staging name keeps it after a SWAP.
  std::optional<TableName> previous{};
};

struct StepTable {
  TableName source;
  std::vector<PartitionName> partitions{};  // empty: the whole table as the snapshot holds it
  TableName target;                         // == source: no AS clause
};

struct RestoreStep {
  SnapshotLabel label;
  RepositoryName repository;
  std::string attempt_id;
  Instant point{};
  std::optional<BackupTimestamp> recorded_timestamp{};  // backup_history.backup_timestamp, when known
  std::optional<BackupTimestamp> backup_timestamp{};    // from SHOW SNAPSHOT (restore::resolve_timestamps)
  std::vector<StepTable> tables{};
};

enum class FinalAction { kNone, kSwapTable, kOverwritePartitions };

struct RestorePlan {
  RestoreRequest request;
  Instant point{};                       // T: the instant restored to
  DatabaseName target_database;
  bool create_target_database = false;   // target database differs from the source
  std::vector<RestoreStep> steps{};      // in snapshot order, baseline first
  std::vector<TargetTable> targets{};
  std::vector<std::string> notes{};      // what is not restored and why; baselines missing
  FinalAction final_action = FinalAction::kNone;
};

// The order of a StarRocks backup_timestamp (yyyy-MM-dd-HH-mm-ss-SSS) as a number: the fields from year down to
// milliseconds; nullopt when the text has another shape. The timestamp is in the cluster's time zone; the planner
// compares timestamps of one database's snapshots (one cluster, one zone), where this order is the time order
// (except across a daylight-saving fall-back hour, when snapshots an hour apart could swap; finish order is used as
// a tie-break only).
[[nodiscard]] std::optional<std::int64_t> timestamp_order_key(std::string_view text);

// Snapshots in content order, oldest first: by backup_timestamp when every one has a readable one, else by the
// instant it finished; ties by submitted_at, then started_at. Never by label (text order is not time order).
void order_snapshots(std::vector<const Snapshot*>& snapshots);

[[nodiscard]] Result<RestorePlan> make_restore_plan(const RestoreRequest& request, const std::vector<Snapshot>& history);

// The RESTORE statement of one step (needs backup_timestamp resolved; dialect::kUnresolvedTimestamp otherwise).
[[nodiscard]] dialect::RestoreJobSpec step_spec(const RestorePlan& plan, const RestoreStep& step);
// Every statement the plan would send that changes something, in order: CREATE DATABASE, the RESTOREs, and with
// replace the SWAP / INSERT OVERWRITE and DROP. (Verification queries are read-only and not listed.)
[[nodiscard]] std::vector<std::string> plan_statements(const RestorePlan& plan);
// The final action's statements for one target, in order: SWAP [DROP], or [CREATE TABLE previous LIKE live,
// INSERT INTO previous SELECT … PARTITION (…)] INSERT OVERWRITE live PARTITION (…) [DROP staging]. Empty
// without --replace.
[[nodiscard]] std::vector<std::string> replace_statements(const RestorePlan& plan, const TargetTable& target);
// "restore.usage" when any RESTORE of the plan would write into a live source table (invariant 4).
[[nodiscard]] Status check_live_untouched(const RestorePlan& plan);

[[nodiscard]] nlohmann::json plan_to_json(const RestorePlan& plan);
[[nodiscard]] std::string plan_to_text(const RestorePlan& plan);

}  // namespace sk::restore
