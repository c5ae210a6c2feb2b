// The metrics model: what the ops tables say about one policy's backups, restore points, drills, expiries and
// runner, as samples of the families in metric_families.def (docs/metrics.md says what each means). Also the
// samples of a repository check. Pure (the inputs are read by metrics_service.h); deterministic; thread-safe.
//
// Which series exist: per database and tier, the policy's explicitly listed databases (or, for `all`, every
// database the history has that the policy selects) times the policy's tiers; an attempt counts for every tier it
// recorded (a monthly that covers the weekly counts for both). Series of a state set or a counter are all present,
// zeros included, so `rate()` and `== 1` work from the first sample. Timestamps of things that never happened
// are 0 (freshness and drill alerts then fire, as they should); ages, durations and sizes are absent instead.
#pragma once

#include <vector>

#include "compiler/model/policy.h"
#include "kernel/domain/time.h"
#include "runtime/expire/repository_check.h"
#include "runtime/metrics/exposition.h"
#include "runtime/ops/ops_store.h"

namespace sk::metrics {

// The ops rows the metrics are computed from (metrics_service.h reads them; tests and the benchmark build them).
struct OpsHistory {
  std::vector<ops::BackupAttempt> attempts;  // every attempt, any state
  std::vector<ops::RestoreRecord> drills;    // restore_history rows of kind drill
  std::vector<ops::RunMarker> runs;          // every run_status marker
  std::vector<ops::ExpiryRecord> expiries;   // every snapshot_expiry row
};

// Samples of every kOps family at instant `at` (ages are measured to it).
[[nodiscard]] std::vector<Sample> ops_samples(const model::Policy& policy, const OpsHistory& history, Instant at);

// Samples of the kRepositoryCheck families: every checked repository gets all finding kinds (zeros included) and
// the check time `at`.
[[nodiscard]] std::vector<Sample> repository_check_samples(const std::vector<RepositoryName>& checked,
                                                           const std::vector<expire::Finding>& findings, Instant at);

}  // namespace sk::metrics
