// End to end: `starkeep run` (the real binary) against the emulator. Each test uses its own databases and
// repository in one shared emulated cluster (--enable-faults, --time-scale 20, 3 backends, Asia/Shanghai).
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

namespace {

namespace fs = std::filesystem;
using Row = std::map<std::string, std::optional<std::string>>;

// Exit codes of `starkeep run` (tools/starkeep/exit_codes.h, docs/operations.md).
constexpr int kOk = 0;
constexpr int kAlreadyHandled = 11;
constexpr int kConflict = 12;
constexpr int kRepository = 14;
constexpr int kPrecheck = 15;

// A Monday 01:05 UTC: the daily tier (mon..sat at 01:00, window 2h) is due; its slot date is 20250915.
constexpr const char* kMonday = "2025-09-15T01:05:00Z";
constexpr const char* kTuesday = "2025-09-16T01:05:00Z";

struct Proc {
  pid_t pid = -1;
  fs::path out, err;
};

struct Finished {
  int code = -1;
  std::string out, err;
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class RunE2e : public sk::emu::testing::ClusterFixture {
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
  // repository `<prefix>_repo`; the policy and inventory files for them.
  void make_cluster_data(const std::string& prefix) {
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
         "' PROPERTIES ('aws.s3.access_key' = 'k', 'aws.s3.secret_key' = 's')");
    std::ofstream(dir_ / "policy.skp") << fmt::format(R"(policy "e2e" {{
  timezone  = "UTC"
  databases = ["{0}_a", "{0}_b"]
  repository "{0}_repo" {{
    location = "s3a://e2e-bucket/{0}"
    endpoint = "https://s3.eu-west-1.amazonaws.com"
    region   = "eu-west-1"
  }}
  precheck {{ snapshot_disk_free >= 15% }}
  tier "daily" {{
    backup   = changed_partitions
    include  = tables where class == "fact" and partitioned
    schedule = mon..sat at 01:00
    retain   = 14d
    window   = 2h
  }}
  tier "weekly" {{
    backup   = tables
    include  = tables where class == "dimension" or not partitioned
    schedule = sun at 01:00
    retain   = 90d
    window   = 4h
  }}
}}
)",
                                                      prefix);
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

  Proc spawn(const std::vector<std::string>& args) {
    static int counter = 0;
    Proc p;
    p.out = dir_ / fmt::format("out{}.txt", counter);
    p.err = dir_ / fmt::format("err{}.txt", counter);
    ++counter;
    p.pid = ::fork();
    if (p.pid == 0) {
      const int o = ::open(p.out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      const int e = ::open(p.err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(o, 1);
      ::dup2(e, 2);
      std::vector<char*> argv;
      for (const auto& s : args) argv.push_back(const_cast<char*>(s.c_str()));
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    return p;
  }

  Finished wait(const Proc& p) {
    int status = 0;
    ::waitpid(p.pid, &status, 0);
    Finished f;
    f.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    f.out = slurp(p.out);
    f.err = slurp(p.err);
    return f;
  }

  Finished run(const std::string& at, std::vector<std::string> extra = {}) { return wait(spawn(run_args(at, extra))); }

  // The attempts of `db`; none while no run has created the ops tables yet (each ctest process has its own cluster).
  std::vector<Row> history(const std::string& db) {
    try {
      return query("SELECT label, state, job_id, backup_timestamp, error_text, run_id, attempt_id, objects FROM "
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

  fs::path dir_;
  std::string prefix_;
  std::unique_ptr<sql::Connection> conn_;
};

std::string describe(const Finished& f) { return fmt::format("exit {}\nstdout:\n{}\nstderr:\n{}", f.code, f.out, f.err); }

// (a) One daily run: history FINISHED with label and JobId, manifest written, SHOW SNAPSHOT has it; a second run
// for the same slot submits nothing.
TEST_F(RunE2e, DailyRunRecordsHistoryAndASecondRunForTheSlotSubmitsNothing) {
  make_cluster_data("ea");
  const Finished first = run(kMonday);
  ASSERT_EQ(first.code, kOk) << describe(first);
  for (const char* db : {"ea_a", "ea_b"}) {
    const std::string label = std::string(db) + "_20250915_inc";
    auto finished = history_in(db, "FINISHED");
    ASSERT_EQ(finished.size(), 1u) << db << describe(first);
    EXPECT_EQ(finished[0]["label"], label);
    EXPECT_TRUE(finished[0]["job_id"].has_value());
    ASSERT_TRUE(finished[0]["backup_timestamp"].has_value());
    EXPECT_EQ(snapshot_status(label), "OK");
    // The manifest has the three partitions of the fact table with their versions.
    auto manifest = query("SELECT partition_name, visible_version FROM ops.backup_manifest WHERE attempt_id = '" +
                          *finished[0]["attempt_id"] + "' ORDER BY partition_name");
    ASSERT_EQ(manifest.size(), 3u);
    EXPECT_EQ(manifest[0]["partition_name"], "p1");
    // The server's own record matches the label we chose (pitfall 1: compared unquoted).
    auto show = query(std::string("SHOW BACKUP FROM ") + db);
    ASSERT_EQ(show.size(), 1u);
    EXPECT_EQ(show[0]["SnapshotName"], label);
    EXPECT_EQ(show[0]["JobId"], finished[0]["job_id"]);
  }
  // JSON log lines carry run_id, database, label and job_id; SQL is logged at debug level.
  EXPECT_NE(first.err.find("\"job_id\""), std::string::npos);
  EXPECT_NE(first.err.find("BACKUP SNAPSHOT"), std::string::npos);
  EXPECT_EQ(first.err.find("'s'"), std::string::npos);  // no secret

  auto job_before = query("SHOW BACKUP FROM ea_a")[0]["JobId"];
  const Finished second = run(kMonday);
  EXPECT_EQ(second.code, kAlreadyHandled) << describe(second);
  EXPECT_EQ(query("SHOW BACKUP FROM ea_a")[0]["JobId"], job_before);  // no new job
  EXPECT_EQ(snapshots_named("ea_a_20250915_inc"), 1);                  // no _r1
  EXPECT_EQ(history_in("ea_a", "FINISHED").size(), 1u);

  // starkeep status: nothing unsettled; the server's latest jobs are listed.
  const Finished status = wait(spawn({STARKEEP_BIN, "status", "--format", "json", "--database", "ea_a", "--host",
                                      "127.0.0.1", "--port", std::to_string(cluster().emulator().port())}));
  ASSERT_EQ(status.code, kOk) << describe(status);
  EXPECT_NE(status.out.find("\"unfinished\": []"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("ea_a_20250915_inc"), std::string::npos) << status.out;
}

// (b) Four runners started at once for the same slot: exactly one BACKUP per database.
TEST_F(RunE2e, FourConcurrentRunnersSubmitExactlyOneBackupPerDatabase) {
  make_cluster_data("eb");
  // Jobs stay in UPLOADING for a while, so the slower runners find them running.
  exec("ADMIN EMULATOR DELAY JOB AT UPLOADING IN DATABASE eb_a SECONDS 40");
  exec("ADMIN EMULATOR DELAY JOB AT UPLOADING IN DATABASE eb_b SECONDS 40");
  std::vector<Proc> procs;
  for (int i = 0; i < 4; ++i) procs.push_back(spawn(run_args(kMonday)));
  std::vector<Finished> results;
  for (auto& p : procs) results.push_back(wait(p));
  int winners = 0;
  for (const auto& r : results) {
    EXPECT_TRUE(r.code == kOk || r.code == kAlreadyHandled) << describe(r);
    winners += r.code == kOk;
  }
  for (const char* db : {"eb_a", "eb_b"}) {
    const std::string label = std::string(db) + "_20250915_inc";
    EXPECT_EQ(snapshots_named(label), 1) << db;  // one snapshot, no _r1
    EXPECT_EQ(snapshot_status(label), "OK");
    EXPECT_EQ(history_in(db, "FINISHED").size(), 1u) << db;
    EXPECT_TRUE(history_in(db, "SUBMITTING").empty());
    EXPECT_TRUE(history_in(db, "RUNNING").empty());
  }
  // One winner per database at most, so at least two of the four runners won nothing and exit 11.
  EXPECT_LE(winners, 2);
  EXPECT_GE(static_cast<int>(std::count_if(results.begin(), results.end(),
                                           [](const Finished& r) { return r.code == kAlreadyHandled; })),
            2);
}

// (c) SIGKILL while polling: the next run reconciles (history terminal, no duplicate job).
TEST_F(RunE2e, RunKilledWhilePollingIsReconciledByTheNextRun) {
  make_cluster_data("ec");
  exec("ADMIN EMULATOR DELAY JOB AT UPLOADING IN DATABASE ec_a SECONDS 100");
  Proc p = spawn(run_args(kMonday, {"--database", "ec_a"}));
  ASSERT_TRUE(eventually([&] { return !history_in("ec_a", "RUNNING").empty(); })) << slurp(p.err);
  ::kill(p.pid, SIGKILL);
  const Finished killed = wait(p);
  EXPECT_EQ(killed.code, 128 + SIGKILL);
  ASSERT_EQ(history_in("ec_a", "RUNNING").size(), 1u);  // what the dead run left

  const Finished next = run(kMonday, {"--database", "ec_a"});
  EXPECT_TRUE(next.code == kOk || next.code == kAlreadyHandled) << describe(next);
  auto rows = history("ec_a");
  ASSERT_EQ(rows.size(), 1u) << describe(next);  // the same attempt row, settled
  EXPECT_EQ(rows[0]["state"], "FINISHED");
  EXPECT_TRUE(rows[0]["backup_timestamp"].has_value());
  EXPECT_EQ(snapshots_named("ec_a_20250915_inc"), 1);  // no duplicate job
}

// (c') SIGTERM stops the run with its exit code; the job continues and the next run settles it.
TEST_F(RunE2e, SigtermInterruptsAndTheNextRunSettles) {
  make_cluster_data("et");
  exec("ADMIN EMULATOR DELAY JOB AT UPLOADING IN DATABASE et_a SECONDS 60");
  Proc p = spawn(run_args(kMonday, {"--database", "et_a"}));
  ASSERT_TRUE(eventually([&] { return !history_in("et_a", "RUNNING").empty(); })) << slurp(p.err);
  ::kill(p.pid, SIGTERM);
  const Finished stopped = wait(p);
  EXPECT_EQ(stopped.code, 130) << describe(stopped);
  ASSERT_TRUE(eventually([&] { return server_state("et_a") == "FINISHED"; }));
  const Finished next = run(kMonday, {"--database", "et_a"});
  EXPECT_EQ(next.code, kAlreadyHandled) << describe(next);
  auto rows = history("et_a");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["state"], "FINISHED");
}

// (d) Faults.
TEST_F(RunE2e, UnreachableRepositoryFailsWithItsCodeAndHistory) {
  make_cluster_data("er");
  exec("ADMIN EMULATOR SET REPOSITORY er_repo UNREACHABLE = true");
  const Finished f = run(kMonday);
  exec("ADMIN EMULATOR SET REPOSITORY er_repo UNREACHABLE = false");
  EXPECT_EQ(f.code, kRepository) << describe(f);
  EXPECT_NE(f.err.find("er_repo"), std::string::npos);
  auto rejected = history_in("er_a", "REJECTED");
  ASSERT_EQ(rejected.size(), 1u);
  EXPECT_NE(rejected[0]["error_text"]->find("503"), std::string::npos) << *rejected[0]["error_text"];
  EXPECT_EQ(snapshots_named("er_a"), 0);
}

TEST_F(RunE2e, DeadBackendFailsThePrecheck) {
  make_cluster_data("ed");
  exec("ADMIN EMULATOR SET BACKEND 10002 ALIVE = false");
  const Finished f = run(kMonday);
  exec("ADMIN EMULATOR SET BACKEND 10002 ALIVE = true");
  EXPECT_EQ(f.code, kPrecheck) << describe(f);
  EXPECT_NE(f.err.find("backend 10002 is not alive"), std::string::npos) << f.err;
  EXPECT_EQ(snapshots_named("ed_a"), 0);
  EXPECT_TRUE(history("ed_a").empty());
}

TEST_F(RunE2e, DroppedConnectionsWhilePollingDoNotEndTheRun) {
  make_cluster_data("ep");
  exec("ADMIN EMULATOR DELAY JOB AT UPLOADING IN DATABASE ep_a SECONDS 80");
  Proc p = spawn(run_args(kMonday, {"--database", "ep_a"}));
  ASSERT_TRUE(eventually([&] { return !history_in("ep_a", "RUNNING").empty(); })) << slurp(p.err);
  for (int i = 0; i < 3; ++i) {
    try {
      exec("ADMIN EMULATOR DROP CONNECTIONS");
    } catch (const sql::SQLException&) {
      // the statement's own connection is dropped too
    }
    conn_ = connect();
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  const Finished f = wait(p);
  EXPECT_EQ(f.code, kOk) << describe(f);
  EXPECT_EQ(history_in("ep_a", "FINISHED").size(), 1u);
}

TEST_F(RunE2e, ForeignJobIsRetriedThenConflict) {
  make_cluster_data("ef");
  exec("ADMIN EMULATOR START FOREIGN BACKUP IN DATABASE ef_a SECONDS 100000");
  const Finished f = run(kMonday, {"--database", "ef_a", "--busy-retries", "2", "--busy-delay-ms", "100"});
  try {
    exec("CANCEL BACKUP FROM ef_a");
  } catch (const sql::SQLException&) {
  }
  EXPECT_EQ(f.code, kConflict) << describe(f);
  EXPECT_NE(f.err.find("foreign_backup_"), std::string::npos);
  EXPECT_EQ(history_in("ef_a", "REJECTED").size(), 1u);
  EXPECT_EQ(snapshots_named("ef_a"), 0);
}

// (e) Pitfall 4: a write committed into a partition while the snapshot is being taken is in a snapshot after the
// next daily run (the manifest holds the version read before submission, so the partition counts as changed).
TEST_F(RunE2e, WriteRacingTheSnapshotIsInTheNextDailySnapshot) {
  make_cluster_data("ew");
  exec("ADMIN EMULATOR DELAY JOB AT UPLOADING IN DATABASE ew_a SECONDS 60");
  Proc p = spawn(run_args(kMonday, {"--database", "ew_a"}));
  ASSERT_TRUE(eventually([&] { return server_state("ew_a") == "UPLOADING"; })) << slurp(p.err);
  exec("INSERT INTO ew_a.orders VALUES (4, '2025-09-20', 40)");  // into p2, after the snapshot point
  const auto p2_version = query("SELECT VISIBLE_VERSION FROM information_schema.partitions_meta WHERE DB_NAME = "
                                "'ew_a' AND TABLE_NAME = 'orders' AND PARTITION_NAME = 'p2'")[0]["VISIBLE_VERSION"];
  const Finished first = wait(p);
  ASSERT_EQ(first.code, kOk) << describe(first);

  const Finished next = run(kTuesday, {"--database", "ew_a"});
  ASSERT_EQ(next.code, kOk) << describe(next);
  auto finished = history_in("ew_a", "FINISHED");
  ASSERT_EQ(finished.size(), 2u);
  auto& tuesday = finished[1]["label"] == "ew_a_20250916_inc" ? finished[1] : finished[0];
  EXPECT_EQ(tuesday["label"], "ew_a_20250916_inc");
  // Only p2 changed since Monday's manifest, and the Tuesday snapshot holds its new version.
  auto manifest = query("SELECT partition_name, visible_version FROM ops.backup_manifest WHERE attempt_id = '" +
                        *tuesday["attempt_id"] + "'");
  ASSERT_EQ(manifest.size(), 1u) << *tuesday["objects"];
  EXPECT_EQ(manifest[0]["partition_name"], "p2");
  EXPECT_EQ(manifest[0]["visible_version"], p2_version);
  EXPECT_EQ(snapshot_status("ew_a_20250916_inc"), "OK");
}

}  // namespace
