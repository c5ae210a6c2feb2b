// Restore from the repository alone (issue 5 point 2): planning input and restore points read from a catalog
// recovered into a recovery database (runtime/catalog), restricted to the snapshots the repository itself lists
// as usable (SHOW SNAPSHOT Status OK) — a snapshot the catalog knows but the repository lost is never planned.
// Not thread-safe (one connection).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "common/result.h"
#include "kernel/domain/backup_timestamp.h"
#include "kernel/domain/names.h"
#include "runtime/catalog/catalog.h"
#include "runtime/ops/ops_store.h"
#include "runtime/restore/planner.h"

namespace sk::restore {

// The snapshots of `history` taken to `repository` whose label `listed` shows as usable. Each dropped one is
// described in `dropped` (when given): "label: not in repository R".
[[nodiscard]] std::vector<Snapshot> listed_only(std::vector<Snapshot> history, const RepositoryName& repository,
                                                const std::vector<catalog::RepositorySnapshot>& listed,
                                                std::vector<std::string>* dropped = nullptr);

// One instant a database can be restored to: the snapshot that FINISHED then (planning `--as-of` that instant or
// later uses it and the chain before it).
struct RestorePoint {
  DatabaseName database;
  SnapshotLabel label;
  RepositoryName repository;
  ops::BackupKind kind = ops::BackupKind::kTables;
  std::vector<TierName> tiers;
  Instant point{};
  BackupTimestamp backup_timestamp;  // as the repository lists it
  std::size_t tables = 0;
  std::size_t partitions = 0;
  std::size_t fingerprinted = 0;  // manifest entries with a recorded fingerprint (verifiable on any cluster)
};

// The restore points of `database` (or of every database the catalog has FINISHED backups of), oldest first per
// database, databases by name. `catalog_store` reads the recovered catalog; `connection` lists its databases.
[[nodiscard]] Result<std::vector<RestorePoint>> restore_points(ports::SqlConnection& connection,
                                                               ops::OpsStore& catalog_store,
                                                               const std::optional<DatabaseName>& database,
                                                               const RepositoryName& repository,
                                                               const std::vector<catalog::RepositorySnapshot>& listed);

[[nodiscard]] nlohmann::json points_to_json(const catalog::Recovered& recovered,
                                            const std::vector<RestorePoint>& points);
[[nodiscard]] std::string points_to_text(const catalog::Recovered& recovered, const std::vector<RestorePoint>& points);

}  // namespace sk::restore
