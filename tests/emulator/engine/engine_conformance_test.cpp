// Conformance tests of the engine through mysql-connector-c++ against a running emulator (private MariaDB +
// starkeep-emulator from the harness fixture): partition versions, information_schema views, SHOW views, cluster
// views, refused MySQL features, primary-key upsert, SWAP WITH and cluster faults.
#include <cppconn/exception.h>
#include <cppconn/resultset.h>
#include <cppconn/resultset_metadata.h>
#include <cppconn/statement.h>
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "emulator/harness/gtest_fixture.h"

namespace sk::emu {
namespace {

struct Table {
  std::vector<std::string> columns;
  std::vector<std::vector<std::optional<std::string>>> rows;

  // Value of `column` in row `r`.
  std::optional<std::string> at(size_t r, const std::string& column) const {
    for (size_t i = 0; i < columns.size(); ++i) {
      if (columns[i] == column) return rows.at(r).at(i);
    }
    ADD_FAILURE() << "no column " << column;
    return std::nullopt;
  }
};

Table query(sql::Connection& c, const std::string& sql) {
  std::unique_ptr<sql::Statement> st(c.createStatement());
  std::unique_ptr<sql::ResultSet> rs(st->executeQuery(sql));
  Table t;
  auto* md = rs->getMetaData();
  for (unsigned i = 1; i <= md->getColumnCount(); ++i) t.columns.push_back(std::string(md->getColumnLabel(i)));
  while (rs->next()) {
    std::vector<std::optional<std::string>> row;
    for (unsigned i = 1; i <= md->getColumnCount(); ++i) {
      std::string v = rs->getString(i);
      row.push_back(rs->wasNull() ? std::nullopt : std::optional<std::string>(v));
    }
    t.rows.push_back(std::move(row));
  }
  return t;
}

void exec(sql::Connection& c, const std::string& sql) {
  std::unique_ptr<sql::Statement> st(c.createStatement());
  st->execute(sql);
}

// The server's error for `sql` (fails the test when the statement succeeds).
struct ServerError {
  int code = 0;
  std::string message;
};
ServerError error_of(sql::Connection& c, const std::string& sql) {
  try {
    std::unique_ptr<sql::Statement> st(c.createStatement());
    st->execute(sql);
  } catch (const sql::SQLException& e) {
    return ServerError{e.getErrorCode(), e.what()};
  }
  ADD_FAILURE() << "statement succeeded: " << sql;
  return {};
}

std::string sql_string(const std::string& v) {
  std::string out = "'";
  for (char ch : v) {
    if (ch == '\'' || ch == '\\') out += ch;
    out += ch;
  }
  return out + "'";
}

std::map<std::string, int64_t> versions(sql::Connection& c, const std::string& db, const std::string& table) {
  Table t = query(c, "SELECT PARTITION_NAME, VISIBLE_VERSION FROM information_schema.partitions_meta WHERE DB_NAME = " +
                         sql_string(db) + " AND TABLE_NAME = " + sql_string(table));
  std::map<std::string, int64_t> out;
  for (size_t r = 0; r < t.rows.size(); ++r) out[*t.at(r, "PARTITION_NAME")] = std::stoll(*t.at(r, "VISIBLE_VERSION"));
  return out;
}

const char* kOrdersDdl =
    "CREATE TABLE orders (dt DATE NOT NULL, id BIGINT NOT NULL, amount DECIMAL(18,2)) DUPLICATE KEY(dt, id) "
    "PARTITION BY RANGE(dt) (PARTITION p202401 VALUES LESS THAN (\"2024-02-01\"), "
    "PARTITION p202402 VALUES LESS THAN (\"2024-03-01\"), PARTITION p202404 VALUES [(\"2024-04-01\"), "
    "(\"2024-05-01\"))) DISTRIBUTED BY HASH(id) BUCKETS 4 PROPERTIES (\"replication_num\" = \"1\")";

class EngineIt : public testing::ClusterFixture {
 protected:
  static void SetUpTestSuite() { start_cluster({"--enable-faults", "--backends", "3", "--frontends", "2"}); }

  // A fresh database named `db` as the connection's current database.
  std::unique_ptr<sql::Connection> fresh(const std::string& db) {
    auto c = connect();
    exec(*c, "DROP DATABASE IF EXISTS " + db);
    exec(*c, "CREATE DATABASE " + db);
    exec(*c, "USE " + db);
    return c;
  }
};

TEST_F(EngineIt, VisibleVersionGrowsByOnePerWritePerTouchedPartition) {
  auto c = fresh("ver_db");
  exec(*c, kOrdersDdl);
  EXPECT_EQ(versions(*c, "ver_db", "orders"),
            (std::map<std::string, int64_t>{{"p202401", 1}, {"p202402", 1}, {"p202404", 1}}));
  exec(*c, "INSERT INTO orders VALUES ('2024-01-05', 1, 10.5), ('2024-01-06', 2, 3)");
  EXPECT_EQ(versions(*c, "ver_db", "orders"),
            (std::map<std::string, int64_t>{{"p202401", 2}, {"p202402", 1}, {"p202404", 1}}));
  exec(*c, "INSERT INTO orders VALUES ('2024-01-07', 3, 1), ('2024-02-07', 4, 1)");
  EXPECT_EQ(versions(*c, "ver_db", "orders"),
            (std::map<std::string, int64_t>{{"p202401", 3}, {"p202402", 2}, {"p202404", 1}}));
  exec(*c, "INSERT INTO orders SELECT dt, id + 100, amount FROM orders WHERE dt < '2024-02-01'");
  exec(*c, "DELETE FROM orders WHERE id = 4");
  EXPECT_EQ(versions(*c, "ver_db", "orders"),
            (std::map<std::string, int64_t>{{"p202401", 4}, {"p202402", 3}, {"p202404", 1}}));

  EXPECT_EQ(query(*c, "SELECT COUNT(*) AS n FROM orders PARTITION (p202401)").at(0, "n"), "6");
  EXPECT_EQ(query(*c, "SELECT COUNT(*) AS n FROM ver_db.orders PARTITIONS (p202402, p202404) o").at(0, "n"), "0");

  Table t = query(*c,
                  "SELECT PARTITION_NAME, PARTITION_ID, VISIBLE_VERSION_TIME, ROW_COUNT, DATA_SIZE, IS_TEMP FROM "
                  "information_schema.partitions_meta WHERE DB_NAME = 'ver_db' ORDER BY PARTITION_NAME");
  ASSERT_EQ(t.rows.size(), 3u);
  EXPECT_EQ(t.at(0, "PARTITION_NAME"), "p202401");
  EXPECT_EQ(t.at(0, "ROW_COUNT"), "6");
  EXPECT_EQ(t.at(1, "ROW_COUNT"), "0");
  EXPECT_EQ(t.at(2, "ROW_COUNT"), "0");
  EXPECT_NE(t.at(0, "DATA_SIZE"), "0");
  EXPECT_EQ(t.at(0, "IS_TEMP"), "0");
  EXPECT_TRUE(std::regex_match(*t.at(0, "VISIBLE_VERSION_TIME"), std::regex(R"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)")));
}

TEST_F(EngineIt, PartitionsMetaHasAllReferenceColumns) {
  auto c = fresh("meta_cols");
  exec(*c, "CREATE TABLE t (k INT NOT NULL) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1 "
           "PROPERTIES ('replication_num' = '1')");
  Table t = query(*c, "SELECT * FROM information_schema.partitions_meta WHERE DB_NAME = 'meta_cols'");
  EXPECT_EQ(t.columns,
            (std::vector<std::string>{"DB_NAME", "TABLE_NAME", "PARTITION_NAME", "PARTITION_ID", "COMPACT_VERSION",
                                      "VISIBLE_VERSION", "VISIBLE_VERSION_TIME", "NEXT_VERSION", "DATA_VERSION",
                                      "VERSION_EPOCH", "VERSION_TXN_TYPE", "PARTITION_KEY", "PARTITION_VALUE",
                                      "DISTRIBUTION_KEY", "BUCKETS", "REPLICATION_NUM", "STORAGE_MEDIUM",
                                      "COOLDOWN_TIME", "LAST_CONSISTENCY_CHECK_TIME", "IS_IN_MEMORY", "IS_TEMP",
                                      "DATA_SIZE", "ROW_COUNT", "ENABLE_DATACACHE", "AVG_CS", "P50_CS", "MAX_CS",
                                      "STORAGE_PATH", "STORAGE_SIZE", "METADATA_SWITCH_VERSION",
                                      "TABLET_BALANCED"}));
  ASSERT_EQ(t.rows.size(), 1u);
  EXPECT_EQ(t.at(0, "PARTITION_NAME"), "t");  // unpartitioned: one partition named after the table
  EXPECT_EQ(t.at(0, "VISIBLE_VERSION"), "1");
}

TEST_F(EngineIt, InsertOutsideEveryPartitionIsFilteredAndChangesNothing) {
  auto c = fresh("gap_db");
  exec(*c, kOrdersDdl);
  ServerError e = error_of(*c, "INSERT INTO orders VALUES ('2024-01-09', 1, 1), ('2024-03-15', 2, 1)");
  EXPECT_EQ(e.code, 1064);
  EXPECT_NE(e.message.find("Insert has filtered data in strict mode"), std::string::npos) << e.message;
  EXPECT_EQ(query(*c, "SELECT COUNT(*) AS n FROM orders").at(0, "n"), "0");
  EXPECT_EQ(versions(*c, "gap_db", "orders"),
            (std::map<std::string, int64_t>{{"p202401", 1}, {"p202402", 1}, {"p202404", 1}}));
  exec(*c, "ALTER TABLE orders ADD PARTITION p202403 VALUES [('2024-03-01'), ('2024-04-01'))");
  exec(*c, "INSERT INTO orders VALUES ('2024-03-15', 2, 1)");
  EXPECT_EQ(versions(*c, "gap_db", "orders").at("p202403"), 2);
  Table shown = query(*c, "SHOW PARTITIONS FROM orders");  // sorted by range, not by creation
  ASSERT_EQ(shown.rows.size(), 4u);
  EXPECT_EQ(shown.at(2, "PartitionName"), "p202403");
  EXPECT_EQ(shown.at(3, "PartitionName"), "p202404");
  exec(*c, "ALTER TABLE orders DROP PARTITION p202403");
  EXPECT_EQ(query(*c, "SELECT COUNT(*) AS n FROM orders").at(0, "n"), "0");
  EXPECT_FALSE(versions(*c, "gap_db", "orders").contains("p202403"));
}

TEST_F(EngineIt, TablesConfigPartitionKeyAndEmptyInformationSchemaPartitions) {
  auto c = fresh("cfg_db");
  exec(*c, kOrdersDdl);
  exec(*c, "CREATE TABLE dim (id BIGINT NOT NULL, name VARCHAR(32)) PRIMARY KEY(id) DISTRIBUTED BY HASH(id) "
           "BUCKETS 2 PROPERTIES ('replication_num' = '1')");
  Table t = query(*c, "SELECT TABLE_NAME, TABLE_MODEL, PARTITION_KEY, PRIMARY_KEY, DISTRIBUTE_TYPE, DISTRIBUTE_BUCKET "
                      "FROM information_schema.tables_config WHERE TABLE_SCHEMA = 'cfg_db' ORDER BY TABLE_NAME");
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.at(0, "TABLE_NAME"), "dim");
  EXPECT_EQ(t.at(0, "PARTITION_KEY"), "");
  EXPECT_EQ(t.at(0, "TABLE_MODEL"), "PRI_KEYS");
  EXPECT_EQ(t.at(0, "PRIMARY_KEY"), "`id`");
  EXPECT_EQ(t.at(1, "PARTITION_KEY"), "`dt`");
  EXPECT_EQ(t.at(1, "TABLE_MODEL"), "DUP_KEYS");
  EXPECT_EQ(t.at(1, "PRIMARY_KEY"), "");
  EXPECT_EQ(t.at(1, "DISTRIBUTE_BUCKET"), "4");
  EXPECT_TRUE(query(*c, "SELECT * FROM information_schema.partitions WHERE TABLE_SCHEMA = 'cfg_db'").rows.empty());
  Table tables = query(*c, "SELECT TABLE_NAME, ENGINE FROM information_schema.tables WHERE TABLE_SCHEMA = 'cfg_db' "
                           "ORDER BY TABLE_NAME");
  ASSERT_EQ(tables.rows.size(), 2u);
  EXPECT_EQ(tables.at(0, "ENGINE"), "StarRocks");
}

TEST_F(EngineIt, ShowPartitionsColumnsExactly) {
  auto c = fresh("showp_db");
  exec(*c, kOrdersDdl);
  exec(*c, "CREATE TABLE single (k INT NOT NULL) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1 "
           "PROPERTIES ('replication_num' = '1')");
  exec(*c, "INSERT INTO orders VALUES ('2024-02-02', 1, 1)");
  Table t = query(*c, "SHOW PARTITIONS FROM showp_db.orders");
  EXPECT_EQ(t.columns, (std::vector<std::string>{"PartitionId", "PartitionName", "VisibleVersion",
                                                 "VisibleVersionTime", "VisibleVersionHash", "State", "PartitionKey",
                                                 "Range", "DistributionKey", "Buckets", "ReplicationNum",
                                                 "StorageMedium", "CooldownTime", "LastConsistencyCheckTime",
                                                 "DataSize", "IsInMemory", "RowCount"}));
  ASSERT_EQ(t.rows.size(), 3u);
  EXPECT_EQ(t.at(1, "PartitionName"), "p202402");
  EXPECT_EQ(t.at(1, "VisibleVersion"), "2");
  EXPECT_EQ(t.at(1, "RowCount"), "1");
  EXPECT_EQ(t.at(1, "PartitionKey"), "dt");
  EXPECT_EQ(t.at(1, "Range"), "[types: [DATE]; keys: [2024-02-01]; ..types: [DATE]; keys: [2024-03-01]; )");
  EXPECT_EQ(t.at(0, "DataSize"), "0B");
  Table s = query(*c, "SHOW PARTITIONS FROM single");
  ASSERT_EQ(s.rows.size(), 1u);
  EXPECT_EQ(s.at(0, "PartitionName"), "single");
  EXPECT_EQ(s.at(0, "PartitionKey"), "");
  EXPECT_EQ(s.at(0, "Range"), "");
  Table w = query(*c, "SHOW PARTITIONS FROM orders WHERE PartitionName = 'p202404'");
  ASSERT_EQ(w.rows.size(), 1u);
  EXPECT_EQ(w.at(0, "VisibleVersion"), "1");
  EXPECT_EQ(w.columns.size(), 17u);
}

TEST_F(EngineIt, ClusterViewsColumnsAndFormats) {
  auto c = connect();
  Table fe = query(*c, "SHOW FRONTENDS");
  EXPECT_EQ(fe.columns, (std::vector<std::string>{"Name", "IP", "EditLogPort", "HttpPort", "QueryPort", "RpcPort",
                                                  "Role", "ClusterId", "Join", "Alive", "ReplayedJournalId",
                                                  "LastHeartbeat", "IsHelper", "ErrMsg", "StartTime", "Version"}));
  ASSERT_EQ(fe.rows.size(), 2u);
  EXPECT_EQ(fe.at(0, "Role"), "LEADER");
  EXPECT_EQ(fe.at(0, "Alive"), "true");
  Table be = query(*c, "SHOW BACKENDS");
  ASSERT_EQ(be.rows.size(), 3u);
  EXPECT_EQ(be.columns.front(), "BackendId");
  EXPECT_EQ(be.columns.back(), "Location");  // 3.3 column set
  std::regex capacity(R"(\d+\.\d{3} (B|KB|MB|GB|TB))");
  std::regex percent(R"(\d+\.\d\d %)");
  EXPECT_TRUE(std::regex_match(*be.at(0, "AvailCapacity"), capacity)) << *be.at(0, "AvailCapacity");
  EXPECT_TRUE(std::regex_match(*be.at(0, "TotalCapacity"), capacity));
  EXPECT_TRUE(std::regex_match(*be.at(0, "UsedPct"), percent)) << *be.at(0, "UsedPct");
  EXPECT_TRUE(std::regex_match(*be.at(0, "MaxDiskUsedPct"), percent));
  Table proc = query(*c, "SHOW PROC '/backends/10001'");
  EXPECT_EQ(proc.columns, (std::vector<std::string>{"RootPath", "DataUsedCapacity", "OtherUsedCapacity",
                                                    "AvailCapacity", "TotalCapacity", "TotalUsedPct", "State",
                                                    "PathHash", "StorageMedium", "TabletNum", "DataTotalCapacity",
                                                    "DataUsedPct"}));
  EXPECT_EQ(query(*c, "SHOW PROC '/backends'").columns, be.columns);
  EXPECT_EQ(query(*c, "SHOW PROC '/frontends'").columns, fe.columns);
  EXPECT_EQ(error_of(*c, "SHOW PROC '/backends/abc'").message, "Invalid backend id format: abc");
  EXPECT_EQ(error_of(*c, "SHOW PROC '/backends/77'").message, "Backend[77] does not exist.");
}

TEST_F(EngineIt, VersionsAndVariables) {
  auto c = connect();
  Table v = query(*c, "SELECT version(), current_version(), @@version_comment");
  EXPECT_EQ(v.columns, (std::vector<std::string>{"version()", "current_version()", "@@version_comment"}));
  EXPECT_EQ(v.rows.at(0).at(0), "5.1.0");
  EXPECT_EQ(v.rows.at(0).at(1), "3.3.0-emulator");
  EXPECT_EQ(v.rows.at(0).at(2), "3.3.0-emulator");
  ServerError use = error_of(*c, "USE no_such_db");
  EXPECT_EQ(use.code, 1064);
  EXPECT_EQ(use.message, "Unknown database 'no_such_db'");
  Table tz = query(*c, "SHOW VARIABLES LIKE 'time_zone'");
  ASSERT_EQ(tz.rows.size(), 1u);
  EXPECT_EQ(tz.rows[0][1], "Asia/Shanghai");
  Table dbs = query(*c, "SHOW DATABASES");
  for (const auto& r : dbs.rows) {
    EXPECT_NE(r[0], "__starrocks_emu");
    EXPECT_NE(r[0], "mysql");
  }
}

TEST_F(EngineIt, MySqlFeaturesStarRocksLacksAreRefused) {
  auto c = fresh("refuse_db");
  exec(*c, "CREATE TABLE t (k INT NOT NULL) PRIMARY KEY(k) DISTRIBUTED BY HASH(k) PROPERTIES ('replication_num'='1')");
  ServerError lock = error_of(*c, "SELECT GET_LOCK('starkeep', 5)");
  EXPECT_EQ(lock.code, 1064);
  EXPECT_NE(lock.message.find("No matching function with signature: get_lock"), std::string::npos) << lock.message;
  EXPECT_NE(error_of(*c, "SELECT RELEASE_LOCK('starkeep')").message.find("release_lock"), std::string::npos);
  EXPECT_NE(error_of(*c, "SELECT IS_FREE_LOCK('starkeep')").message.find("is_free_lock"), std::string::npos);
  ServerError fu = error_of(*c, "SELECT * FROM t WHERE k = 1 FOR UPDATE");
  EXPECT_NE(fu.message.find("Getting syntax error"), std::string::npos) << fu.message;
  EXPECT_NE(error_of(*c, "SELECT * FROM t LOCK IN SHARE MODE").message.find("Getting syntax error"),
            std::string::npos);
  EXPECT_NE(error_of(*c, "LOCK TABLES t WRITE").message.find("Getting syntax error"), std::string::npos);
  EXPECT_NE(error_of(*c, "BEGIN").message.find("Getting analyzing error"), std::string::npos);
  EXPECT_NE(error_of(*c, "START TRANSACTION").message.find("Getting analyzing error"), std::string::npos);
  EXPECT_NE(error_of(*c, "SELECT 1; SELECT 2").message.find("Getting syntax error"), std::string::npos);
  EXPECT_NE(error_of(*c, "REPLACE INTO t VALUES (1)").message.find("Getting syntax error"), std::string::npos);
  EXPECT_NE(error_of(*c, "INSERT INTO t VALUES (1) ON DUPLICATE KEY UPDATE k = 2").message.find("Getting syntax error"),
            std::string::npos);
  EXPECT_NE(error_of(*c, "INSERT IGNORE INTO t VALUES (1)").message.find("Getting syntax error"), std::string::npos);
  EXPECT_NE(error_of(*c, "CALL some_procedure()").message.find("Getting syntax error"), std::string::npos);
  EXPECT_NE(error_of(*c, "CREATE TABLE inno (k INT) ENGINE=InnoDB").message.find("Unknown engine name"),
            std::string::npos);
  // Still usable afterwards.
  EXPECT_EQ(query(*c, "SELECT 1 AS one").at(0, "one"), "1");
}

TEST_F(EngineIt, PrimaryKeyInsertUpserts) {
  auto c = fresh("pk_db");
  exec(*c, "CREATE TABLE run_status (db VARCHAR(64) NOT NULL, state VARCHAR(16)) PRIMARY KEY(db) "
           "DISTRIBUTED BY HASH(db) BUCKETS 1 PROPERTIES ('replication_num' = '1')");
  exec(*c, "INSERT INTO run_status VALUES ('sales', 'ACTIVE')");
  {
    std::unique_ptr<sql::Statement> st(c->createStatement());
    EXPECT_EQ(st->executeUpdate("INSERT INTO run_status VALUES ('sales', 'DONE')"), 1);  // upsert, no error
  }
  Table t = query(*c, "SELECT db, state FROM run_status");
  ASSERT_EQ(t.rows.size(), 1u);
  EXPECT_EQ(t.at(0, "state"), "DONE");
  EXPECT_EQ(versions(*c, "pk_db", "run_status").at("run_status"), 3);
  {
    std::unique_ptr<sql::Statement> st(c->createStatement());
    EXPECT_EQ(st->executeUpdate("INSERT INTO run_status VALUES ('crm', 'A'), ('sales', 'DONE')"), 2);
    EXPECT_EQ(st->executeUpdate("DELETE FROM run_status WHERE db = 'crm'"), 1);
  }
  EXPECT_EQ(versions(*c, "pk_db", "run_status").at("run_status"), 5);
  EXPECT_TRUE(query(*c, "SHOW ALTER TABLE COLUMN").rows.empty());
  exec(*c, "UPDATE run_status SET state = 'X' WHERE db = 'sales'");
  EXPECT_EQ(query(*c, "SELECT state FROM run_status").at(0, "state"), "X");
  EXPECT_NE(error_of(*c, "UPDATE run_status SET state = 'Y', db = 'other' WHERE db = 'sales'")
                .message.find("primary key column cannot be updated: db"),
            std::string::npos);
  exec(*c, "CREATE TABLE dup (k INT NOT NULL) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) PROPERTIES ('replication_num'='1')");
  exec(*c, "INSERT INTO dup VALUES (1), (1)");
  EXPECT_EQ(query(*c, "SELECT COUNT(*) AS n FROM dup").at(0, "n"), "2");
  EXPECT_NE(error_of(*c, "UPDATE dup SET k = 2").message.find("primary key"), std::string::npos);
}

TEST_F(EngineIt, SwapWithExchangesTablesAtomicallyWithTheirPartitions) {
  auto c = fresh("swap_db");
  exec(*c, "CREATE TABLE live (k INT NOT NULL, v VARCHAR(8)) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) "
           "PROPERTIES ('replication_num'='1')");
  exec(*c, "CREATE TABLE staging LIKE live");
  exec(*c, "INSERT INTO live VALUES (1, 'old')");
  exec(*c, "INSERT INTO staging VALUES (2, 'new')");
  exec(*c, "INSERT INTO staging VALUES (3, 'new')");
  exec(*c, "ALTER TABLE live SWAP WITH staging");
  EXPECT_EQ(query(*c, "SELECT COUNT(*) AS n FROM live").at(0, "n"), "2");
  EXPECT_EQ(query(*c, "SELECT v FROM staging").at(0, "v"), "old");
  // Versions travel with the data.
  EXPECT_EQ(versions(*c, "swap_db", "live").begin()->second, 3);
  EXPECT_EQ(versions(*c, "swap_db", "staging").begin()->second, 2);
  Table create = query(*c, "SHOW CREATE TABLE live");
  EXPECT_EQ(create.columns, (std::vector<std::string>{"Table", "Create Table"}));
  EXPECT_NE(create.at(0, "Create Table")->find("CREATE TABLE `live`"), std::string::npos);
  exec(*c, "TRUNCATE TABLE live");
  EXPECT_EQ(query(*c, "SELECT COUNT(*) AS n FROM live").at(0, "n"), "0");
  exec(*c, "DROP TABLE staging");
  EXPECT_TRUE(versions(*c, "swap_db", "staging").empty());
}

TEST_F(EngineIt, ClusterFaults) {
  auto c = connect();
  exec(*c, "ADMIN EMULATOR SET BACKEND 10002 ALIVE = false");
  Table be = query(*c, "SHOW BACKENDS");
  EXPECT_EQ(be.at(1, "Alive"), "false");
  EXPECT_EQ(be.at(0, "Alive"), "true");
  exec(*c, "ADMIN EMULATOR SET BACKEND 10002 ALIVE = true");
  EXPECT_EQ(query(*c, "SHOW BACKENDS").at(1, "Alive"), "true");

  exec(*c, "ADMIN EMULATOR SET BACKEND 10003 DISK '/data1/starrocks/storage' AVAIL = 107374182400 "
           "TOTAL = 1099511627776");
  Table metric = query(*c, "SELECT m.VALUE FROM information_schema.be_metrics m WHERE m.BE_ID = 10003 AND "
                           "m.NAME = 'disks_avail_capacity'");
  EXPECT_EQ(metric.at(0, "VALUE"), "107374182400");
  Table cfg = query(*c, "SELECT BE_ID, VALUE FROM information_schema.be_configs WHERE NAME = 'snapshot_expire_time_sec'");
  EXPECT_EQ(cfg.rows.size(), 3u);
  EXPECT_EQ(cfg.at(0, "VALUE"), "172800");
  Table disk = query(*c, "SHOW PROC '/backends/10003'");
  EXPECT_EQ(disk.at(0, "AvailCapacity"), "100.000 GB");
  EXPECT_EQ(disk.at(0, "TotalCapacity"), "1.000 TB");
  EXPECT_EQ(disk.at(0, "TotalUsedPct"), "90.23 %");
  EXPECT_EQ(error_of(*c, "ADMIN EMULATOR SET BACKEND 999 ALIVE = false").message, "Backend[999] does not exist.");

  std::string follower = *query(*c, "SHOW FRONTENDS").at(1, "Name");
  exec(*c, "ADMIN EMULATOR SET FRONTEND '" + follower + "' ALIVE = false");
  EXPECT_EQ(query(*c, "SHOW FRONTENDS").at(1, "Alive"), "false");
  exec(*c, "ADMIN EMULATOR SET FRONTEND '" + follower + "' ALIVE = true");

  // The first FE is the one we talk to: while it is dead, everything but the control statements fails.
  std::string leader = *query(*c, "SHOW FRONTENDS").at(0, "Name");
  exec(*c, "ADMIN EMULATOR SET FRONTEND '" + leader + "' ALIVE = false");
  EXPECT_NE(error_of(*c, "SELECT 1").message.find("Frontend is not alive"), std::string::npos);
  exec(*c, "ADMIN EMULATOR SET FRONTEND '" + leader + "' ALIVE = true");
  EXPECT_EQ(query(*c, "SELECT 1 AS one").at(0, "one"), "1");

  auto other = connect();
  // The issuing connection is dropped too, usually before its OK arrives.
  try {
    exec(*c, "ADMIN EMULATOR DROP CONNECTIONS");
  } catch (const sql::SQLException&) {
  }
  EXPECT_THROW(query(*other, "SELECT 1"), sql::SQLException);
  auto fresh_conn = connect();
  EXPECT_EQ(query(*fresh_conn, "SELECT 1 AS one").at(0, "one"), "1");
}

TEST_F(EngineIt, ListPartitionsCtasOverwriteAndChecksumQueries) {
  auto c = fresh("misc_db");
  exec(*c, "CREATE TABLE city (city VARCHAR(20) NOT NULL, v INT) DUPLICATE KEY(city) PARTITION BY LIST(city) "
           "(PARTITION pbj VALUES IN ('beijing', 'tianjin'), PARTITION psh VALUES IN ('shanghai')) "
           "DISTRIBUTED BY RANDOM PROPERTIES ('replication_num' = '1')");
  exec(*c, "INSERT INTO city VALUES ('beijing', 1), ('tianjin', 2)");
  EXPECT_NE(error_of(*c, "INSERT INTO city VALUES ('paris', 3)").message.find("Insert has filtered data"),
            std::string::npos);
  EXPECT_EQ(versions(*c, "misc_db", "city"), (std::map<std::string, int64_t>{{"pbj", 2}, {"psh", 1}}));
  Table list = query(*c, "SHOW PARTITIONS FROM city");
  EXPECT_EQ(list.columns.at(7), "List");

  exec(*c, "INSERT OVERWRITE city PARTITION (pbj) SELECT 'beijing', 9");
  EXPECT_EQ(query(*c, "SELECT COUNT(*) AS n, SUM(v) AS s FROM city").at(0, "s"), "9");
  EXPECT_EQ(versions(*c, "misc_db", "city"), (std::map<std::string, int64_t>{{"pbj", 3}, {"psh", 1}}));

  // Rows outside the named partitions are filtered, and the whole statement fails (nothing deleted either).
  EXPECT_NE(error_of(*c, "INSERT OVERWRITE city PARTITION (pbj) SELECT 'shanghai', 7").message.find(
                "Insert has filtered data"),
            std::string::npos);
  EXPECT_NE(error_of(*c, "INSERT INTO city PARTITION (psh) VALUES ('tianjin', 1)").message.find(
                "Insert has filtered data"),
            std::string::npos);
  EXPECT_EQ(query(*c, "SELECT COUNT(*) AS n, SUM(v) AS s FROM city").at(0, "s"), "9");
  EXPECT_EQ(versions(*c, "misc_db", "city"), (std::map<std::string, int64_t>{{"pbj", 3}, {"psh", 1}}));

  exec(*c, "CREATE TABLE copy AS SELECT city, v FROM city");
  EXPECT_EQ(query(*c, "SELECT COUNT(*) AS n FROM copy").at(0, "n"), "1");
  EXPECT_EQ(query(*c, "SELECT TABLE_MODEL FROM information_schema.tables_config WHERE TABLE_SCHEMA = 'misc_db' AND "
                      "TABLE_NAME = 'copy'")
                .at(0, "TABLE_MODEL"),
            "DUP_KEYS");

  // The runner's fingerprint query shape (reference §8) runs and is deterministic.
  const std::string fp =
      "SELECT COUNT(*) AS n, SUM(CAST(murmur_hash3_32(concat_ws('|', ifnull(cast(city as varchar), '\\N'), "
      "ifnull(cast(v as varchar), '\\N'))) AS BIGINT)) AS h, SUM(CAST(xx_hash3_64(city) AS LARGEINT)) AS x FROM city";
  Table a = query(*c, fp);
  Table b = query(*c, fp);
  EXPECT_EQ(a.at(0, "n"), "1");
  EXPECT_EQ(a.at(0, "h"), b.at(0, "h"));
  EXPECT_TRUE(a.at(0, "h").has_value());

  exec(*c, "TRUNCATE TABLE city PARTITION (pbj)");
  EXPECT_EQ(query(*c, "SELECT COUNT(*) AS n FROM city").at(0, "n"), "0");
  EXPECT_EQ(versions(*c, "misc_db", "city").at("pbj"), 4);

  for (const auto& r : query(*c, "SELECT SCHEMA_NAME FROM information_schema.schemata").rows) {
    EXPECT_NE(r[0], "__starrocks_emu");
  }
}

TEST_F(EngineIt, ManyRangePartitionsRouteEveryRowToItsOwnPartition) {
  auto c = fresh("many_db");
  exec(*c, "CREATE TABLE daily (dt DATE NOT NULL, id INT NOT NULL) DUPLICATE KEY(dt) PARTITION BY RANGE(dt) "
           "(PARTITION pmin VALUES LESS THAN ('2024-01-01'), START ('2024-01-01') END ('2024-02-10') EVERY "
           "(INTERVAL 1 DAY)) DISTRIBUTED BY HASH(id) PROPERTIES ('replication_num' = '1')");
  exec(*c, "ALTER TABLE daily DROP PARTITION p20240120");
  std::string values;
  for (int d = 1; d <= 40; ++d) {
    if (d == 20) continue;
    std::string day = d <= 31 ? fmt::format("2024-01-{:02}", d) : fmt::format("2024-02-{:02}", d - 31);
    values += fmt::format("{}('{}', {})", values.empty() ? "" : ", ", day, d);
  }
  exec(*c, "INSERT INTO daily VALUES " + values + ", ('2023-06-01', 0)");
  auto v = versions(*c, "many_db", "daily");
  ASSERT_EQ(v.size(), 40u);  // pmin + 40 days - the dropped one
  for (const auto& [name, version] : v) EXPECT_EQ(version, 2) << name;
  Table counts = query(*c, "SELECT PARTITION_NAME, ROW_COUNT FROM information_schema.partitions_meta WHERE "
                           "DB_NAME = 'many_db'");
  for (size_t r = 0; r < counts.rows.size(); ++r) EXPECT_EQ(counts.at(r, "ROW_COUNT"), "1") << *counts.at(r, "PARTITION_NAME");
  EXPECT_EQ(query(*c, "SELECT id FROM daily PARTITION (p20240207)").at(0, "id"), "38");
  EXPECT_NE(error_of(*c, "INSERT INTO daily VALUES ('2024-01-20', 1)").message.find("Insert has filtered data"),
            std::string::npos);
  EXPECT_NE(error_of(*c, "INSERT INTO daily VALUES ('2024-02-10', 1)").message.find("Insert has filtered data"),
            std::string::npos);
  exec(*c, "DELETE FROM daily WHERE dt = '2024-01-21'");
  v = versions(*c, "many_db", "daily");
  EXPECT_EQ(v.at("p20240121"), 3);
  EXPECT_EQ(v.at("p20240122"), 2);
  EXPECT_EQ(v.at("pmin"), 2);
}

TEST_F(EngineIt, ConcurrentWritersEachAdvanceTheVersionOnce) {
  auto c = fresh("conc_db");
  exec(*c, "CREATE TABLE ev (k BIGINT NOT NULL, v INT) PRIMARY KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1 "
           "PROPERTIES ('replication_num' = '1')");
  constexpr int kThreads = 4;
  constexpr int kWrites = 10;
  std::vector<std::thread> threads;
  std::vector<std::string> errors(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      try {
        auto w = connect("root", "", "conc_db");
        for (int i = 0; i < kWrites; ++i) {
          exec(*w, "INSERT INTO ev VALUES (" + std::to_string(i) + ", " + std::to_string(t) + ")");
        }
      } catch (const sql::SQLException& e) {
        errors[t] = e.what();
      }
    });
  }
  for (auto& th : threads) th.join();
  for (const auto& e : errors) EXPECT_EQ(e, "");
  EXPECT_EQ(versions(*c, "conc_db", "ev").at("ev"), 1 + kThreads * kWrites);
  EXPECT_EQ(query(*c, "SELECT COUNT(*) AS n FROM ev").at(0, "n"), std::to_string(kWrites));
}

TEST_F(EngineIt, AddModifyDropColumn) {
  auto c = fresh("alter_db");
  exec(*c, "CREATE TABLE h (id BIGINT NOT NULL, state VARCHAR(16)) PRIMARY KEY(id) DISTRIBUTED BY HASH(id) "
           "PROPERTIES ('replication_num' = '1')");
  exec(*c, "INSERT INTO h VALUES (1, 'DONE')");
  exec(*c, "ALTER TABLE h ADD COLUMN bytes BIGINT NULL DEFAULT \"0\" COMMENT 'size' AFTER id");
  exec(*c, "ALTER TABLE h ADD COLUMN (note VARCHAR(200), tries INT NOT NULL DEFAULT '1')");
  Table t = query(*c, "SELECT * FROM h");
  EXPECT_EQ(t.columns, (std::vector<std::string>{"id", "bytes", "state", "note", "tries"}));
  EXPECT_EQ(t.at(0, "bytes"), "0");
  EXPECT_EQ(t.at(0, "tries"), "1");
  exec(*c, "INSERT INTO h VALUES (2, 10, 'X', 'n', 3)");
  exec(*c, "ALTER TABLE h MODIFY COLUMN state VARCHAR(64)");
  exec(*c, "ALTER TABLE h DROP COLUMN note");
  Table d = query(*c, "DESC h");
  ASSERT_EQ(d.rows.size(), 4u);
  EXPECT_EQ(d.at(2, "Type"), "varchar(64)");
  EXPECT_NE(query(*c, "SHOW CREATE TABLE h").at(0, "Create Table")->find("`bytes` bigint(20) NULL DEFAULT \"0\" "
                                                                          "COMMENT \"size\""),
            std::string::npos);
  EXPECT_NE(error_of(*c, "ALTER TABLE h DROP COLUMN id").message.find("Can not drop key column"), std::string::npos);
  EXPECT_NE(error_of(*c, "ALTER TABLE h ADD COLUMN state INT").message.find("already exists"), std::string::npos);
  EXPECT_EQ(query(*c, "SELECT COUNT(*) AS n FROM h").at(0, "n"), "2");
}

class EngineV41It : public testing::ClusterFixture {
 protected:
  static void SetUpTestSuite() {
    start_cluster({"--starrocks-version", "4.1.0", "--error-code", "5064", "--time-zone", "UTC", "--backends", "1",
                   "--user", "root:", "--user", "alice:s3cret"});
  }
};

TEST_F(EngineV41It, VersionSwitchesErrorCodeAndTimeZone) {
  auto c = connect();
  Table fe = query(*c, "SHOW FRONTENDS");
  EXPECT_EQ(fe.columns.front(), "Id");
  EXPECT_EQ(fe.columns.at(1), "Name");
  EXPECT_EQ(query(*c, "SHOW BACKENDS").columns.back(), "StatusCode");
  EXPECT_EQ(query(*c, "SELECT current_version() AS v").at(0, "v"), "4.1.0-emulator");
  EXPECT_EQ(query(*c, "SHOW VARIABLES LIKE 'time_zone'").rows.at(0).at(1), "UTC");
  try {
    exec(*c, "SELECT * FROM nowhere.t FOR UPDATE");
    ADD_FAILURE() << "FOR UPDATE accepted";
  } catch (const sql::SQLException& e) {
    EXPECT_EQ(e.getErrorCode(), 5064);
    EXPECT_EQ(e.getSQLState(), "42000");
  }
}

TEST_F(EngineV41It, ConfiguredUsersAuthenticate) {
  auto alice = connect("alice", "s3cret");
  EXPECT_EQ(query(*alice, "SELECT 1 AS one").at(0, "one"), "1");
  EXPECT_THROW(connect("alice", "wrong"), sql::SQLException);
  EXPECT_THROW(connect("mallory", ""), sql::SQLException);
}

TEST_F(EngineIt, HostileNamesAreQuotedEverywhere) {
  auto c = connect();
  exec(*c, "DROP DATABASE IF EXISTS `we'ird db`");
  exec(*c, "CREATE DATABASE `we'ird db`");
  exec(*c, "USE `we'ird db`");
  exec(*c, "CREATE TABLE `t-1 ``x` (`k\"ey` INT NOT NULL, `v;al` VARCHAR(10)) DUPLICATE KEY(`k\"ey`) "
           "PARTITION BY RANGE(`k\"ey`) (PARTITION `p one` VALUES LESS THAN (\"10\"), PARTITION `p'two` VALUES "
           "LESS THAN (\"20\")) DISTRIBUTED BY HASH(`k\"ey`) PROPERTIES ('replication_num' = '1')");
  exec(*c, "INSERT INTO `t-1 ``x` VALUES (1, 'a;b'), (15, 'c')");
  EXPECT_EQ(query(*c, "SELECT `v;al` FROM `t-1 ``x` PARTITION (`p'two`)").at(0, "v;al"), "c");
  EXPECT_EQ(versions(*c, "we'ird db", "t-1 `x"), (std::map<std::string, int64_t>{{"p one", 2}, {"p'two", 2}}));
  Table p = query(*c, "SHOW PARTITIONS FROM `t-1 ``x` WHERE PartitionName = 'p''two'");
  ASSERT_EQ(p.rows.size(), 1u);
  EXPECT_EQ(p.at(0, "RowCount"), "1");
  exec(*c, "CREATE TABLE `t2` LIKE `t-1 ``x`");
  exec(*c, "ALTER TABLE `t-1 ``x` SWAP WITH `t2`");
  EXPECT_EQ(query(*c, "SELECT COUNT(*) AS n FROM `t2`").at(0, "n"), "2");
  exec(*c, "DROP DATABASE `we'ird db`");
}

class EngineNoFaultsIt : public testing::ClusterFixture {
 protected:
  static void SetUpTestSuite() { start_cluster({"--backends", "1", "--starrocks-version", "3.2.0"}); }
};

TEST_F(EngineNoFaultsIt, ControlStatementsAreParseErrorsAndReplicationIsChecked) {
  auto c = connect();
  ServerError e = error_of(*c, "ADMIN EMULATOR SET BACKEND 10001 ALIVE = false");
  EXPECT_NE(e.message.find("Getting syntax error"), std::string::npos) << e.message;
  EXPECT_EQ(query(*c, "SHOW BACKENDS").columns.back(), "CpuCores");  // 3.2 column set
  exec(*c, "CREATE DATABASE IF NOT EXISTS rep_db");
  ServerError rep = error_of(*c, "CREATE TABLE rep_db.t (k INT) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k)");
  EXPECT_NE(rep.message.find("Table replication num should be less than or equal to the number of available BE"),
            std::string::npos)
      << rep.message;
  EXPECT_NO_THROW(exec(*c, "CREATE TABLE rep_db.t (k INT) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) "
                           "PROPERTIES ('replication_num' = '1')"));
}

}  // namespace
}  // namespace sk::emu
