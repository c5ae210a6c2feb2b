// The KPI report's model (docs/report.md): every figure `starkeep report` shows or prints, computed from the ops
// rows and the compiled policy. Pure — the service (report_service.h) reads the rows, the renderers
// (html_report.h, report_json.h) only format what is here, so every figure is computed, and unit-tested, once.
//
// Definitions (docs/report.md says the same to the reader):
//  * An attempt belongs to the instant of its schedule slot, else of its submission, else of its last update; it
//    is in the period when that instant is in [from, to), and in the ISO week (Monday to Sunday, policy time zone)
//    holding it. An attempt counts for every tier it satisfies (a monthly baseline that covers the weekly counts for
//    both).
//  * Success rate = FINISHED attempts / terminal attempts (FINISHED, CANCELLED, REJECTED, LOST), attempt by attempt
//    (a slot retried with `_r1` is two attempts). Attempts still SUBMITTING or RUNNING are counted apart.
//  * Throughput = bytes of the FINISHED attempts that recorded bytes, start and finish / the sum of their
//    (finish − start) durations, in GB (10^9 bytes) per minute.
//  * Completion latency = finish − submission (start when the submission is unknown) of a FINISHED attempt: how
//    long the job took from the runner's point of view, the figure the `overrun` alert compares with the window.
//    p50 and p95 by the nearest-rank method (the ⌈p·n/100⌉-th smallest).
//  * Restore points: the history as `expire` weighs it (expire/history_model.h, the retention model of
//    compiler/analysis/retention.h) at `to`; a FINISHED snapshot taken at or before `to`, not deleted by `expire`,
//    whose own restore point is still retained is a point the database can be restored to. The horizon is the
//    oldest such point.
//  * A drill is in the period when the instant it was run for (`drill --at`, ops.restore_history.target_time) is.
//  * Coverage: the compiler's selection and coverage analysis (compiler/analysis) over the inventory the ops
//    tables hold.
// Thread-safe (no shared state).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "compiler/inventory/inventory.h"
#include "compiler/model/policy.h"
#include "kernel/domain/names.h"
#include "kernel/domain/quantities.h"
#include "kernel/domain/time.h"
#include "runtime/expire/repository_check.h"
#include "runtime/ops/ops_store.h"
#include "runtime/restore/planner.h"

namespace sk::report {

// Attempts in some group: terminal ones and how many of them FINISHED.
struct Tally {
  std::size_t terminal = 0;
  std::size_t finished = 0;
  std::size_t in_flight = 0;  // SUBMITTING or RUNNING
  // finished / terminal as a percentage; nullopt without a terminal attempt.
  [[nodiscard]] std::optional<double> rate_percent() const;
};

// Bytes moved and the time it took, over FINISHED attempts with bytes, start and finish.
struct Transfer {
  std::int64_t bytes = 0;
  std::int64_t seconds = 0;
  std::size_t jobs = 0;
  // GB (10^9 bytes) per minute; nullopt when no job counted or no time passed.
  [[nodiscard]] std::optional<double> gb_per_minute() const;
};

struct Latency {
  std::size_t samples = 0;
  std::optional<Duration> p50{}, p95{}, max{};
  std::size_t over_window = 0;  // samples longer than the tier's window
};

struct TierKpi {
  TierName tier;
  std::optional<Duration> window{};  // nullopt: the tier is not in the policy (any more)
  Tally total;
  std::vector<Tally> weeks;          // one per Report::weeks
  Transfer transfer;
  std::vector<Transfer> weekly_transfer;  // one per Report::weeks
  Latency latency;
};

struct SuccessRow {
  DatabaseName database;
  TierName tier;
  Tally total;
  std::vector<Tally> weeks;  // one per Report::weeks
};

struct RestorePoint {
  Instant at;                    // the instant the database can be restored to (the snapshot finished)
  SnapshotLabel label;
  std::vector<TierName> tiers;
  Instant until;                 // the restore point is retained until
};

struct DatabaseTimeline {
  DatabaseName database;
  std::vector<RestorePoint> points;  // oldest first
  std::size_t holes = 0;             // retained points needing a partition no snapshot holds
  [[nodiscard]] std::optional<Instant> horizon() const;  // oldest point
  [[nodiscard]] std::optional<Instant> latest() const;
};

struct DrillRow {
  std::string drill;       // the policy's drill name (or "?" when the row has none)
  std::string period;      // "2026-11", "2026-Q4", …
  DatabaseName source;
  SnapshotLabel label;
  std::string state;       // the attempt state (FINISHED, CANCELLED, …)
  std::string verdict;     // verification: PASSED, PARTIAL, FAILED, SKIPPED, or "" when none
  std::optional<Instant> finished{};
  std::size_t checksums = 0;  // partitions whose checksums were compared
  std::string error{};
};

struct Coverage {
  bool inventory_known = false;       // false: ops.table_inventory is empty (run `starkeep inventory sync`)
  std::size_t tables_in_policy = 0;   // inventory tables of the policy's databases
  std::size_t tables_covered = 0;
  struct PerTier {
    TierName tier;
    std::size_t tables = 0;
  };
  std::vector<PerTier> tiers;
  std::vector<std::string> uncovered;  // "db.table", sorted
  struct Finding {
    std::string code;                  // "SK0501"
    std::string severity;              // "warning", "error"
    std::string message;
  };
  std::vector<Finding> findings;       // the coverage analysis' diagnostics
};

struct RepositoryFindings {
  bool checked = false;                // false: not checked (the check failed or was not asked for)
  std::string not_checked_reason{};
  std::vector<expire::Finding> findings{};
};

struct Report {
  std::string policy;
  TimeZone zone = TimeZone::utc();
  Instant from, to;
  std::vector<CivilDay> weeks;        // Mondays of the ISO weeks that meet [from, to), oldest first
  std::vector<TierKpi> tiers;         // the policy's tiers in declaration order, then unknown ones by name
  std::vector<SuccessRow> success;    // by database, then tier order
  std::vector<DatabaseTimeline> timelines;  // by database
  std::vector<DrillRow> drills;       // oldest first
  Coverage coverage;
  RepositoryFindings repository;
  std::size_t attempts_in_period = 0;
};

struct ReportInput {
  const model::Policy* policy = nullptr;   // required
  Instant from, to;                        // from < to
  std::vector<ops::BackupAttempt> attempts{};     // every attempt, any state (OpsStore::load_all_attempts)
  std::vector<ops::RestoreRecord> drills{};       // kind drill (OpsStore::load_restores)
  std::vector<restore::Snapshot> history{};       // FINISHED, with manifests (expire::load_finished_history)
  std::vector<ops::ExpiryRecord> expiries{};      // what `expire` deleted or is deleting
  std::optional<inventory::Inventory> inventory{};  // from ops.table_inventory; nullopt or empty: unknown
  RepositoryFindings repository{};
};

[[nodiscard]] Report build_report(const ReportInput& input);

// Parts of build_report, exposed for tests.
[[nodiscard]] std::vector<DatabaseTimeline> restore_timelines(const ReportInput& input);
[[nodiscard]] Coverage coverage_of(const model::Policy& policy, const std::optional<inventory::Inventory>& inv);
// Nearest rank: the ⌈p·n/100⌉-th smallest of `sorted` (ascending, non-empty), 0 < p ≤ 100.
[[nodiscard]] Duration nearest_rank(const std::vector<Duration>& sorted, int p);

}  // namespace sk::report
