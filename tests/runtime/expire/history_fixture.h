// Test helpers: FINISHED backups of one table, built the way the runner records them.
#pragma once

#include <fmt/format.h>

#include <string>
#include <vector>

#include "runtime/restore/planner.h"

namespace sk::expire::testing {

inline constexpr std::int64_t kDay = 86400;
inline const Instant kEpoch = Instant::from_unix_seconds(1'767'225'600);  // 2026-01-01T00:00:00Z

inline Instant day(double d) { return kEpoch + Duration::from_seconds(static_cast<std::int64_t>(d * kDay)); }

// A FINISHED snapshot of `db`.`table` holding `held`, recording `all` as the table's partitions (empty: none
// recorded), finished at day `d`.
inline restore::Snapshot snapshot(const std::string& label, std::vector<std::string> tiers, ops::BackupKind kind,
                                  double d, const std::vector<std::string>& held,
                                  const std::vector<std::string>& all = {}, const std::string& db = "sales",
                                  const std::string& table = "orders", const std::string& repo = "main") {
  ops::BackupAttempt a{"run-" + label, *SnapshotLabel::parse(label), *RepositoryName::parse(repo),
                       *DatabaseName::parse(db)};
  for (const auto& t : tiers) a.tiers.push_back(*TierName::parse(t));
  a.kind = kind;
  a.state = ops::AttemptState::kFinished;
  a.submitted_at = day(d) - Duration::from_minutes(10);
  a.finished_at = day(d);
  a.backup_timestamp = BackupTimestamp::from_server(fmt::format("ts-{}", label));
  restore::Snapshot s{a, {}, {}};
  for (const auto& p : held) {
    ops::ManifestEntry e{a.attempt_id(), a.repository, a.label, a.database, *TableName::parse(table),
                         *PartitionName::parse(p)};
    s.entries.push_back(e);
  }
  if (!all.empty()) {
    s.partition_sets.push_back(
        ops::PartitionSet{a.attempt_id(), a.repository, a.label, a.database, *TableName::parse(table), all});
  }
  return s;
}

}  // namespace sk::expire::testing
