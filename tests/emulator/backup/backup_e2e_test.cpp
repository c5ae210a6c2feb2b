// End-to-end conformance of BACKUP/RESTORE through the real emulator binary and MariaDB, spoken to with
// mysql-connector-c++ exactly as the runner does: create a partitioned table, load rows with NULL and
// non-ASCII text, back it up, follow SHOW BACKUP to FINISHED, read SHOW SNAPSHOT in both shapes, restore into
// another database under an alias and compare the rows one by one.
#include <cppconn/exception.h>
#include <cppconn/resultset.h>
#include <cppconn/resultset_metadata.h>
#include <cppconn/statement.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "emulator/harness/gtest_fixture.h"

namespace sk::emu {
namespace {

class BackupE2eTest : public testing::ClusterFixture {
 protected:
  static void SetUpTestSuite() { start_cluster({"--enable-faults", "--time-scale", "50"}); }

  static void exec(sql::Connection& conn, const std::string& sql) {
    SCOPED_TRACE(sql);
    std::unique_ptr<sql::Statement> st(conn.createStatement());
    try {
      st->execute(sql);
    } catch (const sql::SQLException& e) {
      ADD_FAILURE() << sql << " failed: " << e.what();
      throw;
    }
  }

  struct SqlError {
    std::string message;
    int code = 0;
    std::string sql_state;
  };
  // Runs a statement that may fail; returns the error, or nullopt when it succeeded.
  static std::optional<SqlError> try_exec(sql::Connection& conn, const std::string& sql) {
    std::unique_ptr<sql::Statement> st(conn.createStatement());
    try {
      st->execute(sql);
    } catch (const sql::SQLException& e) {
      return SqlError{e.what(), e.getErrorCode(), e.getSQLState()};
    }
    return std::nullopt;
  }

  // Rows of a query as strings; nullopt for SQL NULL.
  static std::vector<std::vector<std::optional<std::string>>> query(sql::Connection& conn,
                                                                    const std::string& sql) {
    std::unique_ptr<sql::Statement> st(conn.createStatement());
    std::unique_ptr<sql::ResultSet> rs(st->executeQuery(sql));
    unsigned int n = rs->getMetaData()->getColumnCount();
    std::vector<std::vector<std::optional<std::string>>> out;
    while (rs->next()) {
      std::vector<std::optional<std::string>> row;
      for (unsigned int i = 1; i <= n; ++i) {
        if (rs->isNull(i)) {
          row.emplace_back(std::nullopt);
        } else {
          row.emplace_back(std::string(rs->getString(i)));
        }
      }
      out.push_back(std::move(row));
    }
    return out;
  }

  static std::vector<std::string> column_names(sql::Connection& conn, const std::string& sql) {
    std::unique_ptr<sql::Statement> st(conn.createStatement());
    std::unique_ptr<sql::ResultSet> rs(st->executeQuery(sql));
    std::vector<std::string> out;
    for (unsigned int i = 1; i <= rs->getMetaData()->getColumnCount(); ++i) {
      out.emplace_back(rs->getMetaData()->getColumnLabel(i));
    }
    return out;
  }

  // Polls SHOW BACKUP/RESTORE FROM db (reading State by column name) until the job is done; returns the final
  // State and Status.
  static std::pair<std::string, std::string> wait_job(sql::Connection& conn, const std::string& show) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    std::string state;
    std::string status;
    while (std::chrono::steady_clock::now() < deadline) {
      std::unique_ptr<sql::Statement> st(conn.createStatement());
      std::unique_ptr<sql::ResultSet> rs(st->executeQuery(show));
      if (rs->next()) {
        state = rs->getString("State");
        status = rs->getString("Status");
        if (state == "FINISHED" || state == "CANCELLED") break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return {state, status};
  }
};

TEST_F(BackupE2eTest, BackupShowSnapshotRestoreRoundTrip) {
  auto conn = connect();
  exec(*conn, "CREATE DATABASE e2e_src");
  exec(*conn, "CREATE DATABASE e2e_dst");
  exec(*conn,
       "CREATE TABLE e2e_src.orders (id BIGINT NOT NULL, dt DATE, note VARCHAR(64)) DUPLICATE KEY(id) "
       "PARTITION BY RANGE(dt) (PARTITION p1 VALUES LESS THAN ('2024-02-01'), "
       "PARTITION p2 VALUES LESS THAN ('2024-03-01')) DISTRIBUTED BY HASH(id) BUCKETS 2 "
       "PROPERTIES ('replication_num' = '1')");
  exec(*conn,
       "INSERT INTO e2e_src.orders VALUES (1, '2024-01-05', 'plain'), (2, '2024-01-06', NULL), "
       "(3, '2024-02-07', '日本語 ✓ émoji 🎉'), (4, '2024-02-20', '')");
  exec(*conn,
       "CREATE REPOSITORY e2e_repo WITH BROKER ON LOCATION 's3a://e2e-bucket/backups' PROPERTIES "
       "('aws.s3.access_key' = 'k', 'aws.s3.secret_key' = 's', 'aws.s3.endpoint' = 'http://127.0.0.1:1')");

  exec(*conn, "BACKUP SNAPSHOT e2e_src.snap1 TO e2e_repo ON (orders) PROPERTIES ('type' = 'full')");
  // The first job is still running (each state takes at least job_fixed_seconds / time_scale = 40 ms).
  auto busy = try_exec(*conn, "BACKUP SNAPSHOT e2e_src.snap2 TO e2e_repo ON (orders)");
  ASSERT_TRUE(busy.has_value());
  EXPECT_EQ(busy->message, "Can only run one backup or restore job of a database at same time");
  EXPECT_EQ(busy->code, 1064);
  EXPECT_EQ(busy->sql_state, "HY000");
  auto [state, status] = wait_job(*conn, "SHOW BACKUP FROM e2e_src");
  ASSERT_EQ(state, "FINISHED") << status;
  EXPECT_EQ(status, "[OK]");

  EXPECT_EQ(column_names(*conn, "SHOW SNAPSHOT ON e2e_repo WHERE SNAPSHOT = 'snap1'"),
            (std::vector<std::string>{"Snapshot", "Timestamp", "Status"}));
  auto snaps = query(*conn, "SHOW SNAPSHOT ON e2e_repo WHERE SNAPSHOT = 'snap1'");
  ASSERT_EQ(snaps.size(), 1u);
  ASSERT_TRUE(snaps[0][1].has_value());
  std::string ts = *snaps[0][1];
  EXPECT_EQ(ts.size(), 23u) << ts;
  EXPECT_EQ(snaps[0][2], std::optional<std::string>("OK"));

  std::string detail_sql = "SHOW SNAPSHOT ON e2e_repo WHERE SNAPSHOT = 'snap1' AND TIMESTAMP = '" + ts + "'";
  EXPECT_EQ(column_names(*conn, detail_sql),
            (std::vector<std::string>{"Snapshot", "Timestamp", "Database", "Details", "Status"}));
  auto detail = query(*conn, detail_sql);
  ASSERT_EQ(detail.size(), 1u);
  EXPECT_EQ(detail[0][2], std::optional<std::string>("e2e_src"));
  EXPECT_EQ(detail[0][4], std::optional<std::string>("OK"));

  auto wrong = try_exec(*conn,
                        "RESTORE SNAPSHOT e2e_dst.snap1 FROM e2e_repo PROPERTIES "
                        "('backup_timestamp' = '1999-01-01-00-00-00-000')");
  ASSERT_TRUE(wrong.has_value());
  EXPECT_EQ(
      wrong->message,
      "Failed to get info of snapshot 'snap1' because: Expected one file with path: "
      "s3a://e2e-bucket/backups/__starrocks_repository_e2e_repo/__ss_snap1/__info_1999-01-01-00-00-00-000. "
      "get: 0. Maybe specified wrong backup timestamp");

  exec(*conn,
       "RESTORE SNAPSHOT e2e_dst.snap1 FROM e2e_repo ON (orders AS orders_copy) PROPERTIES "
       "('backup_timestamp' = '" +
           ts + "', 'replication_num' = '1')");
  auto [rstate, rstatus] = wait_job(*conn, "SHOW RESTORE FROM e2e_dst");
  ASSERT_EQ(rstate, "FINISHED") << rstatus;

  auto source = query(*conn, "SELECT id, dt, note FROM e2e_src.orders ORDER BY id");
  auto restored = query(*conn, "SELECT id, dt, note FROM e2e_dst.orders_copy ORDER BY id");
  ASSERT_EQ(source.size(), 4u);
  EXPECT_EQ(restored, source);
  EXPECT_FALSE(restored[1][2].has_value());
  EXPECT_EQ(restored[2][2], std::optional<std::string>("日本語 ✓ émoji 🎉"));
  EXPECT_EQ(restored[3][2], std::optional<std::string>(""));
}

TEST_F(BackupE2eTest, OverwriteRestoreFaultsAndRepositoryView) {
  auto conn = connect();
  exec(*conn, "CREATE DATABASE e2e_ow");
  exec(*conn,
       "CREATE TABLE e2e_ow.kv (k INT NOT NULL, v STRING) PRIMARY KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1 "
       "PROPERTIES ('replication_num' = '1')");
  exec(*conn, "INSERT INTO e2e_ow.kv VALUES (1, 'one'), (2, NULL)");
  exec(*conn, "CREATE REPOSITORY ow_repo WITH BROKER ON LOCATION 's3a://e2e-bucket/ow/'");
  auto repos = query(*conn, "SHOW REPOSITORIES");
  bool found = false;
  for (const auto& r : repos) {
    if (r[1] == std::optional<std::string>("ow_repo")) {
      found = true;
      EXPECT_EQ(r[4], std::optional<std::string>("s3a://e2e-bucket/ow"));
      EXPECT_EQ(r[5], std::optional<std::string>(""));
      EXPECT_FALSE(r[6].has_value());
    }
  }
  EXPECT_TRUE(found);

  exec(*conn, "BACKUP SNAPSHOT e2e_ow.s1 TO ow_repo");
  auto [state, status] = wait_job(*conn, "SHOW BACKUP FROM e2e_ow");
  ASSERT_EQ(state, "FINISHED") << status;
  std::string ts = *query(*conn, "SHOW SNAPSHOT ON ow_repo WHERE SNAPSHOT = 's1'")[0][1];

  // Writes after the backup are undone by restoring over the same table.
  exec(*conn, "INSERT INTO e2e_ow.kv VALUES (3, 'three')");
  // The table has 1 replica; a restore with the default replication_num (3) is refused asynchronously.
  exec(*conn, "RESTORE SNAPSHOT e2e_ow.s1 FROM ow_repo PROPERTIES ('backup_timestamp' = '" + ts + "')");
  auto [cstate, cstatus] = wait_job(*conn, "SHOW RESTORE FROM e2e_ow");
  EXPECT_EQ(cstate, "CANCELLED");
  EXPECT_EQ(cstatus,
            "[COMMON_ERROR, msg: Partition kv in table kv has different replication num '1' with partition "
            "in repository, which is 3]");
  exec(*conn, "RESTORE SNAPSHOT e2e_ow.s1 FROM ow_repo PROPERTIES ('backup_timestamp' = '" + ts +
                  "', 'replication_num' = '1')");
  auto [rstate, rstatus] = wait_job(*conn, "SHOW RESTORE FROM e2e_ow");
  ASSERT_EQ(rstate, "FINISHED") << rstatus;
  auto rows = query(*conn, "SELECT k, v FROM e2e_ow.kv ORDER BY k");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0][1], std::optional<std::string>("one"));
  EXPECT_FALSE(rows[1][1].has_value());

  // An injected failure shows up only in SHOW BACKUP.
  exec(*conn, "ADMIN EMULATOR FAIL JOB AT UPLOADING IN DATABASE e2e_ow WITH STATUS 'upload refused'");
  exec(*conn, "BACKUP SNAPSHOT e2e_ow.s2 TO ow_repo");
  auto [fstate, fstatus] = wait_job(*conn, "SHOW BACKUP FROM e2e_ow");
  EXPECT_EQ(fstate, "CANCELLED");
  EXPECT_EQ(fstatus, "[COMMON_ERROR, msg: upload refused]");

  auto dup = try_exec(*conn, "BACKUP SNAPSHOT e2e_ow.s1 TO ow_repo");
  ASSERT_TRUE(dup.has_value());
  EXPECT_EQ(dup->message, "Snapshot with name 's1' already exist in repository");
}

// A 3.4 FE that sends ERR_COMMON_ERROR as 5064/42000: the 3.4 grammar and the database it creates on restore.
class BackupE2e34Test : public BackupE2eTest {
 protected:
  static void SetUpTestSuite() {
    start_cluster(
        {"--enable-faults", "--time-scale", "50", "--starrocks-version", "3.4.1", "--error-code", "5064"});
  }
};

TEST_F(BackupE2e34Test, DatabaseGrammarAndErrorCode) {
  auto conn = connect();
  exec(*conn, "CREATE DATABASE e2e34");
  exec(*conn,
       "CREATE TABLE e2e34.t (id INT NOT NULL, s VARCHAR(20)) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) "
       "BUCKETS 1 "
       "PROPERTIES ('replication_num' = '1')");
  exec(*conn, "INSERT INTO e2e34.t VALUES (1, 'a'), (2, NULL)");
  exec(*conn, "CREATE REPOSITORY r34 WITH BROKER ON LOCATION 'hdfs://namenode:8020/backups'");
  exec(*conn, "BACKUP DATABASE e2e34 SNAPSHOT s34 TO r34 ON (ALL TABLES)");
  auto [state, status] = wait_job(*conn, "SHOW BACKUP FROM e2e34");
  ASSERT_EQ(state, "FINISHED") << status;
  std::string ts = *query(*conn, "SHOW SNAPSHOT ON r34 WHERE SNAPSHOT = 's34'")[0][1];

  auto err = try_exec(*conn,
                      "RESTORE SNAPSHOT s34 FROM r34 DATABASE e2e34 AS e2e34_copy PROPERTIES "
                      "('backup_timestamp' = '" +
                          ts + "', 'colour' = 'red')");
  ASSERT_TRUE(err.has_value());
  EXPECT_EQ(err->code, 5064);
  EXPECT_EQ(err->sql_state, "42000");
  EXPECT_EQ(err->message,
            "Getting analyzing error. Detail message: Unknown restore job properties: [colour].");

  exec(*conn,
       "RESTORE SNAPSHOT s34 FROM r34 DATABASE e2e34 AS e2e34_copy ON (ALL TABLES) PROPERTIES "
       "('backup_timestamp' = '" +
           ts + "', 'replication_num' = '1')");
  auto [rstate, rstatus] = wait_job(*conn, "SHOW RESTORE FROM e2e34_copy");
  ASSERT_EQ(rstate, "FINISHED") << rstatus;
  EXPECT_EQ(query(*conn, "SELECT id, s FROM e2e34_copy.t ORDER BY id"),
            query(*conn, "SELECT id, s FROM e2e34.t ORDER BY id"));
}

}  // namespace
}  // namespace sk::emu
