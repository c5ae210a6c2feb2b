// Shared by the drill unit tests: a policy compiled from the shared fixture text (Europe/Berlin, so that month,
// quarter and half-year boundaries are not UTC midnights), instants, and hand-made snapshots with manifests.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "compiler/diag/diagnostic.h"
#include "compiler/driver/compile.h"
#include "compiler/model/policy.h"
#include "runtime/ops/ops_store.h"
#include "runtime/restore/planner.h"
#include "tests/support/fixtures.h"

namespace sk::drill::testing {

// The shared end-to-end policy (tests/fixtures/policies/e2e.skp) with the monthly tier and the three drills.
inline const std::string kPolicyText = test::E2ePolicy{.name = "drills",
                                                       .timezone = "Europe/Berlin",
                                                       .databases = {"sales", "crm"},
                                                       .repository = "repo",
                                                       .location = "s3a://bucket/prefix",
                                                       .extra = test::monthly_and_drills("log") +
                                                                "  notifier \"log\" { log = true }\n"}
                                           .text();

inline model::Policy compile_policy(const std::string& text = kPolicyText) {
  diag::SourceFile file("drills.skp", text);
  driver::CompileInput input{&file, nullptr, CivilDay(2025, 1, 1)};
  driver::Compilation c = driver::compile(input);
  EXPECT_FALSE(c.has_errors()) << diag::render_text(file, c.policy_diagnostics.diagnostics());
  return c.policy ? *c.policy : model::Policy{};
}

inline Instant at(const char* text) { return *Instant::parse(text, TimeZone::utc()); }

inline const model::Drill& drill_named(const model::Policy& p, const char* name) {
  return *p.find_drill(*DrillName::parse(name));
}

// A FINISHED snapshot of `db` counting for `tiers`, finished at `finished`, holding table → partitions.
inline restore::Snapshot snapshot(
    const std::string& db, const std::string& label, std::vector<std::string> tiers, ops::BackupKind kind,
    const char* finished, const std::vector<std::pair<std::string, std::vector<std::string>>>& tables) {
  restore::Snapshot s{ops::BackupAttempt{.run_id = "r",
                                         .label = *SnapshotLabel::parse(label),
                                         .repository = *RepositoryName::parse("repo"),
                                         .database = *DatabaseName::parse(db)},
                      {}};
  for (const auto& t : tiers) s.attempt.tiers.push_back(*TierName::parse(t));
  s.attempt.kind = kind;
  s.attempt.state = ops::AttemptState::kFinished;
  s.attempt.finished_at = at(finished);
  s.attempt.backup_timestamp = BackupTimestamp::from_server("2025-09-15-07-00-00-000");
  std::int64_t id = 100;
  for (const auto& [table, parts] : tables) {
    for (const auto& p : parts) {
      s.entries.push_back(ops::ManifestEntry{.attempt_id = s.attempt.attempt_id(),
                                             .repository = s.attempt.repository,
                                             .label = s.attempt.label,
                                             .database = s.attempt.database,
                                             .table = *TableName::parse(table),
                                             .partition = *PartitionName::parse(p),
                                             .partition_id = ++id,
                                             .visible_version = 2});
    }
  }
  return s;
}

}  // namespace sk::drill::testing
