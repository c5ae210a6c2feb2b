#include "kernel/dialect/restore_sql.h"

#include "kernel/dialect/starrocks_dialect.h"

namespace sk::dialect {
namespace {

std::string qualified(const DatabaseName& db, const TableName& table) {
  return quote_identifier(db.str()) + "." + quote_identifier(table.str());
}

// " PARTITION (`p1`, `p2`)"
std::string partition_list(const std::vector<PartitionName>& partitions) {
  std::string out = " PARTITION (";
  for (std::size_t i = 0; i < partitions.size(); ++i) {
    out += (i ? ", " : "") + quote_identifier(partitions[i].str());
  }
  return out + ")";
}

}  // namespace

std::string render_columns_query(const DatabaseName& db, const TableName& table) {
  return "SELECT COLUMN_NAME, DATA_TYPE FROM information_schema.columns WHERE TABLE_SCHEMA = " +
         quote_string(db.str()) + " AND TABLE_NAME = " + quote_string(table.str()) + " ORDER BY ORDINAL_POSITION";
}

FingerprintForm fingerprint_form(std::string_view data_type) {
  std::string t;
  for (char c : data_type) t += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  if (t.starts_with("bitmap")) return FingerprintForm::kBitmap;
  for (std::string_view skipped : {"hll", "array", "map", "struct"}) {
    if (t.starts_with(skipped)) return FingerprintForm::kSkipped;
  }
  return FingerprintForm::kText;
}

std::string render_typed_fingerprint_query(const DatabaseName& db, const TableName& table,
                                           const std::optional<PartitionName>& partition,
                                           const std::vector<FingerprintColumn>& columns) {
  std::string args;
  for (const auto& c : columns) {
    if (c.form == FingerprintForm::kSkipped) continue;
    const std::string text = c.form == FingerprintForm::kBitmap ? "bitmap_to_string(" + quote_identifier(c.name) + ")"
                                                                : "cast(" + quote_identifier(c.name) + " AS VARCHAR)";
    args += (args.empty() ? "" : ", ") + ("ifnull(" + text + ", " + quote_string("\\N") + ")");
  }
  std::string out = "SELECT COUNT(*) AS row_count, ";
  out += args.empty() ? std::string("0 AS row_hash_sum")
                      : "SUM(CAST(murmur_hash3_32(concat_ws(" + quote_string("|") + ", " + args +
                            ")) AS BIGINT)) AS row_hash_sum";
  out += " FROM " + qualified(db, table);
  if (partition) out += " PARTITION (" + quote_identifier(partition->str()) + ")";
  return out;
}

std::string render_fingerprint_query(const DatabaseName& db, const TableName& table,
                                     const std::optional<PartitionName>& partition,
                                     const std::vector<std::string>& columns) {
  std::vector<FingerprintColumn> typed;
  typed.reserve(columns.size());
  for (const auto& c : columns) typed.push_back(FingerprintColumn{c});
  return render_typed_fingerprint_query(db, table, partition, typed);
}

std::string render_swap_table(const DatabaseName& db, const TableName& live, const TableName& staging) {
  return "ALTER TABLE " + qualified(db, live) + " SWAP WITH " + quote_identifier(staging.str());
}

std::string render_overwrite_partitions(const DatabaseName& db, const TableName& live,
                                        const std::vector<PartitionName>& partitions, const DatabaseName& staging_db,
                                        const TableName& staging) {
  return "INSERT OVERWRITE " + qualified(db, live) + partition_list(partitions) + " SELECT * FROM " +
         qualified(staging_db, staging);
}

std::string render_create_table_like(const DatabaseName& db, const TableName& table, const DatabaseName& like_db,
                                     const TableName& like) {
  return "CREATE TABLE " + qualified(db, table) + " LIKE " + qualified(like_db, like);
}

std::string render_copy_partitions(const DatabaseName& to_db, const TableName& to, const DatabaseName& from_db,
                                   const TableName& from, const std::vector<PartitionName>& partitions) {
  return "INSERT INTO " + qualified(to_db, to) + " SELECT * FROM " + qualified(from_db, from) +
         partition_list(partitions);
}

std::string render_drop_table(const DatabaseName& db, const TableName& table) {
  return "DROP TABLE " + qualified(db, table);
}

std::string render_create_database_if_not_exists(const DatabaseName& db) {
  return "CREATE DATABASE IF NOT EXISTS " + quote_identifier(db.str());
}

std::string render_show_create_table(const DatabaseName& db, const TableName& table) {
  return "SHOW CREATE TABLE " + qualified(db, table);
}

std::string render_partition_versions_query(const DatabaseName& db) {
  return "SELECT TABLE_NAME, PARTITION_NAME, VISIBLE_VERSION FROM information_schema.partitions_meta WHERE DB_NAME = " +
         quote_string(db.str()) + " AND IS_TEMP = 0";
}

std::string render_list_tables(const DatabaseName& db) {
  return "SELECT TABLE_NAME FROM information_schema.tables WHERE TABLE_SCHEMA = " + quote_string(db.str());
}

std::string render_drop_table_if_exists(const DatabaseName& db, const TableName& table) {
  return "DROP TABLE IF EXISTS " + qualified(db, table);
}

std::string render_server_version_query() { return "SELECT current_version()"; }

std::string render_history_databases_query(const DatabaseName& catalog_db) {
  return "SELECT DISTINCT database_name FROM " + quote_identifier(catalog_db.str()) + "." +
         quote_identifier("backup_history") + " WHERE state = " + quote_string("FINISHED") +
         " ORDER BY database_name";
}

std::string render_copy_rows(const DatabaseName& from, const DatabaseName& to, const TableName& table,
                             const std::vector<std::string>& columns, bool finished_only) {
  std::string list;
  for (const auto& c : columns) list += (list.empty() ? "" : ", ") + quote_identifier(c);
  std::string out = "INSERT INTO " + qualified(to, table) + " (" + list + ") SELECT " + list + " FROM " +
                    qualified(from, table);
  if (finished_only) out += " WHERE state = " + quote_string("FINISHED");
  return out;
}

std::string render_catalog_source_query(const DatabaseName& recovery_db) {
  return "SELECT repository, label, backup_timestamp FROM " + quote_identifier(recovery_db.str()) + "." +
         quote_identifier("catalog_source");
}

}  // namespace sk::dialect
