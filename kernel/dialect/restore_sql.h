// StarRocks statements that restore and verification need besides RESTORE itself (starrocks_dialect.h): the
// column list of a table, the order-independent fingerprint query (reference/starrocks.md §8), the atomic swap,
// and the few DDL statements around a staging table. Part of the dialect module (the only code that renders SQL):
// every name goes through quote_identifier, every value through quote_string. Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kernel/domain/names.h"

namespace sk::dialect {

// SELECT COLUMN_NAME, DATA_TYPE FROM information_schema.columns WHERE TABLE_SCHEMA = 'db' AND TABLE_NAME = 't'
//   ORDER BY ORDINAL_POSITION
[[nodiscard]] std::string render_columns_query(const DatabaseName& db, const TableName& table);

// How one column enters a fingerprint (issue 10 item 14), by its information_schema DATA_TYPE:
//  * kText: ifnull(cast(c AS VARCHAR), '\N') — scalar types and JSON (StarRocks casts JSON to its text);
//  * kBitmap: ifnull(bitmap_to_string(c), '\N') — a BITMAP cannot be cast to VARCHAR; its members, exactly;
//  * kSkipped: not part of the row hash — HLL (StarRocks refuses the cast, PR #3088, and no function gives its
//    content), ARRAY, MAP, STRUCT (no text form every supported release is known to give); COUNT(*) still
//    counts their rows. Verification notes which columns were left out.
enum class FingerprintForm { kText, kBitmap, kSkipped };
struct FingerprintColumn {
  std::string name;
  FingerprintForm form = FingerprintForm::kText;
  std::string data_type{};  // as information_schema printed it (lower case); empty when not read
};
// The form for a DATA_TYPE (case-insensitive, by prefix: `array<int(11)>` is an ARRAY); empty → kText.
[[nodiscard]] FingerprintForm fingerprint_form(std::string_view data_type);

// SELECT COUNT(*) AS row_count, SUM(CAST(murmur_hash3_32(concat_ws('|', ifnull(cast(`c1` AS VARCHAR), '\\N'), …))
//   AS BIGINT)) AS row_hash_sum FROM `db`.`t` [PARTITION (`p`)]
// Order-independent (a sum), NULL-safe (ifnull: concat_ws skips NULLs). `columns` must not be empty.
[[nodiscard]] std::string render_fingerprint_query(const DatabaseName& db, const TableName& table,
                                                   const std::optional<PartitionName>& partition,
                                                   const std::vector<std::string>& columns);
// The same over typed columns (forms above). With every column skipped the sum is 0 and only COUNT(*) compares.
[[nodiscard]] std::string render_typed_fingerprint_query(const DatabaseName& db, const TableName& table,
                                                         const std::optional<PartitionName>& partition,
                                                         const std::vector<FingerprintColumn>& columns);

// ALTER TABLE `db`.`live` SWAP WITH `staging` — one atomic statement (both tables in `db`).
[[nodiscard]] std::string render_swap_table(const DatabaseName& db, const TableName& live, const TableName& staging);
// INSERT OVERWRITE `db`.`live` PARTITION (`p1`, `p2`, …) SELECT * FROM `sdb`.`staging` — replaces every listed
// partition in one statement: StarRocks loads temporary partitions and swaps them all in at once, or none
// (issue 10 item 13). `partitions` must not be empty; the staging table must hold rows of those partitions only.
[[nodiscard]] std::string render_overwrite_partitions(const DatabaseName& db, const TableName& live,
                                                      const std::vector<PartitionName>& partitions,
                                                      const DatabaseName& staging_db, const TableName& staging);
// CREATE TABLE `db`.`t` LIKE `like_db`.`like` — same schema, partitions and properties, no rows.
[[nodiscard]] std::string render_create_table_like(const DatabaseName& db, const TableName& table,
                                                   const DatabaseName& like_db, const TableName& like);
// INSERT INTO `to_db`.`to` SELECT * FROM `from_db`.`from` PARTITION (`p1`, …) — copies the rows of those
// partitions (the live data a partition replace keeps). `partitions` must not be empty.
[[nodiscard]] std::string render_copy_partitions(const DatabaseName& to_db, const TableName& to,
                                                 const DatabaseName& from_db, const TableName& from,
                                                 const std::vector<PartitionName>& partitions);
// DROP TABLE `db`.`t`
[[nodiscard]] std::string render_drop_table(const DatabaseName& db, const TableName& table);
// CREATE DATABASE IF NOT EXISTS `db`
[[nodiscard]] std::string render_create_database_if_not_exists(const DatabaseName& db);
// SHOW CREATE TABLE `db`.`t`
[[nodiscard]] std::string render_show_create_table(const DatabaseName& db, const TableName& table);
// SELECT TABLE_NAME, PARTITION_NAME, VISIBLE_VERSION FROM information_schema.partitions_meta
//   WHERE DB_NAME = 'db' AND IS_TEMP = 0 — every partition's current version in one statement.
[[nodiscard]] std::string render_partition_versions_query(const DatabaseName& db);
// SELECT TABLE_NAME FROM information_schema.tables WHERE TABLE_SCHEMA = 'db'
[[nodiscard]] std::string render_list_tables(const DatabaseName& db);
// DROP TABLE IF EXISTS `db`.`t`
[[nodiscard]] std::string render_drop_table_if_exists(const DatabaseName& db, const TableName& table);
// SELECT current_version() — the StarRocks build ("3.4.1-abc", column `current_version()`); picks the grammar.
[[nodiscard]] std::string render_server_version_query();

// ---- Catalog snapshots (runtime/catalog): the ops tables restore needs, published to the repository ----

// SELECT DISTINCT database_name FROM `db`.`backup_history` WHERE state = 'FINISHED' ORDER BY database_name
[[nodiscard]] std::string render_history_databases_query(const DatabaseName& catalog_db);
// INSERT INTO `to`.`t` (`c1`, …) SELECT `c1`, … FROM `from`.`t` [WHERE state = 'FINISHED'] — copies rows of an ops
// table between databases (an upsert on primary-key tables). `columns` must not be empty.
[[nodiscard]] std::string render_copy_rows(const DatabaseName& from, const DatabaseName& to, const TableName& table,
                                           const std::vector<std::string>& columns, bool finished_only);
// SELECT repository, label, backup_timestamp FROM `db`.`catalog_source` — which catalog snapshot a recovery
// database holds (one row, written after its RESTORE finished).
[[nodiscard]] std::string render_catalog_source_query(const DatabaseName& recovery_db);

}  // namespace sk::dialect
