// The SQL of the ops tables: their description as data (TableSpec; runtime/ops/ops_schema.cpp lists them),
// the literals, and every statement the ops schema and store send (DDL, batched upserts, SELECT, UPDATE),
// rendered generically from a TableSpec. Values are always rendered through the StarRocks dialect's
// quote_string()/quote_identifier() (kernel/dialect), so no text from a cluster, an inventory or a server
// error can change a statement's structure (invariant 6). Pure; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "kernel/domain/time.h"

namespace sk::ops::sql {

// ---- The tables as data ----

enum class ColumnType { kInt, kBigInt, kBoolean, kDateTime, kVarchar };

struct ColumnSpec {
  std::string_view name;
  ColumnType type = ColumnType::kVarchar;
  int length = 0;  // VARCHAR only, in bytes
  bool nullable = false;
};

struct TableSpec {
  std::string_view name;
  std::vector<ColumnSpec> columns;  // key columns first (StarRocks requires it)
  std::vector<std::string_view> primary_key;
  std::vector<std::string_view> distribution;  // DISTRIBUTED BY HASH(...); a subset of the key
};

// The column called `name`, or nullptr.
[[nodiscard]] const ColumnSpec* find_column(const TableSpec& table, std::string_view name);
// Every column name, in table order.
[[nodiscard]] std::vector<std::string_view> column_names(const TableSpec& table);

// ---- Literals ----

[[nodiscard]] std::string literal(std::string_view text);
[[nodiscard]] std::string literal(std::int64_t value);
[[nodiscard]] std::string literal(bool value);
// 'YYYY-MM-DD HH:MM:SS' in UTC (for DATETIME columns named *_utc).
[[nodiscard]] std::string literal(Instant value);
[[nodiscard]] std::string literal(const std::optional<std::string>& value);
[[nodiscard]] std::string literal(const std::optional<std::int64_t>& value);
[[nodiscard]] std::string literal(const std::optional<Instant>& value);
// Overload guard: a C string is text.
[[nodiscard]] inline std::string literal(const char* text) { return literal(std::string_view(text)); }
[[nodiscard]] inline std::string literal(const std::string& text) { return literal(std::string_view(text)); }
[[nodiscard]] inline std::string literal(int value) { return literal(static_cast<std::int64_t>(value)); }

// "YYYY-MM-DD HH:MM:SS" (optionally with ".ffffff", which is dropped) read as UTC. Errors: "ops.corrupt".
[[nodiscard]] Result<Instant> parse_datetime_utc(std::string_view text);
// "1"/"0"/"true"/"false" (case-insensitive). Errors: "ops.corrupt".
[[nodiscard]] Result<bool> parse_bool(std::string_view text);

// `text` as valid UTF-8 (invalid bytes → U+FFFD) cut to at most `max_bytes` bytes between code points
// (common/utf8.h).
[[nodiscard]] std::string truncate_utf8(std::string_view text, std::size_t max_bytes);

// ---- DDL ----

// "INT", "VARCHAR(32)" …
[[nodiscard]] std::string column_type_sql(const ColumnSpec& column);
// `db`.`t`, quoted.
[[nodiscard]] std::string qualified_table(std::string_view database, std::string_view table);
// CREATE DATABASE IF NOT EXISTS `db`
[[nodiscard]] std::string render_create_database(std::string_view database);
// CREATE TABLE IF NOT EXISTS `db`.`t` (`c` TYPE [NOT] NULL, ...) PRIMARY KEY (...) DISTRIBUTED BY HASH(...)
// PROPERTIES ('replication_num' = 'n').
[[nodiscard]] std::string render_create_table(const TableSpec& table, std::string_view database,
                                              int replication_num);
// ALTER TABLE `db`.`t` ADD COLUMN (`c` TYPE NULL, ...): the named columns of `table`, in table order, always
// nullable (existing rows have no value). One statement: StarRocks runs one schema change per table at a
// time.
[[nodiscard]] std::string render_add_columns(const TableSpec& table, std::string_view database,
                                             const std::vector<std::string_view>& columns);
// SHOW TABLES FROM `db`
[[nodiscard]] std::string render_show_tables(std::string_view database);
// SHOW DATABASES LIKE 'db'
[[nodiscard]] std::string render_show_databases_like(std::string_view database);

// ---- DML, rendered from a TableSpec ----

// INSERT INTO <table> (`c1`, `c2`) VALUES (...), (...) — `rows` already rendered as literals, each as wide as
// `columns`. Splits into several statements so that none has more than `max_rows` rows or (unless a single row
// is larger) `max_bytes` bytes.
[[nodiscard]] std::vector<std::string> render_inserts(std::string_view qualified_table,
                                                      const std::vector<std::string_view>& columns,
                                                      const std::vector<std::vector<std::string>>& rows,
                                                      std::size_t max_rows = 500,
                                                      std::size_t max_bytes = std::size_t{512} * 1024);

// render_inserts() into `db`.`table` with every column of `table` in table order: a whole-row upsert (INSERT
// into a primary-key table replaces the row with the same key). Each row holds one literal per column.
[[nodiscard]] std::vector<std::string> render_upserts(const TableSpec& table, std::string_view database,
                                                      const std::vector<std::vector<std::string>>& rows);

// `column` = v with one value, `column` IN (v1, v2, ...) with several; values are literals.
struct Condition {
  std::string_view column;
  std::vector<std::string> values;
};
struct OrderTerm {
  std::string_view column;
  bool descending = false;
};
struct Select {
  std::vector<std::string_view> columns;
  std::vector<Condition> where{};  // joined by AND
  std::vector<OrderTerm> order_by{};
};
// SELECT `c1`, `c2` FROM `db`.`t`[ WHERE <condition> AND ...][ ORDER BY `c`[ DESC], ...]
[[nodiscard]] std::string render_select(const TableSpec& table, std::string_view database,
                                        const Select& select);

struct Assignment {
  std::string_view column;
  std::string value;  // a literal
};
// UPDATE `db`.`t` SET `c1` = v1, `c2` = v2 WHERE <condition>
[[nodiscard]] std::string render_update(const TableSpec& table, std::string_view database,
                                        const std::vector<Assignment>& assignments, const Condition& where);

// The change baseline of one database, one query: per partition, the highest visible_version in
// backup_manifest among attempts whose backup_history state is `finished_state`. SELECT m.`table_name`,
// m.`partition_name`, m.`partition_id`, MAX(m.`visible_version`) AS `visible_version` FROM
// `ops`.`backup_manifest` AS m INNER JOIN `ops`.`backup_history` AS h ON m.`attempt_id` = h.`attempt_id`
// WHERE m.`database_name` = 'db' AND h.`state` = 'FINISHED' GROUP BY ... ORDER BY m.`table_name`,
// m.`partition_name`
[[nodiscard]] std::string render_last_manifest_query(std::string_view ops_database, std::string_view database,
                                                     std::string_view finished_state);

}  // namespace sk::ops::sql
