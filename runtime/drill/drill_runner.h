// Runs the policy's restore drills (product.md §4, docs/operations.md "Drills"): for each drill, its period
// and whether it is due at T (period.h), the reproducible choice of what it restores (choice.h), then —
// unless dry run — a restore of the chosen snapshot into a scratch database created for the drill
// (`starkeep_drill_<name>_<yyyymmdd>`, never an existing one), verification against the fingerprints recorded
// at backup time, rows in ops.restore_history (kind 'drill', drill_name, target_time_utc = T), and the
// scratch database dropped again (also after a failure; kept with `keep`). A failed drill is handed to the
// failure hook (the CLI raises the policy's job.state alerts from it).
//
// The restore itself is runtime/restore's executor (same RESTORE statements, same SHOW RESTORE polling, same
// verification, the server's one-job-per-database rule as the lock, retried with backoff). It is called
// without a store so that every row is written here with kind 'drill'; rows are written before the RESTORE is
// sent (SUBMITTING) and again with the outcome.
//
// Errors: run_drills fails only when the inputs cannot be read (ops history: the connection's "sql.*",
// "ops.*"); every per-drill failure is in its DrillReport (error codes of runtime/restore plus
// "drill.no_snapshot", "drill.unverified" — a restored partition had no fingerprint to compare with: with
// verify = checksum a drill passes only when EVERY restored partition was compared and equal). Not
// thread-safe (one connection).
#pragma once

#include <functional>
#include <iosfwd>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "compiler/model/policy.h"
#include "runtime/drill/choice.h"
#include "runtime/drill/period.h"
#include "runtime/ops/ops_store.h"
#include "runtime/ports/clock.h"
#include "runtime/ports/sql_connection.h"
#include "runtime/restore/executor.h"
#include "runtime/restore/planner.h"
#include "runtime/verify/fingerprint.h"

namespace sk::drill {

enum class Verdict {
  kPassed,      // restored and every partition's fingerprint equals the recorded one
  kFailed,      // due and chosen, but the restore or the verification failed (alerted)
  kNotDue,      // a PASSED drill exists in the period, or its time in the period has not come
  kNoSnapshot,  // due, but no snapshot of the `from` tier to drill (nothing restored, nothing recorded)
  kPlanned,     // dry run: chosen and planned, nothing sent
};
[[nodiscard]] std::string_view to_string(
    Verdict verdict);  // "PASSED", "FAILED", "NOT_DUE", "NO_SNAPSHOT", "PLANNED"

struct DrillReport {
  DrillName name;
  model::DrillScope scope = model::DrillScope::kPartition;
  TierName from;
  Instant at;  // T
  Period period{};
  Dueness due{};
  std::string run_id{};
  std::optional<Choice> choice{};
  std::optional<DatabaseName> scratch{};
  std::optional<restore::RestorePlan> plan{};  // with backup timestamps resolved (when it got that far)
  std::vector<verify::PartitionCheck> checks{};
  verify::Verdict verification = verify::Verdict::kSkipped;
  Verdict verdict = Verdict::kNotDue;
  std::optional<Error> error{};  // why it failed or could not run
  std::optional<Instant> started_at{};
  std::optional<Instant> finished_at{};
  bool scratch_created = false;  // we created the scratch database (only then is it dropped)
  bool scratch_dropped = false;
  std::vector<ops::RestoreRecord> records{};  // as written to ops.restore_history
  std::vector<std::string> warnings{};

  [[nodiscard]] std::optional<Duration> duration() const;
};

struct DrillOptions {
  Instant at;                         // T
  std::optional<DrillName> only{};    // --drill NAME: run only this drill, forced
  bool dry_run = false;               // decide, choose and plan; send nothing that changes anything
  bool keep = false;                  // keep the scratch database (debugging)
  int replication_num = 1;            // replication_num of the restored scratch tables
  std::string invocation{};           // unique per invocation, part of each drill's run_id (e.g. stamp-pid)
  restore::ExecuteOptions execute{};  // polling and busy backoff (run_id is set per drill)
};

using FailureHook = std::function<void(const DrillReport&)>;

// The scratch database of a drill at T: starkeep_drill_<name>_<yyyymmdd> (T's local date in `zone`).
[[nodiscard]] DatabaseName scratch_database(const DrillName& name, Instant t, const TimeZone& zone);

// Drills of `name` recorded for instants in [period.begin, period.end). A missing ops.restore_history table
// reads as no rows (nothing was ever recorded).
[[nodiscard]] Result<std::vector<PastDrill>> load_past_drills(ports::SqlConnection& connection,
                                                              const DatabaseName& ops_database,
                                                              const DrillName& name, const Period& period);

// FINISHED backup attempts (without manifests) of every database the policy selects: the listed ones, or for
// `all …` the databases of ops.table_inventory that match. One query per database.
[[nodiscard]] Result<std::vector<ops::BackupAttempt>> load_policy_attempts(const model::Policy& policy,
                                                                           ops::OpsStore& store);

// Every drill of the policy (or only `options.only`), in policy order. `progress` may be null.
[[nodiscard]] Result<std::vector<DrillReport>> run_drills(const model::Policy& policy,
                                                          ports::SqlConnection& connection,
                                                          ops::OpsStore& store, ports::Clock& clock,
                                                          ports::Sleeper& sleeper,
                                                          const DrillOptions& options, std::ostream* progress,
                                                          const FailureHook& on_failure);

// The same with the FINISHED snapshots given instead of read from the ops store (tests; callers that have
// them).
[[nodiscard]] Result<std::vector<DrillReport>> run_drills(
    const model::Policy& policy, ports::SqlConnection& connection, ops::OpsStore& store, ports::Clock& clock,
    ports::Sleeper& sleeper, const DrillOptions& options, std::vector<restore::Snapshot> history,
    std::ostream* progress, const FailureHook& on_failure);

// Output forms (docs/cli.md "drill").
[[nodiscard]] nlohmann::json report_to_json(const DrillReport& report);
[[nodiscard]] std::string report_to_text(const DrillReport& report);

}  // namespace sk::drill
