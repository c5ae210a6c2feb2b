// The backup history as the retention model sees it (compiler/analysis/retention.h): one model snapshot per
// FINISHED backup of ops.backup_history, with what its restore point needs decided by the restore planner's rules
// (runtime/restore/planner.h), so that `expire` keeps exactly what `restore` would read:
//
//  * Snapshots of a database are taken in the planner's content order (restore::order_snapshots). Retention runs
//    from the snapshot's schedule slot, as `check` counts it (compiler/analysis/restorability.cpp), or from the
//    instant it finished (restore::Snapshot::point) when it has no slot.
//  * A whole-table or whole-database snapshot holds the table's whole state. A changed-partitions snapshot holds
//    the partitions it captured and inherits every other partition of the table from the newest earlier snapshot
//    that holds it, since the table's last whole snapshot (the planner's baseline plus incrementals). The
//    partitions the table had are the partition set the snapshot recorded (ops.table_partition_set); without one
//    (a snapshot from before schema 2), every partition held so far — more kept, never less.
//  * Retention is the longest `retain` among the policy's tiers the snapshot counts for (the latest expiry). A snapshot none of whose
//    tiers is in the policy any more keeps no retention the policy states: it is kept (`unknown_tier`), and so
//    is what it needs.
//
// Pure; O(n log n) in the number of snapshots plus the manifest size. Thread-safe.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "compiler/analysis/retention.h"
#include "kernel/domain/quantities.h"
#include "kernel/domain/retain_period.h"
#include "runtime/restore/planner.h"

namespace sk::expire {

// What a snapshot none of whose tiers the policy knows is kept for: effectively for ever.
inline constexpr Duration kKeptForever = Duration::from_days(365 * 1000);

struct ModelHistory {
  std::vector<analysis::retention::Snapshot> snapshots;
  std::vector<const restore::Snapshot*> source;  // same order: the history entry of each model snapshot
  std::vector<bool> unknown_tier;                // same order
};

// `history`: every database's history (restore::load_history rows; non-FINISHED entries are ignored, and so are
// those `include` rejects); `retain`: tier name → retention, dated in `zone` (the policy's: calendar months are
// counted there from the slot, as `check` counts them); `keeps`: the tiers' count-based keeps, applied over the
// snapshots `include` admits (a snapshot counts for every tier it was taken for). The result points into
// `history`.
[[nodiscard]] ModelHistory to_model(const std::vector<restore::Snapshot>& history,
                                    const std::map<std::string, RetainPeriod>& retain, const TimeZone& zone,
                                    const std::function<bool(const restore::Snapshot&)>& include = {},
                                    const std::vector<analysis::retention::CountKeep>& keeps = {});

}  // namespace sk::expire
