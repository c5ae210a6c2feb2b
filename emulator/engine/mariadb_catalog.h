// The MariaDB-backed Catalog: each StarRocks database is a MariaDB database of the same name; StarRocks-level
// metadata (ids, keys, partitions with bounds, VisibleVersion/VisibleVersionTime, row counts) lives in the
// MariaDB schema `__starrocks_emu`, together with the views the engine rewrites information_schema queries to.
// Partitions exist only in that metadata: the MariaDB tables are unpartitioned, and per-table triggers reject
// rows no partition covers and record which partitions each write touched (in the connection's user variable
// @__sk_t, read by the engine before COMMIT). See docs/emulator.md, "Engine".
// Thread-safe: one internal connection guarded by a mutex.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "emulator/engine/catalog.h"
#include "emulator/engine/ddl.h"
#include "emulator/engine/mariadb_connection.h"

namespace sk::emu {

inline constexpr const char* kMetaSchema = "__starrocks_emu";

// Wall-clock helpers in the emulated cluster's time zone (an IANA name such as "Asia/Shanghai").
class ClusterClock {
 public:
  explicit ClusterClock(std::string time_zone);
  // "yyyy-MM-dd HH:mm:ss" now.
  std::string now_text() const;
  // Current UTC offset as "+08:00", for MariaDB's session time_zone.
  std::string offset_text() const;
  const std::string& zone_name() const { return zone_; }

 private:
  std::string zone_;
};

class MariaDbCatalog : public Catalog {
 public:
  // Connects, creates the metadata schema, tables and views when missing.
  static Result<std::unique_ptr<MariaDbCatalog>> open(const BackendParams& params, const std::string& time_zone);

  // --- Catalog ---
  Result<bool> database_exists(const std::string& db) override;
  Result<int64_t> database_id(const std::string& db) override;
  Status create_database(const std::string& db) override;
  Result<std::vector<TableSchema>> list_tables(const std::string& db) override;
  Result<std::optional<TableSchema>> find_table(const std::string& db, const std::string& table) override;
  Result<std::vector<Row>> read_partition(const std::string& db, const std::string& table,
                                          const std::string& partition) override;
  Status create_table(const TableSchema& schema) override;
  Status add_partition(const std::string& db, const std::string& table, const PartitionSchema& p) override;
  Status replace_partition(const std::string& db, const std::string& table, const std::string& partition,
                           const std::vector<Row>& rows, int64_t visible_version) override;
  Status drop_table(const std::string& db, const std::string& table) override;

  // --- engine-only operations (errors carry StarRocks-style messages) ---
  Status drop_database(const std::string& db);
  Status add_partition_defs(const std::string& db, const std::string& table, std::vector<PartitionDef> defs);
  Status drop_partition(const std::string& db, const std::string& table, const std::string& partition,
                        bool if_exists);
  // ALTER TABLE a SWAP WITH b: one MariaDB RENAME TABLE of three names, then the metadata.
  Status swap_tables(const std::string& db, const std::string& a, const std::string& b);
  Status rename_table(const std::string& db, const std::string& from, const std::string& to);
  // Schema change: runs `mariadb_alter` (an ALTER TABLE on the MariaDB table) and stores `changed` as the
  // table's schema (partitions and versions untouched).
  Status change_columns(const TableSchema& changed, const std::string& mariadb_alter);
  // Empties the table (or the listed partitions) and advances their VisibleVersion.
  Status truncate(const std::string& db, const std::string& table, const std::vector<std::string>& partitions);
  // Recomputes ROW_COUNT / DATA_SIZE of partitions whose version changed since the last count.
  Status refresh_statistics();
  // Registers a table created by MariaDB itself (CTAS) as a Duplicate Key table.
  Status register_existing_table(const std::string& db, const std::string& table);
  // The cached schema (partition versions may be stale); nullopt when not an emulated table.
  Result<std::optional<TableSchema>> cached_table(const std::string& db, const std::string& table);

  const ClusterClock& clock() const { return clock_; }
  const BackendParams& params() const { return params_; }

 private:
  MariaDbCatalog(BackendParams params, const std::string& time_zone, std::unique_ptr<MariaDbConnection> conn)
      : params_(std::move(params)), clock_(time_zone), conn_(std::move(conn)) {}
  Status bootstrap();
  Result<int64_t> next_id();
  Result<std::optional<TableSchema>> load_table(const std::string& db, const std::string& table);
  Status write_partition_meta(const TableSchema& t, const PartitionSchema& p, int ordinal);
  Status write_table_meta(const TableSchema& t);
  Status recreate_triggers(const TableSchema& t);
  Status in_transaction(const std::function<Status()>& body);
  void invalidate(const std::string& db, const std::string& table);

  BackendParams params_;
  ClusterClock clock_;
  std::mutex mu_;  // guards conn_ and every metadata change; taken before cache_mu_
  std::unique_ptr<MariaDbConnection> conn_;
  std::mutex cache_mu_;
  std::map<std::string, TableSchema> cache_;  // key: db + '\0' + table; guarded by cache_mu_
};

// Serialises a schema (without partitions) and partition bounds for the metadata tables.
std::string table_schema_to_json(const TableSchema& t);
Result<TableSchema> table_schema_from_json(const std::string& text);

}  // namespace sk::emu
