// The `ops` control schema in the cluster (product.md §3; documented column by column in docs/ops-schema.md):
// the tables as data (TableSpec), their StarRocks DDL, the ordered migrations and migrate().
//
// Design rules, each forced by StarRocks:
//  * Every table is a PRIMARY KEY table keyed by one VARCHAR(32) id (32 hex digits of SHA-256 over the natural
//    key, see make_id()) or a small integer, so the key stays far below StarRocks' 128-byte primary-key limit
//    whatever the length of database and table names (DatabaseName allows 256 bytes).
//  * INSERT into a primary-key table is an upsert (pitfall 8), so every write rewrites whole rows by id and
//    is idempotent; nothing relies on a duplicate-key error, a transaction or a lock (StarRocks has neither
//    GET_LOCK nor multi-statement transactions with locking).
//  * Instants are stored as DATETIME in UTC, in columns whose names end in _utc (pitfall 3); they are always
//    written from the runner's Clock, never with NOW() (which is in the cluster's time zone).
// Thread safety: pure functions, except migrate() (uses the connection it is given).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "kernel/dialect/ops_sql.h"
#include "kernel/domain/names.h"
#include "runtime/ports/clock.h"
#include "runtime/ports/sql_connection.h"

namespace sk::ops {

// Where the ops tables live and how they are replicated.
struct OpsConfig {
  DatabaseName database;
  int replication_num = 3;  // PROPERTIES("replication_num"); 1 for single-BE test clusters

  // Database "ops", replication 3.
  [[nodiscard]] static OpsConfig defaults();
};

// The table descriptions are kernel data (kernel/dialect/ops_sql.h renders every statement from them).
using ColumnType = sql::ColumnType;
using ColumnSpec = sql::ColumnSpec;
using TableSpec = sql::TableSpec;

// StarRocks limit on the encoded primary key.
inline constexpr std::size_t kMaxPrimaryKeyBytes = 128;

// The ops tables as of kLatestSchemaVersion, in creation order (schema_version first).
[[nodiscard]] const std::vector<TableSpec>& ops_tables();
[[nodiscard]] const TableSpec* find_table(std::string_view name);

// Upper bound of the encoded key size: fixed-size types at their width (INT 4, BIGINT 8, BOOLEAN 1, DATETIME 8),
// VARCHAR(n) at n bytes plus 2 for the separator StarRocks adds between variable-length key columns.
[[nodiscard]] std::size_t primary_key_bytes(const TableSpec& table);

// "INT", "VARCHAR(32)" …
using sql::column_type_sql;
// CREATE TABLE IF NOT EXISTS `db`.`t` (...) PRIMARY KEY (...) DISTRIBUTED BY HASH(...) PROPERTIES (...).
[[nodiscard]] std::string render_create_table(const TableSpec& table, const OpsConfig& config);
// `db`.`t`, quoted.
[[nodiscard]] std::string qualified_table(const OpsConfig& config, std::string_view table);

// 32 lower-case hex digits: the first 16 bytes of SHA-256 over the parts (each length-prefixed, so
// ("ab","c") and ("a","bc") differ). Deterministic across versions and hosts: ids are stored.
[[nodiscard]] std::string make_id(std::initializer_list<std::string_view> parts);

// One schema step: idempotent statements (CREATE … IF NOT EXISTS and the like) that bring version-1 to version,
// then ALTER TABLE … ADD COLUMN statements, each applied unless the server answers that the column already exists.
struct Migration {
  int version = 0;
  std::string description;
  std::vector<std::string> statements;
  std::vector<std::string> add_columns{};
};

// 1: the tables of docs/ops-schema.md; 2: table_partition_set, restore_history timing and drill columns;
// 3: snapshot_expiry; 4: table_inventory retired_at_utc; 5: run_status process_start.
inline constexpr int kLatestSchemaVersion = 5;

// All steps in ascending version order, for `config`.
[[nodiscard]] std::vector<Migration> migrations(const OpsConfig& config);

// The highest version recorded in schema_version; 0 when the database or the table does not exist yet.
[[nodiscard]] Result<int> current_schema_version(ports::SqlConnection& connection, const OpsConfig& config);

// Brings the schema to kLatestSchemaVersion: CREATE DATABASE IF NOT EXISTS, CREATE TABLE IF NOT EXISTS
// schema_version, read the recorded versions, run every missing step in order and record it (applied_at_utc from
// `clock`, applied_by = `applied_by`, e.g. "starkeep 0.1.0 run 20250914T010000Z-host-123"). Idempotent and safe
// to run concurrently from several runners (every statement is; a step applied twice records the same row).
// Errors: "ops.config" (replication_num < 1), "ops.schema_newer" (the cluster has a version this build does not
// know: refuse to write with an older layout), or the connection's error with the step as context.
[[nodiscard]] Status migrate(ports::SqlConnection& connection, const OpsConfig& config, ports::Clock& clock,
                             std::string_view applied_by);

}  // namespace sk::ops
