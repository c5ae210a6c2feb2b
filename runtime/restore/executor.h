// Runs a restore plan (planner.h) against the cluster: resolves each snapshot's backup_timestamp from SHOW
// SNAPSHOT (copied verbatim), creates the target database when needed, refuses to write into a table that already
// exists, submits one RESTORE per step (all into the same staging object), awaits OUR job (runtime/jobs: label and
// job id; a job a later one replaced in SHOW RESTORE is settled from the restored tables) to FINISHED or CANCELLED, verifies the staging object against the fingerprints recorded at
// backup time (runtime/verify), and only then — when asked and verification PASSED — replaces the live data in one
// statement. Every step is written to ops.restore_history (when a store is given).
//
// The server's one-job-per-database rule is the lock: a RESTORE refused with "Can only run one backup or restore
// job" (or "Another backup or restore job is being submitted") is retried with bounded, jittered exponential
// backoff, then fails with "restore.busy".
//
// Error codes: "restore.snapshot_missing" (SHOW SNAPSHOT has no usable snapshot for the label),
// "restore.wrong_timestamp" (a given or recorded timestamp the repository does not list, or the server's "Maybe
// specified wrong backup timestamp"), "restore.schema_conflict", "restore.disk_limit", "restore.job_failed"
// (other CANCELLED jobs and refused statements; the server's Status is in the message), "restore.busy",
// "restore.target_exists", "restore.verify_failed", "restore.timeout" (the wait limit passed: the job was
// cancelled), "restore.interrupted" (the stop flag), plus the connection's "sql.*". Not thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "runtime/jobs/backoff.h"
#include "runtime/ops/ops_store.h"
#include "runtime/ports/clock.h"
#include "runtime/ports/progress.h"
#include "runtime/ports/sql_connection.h"
#include "runtime/restore/planner.h"
#include "runtime/verify/fingerprint.h"

namespace sk::restore {

// Fills step.backup_timestamp for every step from SHOW SNAPSHOT ON repo WHERE SNAPSHOT = 'label'. The recorded
// timestamp (backup_history) is used when the repository lists it; `override_timestamp` (one-step plans only)
// must be listed too. A label listed with several timestamps and none recorded is ambiguous → "restore.wrong_timestamp".
[[nodiscard]] Status resolve_timestamps(ports::SqlConnection& connection, RestorePlan& plan,
                                        const std::optional<BackupTimestamp>& override_timestamp = std::nullopt);

// The replication_num of the live source table (SHOW CREATE TABLE, PROPERTIES "replication_num"), so that the
// restored table matches it: restoring partitions next to or over a table with another replication_num fails
// (reference §3.4). nullopt when the table does not exist or does not say.
[[nodiscard]] Result<std::optional<int>> source_replication_num(ports::SqlConnection& connection,
                                                                const DatabaseName& db, const TableName& table);

struct ExecuteOptions {
  std::string run_id;                                   // names the restore_history rows
  int busy_retries = 6;                                 // RESTORE refused because the database is busy
  std::chrono::milliseconds busy_initial{2'000};
  std::chrono::milliseconds poll_initial{500};
  std::chrono::milliseconds poll_max{10'000};
  // The wait limit per RESTORE job: when it passes, the job is cancelled (CANCEL RESTORE FROM <target db>), the
  // executor waits up to `cancel_grace` for SHOW RESTORE to say CANCELLED, records that in restore_history and
  // fails with "restore.timeout". A job the server refuses to cancel (COMMIT/COMMITTING, reference §3.5) is
  // waited for up to `cancel_grace` more; one that FINISHED meanwhile counts as finished.
  std::chrono::milliseconds job_deadline{std::chrono::hours(24)};
  std::chrono::milliseconds cancel_grace{std::chrono::minutes(5)};
  // Whether an entry without a recorded fingerprint may be proven by the live partition's unchanged
  // VisibleVersion. False for a restore on another cluster (cold start): its versions say nothing about the
  // snapshot's source.
  bool live_proof = true;
  std::function<double()> random01 = jobs::default_random01;  // jitter of the busy backoff; empty → none
  const std::atomic<bool>* stop = nullptr;  // interrupts the busy backoff and the wait ("restore.interrupted")
  // May be null: each awaited RESTORE reports its state and elapsed time there (the updating progress line).
  ports::Progress* display = nullptr;
};

struct RestoreOutcome {
  std::vector<ops::RestoreRecord> records;        // one per step, as written to restore_history
  std::vector<verify::PartitionCheck> checks;
  verify::Verdict verdict = verify::Verdict::kSkipped;
  bool swapped = false;
  std::optional<Error> error;                     // set when the restore did not complete as asked
};

// `store` may be null (no history written). `progress` may be null. Statements go through `connection` only.
[[nodiscard]] RestoreOutcome execute_plan(ports::SqlConnection& connection, ops::OpsStore* store,
                                          const RestorePlan& plan, ports::Clock& clock, ports::Sleeper& sleeper,
                                          const ExecuteOptions& options, std::ostream* progress);

// Loads the FINISHED attempts of `database` and their manifests (input of make_restore_plan).
[[nodiscard]] Result<std::vector<Snapshot>> load_history(ops::OpsStore& store, const DatabaseName& database);

}  // namespace sk::restore
