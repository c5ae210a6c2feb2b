// Restore chains of one table: which links a restore to a point needs, and the keep horizon one table's own chain
// implies when every link is a restore point of its own. The retention model itself — database-wide restore points,
// used by both `check` and `expire` — is compiler/analysis/retention.h; chain_aware_keep is its special case of one
// table and one tier (tests check that they agree).
//
// Model: the backups of ONE table in time order. A full link (tables or database backup) captures the whole table;
// an incremental link (changed partitions) captures the partitions changed since the previous link of that table,
// whatever its kind. Restoring to link i therefore needs the latest full link at or before i and every incremental
// after it up to i. Chain-aware keep: a link is kept while any link whose chain contains it is inside its own
// retention.
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <vector>

#include "kernel/domain/time.h"

namespace sk::analysis {

struct ChainLink {
  Instant taken;
  Instant expires;  // taken + the snapshot's retention
  bool full = false;
};

struct RestoreChain {
  std::vector<size_t> links;  // ascending; the last one is the restore point itself
  bool has_baseline = false;  // false: no full link at or before the point (the chain is incomplete)
};

// The links a restore to links[point] needs. `links` must be sorted by `taken`.
[[nodiscard]] RestoreChain restore_chain(std::span<const ChainLink> links, size_t point);

struct Keep {
  Instant until;       // the latest `expires` among the links whose chain contains this one (itself included)
  size_t because = 0;  // the link that sets `until` (the link itself when its own retention is the longest)
};

// Chain-aware retention for every link, in one backward pass: O(n).
[[nodiscard]] std::vector<Keep> chain_aware_keep(std::span<const ChainLink> links);

}  // namespace sk::analysis
