// The emulator's table catalog: StarRocks-level metadata (keys, partitions, VisibleVersion) kept alongside the
// real rows in MariaDB. Implemented by emulator/engine (MariaDB-backed); consumed by emulator/backup, which
// snapshots and restores table data through it and never touches MariaDB tables directly.
// Thread-safe: every method may be called from any connection or job thread.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"

namespace sk::emu {

struct ColumnSchema {
  std::string name;
  std::string type;  // StarRocks type text, upper case, e.g. "VARCHAR(64)", "DATE", "DECIMAL(18,2)", "BIGINT"
  bool nullable = true;
  bool is_key = false;
  std::optional<std::string> default_value;
  std::string comment;
  friend bool operator==(const ColumnSchema&, const ColumnSchema&) = default;
};

struct PartitionSchema {
  int64_t id = 0;
  std::string name;
  // Canonical StarRocks range/list text as SHOW PARTITIONS prints it in its Range (or List) column;
  // empty for the single partition of an unpartitioned table.
  std::string range;
  // Bounds in a form the engine can recreate the partition from: for RANGE, lower and upper values
  // (lower empty = MINVALUE, upper empty = MAXVALUE); for LIST, the values.
  std::vector<std::string> lower;
  std::vector<std::string> upper;
  std::vector<std::vector<std::string>> list_values;
  int64_t visible_version = 1;
  std::string visible_version_time;  // "yyyy-MM-dd HH:mm:ss"
  int64_t row_count = 0;
  int64_t data_size = 0;  // bytes
  int replication_num = 3;
  bool is_temp = false;
};

struct TableSchema {
  std::string database;
  std::string name;
  int64_t id = 0;
  std::string keys_type;  // "DUP_KEYS" | "AGG_KEYS" | "UNQ_KEYS" | "PRI_KEYS"
  std::vector<std::string> key_columns;
  std::vector<ColumnSchema> columns;
  std::string partition_type;  // "RANGE" | "LIST" | "" (unpartitioned)
  std::vector<std::string> partition_columns;
  std::vector<PartitionSchema> partitions;
  std::vector<std::string> distribution_columns;  // empty = RANDOM
  int buckets = 0;
  std::map<std::string, std::string> properties;
  std::string table_type = "BASE TABLE";  // or "VIEW"
  std::string comment;                      // table COMMENT; empty when none
  std::vector<std::string> sort_columns;    // ORDER BY (...); empty = the key columns
};

// A row in column order; nullopt is SQL NULL. Values are the text MariaDB returns for them.
using Row = std::vector<std::optional<std::string>>;

class Catalog {
 public:
  virtual ~Catalog() = default;

  virtual Result<bool> database_exists(const std::string& db) = 0;
  virtual Result<int64_t> database_id(const std::string& db) = 0;
  virtual Status create_database(const std::string& db) = 0;

  virtual Result<std::vector<TableSchema>> list_tables(const std::string& db) = 0;
  virtual Result<std::optional<TableSchema>> find_table(const std::string& db, const std::string& table) = 0;

  // Rows of one partition, in column order.
  virtual Result<std::vector<Row>> read_partition(const std::string& db, const std::string& table,
                                                  const std::string& partition) = 0;

  // Creates `schema.database`.`schema.name` with the columns, keys, distribution and the listed
  // partitions (empty); assigns new table and partition ids.
  virtual Status create_table(const TableSchema& schema) = 0;
  virtual Status add_partition(const std::string& db, const std::string& table, const PartitionSchema& p) = 0;

  // Replaces every row of one partition in one MariaDB transaction and sets its VisibleVersion (restore
  // sets the snapshot's version; StarRocks behaviour, inferred from RestoreJob).
  virtual Status replace_partition(const std::string& db, const std::string& table, const std::string& partition,
                                   const std::vector<Row>& rows, int64_t visible_version) = 0;

  virtual Status drop_table(const std::string& db, const std::string& table) = 0;
};

}  // namespace sk::emu
