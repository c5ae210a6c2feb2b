#include "compiler/model/policy.h"

#include <algorithm>

#include <fmt/format.h>

namespace sk::model {

std::string_view to_string(BackupKind kind) {
  switch (kind) {
    case BackupKind::kChangedPartitions: return "changed_partitions";
    case BackupKind::kTables: return "tables";
    case BackupKind::kDatabase: return "database";
  }
  return "database";
}

std::string_view to_string(OverrunAction action) {
  return action == OverrunAction::kCancel ? "cancel" : "alert";
}

std::string CatchUp::to_string() const {
  switch (kind) {
    case Kind::kUntilNextSlot: return "next_slot";
    case Kind::kNone: return "none";
    case Kind::kWithin: return within.to_string();
  }
  return "next_slot";
}

std::string_view to_string(CredentialsKind kind) {
  switch (kind) {
    case CredentialsKind::kEnvironment: return "env";
    case CredentialsKind::kInstanceProfile: return "instance_profile";
    case CredentialsKind::kAssumeRole: return "assume_role";
  }
  return "env";
}

std::string_view to_string(DrillScope scope) {
  switch (scope) {
    case DrillScope::kPartition: return "partition";
    case DrillScope::kTable: return "table";
    case DrillScope::kDatabase: return "database";
  }
  return "database";
}

std::string_view to_string(Verification verification) {
  switch (verification) {
    case Verification::kChecksum: return "checksum";
    case Verification::kRowCount: return "row_count";
  }
  return "checksum";
}

std::string_view to_string(Severity severity) {
  switch (severity) {
    case Severity::kInfo: return "info";
    case Severity::kWarning: return "warning";
    case Severity::kCritical: return "critical";
  }
  return "warning";
}

std::string_view to_string(NotifierKind kind) {
  switch (kind) {
    case NotifierKind::kAlertmanager: return "alertmanager";
    case NotifierKind::kWebhook: return "webhook";
    case NotifierKind::kCommand: return "command";
    case NotifierKind::kLog: return "log";
  }
  return "log";
}

std::string AlertCondition::to_string() const {
  switch (kind) {
    case Kind::kJobState: {
      std::string out = "job.state in [";
      bool first = true;
      for (const std::string& s : states) {
        if (!first) out += ", ";
        out += s;
        first = false;
      }
      return out + "]";
    }
    case Kind::kOverrun:
      return elapsed_limit ? "job.elapsed > " + elapsed_limit->to_string() : "job.elapsed > tier.window";
    case Kind::kRepositoryUnreachable: return "repository.unreachable";
    case Kind::kDiskFreeBelow:
      return "snapshot_disk_free < " + (threshold ? threshold->to_string() : std::string("0%"));
    case Kind::kPrecheckFailed: return "precheck.failed";
    case Kind::kRepositoryFinding: {
      std::string out = "repository.finding in [";
      for (RepositoryFinding f : findings) {
        if (out.back() != '[') out += ", ";
        out += model::to_string(f);
      }
      return out + "]";
    }
  }
  return "";
}

std::string_view to_string(RepositoryFinding finding) {
  switch (finding) {
    case RepositoryFinding::kMissing: return "missing";
    case RepositoryFinding::kConflict: return "conflict";
    case RepositoryFinding::kPartial: return "partial";
    case RepositoryFinding::kTtl: return "ttl";
    case RepositoryFinding::kOverdue: return "overdue";
    case RepositoryFinding::kUnknown: return "unknown";
  }
  return "unknown";
}

std::optional<RepositoryFinding> parse_repository_finding(std::string_view word) {
  for (RepositoryFinding f : kAllRepositoryFindings) {
    if (to_string(f) == word) return f;
  }
  return std::nullopt;
}

bool DatabaseSelection::matches(const DatabaseName& db) const {
  if (all) return std::find(exclude.begin(), exclude.end(), db) == exclude.end();
  return std::find(include.begin(), include.end(), db) != include.end();
}

namespace {
template <typename T, typename N>
const T* find_named(const std::vector<T>& items, const N& name) {
  for (const T& item : items) {
    if (item.name == name) return &item;
  }
  return nullptr;
}
}  // namespace

const Tier* Policy::find_tier(const TierName& wanted) const { return find_named(tiers, wanted); }
const Repository* Policy::find_repository(const RepositoryName& wanted) const { return find_named(repositories, wanted); }
const Notifier* Policy::find_notifier(const NotifierName& wanted) const { return find_named(notifiers, wanted); }
const Drill* Policy::find_drill(const DrillName& wanted) const { return find_named(drills, wanted); }
const Alert* Policy::find_alert(const AlertName& wanted) const { return find_named(alerts, wanted); }

const Repository* Policy::repository_for(const Tier& tier) const {
  if (tier.repository) return find_repository(*tier.repository);
  return repositories.size() == 1 ? &repositories.front() : nullptr;
}

const Exclusion* Policy::exclusion_for(const TableAttributes& table) const {
  TableAttributes t = table;
  t.eligible = true;
  for (const Exclusion& x : exclusions) {
    if (x.tables.evaluate(t)) return &x;
  }
  return nullptr;
}

std::vector<const Tier*> Policy::tiers_covering(const Tier& tier) const {
  std::vector<const Tier*> out;
  for (const Tier& t : tiers) {
    if (std::find(t.covers.begin(), t.covers.end(), tier.name) != t.covers.end()) out.push_back(&t);
  }
  return out;
}

}  // namespace sk::model
