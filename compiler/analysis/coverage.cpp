#include <algorithm>
#include <map>
#include <set>
#include <string_view>
#include <unordered_set>
#include <utility>

#include <fmt/format.h>

#include "compiler/analysis/analysis.h"
#include "compiler/analysis/lifecycle.h"

namespace sk::analysis {
namespace {

using diag::Code;

constexpr size_t kMaxNotes = 10;

std::string class_or_unclassified(const std::string& c) { return c.empty() ? "unclassified" : c; }

// `inventoried` is sorted (Inventory::databases()).
bool has_database(const std::vector<DatabaseName>& inventoried, const DatabaseName& db) {
  return std::binary_search(inventoried.begin(), inventoried.end(), db);
}

// SK0413: eligibility naming tiers the policy does not have (once per tier name).
void report_unknown_eligibility_tiers(const model::Policy& policy, const inventory::Inventory& inventory,
                                      diag::DiagnosticSink& sink) {
  std::set<std::string> tier_names;
  std::vector<std::string> candidates;
  for (const auto& t : policy.tiers) {
    tier_names.insert(t.name.str());
    candidates.push_back(t.name.str());
  }
  std::set<std::string> reported;
  for (size_t i = 0; i < inventory.tables.size(); ++i) {
    for (const auto& [tier, eligible] : inventory.tables[i].eligibility) {
      if (tier_names.contains(tier) || !reported.insert(tier).second) continue;
      auto& d = sink.report(Code::kInventoryUnknownTier, inventory.tables[i].range,
                            fmt::format("tables[{}].eligibility", i), tier);
      if (auto m = diag::closest_match(tier, candidates)) d.suggest(*m);
    }
  }
}

// SK0501: tables in policy databases that no tier selects, grouped by (database, class).
void report_uncovered_tables(const inventory::Inventory& inventory, const Selection& selection,
                             diag::DiagnosticSink& sink) {
  std::map<std::pair<std::string, std::string>, std::vector<size_t>> groups;
  for (size_t i = 0; i < inventory.tables.size(); ++i) {
    if (!selection.in_policy(i) || selection.covered(i) || selection.exclusion(i)) continue;
    const auto& t = inventory.tables[i];
    groups[{t.database.str(), t.table_class}].push_back(i);
  }
  for (const auto& [key, tables] : groups) {
    std::vector<std::string> names;
    for (size_t i : tables) names.push_back(inventory.tables[i].display_name());
    auto& d = sink.report(Code::kTableNotCovered, inventory.tables[tables[0]].range, describe_tables(names),
                          class_or_unclassified(key.second));
    if (tables.size() > 1) {
      for (size_t k = 0; k < tables.size() && k < kMaxNotes; ++k) {
        d.note(inventory.tables[tables[k]].range, fmt::format("{} is listed here", names[k]));
      }
      if (tables.size() > kMaxNotes) d.note(std::nullopt, fmt::format("and {} more", tables.size() - kMaxNotes));
    }
    d.note(std::nullopt, "classify these tables in the inventory, or widen a tier's include rule");
  }
}

// SK0502 / SK0503: cluster objects the policy selects but the inventory lacks.
void report_cluster_objects_not_inventoried(const model::Policy& policy, const inventory::Inventory& inventory,
                                            const std::vector<DatabaseName>& inventoried,
                                            diag::DiagnosticSink& sink) {
  if (inventory.cluster_databases.empty()) return;
  // Views into the inventory, not concatenated copies: 100k tables would be 100k allocations.
  using TableKey = std::pair<std::string_view, std::string_view>;
  struct TableKeyHash {
    size_t operator()(const TableKey& k) const noexcept {
      const std::hash<std::string_view> h;
      return h(k.first) * 31 + h(k.second);
    }
  };
  std::unordered_set<TableKey, TableKeyHash> known_tables;  // built when a cluster database lists its tables
  for (const auto& cdb : inventory.cluster_databases) {
    if (!policy.databases.matches(cdb.name)) continue;
    if (!has_database(inventoried, cdb.name)) {
      sink.report(Code::kClusterDatabaseNotInInventory, cdb.range, cdb.name.str());
      continue;
    }
    if (!cdb.tables) continue;
    if (known_tables.empty()) {
      known_tables.reserve(inventory.tables.size());
      for (const auto& t : inventory.tables) known_tables.emplace(t.database.str(), t.table.str());
    }
    std::vector<std::string> missing;
    for (const TableName& t : *cdb.tables) {
      if (!known_tables.contains(TableKey{cdb.name.str(), t.str()})) missing.push_back(t.str());
    }
    if (missing.empty()) continue;
    std::sort(missing.begin(), missing.end());
    sink.report(Code::kClusterTableNotInInventory, cdb.range, describe_tables(missing), cdb.name.str());
  }
}

// SK0504: databases the policy names that the inventory does not have.
void report_policy_databases_not_inventoried(const model::Policy& policy,
                                             const std::vector<DatabaseName>& inventoried,
                                             diag::DiagnosticSink& sink) {
  if (policy.databases.all) return;
  for (const DatabaseName& db : policy.databases.include) {
    if (!has_database(inventoried, db)) {
      sink.report(Code::kPolicyDatabaseNotInInventory, policy.databases.range, db.str());
    }
  }
}

// SK0506: tiers that select nothing although the policy's databases have tables.
void report_tiers_selecting_nothing(const model::Policy& policy, const inventory::Inventory& inventory,
                                    const Selection& selection, diag::DiagnosticSink& sink) {
  bool any_in_policy = false;
  for (size_t i = 0; i < inventory.tables.size() && !any_in_policy; ++i) any_in_policy = selection.in_policy(i);
  if (!any_in_policy) return;
  for (size_t k = 0; k < policy.tiers.size(); ++k) {
    if (selection.selected_count(k) == 0) {
      const auto& tier = policy.tiers[k];
      sink.report(Code::kNothingSelected, tier.include_range.end > 0 ? tier.include_range : tier.name_range,
                  tier.name.str());
    }
  }
}

// SK0507: labels that cannot be rendered for some database (too long with this tier's name and template), checked
// for the inventoried databases the policy matches and the ones it names that the inventory lacks.
void report_unrenderable_labels(const model::Policy& policy, const std::vector<DatabaseName>& inventoried,
                                diag::DiagnosticSink& sink) {
  std::vector<DatabaseName> dbs;
  for (const DatabaseName& db : inventoried) {
    if (policy.databases.matches(db)) dbs.push_back(db);
  }
  if (!policy.databases.all) {
    for (const DatabaseName& db : policy.databases.include) {
      if (!has_database(inventoried, db)) dbs.push_back(db);
    }
  }
  const CivilSecond sample(2025, 12, 31, 23, 59, 0);
  for (const auto& tier : policy.tiers) {
    for (const DatabaseName& db : dbs) {
      auto label = tier.label.render(db, tier.name, tier.label_suffix, sample);
      if (!label) {
        sink.report(Code::kLabelNotRenderable, tier.name_range, tier.name.str(), db.str(), label.error().message);
        break;  // one per tier
      }
    }
  }
}

// SK0510: excluded tables a tier backs up (exclusion does not win: say which to change), once per exclusion and tier.
// SK0511: exclusions that exclude nothing.
void report_exclusions(const model::Policy& policy, const inventory::Inventory& inventory, const Selection& selection,
                       diag::DiagnosticSink& sink) {
  if (policy.exclusions.empty()) return;
  const auto excluded = selection.excluded_tables();
  std::vector<bool> used(policy.exclusions.size(), false);
  for (const auto& [x, tables] : excluded) {
    used[x] = true;
    const model::Exclusion& ex = policy.exclusions[x];
    for (size_t k = 0; k < policy.tiers.size(); ++k) {
      std::vector<std::string> names;
      for (size_t i : tables) {
        if (selection.scope(k, i) != Scope::kNone) names.push_back(inventory.tables[i].display_name());
      }
      if (names.empty()) continue;
      const model::Tier& tier = policy.tiers[k];
      const bool whole_database = tier.kind == model::BackupKind::kDatabase;
      auto& d = sink.report(Code::kExcludedTableBackedUp, whole_database ? tier.kind_range : tier.include_range,
                            describe_tables(names), ex.reason, tier.name.str());
      d.note(ex.reason_range, "excluded here");
      d.note(std::nullopt,
             whole_database
                 ? fmt::format("'{}' backs up whole databases, which cannot leave a table out: back the other tables "
                               "up with a 'tables' tier, or remove the exclusion",
                               tier.name.str())
                 : fmt::format("narrow the include rule of '{}' (e.g. 'and not ({})'), or remove the exclusion",
                               tier.name.str(), ex.tables.to_string()));
    }
  }
  for (size_t x = 0; x < policy.exclusions.size(); ++x) {
    if (!used[x]) sink.report(Code::kExclusionMatchesNothing, policy.exclusions[x].tables_range, policy.exclusions[x].reason);
  }
}

}  // namespace

std::vector<ExcludedTables> excluded_tables(const model::Policy& policy, const inventory::Inventory& inventory,
                                            const Selection& selection) {
  std::vector<ExcludedTables> out;
  for (const auto& [x, tables] : selection.excluded_tables()) {
    ExcludedTables e{policy.exclusions[x].reason, policy.exclusions[x].tables.to_string(), {}};
    for (size_t i : tables) e.tables.push_back(inventory.tables[i].display_name());
    out.push_back(std::move(e));
  }
  return out;
}

std::string describe_tables(const std::vector<std::string>& names, size_t max_listed) {
  return describe_tables_counted(names, names.size(), max_listed);
}

std::string describe_tables_counted(const std::vector<std::string>& first_names, size_t count, size_t max_listed) {
  if (count == 1) return "table " + first_names[0];
  std::string out = fmt::format("{} tables (", count);
  for (size_t i = 0; i < first_names.size() && i < max_listed; ++i) {
    if (i) out += ", ";
    out += first_names[i];
  }
  if (count > max_listed) out += ", …";
  return out + ")";
}

void analyze(const model::Policy& policy, const inventory::Inventory& inventory, const Selection& selection,
             const Calendar& calendar, const Options& options, Sinks sinks) {
  check_coverage(policy, inventory, selection, sinks);
  check_restorability(policy, inventory, selection, calendar, options, sinks.policy);
  if (lifecycle::wanted(policy)) {
    lifecycle::check(policy, keep_horizons(policy, inventory, selection, calendar, options), sinks.policy);
  }
}

void check_coverage(const model::Policy& policy, const inventory::Inventory& inventory, const Selection& selection,
                    Sinks sinks) {
  const std::vector<DatabaseName> inventoried = inventory.databases();
  report_unknown_eligibility_tiers(policy, inventory, sinks.inventory);
  report_uncovered_tables(inventory, selection, sinks.inventory);
  report_exclusions(policy, inventory, selection, sinks.policy);
  report_cluster_objects_not_inventoried(policy, inventory, inventoried, sinks.inventory);
  report_policy_databases_not_inventoried(policy, inventoried, sinks.policy);
  report_tiers_selecting_nothing(policy, inventory, selection, sinks.policy);
  report_unrenderable_labels(policy, inventoried, sinks.policy);
}

}  // namespace sk::analysis
