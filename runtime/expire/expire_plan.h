// What `starkeep expire` does with every snapshot of the policy's repositories: a verdict — keep, expire, or hold
// (history and repository disagree, so nothing is deleted) — with its reasons in the style of `restic forget`
// (docs/retention.md). Pure: the service (expire_service.h) gathers the inputs and carries the verdicts out.
//
// Data snapshots (ops.backup_history, FINISHED) follow the retention model (compiler/analysis/retention.h, through
// history_model.h), with these never expiring, their restore chains included:
//  * the newest snapshot of every database and tier ("newest weekly snapshot of sales");
//  * a snapshot a restore or drill still running reads (ops.restore_history, not terminal);
//  * a snapshot whose tiers the policy no longer has (no retention is guessed).
// A data snapshot the model expires is deleted only when the repository lists it, OK, with the backup timestamp
// the history recorded and no other: otherwise it is held, and the disagreement reported.
// Catalog snapshots (starkeep_catalog_*): the newest is kept, and every one younger than `catalog_keep`.
// Canary snapshots (starkeep_canary_*): only the newest of each repository is kept; they hold no data.
// Any other snapshot the repository lists and the history lacks is never touched (`repository check` reports it).
// A snapshot with an ops.snapshot_expiry row still deleting or failed is expired again (the deletion resumes);
// one already deleted is not listed unless the repository still shows it (then held).
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "compiler/analysis/retention.h"
#include "kernel/domain/backup_timestamp.h"
#include "kernel/domain/names.h"
#include "kernel/domain/quantities.h"
#include "kernel/domain/retain_period.h"
#include "kernel/domain/time.h"
#include "runtime/ops/ops_store.h"
#include "runtime/restore/planner.h"

namespace sk::expire {

// One row of SHOW SNAPSHOT ON repo.
struct Listed {
  std::vector<BackupTimestamp> timestamps;
  std::string status;  // "OK", "ERROR: …", "Invalid: …"
  // StarRocks 4.2+: the snapshot's own `ttl` (BACKUP ... PROPERTIES ("ttl" = "7 DAY")), after which the leader FE
  // deletes it by itself; its ExpireTime as printed, and read in the cluster's zone (nullopt: unreadable).
  std::optional<std::string> ttl{};
  std::optional<std::string> expire_text{};
  std::optional<Instant> ttl_expires{};
};

struct RepositoryListing {
  RepositoryName repository;
  std::map<std::string, Listed> snapshots;  // by label
};

struct ExpireInput {
  Instant at;
  TimeZone zone = TimeZone::utc();             // dates in reasons are local to the policy's zone
  std::map<std::string, RetainPeriod> retain;  // tier name → retain (dated in `zone`)
  Duration catalog_keep;                       // catalog snapshots younger than this stay (the shortest retain)
  DatabaseName ops_database;                   // the database catalog and canary snapshots belong to
  std::vector<restore::Snapshot> history;      // every database's FINISHED backups, every repository
  std::vector<RepositoryListing> repositories; // the repositories expired: only their snapshots get verdicts
  std::set<std::pair<std::string, std::string>> in_use{};  // (repository, label) read by a running restore
  std::vector<ops::ExpiryRecord> expiries{};
  std::vector<analysis::retention::CountKeep> keeps{};  // the tiers' count-based keeps (`keep = last 7`)
};

// Where a snapshot comes from: a data backup of the history, a catalog or canary snapshot (by label prefix), or
// unknown (listed by the repository, absent from the history).
enum class Kind { kData, kCatalog, kCanary, kUnknown };
[[nodiscard]] std::string_view to_string(Kind kind);  // "data", "catalog", "canary", "unknown"

enum class Verdict { kKeep, kExpire, kHold };
[[nodiscard]] std::string_view to_string(Verdict verdict);  // "keep", "expire", "hold"

// A kept snapshot whose StarRocks ttl makes the FE delete it before the model's keep horizon (docs/retention.md,
// "StarRocks snapshot TTL"). starkeep itself never sets a ttl.
struct TtlConflict {
  std::string ttl;                  // as the BACKUP wrote it
  std::optional<Instant> expires;   // when the FE deletes it; nullopt: the server's ExpireTime was unreadable
  std::string expire_text;          // ExpireTime as the server printed it
  Instant keep_until;               // the keep horizon (chain extensions included)
  std::string restore_point;        // the restore point it would break: "weekly restore point 2026-12-13 of sales"
  bool only_restore_point = false;  // that restore point is the only retained one of its tier and database
};

struct Decision {
  RepositoryName repository;
  SnapshotLabel label;
  std::optional<DatabaseName> database{};  // data: its database; catalog, canary: the ops database
  Kind kind = Kind::kData;
  std::vector<TierName> tiers{};
  std::optional<BackupTimestamp> backup_timestamp{};
  std::optional<Instant> taken{};  // when it finished (data) or was published (catalog); unknown for canaries
  Verdict verdict = Verdict::kKeep;
  std::vector<std::string> reasons{};
  bool resumed = false;  // an earlier expire began deleting it
  std::optional<Instant> keep_until{};  // keep: the horizon the verdict keeps it until (data and catalog snapshots)
  std::optional<TtlConflict> ttl{};     // keep: a StarRocks ttl deletes it before keep_until (also in `reasons`)
};

struct ExpirePlan {
  std::vector<Decision> decisions;  // by repository, then kind (data, catalog, canary), database, time, label
  [[nodiscard]] std::size_t count(Verdict verdict) const;
};

[[nodiscard]] ExpirePlan decide(const ExpireInput& input);

}  // namespace sk::expire
