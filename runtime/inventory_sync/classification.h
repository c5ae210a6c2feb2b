// Classification rules for tables the inventory sync sees for the first time: data, not code, so a site can replace
// them (`starkeep inventory sync --rules FILE`). A rule matches on the table name's prefix and/or on whether the
// table is partitioned; the first matching rule gives the class, and a table no rule matches gets the fallback.
//
// Default rules (policy-independent, documented in docs/operations.md "Set-up"), tried in this order:
//   1. name starts with "fact_" or "fct_"  → "fact"
//   2. name starts with "dim_"             → "dimension"
//   3. partitioned                          → "fact"
//   fallback                                → "unclassified"
// Name rules come first, so a partitioned dim_ table is a dimension. Prefixes compare ASCII case-insensitively.
//
// Rules file (JSON):
//   {"rules": [{"prefix": ["fact_", "fct_"], "class": "fact"},
//              {"prefix": "dim_", "class": "dimension"},
//              {"partitioned": true, "class": "fact"}],
//    "fallback": "unclassified"}
// A rule needs "class" and at least one of "prefix" (a string or a list) and "partitioned"; both must hold when
// both are given. Classes are lower case: [a-z][a-z0-9_-]* (as in the inventory file).
// Pure; thread-safe. Errors: "inventory.rules" naming the JSON path of the mistake.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace sk::inventory_sync {

struct ClassificationRule {
  std::vector<std::string> prefixes;  // empty: any name
  std::optional<bool> partitioned;    // nullopt: either
  std::string table_class;
};

struct ClassificationRules {
  std::vector<ClassificationRule> rules;
  std::string fallback = "unclassified";

  [[nodiscard]] static ClassificationRules defaults();
  // The class of a table with this name and partitioning.
  [[nodiscard]] std::string classify(std::string_view table, bool partitioned) const;
};

[[nodiscard]] Result<ClassificationRules> parse_rules_json(std::string_view text);

// True for [a-z][a-z0-9_-]* of at most 64 bytes.
[[nodiscard]] bool is_valid_class(std::string_view table_class);

}  // namespace sk::inventory_sync
