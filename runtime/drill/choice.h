// The reproducible choice of what a drill restores (docs/operations.md "Drills"). Pure; thread-safe.
//
// Source snapshots: for every database of the policy, the newest FINISHED snapshot that counts for the
// drill's `from` tier (backup_history.tiers lists it — a monthly baseline that covers the weekly counts for
// both), whose time is at or before T and not older than the tier's retention (T − retain), holding at least
// one manifest entry. A snapshot's time is its schedule slot (backup_history.slot_utc: the clock of the
// drill's own schedule and of `starkeep run --at`), or its finish time when it has no slot (ad-hoc backups).
// Candidates, sorted bytewise by (database, table, partition):
//   one partition — every (database, table, partition) in those snapshots' manifests;
//   one table     — every (database, table) in them;
//   database      — every database that has such a snapshot.
// The choice is candidates[seed % count] with seed = seed_of(drill name, period label): the same history,
// drill and period always give the same object; another period usually another one.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "kernel/domain/names.h"
#include "kernel/domain/time.h"
#include "compiler/model/policy.h"
#include "runtime/drill/period.h"
#include "runtime/ops/ops_store.h"
#include "runtime/restore/planner.h"

namespace sk::drill {

struct Choice {
  model::DrillScope scope = model::DrillScope::kPartition;
  DatabaseName database;
  std::optional<TableName> table{};          // partition and table drills
  std::optional<PartitionName> partition{};  // partition drills
  ops::BackupAttempt snapshot;  // the source snapshot (label, repository, finished_at, timestamp)
  std::uint64_t seed = 0;
  std::size_t index = 0;               // position of the choice among the sorted candidates
  std::size_t candidates = 0;          // how many there were
  std::vector<std::string> sources{};  // "<database>: <label> (<snapshot time UTC>)", one per source snapshot

  // "sales", "sales.orders" or "sales.orders partition p20250901".
  [[nodiscard]] std::string object() const;
};

// A snapshot's time for drills: its schedule slot, else its finish time, else its last update.
[[nodiscard]] Instant snapshot_time(const ops::BackupAttempt& attempt);

// The attempts that may be a drill's source, per database of the policy (sorted by database name), best first
// (newest time, then label descending): FINISHED, counting for the `from` tier, time within [T − retain, T].
// Manifests are not needed; the first of each list with a non-empty manifest is that database's source
// snapshot.
[[nodiscard]] std::vector<std::vector<const ops::BackupAttempt*>> source_candidates(
    const model::Policy& policy, const model::Drill& drill, Instant t,
    const std::vector<ops::BackupAttempt>& attempts);

// Errors: "drill.no_snapshot" (no source snapshot: the drill cannot run; the message says why),
// "drill.usage" (the `from` tier is not in the policy).
[[nodiscard]] Result<Choice> choose(const model::Policy& policy, const model::Drill& drill,
                                    const Period& period, Instant t,
                                    const std::vector<restore::Snapshot>& history);

}  // namespace sk::drill
