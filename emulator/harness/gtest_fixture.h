// GoogleTest fixture for integration tests against the emulator: one Cluster (private MariaDB + starkeep-emulator)
// per test suite, and connections to either server through mysql-connector-c++.
//
//   class BackupIt : public sk::emu::testing::ClusterFixture {
//    protected:
//     static void SetUpTestSuite() { start_cluster({"--enable-faults", "--time-scale", "50"}); }
//   };
//   TEST_F(BackupIt, Works) { auto conn = connect(); ... }
//
// On S3: start_cluster_on_s3(args, buckets) first starts s3rver (emulator/harness/s3rver_instance.h) with those
// buckets, then the emulator with `--repository-backend s3 --s3-endpoint <s3rver>` and s3rver's keys in
// STARKEEP_EMU_S3_ACCESS_KEY / STARKEEP_EMU_S3_SECRET_KEY (set in this process, inherited by the child): every
// repository's files are s3rver objects (docs/emulator.md). s3rver() is that instance (stop it to take S3 away).
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
#include "emulator/harness/s3rver_instance.h"

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
  // The same with the emulator's repositories on a fresh s3rver holding `buckets`.
  static void start_cluster_on_s3(std::vector<std::string> emulator_args, std::vector<std::string> buckets);
  static void stop_cluster();
  static harness::Cluster& cluster() { return *cluster_; }
  // The suite's s3rver (start_cluster_on_s3 only; null otherwise).
  static harness::S3rverInstance* s3rver() { return s3rver_.get(); }

  // New connections; throw sql::SQLException when the server refuses.
  static std::unique_ptr<sql::Connection> connect(const std::string& user = "root", const std::string& password = "",
                                                  const std::string& schema = "");
  static std::unique_ptr<sql::Connection> connect_mariadb(const std::string& schema = "");

  // Where the emulator binary is expected (see above); empty when unknown.
  static std::filesystem::path emulator_binary();

 private:
  static inline std::unique_ptr<harness::Cluster> cluster_;
  static inline std::unique_ptr<harness::S3rverInstance> s3rver_;
  static inline std::string start_error_;
};

// A connection to any MySQL-protocol server; throws sql::SQLException.
std::unique_ptr<sql::Connection> connect_mysql(const std::string& host, uint16_t port, const std::string& user,
                                               const std::string& password, const std::string& schema = "");

}  // namespace sk::emu::testing
