// Which tier selects which inventory table, and how (whole table or changed partitions): the coverage matrix that
// coverage analysis, restorability analysis and the planner all read, computed once per compilation.
// Rules: only tables whose database the policy selects take part; a `database` tier selects every such table (the
// whole database is backed up, eligibility cannot exclude a table from it); a `tables` / `changed_partitions` tier
// selects a table when its include rule holds and the inventory does not mark the table ineligible for the tier.
// Immutable after compute(); safe to share read-only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
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

 private:
  size_t tiers_ = 0;
  std::vector<Scope> scopes_;      // table-major
  std::vector<uint8_t> in_policy_;
  std::vector<size_t> per_tier_count_;
};

}  // namespace sk::analysis
