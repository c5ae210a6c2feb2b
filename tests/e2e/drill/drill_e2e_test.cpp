// End to end: `starkeep drill` (the real binary) against the emulator, after `starkeep run --at …` has backed
// up a simulated Sunday (monthly baseline, covering the weekly), Monday and Tuesday (dailies). Checks: the
// three drill kinds of the production policy are due and PASS, with checksums equal to fingerprints this test
// computes itself with its own SQL right after each backup; restore_history holds kind 'drill' rows; the
// scratch databases are gone; a second drill in the same period is not due (exit 10); in the next month the
// daily is past retention (exit 20); a scratch database kept with --keep holds the snapshot's data and makes
// the next drill refuse (exit 27) without dropping it; a tampered recorded checksum fails the partition drill
// (exit 26) and a corrupted snapshot file fails the database drill (exit 25) — each with verdict FAILED, an
// alert delivered through the policy's command notifier and the scratch database dropped.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "emulator/harness/gtest_fixture.h"
#include "tests/support/cluster_sql.h"
#include "tests/support/gtest_sql.h"
#include "tests/support/fixtures.h"
#include "tests/support/process.h"
#include "tests/support/starkeep.h"

namespace sk {
namespace {

namespace fs = std::filesystem;
using namespace sk::cli;  // NOLINT: kExit… (tools/starkeep/exit_codes.h)
using Command = test::Finished;
using test::cell;
using test::slurp;

// Simulated days: 2025-07-06 is the first Sunday of July (monthly baseline, which also counts as the weekly).
constexpr const char* kSunday = "2025-07-06T01:05:00Z";
constexpr const char* kMonday = "2025-07-07T01:05:00Z";
constexpr const char* kTuesday = "2025-07-08T01:05:00Z";
constexpr const char* kDrillAt = "2025-07-08T10:00:00Z";  // July (month), Q3, H2: all three drills due

class DrillE2e : public emu::testing::ClusterFixture {
 protected:
  static void SetUpTestSuite() { start_cluster({"--enable-faults", "--time-scale", "50"}); }

  void SetUp() override {
    ClusterFixture::SetUp();
    dir_ = fs::temp_directory_path() / fmt::format("starkeep-drill-e2e-{}", ::getpid());
    fs::create_directories(dir_);
    processes_ = std::make_unique<test::Processes>(dir_);
    auto c = test::ClusterSql::connect(cluster().emulator().port());
    ASSERT_TRUE(c) << c.error().describe();
    sql_ = std::make_unique<test::ClusterSql>(std::move(*c));
  }
  void TearDown() override {
    processes_.reset();
    if (!HasFailure()) fs::remove_all(dir_);
  }

  void exec(const std::string& sql) { test::exec_ok(*sql_, sql); }
  ports::Rows query(const std::string& sql) { return test::query_ok(*sql_, sql); }

  // `starkeep <args> --host 127.0.0.1 --port <emulator> --user root` (args split on blanks).
  Command starkeep(const std::string& args) {
    std::vector<std::string> argv{test::starkeep_binary()};
    for (auto& a : test::split_args(args)) argv.push_back(std::move(a));
    const std::vector<std::string> connection{"--host", "127.0.0.1", "--port",
                                              std::to_string(cluster().emulator().port()), "--user", "root"};
    argv.insert(argv.end(), connection.begin(), connection.end());
    return processes_->run(argv);
  }
  Command run_at(const char* at) {
    return starkeep(fmt::format("run --policy {} --inventory {} --at {} --poll-initial-ms 100",
                                (dir_ / "policy.skp").string(), (dir_ / "inventory.json").string(), at));
  }
  Command drill(const std::string& extra) {
    return starkeep(fmt::format("drill --policy {} --format json --poll-initial-ms 100 {}",
                                (dir_ / "policy.skp").string(), extra));
  }

  // This test's own fingerprint of a partition (row count and the sum of murmur_hash3_32 over the row's
  // columns as text joined by '|', NULL as \N), computed with SQL written here, not by starkeep.
  std::string fingerprint(const std::string& table, const std::string& partition,
                          const std::vector<std::string>& columns, const std::string& db = "shop") {
    std::string args;
    for (const auto& c : columns)
      args += (args.empty() ? "" : ", ") + fmt::format("ifnull(cast(`{}` AS VARCHAR), '\\\\N')", c);
    auto rows =
        query(fmt::format("SELECT COUNT(*) AS c, SUM(CAST(murmur_hash3_32(concat_ws('|', {})) AS BIGINT)) AS "
                          "s FROM `{}`.`{}` PARTITION (`{}`)",
                          args, db, table, partition));
    if (rows.size() != 1) return "?";
    const std::string sum = cell(rows, 0, "s");
    return fmt::format("rows={} sum={}", cell(rows, 0, "c"), sum == "<NULL>" ? "0" : sum);
  }
  // The fingerprints of every partition now (taken right after a backup, before any further write).
  std::map<std::string, std::string> fingerprints_now() {
    return {{"orders.p1", fingerprint("orders", "p1", {"id", "dt", "amount"})},
            {"orders.p2", fingerprint("orders", "p2", {"id", "dt", "amount"})},
            {"orders.p3", fingerprint("orders", "p3", {"id", "dt", "amount"})},
            {"customers.customers", fingerprint("customers", "customers", {"id", "name"})},
            {"regions.regions", fingerprint("regions", "regions", {"code", "label"})}};
  }

  // The label of the FINISHED attempt whose slot is `slot` ("2025-07-06 01:00:00").
  std::string label_of_slot(const std::string& slot) {
    auto rows = query(
        "SELECT label FROM ops.backup_history WHERE database_name = 'shop' AND state = 'FINISHED' AND "
        "slot_utc = '" +
        slot + "'");
    EXPECT_EQ(rows.size(), 1u) << slot;
    return rows.empty() ? "" : cell(rows, 0, "label");
  }

  // The runner records the fingerprint of every partition of a FINISHED backup in its manifest (nothing wrote
  // while it did): the values the drills compare with.
  void expect_fingerprints_recorded(const std::string& label) {
    auto rows = query(
        "SELECT COUNT(*) AS n, SUM(CASE WHEN checksum IS NULL THEN 1 ELSE 0 END) AS missing FROM "
        "ops.backup_manifest WHERE label = '" +
        label + "'");
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_NE(cell(rows, 0, "n"), "0") << label;
    EXPECT_EQ(cell(rows, 0, "missing"), "0") << label;
  }

  std::vector<std::string> scratch_databases() {
    auto rows = query("SHOW DATABASES");
    std::vector<std::string> out;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const std::string name = cell(rows, i, "Database");
      if (name.rfind("starkeep_drill_", 0) == 0) out.push_back(name);
    }
    return out;
  }

  static const nlohmann::json* find_drill(const nlohmann::json& doc, const std::string& name) {
    for (const auto& d : doc["drills"]) {
      if (d["drill"] == name) return &d;
    }
    return nullptr;
  }

  fs::path dir_;
  std::unique_ptr<test::Processes> processes_;
  std::unique_ptr<test::ClusterSql> sql_;
};

TEST_F(DrillE2e, DueDrillsPassSecondIsNotDueCorruptionFailsAlertsAndDropsScratch) {
  exec("CREATE DATABASE shop");
  exec(
      "CREATE TABLE shop.orders (id BIGINT NOT NULL, dt DATE, amount INT) DUPLICATE KEY(id) PARTITION BY "
      "RANGE(dt) ("
      "PARTITION p1 VALUES LESS THAN ('2025-06-01'), PARTITION p2 VALUES LESS THAN ('2025-07-01'), "
      "PARTITION p3 VALUES LESS THAN ('2025-08-01')) DISTRIBUTED BY HASH(id) BUCKETS 2 "
      "PROPERTIES ('replication_num' = '1')");
  exec(
      "CREATE TABLE shop.customers (id INT NOT NULL, name VARCHAR(32)) DUPLICATE KEY(id) DISTRIBUTED BY "
      "HASH(id) "
      "BUCKETS 1 PROPERTIES ('replication_num' = '1')");
  exec(
      "CREATE TABLE shop.regions (code VARCHAR(8) NOT NULL, label VARCHAR(32)) DUPLICATE KEY(code) "
      "DISTRIBUTED BY HASH(code) BUCKETS 1 PROPERTIES ('replication_num' = '1')");
  exec(
      "INSERT INTO shop.orders VALUES (1, '2025-05-05', 10), (2, '2025-06-06', NULL), (3, '2025-07-01', 30)");
  exec("INSERT INTO shop.customers VALUES (1, 'ann'), (2, NULL), (3, 'zoë')");
  exec("INSERT INTO shop.regions VALUES ('eu', 'Europe'), ('ap', 'Asia Pacific')");
  exec(
      "CREATE REPOSITORY drill_repo WITH BROKER ON LOCATION 's3a://drill-bucket/prod' "
      "PROPERTIES ('aws.s3.access_key' = 'k', 'aws.s3.secret_key' = 's')");

  const fs::path alerts = dir_ / "alerts.jsonl";
  test::E2ePolicy policy{.name = "drill_e2e",
                         .databases = {"shop"},
                         .repository = "drill_repo",
                         .location = "s3a://drill-bucket/prod",
                         .extra = test::monthly_and_drills("oncall") +
                                  fmt::format("  notifier \"oncall\" {{ command = \"cat >> {}\" }}\n", alerts.string())};
  std::ofstream(dir_ / "policy.skp") << policy.text();
  std::ofstream(dir_ / "inventory.json") << R"({"inventory_version": 1, "tables": [
    {"database": "shop", "table": "orders", "class": "fact", "partitioned": true},
    {"database": "shop", "table": "customers", "class": "dimension", "partitioned": false},
    {"database": "shop", "table": "regions", "class": "dimension", "partitioned": false}]}
)";

  // Three simulated days of backups; the test's own fingerprints right after each.
  std::map<std::string, std::map<std::string, std::string>> reference;  // label → key → fingerprint
  auto sunday = run_at(kSunday);
  ASSERT_EQ(sunday.code, kExitOk) << sunday.out << sunday.err;
  const std::string base = label_of_slot("2025-07-06 01:00:00");
  reference[base] = fingerprints_now();

  exec("INSERT INTO shop.orders VALUES (4, '2025-06-20', 40), (5, '2025-06-21', 50)");
  auto monday = run_at(kMonday);
  ASSERT_EQ(monday.code, kExitOk) << monday.out << monday.err;
  const std::string mon = label_of_slot("2025-07-07 01:00:00");
  reference[mon] = fingerprints_now();

  exec("INSERT INTO shop.orders VALUES (6, '2025-05-25', 60), (7, '2025-07-02', 70)");
  auto tuesday = run_at(kTuesday);
  ASSERT_EQ(tuesday.code, kExitOk) << tuesday.out << tuesday.err;
  const std::string tue = label_of_slot("2025-07-08 01:00:00");
  reference[tue] = fingerprints_now();
  ASSERT_FALSE(base.empty() || mon.empty() || tue.empty());

  for (const auto& label : {base, mon, tue}) expect_fingerprints_recorded(label);

  // Dry run: all three due and planned, nothing sent (no scratch database, no restore_history rows).
  auto dry = drill(fmt::format("--at {} --dry-run", kDrillAt));
  ASSERT_EQ(dry.code, kExitOk) << dry.out << dry.err;
  auto dry_doc = nlohmann::json::parse(dry.out);
  EXPECT_EQ(dry_doc["drill_version"], 1) << "issue 11 item 11: drill JSON is versioned";
  for (const char* name : {"partition", "table", "database"}) {
    const nlohmann::json* d = find_drill(dry_doc, name);
    ASSERT_NE(d, nullptr) << name;
    EXPECT_EQ((*d)["verdict"], "PLANNED") << d->dump(2);
  }
  EXPECT_TRUE(scratch_databases().empty());
  EXPECT_EQ(cell(query("SELECT COUNT(*) AS n FROM ops.restore_history WHERE kind = 'drill'"), 0, "n"), "0");

  // The real drills.
  auto first = drill(fmt::format("--at {}", kDrillAt));
  ASSERT_EQ(first.code, kExitOk) << first.out << first.err;
  auto doc = nlohmann::json::parse(first.out);
  EXPECT_EQ(doc["exit_code"], 0);
  const std::map<std::string, std::string> expected_label{
      {"partition", tue}, {"table", base}, {"database", base}};
  std::map<std::string, std::string> chosen;
  for (const auto& [name, label] : expected_label) {
    const nlohmann::json* d = find_drill(doc, name);
    ASSERT_NE(d, nullptr) << name;
    SCOPED_TRACE(d->dump(2));
    EXPECT_EQ((*d)["verdict"], "PASSED");
    EXPECT_EQ((*d)["due"], true);
    EXPECT_EQ((*d)["choice"]["snapshot"]["label"], label);
    EXPECT_EQ((*d)["scratch_dropped"], true);
    chosen[name] = (*d)["choice"]["object"];
    ASSERT_FALSE((*d)["checksums"].empty());
    for (const auto& c : (*d)["checksums"]) {
      const std::string key = c["table"].get<std::string>() + "." + c["partition"].get<std::string>();
      const std::string mine = reference[label][key];
      ASSERT_FALSE(mine.empty()) << key;
      const std::string expected = fmt::format("rows={} sum={}", c["expected"]["rows"].get<std::int64_t>(),
                                               c["expected"]["sum"].get<std::string>());
      const std::string actual = fmt::format("rows={} sum={}", c["actual"]["rows"].get<std::int64_t>(),
                                             c["actual"]["sum"].get<std::string>());
      EXPECT_EQ(expected, mine) << key << " recorded at backup time vs computed by the test";
      EXPECT_EQ(actual, mine) << key << " restored vs computed by the test";
      EXPECT_EQ(c["proof"], "recorded") << key;
    }
  }
  // One partition of Tuesday's daily (p1 or p3); one table of the baseline; the database.
  EXPECT_TRUE(chosen["partition"] == "shop.orders partition p1" ||
              chosen["partition"] == "shop.orders partition p3")
      << chosen["partition"];
  EXPECT_EQ(chosen["database"], "shop");
  EXPECT_TRUE(scratch_databases().empty());

  auto rows = query(
      "SELECT drill_name, verification, state, target_time_utc, submitted_at_utc, finished_at_utc, "
      "expected_checksums, actual_checksums, target_database FROM ops.restore_history WHERE kind = "
      "'drill' ORDER BY drill_name");
  ASSERT_EQ(rows.size(), 3u);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(cell(rows, i, "verification"), "PASSED");
    EXPECT_EQ(cell(rows, i, "state"), "FINISHED");
    EXPECT_EQ(cell(rows, i, "target_time_utc"), "2025-07-08 10:00:00");
    EXPECT_NE(cell(rows, i, "submitted_at_utc"), "<NULL>");
    EXPECT_NE(cell(rows, i, "finished_at_utc"), "<NULL>");
    // The recorded checksums that were compared, and those of the restored data: equal, per partition.
    auto expected = nlohmann::json::parse(cell(rows, i, "expected_checksums"));
    auto actual = nlohmann::json::parse(cell(rows, i, "actual_checksums"));
    ASSERT_FALSE(expected.empty());
    EXPECT_EQ(expected.size(), actual.size());
    for (const auto& [key, value] : expected.items()) {
      EXPECT_EQ(value["proof"], "recorded") << key;
      EXPECT_EQ(value["fingerprint"], actual[key]) << key;
    }
    EXPECT_EQ(cell(rows, i, "target_database"),
              "starkeep_drill_" + cell(rows, i, "drill_name") + "_20250708");
  }

  // The choice is recorded: the object in `objects`, the period and seed in the run id.
  {
    const nlohmann::json* d = find_drill(doc, "partition");
    ASSERT_NE(d, nullptr);
    auto rec = query(
        "SELECT objects, run_id FROM ops.restore_history WHERE kind = 'drill' AND drill_name = "
        "'partition'");
    ASSERT_EQ(rec.size(), 1u);
    auto objects = nlohmann::json::parse(cell(rec, 0, "objects"));
    ASSERT_EQ(objects.size(), 1u);
    EXPECT_EQ(objects[0]["table"], "orders");
    EXPECT_EQ(objects[0]["partitions"], nlohmann::json::array({(*d)["choice"]["partition"]}));
    EXPECT_EQ(
        cell(rec, 0, "run_id").rfind("drill-2025-07-" + (*d)["choice"]["seed"].get<std::string>() + "-", 0),
        0u)
        << cell(rec, 0, "run_id");
  }

  // The same inputs choose the same objects (dry run later in the period).
  auto again = drill("--at 2025-07-08T11:00:00Z --drill partition --dry-run");
  ASSERT_EQ(again.code, kExitOk) << again.out << again.err;
  EXPECT_EQ(nlohmann::json::parse(again.out)["drills"][0]["choice"]["object"], chosen["partition"]);

  // Later in the same month, quarter and half-year: nothing due.
  auto second = drill("--at 2025-07-20T10:00:00Z");
  EXPECT_EQ(second.code, kExitNothingDue) << second.out << second.err;
  for (const auto& d : nlohmann::json::parse(second.out)["drills"])
    EXPECT_EQ(d["verdict"], "NOT_DUE") << d.dump(2);
  EXPECT_EQ(cell(query("SELECT COUNT(*) AS n FROM ops.restore_history WHERE kind = 'drill'"), 0, "n"), "3");
  EXPECT_FALSE(fs::exists(alerts)) << slurp(alerts);

  // --keep leaves the scratch copy for inspection (it holds the snapshot's data); a drill meeting it is
  // refused (exit 27) and names the run that made it; dropped by hand, the drill runs again.
  auto kept = drill("--at 2025-07-08T12:00:00Z --drill partition --keep");
  ASSERT_EQ(kept.code, kExitOk) << kept.out << kept.err;
  const std::string kept_run = nlohmann::json::parse(kept.out)["drills"][0]["run_id"];
  const std::string kept_db = "starkeep_drill_partition_20250708";
  EXPECT_EQ(scratch_databases(), std::vector<std::string>{kept_db});
  const std::string kept_partition = chosen["partition"].substr(chosen["partition"].rfind(' ') + 1);
  EXPECT_EQ(fingerprint("orders", kept_partition, {"id", "dt", "amount"}, kept_db),
            reference[tue]["orders." + kept_partition]);
  auto refused = drill("--at 2025-07-08T13:00:00Z --drill partition");
  EXPECT_EQ(refused.code, kExitTargetExists) << refused.out << refused.err;
  {
    auto d = nlohmann::json::parse(refused.out)["drills"][0];
    EXPECT_EQ(d["error"]["code"], "restore.target_exists") << d.dump(2);
    // (Every partition drill of 8 July used that name; the newest row is named — the kept run's, unless both
    // ended within the same second.)
    const std::string message = d["error"]["message"];
    EXPECT_NE(message.find("made by drill run drill-2025-07-" + kept_run.substr(14, 16) + "-"),
              std::string::npos)
        << message;
    EXPECT_NE(message.find(", state FINISHED — kept with --keep?"), std::string::npos) << message;
  }
  EXPECT_EQ(scratch_databases(), std::vector<std::string>{kept_db});  // not ours: not dropped
  exec("DROP DATABASE " + kept_db + " FORCE");
  auto rerun = drill("--at 2025-07-08T14:00:00Z --drill partition");
  EXPECT_EQ(rerun.code, kExitOk) << rerun.out << rerun.err;
  EXPECT_TRUE(scratch_databases().empty());
  // The refused drill FAILED, so it alerted; start the alert log afresh for the next cases.
  ASSERT_TRUE(fs::exists(alerts));
  EXPECT_NE(slurp(alerts).find("exists already"), std::string::npos) << slurp(alerts);
  fs::remove(alerts);

  // A recorded checksum that does not match the snapshot: the partition drill (forced) FAILS verification.
  exec("UPDATE ops.backup_manifest SET checksum = '123456789' WHERE label = '" + tue + "'");
  auto tampered = drill("--at 2025-07-09T10:00:00Z --drill partition");
  EXPECT_EQ(tampered.code, kExitVerifyFailed) << tampered.out << tampered.err;
  {
    auto d = nlohmann::json::parse(tampered.out)["drills"][0];
    SCOPED_TRACE(d.dump(2));
    EXPECT_EQ(d["verdict"], "FAILED");
    EXPECT_EQ(d["error"]["code"], "restore.verify_failed");
    EXPECT_EQ(d["scratch_dropped"], true);
    EXPECT_FALSE(d["alerts"].empty());
  }
  EXPECT_TRUE(scratch_databases().empty());
  ASSERT_TRUE(fs::exists(alerts));
  const std::string alert_text = slurp(alerts);
  EXPECT_NE(alert_text.find("job_failed"), std::string::npos) << alert_text;
  EXPECT_NE(alert_text.find("restore drill 'partition'"), std::string::npos) << alert_text;
  auto failed_rows = query(
      "SELECT verification, error_text FROM ops.restore_history WHERE kind = 'drill' AND "
      "drill_name = 'partition' AND target_time_utc = '2025-07-09 10:00:00'");
  ASSERT_EQ(failed_rows.size(), 1u);
  EXPECT_EQ(cell(failed_rows, 0, "verification"), "FAILED");
  EXPECT_NE(cell(failed_rows, 0, "error_text").find("verification FAILED"), std::string::npos);
  // In August the partition drill is due again, but the newest daily (slot 8 July) is past its 14 days:
  // nothing to drill (exit 20); the table and database drills are not due (Q3, H2 passed).
  auto august = drill("--at 2025-08-01T10:00:00Z --dry-run");
  EXPECT_EQ(august.code, kExitRestoreNothing) << august.out << august.err;
  {
    auto doc_aug = nlohmann::json::parse(august.out);
    ASSERT_NE(find_drill(doc_aug, "partition"), nullptr);
    EXPECT_EQ((*find_drill(doc_aug, "partition"))["verdict"], "NO_SNAPSHOT");
    EXPECT_EQ((*find_drill(doc_aug, "table"))["verdict"], "NOT_DUE");
    EXPECT_EQ((*find_drill(doc_aug, "database"))["verdict"], "NOT_DUE");
  }

  // A corrupted data file in the baseline: the RESTORE of the database drill is cancelled by the server.
  exec("ADMIN EMULATOR CORRUPT SNAPSHOT " + base + " ON drill_repo");
  // (The human summary this time.)
  auto corrupt =
      starkeep(fmt::format("drill --policy {} --at 2025-07-09T10:00:00Z --drill database "
                           "--poll-initial-ms 100",
                           (dir_ / "policy.skp").string()));
  EXPECT_EQ(corrupt.code, kExitRestoreFailed) << corrupt.out << corrupt.err;
  const std::string snapshot_line =
      "snapshot:  '" + base + "' in drill_repo, slot 2025-07-06T01:00:00Z, finished ";
  for (const std::string& part : std::vector<std::string>{
           "drill \"database\" (database from tier \"monthly\", period 2025-H2): FAILED",
           "chosen:    shop (candidate 1 of 1, seed ", snapshot_line, "restore:   RESTORE SNAPSHOT",
           "scratch:   starkeep_drill_database_20250709 (dropped)", "error[restore.job_failed]", "BAD_FILE",
           "alert:     alert job_failed → oncall", "(exit 25)"}) {
    EXPECT_NE(corrupt.out.find(part), std::string::npos) << part << "\n" << corrupt.out;
  }
  EXPECT_TRUE(scratch_databases().empty());
  EXPECT_NE(slurp(alerts).find("restore drill 'database'"), std::string::npos);
  auto cancelled = query(
      "SELECT verification, state FROM ops.restore_history WHERE kind = 'drill' AND drill_name = "
      "'database' AND target_time_utc = '2025-07-09 10:00:00'");
  ASSERT_EQ(cancelled.size(), 1u);
  EXPECT_EQ(cell(cancelled, 0, "verification"), "FAILED");
  EXPECT_EQ(cell(cancelled, 0, "state"), "CANCELLED");

  // The wait limit: a RESTORE held in DOWNLOADING is cancelled after 1 s and the drill fails with exit 29 (the
  // same code as `starkeep restore`), the scratch database dropped.
  exec("ADMIN EMULATOR DELAY JOB AT DOWNLOADING SECONDS 100000");
  auto slow = starkeep(fmt::format("drill --policy {} --at 2025-07-10T10:00:00Z --drill table --poll-initial-ms 100 "
                                   "--wait-limit 1",
                                   (dir_ / "policy.skp").string()));
  exec("ADMIN EMULATOR CLEAR JOB FAULTS");
  EXPECT_EQ(slow.code, kExitRestoreTimeout) << slow.out << slow.err;
  EXPECT_NE(slow.out.find("error[restore.timeout]"), std::string::npos) << slow.out;
  EXPECT_TRUE(scratch_databases().empty());
  auto timed_out = query(
      "SELECT verification, state, drill_period, drill_seed, started_at_utc, duration_seconds FROM "
      "ops.restore_history WHERE kind = 'drill' AND drill_name = 'table' AND target_time_utc = '2025-07-10 10:00:00'");
  ASSERT_EQ(timed_out.size(), 1u);
  EXPECT_EQ(cell(timed_out, 0, "verification"), "FAILED");
  EXPECT_EQ(cell(timed_out, 0, "state"), "CANCELLED");
  EXPECT_EQ(cell(timed_out, 0, "drill_period"), "2025-Q3");
  EXPECT_EQ(cell(timed_out, 0, "drill_seed").size(), 16u);
  EXPECT_FALSE(cell(timed_out, 0, "started_at_utc").empty());
  EXPECT_FALSE(cell(timed_out, 0, "duration_seconds").empty());
}

// Issue 10 item 14: a table with BITMAP, HLL, JSON and ARRAY columns. BITMAP enters the fingerprint through
// bitmap_to_string and JSON as its text; HLL and ARRAY have no exact text form StarRocks gives on every release and
// are left out of the row hash with a note (StarRocks refuses CAST(hll AS VARCHAR)), so recording and drills
// neither fail nor report a mismatch.
TEST_F(DrillE2e, DrillsOfBitmapHllJsonArrayColumnsPassWithTheSkippedColumnsNoted) {
  exec("CREATE DATABASE shop");
  exec("CREATE TABLE shop.orders (id BIGINT NOT NULL, dt DATE, bm BITMAP, h HLL, j JSON, a ARRAY<INT>) "
       "DUPLICATE KEY(id) PARTITION BY RANGE(dt) (PARTITION p1 VALUES LESS THAN ('2025-06-01'), "
       "PARTITION p2 VALUES LESS THAN ('2025-07-01'), PARTITION p3 VALUES LESS THAN ('2025-08-01')) "
       "DISTRIBUTED BY HASH(id) BUCKETS 2 PROPERTIES ('replication_num' = '1')");
  exec("CREATE TABLE shop.customers (id INT NOT NULL, tags BITMAP, j JSON) DUPLICATE KEY(id) DISTRIBUTED BY "
       "HASH(id) BUCKETS 1 PROPERTIES ('replication_num' = '1')");
  exec("CREATE TABLE shop.regions (code VARCHAR(8) NOT NULL, label VARCHAR(32)) DUPLICATE KEY(code) "
       "DISTRIBUTED BY HASH(code) BUCKETS 1 PROPERTIES ('replication_num' = '1')");
  exec("INSERT INTO shop.orders VALUES (1, '2025-05-05', to_bitmap(7), hll_hash('a'), '{\"k\": 1}', '[1,2]'), "
       "(2, '2025-06-06', bitmap_from_string('1,2,3'), hll_empty(), NULL, NULL), "
       "(3, '2025-07-01', to_bitmap(9), hll_hash('b'), '[true]', '[]')");
  exec("INSERT INTO shop.customers VALUES (1, to_bitmap(1), '{}'), (2, NULL, NULL)");
  exec("INSERT INTO shop.regions VALUES ('eu', 'Europe')");
  exec("CREATE REPOSITORY drill_repo WITH BROKER ON LOCATION 's3a://drill-bucket/prod' "
       "PROPERTIES ('aws.s3.access_key' = 'k', 'aws.s3.secret_key' = 's')");
  test::E2ePolicy policy{.name = "drill_e2e",
                         .databases = {"shop"},
                         .repository = "drill_repo",
                         .location = "s3a://drill-bucket/prod",
                         .extra = test::monthly_and_drills("oncall") + "  notifier \"oncall\" { command = \"true\" }\n"};
  std::ofstream(dir_ / "policy.skp") << policy.text();
  std::ofstream(dir_ / "inventory.json") << R"({"inventory_version": 1, "tables": [
    {"database": "shop", "table": "orders", "class": "fact", "partitioned": true},
    {"database": "shop", "table": "customers", "class": "dimension", "partitioned": false},
    {"database": "shop", "table": "regions", "class": "dimension", "partitioned": false}]}
)";
  for (const char* at : {kSunday, kMonday, kTuesday}) {
    if (at == kMonday) exec("INSERT INTO shop.orders VALUES (4, '2025-06-20', to_bitmap(4), hll_hash('c'), '1', '[4]')");
    if (at == kTuesday) exec("INSERT INTO shop.orders VALUES (5, '2025-05-25', to_bitmap(5), hll_hash('d'), '2', '[5]')");
    auto run = run_at(at);
    ASSERT_EQ(run.code, kExitOk) << run.out << run.err;
  }
  for (const char* slot : {"2025-07-06 01:00:00", "2025-07-07 01:00:00", "2025-07-08 01:00:00"})
    expect_fingerprints_recorded(label_of_slot(slot));

  auto drills = drill(fmt::format("--at {}", kDrillAt));
  ASSERT_EQ(drills.code, kExitOk) << drills.out << drills.err;
  auto doc = nlohmann::json::parse(drills.out);
  for (const char* name : {"partition", "table", "database"}) {
    const nlohmann::json* d = find_drill(doc, name);
    ASSERT_NE(d, nullptr) << name;
    EXPECT_EQ((*d)["verdict"], "PASSED") << d->dump(2);
  }
  EXPECT_NE(drills.err.find("not part of the fingerprint"), std::string::npos) << drills.err;
  EXPECT_NE(drills.err.find("h (hll)"), std::string::npos) << drills.err;
  EXPECT_NE(drills.err.find("a (array)"), std::string::npos) << drills.err;

  // What the fingerprint reads the type from: StarRocks' DATA_TYPE, not the emulator's storage type.
  EXPECT_EQ(cell(query("SELECT DATA_TYPE FROM information_schema.columns WHERE TABLE_SCHEMA = 'shop' AND "
                       "TABLE_NAME = 'orders' AND COLUMN_NAME = 'bm'"),
                 0, "DATA_TYPE"),
            "bitmap");
}

}  // namespace
}  // namespace sk
