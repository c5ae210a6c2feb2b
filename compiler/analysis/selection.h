// Which tier selects which inventory table, and how (whole table or changed partitions): the coverage matrix that
// coverage analysis, restorability analysis and the planner all read, computed once per compilation.
// Rules: only tables whose database the policy selects take part; a `database` tier selects every such table (the
// whole database is backed up, eligibility cannot exclude a table from it); a `tables` / `changed_partitions` tier
// selects a table when its include rule holds and the inventory does not mark the table ineligible for the tier.
// Exclusions (`exclude "reason" { tables = … }`) are recorded per table beside the selection.
// Immutable after compute(); safe to share read-only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "compiler/inventory/inventory.h"
#include "compiler/model/policy.h"

namespace sk::analysis {

enum class Scope : uint8_t { kNone, kChangedPartitions, kWholeTable };

class Selection {
 public:
  [[nodiscard]] static Selection compute(const model::Policy& policy, const inventory::Inventory& inventory);

  [[nodiscard]] size_t tier_count() const { return tiers_; }
  [[nodiscard]] size_t table_count() const { return in_policy_.size(); }
  // `tier` indexes policy.tiers, `table` indexes inventory.tables.
  [[nodiscard]] Scope scope(size_t tier, size_t table) const { return scopes_[table * tiers_ + tier]; }
  [[nodiscard]] bool in_policy(size_t table) const { return in_policy_[table] != 0; }
  // Selected by at least one tier.
  [[nodiscard]] bool covered(size_t table) const;
  // One character per tier: '-' none, 'C' changed partitions, 'W' whole table. Tables with equal signatures are
  // backed up identically on every day.
  [[nodiscard]] std::string signature(size_t table) const;
  // How many tables the tier selects.
  [[nodiscard]] size_t selected_count(size_t tier) const { return per_tier_count_[tier]; }
  // The first of policy.exclusions that holds for a table in a policy database (docs/language.md, `exclude`);
  // nullopt when none does. Exclusion does not change what tiers select: a tier selecting an excluded table is
  // an error (SK0510), reported by coverage analysis.
  [[nodiscard]] std::optional<size_t> exclusion(size_t table) const {
    const uint32_t x = excluded_by_.empty() ? kNotExcluded : excluded_by_[table];
    return x == kNotExcluded ? std::nullopt : std::optional<size_t>(x);
  }
  // Per exclusion (index into policy.exclusions, ascending), the tables it excludes (inventory indices,
  // ascending); exclusions that exclude nothing are left out.
  [[nodiscard]] std::vector<std::pair<size_t, std::vector<size_t>>> excluded_tables() const;

 private:
  size_t tiers_ = 0;
  std::vector<Scope> scopes_;      // table-major
  std::vector<uint8_t> in_policy_;
  std::vector<size_t> per_tier_count_;
  static constexpr uint32_t kNotExcluded = UINT32_MAX;
  std::vector<uint32_t> excluded_by_;  // per table; empty when the policy has no exclusions
};

}  // namespace sk::analysis
