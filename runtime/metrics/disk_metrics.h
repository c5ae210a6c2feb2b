// The snapshot-disk families (source kRunPrecheck in metric_families.def): what `starkeep run`'s pre-check read
// from SHOW PROC '/backends/<id>', as samples; and the carry-over that keeps them in a shared metrics file when
// drill, expire or `metrics --output` rewrite it from the ops tables (which do not record disks). Pure;
// thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "kernel/domain/time.h"
#include "runtime/metrics/exposition.h"

namespace sk::metrics {

// One backend's fullest snapshot disk: its free share, 0 to 1 (AvailCapacity / TotalCapacity).
struct BackendDiskFree {
  std::int64_t backend = 0;  // SHOW BACKENDS BackendId
  double free_ratio = 1;
  friend bool operator==(const BackendDiskFree&, const BackendDiskFree&) = default;
};

// Per backend the ratio, the minimum over all of them and the reading instant `read_at`; nothing when no disk
// was read (a run with nothing due, or a pre-check that failed before SHOW BACKENDS).
[[nodiscard]] std::vector<Sample> snapshot_disk_samples(const std::vector<BackendDiskFree>& readings,
                                                        Instant read_at);

// The lines of `existing` (an exposition text this program wrote) that belong to families of `source`: their
// HELP, TYPE and sample lines, in their order, each ending in a line feed. Empty when there are none.
[[nodiscard]] std::string lines_of_source(std::string_view existing, MetricSource source);

}  // namespace sk::metrics
