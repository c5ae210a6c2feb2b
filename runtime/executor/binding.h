// Binding: turns a plan job into the concrete BACKUP of this run. For changed-partitions tables, which partitions
// changed since the last backup; for every table in the job, the manifest entries (partition, id, VisibleVersion as
// read now, BEFORE the job is submitted — pitfall 4: a write racing the snapshot makes the next run see a newer
// version than the recorded one, so that partition is backed up again; it is never lost).
// Round trips: one partitions_meta query per database (all tables at once, pitfall 13) plus one manifest query.
// Errors: the connection's "sql.*" errors with context.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "kernel/domain/names.h"
#include "kernel/domain/time.h"
#include "compiler/plan/plan.h"
#include "kernel/dialect/starrocks_dialect.h"
#include "runtime/ops/ops_store.h"
#include "runtime/ports/sql_connection.h"

namespace sk::executor {

// One row of information_schema.partitions_meta.
struct PartitionMeta {
  std::string table;
  std::string partition;
  std::int64_t partition_id = 0;
  std::int64_t visible_version = 0;
  std::optional<Instant> visible_version_time;
  std::optional<std::int64_t> row_count;
  std::optional<std::int64_t> data_size;
};

// The one query for a database. Errors: connection errors, "sql.result".
[[nodiscard]] Result<std::vector<PartitionMeta>> read_partitions_meta(ports::SqlConnection& connection,
                                                                     const DatabaseName& database);

struct BoundTable {
  TableName table;
  bool whole_table = true;                  // false: only `partitions`
  std::vector<PartitionName> partitions;    // changed partitions (sorted)
};

struct BoundJob {
  std::vector<BoundTable> tables;           // empty with whole_database
  bool whole_database = false;
  std::vector<PartitionMeta> manifest;      // partitions the snapshot will hold, versions as read before submit
  std::vector<std::string> unchanged_tables;  // changed-partitions tables with nothing new (skipped)
  // Tables of the job that partitions_meta does not list: dropped since the inventory was written (issue 10 item
  // 15). Left out of the BACKUP (which the server would refuse whole: "Unknown table") and reported.
  std::vector<std::string> dropped_tables;
  [[nodiscard]] bool empty() const { return !whole_database && tables.empty(); }
};

// Pure: decides from the metadata and the last manifest (by (table, partition_id) → version). A partition is
// changed when it is new (no manifest entry) or its VisibleVersion differs; in kUpdatedWithin mode, when its
// VisibleVersionTime is within `within` before `slot` (or after it). Tables of the job missing from `meta` no
// longer exist: they go to `dropped_tables`, the others are bound (issue 10 item 15: one dropped table must not
// stop its database's backup).
[[nodiscard]] BoundJob bind_job(const plan::BackupJob& job, const std::vector<PartitionMeta>& meta,
                                const std::vector<ops::LastBackedUp>& last);

// The executable BACKUP spec of a bound job (changed tables listed with their partitions).
[[nodiscard]] dialect::BackupJobSpec bound_spec(const plan::BackupJob& job, const BoundJob& bound,
                                                const SnapshotLabel& label);

}  // namespace sk::executor
