// Test-only helpers for alerts_test: sample events and hand-built policy fragments.
#pragma once

#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/model/policy.h"
#include "runtime/alerts/alert_event.h"

namespace sk::alerts::testing {

// Unwraps a Result in test setup (aborts on error: a bug in the test itself).
template <typename T>
T must(Result<T> r) {
  if (!r) std::abort();
  return std::move(*r);
}

inline AlertEvent sample_event() {
  AlertEvent e{.name = must(AlertName::parse("job_failed")),
               .severity = model::Severity::kCritical,
               .summary = "Job sales_20250914_inc on database sales (tier daily) ended CANCELLED",
               .description = "repository s3_prod: access denied",
               .labels = AlertLabels{.policy = "production",
                                     .run_id = "run-42",
                                     .database = must(DatabaseName::parse("sales")),
                                     .tier = must(TierName::parse("daily")),
                                     .label = must(SnapshotLabel::parse("sales_20250914_inc")),
                                     .job_id = "10086",
                                     .repository = std::nullopt,
                                     .backend = std::nullopt},
               .starts_at = Instant::from_unix_seconds(1'757'811'600),  // 2025-09-14T01:00:00Z
               .ends_at = std::nullopt};
  return e;
}

inline model::Notifier notifier(std::string_view name, model::NotifierKind kind, std::string target) {
  return model::Notifier{.name = must(NotifierName::parse(name)),
                         .kind = kind,
                         .target = std::move(target),
                         .range = {},
                         .name_range = {}};
}

inline model::Alert alert(std::string_view name, model::AlertCondition when, std::vector<std::string> notify,
                          model::Severity severity = model::Severity::kWarning) {
  model::Alert a{.name = must(AlertName::parse(name)),
                 .when = std::move(when),
                 .notify = {},
                 .severity = severity,
                 .range = {},
                 .name_range = {},
                 .when_range = {}};
  for (const auto& n : notify) a.notify.push_back(must(NotifierName::parse(n)));
  return a;
}

inline model::AlertCondition job_state_in(std::vector<std::string> states) {
  model::AlertCondition c;
  c.kind = model::AlertCondition::Kind::kJobState;
  c.states.insert(states.begin(), states.end());
  return c;
}

}  // namespace sk::alerts::testing
