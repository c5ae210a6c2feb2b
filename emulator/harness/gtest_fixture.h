// GoogleTest fixture for integration tests against the emulator: one Cluster (private MariaDB + starkeep-emulator)
// per test suite, and connections to either server through mysql-connector-c++.
//
//   class BackupIt : public sk::emu::testing::ClusterFixture {
//    protected:
//     static void SetUpTestSuite() { start_cluster({"--enable-faults", "--time-scale", "50"}); }
//   };
//   TEST_F(BackupIt, Works) { auto conn = connect(); ... }
//
// The emulator binary: $STARKEEP_EMULATOR_BIN if set, else the STARKEEP_EMULATOR_BIN compile definition (added by
// CMake when the starkeep-emulator target exists). STARKEEP_KEEP_CLUSTER=1 keeps the work directory for debugging.
// Subclasses that override SetUp() must call ClusterFixture::SetUp() first.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <cppconn/connection.h>
#include <gtest/gtest.h>

#include "emulator/harness/cluster.h"

namespace sk::emu::testing {

class ClusterFixture : public ::testing::Test {
 public:
  static void SetUpTestSuite() { start_cluster({}); }
  static void TearDownTestSuite() { stop_cluster(); }

 protected:
  // Fails the test (fatally) when the suite's cluster did not start, with the start error.
  void SetUp() override;

  // Starts the suite's cluster; on failure records the error that SetUp() reports.
  static void start_cluster(std::vector<std::string> emulator_args);
  static void stop_cluster();
  static harness::Cluster& cluster() { return *cluster_; }

  // New connections; throw sql::SQLException when the server refuses.
  static std::unique_ptr<sql::Connection> connect(const std::string& user = "root", const std::string& password = "",
                                                  const std::string& schema = "");
  static std::unique_ptr<sql::Connection> connect_mariadb(const std::string& schema = "");

  // Where the emulator binary is expected (see above); empty when unknown.
  static std::filesystem::path emulator_binary();

 private:
  static inline std::unique_ptr<harness::Cluster> cluster_;
  static inline std::string start_error_;
};

// A connection to any MySQL-protocol server; throws sql::SQLException.
std::unique_ptr<sql::Connection> connect_mysql(const std::string& host, uint16_t port, const std::string& user,
                                               const std::string& password, const std::string& schema = "");

}  // namespace sk::emu::testing
