#include "kernel/dialect/restore_sql.h"

#include "kernel/dialect/starrocks_dialect.h"

namespace sk::dialect {
namespace {

std::string qualified(const DatabaseName& db, const TableName& table) {
  return quote_identifier(db.str()) + "." + quote_identifier(table.str());
}

}  // namespace

std::string render_columns_query(const DatabaseName& db, const TableName& table) {
  return "SELECT COLUMN_NAME FROM information_schema.columns WHERE TABLE_SCHEMA = " + quote_string(db.str()) +
         " AND TABLE_NAME = " + quote_string(table.str()) + " ORDER BY ORDINAL_POSITION";
}

std::string render_fingerprint_query(const DatabaseName& db, const TableName& table,
                                     const std::optional<PartitionName>& partition,
                                     const std::vector<std::string>& columns) {
  std::string args;
  for (const auto& c : columns) {
    if (!args.empty()) args += ", ";
    args += "ifnull(cast(" + quote_identifier(c) + " AS VARCHAR), " + quote_string("\\N") + ")";
  }
  std::string out = "SELECT COUNT(*) AS row_count, SUM(CAST(murmur_hash3_32(concat_ws(" + quote_string("|") + ", " +
                    args + ")) AS BIGINT)) AS row_hash_sum FROM " + qualified(db, table);
  if (partition) out += " PARTITION (" + quote_identifier(partition->str()) + ")";
  return out;
}

std::string render_swap_table(const DatabaseName& db, const TableName& live, const TableName& staging) {
  return "ALTER TABLE " + qualified(db, live) + " SWAP WITH " + quote_identifier(staging.str());
}

std::string render_overwrite_partition(const DatabaseName& db, const TableName& live, const PartitionName& partition,
                                       const DatabaseName& staging_db, const TableName& staging) {
  return "INSERT OVERWRITE " + qualified(db, live) + " PARTITION (" + quote_identifier(partition.str()) +
         ") SELECT * FROM " + qualified(staging_db, staging);
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
