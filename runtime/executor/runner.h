// The runner: executes a plan against the cluster (product.md §4). In order:
//   1. pre-checks (when a job is due): every FE and BE alive (SHOW FRONTENDS/BACKENDS by column name), the
//      repository present, writable and healthy (SHOW REPOSITORIES), snapshot-disk free space on every BE
//      (SHOW PROC '/backends/<id>') at or above the policy's threshold — each failure alerts and stops the run
//      before anything is submitted;
//   2. migrate the ops schema, then reconcile what dead earlier runs left (backup_history rows SUBMITTING/RUNNING
//      whose run is gone) from the server's own records (SHOW BACKUP FROM db, SHOW SNAPSHOT) — invariant 3,
//      pitfall 10; then, with `precheck { canary_backup = true }`, a canary BACKUP of ops.schema_version to every
//      repository the plan uses, polled to its end (refused or CANCELLED → kRepositoryError, nothing submitted);
//   3. per database (in parallel up to `parallel`, one connection per worker, one job per database at a time, a
//      database's jobs in the plan's order — on one day the higher precedence first, plan.h):
//      decide the label (done slot → nothing; L, L_r1, …), bind changed partitions (one partitions_meta query),
//      write the intent row (SUBMITTING) and the manifest, send BACKUP (jobs::submit), await OUR job by label and
//      job id (jobs::await: adaptive polling, FE outages retried with backoff until the job's own timeout, a job a
//      later one replaced settled from SHOW SNAPSHOT), record the terminal state; after FINISHED, record each partition's
//      content fingerprint in the manifest (verify::record_fingerprints — a failure there is a warning only) and
//      the snapshot's size in backup_history.bytes (the sum of the manifest's data_size).
// Mutual exclusion comes from the server, never from ops.run_status (pitfalls 8–9): the runner whose BACKUP is
// accepted owns the database's slot; one that is told "Can only run one backup or restore job …" looks at the
// running job: our slot's label → another runner does this work (kAlreadyHandled); a foreign label → bounded
// exponential backoff with jitter, then kConflict. The implementation is split by concern: run.cpp, reconcile.cpp,
// precheck.cpp (incl. the canary), database_worker.cpp, run_support.h (shared internals).
// Thread safety: run() uses several threads internally; the deps must be thread-safe where noted.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "compiler/model/policy.h"
#include "compiler/plan/plan.h"
#include "kernel/domain/backup_timestamp.h"
#include "runtime/alerts/alert_port.h"
#include "runtime/jobs/backoff.h"
#include "runtime/executor/run_log.h"
#include "runtime/ops/ops_schema.h"
#include "runtime/ports/clock.h"
#include "runtime/ports/progress.h"
#include "runtime/ports/sql_connection.h"

namespace sk::executor {

// The result of a run, worst first when combined; each maps to one documented exit code (tools/starkeep).
enum class Outcome {
  kSuccess,           // every due job finished
  kNothingDue,        // no job due (or no changed partition anywhere)
  kAlreadyHandled,    // the slot's snapshot exists already, or another runner is running it
  kConflict,          // a foreign job kept the database busy (backoff exhausted)
  kJobFailed,         // a job was CANCELLED by the server or its BACKUP refused
  kRepositoryError,   // repository missing, read only, or unreachable
  kPrecheckFailed,    // FE/BE dead, snapshot disk too full
  kConnectionFailed,  // the cluster could not be reached (after retries)
  kInterrupted,       // SIGTERM/SIGINT: stopped submitting; running jobs continue, the next run reconciles
};
[[nodiscard]] std::string_view to_string(Outcome outcome);
// The more severe of two outcomes: kNothingDue < kAlreadyHandled < kSuccess < kConflict < … < kInterrupted (the
// order above otherwise). Issue 10 item 20: a run that backed up some databases while the others' slots were
// already done achieved its slots, so it exits 0, not 11.
[[nodiscard]] Outcome worse(Outcome a, Outcome b);

// What happened to one database's job.
struct DatabaseResult {
  DatabaseName database;
  TierName tier;
  std::optional<SnapshotLabel> label;
  std::optional<std::int64_t> job_id;
  Outcome outcome = Outcome::kSuccess;
  std::string message;
  std::optional<BackupTimestamp> backup_timestamp;
  // The first write to ops.backup_history that failed (logged at error level): the row shows a stale state.
  std::optional<std::string> history_error;
  // Tables of the job no longer on the cluster (db.table), left out of the BACKUP (issue 10 item 15).
  std::vector<std::string> dropped_tables;
};

// One backend's snapshot disks as the pre-check read them (SHOW PROC '/backends/<id>'): the free share of its
// fullest disk, 0 to 1. Exported by `run --metrics-file` (docs/metrics.md); not recorded in the ops tables.
struct BackendDisk {
  std::int64_t backend = 0;
  double free_ratio = 1;
};

struct RunReport {
  std::string run_id;
  Outcome outcome = Outcome::kNothingDue;
  std::string message;                    // for pre-check / connection failures: what failed and how to fix it
  std::vector<DatabaseResult> databases;
  int reconciled = 0;                     // history rows brought to a terminal state from earlier runs
  // The backends whose disks the pre-check read, in SHOW BACKENDS order, and when (empty when no pre-check ran;
  // a failing pre-check stops at the backend that failed).
  std::vector<BackendDisk> disks;
  std::optional<Instant> disks_read_at;
};

using SessionFactory = std::function<Result<std::unique_ptr<ports::SqlConnection>>(
    const std::optional<std::string>& database_for_log)>;

struct RunConfig {
  std::string run_id;
  std::string host;
  std::int64_t pid = 0;
  // This process's start identity (ops::RunMarker::process_start), recorded in the run's markers; empty when the
  // platform cannot tell (issue 10 item 5).
  std::optional<std::string> process_start{};
  int parallel = 4;
  bool dry_run = false;
  bool wait = false;                      // wait for another runner's job of our slot instead of exiting
  ops::OpsConfig ops = ops::OpsConfig::defaults();
  jobs::BackoffPolicy busy_backoff;            // foreign job / submit lock
  jobs::PollPolicy poll;
  std::chrono::seconds stale_heartbeat{300};  // a run whose marker is older is dead
  int max_label_retries = 9;
};

struct RunnerDeps {
  SessionFactory connect;                 // one new session per worker thread (reconnecting)
  ports::Clock& clock;                    // thread-safe
  ports::Sleeper& sleeper;                // thread-safe
  RunLog& log;
  alerts::AlertPort* alert = nullptr;     // may be null; thread-safe (runtime/alerts/alert_port.h)
  const std::atomic<bool>* stop = nullptr;  // set by the signal handler
  std::function<double()> random01;       // jitter; default_random01 when empty
  // Whether process `pid` on `host` still runs (only answerable for this host; other hosts: heartbeat age).
  std::function<bool(const std::string& host, std::int64_t pid)> process_alive;
  // Test-only pause points (may be empty): called with the name of each step as the run passes it, so that a
  // test can stop the process exactly there (the CLI maps STARKEEP_TEST_PAUSE_AT=<step> to SIGSTOP). Steps, in
  // order: "marked" (run_status markers written), "intent" (SUBMITTING row and manifest written, BACKUP not yet
  // sent), "submitted" (BACKUP accepted, history still SUBMITTING), "polling" (history RUNNING, job not yet
  // finished), "finished" (job FINISHED on the server, history not yet written). Called from worker threads.
  std::function<void(std::string_view step)> checkpoint;
  // May be null; thread-safe. Each awaited BACKUP reports its state, elapsed time and, from the database's history,
  // the tier's typical duration (one more query per job, made only when a progress port is given).
  ports::Progress* progress = nullptr;
  // The start identity of process `pid` on this host (ops::RunMarker::process_start), nullopt when unknown or gone
  // (may be empty: start identities are then not compared). A marker whose recorded identity differs from the
  // live process's belongs to a dead run whose pid was reused (issue 10 item 5).
  std::function<std::optional<std::string>(std::int64_t pid)> process_start{};
};

// Runs `plan` (already filtered to the tiers/databases asked for). Never throws.
[[nodiscard]] RunReport run(const model::Policy& policy, const plan::Plan& plan, const RunConfig& config,
                            RunnerDeps& deps);

// Reconciliation alone (also step 1 of run()): brings every non-terminal backup_history row whose run is dead to
// a terminal state from SHOW BACKUP / SHOW SNAPSHOT. Returns the number of rows settled.
[[nodiscard]] Result<int> reconcile(ports::SqlConnection& connection, const RunConfig& config, RunnerDeps& deps);

}  // namespace sk::executor
