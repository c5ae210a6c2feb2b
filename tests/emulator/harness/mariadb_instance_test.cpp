// A private MariaDB: starts, answers through mysql-connector-c++, and leaves nothing behind.
#include <filesystem>
#include <memory>

#include <cppconn/exception.h>
#include <cppconn/resultset.h>
#include <cppconn/statement.h>
#include <gtest/gtest.h>

#include "emulator/harness/gtest_fixture.h"
#include "emulator/harness/mariadb_instance.h"

namespace sk::emu::harness {
namespace {

namespace fs = std::filesystem;

class MariaDbInstanceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = make_temp_dir({}, "sk-harness-test-");
    ASSERT_TRUE(dir) << dir.error().describe();
    parent_ = *dir;
  }
  void TearDown() override { fs::remove_all(parent_); }
  fs::path parent_;
};

TEST_F(MariaDbInstanceTest, StartsAnswersAndCleansUp) {
  auto db = MariaDbInstance::start({.parent_dir = parent_});
  ASSERT_TRUE(db) << db.error().describe();
  fs::path dir = (*db)->dir();
  EXPECT_EQ(dir.parent_path(), parent_);
  EXPECT_TRUE(fs::exists((*db)->datadir() / "mysql"));
  EXPECT_EQ((*db)->host(), "127.0.0.1");
  EXPECT_EQ((*db)->user(), "root");
  pid_t pid = (*db)->pid();
  EXPECT_TRUE(process_alive(pid, "mariadbd"));
  uint16_t port = (*db)->port();

  {
    auto conn = testing::connect_mysql((*db)->host(), port, "root", "");
    std::unique_ptr<sql::Statement> st(conn->createStatement());
    st->execute("CREATE DATABASE sk_probe");
    st->execute("CREATE TABLE sk_probe.t (id INT PRIMARY KEY, name VARCHAR(20))");
    st->execute("INSERT INTO sk_probe.t VALUES (1, 'ünï'), (2, NULL)");
    std::unique_ptr<sql::ResultSet> rs(
        st->executeQuery("SELECT COUNT(*) AS n, MAX(name) AS m, @@port AS p FROM sk_probe.t"));
    ASSERT_TRUE(rs->next());
    EXPECT_EQ(rs->getInt("n"), 2);
    EXPECT_EQ(rs->getString("m"), "ünï");
    EXPECT_EQ(rs->getInt("p"), port);
  }

  (*db)->stop();
  EXPECT_FALSE(fs::exists(dir));
  EXPECT_FALSE(process_alive(pid, "mariadbd"));
  EXPECT_FALSE(probe_mysql("127.0.0.1", port));
  (*db)->stop();  // idempotent
}

TEST_F(MariaDbInstanceTest, TwoInstancesRunSideBySide) {
  auto a = MariaDbInstance::start({.parent_dir = parent_});
  auto b = MariaDbInstance::start({.parent_dir = parent_});
  ASSERT_TRUE(a) << a.error().describe();
  ASSERT_TRUE(b) << b.error().describe();
  EXPECT_NE((*a)->port(), (*b)->port());
  EXPECT_NE((*a)->dir(), (*b)->dir());
  auto ca = testing::connect_mysql("127.0.0.1", (*a)->port(), "root", "");
  auto cb = testing::connect_mysql("127.0.0.1", (*b)->port(), "root", "");
  std::unique_ptr<sql::Statement> sa(ca->createStatement());
  sa->execute("CREATE DATABASE only_in_a");
  std::unique_ptr<sql::Statement> sb(cb->createStatement());
  std::unique_ptr<sql::ResultSet> rs(sb->executeQuery("SHOW DATABASES LIKE 'only_in_a'"));
  EXPECT_FALSE(rs->next());
}

TEST_F(MariaDbInstanceTest, KeepDirLeavesTheDatadir) {
  auto db = MariaDbInstance::start({.parent_dir = parent_, .keep_dir = true});
  ASSERT_TRUE(db) << db.error().describe();
  fs::path dir = (*db)->dir();
  (*db)->stop();
  EXPECT_TRUE(fs::exists(dir / "data" / "mysql"));
  EXPECT_TRUE(fs::exists(dir / "error.log"));
}

TEST_F(MariaDbInstanceTest, StartFailureReportsTheErrorLog) {
  auto db = MariaDbInstance::start({.parent_dir = parent_, .extra_args = {"--no-such-option-for-sk"}});
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error().code, "harness.start");
  EXPECT_NE(db.error().message.find("no-such-option-for-sk"), std::string::npos) << db.error().describe();
  // The failed instance's directory is removed.
  EXPECT_TRUE(fs::is_empty(parent_));
}

TEST_F(MariaDbInstanceTest, MissingProgramIsNotFound) {
  auto db = MariaDbInstance::start({.parent_dir = parent_, .install_db = "no-such-install-db-sk"});
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error().code, "harness.not_found");
}

TEST(FreePort, IsBindable) {
  auto port = pick_free_port();
  ASSERT_TRUE(port) << port.error().describe();
  EXPECT_GT(*port, 0);
  EXPECT_FALSE(probe_mysql("127.0.0.1", *port));
}

}  // namespace
}  // namespace sk::emu::harness
