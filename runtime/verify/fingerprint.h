// Content fingerprints of tables and partitions, for restore verification (product.md §4, reference §8):
// COUNT(*) and SUM(CAST(murmur_hash3_32(concat_ws('|', <every column as text, NULL as \N>)) AS BIGINT)), computed
// by the server with functions StarRocks has. The sum is order-independent, so a restored copy has the same
// fingerprint as the original whatever the tablet layout. Two fingerprints are comparable only when taken by the
// same server build (the emulator's hash differs from StarRocks').
//
// record_fingerprints() stores the fingerprint of each backed-up partition in ops.backup_manifest, but only when
// the partition's VisibleVersion still equals the version recorded for the snapshot, before and after the scan
// (then the live partition IS the snapshot's content; otherwise the value would describe newer data and is not
// recorded). expected_fingerprint() uses the same proof at restore time for entries without a stored value.
//
// Errors: the connection's "sql.*" errors; "verify.no_columns" when a table has no visible column (does not
// exist); "verify.not_found" when the label has no FINISHED attempt. Not thread-safe (uses one connection).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "kernel/dialect/restore_sql.h"
#include "kernel/domain/names.h"
#include "runtime/ops/ops_store.h"
#include "runtime/ports/sql_connection.h"

namespace sk::verify {

inline constexpr std::string_view kAlgorithm = "murmur_hash3_32_sum";

struct Fingerprint {
  std::int64_t row_count = 0;
  std::string row_hash_sum = "0";  // decimal text (the sum can exceed BIGINT on other algorithms); "0" when empty
  friend bool operator==(const Fingerprint&, const Fingerprint&) = default;
};
[[nodiscard]] std::string to_string(const Fingerprint& f);  // "rows=12 sum=-123456"

// The table's columns in ordinal order with how each enters the fingerprint (information_schema.columns
// COLUMN_NAME and DATA_TYPE; dialect::fingerprint_form). Empty result → "verify.no_columns".
[[nodiscard]] Result<std::vector<dialect::FingerprintColumn>> table_columns(ports::SqlConnection& connection,
                                                                            const DatabaseName& db,
                                                                            const TableName& table);
// The checksum_algorithm recorded with a fingerprint over `columns`: kAlgorithm + "@" + 12 hex digits of the
// column signature (names and forms), so a value is only ever compared with or reused for the same columns
// (32 characters, the column's width).
[[nodiscard]] std::string algorithm_for(const std::vector<dialect::FingerprintColumn>& columns);
// Whether a recorded algorithm describes a fingerprint over `columns`: algorithm_for(columns), or the plain
// kAlgorithm of fingerprints recorded before the signature when every column is cast to text (the same query).
[[nodiscard]] bool algorithm_matches(std::string_view recorded, const std::vector<dialect::FingerprintColumn>& columns);
// "b (hll), c (array)": the columns a fingerprint leaves out; empty when none.
[[nodiscard]] std::string skipped_columns(const std::vector<dialect::FingerprintColumn>& columns);

// The fingerprint of a whole table (partition = nullopt) or of one partition (FROM t PARTITION (p)).
[[nodiscard]] Result<Fingerprint> fingerprint(ports::SqlConnection& connection, const DatabaseName& db,
                                              const TableName& table, const std::optional<PartitionName>& partition,
                                              const std::vector<dialect::FingerprintColumn>& columns);
[[nodiscard]] Result<Fingerprint> fingerprint(ports::SqlConnection& connection, const DatabaseName& db,
                                              const TableName& table, const std::optional<PartitionName>& partition);

// Current VisibleVersion of every partition of `db` (one partitions_meta query), keyed by table then partition.
using VersionMap = std::map<std::string, std::map<std::string, std::int64_t>>;
[[nodiscard]] Result<VersionMap> visible_versions(ports::SqlConnection& connection, const DatabaseName& db);

// One table and (optionally) a subset of its partitions; an empty list means every partition of the manifest.
struct ObjectSelection {
  TableName table;
  std::vector<PartitionName> partitions{};
};

struct RecordOutcome {
  int recorded = 0;                     // entries that got a fingerprint
  int reused = 0;                       // of those, copied from an earlier snapshot's record (no scan)
  std::vector<std::string> skipped{};   // "t.p: VisibleVersion 7 != 5 recorded" — data changed since the snapshot
};

// Fingerprints the manifest entries of the FINISHED attempt of `label` in `db` that `objects` select (all entries
// when `objects` is empty) and writes them back to ops.backup_manifest (checksum_algorithm, checksum,
// checksum_row_count). Called by the runner right after a backup finishes.
//
// Reuse (issue 10 item 14): a partition whose content an earlier snapshot's entry already fingerprinted is not
// scanned again — the value is copied when that entry has the same table, partition name, partition id,
// VisibleVersion and VisibleVersionTime (one id sequence per cluster: an id never moves to another table), every
// record of that key agrees, and no restore with --replace (ops.restore_history, swapped) replaced the table's live
// data at or after the earlier value was recorded. So a monthly whole-database backup scans only the partitions
// written since they were last fingerprinted; two extra queries (the recorded fingerprints, the restores) per call.
[[nodiscard]] Result<RecordOutcome> record_fingerprints(ports::SqlConnection& connection, ops::OpsStore& store,
                                                        const SnapshotLabel& label, const DatabaseName& db,
                                                        const std::vector<ObjectSelection>& objects = {});
// The same for one attempt: the manifest entries of `attempt_id` (the attempt that owns the job). The runner calls
// this one: two history rows may carry one label (e.g. runners racing for a slot), and only the attempt whose
// BACKUP the server accepted has the manifest (issue 10 item 24).
[[nodiscard]] Result<RecordOutcome> record_attempt_fingerprints(ports::SqlConnection& connection, ops::OpsStore& store,
                                                                const std::string& attempt_id, const DatabaseName& db,
                                                                const std::vector<ObjectSelection>& objects = {});
// The brief's shape: Status only (skipped entries are not an error).
[[nodiscard]] Status record_fingerprints_status(ports::SqlConnection& connection, ops::OpsStore& store,
                                                const SnapshotLabel& label, const DatabaseName& db,
                                                const std::vector<ObjectSelection>& objects = {});

// Where an expected fingerprint came from.
enum class Proof {
  kRecorded,       // stored in the manifest at backup time
  kLiveUnchanged,  // computed now from the live partition, whose VisibleVersion equals the manifest's
  kUnknown,        // neither: the partition cannot be verified by content
};
[[nodiscard]] std::string_view to_string(Proof proof);

struct Expected {
  std::optional<Fingerprint> fingerprint;
  Proof proof = Proof::kUnknown;
};

// The expected fingerprint of one manifest entry: the stored value (when its algorithm matches `columns`, the
// restored table's; without them any of ours), else the live partition's when its VisibleVersion (from
// `live_versions`) is unchanged since the snapshot, else unknown.
[[nodiscard]] Result<Expected> expected_fingerprint(ports::SqlConnection& connection, const ops::ManifestEntry& entry,
                                                    const VersionMap& live_versions,
                                                    const std::vector<dialect::FingerprintColumn>* columns = nullptr);

struct PartitionCheck {
  std::string table;       // the source table name (as in the snapshot)
  std::string partition;
  Expected expected;
  std::optional<Fingerprint> actual;
  bool passed = false;     // expected known and equal to actual
};

// kPassed: every partition compared and equal. kPartial: every compared partition equal, but at least one could
// not be compared (no expected fingerprint). kFailed: a compared partition differs. kSkipped: none could be compared.
enum class Verdict { kPassed, kPartial, kFailed, kSkipped };
[[nodiscard]] std::string_view to_string(Verdict verdict);  // "PASSED", "PARTIAL", "FAILED", "SKIPPED"
[[nodiscard]] Verdict overall(const std::vector<PartitionCheck>& checks);
// "table.partition" of every check without an expected fingerprint, in check order.
[[nodiscard]] std::vector<std::string> not_compared(const std::vector<PartitionCheck>& checks);

}  // namespace sk::verify
