// Shared by the `starkeep run` end-to-end tests (run_e2e_test.cpp, run_acceptance_e2e_test.cpp): a fixture that
// starts one emulated cluster per test process (--enable-faults, --time-scale 20, 3 backends, Asia/Shanghai),
// creates per-test databases, repository, policy (tests/fixtures/policies/e2e.skp) and inventory, spawns the REAL
// starkeep binary (optionally with extra environment, e.g. the test-only STARKEEP_TEST_PAUSE_AT) through the test
// support library (tests/support/) and reads the ops tables and the server's state by column name.
// Exit codes are the product's (sk::cli::kExit…, tools/starkeep/exit_codes.h). Not thread-safe (one test at a time).
#pragma once

#include <gtest/gtest.h>

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "emulator/harness/gtest_fixture.h"
#include "tests/support/cluster_sql.h"
#include "tests/support/fixtures.h"
#include "tests/support/process.h"
#include "tests/support/starkeep.h"

namespace sk::e2e {

namespace fs = std::filesystem;
using test::Finished;
using test::Proc;
using test::Row;
using test::slurp;
using namespace sk::cli;  // kExit… (tools/starkeep/exit_codes.h)

// A Sunday 01:05 UTC: the weekly tier (sun at 01:00) is due, slot date 20250914.
inline constexpr const char* kSunday = "2025-09-14T01:05:00Z";
// A Monday 01:05 UTC: the daily tier (mon..sat at 01:00, window 2h) is due; its slot date is 20250915.
inline constexpr const char* kMonday = "2025-09-15T01:05:00Z";
inline constexpr const char* kTuesday = "2025-09-16T01:05:00Z";

// A statement the fixture sent failed (some tests expect that, e.g. while the emulator drops connections).
struct SqlError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

inline std::string describe(const Finished& f) { return f.describe(); }

class RunFixture : public sk::emu::testing::ClusterFixture {
 protected:
  static void SetUpTestSuite() {
    start_cluster({"--enable-faults", "--time-scale", "20", "--backends", "3"});
  }

  void SetUp() override {
    ClusterFixture::SetUp();
    dir_ = fs::temp_directory_path() /
           fmt::format("starkeep-e2e-{}-{}", ::getpid(), ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    processes_ = std::make_unique<test::Processes>(dir_);
    reconnect();
  }
  void TearDown() override {
    processes_.reset();  // kills and reaps every child still alive
    if (!HasFailure()) fs::remove_all(dir_);
  }

  void reconnect() {
    auto c = test::ClusterSql::connect(cluster().emulator().port());
    if (!c) throw SqlError(c.error().describe());
    sql_ = std::make_unique<test::ClusterSql>(std::move(*c));
  }
  // Throw SqlError when the server refuses.
  void exec(const std::string& sql) {
    if (auto s = sql_->exec(sql); !s) throw SqlError(sql + ": " + s.error().describe());
  }
  std::vector<Row> query(const std::string& sql) {
    auto rows = sql_->query(sql);
    if (!rows) throw SqlError(sql + ": " + rows.error().describe());
    return test::as_maps(*rows);
  }

  // Databases `<prefix>_a` and `<prefix>_b`: a partitioned fact table (3 partitions) and a dimension table each;
  // repository `<prefix>_repo` (secret key `secret_key`); the policy (plus `policy_extra`, e.g. alert and notifier
  // blocks) and inventory files for them.
  void make_cluster_data(const std::string& prefix, const std::string& policy_extra = "",
                         const std::string& secret_key = "s") {
    prefix_ = prefix;
    for (const char* suffix : {"_a", "_b"}) {
      const std::string db = prefix + suffix;
      exec("CREATE DATABASE " + db);
      exec("CREATE TABLE " + db +
           ".orders (id BIGINT NOT NULL, dt DATE, amount INT) DUPLICATE KEY(id) PARTITION BY RANGE(dt) ("
           "PARTITION p1 VALUES LESS THAN ('2025-09-01'), PARTITION p2 VALUES LESS THAN ('2025-10-01'), "
           "PARTITION p3 VALUES LESS THAN ('2025-11-01')) DISTRIBUTED BY HASH(id) BUCKETS 2 "
           "PROPERTIES ('replication_num' = '1')");
      exec("INSERT INTO " + db + ".orders VALUES (1, '2025-08-05', 10), (2, '2025-09-06', 20), (3, '2025-10-07', 30)");
      exec("CREATE TABLE " + db +
           ".customers (id INT NOT NULL, name VARCHAR(32)) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1 "
           "PROPERTIES ('replication_num' = '1')");
      exec("INSERT INTO " + db + ".customers VALUES (1, 'ann'), (2, 'bob')");
    }
    exec("CREATE REPOSITORY " + prefix + "_repo WITH BROKER ON LOCATION 's3a://e2e-bucket/" + prefix +
         "' PROPERTIES ('aws.s3.access_key' = 'k', 'aws.s3.secret_key' = '" + secret_key + "')");
    test::E2ePolicy policy{.databases = {prefix + "_a", prefix + "_b"},
                           .repository = prefix + "_repo",
                           .location = "s3a://e2e-bucket/" + prefix,
                           .precheck = precheck_,
                           .daily_schedule = daily_schedule_,
                           .weekly_extra = weekly_extra_,
                           .extra = policy_extra};
    std::ofstream(dir_ / "policy.skp") << policy.text();
    std::string tables;
    for (const char* suffix : {"_a", "_b"}) {
      if (!tables.empty()) tables += ",\n";
      tables += fmt::format(
          R"(    {{"database": "{0}{1}", "table": "orders", "class": "fact", "partitioned": true}},
    {{"database": "{0}{1}", "table": "customers", "class": "dimension", "partitioned": false}})",
          prefix, suffix);
    }
    std::ofstream(dir_ / "inventory.json") << "{\n  \"inventory_version\": 1,\n  \"tables\": [\n" << tables << "\n  ]\n}\n";
  }

  std::vector<std::string> run_args(const std::string& at, std::vector<std::string> extra = {}) {
    std::vector<std::string> a{test::starkeep_binary(),
                               "run",
                               "--policy",
                               (dir_ / "policy.skp").string(),
                               "--inventory",
                               (dir_ / "inventory.json").string(),
                               "--at",
                               at,
                               "--host",
                               "127.0.0.1",
                               "--port",
                               std::to_string(cluster().emulator().port()),
                               "--user",
                               "root",
                               "--poll-initial-ms",
                               "200",
                               "--log-level",
                               "debug",
                               "--format",
                               "json"};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }

  // Starts `args` (args[0] the program) with the test's environment plus `env` ("NAME=value"); stdout/stderr go to
  // files in dir_.
  Proc spawn(const std::vector<std::string>& args, const std::vector<std::string>& env = {}) {
    return processes_->spawn(args, test::SpawnOptions{.env = env});
  }
  Finished wait(const Proc& p) { return processes_->wait(p); }
  // Waits until `p` stops itself (STARKEEP_TEST_PAUSE_AT raises SIGSTOP). False when it exited instead.
  bool wait_stopped(const Proc& p) { return processes_->wait_stopped(p); }
  // SIGKILLs `p` (stopped or running) and reaps it.
  Finished kill_now(const Proc& p) { return processes_->kill_now(p); }

  Finished run(const std::string& at, std::vector<std::string> extra = {}) { return wait(spawn(run_args(at, extra))); }

  // The attempts of `db`; none while no run has created the ops tables yet (each ctest process has its own cluster).
  std::vector<Row> history(const std::string& db) {
    try {
      return query("SELECT label, state, job_id, backup_timestamp, error_text, run_id, attempt_id, objects, bytes FROM "
                   "ops.backup_history WHERE database_name = '" + db + "' ORDER BY updated_at_utc");
    } catch (const SqlError& e) {
      if (std::string(e.what()).find("Unknown table") != std::string::npos) return {};
      throw;
    }
  }
  std::vector<Row> history_in(const std::string& db, const std::string& state) {
    std::vector<Row> out;
    for (auto& r : history(db)) {
      if (r["state"] == state) out.push_back(r);
    }
    return out;
  }
  std::vector<Row> manifest(const std::string& attempt_id) {
    return query("SELECT table_name, partition_name, visible_version, data_size, row_count, checksum_algorithm, "
                 "checksum, checksum_row_count FROM ops.backup_manifest WHERE attempt_id = '" + attempt_id +
                 "' ORDER BY table_name, partition_name");
  }
  std::vector<Row> snapshots() { return query("SHOW SNAPSHOT ON " + prefix_ + "_repo"); }
  int snapshots_named(const std::string& prefix) {
    int n = 0;
    for (auto& r : snapshots()) {
      if (r["Snapshot"] && r["Snapshot"]->rfind(prefix, 0) == 0) ++n;
    }
    return n;
  }
  std::optional<std::string> snapshot_status(const std::string& label) {
    for (auto& r : snapshots()) {
      if (r["Snapshot"] == label) return r["Status"];
    }
    return std::nullopt;
  }
  // Waits (up to `seconds`) for `predicate`.
  bool eventually(const std::function<bool()>& predicate, int seconds = 60) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (std::chrono::steady_clock::now() < end) {
      if (predicate()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return predicate();
  }
  std::optional<std::string> server_state(const std::string& db) {
    auto rows = query("SHOW BACKUP FROM " + db);
    if (rows.empty()) return std::nullopt;
    return rows[0]["State"];
  }
  std::vector<Row> server_jobs(const std::string& db) { return query("SHOW BACKUP FROM " + db); }

  fs::path dir_;
  std::string prefix_;
  std::string daily_schedule_ = "mon..sat at 01:00";  // set before make_cluster_data to change the daily tier
  std::string precheck_ = "snapshot_disk_free >= 15%";  // the policy's precheck block
  std::string weekly_extra_;                           // more lines of the weekly tier (e.g. "    precedence = 10\n")
  std::unique_ptr<test::ClusterSql> sql_;
  std::unique_ptr<test::Processes> processes_;
};

}  // namespace sk::e2e
