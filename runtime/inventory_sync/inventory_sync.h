// The table inventory kept in the cluster (ops.table_inventory) and refreshed from the cluster's own catalog:
//   * discovery: which databases (SHOW DATABASES minus system schemas, the ops database and what the policy's
//     database selection leaves out), and per database exactly TWO queries whatever the number of tables —
//     information_schema.tables_config (tables; PARTITION_KEY empty ⇒ unpartitioned) and
//     information_schema.partitions_meta (partition ids, VisibleVersion, row counts, sizes) (pitfall 13);
//   * sync: upserts one row per table seen, classifies NEW tables by ClassificationRules, re-applies the rules to
//     rule-classified tables, never overwrites a manual classification, and retires tables that disappeared
//     (retired_at set, the row kept for restores of older snapshots; a run no longer selects them) instead of
//     deleting them (issue 10 item 15);
//   * export: the JSON inventory file of docs/inventory.md, so CI can run check/plan without the cluster;
//   * classify: a manual classification, which every later sync keeps.
// Every statement is rendered by kernel/dialect (names from the cluster are quoted, never interpolated).
// Not thread-safe (uses the given connection and store). Errors: the connection's "sql.*" errors with context,
// "inventory.unknown_table" and "inventory.class" from classify_table().
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "kernel/domain/names.h"
#include "compiler/inventory/inventory.h"
#include "compiler/model/policy.h"
#include "runtime/inventory_sync/classification.h"
#include "runtime/ops/ops_store.h"
#include "runtime/ports/sql_connection.h"

namespace sk::inventory_sync {

// information_schema, _statistics_, sys, mysql, performance_schema, starrocks_monitor (ASCII case-insensitive).
[[nodiscard]] bool is_system_database(std::string_view name);

// Which databases are inventoried.
struct Scope {
  std::optional<model::DatabaseSelection> selection;  // the policy's `databases`; nullopt: every user database
  DatabaseName ops_database;                          // never inventoried itself unless the selection lists it
  [[nodiscard]] bool includes(const DatabaseName& db) const;
};

// One query (SHOW DATABASES). Sorted by name. Names that are not valid DatabaseNames are skipped into `warnings`,
// and so is the ops database when the selection would otherwise have taken it.
[[nodiscard]] Result<std::vector<DatabaseName>> list_databases(ports::SqlConnection& connection, const Scope& scope,
                                                               std::vector<std::string>* warnings = nullptr);

struct DiscoveredTable {
  TableName table;
  bool partitioned = false;
  std::vector<inventory::PartitionEntry> partitions;  // by name; non-temporary only
};

struct DiscoveredDatabase {
  DatabaseName database;
  std::vector<DiscoveredTable> tables;  // by name
  std::vector<std::string> warnings;    // names that could not be represented (skipped)
};

// Exactly two queries: tables_config and partitions_meta of `db`.
[[nodiscard]] Result<DiscoveredDatabase> discover_database(ports::SqlConnection& connection, const DatabaseName& db);

struct SyncOptions {
  Scope scope;
  ClassificationRules rules = ClassificationRules::defaults();
};

struct TableChange {
  ops::InventoryRecord record;  // the row as written
  std::string what;             // "class unclassified → fact", "partitioned false → true"
};

struct SyncReport {
  std::vector<DatabaseName> databases;         // inventoried in this sync
  std::vector<ops::InventoryRecord> added;     // new tables, as classified by the rules
  std::vector<TableChange> changed;            // rule classification or partitioning changed
  // In scope, in ops.table_inventory, not on the cluster any more: retired by this sync (retired_at = now).
  std::vector<ops::InventoryRecord> gone;
  std::size_t retired_earlier = 0;             // gone tables an earlier sync retired already
  std::size_t unchanged = 0;
  std::vector<std::string> warnings;
};

// SHOW DATABASES, one read of ops.table_inventory, two catalog queries per database, then the upserts (batched by
// the store). `now` becomes last_seen of every table seen (and first_seen of new ones).
[[nodiscard]] Result<SyncReport> sync_inventory(ports::SqlConnection& connection, ops::OpsStore& store,
                                                const SyncOptions& options, Instant now);

struct ExportResult {
  nlohmann::json document;            // docs/inventory.md format, inventory_version 1
  std::size_t tables = 0;             // entries in "tables"
  std::vector<std::string> warnings;  // e.g. tables on the cluster that were never synced
};

// The inventory file from ops.table_inventory (class, eligibility) and the live catalog (partitions; only tables
// still on the cluster are exported). "cluster_databases" lists every database in scope with all its tables, so
// coverage analysis sees tables missing from the inventory. A class "unclassified" is written as no class.
[[nodiscard]] Result<ExportResult> export_inventory(ports::SqlConnection& connection, ops::OpsStore& store,
                                                    const Scope& scope, Instant generated_at);

// Sets a manual classification (classified_by = manual) on a table already in ops.table_inventory.
// Errors: "inventory.class" (not [a-z][a-z0-9_-]*), "inventory.unknown_table" (run `inventory sync` first).
[[nodiscard]] Result<ops::InventoryRecord> classify_table(ops::OpsStore& store, const DatabaseName& db,
                                                          const TableName& table, std::string_view table_class,
                                                          Instant now);

}  // namespace sk::inventory_sync
