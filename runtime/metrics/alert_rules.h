// Prometheus alerting rules generated from a policy (`starkeep metrics --emit-rules`, docs/metrics.md "Alert
// rules"), over the families of metric_families.def only:
//   StarkeepBackupStale       per tier: no FINISHED backup counting for the tier within 1.5 × the longest gap
//                             between two of its scheduled slots (Schedule::max_interval), per database;
//   StarkeepBackupFailed      the newest attempt of a tier ended CANCELLED, REJECTED or LOST (severity of the
//                             policy's job-state alert, else critical);
//   StarkeepDrillOverdue      per drill: no PASSED drill within 1.5 × the longest gap between its slots;
//   StarkeepRepositorySnapshotsMissing / StarkeepRepositoryFindings  from `repository check --metrics-file`;
//   StarkeepExpiryFailed      a deletion failed and waits for the next expire;
//   StarkeepRunAbandoned      the newest run was abandoned (killed; the next run reconciles it).
// There is no snapshot-disk rule: starkeep records no disk figures in the ops tables (docs/metrics.md).
// Pure, deterministic (a test compares deploy/prometheus/starkeep-rules.yml with it); thread-safe.
#pragma once

#include <string>

#include "compiler/model/policy.h"

namespace sk::metrics {

// The rules file (YAML, `promtool check rules` clean). `source` is how the policy was named on the command line,
// quoted in the header comment.
[[nodiscard]] std::string render_alert_rules(const model::Policy& policy, std::string_view source);

// 1.5 × the schedule's longest gap between slots, in whole seconds: the freshness threshold of a tier or drill.
[[nodiscard]] std::int64_t freshness_threshold_seconds(const Schedule& schedule);

}  // namespace sk::metrics
