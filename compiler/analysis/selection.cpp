#include "compiler/analysis/selection.h"

#include <map>

namespace sk::analysis {

Selection Selection::compute(const model::Policy& policy, const inventory::Inventory& inventory) {
  Selection s;
  s.tiers_ = policy.tiers.size();
  s.scopes_.assign(inventory.tables.size() * s.tiers_, Scope::kNone);
  s.in_policy_.assign(inventory.tables.size(), 0);
  s.per_tier_count_.assign(s.tiers_, 0);
  if (!policy.exclusions.empty()) s.excluded_by_.assign(inventory.tables.size(), kNotExcluded);
  // Databases repeat across consecutive tables; remember the last answer.
  const DatabaseName* last_db = nullptr;
  bool last_match = false;
  for (size_t t = 0; t < inventory.tables.size(); ++t) {
    const inventory::TableEntry& e = inventory.tables[t];
    if (last_db == nullptr || !(*last_db == e.database)) {
      last_db = &e.database;
      last_match = policy.databases.matches(e.database);
    }
    if (!last_match) continue;
    s.in_policy_[t] = 1;
    if (!policy.exclusions.empty()) {
      const model::TableAttributes attrs{e.database.str(), e.table.str(), e.table_class, e.partitioned, true};
      if (const model::Exclusion* x = policy.exclusion_for(attrs)) {
        s.excluded_by_[t] = static_cast<uint32_t>(x - policy.exclusions.data());
      }
    }
    for (size_t k = 0; k < s.tiers_; ++k) {
      const model::Tier& tier = policy.tiers[k];
      Scope scope = Scope::kNone;
      if (tier.kind == model::BackupKind::kDatabase) {
        scope = Scope::kWholeTable;
      } else {
        const bool eligible = e.eligible_for(tier.name.str());
        model::TableAttributes attrs{e.database.str(), e.table.str(), e.table_class, e.partitioned, eligible};
        if (eligible && tier.include.evaluate(attrs)) {
          scope = tier.kind == model::BackupKind::kTables ? Scope::kWholeTable : Scope::kChangedPartitions;
        }
      }
      s.scopes_[t * s.tiers_ + k] = scope;
      if (scope != Scope::kNone) ++s.per_tier_count_[k];
    }
  }
  return s;
}

std::vector<std::pair<size_t, std::vector<size_t>>> Selection::excluded_tables() const {
  std::map<size_t, std::vector<size_t>> groups;
  for (size_t t = 0; t < excluded_by_.size(); ++t) {
    if (excluded_by_[t] != kNotExcluded) groups[excluded_by_[t]].push_back(t);
  }
  return {groups.begin(), groups.end()};
}

bool Selection::covered(size_t table) const {
  for (size_t k = 0; k < tiers_; ++k) {
    if (scopes_[table * tiers_ + k] != Scope::kNone) return true;
  }
  return false;
}

std::string Selection::signature(size_t table) const {
  std::string out(tiers_, '-');
  for (size_t k = 0; k < tiers_; ++k) {
    Scope sc = scopes_[table * tiers_ + k];
    out[k] = sc == Scope::kWholeTable ? 'W' : sc == Scope::kChangedPartitions ? 'C' : '-';
  }
  return out;
}

}  // namespace sk::analysis
