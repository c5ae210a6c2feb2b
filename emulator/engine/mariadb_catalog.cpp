#include "emulator/engine/mariadb_catalog.h"

#include "emulator/engine/sql_rewrite.h"
#include "kernel/dialect/time_zone.h"

#include <chrono>

#include <cctz/civil_time.h>
#include <cctz/time_zone.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace sk::emu {

namespace {

using nlohmann::json;

std::string key_of(const std::string& db, const std::string& table) { return db + '\0' + table; }

std::string meta(std::string_view table) { return fmt::format("`{}`.`{}`", kMetaSchema, table); }

std::string sql_value(const std::optional<std::string>& v) { return v ? quote_string(*v) : std::string("NULL"); }

std::string names_plain(const std::vector<std::string>& v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out += ", ";
    out += v[i];
  }
  return out;
}

// The cluster's zone with StarRocks' rules (offsets such as +08:00, CST, IANA names); the server's flags
// refuse anything else, so the UTC fallback is only reached by a programming error.
cctz::time_zone load_zone(const std::string& name) {
  auto zone = dialect::parse_time_zone_variable(name);
  return zone ? zone->cctz_zone() : cctz::utc_time_zone();
}

}  // namespace

ClusterClock::ClusterClock(std::string time_zone) : zone_(std::move(time_zone)) {}

std::string ClusterClock::now_text() const {
  return cctz::format("%Y-%m-%d %H:%M:%S", std::chrono::system_clock::now(), load_zone(zone_));
}

std::string ClusterClock::offset_text() const {
  auto info = load_zone(zone_).lookup(std::chrono::system_clock::now());
  int off = info.offset;
  char sign = off < 0 ? '-' : '+';
  off = off < 0 ? -off : off;
  return fmt::format("{}{:02}:{:02}", sign, off / 3600, (off % 3600) / 60);
}

std::string table_schema_to_json(const TableSchema& t) {
  json j;
  j["database"] = t.database;
  j["name"] = t.name;
  j["id"] = t.id;
  j["keys_type"] = t.keys_type;
  j["key_columns"] = t.key_columns;
  json cols = json::array();
  for (const auto& c : t.columns) {
    json cj{{"name", c.name}, {"type", c.type}, {"nullable", c.nullable}, {"is_key", c.is_key}, {"comment", c.comment}};
    if (c.default_value) cj["default"] = *c.default_value;
    cols.push_back(cj);
  }
  j["columns"] = cols;
  j["partition_type"] = t.partition_type;
  j["partition_columns"] = t.partition_columns;
  j["distribution_columns"] = t.distribution_columns;
  j["buckets"] = t.buckets;
  j["properties"] = t.properties;
  j["table_type"] = t.table_type;
  j["comment"] = t.comment;
  j["sort_columns"] = t.sort_columns;
  return j.dump();
}

Result<TableSchema> table_schema_from_json(const std::string& text) {
  try {
    json j = json::parse(text);
    TableSchema t;
    t.database = j.at("database");
    t.name = j.at("name");
    t.id = j.at("id");
    t.keys_type = j.at("keys_type");
    t.key_columns = j.at("key_columns").get<std::vector<std::string>>();
    for (const auto& cj : j.at("columns")) {
      ColumnSchema c;
      c.name = cj.at("name");
      c.type = cj.at("type");
      c.nullable = cj.at("nullable");
      c.is_key = cj.at("is_key");
      c.comment = cj.value("comment", "");
      if (cj.contains("default")) c.default_value = cj.at("default").get<std::string>();
      t.columns.push_back(c);
    }
    t.partition_type = j.at("partition_type");
    t.partition_columns = j.at("partition_columns").get<std::vector<std::string>>();
    t.distribution_columns = j.at("distribution_columns").get<std::vector<std::string>>();
    t.buckets = j.at("buckets");
    t.properties = j.at("properties").get<std::map<std::string, std::string>>();
    t.table_type = j.value("table_type", "BASE TABLE");
    t.comment = j.value("comment", "");
    t.sort_columns = j.value("sort_columns", std::vector<std::string>{});
    return t;
  } catch (const std::exception& e) {
    return fail("emu.meta", "corrupt table metadata: {}", e.what());
  }
}

Result<std::unique_ptr<MariaDbCatalog>> MariaDbCatalog::open(const BackendParams& params,
                                                             const std::string& time_zone) {
  BackendParams p = params;
  p.time_zone = ClusterClock(time_zone).offset_text();
  auto conn = MariaDbConnection::connect(p);
  if (!conn) return std::unexpected(conn.error());
  std::unique_ptr<MariaDbCatalog> c(new MariaDbCatalog(p, time_zone, std::move(*conn)));
  if (auto s = c->bootstrap(); !s) return std::unexpected(s.error());
  return c;
}

Status MariaDbCatalog::bootstrap() {
  const std::vector<std::string> ddl = {
      fmt::format("CREATE DATABASE IF NOT EXISTS `{}` DEFAULT CHARSET utf8mb4 COLLATE utf8mb4_bin", kMetaSchema),
      fmt::format("CREATE TABLE IF NOT EXISTS {} (name VARCHAR(64) PRIMARY KEY, next_id BIGINT NOT NULL) "
                  "ENGINE=InnoDB",
                  meta("ids")),
      fmt::format("INSERT IGNORE INTO {} VALUES ('id', 11001)", meta("ids")),
      fmt::format("CREATE TABLE IF NOT EXISTS {} (db_name VARCHAR(256) COLLATE utf8mb4_bin PRIMARY KEY, "
                  "db_id BIGINT NOT NULL) ENGINE=InnoDB",
                  meta("dbs")),
      fmt::format(
          "CREATE TABLE IF NOT EXISTS {} (table_id BIGINT PRIMARY KEY, db_name VARCHAR(256) COLLATE utf8mb4_bin "
          "NOT NULL, table_name VARCHAR(256) COLLATE utf8mb4_bin NOT NULL, keys_type VARCHAR(16) NOT NULL, "
          "primary_key TEXT NOT NULL, partition_key TEXT NOT NULL, distribute_key TEXT NOT NULL, "
          "distribute_type VARCHAR(16) NOT NULL, buckets INT NOT NULL, sort_key TEXT NOT NULL, "
          "properties TEXT NOT NULL, partition_columns TEXT NOT NULL, distribution_columns TEXT NOT NULL, "
          "schema_json LONGTEXT NOT NULL, create_time DATETIME NOT NULL, UNIQUE KEY (db_name, table_name)) "
          "ENGINE=InnoDB",
          meta("tables")),
      fmt::format(
          "CREATE TABLE IF NOT EXISTS {} (partition_id BIGINT PRIMARY KEY, table_id BIGINT NOT NULL, "
          "partition_name VARCHAR(256) COLLATE utf8mb4_bin NOT NULL, ordinal INT NOT NULL, range_text TEXT NOT NULL, "
          "bounds_json TEXT NOT NULL, visible_version BIGINT NOT NULL, visible_version_time DATETIME NOT NULL, "
          "replication_num INT NOT NULL, is_temp BOOLEAN NOT NULL DEFAULT FALSE, row_count BIGINT NOT NULL DEFAULT 0, "
          "data_size BIGINT NOT NULL DEFAULT 0, counted_version BIGINT NOT NULL DEFAULT 1, KEY (table_id)) "
          "ENGINE=InnoDB",
          meta("partitions")),
      fmt::format(
          "CREATE OR REPLACE VIEW {} AS SELECT t.db_name AS DB_NAME, t.table_name AS TABLE_NAME, "
          "p.partition_name AS PARTITION_NAME, p.partition_id AS PARTITION_ID, CAST(0 AS SIGNED) AS COMPACT_VERSION, "
          "p.visible_version AS VISIBLE_VERSION, p.visible_version_time AS VISIBLE_VERSION_TIME, "
          "p.visible_version + 1 AS NEXT_VERSION, p.visible_version AS DATA_VERSION, "
          "CAST(0 AS SIGNED) AS VERSION_EPOCH, 'TXN_NORMAL' AS VERSION_TXN_TYPE, "
          "t.partition_columns AS PARTITION_KEY, p.range_text AS PARTITION_VALUE, "
          "t.distribution_columns AS DISTRIBUTION_KEY, t.buckets AS BUCKETS, p.replication_num AS REPLICATION_NUM, "
          "'HDD' AS STORAGE_MEDIUM, CAST('9999-12-31 23:59:59' AS DATETIME) AS COOLDOWN_TIME, "
          "CAST(NULL AS DATETIME) AS LAST_CONSISTENCY_CHECK_TIME, FALSE AS IS_IN_MEMORY, p.is_temp AS IS_TEMP, "
          "p.data_size AS DATA_SIZE, p.row_count AS ROW_COUNT, FALSE AS ENABLE_DATACACHE, "
          "CAST(0 AS DOUBLE) AS AVG_CS, CAST(0 AS DOUBLE) AS P50_CS, CAST(0 AS DOUBLE) AS MAX_CS, "
          "'' AS STORAGE_PATH, p.data_size AS STORAGE_SIZE, CAST(0 AS SIGNED) AS METADATA_SWITCH_VERSION, "
          "TRUE AS TABLET_BALANCED FROM {} t JOIN {} p ON p.table_id = t.table_id",
          meta("partitions_meta"), meta("tables"), meta("partitions")),
      fmt::format("CREATE OR REPLACE VIEW {} AS SELECT t.db_name AS TABLE_SCHEMA, t.table_name AS TABLE_NAME, "
                  "'OLAP' AS TABLE_ENGINE, t.keys_type AS TABLE_MODEL, t.primary_key AS PRIMARY_KEY, "
                  "t.partition_key AS PARTITION_KEY, t.distribute_key AS DISTRIBUTE_KEY, "
                  "t.distribute_type AS DISTRIBUTE_TYPE, t.buckets AS DISTRIBUTE_BUCKET, t.sort_key AS SORT_KEY, "
                  "t.properties AS PROPERTIES, t.table_id AS TABLE_ID FROM {} t",
                  meta("tables_config"), meta("tables")),
      fmt::format("CREATE OR REPLACE VIEW {} AS SELECT CAST(NULL AS CHAR) AS TABLE_CATALOG, CAST(NULL AS CHAR) AS TABLE_SCHEMA, CAST(NULL AS CHAR) AS TABLE_NAME, CAST(NULL AS CHAR) AS PARTITION_NAME, CAST(NULL AS CHAR) AS SUBPARTITION_NAME, CAST(NULL AS CHAR) AS PARTITION_ORDINAL_POSITION, CAST(NULL AS CHAR) AS SUBPARTITION_ORDINAL_POSITION, CAST(NULL AS CHAR) AS PARTITION_METHOD, CAST(NULL AS CHAR) AS SUBPARTITION_METHOD, CAST(NULL AS CHAR) AS PARTITION_EXPRESSION, CAST(NULL AS CHAR) AS SUBPARTITION_EXPRESSION, CAST(NULL AS CHAR) AS PARTITION_DESCRIPTION, CAST(NULL AS CHAR) AS TABLE_ROWS, CAST(NULL AS CHAR) AS AVG_ROW_LENGTH, CAST(NULL AS CHAR) AS DATA_LENGTH, CAST(NULL AS CHAR) AS MAX_DATA_LENGTH, CAST(NULL AS CHAR) AS INDEX_LENGTH, CAST(NULL AS CHAR) AS DATA_FREE, CAST(NULL AS CHAR) AS CREATE_TIME, CAST(NULL AS CHAR) AS UPDATE_TIME, CAST(NULL AS CHAR) AS CHECK_TIME, CAST(NULL AS CHAR) AS CHECKSUM, CAST(NULL AS CHAR) AS PARTITION_COMMENT, CAST(NULL AS CHAR) AS NODEGROUP, CAST(NULL AS CHAR) AS TABLESPACE_NAME FROM DUAL WHERE FALSE",
                  meta("partitions_empty")),
      fmt::format(
          "CREATE OR REPLACE VIEW {} AS SELECT i.TABLE_CATALOG, i.TABLE_SCHEMA, i.TABLE_NAME, i.TABLE_TYPE, "
          "IF(t.table_id IS NULL, i.ENGINE, 'StarRocks') AS ENGINE, i.VERSION, i.ROW_FORMAT, i.TABLE_ROWS, "
          "i.AVG_ROW_LENGTH, i.DATA_LENGTH, i.MAX_DATA_LENGTH, i.INDEX_LENGTH, i.DATA_FREE, i.AUTO_INCREMENT, "
          "i.CREATE_TIME, i.UPDATE_TIME, i.CHECK_TIME, i.TABLE_COLLATION, i.CHECKSUM, i.CREATE_OPTIONS, "
          "i.TABLE_COMMENT FROM information_schema.TABLES i LEFT JOIN {} t ON t.db_name = i.TABLE_SCHEMA AND "
          "t.table_name = i.TABLE_NAME WHERE i.TABLE_SCHEMA NOT IN ('{}', 'mysql', 'performance_schema', 'sys')",
          meta("is_tables"), meta("tables"), kMetaSchema),
      fmt::format("CREATE OR REPLACE VIEW {} AS SELECT * FROM information_schema.SCHEMATA WHERE SCHEMA_NAME NOT IN "
                  "('{}', 'mysql', 'performance_schema', 'sys')",
                  meta("is_schemata"), kMetaSchema),
      // DATA_TYPE of an emulated table's column is its StarRocks type in lower case, without length or element
      // type (`bitmap`, `hll`, `json`, `array`, `varchar`, `largeint`), from the catalog — not MariaDB's storage
      // type (LONGBLOB, LONGTEXT); COLUMN_TYPE stays MariaDB's.
      fmt::format(
          "CREATE OR REPLACE VIEW {0} AS SELECT c.TABLE_CATALOG, c.TABLE_SCHEMA, c.TABLE_NAME, c.COLUMN_NAME, "
          "c.ORDINAL_POSITION, c.COLUMN_DEFAULT, c.IS_NULLABLE, COALESCE((SELECT LOWER(REGEXP_SUBSTR(j.type, "
          "'^[A-Za-z]+')) FROM {1} t, JSON_TABLE(t.schema_json, '$.columns[*]' COLUMNS (name VARCHAR(1024) PATH "
          "'$.name', type VARCHAR(1024) PATH '$.type')) j WHERE t.db_name = c.TABLE_SCHEMA AND t.table_name = "
          "c.TABLE_NAME AND j.name = c.COLUMN_NAME LIMIT 1), c.DATA_TYPE) AS DATA_TYPE, "
          "c.CHARACTER_MAXIMUM_LENGTH, c.CHARACTER_OCTET_LENGTH, c.NUMERIC_PRECISION, c.NUMERIC_SCALE, "
          "c.DATETIME_PRECISION, c.CHARACTER_SET_NAME, c.COLLATION_NAME, c.COLUMN_TYPE, c.COLUMN_KEY, c.EXTRA, "
          "c.PRIVILEGES, c.COLUMN_COMMENT, c.IS_GENERATED, c.GENERATION_EXPRESSION FROM information_schema.COLUMNS c "
          "WHERE c.TABLE_SCHEMA NOT IN ('{2}', 'mysql', 'performance_schema', 'sys') AND c.COLUMN_NAME <> '{3}'",
          meta("is_columns"), meta("tables"), kMetaSchema, kPartitionIdColumn),
  };
  std::lock_guard lock(mu_);
  for (const auto& s : ddl) {
    if (auto r = conn_->exec(s); !r) return r;
  }
  for (const auto& s : rewrite_support_functions(kMetaSchema)) {
    if (auto r = conn_->exec(s); !r) return r;
  }
  if (auto e = conn_->use(kMetaSchema)) return fail("emu.backend", "cannot use {}: {}", kMetaSchema, e->message);
  return ok();
}

Result<int64_t> MariaDbCatalog::next_id() {
  if (auto s = conn_->exec(fmt::format("UPDATE {} SET next_id = LAST_INSERT_ID(next_id + 1) WHERE name = 'id'",
                                       meta("ids")));
      !s) {
    return std::unexpected(s.error());
  }
  auto v = conn_->scalar("SELECT LAST_INSERT_ID()");
  if (!v) return std::unexpected(v.error());
  return std::stoll(v->value_or("0"));
}

Status MariaDbCatalog::in_transaction(const std::function<Status()>& body) {
  if (auto s = conn_->exec("START TRANSACTION"); !s) return s;
  Status s = body();
  if (!s) {
    (void)conn_->exec("ROLLBACK");
    (void)conn_->exec("SET @__sk_untracked = NULL");
    return s;
  }
  return conn_->exec("COMMIT");
}

void MariaDbCatalog::invalidate(const std::string& db, const std::string& table) {
  std::lock_guard lock(cache_mu_);
  cache_.erase(key_of(db, table));
}

Result<bool> MariaDbCatalog::database_exists(const std::string& db) {
  std::lock_guard lock(mu_);
  auto v = conn_->scalar(fmt::format("SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = {}",
                                     quote_string(db)));
  if (!v) return std::unexpected(v.error());
  return v->value_or("0") != "0" && db != kMetaSchema;
}

Result<int64_t> MariaDbCatalog::database_id(const std::string& db) {
  std::lock_guard lock(mu_);
  auto v = conn_->scalar(fmt::format("SELECT db_id FROM {} WHERE db_name = {}", meta("dbs"), quote_string(db)));
  if (!v) return std::unexpected(v.error());
  if (*v) return std::stoll(**v);
  auto exists = conn_->scalar(
      fmt::format("SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = {}", quote_string(db)));
  if (!exists) return std::unexpected(exists.error());
  if (exists->value_or("0") == "0") return fail("emu.analysis", "Unknown database '{}'", db);
  auto id = next_id();
  if (!id) return std::unexpected(id.error());
  if (auto s = conn_->exec(fmt::format("INSERT IGNORE INTO {} VALUES ({}, {})", meta("dbs"), quote_string(db), *id));
      !s) {
    return std::unexpected(s.error());
  }
  return *id;
}

Status MariaDbCatalog::create_database(const std::string& db) {
  std::lock_guard lock(mu_);
  QueryResult r = conn_->run(fmt::format("CREATE DATABASE {} DEFAULT CHARSET utf8mb4 COLLATE utf8mb4_bin",
                                         quote_ident(db)));
  if (auto* e = std::get_if<ErrorResult>(&r)) {
    if (e->code == 1007) return fail("emu.db_exists", "Can't create database '{}'; database exists", db);
    return fail("emu.backend", "{}", e->message);
  }
  auto id = next_id();
  if (!id) return std::unexpected(id.error());
  return conn_->exec(fmt::format("REPLACE INTO {} VALUES ({}, {})", meta("dbs"), quote_string(db), *id));
}

Status MariaDbCatalog::drop_database(const std::string& db) {
  std::lock_guard lock(mu_);
  QueryResult r = conn_->run(fmt::format("DROP DATABASE {}", quote_ident(db)));
  if (auto* e = std::get_if<ErrorResult>(&r)) {
    if (e->code == 1008) return fail("emu.analysis", "Can't drop database '{}'; database doesn't exist", db);
    return fail("emu.backend", "{}", e->message);
  }
  {
    std::lock_guard cache_lock(cache_mu_);
    for (auto it = cache_.begin(); it != cache_.end();) {
      it = it->second.database == db ? cache_.erase(it) : std::next(it);
    }
  }
  return in_transaction([&]() -> Status {
    if (auto s = conn_->exec(fmt::format("DELETE p FROM {} p JOIN {} t ON p.table_id = t.table_id WHERE t.db_name = {}",
                                         meta("partitions"), meta("tables"), quote_string(db)));
        !s) {
      return s;
    }
    if (auto s = conn_->exec(fmt::format("DELETE FROM {} WHERE db_name = {}", meta("tables"), quote_string(db))); !s) {
      return s;
    }
    return conn_->exec(fmt::format("DELETE FROM {} WHERE db_name = {}", meta("dbs"), quote_string(db)));
  });
}

Result<std::optional<TableSchema>> MariaDbCatalog::load_table(const std::string& db, const std::string& table) {
  auto rows = conn_->select(fmt::format("SELECT schema_json FROM {} WHERE db_name = {} AND table_name = {}",
                                        meta("tables"), quote_string(db), quote_string(table)));
  if (!rows) return std::unexpected(rows.error());
  if (rows->empty()) return std::optional<TableSchema>{};
  auto t = table_schema_from_json((*rows)[0][0].value_or("{}"));
  if (!t) return std::unexpected(t.error());
  t->database = db;
  t->name = table;
  auto parts = conn_->select(fmt::format(
      "SELECT partition_id, partition_name, range_text, bounds_json, visible_version, "
      "DATE_FORMAT(visible_version_time, '%Y-%m-%d %H:%i:%s'), row_count, data_size, replication_num, is_temp "
      "FROM {} WHERE table_id = {} ORDER BY ordinal, partition_id",
      meta("partitions"), t->id));
  if (!parts) return std::unexpected(parts.error());
  for (const auto& r : *parts) {
    PartitionSchema p;
    p.id = std::stoll(r[0].value_or("0"));
    p.name = r[1].value_or("");
    p.range = r[2].value_or("");
    try {
      auto bj = nlohmann::json::parse(r[3].value_or("{}"));
      p.lower = bj.value("lower", std::vector<std::string>{});
      p.upper = bj.value("upper", std::vector<std::string>{});
      p.list_values = bj.value("list", std::vector<std::vector<std::string>>{});
    } catch (const std::exception& e) {
      return fail("emu.meta", "corrupt partition bounds: {}", e.what());
    }
    p.visible_version = std::stoll(r[4].value_or("1"));
    p.visible_version_time = r[5].value_or("");
    p.row_count = std::stoll(r[6].value_or("0"));
    p.data_size = std::stoll(r[7].value_or("0"));
    p.replication_num = std::stoi(r[8].value_or("3"));
    p.is_temp = r[9].value_or("0") == "1";
    t->partitions.push_back(std::move(p));
  }
  {
    std::lock_guard cache_lock(cache_mu_);
    cache_[key_of(db, table)] = *t;
  }
  return std::optional<TableSchema>(std::move(*t));
}

Result<std::optional<TableSchema>> MariaDbCatalog::find_table(const std::string& db, const std::string& table) {
  std::lock_guard lock(mu_);
  return load_table(db, table);
}

Result<std::optional<TableSchema>> MariaDbCatalog::cached_table(const std::string& db, const std::string& table) {
  {
    // Hits do not wait for a long catalog operation (a restore's replace_partition) holding mu_.
    std::lock_guard cache_lock(cache_mu_);
    if (auto it = cache_.find(key_of(db, table)); it != cache_.end()) return std::optional<TableSchema>(it->second);
  }
  std::lock_guard lock(mu_);
  return load_table(db, table);
}

Result<std::vector<TableSchema>> MariaDbCatalog::list_tables(const std::string& db) {
  std::vector<std::string> names;
  {
    std::lock_guard lock(mu_);
    auto rows = conn_->select(fmt::format("SELECT table_name FROM {} WHERE db_name = {} ORDER BY table_name",
                                          meta("tables"), quote_string(db)));
    if (!rows) return std::unexpected(rows.error());
    for (const auto& r : *rows) names.push_back(r[0].value_or(""));
  }
  std::vector<TableSchema> out;
  for (const auto& n : names) {
    auto t = find_table(db, n);
    if (!t) return std::unexpected(t.error());
    if (*t) out.push_back(std::move(**t));
  }
  return out;
}

Result<std::vector<Row>> MariaDbCatalog::read_partition(const std::string& db, const std::string& table,
                                                        const std::string& partition) {
  std::lock_guard lock(mu_);
  auto t = load_table(db, table);
  if (!t) return std::unexpected(t.error());
  if (!*t) return fail("emu.analysis", "Unknown table '{}.{}'", db, table);
  const PartitionSchema* p = nullptr;
  for (const auto& x : (*t)->partitions) {
    if (x.name == partition) p = &x;
  }
  if (!p) return fail("emu.analysis", "Unknown partition '{}' in table '{}'", partition, table);
  std::string cols;
  for (size_t i = 0; i < (*t)->columns.size(); ++i) {
    if (i) cols += ", ";
    cols += quote_ident((*t)->columns[i].name);
  }
  return conn_->select(fmt::format("SELECT {} FROM {}.{} WHERE {}", cols, quote_ident(db), quote_ident(table),
                                   partition_predicate(**t, *p, "")));
}

Status MariaDbCatalog::write_table_meta(const TableSchema& t) {
  nlohmann::json props(t.properties);
  std::vector<std::string> sort = t.sort_columns.empty() ? t.key_columns : t.sort_columns;
  bool unique = t.keys_type == "PRI_KEYS" || t.keys_type == "UNQ_KEYS";
  return conn_->exec(fmt::format(
      "REPLACE INTO {} (table_id, db_name, table_name, keys_type, primary_key, partition_key, distribute_key, "
      "distribute_type, buckets, sort_key, properties, partition_columns, distribution_columns, schema_json, "
      "create_time) VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {})",
      meta("tables"), t.id, quote_string(t.database), quote_string(t.name), quote_string(t.keys_type),
      quote_string(unique ? backquoted_list(t.key_columns) : ""), quote_string(backquoted_list(t.partition_columns)),
      quote_string(backquoted_list(t.distribution_columns)),
      quote_string(t.distribution_columns.empty() ? "RANDOM" : "HASH"), t.buckets,
      quote_string(backquoted_list(sort)), quote_string(props.dump()), quote_string(names_plain(t.partition_columns)),
      quote_string(names_plain(t.distribution_columns)), quote_string(table_schema_to_json(t)),
      quote_string(clock_.now_text())));
}

Status MariaDbCatalog::write_partition_meta(const TableSchema& t, const PartitionSchema& p, int ordinal) {
  nlohmann::json bounds{{"lower", p.lower}, {"upper", p.upper}, {"list", p.list_values}};
  return conn_->exec(fmt::format(
      "INSERT INTO {} (partition_id, table_id, partition_name, ordinal, range_text, bounds_json, visible_version, "
      "visible_version_time, replication_num, is_temp, row_count, data_size, counted_version) VALUES "
      "({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, 0, 0, {})",
      meta("partitions"), p.id, t.id, quote_string(p.name), ordinal, quote_string(p.range),
      quote_string(bounds.dump()), p.visible_version, quote_string(clock_.now_text()), p.replication_num,
      p.is_temp ? 1 : 0, p.visible_version));
}

Status MariaDbCatalog::recreate_triggers(const TableSchema& t) {
  for (const auto& s : render_triggers(t)) {
    if (auto r = conn_->exec(s); !r) return r;
  }
  return ok();
}

Status MariaDbCatalog::create_table(const TableSchema& schema) {
  std::lock_guard lock(mu_);
  TableSchema t = schema;
  if (t.partitions.empty()) {
    PartitionSchema p;
    p.name = t.name;
    t.partitions.push_back(p);
  }
  auto tid = next_id();
  if (!tid) return std::unexpected(tid.error());
  t.id = *tid;
  for (auto& p : t.partitions) {
    auto pid = next_id();
    if (!pid) return std::unexpected(pid.error());
    p.id = *pid;
    p.visible_version = 1;
    p.row_count = 0;
    p.data_size = 0;
    p.is_temp = false;
  }
  QueryResult r = conn_->run(render_mariadb_create(t));
  if (auto* e = std::get_if<ErrorResult>(&r)) {
    if (e->code == 1050) return fail("emu.table_exists", "Table '{}' already exists", t.name);
    if (e->code == 1049) return fail("emu.analysis", "Unknown database '{}'", t.database);
    return fail("emu.backend", "{}", e->message);
  }
  Status s = recreate_triggers(t);
  if (s) {
    s = in_transaction([&]() -> Status {
      if (auto w = write_table_meta(t); !w) return w;
      for (size_t i = 0; i < t.partitions.size(); ++i) {
        if (auto w = write_partition_meta(t, t.partitions[i], static_cast<int>(i)); !w) return w;
      }
      return ok();
    });
  }
  if (!s) {
    (void)conn_->exec(fmt::format("DROP TABLE IF EXISTS {}.{}", quote_ident(t.database), quote_ident(t.name)));
    return s;
  }
  invalidate(t.database, t.name);
  return ok();
}

Status MariaDbCatalog::register_existing_table(const std::string& db, const std::string& table) {
  TableSchema t;
  {
    std::lock_guard lock(mu_);
    auto cols = conn_->select(fmt::format(
        "SELECT COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, IS_NULLABLE FROM information_schema.COLUMNS WHERE "
        "TABLE_SCHEMA = {} AND TABLE_NAME = {} AND COLUMN_NAME <> '__sk_pid' ORDER BY ORDINAL_POSITION",
        quote_string(db), quote_string(table)));
    if (!cols) return std::unexpected(cols.error());
    for (const auto& r : *cols) {
      ColumnSchema c;
      c.name = r[0].value_or("");
      std::string dt = to_upper(r[1].value_or("varchar"));
      std::string ct = to_upper(r[2].value_or("varchar(65533)"));
      if (dt == "VARCHAR" || dt == "CHAR" || dt == "DECIMAL") {
        c.type = normalize_type(ct).value_or("VARCHAR(65533)");
      } else if (dt == "TEXT" || dt == "MEDIUMTEXT" || dt == "LONGTEXT" || dt == "TINYTEXT") {
        c.type = "VARCHAR(65533)";
      } else if (dt == "MEDIUMINT") {
        c.type = "INT";
      } else if (dt == "TIMESTAMP") {
        c.type = "DATETIME";
      } else {
        c.type = normalize_type(dt).value_or("VARCHAR(65533)");
      }
      c.nullable = r[3].value_or("YES") == "YES";
      t.columns.push_back(c);
    }
  }
  if (t.columns.empty()) return fail("emu.analysis", "Unknown table '{}'", table);
  t.database = db;
  t.name = table;
  t.keys_type = "DUP_KEYS";
  t.key_columns = {t.columns[0].name};
  t.columns[0].is_key = true;
  PartitionSchema p;
  p.name = table;
  t.partitions.push_back(p);
  std::lock_guard lock(mu_);
  auto tid = next_id();
  if (!tid) return std::unexpected(tid.error());
  t.id = *tid;
  auto pid = next_id();
  if (!pid) return std::unexpected(pid.error());
  t.partitions[0].id = *pid;
  // Rows already present count as the first load.
  t.partitions[0].visible_version = 2;
  if (auto s = conn_->exec(fmt::format("ALTER TABLE {}.{} ADD COLUMN {}, ADD CONSTRAINT {} CHECK ({} IS NOT NULL)",
                                       quote_ident(db), quote_ident(table), render_pid_column(t),
                                       quote_ident(kRangeConstraint), quote_ident(kPartitionIdColumn)));
      !s) {
    return s;
  }
  if (auto s = recreate_triggers(t); !s) return s;
  return in_transaction([&]() -> Status {
    if (auto w = write_table_meta(t); !w) return w;
    if (auto w = write_partition_meta(t, t.partitions[0], 0); !w) return w;
    invalidate(db, table);
    return conn_->exec(fmt::format("UPDATE {} SET counted_version = 0 WHERE partition_id = {}", meta("partitions"),
                                   t.partitions[0].id));
  });
}

Status MariaDbCatalog::add_partition(const std::string& db, const std::string& table, const PartitionSchema& p) {
  PartitionDef d;
  d.partition = p;
  return add_partition_defs(db, table, {d});
}

Status MariaDbCatalog::add_partition_defs(const std::string& db, const std::string& table,
                                          std::vector<PartitionDef> defs) {
  std::lock_guard lock(mu_);
  auto t = load_table(db, table);
  if (!t) return std::unexpected(t.error());
  if (!*t) return fail("emu.analysis", "Unknown table '{}'", table);
  TableSchema& ts = **t;
  if (ts.partition_type.empty()) {
    return fail("emu.analysis", "Getting analyzing error. Detail message: Table[{}] is single partition table.", table);
  }
  size_t before = ts.partitions.size();
  int default_rep = 3;
  if (auto it = ts.properties.find("replication_num"); it != ts.properties.end()) default_rep = std::atoi(it->second.c_str());
  for (auto& d : defs) {
    if (d.partition.replication_num == 3) d.partition.replication_num = default_rep;
  }
  if (auto s = add_partitions(ts, std::move(defs)); !s) return s;
  for (size_t i = before; i < ts.partitions.size(); ++i) {
    auto pid = next_id();
    if (!pid) return std::unexpected(pid.error());
    ts.partitions[i].id = *pid;
    ts.partitions[i].visible_version = 1;
    ts.partitions[i].is_temp = false;
  }
  invalidate(db, table);
  Status s = in_transaction([&]() -> Status {
    for (size_t i = before; i < ts.partitions.size(); ++i) {
      if (auto w = write_partition_meta(ts, ts.partitions[i], static_cast<int>(i)); !w) return w;
    }
    return ok();
  });
  if (!s) return s;
  return conn_->exec(render_alter_pid_column(ts));
}

Status MariaDbCatalog::drop_partition(const std::string& db, const std::string& table, const std::string& partition,
                                      bool if_exists) {
  std::lock_guard lock(mu_);
  auto t = load_table(db, table);
  if (!t) return std::unexpected(t.error());
  if (!*t) return fail("emu.analysis", "Unknown table '{}'", table);
  TableSchema& ts = **t;
  if (ts.partition_type.empty()) {
    return fail("emu.analysis", "Getting analyzing error. Detail message: Table[{}] is single partition table.", table);
  }
  auto it = std::find_if(ts.partitions.begin(), ts.partitions.end(),
                         [&](const PartitionSchema& p) { return p.name == partition; });
  if (it == ts.partitions.end()) {
    if (if_exists) return ok();
    return fail("emu.analysis", "Getting analyzing error. Detail message: Partition[{}] does not exist.", partition);
  }
  PartitionSchema dropped = *it;
  std::string pred = partition_predicate(ts, dropped, "");
  ts.partitions.erase(it);
  invalidate(db, table);
  Status s = in_transaction([&]() -> Status {
    if (auto w = conn_->exec("SET @__sk_untracked = 1"); !w) return w;
    if (auto w = conn_->exec(fmt::format("DELETE FROM {}.{} WHERE {}", quote_ident(db), quote_ident(table), pred)); !w) {
      return w;
    }
    if (auto w = conn_->exec("SET @__sk_untracked = NULL"); !w) return w;
    return conn_->exec(fmt::format("DELETE FROM {} WHERE partition_id = {}", meta("partitions"), dropped.id));
  });
  if (!s) return s;
  return conn_->exec(render_alter_pid_column(ts));
}

Status MariaDbCatalog::replace_partition(const std::string& db, const std::string& table,
                                         const std::string& partition, const std::vector<Row>& rows,
                                         int64_t visible_version) {
  std::lock_guard lock(mu_);
  auto t = load_table(db, table);
  if (!t) return std::unexpected(t.error());
  if (!*t) return fail("emu.analysis", "Unknown table '{}.{}'", db, table);
  const TableSchema& ts = **t;
  const PartitionSchema* p = nullptr;
  for (const auto& x : ts.partitions) {
    if (x.name == partition) p = &x;
  }
  if (!p) return fail("emu.analysis", "Unknown partition '{}' in table '{}'", partition, table);
  const std::string target = fmt::format("{}.{}", quote_ident(db), quote_ident(table));
  return in_transaction([&]() -> Status {
    if (auto w = conn_->exec("SET @__sk_untracked = 1"); !w) return w;
    if (auto w = conn_->exec(fmt::format("DELETE FROM {} WHERE {}", target, partition_predicate(ts, *p, ""))); !w) {
      return w;
    }
    constexpr size_t kBatch = 500;
    for (size_t i = 0; i < rows.size(); i += kBatch) {
      std::string sql = fmt::format("INSERT INTO {} VALUES ", target);
      for (size_t j = i; j < std::min(rows.size(), i + kBatch); ++j) {
        if (j > i) sql += ", ";
        sql += "(";
        for (size_t k = 0; k < rows[j].size(); ++k) {
          if (k) sql += ", ";
          sql += sql_value(rows[j][k]);
        }
        sql += ")";
      }
      if (auto w = conn_->exec(sql); !w) return w;
    }
    if (auto w = conn_->exec("SET @__sk_untracked = NULL"); !w) return w;
    return conn_->exec(fmt::format(
        "UPDATE {} SET visible_version = {}, visible_version_time = {}, counted_version = -1 WHERE partition_id = {}",
        meta("partitions"), visible_version, quote_string(clock_.now_text()), p->id));
  });
}

Status MariaDbCatalog::drop_table(const std::string& db, const std::string& table) {
  std::lock_guard lock(mu_);
  auto id = conn_->scalar(fmt::format("SELECT table_id FROM {} WHERE db_name = {} AND table_name = {}", meta("tables"),
                                      quote_string(db), quote_string(table)));
  if (!id) return std::unexpected(id.error());
  QueryResult r = conn_->run(fmt::format("DROP TABLE {}.{}", quote_ident(db), quote_ident(table)));
  if (auto* e = std::get_if<ErrorResult>(&r)) {
    if (e->code == 1051 || e->code == 1146) return fail("emu.unknown_table", "Unknown table '{}.{}'", db, table);
    return fail("emu.backend", "{}", e->message);
  }
  invalidate(db, table);
  if (!*id) return ok();
  return in_transaction([&]() -> Status {
    if (auto w = conn_->exec(fmt::format("DELETE FROM {} WHERE table_id = {}", meta("partitions"), **id)); !w) return w;
    return conn_->exec(fmt::format("DELETE FROM {} WHERE table_id = {}", meta("tables"), **id));
  });
}

Status MariaDbCatalog::swap_tables(const std::string& db, const std::string& a, const std::string& b) {
  std::lock_guard lock(mu_);
  auto ta = load_table(db, a);
  if (!ta) return std::unexpected(ta.error());
  auto tb = load_table(db, b);
  if (!tb) return std::unexpected(tb.error());
  if (!*ta) return fail("emu.analysis", "Getting analyzing error. Detail message: Unknown table '{}'.", a);
  if (!*tb) return fail("emu.analysis", "Getting analyzing error. Detail message: Unknown table '{}'.", b);
  std::string tmp = fmt::format("__sk_swap_{}", (*ta)->id);
  if (auto s = conn_->exec(fmt::format("RENAME TABLE {0}.{1} TO {0}.{2}, {0}.{3} TO {0}.{1}, {0}.{2} TO {0}.{3}",
                                       quote_ident(db), quote_ident(a), quote_ident(tmp), quote_ident(b)));
      !s) {
    return s;
  }
  invalidate(db, a);
  invalidate(db, b);
  return in_transaction([&]() -> Status {
    if (auto w = conn_->exec(fmt::format("UPDATE {} SET table_name = {} WHERE table_id = {}", meta("tables"),
                                         quote_string(tmp), (*ta)->id));
        !w) {
      return w;
    }
    if (auto w = conn_->exec(fmt::format("UPDATE {} SET table_name = {} WHERE table_id = {}", meta("tables"),
                                         quote_string(a), (*tb)->id));
        !w) {
      return w;
    }
    return conn_->exec(fmt::format("UPDATE {} SET table_name = {} WHERE table_id = {}", meta("tables"),
                                   quote_string(b), (*ta)->id));
  });
}

Status MariaDbCatalog::rename_table(const std::string& db, const std::string& from, const std::string& to) {
  std::lock_guard lock(mu_);
  auto t = load_table(db, from);
  if (!t) return std::unexpected(t.error());
  if (!*t) return fail("emu.analysis", "Getting analyzing error. Detail message: Unknown table '{}'.", from);
  QueryResult r = conn_->run(
      fmt::format("RENAME TABLE {0}.{1} TO {0}.{2}", quote_ident(db), quote_ident(from), quote_ident(to)));
  if (auto* e = std::get_if<ErrorResult>(&r)) {
    if (e->code == 1050) return fail("emu.table_exists", "Table '{}' already exists", to);
    return fail("emu.backend", "{}", e->message);
  }
  invalidate(db, from);
  invalidate(db, to);
  (*t)->name = to;
  return write_table_meta(**t);
}

Status MariaDbCatalog::change_columns(const TableSchema& changed, const std::string& mariadb_alter) {
  std::lock_guard lock(mu_);
  if (auto s = conn_->exec(mariadb_alter); !s) return s;
  invalidate(changed.database, changed.name);
  return write_table_meta(changed);
}

Status MariaDbCatalog::truncate(const std::string& db, const std::string& table,
                                const std::vector<std::string>& partitions) {
  std::lock_guard lock(mu_);
  auto t = load_table(db, table);
  if (!t) return std::unexpected(t.error());
  if (!*t) return fail("emu.analysis", "Getting analyzing error. Detail message: Unknown table '{}'.", table);
  const TableSchema& ts = **t;
  std::vector<const PartitionSchema*> targets;
  for (const auto& name : partitions) {
    auto it = std::find_if(ts.partitions.begin(), ts.partitions.end(),
                           [&](const PartitionSchema& p) { return p.name == name; });
    if (it == ts.partitions.end()) {
      return fail("emu.analysis", "Getting analyzing error. Detail message: Partition {} does not exist.", name);
    }
    targets.push_back(&*it);
  }
  if (partitions.empty()) {
    for (const auto& p : ts.partitions) targets.push_back(&p);
  }
  const std::string target = fmt::format("{}.{}", quote_ident(db), quote_ident(table));
  return in_transaction([&]() -> Status {
    if (auto w = conn_->exec("SET @__sk_untracked = 1"); !w) return w;
    for (const auto* p : targets) {
      if (auto w = conn_->exec(fmt::format("DELETE FROM {} WHERE {}", target, partition_predicate(ts, *p, ""))); !w) {
        return w;
      }
      if (auto w = conn_->exec(fmt::format("UPDATE {} SET visible_version = visible_version + 1, "
                                           "visible_version_time = {}, counted_version = -1 WHERE partition_id = {}",
                                           meta("partitions"), quote_string(clock_.now_text()), p->id));
          !w) {
        return w;
      }
    }
    return conn_->exec("SET @__sk_untracked = NULL");
  });
}

Status MariaDbCatalog::refresh_statistics() {
  std::lock_guard lock(mu_);
  auto stale = conn_->select(fmt::format(
      "SELECT DISTINCT t.db_name, t.table_name FROM {} p JOIN {} t ON p.table_id = t.table_id "
      "WHERE p.counted_version <> p.visible_version",
      meta("partitions"), meta("tables")));
  if (!stale) return std::unexpected(stale.error());
  for (const auto& r : *stale) {
    auto t = load_table(r[0].value_or(""), r[1].value_or(""));
    if (!t) return std::unexpected(t.error());
    if (!*t) continue;
    const TableSchema& ts = **t;
    std::string concat = "CONCAT_WS('|'";
    for (const auto& c : ts.columns) concat += ", " + quote_ident(c.name);
    concat += ")";
    auto counts = conn_->select(fmt::format("SELECT {} AS pid, COUNT(*), IFNULL(SUM(LENGTH({}) + 8), 0) FROM {}.{} "
                                            "GROUP BY pid",
                                            quote_ident(kPartitionIdColumn), concat, quote_ident(ts.database),
                                            quote_ident(ts.name)));
    if (!counts) return std::unexpected(counts.error());
    std::map<std::string, std::pair<std::string, std::string>> by_pid;
    for (const auto& c : *counts) by_pid[c[0].value_or("")] = {c[1].value_or("0"), c[2].value_or("0")};
    for (const auto& p : ts.partitions) {
      auto it = by_pid.find(std::to_string(p.id));
      std::string rows = it == by_pid.end() ? "0" : it->second.first;
      std::string size = it == by_pid.end() ? "0" : it->second.second;
      if (auto w = conn_->exec(fmt::format("UPDATE {} SET row_count = {}, data_size = {}, counted_version = {} "
                                           "WHERE partition_id = {} AND visible_version = {}",
                                           meta("partitions"), rows, size, p.visible_version, p.id,
                                           p.visible_version));
          !w) {
        return w;
      }
    }
  }
  return ok();
}

}  // namespace sk::emu
