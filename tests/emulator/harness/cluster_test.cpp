// The full cluster: a private MariaDB plus the real starkeep-emulator binary, through ClusterFixture.
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include <cppconn/resultset.h>
#include <cppconn/statement.h>
#include <gtest/gtest.h>

#include "emulator/harness/env_file.h"
#include "emulator/harness/gtest_fixture.h"
#include "emulator/harness/process.h"

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

// Extra emulator flags reach the binary.
class VersionedClusterTest : public ClusterFixture {
 protected:
  static void SetUpTestSuite() { start_cluster({"--starrocks-version", "3.4.1"}); }
};

TEST_F(VersionedClusterTest, ExtraArgsArePassedToTheEmulator) {
  auto conn = connect();
  std::unique_ptr<sql::Statement> st(conn->createStatement());
  std::unique_ptr<sql::ResultSet> rs(st->executeQuery("SELECT current_version() AS v"));
  ASSERT_TRUE(rs->next());
  std::string version = rs->getString("v");
  EXPECT_TRUE(version.starts_with("3.4.1")) << version;
}

int run_harness(const std::string& args, std::string* output) {
  std::string command = std::string(STARKEEP_EMU_HARNESS_BIN) + " " + args + " 2>&1";
  FILE* p = ::popen(command.c_str(), "r");
  if (!p) return -1;
  std::array<char, 4096> buf{};
  size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) output->append(buf.data(), n);
  int status = ::pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(HarnessCliCluster, UpStartsBothInTheBackgroundAndDownStopsThem) {
  auto dir = harness::make_temp_dir({}, "sk-cli-cluster-");
  ASSERT_TRUE(dir);
  std::string out;
  std::string d = "--dir " + dir->string();
  ASSERT_EQ(run_harness("up " + d + " --emulator-bin " + std::string(STARKEEP_EMULATOR_BIN) +
                            " -- --starrocks-version 3.4.1",
                        &out),
            0)
      << out;
  auto env = harness::read_env_file(*dir / "env");
  ASSERT_TRUE(env) << env.error().describe();
  // What starkeep itself reads (issue 10 item 21): `source D/env` is enough to point starkeep at the emulator.
  EXPECT_EQ(env->at("STARKEEP_HOST"), env->at("STARKEEP_EMU_HOST"));
  EXPECT_EQ(env->at("STARKEEP_PORT"), env->at("STARKEEP_EMU_PORT"));
  EXPECT_EQ(env->at("STARKEEP_USER"), "root");
  int emu_pid = std::stoi(env->at("STARKEEP_EMU_PID"));
  int db_pid = std::stoi(env->at("MARIADB_PID"));
  {
    auto conn = connect_mysql(env->at("STARKEEP_EMU_HOST"),
                              static_cast<uint16_t>(std::stoi(env->at("STARKEEP_EMU_PORT"))), "root", "");
    std::unique_ptr<sql::Statement> st(conn->createStatement());
    std::unique_ptr<sql::ResultSet> rs(st->executeQuery("SELECT current_version() AS v"));
    ASSERT_TRUE(rs->next());
    std::string version = rs->getString("v");
    EXPECT_TRUE(version.starts_with("3.4.1")) << version;
  }
  out.clear();
  EXPECT_EQ(run_harness("up " + d, &out), 0) << out;
  EXPECT_NE(out.find("already up"), std::string::npos) << out;

  out.clear();
  EXPECT_EQ(run_harness("down " + d, &out), 0) << out;
  EXPECT_FALSE(harness::process_alive(emu_pid, "starkeep-emulator"));
  EXPECT_FALSE(harness::process_alive(db_pid, "mariadbd"));
  EXPECT_FALSE(std::filesystem::exists(*dir / "env"));
  std::filesystem::remove_all(*dir);
}

}  // namespace
}  // namespace sk::emu::testing
