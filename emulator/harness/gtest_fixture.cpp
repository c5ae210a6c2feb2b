#include "emulator/harness/gtest_fixture.h"

#include <cstdlib>

#include <mysql_driver.h>

namespace sk::emu::testing {

std::unique_ptr<sql::Connection> connect_mysql(const std::string& host, uint16_t port, const std::string& user,
                                               const std::string& password, const std::string& schema) {
  sql::ConnectOptionsMap opts;
  opts["hostName"] = sql::SQLString("tcp://" + host + ":" + std::to_string(port));
  opts["userName"] = sql::SQLString(user);
  opts["password"] = sql::SQLString(password);
  if (!schema.empty()) opts["schema"] = sql::SQLString(schema);
  return std::unique_ptr<sql::Connection>(sql::mysql::get_mysql_driver_instance()->connect(opts));
}

std::filesystem::path ClusterFixture::emulator_binary() {
  if (const char* env = std::getenv("STARKEEP_EMULATOR_BIN"); env && *env) return env;
#ifdef STARKEEP_EMULATOR_BIN
  return STARKEEP_EMULATOR_BIN;
#else
  return {};
#endif
}

void ClusterFixture::start_cluster(std::vector<std::string> emulator_args) {
  if (cluster_) cluster_->stop();
  cluster_.reset();
  start_error_.clear();
  harness::ClusterOptions options;
  options.emulator_binary = emulator_binary();
  if (options.emulator_binary.empty()) {
    start_error_ = "no starkeep-emulator binary: set STARKEEP_EMULATOR_BIN";
    return;
  }
  options.emulator_args = std::move(emulator_args);
  if (const char* keep = std::getenv("STARKEEP_KEEP_CLUSTER"); keep && std::string(keep) == "1") options.keep = true;
  auto cluster = harness::Cluster::start(std::move(options));
  if (!cluster) {
    start_error_ = cluster.error().describe();
    return;
  }
  cluster_ = std::move(*cluster);
}

void ClusterFixture::start_cluster_on_s3(std::vector<std::string> emulator_args, std::vector<std::string> buckets) {
  stop_cluster();
  harness::S3rverOptions options;
  options.buckets = std::move(buckets);
  // Kept on the instance's stop(), so a test that stops s3rver mid-run can still read what it holds on disk;
  // stop_cluster() removes it (unless STARKEEP_KEEP_CLUSTER=1).
  options.keep_dir = true;
  auto s3 = harness::S3rverInstance::start(std::move(options));
  if (!s3) {
    start_error_ = "s3rver did not start: " + s3.error().describe();
    return;
  }
  s3rver_ = std::move(*s3);
  ::setenv("STARKEEP_EMU_S3_ACCESS_KEY", std::string(harness::kS3rverAccessKey).c_str(), 1);
  ::setenv("STARKEEP_EMU_S3_SECRET_KEY", std::string(harness::kS3rverSecretKey).c_str(), 1);
  emulator_args.insert(emulator_args.end(), {"--repository-backend", "s3", "--s3-endpoint", s3rver_->endpoint()});
  start_cluster(std::move(emulator_args));
}

void ClusterFixture::stop_cluster() {
  if (cluster_) cluster_->stop();
  cluster_.reset();
  if (s3rver_) {
    s3rver_->stop();
    const char* keep = std::getenv("STARKEEP_KEEP_CLUSTER");
    std::error_code ec;
    if (!(keep && std::string(keep) == "1")) std::filesystem::remove_all(s3rver_->dir(), ec);
  }
  s3rver_.reset();
}

void ClusterFixture::SetUp() { ASSERT_TRUE(cluster_ != nullptr) << "cluster did not start: " << start_error_; }

std::unique_ptr<sql::Connection> ClusterFixture::connect(const std::string& user, const std::string& password,
                                                         const std::string& schema) {
  return connect_mysql(cluster_->emulator().host(), cluster_->emulator().port(), user, password, schema);
}

std::unique_ptr<sql::Connection> ClusterFixture::connect_mariadb(const std::string& schema) {
  auto& db = cluster_->mariadb();
  return connect_mysql(db.host(), db.port(), db.user(), db.password(), schema);
}

}  // namespace sk::emu::testing
