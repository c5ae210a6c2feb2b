// Runs the real `mariadb` command-line client against the protocol server.
#include <array>
#include <cstdio>
#include <memory>
#include <string>

#include <sys/wait.h>

#include <gtest/gtest.h>

#include "emulator/protocol/server.h"
#include "tests/emulator/protocol/fake_session.h"

namespace sk::emu::testing {
namespace {

struct CliRun {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

CliRun run_cli(const std::string& command) {
  CliRun r;
  FILE* p = ::popen((command + " 2>&1").c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf{};
  size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.output.append(buf.data(), n);
  int status = ::pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

class MariadbCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<Server>(ServerOptions{}, factory_);
    auto port = server_->start();
    ASSERT_TRUE(port) << port.error().describe();
    base_ = "mariadb --no-defaults -h127.0.0.1 -P" + std::to_string(*port) + " ";
  }

  FakeSessionFactory factory_;
  std::unique_ptr<Server> server_;
  std::string base_;
};

TEST_F(MariadbCliTest, BatchQueryPrintsTabSeparatedRowsWithNull) {
  CliRun r = run_cli(base_ + "-uroot -e 'SELECT rows'");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output,
            "id\tname\tnote\n"
            "1\tplain\tn1\n"
            "2\t日本語 ✓ ünïcødé\tNULL\n"
            "3\tNULL\t\n");
}

TEST_F(MariadbCliTest, TableOutputAndPasswordUser) {
  CliRun r = run_cli(base_ + "-usk -psecret --table -e 'SELECT whoami'");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("| user | db   |"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("| sk   | NULL |"), std::string::npos) << r.output;
}

TEST_F(MariadbCliTest, DatabaseArgumentUsesInitDb) {
  CliRun r = run_cli(base_ + "-uroot -D sales -e 'SELECT whoami'");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("root\tsales"), std::string::npos) << r.output;
}

TEST_F(MariadbCliTest, ErrorsArePrintedWithCodeAndState) {
  CliRun r = run_cli(base_ + "-uroot -e 'BACKUP bad'");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("ERROR 1064 (HY000) at line 1: Getting analyzing error. Detail message: Repository repo1 "
                          "does not exist."),
            std::string::npos)
      << r.output;
}

TEST_F(MariadbCliTest, WrongPasswordIsDenied) {
  CliRun r = run_cli(base_ + "-usk -pwrong -e 'SELECT rows'");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("ERROR 1045 (28000): Access denied for user 'sk'@'127.0.0.1' (using password: YES)"),
            std::string::npos)
      << r.output;
}

TEST_F(MariadbCliTest, OtherDefaultAuthPluginIsSwitched) {
  CliRun r = run_cli(base_ + "-usk -psecret --default-auth=caching_sha2_password -e 'SELECT whoami'");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("sk\tNULL"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace sk::emu::testing
