// The plan: what a run at an instant must do — which tiers are due and which job satisfies each, one backup job per
// database with its label, objects, retention expiry and the SQL it implies, and the drills due. Logical and
// deterministic (no cluster access): changed partitions stay symbolic and are bound at run time.
//
// "Due at T" (precisely): a tier's slot is its latest firing at or before T (Schedule::latest_at_or_before in the
// policy's zone); the tier is due when slot <= T < slot + window. The tiers firing on the slot's local day are
// resolved for coincidence (analysis::Calendar): a due tier covered by another tier firing that day is satisfied by
// that tier's job; the job runs when its runner is due (a covered tier whose runner is not due yet, or any more, is
// listed as satisfied by it, without a job). A drill is due when slot <= T < slot + 24h.
// Catch-up (issue 10 item 11, docs/language.md "Catch-up of missed slots"): past the window, a tier's latest slot
// is a *catch-up candidate* until the tier's next firing, or while T < slot + catch_up, unless `catch_up = none`.
// Only the latest slot of a tier is ever caught up. The plan cannot know whether the slot was done, so candidates
// are listed apart (Plan::catch_ups, not in `due` or `jobs`): the runner takes one only when ops history says its
// slot has no FINISHED backup and the tier has backed the database up before (runtime/executor/catch_up.h). A
// catch-up job keeps its slot (and so the slot's label); its window, for the overrun alert, starts at T:
// deadline = T + window. Coincidence is resolved on the slot's day as for due tiers (the monthly's catch-up
// satisfies the weekly of the same first Sunday).
// A runner invoked at 01:05 on a Monday with a `mon..sat at 01:00`, window 2h tier sees it due (slot 01:00).
//
// JSON: canonical (sorted keys, dump(2)), "plan_version": 1; plan_from_json(to_json(p)) reproduces it byte for byte.
// Values; safe to share read-only.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "kernel/domain/names.h"
#include "kernel/domain/quantities.h"
#include "kernel/domain/retain_period.h"
#include "kernel/domain/time.h"
#include "compiler/inventory/inventory.h"
#include "compiler/model/policy.h"
#include "kernel/dialect/starrocks_dialect.h"

namespace sk::analysis {
class Selection;
class Calendar;
}  // namespace sk::analysis

namespace sk::plan {

inline constexpr int kPlanVersion = 1;

// A due tier and what satisfies it.
struct DueTier {
  TierName tier;
  Instant slot;
  Instant window_end;      // slot + window
  TierName satisfied_by;   // == tier when the tier runs its own job
  bool runs_now = false;   // false: satisfied by a job that is not due at this instant (it fires earlier/later)
};

enum class TableScope { kWholeTable, kChangedPartitions };
[[nodiscard]] std::string_view to_string(TableScope scope);  // "table", "changed_partitions"

struct TableObject {
  TableName table;
  TableScope scope = TableScope::kWholeTable;
};

struct BackupJob {
  DatabaseName database;
  TierName tier;                    // the tier that runs the job
  std::vector<TierName> satisfies;  // sorted by name; includes `tier`
  Instant slot;
  Instant deadline;                 // slot + the runner's window: the overrun alert (and on_overrun = cancel)
  Instant expires;                  // slot + retain, in the policy's zone (calendar months: retain_period.h)
  RetainPeriod retain;              // the longest retention among `satisfies`
  TierName retain_from;             // the tier that retention comes from
  SnapshotLabel label;
  RepositoryName repository;
  bool whole_database = false;      // true: the whole database (tables empty)
  std::vector<TableObject> tables;  // sorted by name; non-empty unless whole_database
  // Set when some table is kChangedPartitions: how the runner binds its partitions.
  std::optional<model::ChangeDetection> change_detection;
  // The runner tier's server-side timeout (BACKUP PROPERTIES "timeout"; bounds the job, independent of the window:
  // issue 10 item 9) and what the runner does when the job still runs at `deadline`.
  Duration timeout = Duration::from_seconds(model::kDefaultJobTimeoutSeconds);
  model::OverrunAction on_overrun = model::OverrunAction::kAlert;
  // A catch-up of a missed slot (issue 10 item 11): `slot` and `label` are the missed slot's; `deadline` is the
  // plan's instant + the window.
  bool catch_up = false;
};

// A job that would have no object (e.g. a database without dimension tables for a weekly tier).
struct SkippedJob {
  DatabaseName database;
  TierName tier;
  std::string reason;
};

struct DrillDue {
  DrillName drill;
  Instant slot;
  TierName from;
  model::DrillScope scope = model::DrillScope::kTable;
  model::Verification verify = model::Verification::kChecksum;
};

struct Plan {
  std::string policy;
  std::string time_zone;             // IANA name
  Instant at;
  std::vector<DueTier> due;          // by slot, then tier name
  // In run order: by the local day of the slot, then on one day the tiers' run order (decreasing precedence of the
  // running tier: coinciding tiers that do not cover each other run the higher first), then by database. The
  // runner follows this order for the jobs of one database (databases run in parallel); the JSON array keeps it.
  std::vector<BackupJob> jobs;
  // Catch-up candidates (issue 10 item 11): jobs for missed latest slots, each with catch_up = true, in the same
  // order as `jobs`; the runner keeps those ops history says were missed and runs them with `jobs`, in run order.
  // Not counted by has_work(): whether they are work depends on history.
  std::vector<BackupJob> catch_ups;
  std::vector<SkippedJob> skipped;   // by database, tier
  std::vector<DrillDue> drills;      // by slot, drill name
  std::vector<DatabaseName> databases;  // the policy's databases present in the inventory (plus named-but-absent)

  // Something to do: a job or a drill.
  [[nodiscard]] bool has_work() const { return !jobs.empty() || !drills.empty(); }
};

// Plans the run at `at`. Uses the coverage matrix and calendar when given (a compilation computes them once for
// analysis too), else computes them.
[[nodiscard]] Plan make_plan(const model::Policy& policy, const inventory::Inventory& inventory, Instant at);

// A tier's slot that a run at `at` catches up (issue 10 item 11): its latest slot at or before `at` when `at` is
// past the slot's window and inside its catch-up horizon (`until`: the next firing, or slot + catch_up when that
// is earlier); nullopt otherwise (inside the window, `catch_up = none`, past the horizon, or no slot yet).
struct CatchUpSlot {
  Instant slot;
  Instant until;
};
[[nodiscard]] std::optional<CatchUpSlot> catch_up_slot(const model::Tier& tier, const TimeZone& zone, Instant at);
[[nodiscard]] Plan make_plan(const model::Policy& policy, const inventory::Inventory& inventory, Instant at,
                             const analysis::Selection& selection, const analysis::Calendar& calendar);

// The BACKUP statement of a job (pre-3.4 grammar by default). Changed-partition tables render with the run-time
// placeholder; the runner binds them (dialect::PartitionSelection::listed) before executing.
[[nodiscard]] dialect::BackupJobSpec backup_spec(const BackupJob& job,
                                                 dialect::Grammar grammar = dialect::Grammar::kPre34);
[[nodiscard]] std::string preview_sql(const BackupJob& job);

[[nodiscard]] nlohmann::json to_json(const Plan& plan);
// to_json(plan).dump(2) + "\n".
[[nodiscard]] std::string to_json_text(const Plan& plan);
// Errors: "plan.json" with the path of the bad field.
[[nodiscard]] Result<Plan> plan_from_json(const nlohmann::json& json);

// What a reviewer reads in CI: per slot and database, the jobs, their objects, SQL and expiry; the drills.
[[nodiscard]] std::string render_preview(const Plan& plan);

}  // namespace sk::plan
