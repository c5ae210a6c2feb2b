// End-to-end restore through the real `starkeep` binary against the emulator (cluster time zone Asia/Shanghai):
// a table with 3 partitions, a full backup, writes, an incremental backup of the changed partition, more writes.
// History rows and manifests are written through OpsStore as the runner writes them (finished_at converted from
// the server's local FinishedTime — pitfall 3), fingerprints recorded with verify::record_fingerprints.
// Checks: restore --as-of between the two backups and after the incremental equal reference copies taken at those
// instants, row for row; the live table is untouched without --replace; --replace swaps and the live table then
// equals the reference; missing snapshot / wrong timestamp / nothing to restore / existing target exit codes; and
// every ```bash runbook block of docs/runbooks/*.md runs verbatim.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "emulator/harness/gtest_fixture.h"
#include "tests/support/cluster_sql.h"
#include "tests/support/fixtures.h"
#include "tests/support/gtest_sql.h"
#include "tests/support/process.h"
#include "tests/support/starkeep.h"
#include "runtime/ops/ops_schema.h"
#include "runtime/ops/ops_store.h"
#include "runtime/ports/clock.h"
#include "runtime/verify/fingerprint.h"

namespace sk {
namespace {

using namespace sk::cli;  // NOLINT: kExit… (tools/starkeep/exit_codes.h)
using test::cell;

// A finished command: its exit code and stdout with stderr interleaved.
struct CommandResult {
  int exit_code = -1;
  std::string output;
};

class RestoreE2e : public emu::testing::ClusterFixture {
 protected:
  static void SetUpTestSuite() { start_cluster({"--time-scale", "50", "--time-zone", "Asia/Shanghai"}); }

  void SetUp() override {
    ClusterFixture::SetUp();
    processes_ = std::make_unique<test::Processes>(std::filesystem::temp_directory_path() /
                                                   ("starkeep-restore-e2e-" + std::to_string(::getpid())));
    starkeep_ = std::make_unique<test::Starkeep>(*processes_, cluster().emulator().port());
    auto c = test::ClusterSql::connect(cluster().emulator().port());
    ASSERT_TRUE(c) << c.error().describe();
    sql_ = std::make_unique<test::ClusterSql>(std::move(*c));
  }
  void TearDown() override {
    const auto dir = processes_->dir();
    starkeep_.reset();
    processes_.reset();
    if (!HasFailure()) std::filesystem::remove_all(dir);
  }

  void exec(const std::string& sql) { test::exec_ok(*sql_, sql); }
  ports::Rows query(const std::string& sql) { return test::query_ok(*sql_, sql); }
  // Every row of a table, in key order, as text: the reference to compare restored copies with.
  std::string dump(const std::string& table) {
    auto rows = query("SELECT id, dt, note FROM " + table + " ORDER BY id");
    std::string out;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      out += cell(rows, i, "id") + "|" + cell(rows, i, "dt") + "|" + cell(rows, i, "note") + "\n";
    }
    return out;
  }

  std::string wait_backup(const std::string& db) {
    for (int i = 0; i < 600; ++i) {
      auto rows = query("SHOW BACKUP FROM " + db);
      if (rows.size() == 1) {
        std::string state = cell(rows, 0, "State");
        if (state == "FINISHED") return cell(rows, 0, "FinishedTime");
        if (state == "CANCELLED") {
          ADD_FAILURE() << "backup cancelled: " << cell(rows, 0, "Status");
          return "";
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "backup did not finish";
    return "";
  }

  // BACKUP + history + manifest (VisibleVersion read BEFORE submitting, pitfall 4) + fingerprints.
  void backup(ops::OpsStore& store, const std::string& label, ops::BackupKind kind,
              const std::vector<std::string>& partitions) {
    auto meta = query(
        "SELECT TABLE_NAME, PARTITION_NAME, PARTITION_ID, VISIBLE_VERSION FROM information_schema.partitions_meta "
        "WHERE DB_NAME = 'shop' AND IS_TEMP = 0");
    std::string on = "orders";
    if (!partitions.empty()) {
      on += " PARTITION (";
      for (std::size_t i = 0; i < partitions.size(); ++i) on += (i ? ", " : "") + partitions[i];
      on += ")";
    }
    exec("BACKUP SNAPSHOT shop." + label + " TO repo ON (" + on + ")");
    const std::string finished_local = wait_backup("shop");
    ASSERT_FALSE(finished_local.empty());
    // The server prints FinishedTime in the cluster's zone; the history stores UTC (pitfall 3).
    auto finished = Instant::parse(finished_local, *TimeZone::parse("Asia/Shanghai"));
    ASSERT_TRUE(finished) << finished_local;
    auto snaps = query("SHOW SNAPSHOT ON repo WHERE SNAPSHOT = '" + label + "'");
    ASSERT_EQ(snaps.size(), 1u);

    ops::BackupAttempt a{.run_id = "e2e",
                         .label = *SnapshotLabel::parse(label),
                         .repository = *RepositoryName::parse("repo"),
                         .database = *DatabaseName::parse("shop")};
    a.kind = kind;
    a.state = ops::AttemptState::kFinished;
    a.server_state = "FINISHED";
    a.finished_at = *finished;
    a.backup_timestamp = BackupTimestamp::from_server(cell(snaps, 0, "Timestamp"));
    ops::BackupObject object{*TableName::parse("orders"), {}};
    for (const auto& p : partitions) object.partitions.push_back(*PartitionName::parse(p));
    a.objects.push_back(object);
    ASSERT_TRUE(store.record_backup_attempt(a));
    std::vector<ops::ManifestEntry> entries;
    for (std::size_t i = 0; i < meta.size(); ++i) {
      const std::string p = cell(meta, i, "PARTITION_NAME");
      if (cell(meta, i, "TABLE_NAME") != "orders") continue;
      if (!partitions.empty() && std::find(partitions.begin(), partitions.end(), p) == partitions.end()) continue;
      entries.push_back(ops::ManifestEntry{.attempt_id = a.attempt_id(),
                                           .repository = a.repository,
                                           .label = a.label,
                                           .database = a.database,
                                           .table = *TableName::parse("orders"),
                                           .partition = *PartitionName::parse(p),
                                           .partition_id = std::stoll(cell(meta, i, "PARTITION_ID")),
                                           .visible_version = std::stoll(cell(meta, i, "VISIBLE_VERSION"))});
    }
    ASSERT_EQ(entries.size(), partitions.empty() ? 3u : partitions.size());
    ASSERT_TRUE(store.write_manifest(entries));
    auto recorded = verify::record_fingerprints(sql_->connection(), store, a.label, a.database);
    ASSERT_TRUE(recorded) << recorded.error().describe();
    EXPECT_EQ(recorded->recorded, static_cast<int>(entries.size()));
  }

  static std::filesystem::path starkeep_bin() { return test::starkeep_binary(); }

  // `starkeep <args>` with the cluster's STARKEEP_HOST/PORT/USER in its environment; stderr into the output.
  CommandResult run(const std::vector<std::string>& args) {
    const test::Finished f = starkeep_->run_merged(args);
    return {f.code, f.out};
  }
  CommandResult run(const std::string& args) { return run(test::split_args(args)); }

  std::unique_ptr<test::Processes> processes_;
  std::unique_ptr<test::Starkeep> starkeep_;
  std::unique_ptr<test::ClusterSql> sql_;
};

TEST_F(RestoreE2e, FullIncrementalRestoreAsOfReplaceErrorsAndRunbooks) {
  ports::SystemClock clock;
  ops::OpsConfig config{*DatabaseName::parse("ops"), 1};
  ASSERT_TRUE(ops::migrate(sql_->connection(), config, clock, "restore_e2e"));
  ops::OpsStore store(sql_->connection(), config, clock);

  exec("CREATE DATABASE shop");
  exec("CREATE TABLE shop.orders (id BIGINT NOT NULL, dt DATE, note VARCHAR(64)) DUPLICATE KEY(id) "
       "PARTITION BY RANGE(dt) (PARTITION p1 VALUES LESS THAN ('2024-02-01'), "
       "PARTITION p2 VALUES LESS THAN ('2024-03-01'), PARTITION p3 VALUES LESS THAN ('2024-04-01')) "
       "DISTRIBUTED BY HASH(id) BUCKETS 2 PROPERTIES ('replication_num' = '1')");
  exec("CREATE REPOSITORY repo WITH BROKER ON LOCATION 's3a://restore-bucket/backups'");
  exec("INSERT INTO shop.orders VALUES (1, '2024-01-05', 'a'), (2, '2024-02-06', NULL), (3, '2024-03-07', 'ü')");

  backup(store, "full1", ops::BackupKind::kTables, {});
  const std::string ref_a = dump("shop.orders");
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  const Instant t_a = clock.now();
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));

  exec("INSERT INTO shop.orders VALUES (4, '2024-02-10', 'b'), (5, '2024-02-11', 'c')");
  backup(store, "inc1", ops::BackupKind::kPartitions, {"p2"});
  const std::string ref_b = dump("shop.orders");
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  const Instant t_b = clock.now();
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));

  exec("INSERT INTO shop.orders VALUES (6, '2024-01-20', 'd'), (7, '2024-02-20', 'e'), (8, '2024-03-20', 'f')");
  const std::string live_now = dump("shop.orders");
  ASSERT_NE(ref_a, ref_b);
  ASSERT_NE(ref_b, live_now);

  // Dry run: the plan with both jobs into the same alias, nothing sent.
  auto dry = run("restore table shop.orders --as-of " + t_b.to_iso8601_utc() + " --as orders_b --dry-run");
  ASSERT_EQ(dry.exit_code, kExitOk) << dry.output;
  EXPECT_NE(dry.output.find("'full1'"), std::string::npos) << dry.output;
  EXPECT_NE(dry.output.find("'inc1'"), std::string::npos) << dry.output;
  EXPECT_EQ(std::regex_search(dry.output, std::regex("RESTORE SNAPSHOT .*AS `orders_b`.*\n.*RESTORE SNAPSHOT .*AS "
                                                     "`orders_b`")),
            true)
      << dry.output;
  EXPECT_TRUE(query("SELECT TABLE_NAME FROM information_schema.tables WHERE TABLE_SCHEMA = 'shop' AND "
                    "TABLE_NAME = 'orders_b'")
                  .empty());

  // As of T_B (given in UTC): full + incremental into one staging table; equals the reference at T_B.
  auto b = run("restore table shop.orders --as-of " + t_b.to_iso8601_utc() + " --as orders_b --replication-num 1");
  ASSERT_EQ(b.exit_code, kExitOk) << b.output;
  EXPECT_NE(b.output.find("verification PASSED"), std::string::npos) << b.output;
  EXPECT_EQ(dump("shop.orders_b"), ref_b);
  EXPECT_EQ(dump("shop.orders"), live_now) << "invariant 4: live table untouched without --replace";

  // As of T_A given as Asia/Shanghai local time (pitfall 3): only the full backup.
  const std::string t_a_local = t_a.to_string(*TimeZone::parse("Asia/Shanghai")).substr(0, 19);
  const test::Finished a_json = starkeep_->run({"restore", "table", "shop.orders", "--as-of", t_a_local, "--time-zone",
                                                "Asia/Shanghai", "--as", "orders_a", "--format", "json"});
  const CommandResult a{a_json.code, a_json.out + a_json.err};  // replication_num read from the source
  ASSERT_EQ(a.exit_code, kExitOk) << a.output;
  // Issue 11 item 11: the outcome on stdout is one versioned JSON document (the plan went to stderr).
  const auto outcome = nlohmann::json::parse(a_json.out, nullptr, false);
  ASSERT_TRUE(outcome.is_object()) << a_json.out;
  EXPECT_EQ(outcome["restore_version"], 1) << a_json.out;
  EXPECT_EQ(outcome["verification"], "PASSED") << a_json.out;
  EXPECT_EQ(a.output.find("\"label\": \"inc1\""), std::string::npos) << a.output;
  EXPECT_EQ(dump("shop.orders_a"), ref_a);
  EXPECT_NE(a.output.find("'replication_num' = '1'"), std::string::npos) << a.output;

  // One partition as of T_A, then replaced in the live table (INSERT OVERWRITE ... PARTITION, after verification).
  auto p = run("restore partition shop.orders p2 --as-of " + t_a.to_iso8601_utc() + " --as orders_p2 --replace");
  ASSERT_EQ(p.exit_code, kExitOk) << p.output;
  EXPECT_EQ(dump("shop.orders_p2"), "2|2024-02-06|<NULL>\n");
  EXPECT_EQ(dump("shop.orders"), "1|2024-01-05|a\n2|2024-02-06|<NULL>\n3|2024-03-07|ü\n6|2024-01-20|d\n8|2024-03-20|f\n")
      << "only p2 went back to T_A";
  exec("INSERT INTO shop.orders VALUES (4, '2024-02-10', 'b'), (5, '2024-02-11', 'c'), (7, '2024-02-20', 'e')");
  ASSERT_EQ(dump("shop.orders"), live_now);

  // `starkeep status` lists the server's current job of every database, of either kind: shop's latest job is a
  // RESTORE (StarRocks keeps one job per database, so SHOW BACKUP FROM shop is empty now), and it is listed (issue
  // 10 item 20: only databases whose latest job was a backup used to be listed).
  auto status = run("status --format json");
  ASSERT_EQ(status.exit_code, kExitOk) << status.output;
  const auto doc = nlohmann::json::parse(status.output, nullptr, false);
  ASSERT_TRUE(doc.is_object()) << status.output;
  EXPECT_EQ(doc["status_version"], 1) << "issue 11 item 11: status JSON is versioned";
  std::set<std::string> shop_jobs;
  for (const auto& j : doc.at("server_jobs")) {
    if (j.at("database") == "shop") shop_jobs.insert(j.at("kind").get<std::string>() + ":" + j.at("state").get<std::string>());
  }
  EXPECT_EQ(shop_jobs, (std::set<std::string>{"restore:FINISHED"})) << status.output;

  // Errors, each with its own exit code.
  EXPECT_EQ(run("restore table shop.orders --snapshot nope --dry-run").exit_code, kExitSnapshotMissing);
  auto wrong = run("restore table shop.orders --snapshot full1 --backup-timestamp 1999-01-01-00-00-00-000 --dry-run");
  EXPECT_EQ(wrong.exit_code, kExitWrongTimestamp) << wrong.output;
  // An empty --backup-timestamp is no timestamp: refused, never taken as "not given".
  auto empty = run({"restore", "table", "shop.orders", "--snapshot", "full1", "--backup-timestamp", "", "--dry-run"});
  EXPECT_EQ(empty.exit_code, kExitUsage) << empty.output;
  EXPECT_NE(empty.output.find("--backup-timestamp is empty"), std::string::npos) << empty.output;
  EXPECT_EQ(run("restore table shop.orders --as-of 1999-01-01T00:00:00Z --dry-run").exit_code, kExitRestoreNothing);
  // `--as-of now` as `run --at now` (issue 10 item 21): the newest state, i.e. the full backup and the incremental.
  auto newest = run("restore table shop.orders --as-of now --as orders_now --dry-run");
  ASSERT_EQ(newest.exit_code, kExitOk) << newest.output;
  EXPECT_NE(newest.output.find("'full1'"), std::string::npos) << newest.output;
  EXPECT_NE(newest.output.find("'inc1'"), std::string::npos) << newest.output;
  EXPECT_EQ(run("restore table shop.orders --as-of " + t_b.to_iso8601_utc() + " --as orders_b").exit_code, kExitTargetExists);
  EXPECT_EQ(run("restore table shop.orders --as-of " + t_b.to_iso8601_utc() + " --into shop --as orders --dry-run")
                .exit_code,
            kExitUsage)
      << "the live name is never a restore target";

  // --replace: the live table becomes the T_B state in one SWAP; the old data stays under the staging name.
  auto r = run("restore table shop.orders --as-of " + t_b.to_iso8601_utc() +
               " --as orders_stage --replication-num 1 --replace");
  ASSERT_EQ(r.exit_code, kExitOk) << r.output;
  EXPECT_NE(r.output.find("SWAP WITH `orders_stage`"), std::string::npos) << r.output;
  EXPECT_EQ(dump("shop.orders"), ref_b);
  EXPECT_EQ(dump("shop.orders_stage"), live_now);

  auto history = query("SELECT label, state, verification, swapped, started_at_utc, finished_at_utc, "
                       "duration_seconds FROM ops.restore_history WHERE swapped = 1 ORDER BY label");
  ASSERT_EQ(history.size(), 3u) << "the partition replace (1 step) and both steps of the table swap";
  for (std::size_t i = 0; i < history.size(); ++i) {
    EXPECT_EQ(cell(history, i, "state"), "FINISHED");
    EXPECT_EQ(cell(history, i, "verification"), "PASSED");
    // When the restore began and how long until the row's job ended (schema 2 columns).
    EXPECT_LE(cell(history, i, "started_at_utc"), cell(history, i, "finished_at_utc"));
    ASSERT_NE(cell(history, i, "duration_seconds"), "<NULL>");
    EXPECT_GE(std::stoll(cell(history, i, "duration_seconds")), 0);
  }
  EXPECT_EQ(cell(history, 0, "label") + "," + cell(history, 1, "label") + "," + cell(history, 2, "label"),
            "full1,full1,inc1");

  // The runbooks: every ```bash runbook block runs verbatim against this cluster.
  const std::filesystem::path dir = std::filesystem::path(SK_SOURCE_DIR) / "docs" / "runbooks";
  int blocks = 0;
  for (const auto& file : std::filesystem::directory_iterator(dir)) {
    if (file.path().extension() != ".md") continue;
    for (const std::string& block : test::fenced_blocks(file.path(), "```bash runbook")) {
      ++blocks;
      const std::string env =
          "set -euo pipefail; export PATH=" + starkeep_bin().parent_path().string() +
          ":$PATH STARKEEP_HOST=127.0.0.1 STARKEEP_PORT=" + std::to_string(cluster().emulator().port()) +
          " STARKEEP_USER=root DB=shop TABLE=orders PARTITION=p2 REPO=repo LABEL=inc1 AS_OF=" + t_b.to_iso8601_utc() +
          " RUNBOOK=" + std::to_string(blocks) + "; ";
      const test::Finished out = processes_->shell(env + block);
      EXPECT_EQ(out.code, kExitOk) << file.path().filename() << " block " << blocks << ":\n"
                                   << block << "\n---\n"
                                   << out.out;
    }
  }
  EXPECT_GE(blocks, 3);
}

}  // namespace
}  // namespace sk
