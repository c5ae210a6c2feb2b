// The full cluster: a private MariaDB plus the real starkeep-emulator binary, through ClusterFixture.
#include <memory>
#include <string>

#include <cppconn/resultset.h>
#include <cppconn/statement.h>
#include <gtest/gtest.h>

#include "emulator/harness/gtest_fixture.h"

namespace sk::emu::testing {
namespace {

class ClusterTest : public ClusterFixture {};

TEST_F(ClusterTest, EmulatorAnswersCurrentVersion) {
  auto conn = connect();
  std::unique_ptr<sql::Statement> st(conn->createStatement());
  std::unique_ptr<sql::ResultSet> rs(st->executeQuery("SELECT current_version()"));
  ASSERT_TRUE(rs->next());
  std::string version = rs->getString(1);
  EXPECT_FALSE(version.empty());
  EXPECT_FALSE(rs->next());
}

TEST_F(ClusterTest, BackingMariaDbIsReachable) {
  auto conn = connect_mariadb();
  std::unique_ptr<sql::Statement> st(conn->createStatement());
  std::unique_ptr<sql::ResultSet> rs(st->executeQuery("SELECT @@port AS p"));
  ASSERT_TRUE(rs->next());
  EXPECT_EQ(rs->getInt("p"), cluster().mariadb().port());
  EXPECT_NE(cluster().emulator().port(), cluster().mariadb().port());
  EXPECT_TRUE(cluster().emulator().running());
}

}  // namespace
}  // namespace sk::emu::testing
