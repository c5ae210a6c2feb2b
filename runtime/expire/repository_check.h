// `starkeep repository check`: the repository cross-checked against the history (docs/retention.md, "Repository
// check"), from the same inputs and verdicts as `expire` (expire_plan.h) — the safety net for what expiry,
// lifecycle rules or hands outside starkeep got wrong. Findings, most serious first:
//   missing  — the history has the snapshot FINISHED (and no expire deleted it), the repository does not list it:
//              its restore points are lost;
//   conflict — the repository lists the label with other backup timestamps than the history recorded;
//   partial  — a snapshot the repository cannot read: no info file (content only), or an unfinished upload
//              (`Invalid: <file>.part`);
//   ttl      — a snapshot expire keeps whose StarRocks 4.2 ttl makes the FE delete it before its keep horizon
//              (critical when the restore point it would break is the only retained one of its tier and database);
//   overdue  — past its expiry (expire's verdict) and still present: expire has not run, or failed;
//   unknown  — in the repository, not in the history (not a catalog or canary snapshot either).
// With the repository listed in storage (storage_listing.h) the check also sees what SHOW SNAPSHOT cannot:
//   partial  — a snapshot directory without info file (content only), with info but no content or no meta file, or
//              with unfinished `.part` uploads — unless a backup of that label is still running (it is uploading);
//   unknown  — a complete snapshot directory SHOW SNAPSHOT does not list and the history does not know, and every
//              object outside the repository's layout (its key relative to the repository prefix is the "label").
// A finding both sources make is reported once, the storage detail appended.
// Pure. Thread-safe.
#pragma once

#include <set>
#include <string>
#include <utility>
#include <string_view>
#include <vector>

#include "compiler/model/policy.h"
#include "runtime/expire/expire_plan.h"
#include "runtime/expire/storage_listing.h"

namespace sk::expire {

// The kinds are the policy language's (`repository.finding in [...]` alerts on them): compiler/model/policy.h.
using FindingKind = model::RepositoryFinding;
using model::to_string;  // "missing", "conflict", "partial", "overdue", "unknown"

struct Finding {
  FindingKind kind = FindingKind::kUnknown;
  RepositoryName repository;
  std::string label;
  std::optional<DatabaseName> database{};
  std::string detail;
  bool critical = false;  // missing: always; ttl: when it breaks the only retained restore point of its tier
};
[[nodiscard]] std::string_view severity_of(const Finding& f);  // "critical" or "warning"

// Findings by kind (most serious first), then repository and label. `plan` is decide(input).
[[nodiscard]] std::vector<Finding> check_findings(const ExpireInput& input, const ExpirePlan& plan);

// What the storage listings add to the findings above.
struct StorageInput {
  std::vector<StorageListing> listings;  // the repositories listed in storage
  std::set<std::pair<std::string, std::string>> running{};  // (repository, label) of backups not yet final
};
[[nodiscard]] std::vector<Finding> check_findings(const ExpireInput& input, const ExpirePlan& plan,
                                                  const StorageInput& storage);

}  // namespace sk::expire
