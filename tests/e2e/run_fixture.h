// Shared by the `starkeep run` end-to-end tests (run_e2e_test.cpp, run_acceptance_e2e_test.cpp): a fixture that
// starts one emulated cluster per test process (--enable-faults, --time-scale 20, 3 backends, Asia/Shanghai),
// creates per-test databases, repository, policy and inventory, spawns the REAL starkeep binary (optionally with
// extra environment, e.g. the test-only STARKEEP_TEST_PAUSE_AT) and reads the ops tables and the server's state.
// Not thread-safe (one test at a time).
#pragma once

#include <cppconn/exception.h>
#include <cppconn/resultset.h>
#include <cppconn/resultset_metadata.h>
#include <cppconn/statement.h>
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "emulator/harness/gtest_fixture.h"

extern char** environ;  // NOLINT: POSIX

namespace sk::e2e {

namespace fs = std::filesystem;
using Row = std::map<std::string, std::optional<std::string>>;

// Exit codes of `starkeep run` (tools/starkeep/exit_codes.h, docs/operations.md).
inline constexpr int kOk = 0;
inline constexpr int kNothingDue = 10;
inline constexpr int kAlreadyHandled = 11;
inline constexpr int kConflict = 12;
inline constexpr int kRepository = 14;
inline constexpr int kPrecheck = 15;
inline constexpr int kUnreachable = 16;

// A Sunday 01:05 UTC: the weekly tier (sun at 01:00) is due, slot date 20250914.
inline constexpr const char* kSunday = "2025-09-14T01:05:00Z";
// A Monday 01:05 UTC: the daily tier (mon..sat at 01:00, window 2h) is due; its slot date is 20250915.
inline constexpr const char* kMonday = "2025-09-15T01:05:00Z";
inline constexpr const char* kTuesday = "2025-09-16T01:05:00Z";

struct Proc {
  pid_t pid = -1;
  fs::path out, err;
};

struct Finished {
  int code = -1;
  std::string out, err;
};

inline std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

inline std::string describe(const Finished& f) {
  return fmt::format("exit {}\nstdout:\n{}\nstderr:\n{}", f.code, f.out, f.err);
}

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
    conn_ = connect();
  }
  void TearDown() override {
    for (const auto& p : live_) {
      ::kill(p, SIGKILL);
      ::waitpid(p, nullptr, 0);
    }
    if (!HasFailure()) fs::remove_all(dir_);
  }

  void exec(const std::string& sql) {
    std::unique_ptr<sql::Statement> st(conn_->createStatement());
    st->execute(sql);
  }
  std::vector<Row> query(const std::string& sql) {
    std::unique_ptr<sql::Statement> st(conn_->createStatement());
    std::unique_ptr<sql::ResultSet> rs(st->executeQuery(sql));
    sql::ResultSetMetaData* meta = rs->getMetaData();
    std::vector<Row> rows;
    while (rs->next()) {
      Row r;
      for (unsigned i = 1; i <= meta->getColumnCount(); ++i) {
        const std::string name = meta->getColumnLabel(i);
        r[name] = rs->isNull(i) ? std::nullopt : std::optional<std::string>(std::string(rs->getString(i)));
      }
      rows.push_back(std::move(r));
    }
    return rows;
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
    std::ofstream(dir_ / "policy.skp") << fmt::format(R"(policy "e2e" {{
  timezone  = "UTC"
  databases = ["{0}_a", "{0}_b"]
  repository "{0}_repo" {{
    location = "s3a://e2e-bucket/{0}"
    endpoint = "https://s3.eu-west-1.amazonaws.com"
    region   = "eu-west-1"
  }}
  precheck {{ {4} }}
  tier "daily" {{
    backup   = changed_partitions
    include  = tables where class == "fact" and partitioned
    schedule = {2}
    retain   = 14d
    window   = 2h
  }}
  tier "weekly" {{
    backup   = tables
    include  = tables where class == "dimension" or not partitioned
    schedule = sun at 01:00
    retain   = 90d
    window   = 4h
{3}  }}
{1}}}
)",
                                                      prefix, policy_extra, daily_schedule_, weekly_extra_, precheck_);
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
    std::vector<std::string> a{STARKEEP_BIN,
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
                               "--log-format",
                               "json"};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }

  // Starts `args` with the test's environment plus `env` ("NAME=value"); stdout/stderr go to files.
  Proc spawn(const std::vector<std::string>& args, const std::vector<std::string>& env = {}) {
    static int counter = 0;
    Proc p;
    p.out = dir_ / fmt::format("out{}.txt", counter);
    p.err = dir_ / fmt::format("err{}.txt", counter);
    ++counter;
    // Everything the child needs is prepared before fork (the child of a threaded process may only exec).
    std::vector<char*> argv;
    for (const auto& s : args) argv.push_back(const_cast<char*>(s.c_str()));
    argv.push_back(nullptr);
    std::vector<char*> envp;
    for (char** e = environ; *e != nullptr; ++e) envp.push_back(*e);
    for (const auto& s : env) envp.push_back(const_cast<char*>(s.c_str()));
    envp.push_back(nullptr);
    const int o = ::open(p.out.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    const int e = ::open(p.err.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    p.pid = ::fork();
    if (p.pid == 0) {
      ::dup2(o, 1);
      ::dup2(e, 2);
      ::execve(argv[0], argv.data(), envp.data());
      ::_exit(127);
    }
    ::close(o);
    ::close(e);
    live_.push_back(p.pid);
    return p;
  }

  Finished wait(const Proc& p) {
    int status = 0;
    ::waitpid(p.pid, &status, 0);
    live_.erase(std::remove(live_.begin(), live_.end(), p.pid), live_.end());
    Finished f;
    f.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    f.out = slurp(p.out);
    f.err = slurp(p.err);
    return f;
  }

  // Waits until `p` stops itself (STARKEEP_TEST_PAUSE_AT raises SIGSTOP). False when it exited instead.
  bool wait_stopped(const Proc& p) {
    int status = 0;
    if (::waitpid(p.pid, &status, WUNTRACED) != p.pid) return false;
    if (WIFSTOPPED(status)) return true;
    live_.erase(std::remove(live_.begin(), live_.end(), p.pid), live_.end());
    return false;
  }

  // SIGKILLs `p` (stopped or running) and reaps it.
  Finished kill_now(const Proc& p) {
    ::kill(p.pid, SIGKILL);
    return wait(p);
  }

  Finished run(const std::string& at, std::vector<std::string> extra = {}) { return wait(spawn(run_args(at, extra))); }

  // The attempts of `db`; none while no run has created the ops tables yet (each ctest process has its own cluster).
  std::vector<Row> history(const std::string& db) {
    try {
      return query("SELECT label, state, job_id, backup_timestamp, error_text, run_id, attempt_id, objects, bytes FROM "
                   "ops.backup_history WHERE database_name = '" + db + "' ORDER BY updated_at_utc");
    } catch (const sql::SQLException& e) {
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
  std::unique_ptr<sql::Connection> conn_;
  std::vector<pid_t> live_;
};

}  // namespace sk::e2e
