// StarRocks DDL → the emulator's table model and MariaDB DDL. Parses CREATE TABLE (keys, partitions,
// distribution, properties), partition definitions for ALTER TABLE ADD PARTITION, normalises StarRocks type
// names, and renders: the MariaDB table (with its partition-id column and range check), SHOW CREATE TABLE in
// StarRocks form, per-partition predicates and the triggers that record which partitions a write touched
// (see docs/emulator.md, "Engine").
// Pure functions; errors carry the StarRocks-style message text in Error::message with code "emu.syntax"
// (parse errors) or "emu.analysis" (semantic errors).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"
#include "emulator/engine/catalog.h"
#include "emulator/engine/token_cursor.h"

namespace sk::emu {

// "Getting syntax error at line L, column C. Detail message: Unexpected input '...', ..." for the token at
// `offset` of `sql` (end of input when offset >= size).
std::string syntax_error_text(std::string_view sql, size_t offset, std::string_view token_text);
// "Getting analyzing error. Detail message: <detail>."
std::string analyzing_error_text(std::string_view detail);
std::unexpected<Error> syntax_error(std::string_view sql, const TokenCursor& cur);
std::unexpected<Error> analysis_error(std::string_view detail);

struct CreateTableStmt {
  TableSchema schema;  // schema.database empty = the session's current database
  bool if_not_exists = false;
  std::optional<std::pair<std::string, std::string>> like;  // CREATE TABLE t LIKE [db.]src
  std::string as_select;                                     // CTAS query text; empty when none
};

// Parses a whole CREATE TABLE statement. Validates keys (an ordered prefix of the columns, no FLOAT/DOUBLE
// keys), partition and distribution columns, and resolves partition bounds.
Result<CreateTableStmt> parse_create_table(std::string_view sql);

// One partition definition as written: `PARTITION p VALUES LESS THAN (...)`, `VALUES [(..),(..))` or
// `VALUES IN (...)`; `less_than` marks the first form, whose lower bound is resolved against the others.
struct PartitionDef {
  PartitionSchema partition;
  bool less_than = false;
  bool if_not_exists = false;
};

// Parses one `PARTITION ...` definition (or a START/END/EVERY batch) at the cursor for `table`.
Result<std::vector<PartitionDef>> parse_partition_defs(std::string_view sql, TokenCursor& cur,
                                                       const TableSchema& table, bool single);

// Parses one column definition (`name TYPE [NULL|NOT NULL] [DEFAULT v] [COMMENT 'c']`) at the cursor, as in
// ALTER TABLE ADD/MODIFY COLUMN; stops before `,`, `)`, AFTER, FIRST or the end.
Result<ColumnSchema> parse_column_def(std::string_view sql, TokenCursor& cur);

// Adds `defs` to `table.partitions`: resolves LESS THAN lower bounds, normalises bound values, fills
// PartitionSchema::range, and rejects duplicate names and overlapping ranges (StarRocks texts).
Status add_partitions(TableSchema& table, std::vector<PartitionDef> defs);

// Canonical StarRocks type text ("VARCHAR(64)", "DECIMAL(18,2)", "INT") for a type as written, or an error.
Result<std::string> normalize_type(std::string_view written);
// MariaDB column type for a StarRocks column; `in_key` selects index-compatible string types.
std::string mariadb_type(const ColumnSchema& column, bool in_key);

// CREATE TABLE `db`.`name` (...) for MariaDB (no partitions: partitions live in the emulator's metadata).
std::string render_mariadb_create(const TableSchema& table);
// SHOW CREATE TABLE text in StarRocks form.
std::string render_starrocks_create(const TableSchema& table);

// Every emulated MariaDB table has an invisible virtual column holding the row's partition id (NULL when no
// partition covers the row) and a CHECK constraint rejecting NULL there: the "filtered data" error.
inline constexpr const char* kPartitionIdColumn = "__sk_pid";
inline constexpr const char* kRangeConstraint = "__sk_range";
// "`__sk_pid` BIGINT AS (<partition_id_expr>) VIRTUAL INVISIBLE"
std::string render_pid_column(const TableSchema& table);
// ALTER TABLE ... MODIFY of that column after the partitions changed (instant in MariaDB: no rows rewritten).
std::string render_alter_pid_column(const TableSchema& table);

// A boolean SQL expression true for rows of partition `p`; columns are prefixed with `row_prefix` ("NEW.").
std::string partition_predicate(const TableSchema& table, const PartitionSchema& p, std::string_view row_prefix);
// An SQL expression giving the partition id of a row, NULL when no partition covers it.
std::string partition_id_expr(const TableSchema& table, std::string_view row_prefix);
// Statements that (re)create the write-tracking triggers of `table` (the first ones drop the old triggers).
std::vector<std::string> render_triggers(const TableSchema& table);
// Statements that drop the triggers of `table`.
std::vector<std::string> render_drop_triggers(const TableSchema& table);

// The partitions in StarRocks' display order: RANGE by lower bound (as PartitionsProcDir sorts them), others as
// created.
std::vector<PartitionSchema> display_order(const TableSchema& table);

// "`a`, `b`"
std::string backquoted_list(const std::vector<std::string>& names);
// StarRocks base type name of a canonical type text: "VARCHAR(10)" → "VARCHAR".
std::string base_type(std::string_view type);

}  // namespace sk::emu
