// The table inventory: which tables exist, how they are classified (fact, dimension, …), whether they are
// partitioned, per-tier eligibility, and their partitions with change markers. The compiler plans against it; in
// production it is read from ops.table_inventory, in CI from an exported JSON file (format: docs/inventory.md).
// Values; safe to share read-only between threads.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "compiler/diag/diagnostic.h"
#include "kernel/domain/names.h"
#include "kernel/domain/time.h"

namespace sk::inventory {

struct PartitionEntry {
  PartitionName name;
  int64_t id = 0;
  int64_t visible_version = 0;
  std::optional<Instant> visible_version_time;
  int64_t row_count = 0;
  int64_t data_size = 0;  // bytes
};

struct TableEntry {
  DatabaseName database;
  TableName table;
  std::string table_class;  // lower case ("fact", "dimension", …); empty: unclassified
  bool partitioned = false;
  std::map<std::string, bool> eligibility;  // tier name → eligible; a tier not listed: eligible
  std::vector<PartitionEntry> partitions;
  diag::SourceRange range;                  // the table's object in the inventory file

  [[nodiscard]] bool eligible_for(std::string_view tier) const;
  // "sales.orders" for messages (names unquoted; never used for SQL).
  [[nodiscard]] std::string display_name() const;
};

// A database seen on the cluster when the inventory was exported, with its tables if they were listed.
struct ClusterDatabase {
  DatabaseName name;
  std::optional<std::vector<TableName>> tables;  // nullopt: the export did not list them
  diag::SourceRange range;
};

struct Inventory {
  int version = 1;
  std::optional<Instant> generated_at;
  std::vector<ClusterDatabase> cluster_databases;  // empty: not exported
  std::vector<TableEntry> tables;                  // in file order; (database, table) unique

  // Distinct databases of `tables`, sorted.
  [[nodiscard]] std::vector<DatabaseName> databases() const;
  // Distinct non-empty classes of `tables`, sorted.
  [[nodiscard]] std::vector<std::string> classes() const;
};

// The classes the default classification rules of `starkeep inventory sync` can assign ("fact", "dimension"), so
// that a policy written before the first sync may name them. Mirrors ClassificationRules::defaults() in
// runtime/inventory_sync/classification.h, which the compiler cannot include.
[[nodiscard]] const std::vector<std::string>& default_rule_classes();

// Reads the JSON inventory format. Every mistake in the file is reported to `sink` as an SK04xx diagnostic whose
// range points into `text` and whose message starts with the JSON path of the bad field ("tables[3].class");
// loading continues past schema errors so that all of them are reported in one run. Returns nullopt when an
// error was reported (the inventory is unusable), the inventory otherwise (warnings may have been reported).
[[nodiscard]] std::optional<Inventory> load_inventory_json(std::string_view text, diag::DiagnosticSink& sink);

// The same for callers without a sink: the first error becomes an sk::Error ("inventory.invalid") whose message
// is the diagnostic's message.
[[nodiscard]] Result<Inventory> load_inventory_json(std::string_view text);

}  // namespace sk::inventory
