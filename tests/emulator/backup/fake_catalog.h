// An in-memory Catalog for the backup service's unit tests: databases, tables with partitions and rows,
// VisibleVersion bumped on every write. Thread-safe (one mutex), like the real MariaDB-backed catalog.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "emulator/engine/catalog.h"

namespace sk::emu::testing {

class FakeCatalog : public Catalog {
 public:
  Result<bool> database_exists(const std::string& db) override {
    std::lock_guard lock(mu_);
    return dbs_.contains(db);
  }
  Result<int64_t> database_id(const std::string& db) override {
    std::lock_guard lock(mu_);
    auto it = dbs_.find(db);
    if (it == dbs_.end()) return sk::fail("catalog.no_db", "Unknown database '{}'", db);
    return it->second.id;
  }
  Status create_database(const std::string& db) override {
    std::lock_guard lock(mu_);
    if (!dbs_.contains(db)) dbs_[db].id = next_id_++;
    return sk::ok();
  }
  Result<std::vector<TableSchema>> list_tables(const std::string& db) override {
    std::lock_guard lock(mu_);
    std::vector<TableSchema> out;
    auto it = dbs_.find(db);
    if (it == dbs_.end()) return out;
    for (const auto& [name, t] : it->second.tables) out.push_back(t.schema);
    return out;
  }
  Result<std::optional<TableSchema>> find_table(const std::string& db, const std::string& table) override {
    std::lock_guard lock(mu_);
    const Table* t = find(db, table);
    if (t == nullptr) return std::optional<TableSchema>();
    return std::optional<TableSchema>(t->schema);
  }
  Result<std::vector<Row>> read_partition(const std::string& db, const std::string& table,
                                          const std::string& partition) override {
    std::lock_guard lock(mu_);
    const Table* t = find(db, table);
    if (t == nullptr) return sk::fail("catalog.no_table", "no table {}", table);
    auto it = t->rows.find(partition);
    if (it == t->rows.end()) return std::vector<Row>{};
    return it->second;
  }
  Status create_table(const TableSchema& schema) override {
    std::lock_guard lock(mu_);
    auto dit = dbs_.find(schema.database);
    if (dit == dbs_.end()) return sk::fail("catalog.no_db", "Unknown database '{}'", schema.database);
    if (dit->second.tables.contains(schema.name))
      return sk::fail("catalog.exists", "Table '{}' already exists", schema.name);
    Table t;
    t.schema = schema;
    t.schema.id = next_id_++;
    for (PartitionSchema& p : t.schema.partitions) {
      p.id = next_id_++;
      p.visible_version = 1;
      p.row_count = 0;
      p.data_size = 0;
    }
    ++creates_;
    dit->second.tables[schema.name] = std::move(t);
    return sk::ok();
  }
  Status add_partition(const std::string& db, const std::string& table, const PartitionSchema& p) override {
    std::lock_guard lock(mu_);
    Table* t = find(db, table);
    if (t == nullptr) return sk::fail("catalog.no_table", "no table {}", table);
    PartitionSchema copy = p;
    copy.id = next_id_++;
    copy.visible_version = 1;
    t->schema.partitions.push_back(copy);
    return sk::ok();
  }
  Status replace_partition(const std::string& db, const std::string& table, const std::string& partition,
                           const std::vector<Row>& rows, int64_t visible_version) override {
    std::lock_guard lock(mu_);
    Table* t = find(db, table);
    if (t == nullptr) return sk::fail("catalog.no_table", "no table {}", table);
    PartitionSchema* p = part(*t, partition);
    if (p == nullptr) return sk::fail("catalog.no_partition", "no partition {}", partition);
    t->rows[partition] = rows;
    p->visible_version = visible_version;
    p->row_count = static_cast<int64_t>(rows.size());
    return sk::ok();
  }
  Status drop_table(const std::string& db, const std::string& table) override {
    std::lock_guard lock(mu_);
    auto dit = dbs_.find(db);
    if (dit == dbs_.end()) return sk::fail("catalog.no_db", "Unknown database '{}'", db);
    dit->second.tables.erase(table);
    return sk::ok();
  }

  // Test helpers.
  void add_table(TableSchema schema) {
    std::lock_guard lock(mu_);
    auto& d = dbs_[schema.database];
    if (d.id == 0) d.id = next_id_++;
    schema.id = next_id_++;
    for (PartitionSchema& p : schema.partitions) p.id = next_id_++;
    d.tables[schema.name].schema = std::move(schema);
  }
  // Appends rows to a partition and bumps its VisibleVersion, like a load.
  void insert(const std::string& db, const std::string& table, const std::string& partition,
              std::vector<Row> rows) {
    std::lock_guard lock(mu_);
    Table* t = find(db, table);
    PartitionSchema* p = part(*t, partition);
    auto& dst = t->rows[partition];
    for (auto& r : rows) dst.push_back(std::move(r));
    p->visible_version += 1;
    p->row_count = static_cast<int64_t>(dst.size());
    p->data_size = static_cast<int64_t>(dst.size()) * 100;
  }
  std::vector<Row> rows(const std::string& db, const std::string& table, const std::string& partition) {
    std::lock_guard lock(mu_);
    Table* t = find(db, table);
    if (t == nullptr) return {};
    return t->rows[partition];
  }
  int creates() {
    std::lock_guard lock(mu_);
    return creates_;
  }

 private:
  struct Table {
    TableSchema schema;
    std::map<std::string, std::vector<Row>> rows;
  };
  struct Db {
    int64_t id = 0;
    std::map<std::string, Table> tables;
  };
  Table* find(const std::string& db, const std::string& table) {
    auto dit = dbs_.find(db);
    if (dit == dbs_.end()) return nullptr;
    auto tit = dit->second.tables.find(table);
    return tit == dit->second.tables.end() ? nullptr : &tit->second;
  }
  static PartitionSchema* part(Table& t, const std::string& name) {
    for (PartitionSchema& p : t.schema.partitions) {
      if (p.name == name) return &p;
    }
    return nullptr;
  }

  std::mutex mu_;
  std::map<std::string, Db> dbs_;
  int64_t next_id_ = 10000;
  int creates_ = 0;
};

}  // namespace sk::emu::testing
