// Two emulator processes ("clusters"), each with its own MariaDB, on one repository root: a snapshot taken on the
// first is visible to the second once it creates a repository with the same name and location, its label counts
// as taken there, and the second cluster restores the data row for row (reference §1.1: a repository is bound to
// its name and location, so re-creating it elsewhere finds the same snapshots).
#include <cppconn/exception.h>
#include <cppconn/resultset.h>
#include <cppconn/statement.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

#include "emulator/harness/cluster.h"
#include "emulator/harness/gtest_fixture.h"

namespace sk::emu {
namespace {

namespace fs = std::filesystem;

void exec(sql::Connection& c, const std::string& sql) {
  std::unique_ptr<sql::Statement> st(c.createStatement());
  st->execute(sql);
}

// All rows of a query, columns joined by '|', NULL as "\N", rows by '\n'.
std::string rows(sql::Connection& c, const std::string& sql) {
  std::unique_ptr<sql::Statement> st(c.createStatement());
  std::unique_ptr<sql::ResultSet> rs(st->executeQuery(sql));
  const unsigned n = rs->getMetaData()->getColumnCount();
  std::string out;
  while (rs->next()) {
    for (unsigned i = 1; i <= n; ++i) {
      if (i > 1) out += '|';
      out += rs->isNull(i) ? std::string("\\N") : std::string(rs->getString(i));
    }
    out += '\n';
  }
  return out;
}

// The value of `column` in the first row of `sql` whose `key_column` equals `key`; empty when none.
std::string column_of(sql::Connection& c, const std::string& sql, const std::string& key_column,
                      const std::string& key, const std::string& column) {
  std::unique_ptr<sql::Statement> st(c.createStatement());
  std::unique_ptr<sql::ResultSet> rs(st->executeQuery(sql));
  while (rs->next()) {
    if (std::string(rs->getString(key_column)) == key) return rs->getString(column);
  }
  return "";
}

// Polls a SHOW BACKUP/RESTORE statement until the job of `label` (in `label_column`) is done; returns its State.
std::string wait_state(sql::Connection& c, const std::string& show, const std::string& label_column,
                       const std::string& label) {
  for (int i = 0; i < 600; ++i) {
    std::string state = column_of(c, show, label_column, label, "State");
    if (state == "FINISHED" || state == "CANCELLED") return state;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return "timeout";
}

TEST(SharedRepositoryTest, SecondClusterSeesAndRestoresTheFirstClustersSnapshot) {
  const fs::path root = fs::temp_directory_path() / ("starkeep-shared-repo-" + std::to_string(::getpid()));
  fs::create_directories(root);
  const char* env_bin = std::getenv("STARKEEP_EMULATOR_BIN");
  const fs::path binary = env_bin != nullptr ? fs::path(env_bin) : fs::path(STARKEEP_EMULATOR_BIN);

  auto start = [&]() {
    harness::ClusterOptions o;
    o.emulator_binary = binary;
    o.emulator_args = {"--time-scale", "50"};
    o.repository_root = root;
    return harness::Cluster::start(o);
  };
  auto first = start();
  ASSERT_TRUE(first) << first.error().describe();
  auto second = start();
  ASSERT_TRUE(second) << second.error().describe();

  const std::string create_repo =
      "CREATE REPOSITORY shared WITH BROKER ON LOCATION 's3a://dr-bucket/prod' PROPERTIES "
      "('aws.s3.access_key' = 'k', 'aws.s3.secret_key' = 's', 'aws.s3.endpoint' = 'https://s3.example')";

  auto a = testing::connect_mysql("127.0.0.1", (*first)->emulator().port(), "root", "");
  exec(*a, "CREATE DATABASE sales");
  exec(*a, "CREATE TABLE sales.t (id INT NOT NULL, v VARCHAR(16)) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) "
           "BUCKETS 1 PROPERTIES ('replication_num' = '1')");
  exec(*a, "INSERT INTO sales.t VALUES (1, 'x'), (2, NULL), (3, 'ü')");
  exec(*a, create_repo);
  exec(*a, "BACKUP SNAPSHOT sales.snap1 TO shared ON (t)");
  ASSERT_EQ(wait_state(*a, "SHOW BACKUP FROM sales", "SnapshotName", "snap1"), "FINISHED");
  const std::string expected = rows(*a, "SELECT id, v FROM sales.t ORDER BY id");

  // The second cluster knows nothing until it creates the repository with the same name and location.
  auto b = testing::connect_mysql("127.0.0.1", (*second)->emulator().port(), "root", "");
  exec(*b, create_repo);
  const std::string timestamp = column_of(*b, "SHOW SNAPSHOT ON shared", "Snapshot", "snap1", "Timestamp");
  ASSERT_EQ(timestamp.size(), 23u) << "snapshot of the first cluster not visible on the second";
  EXPECT_EQ(column_of(*b, "SHOW SNAPSHOT ON shared", "Snapshot", "snap1", "Status"), "OK");

  // Its label is taken in the shared repository, whichever cluster asks.
  exec(*b, "CREATE DATABASE sales");
  exec(*b, "CREATE TABLE sales.t (id INT NOT NULL, v VARCHAR(16)) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) "
           "BUCKETS 1 PROPERTIES ('replication_num' = '1')");
  try {
    exec(*b, "BACKUP SNAPSHOT sales.snap1 TO shared ON (t)");
    ADD_FAILURE() << "a label taken by the other cluster was accepted";
  } catch (const sql::SQLException& e) {
    EXPECT_NE(std::string(e.what()).find("Snapshot with name 'snap1' already exist in repository"), std::string::npos)
        << e.what();
  }

  // Cold start: the second cluster restores the first cluster's data from the repository alone.
  exec(*b, "CREATE DATABASE dr");
  exec(*b, "RESTORE SNAPSHOT dr.snap1 FROM shared ON (t) PROPERTIES ('backup_timestamp' = '" + timestamp +
               "', 'replication_num' = '1')");
  ASSERT_EQ(wait_state(*b, "SHOW RESTORE FROM dr", "Label", "snap1"), "FINISHED");
  EXPECT_EQ(rows(*b, "SELECT id, v FROM dr.t ORDER BY id"), expected);

  (*second)->stop();
  (*first)->stop();
  std::error_code ec;
  fs::remove_all(root, ec);
}

}  // namespace
}  // namespace sk::emu
