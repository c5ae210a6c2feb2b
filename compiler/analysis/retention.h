// The retention model, stated once (docs/language.md, "What `retain` means"), and its one implementation:
// `starkeep check` applies it to the snapshots the policy's calendar generates (restorability.cpp), `starkeep
// expire` to the snapshots actually taken. Both therefore agree snapshot by snapshot.
//
//   1. Every snapshot is a restore point of its database at the instant it was taken, kept for its retention
//   (the
//      longest `retain` among the tiers it satisfies). Retention values are minimums.
//   2. A restore point needs, for every table its database had at that instant, the snapshots holding the
//   table's
//      state then: the table's latest snapshot at or before the instant and, when that snapshot captured only
//      changed partitions, the earlier snapshots it inherits the table's other partitions from. The tables a
//      database had are those of its latest `database` snapshot at or before the instant plus every table
//      captured since (every table captured so far when there is no database snapshot yet).
//   3. No snapshot is deleted while a retained restore point needs it: a snapshot is kept until the latest
//   expiry
//      among its own restore point and the restore points that need it.
//   A tier's count-based keep (`keep = last 7`, `keep = at least 3`) makes its newest `count` snapshots in each
//   database restore points whatever their age: a snapshot's own restore point lasts until the later of its
//   retention and the instant the count-th later snapshot of that tier in its database is taken
//   (apply_count_keeps; for ever while fewer have been taken).
//
// A need that outlives the snapshot's own tier (the restore points of that tier, chain included) is an
// *extension*; a restore point that needs a partition no snapshot holds (never backed up, or a broken chain)
// is a *hole*. Only restore points expire; a snapshot kept for a need is not a restore point beyond its own
// retention.
//
// Pure; O(n log n) in the number of snapshots plus the size of their table lists. Thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "kernel/domain/quantities.h"
#include "kernel/domain/retain_period.h"
#include "kernel/domain/time.h"

namespace sk::analysis::retention {

inline constexpr size_t kNoSnapshot = std::numeric_limits<size_t>::max();

enum class SnapshotKind : uint8_t {
  kDatabase,    // every table of the database, whole
  kTables,      // the listed tables, whole
  kPartitions,  // changed partitions of the listed tables
};

// Part of a table's state at a kPartitions snapshot's instant that the snapshot did not capture.
struct Inherited {
  std::string partitions;  // the partitions concerned: names, or a description ("unchanged since 2025-09-07")
  size_t from =
      kNoSnapshot;  // the earlier snapshot of the same database holding them; kNoSnapshot: none does
};

struct TableState {
  std::string table;
  std::vector<std::string> partitions;  // kPartitions: the partitions captured (informational)
  // kPartitions: every other source of the table's state at this instant, directly (not transitively: list
  // the full backup and every incremental in between, not only the previous link). Empty for whole captures.
  std::vector<Inherited> inherited;
};

struct Snapshot {
  std::string database;
  std::string tier;  // the tier whose retention applies
  RetainPeriod retain;  // for the reasons' text
  std::string label;
  Instant taken;
  SnapshotKind kind = SnapshotKind::kDatabase;
  std::vector<TableState> tables;  // kDatabase: every table the database had then
  // The end of its own restore point: retain.after(taken, the policy's zone), computed by the caller with the
  // one calendar rule (kernel/domain/retain_period.h), so check and expire date it alike; apply_count_keeps
  // lengthens it.
  Instant until;
  // The tiers the snapshot counts for, for count-based keeps (a monthly covering a weekly counts for both);
  // empty: `tier` only.
  std::vector<std::string> counts_for{};
  // Set by apply_count_keeps when a count-based keep lengthened `until`: the tier, its count, and until when the
  // snapshot is one of that tier's newest `count` (kCountedForever from the snapshot's taken when open).
  std::string count_tier{};
  int64_t count = 0;
  Instant count_until{};
  [[nodiscard]] Instant expires() const { return until; }
};

// How long past its taken instant a snapshot with fewer than `count` later snapshots of its tier stays: for ever.
inline constexpr Duration kCountedForever = Duration::from_days(365 * 1000);

// A tier's count-based keep: its newest `count` snapshots in each database are restore points.
struct CountKeep {
  std::string tier;
  int64_t count = 0;
};

// Applies `keeps` to `snapshots` (step 3's count rule above): per database and kept tier, in order of `taken`
// (ties by index), snapshot j of the tier lasts at least until snapshot j + count is taken. Call before evaluate().
void apply_count_keeps(std::span<Snapshot> snapshots, std::span<const CountKeep> keeps);

// A restore point needing a snapshot, for one table.
struct Need {
  size_t point = kNoSnapshot;   // the restore point (a snapshot index); kNoSnapshot: none
  size_t holder = kNoSnapshot;  // the snapshot whose TableState is the table's state at the point
  size_t table = 0;             // index into snapshots[holder].tables
  Instant until;                // the point's expiry
};

struct Verdict {
  bool keep = false;   // at the evaluated instant: keep_until > at
  Instant own_until;   // its own restore point's expiry (taken + retain)
  Instant tier_until;  // the latest expiry among its own and the restore points of its own tier that need it
  Instant keep_until;  // the latest expiry among its own and every restore point that needs it
  Need longest;        // the restore point that sets keep_until, when a need outlives own_until
};

// A restore point that needs a partition no snapshot holds.
struct Hole {
  size_t point = 0;      // the restore point
  size_t holder = 0;     // the snapshot whose TableState lacks a source
  size_t table = 0;      // index into snapshots[holder].tables
  size_t inherited = 0;  // index into that TableState's inherited
};

struct Evaluation {
  std::vector<Verdict> verdicts;  // one per snapshot, same order
  std::vector<Hole> holes;        // by point, then holder, then table
};

// Applies the model to `snapshots` at instant `at`. A source index that is out of range, not earlier or in
// another database counts as kNoSnapshot.
[[nodiscard]] Evaluation evaluate(std::span<const Snapshot> snapshots, Instant at);

// The reasons for snapshot `i`'s verdict, in the style of `restic forget`, dates local to `zone`:
//   "daily restore point until 2025-09-29"
//   "one of the last 7 'daily'"                                   (a count-based keep holds it)
//   "needed by weekly restore point 2025-09-14 of sales.orders until 2025-12-13 (chain)"
//   "daily, retained 14d, needed by no retained restore point"   (the only reason of an expired snapshot)
[[nodiscard]] std::vector<std::string> reasons(std::span<const Snapshot> snapshots,
                                               const Evaluation& evaluation, size_t i, Instant at,
                                               const TimeZone& zone);

}  // namespace sk::analysis::retention
