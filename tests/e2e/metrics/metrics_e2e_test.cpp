// End to end: `starkeep run --metrics-file` and `starkeep metrics` (the real binary) against the emulator after a
// real backup, the output checked by `promtool check metrics` (any complaint fails the test); a database whose
// name holds a quote, a backtick and CJK characters stays inside its label; `repository check
// --metrics-file` writes the findings; a --metrics-file in a missing directory is refused before anything runs.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "emulator/harness/gtest_fixture.h"
#include "tests/support/cluster_sql.h"
#include "tests/support/gtest_sql.h"
#include "tests/support/process.h"
#include "tests/support/starkeep.h"

namespace sk {
namespace {

namespace fs = std::filesystem;
using Command = test::Finished;

// The hostile database: a double quote, a backtick and CJK characters (the unit tests add a backslash, which
// MariaDB, behind the emulator, does not allow in a database name).
const std::string kHostile = "销售\"q`t";

std::string quoted(const std::string& name) {
  std::string out = "`";
  for (const char c : name) out += c == '`' ? std::string("``") : std::string(1, c);
  return out + "`";
}

std::string policy_text() {
  return fmt::format(R"(policy "metrics_e2e" {{
  timezone  = "UTC"
  databases = all
  repository "m_repo" {{
    location = "s3a://m-bucket/prod"
    endpoint = "https://s3.eu-west-1.amazonaws.com"
    region   = "eu-west-1"
  }}
  tier "daily" {{
    backup   = tables
    include  = tables where class == "fact"
    schedule = daily at 01:00
    retain   = 7d
    window   = 2h
  }}
  drill "table" {{ every = month; from = "daily"; restore = one table; verify = checksum }}
}}
)");
}

std::string inventory_text() {
  nlohmann::json inv{{"inventory_version", 1},
                     {"tables", {{{"database", "shop"}, {"table", "orders"}, {"class", "fact"}, {"partitioned", false}},
                                 {{"database", kHostile}, {"table", "t"}, {"class", "fact"}, {"partitioned", false}}}}};
  return inv.dump();
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A fresh cluster per test (each test backs up the same slot into the same repository).
class MetricsE2e : public emu::testing::ClusterFixture {
 protected:
  static void SetUpTestSuite() {}
  void SetUp() override {
    stop_cluster();
    start_cluster({});
    ClusterFixture::SetUp();
    dir_ = fs::temp_directory_path() / fmt::format("starkeep-metrics-e2e-{}", ::getpid());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    processes_ = std::make_unique<test::Processes>(dir_);
    auto c = test::ClusterSql::connect(cluster().emulator().port());
    ASSERT_TRUE(c) << c.error().describe();
    sql_ = std::make_unique<test::ClusterSql>(std::move(*c));
    std::ofstream(dir_ / "policy.skp") << policy_text();
    std::ofstream(dir_ / "inventory.json") << inventory_text();
    for (const std::string& db : {std::string("shop"), kHostile}) {
      const std::string q = quoted(db);
      test::exec_ok(*sql_, "CREATE DATABASE " + q);
      test::exec_ok(*sql_, "CREATE TABLE " + q + "." + (db == "shop" ? "orders" : "t") +
                               " (id INT NOT NULL, v INT) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1 "
                               "PROPERTIES ('replication_num' = '1')");
      test::exec_ok(*sql_, "INSERT INTO " + q + "." + (db == "shop" ? "orders" : "t") + " VALUES (1, 10), (2, 20)");
    }
    test::exec_ok(*sql_,
                  "CREATE REPOSITORY m_repo WITH BROKER ON LOCATION 's3a://m-bucket/prod' "
                  "PROPERTIES ('aws.s3.access_key' = 'k', 'aws.s3.secret_key' = 's')");
  }
  void TearDown() override {
    processes_.reset();
    if (!HasFailure()) fs::remove_all(dir_);
  }

  Command starkeep(const std::vector<std::string>& args) {
    std::vector<std::string> argv{test::starkeep_binary()};
    argv.insert(argv.end(), args.begin(), args.end());
    for (const char* a : {"--host", "127.0.0.1", "--port"}) argv.push_back(a);
    argv.push_back(std::to_string(cluster().emulator().port()));
    argv.push_back("--user");
    argv.push_back("root");
    return processes_->run(argv);
  }
  Command run_with_metrics(const fs::path& metrics_file) {
    return starkeep({"run", "--policy", (dir_ / "policy.skp").string(), "--inventory",
                     (dir_ / "inventory.json").string(), "--at", "2025-07-06T01:00:00Z", "--poll-initial-ms", "100",
                     "--replication-num", "1", "--metrics-file", metrics_file.string()});
  }
  Command promtool_check(const fs::path& file) {
    return processes_->shell(fmt::format("{} check metrics < '{}'", SK_PROMTOOL, file.string()));
  }

  fs::path dir_;
  std::unique_ptr<test::Processes> processes_;
  std::unique_ptr<test::ClusterSql> sql_;
};

TEST_F(MetricsE2e, RunWritesTheMetricsFileAndPromtoolAcceptsIt) {
  const fs::path file = dir_ / "starkeep.prom";
  const Command run = run_with_metrics(file);
  ASSERT_EQ(run.code, 0) << run.describe();
  ASSERT_TRUE(fs::exists(file)) << run.describe();
  const std::string text = read_text(file);
  EXPECT_NE(text.find("# TYPE starkeep_backup_jobs_total counter"), std::string::npos) << text;
  EXPECT_NE(text.find(R"(starkeep_backup_jobs_total{database="shop",tier="daily",state="FINISHED"} 1)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(R"(starkeep_backup_last_attempt_state{database="shop",tier="daily",state="FINISHED"} 1)"),
            std::string::npos);
  EXPECT_EQ(text.find(R"(starkeep_backup_last_success_timestamp_seconds{database="shop",tier="daily"} 0)"),
            std::string::npos)
      << "the backup finished: its time is not 0";
  EXPECT_NE(text.find(R"(starkeep_drill_last_passed_timestamp_seconds{drill="table"} 0)"), std::string::npos);
  EXPECT_NE(text.find(R"(starkeep_runner_last_run_state{state="DONE"} 1)"), std::string::npos);
  // The hostile name, escaped: 销售"q`t → 销售\"q`t.
  EXPECT_NE(text.find(R"(starkeep_backup_jobs_total{database="销售\"q`t",tier="daily",state="FINISHED"} 1)"),
            std::string::npos)
      << text;
  const Command check = promtool_check(file);
  EXPECT_EQ(check.code, 0) << check.describe();
  EXPECT_EQ(check.out, "") << "promtool complained: " << check.out;
  for (const auto& entry : fs::directory_iterator(dir_)) {
    EXPECT_FALSE(entry.path().filename().string().starts_with(".starkeep.prom")) << "temporary file left";
  }
}

TEST_F(MetricsE2e, MetricsCommandRendersTheSameFamiliesAsTextAndJson) {
  ASSERT_EQ(run_with_metrics(dir_ / "run.prom").code, 0);
  const Command text = starkeep({"metrics", "--policy", (dir_ / "policy.skp").string(), "--output",
                                 (dir_ / "metrics.prom").string()});
  ASSERT_EQ(text.code, 0) << text.describe();
  const Command check = promtool_check(dir_ / "metrics.prom");
  EXPECT_EQ(check.code, 0) << check.describe();
  EXPECT_EQ(check.out, "");
  const Command json = starkeep({"metrics", "--policy", (dir_ / "policy.skp").string(), "--format", "json"});
  ASSERT_EQ(json.code, 0) << json.describe();
  const nlohmann::json doc = nlohmann::json::parse(json.out);
  EXPECT_EQ(doc.at("metrics_version"), 1);
  bool found = false;
  for (const auto& m : doc.at("metrics")) {
    if (m.at("name") == "starkeep_backup_last_success_timestamp_seconds" && m.at("labels").at("database") == kHostile) {
      found = m.at("value").get<double>() > 0;
    }
  }
  EXPECT_TRUE(found) << json.out;
}

TEST_F(MetricsE2e, RepositoryCheckWritesFindingsByKind) {
  ASSERT_EQ(run_with_metrics(dir_ / "run.prom").code, 0);
  const fs::path file = dir_ / "starkeep-repository.prom";
  const Command check = starkeep({"repository", "check", "--policy", (dir_ / "policy.skp").string(),
                                  "--metrics-file", file.string()});
  ASSERT_TRUE(check.code == 0 || check.code == 33) << check.describe();
  const std::string text = read_text(file);
  EXPECT_NE(text.find(R"(starkeep_repository_findings{repository="m_repo",kind="missing"} 0)"), std::string::npos)
      << text;
  const Command lint = promtool_check(file);
  EXPECT_EQ(lint.code, 0) << lint.describe();
  EXPECT_EQ(lint.out, "");
}

TEST_F(MetricsE2e, AMetricsFileInAMissingDirectoryIsRefusedBeforeTheRun) {
  const Command run = run_with_metrics(dir_ / "no-such-dir" / "starkeep.prom");
  EXPECT_EQ(run.code, 73) << run.describe();
  EXPECT_NE(run.err.find("--metrics-file"), std::string::npos) << run.err;
  const Command metrics = starkeep({"metrics", "--policy", (dir_ / "policy.skp").string(), "--output",
                                    (dir_ / "no-such-dir" / "x.prom").string()});
  EXPECT_EQ(metrics.code, 73) << metrics.describe();
  // Nothing ran: no backup history exists.
  auto rows = sql_->query("SELECT COUNT(*) AS n FROM ops.backup_history");
  EXPECT_TRUE(!rows || test::cell(*rows, 0, "n") == "0");
}

}  // namespace
}  // namespace sk
