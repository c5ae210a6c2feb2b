// Internal to sk_executor: what the runner's steps (reconcile.cpp, precheck.cpp, database_worker.cpp,
// run.cpp) share — outcome ranks, the stop flag, alerts and checkpoints, the cluster's time zone, repository
// reads, the snapshot's size and fingerprints, and whether an earlier run is still alive. Not a public
// interface.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kernel/domain/backup_timestamp.h"
#include "runtime/executor/runner.h"
#include "runtime/jobs/lifecycle.h"
#include "runtime/ops/ops_store.h"

namespace sk::executor::detail {

[[nodiscard]] int rank(Outcome o);
[[nodiscard]] inline bool stopping(const RunnerDeps& deps) { return deps.stop && deps.stop->load(); }
inline void raise(RunnerDeps& deps, alerts::AlertKind kind, const alerts::AlertContext& context) {
  if (deps.alert != nullptr) deps.alert->raise(kind, context);
}
// The condition is over for what `context` names (alerts::AlertPort::resolve).
inline void resolve(RunnerDeps& deps, alerts::AlertKind kind, const alerts::AlertContext& context) {
  if (deps.alert != nullptr) deps.alert->resolve(kind, context);
}
inline void checkpoint(RunnerDeps& deps, std::string_view step) {
  if (deps.checkpoint) deps.checkpoint(step);
}
// The jitter source of the run (default_random01 when the deps give none).
[[nodiscard]] std::function<double()> jitter(const RunnerDeps& deps);

// The snapshot's size: the sum of the manifest's data_size of the attempt's partitions; unknown when the
// manifest is empty or any entry lacks a size (StarRocks reports no size in SHOW BACKUP / SHOW SNAPSHOT).
[[nodiscard]] std::optional<std::int64_t> manifest_bytes(ops::OpsStore& store, const std::string& attempt_id);

// After a FINISHED attempt: content fingerprints of ITS partitions (the manifest of `attempt_id`, the attempt
// that owns the job — never another row with the same label; issue 10 item 24) into the manifest. Failures are
// warnings.
void fingerprint_snapshot(ports::SqlConnection& conn, ops::OpsStore& store, const std::string& attempt_id,
                          const DatabaseName& db, RunLog& log, const LogFields& fields);

// Errors that mean the repository itself is the problem (reference §4): fail at once, alert.
[[nodiscard]] bool is_repository_error(const Error& e);

// The cluster's time zone: SHOW VARIABLES time_zone read with StarRocks' rules (kernel/dialect/time_zone.h:
// IANA names, offsets such as +08:00, CST = Asia/Shanghai, ...); a value outside them is replaced by the
// server's current UTC offset (SELECT TIMESTAMPDIFF(...), with a warning), never guessed. Errors: the query's,
// or "cluster.time_zone" when the server reports no offset either.
[[nodiscard]] Result<TimeZone> cluster_zone(ports::SqlConnection& conn, RunLog& log);

[[nodiscard]] Result<std::vector<jobs::SnapshotRow>> show_snapshot(ports::SqlConnection& conn,
                                                                   const RepositoryName& repo,
                                                                   const std::optional<SnapshotLabel>& label);
// The timestamp of a finished snapshot, if the repository has one for `label` and could be read. Only for
// reporting: a decision that must tell "absent" from "could not read" uses jobs::finished_snapshot.
[[nodiscard]] std::optional<BackupTimestamp> finished_timestamp(ports::SqlConnection& conn,
                                                                const RepositoryName& repo,
                                                                const SnapshotLabel& label);

// Whether the run that wrote `m` still lives (issue 10 item 5): its heartbeat is fresh (younger than
// stale_heartbeat; every run refreshes its markers from a heartbeat thread, whatever it is doing), and — on this
// host — its process still exists with the start identity the marker recorded (boot id and start time). A live pid
// alone is no proof: pids are reused, and containers may share a host name; a process that is gone, or a process
// with the pid that started at another time, is proof of death at once.
[[nodiscard]] bool marker_alive(const ops::RunMarker& m, const RunConfig& config, RunnerDeps& deps);
// Whether the run that wrote `attempt` is dead; its marker (if any) is appended to `dead_markers`.
[[nodiscard]] bool run_is_dead(ops::OpsStore& store, const ops::BackupAttempt& attempt,
                               const RunConfig& config, RunnerDeps& deps,
                               std::vector<ops::RunMarker>& dead_markers);

struct PrecheckResult {
  Outcome outcome = Outcome::kSuccess;
  std::string message;
};
// Step 1: FE/BE liveness, snapshot-disk free space, the plan's repositories (precheck.cpp). Each backend whose
// disks were read is appended to `disks` (also when the pre-check then fails).
[[nodiscard]] PrecheckResult precheck(ports::SqlConnection& conn, const model::Policy& policy,
                                      const plan::Plan& plan, RunnerDeps& deps, std::vector<BackendDisk>& disks);
// Step 2b: the canary BACKUP to every repository of the plan (precheck.cpp).
[[nodiscard]] PrecheckResult canary(ports::SqlConnection& conn, const plan::Plan& plan,
                                    const RunConfig& config, RunnerDeps& deps);

// Step 3: one database's job (database_worker.cpp). `plan_at`/`run_started`: the run's instant and when it
// started (monotonic), so the tier's window is measured on the plan's timeline.
[[nodiscard]] DatabaseResult run_database_job(const plan::BackupJob& job, const RunConfig& config,
                                              RunnerDeps& deps,
                                              const std::vector<jobs::SnapshotRow>& snapshots,
                                              ports::SqlConnection& conn, const TimeZone& zone,
                                              Instant plan_at, std::chrono::milliseconds run_started);

}  // namespace sk::executor::detail
