// The drill runner (runtime/drill/drill_runner.h) against a scripted connection: what is sent and recorded
// when a drill is not due, passes, fails verification, is cancelled by the server, meets an existing scratch
// database, or runs dry; the scratch database is dropped (unless kept) and the failure hook is called exactly
// on failures.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gtest/gtest.h>

#include <sstream>

#include "runtime/drill/drill_runner.h"
#include "runtime/ports/fakes.h"
#include "tests/kernel/domain/printers.h"
#include "tests/runtime/drill/drill_test_support.h"

namespace sk::drill {
namespace {

using ports::make_rows;
using testing::at;
using testing::compile_policy;
using testing::snapshot;

class DrillRunner : public ::testing::Test {
 protected:
  DrillRunner() : store_(conn_, ops::OpsConfig{*DatabaseName::parse("ops"), 1}, clock_) {
    clock_.set(at("2025-09-17T06:30:00Z"));
    options_.at = at("2025-09-17T06:30:00Z");
    options_.invocation = "test";
    options_.execute.poll_initial = std::chrono::milliseconds(10);
    options_.only = *DrillName::parse("partition");
    // Nothing recorded in restore_history.
    conn_.on("FROM `ops`.`restore_history` WHERE kind = 'drill' AND drill_name",
             make_rows({"run_id", "target_time_utc", "verification", "state"}, {}));
    conn_.on("^SHOW SNAPSHOT ON `repo` WHERE SNAPSHOT = 'sales_0916_inc'",
             make_rows({"Snapshot", "Timestamp", "Status"},
                       {{"sales_0916_inc", "2025-09-16-08-10-00-123", "OK"}}));
    conn_.on("information_schema.tables", make_rows({"TABLE_NAME"}, {}));
    conn_.on("^SHOW RESTORE", make_rows({"JobId", "Label", "State", "Status", "TaskErrMsg"}, {}), 1);
    conn_.on("partitions_meta",
             make_rows({"TABLE_NAME", "PARTITION_NAME", "VISIBLE_VERSION"}, {{"orders", "p3", "2"}}));
    conn_.on("information_schema.columns", make_rows({"COLUMN_NAME"}, {{"id"}, {"dt"}}));
  }

  // One daily with one partition, its fingerprint recorded at backup time.
  std::vector<restore::Snapshot> history() {
    auto s = snapshot("sales", "sales_0916_inc", {"daily"}, ops::BackupKind::kPartitions,
                      "2025-09-16T00:10:00Z", {{"orders", {"p3"}}});
    s.entries[0].checksum_algorithm = std::string(verify::kAlgorithm);
    s.entries[0].checksum = "-1234";
    s.entries[0].checksum_row_count = 7;
    return {s};
  }

  void restore_ends(const char* state, const char* status = "[OK]") {
    conn_.on("^SHOW RESTORE", make_rows({"JobId", "Label", "State", "Status", "TaskErrMsg"},
                                        {{"42", "sales_0916_inc", state, status, ""}}));
  }

  DrillReport run_one() {
    auto reports = run_drills(policy_, conn_, store_, clock_, sleeper_, options_, history(), &progress_,
                              [this](const DrillReport& r) { failures_.push_back(r.name.str()); });
    EXPECT_TRUE(reports) << (reports ? "" : reports.error().describe());
    EXPECT_EQ(reports->size(), 1u);
    return reports->front();
  }

  std::size_t sent(const char* pattern) const { return conn_.count_matching(pattern); }

  model::Policy policy_ = compile_policy();
  ports::FakeClock clock_;
  ports::FakeSleeper sleeper_{&clock_};
  ports::RecordingSqlConnection conn_;
  ops::OpsStore store_;
  DrillOptions options_;
  std::ostringstream progress_;
  std::vector<std::string> failures_;
};

TEST_F(DrillRunner, PassingDrillRestoresIntoScratchRecordsAndDrops) {
  restore_ends("FINISHED");
  conn_.on("murmur_hash3_32", make_rows({"row_count", "row_hash_sum"}, {{"7", "-1234"}}));
  DrillReport r = run_one();
  EXPECT_EQ(r.verdict, Verdict::kPassed) << progress_.str() << (r.error ? r.error->describe() : "");
  ASSERT_TRUE(r.scratch);
  EXPECT_EQ(r.scratch->str(), "starkeep_drill_partition_20250917");
  EXPECT_EQ(sent("^CREATE DATABASE IF NOT EXISTS `starkeep_drill_partition_20250917`"), 1u);
  EXPECT_EQ(
      sent(
          "^RESTORE SNAPSHOT `starkeep_drill_partition_20250917`.`sales_0916_inc` FROM `repo` ON \\(`orders` "
          "PARTITION \\(`p3`\\)\\)"),
      1u)
      << fmt::format("{}", fmt::join(conn_.sql(), "\n"));
  EXPECT_EQ(sent("'replication_num' = '1'"), 1u);
  EXPECT_EQ(sent("^DROP DATABASE IF EXISTS `starkeep_drill_partition_20250917` FORCE$"), 1u);
  EXPECT_TRUE(r.scratch_dropped);
  EXPECT_TRUE(failures_.empty());
  ASSERT_EQ(r.records.size(), 1u);
  EXPECT_EQ(r.records[0].kind, ops::RestoreKind::kDrill);
  EXPECT_EQ(r.records[0].drill_name, "partition");
  EXPECT_EQ(r.records[0].target_time, at("2025-09-17T06:30:00Z"));
  EXPECT_EQ(r.records[0].verification, "PASSED");
  EXPECT_EQ(r.records[0].state, ops::AttemptState::kFinished);
  EXPECT_EQ(r.run_id,
            "drill-2025-09-" + seed_hex(seed_of(*DrillName::parse("partition"), "2025-09")) + "-test");
  // Written twice: SUBMITTING before the RESTORE, then the outcome.
  EXPECT_EQ(sent("INSERT INTO `ops`.`restore_history`.*'drill'.*'partition'"), 2u);
  // Start, duration, period and seed in their own columns (the run id keeps them too).
  const std::string seed = seed_hex(seed_of(*DrillName::parse("partition"), "2025-09"));
  EXPECT_EQ(r.records[0].started_at, r.started_at);
  ASSERT_TRUE(r.started_at && r.finished_at && r.records[0].duration_seconds);
  EXPECT_EQ(*r.records[0].duration_seconds, r.finished_at->unix_seconds() - r.started_at->unix_seconds());
  EXPECT_EQ(r.records[0].drill_period, "2025-09");
  EXPECT_EQ(r.records[0].drill_seed, seed);
  EXPECT_EQ(sent(("INSERT INTO `ops`.`restore_history` .*`started_at_utc`, `duration_seconds`, `drill_period`, "
                  "`drill_seed`\\) VALUES .*, '2025-09', '" + seed + "'\\)$").c_str()),
            2u);
  ASSERT_EQ(r.checks.size(), 1u);
  EXPECT_EQ(r.checks[0].expected.proof, verify::Proof::kRecorded);
  const std::string text = report_to_text(r);
  EXPECT_NE(text.find("sales.orders partition p3"), std::string::npos) << text;
  EXPECT_NE(text.find("expected rows=7 sum=-1234 (recorded), actual rows=7 sum=-1234 → ok"),
            std::string::npos)
      << text;
}

TEST_F(DrillRunner, KeepLeavesTheScratchDatabase) {
  restore_ends("FINISHED");
  conn_.on("murmur_hash3_32", make_rows({"row_count", "row_hash_sum"}, {{"7", "-1234"}}));
  options_.keep = true;
  DrillReport r = run_one();
  EXPECT_EQ(r.verdict, Verdict::kPassed);
  EXPECT_EQ(sent("^DROP DATABASE"), 0u);
  EXPECT_FALSE(r.scratch_dropped);
  EXPECT_NE(report_to_text(r).find("(KEPT)"), std::string::npos);
}

TEST_F(DrillRunner, ChecksumMismatchFailsAlertsAndDrops) {
  restore_ends("FINISHED");
  conn_.on("murmur_hash3_32", make_rows({"row_count", "row_hash_sum"}, {{"7", "999"}}));
  DrillReport r = run_one();
  EXPECT_EQ(r.verdict, Verdict::kFailed);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->code, "restore.verify_failed");
  EXPECT_EQ(failures_, std::vector<std::string>{"partition"});
  EXPECT_EQ(sent("^DROP DATABASE IF EXISTS `starkeep_drill_partition_20250917` FORCE$"), 1u);
  EXPECT_EQ(r.records.at(0).verification, "FAILED");
}

TEST_F(DrillRunner, NoRecordedFingerprintAndChangedLivePartitionIsNotAPass) {
  restore_ends("FINISHED");
  conn_.on("murmur_hash3_32", make_rows({"row_count", "row_hash_sum"}, {{"7", "-1234"}}));
  auto h = history();
  h[0].entries[0].checksum.reset();
  h[0].entries[0].visible_version = 1;  // the live partition is at version 2 now: changed since the snapshot
  auto reports = run_drills(policy_, conn_, store_, clock_, sleeper_, options_, h, &progress_,
                            [this](const DrillReport& r) { failures_.push_back(r.name.str()); });
  ASSERT_TRUE(reports);
  const DrillReport& r = reports->front();
  EXPECT_EQ(r.verdict, Verdict::kFailed);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->code, "drill.unverified");
  EXPECT_EQ(failures_.size(), 1u);
}

TEST_F(DrillRunner, CancelledRestoreFailsAlertsAndStillDrops) {
  restore_ends("CANCELLED", "[BAD_FILE, msg: md5sum does not equal. local: a, remote: b]");
  DrillReport r = run_one();
  EXPECT_EQ(r.verdict, Verdict::kFailed);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->code, "restore.job_failed");
  EXPECT_NE(r.error->message.find("BAD_FILE"), std::string::npos);
  EXPECT_EQ(sent("murmur_hash3_32"), 0u);
  EXPECT_EQ(sent("^DROP DATABASE IF EXISTS `starkeep_drill_partition_20250917` FORCE$"), 1u);
  EXPECT_TRUE(r.scratch_dropped);
  EXPECT_EQ(failures_, std::vector<std::string>{"partition"});
  ASSERT_EQ(r.records.size(), 1u);
  EXPECT_EQ(r.records[0].state, ops::AttemptState::kCancelled);
  EXPECT_EQ(r.records[0].verification, "FAILED");
}

void scratch_exists(ports::RecordingSqlConnection& c) {
  c.on_error("^CREATE DATABASE `starkeep_drill_partition_20250917`$",
             ports::server_error(1007, "HY000",
                                 "Can't create database 'starkeep_drill_partition_20250917'; database "
                                 "exists"));
}

TEST_F(DrillRunner, ExistingScratchDatabaseIsRefusedAndNotDropped) {
  scratch_exists(conn_);
  DrillReport r = run_one();
  EXPECT_EQ(r.verdict, Verdict::kFailed);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->code, "restore.target_exists");
  EXPECT_NE(r.error->message.find("not made by a recorded drill"), std::string::npos) << r.error->message;
  EXPECT_EQ(sent("^CREATE DATABASE `starkeep_drill_partition_20250917`$"), 1u);
  EXPECT_EQ(sent("^RESTORE"), 0u);
  EXPECT_EQ(sent("^CREATE DATABASE IF NOT EXISTS"), 0u);
  EXPECT_EQ(sent("^DROP DATABASE"), 0u);
  EXPECT_FALSE(r.scratch_created);
  EXPECT_EQ(failures_, std::vector<std::string>{"partition"});
  ASSERT_EQ(r.records.size(), 1u);
  EXPECT_EQ(r.records[0].state, ops::AttemptState::kRejected);
  EXPECT_EQ(r.records[0].verification, "FAILED");
}

TEST_F(DrillRunner, ExistingScratchDatabaseLeftByAnotherDrillIsNamed) {
  scratch_exists(conn_);
  conn_.on("target_database = 'starkeep_drill_partition_20250917'",
           make_rows({"run_id", "state", "verification"},
                     {{"drill-2025-09-abc-old", "SUBMITTING", std::nullopt}}));
  DrillReport r = run_one();
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->code, "restore.target_exists");
  EXPECT_NE(
      r.error->message.find("made by drill run drill-2025-09-abc-old, state SUBMITTING — still running, or "
                            "killed?"),
      std::string::npos)
      << r.error->message;
  EXPECT_EQ(sent("^DROP DATABASE"), 0u);
}

TEST_F(DrillRunner, DryRunSendsNothingThatChangesAnything) {
  options_.dry_run = true;
  DrillReport r = run_one();
  EXPECT_EQ(r.verdict, Verdict::kPlanned);
  ASSERT_TRUE(r.plan);
  EXPECT_EQ(r.plan->steps.at(0).backup_timestamp, BackupTimestamp::from_server("2025-09-16-08-10-00-123"));
  for (const auto& s : conn_.statements()) {
    EXPECT_TRUE(s.sql.starts_with("SELECT") || s.sql.starts_with("SHOW")) << s.sql;
  }
  EXPECT_TRUE(failures_.empty());
}

TEST_F(DrillRunner, NotDueWhenPassedInThePeriod) {
  ports::RecordingSqlConnection conn;
  conn.on("FROM `ops`.`restore_history`",
          make_rows({"run_id", "target_time_utc", "verification", "state"},
                    {{"earlier", "2025-09-02 06:00:00", "PASSED", "FINISHED"}}));
  ops::OpsStore store(conn, ops::OpsConfig{*DatabaseName::parse("ops"), 1}, clock_);
  options_.only.reset();
  auto reports = run_drills(policy_, conn, store, clock_, sleeper_, options_, history(), &progress_,
                            [this](const DrillReport& r) { failures_.push_back(r.name.str()); });
  ASSERT_TRUE(reports);
  ASSERT_EQ(reports->size(), 3u);
  for (const auto& r : *reports)
    EXPECT_EQ(r.verdict, Verdict::kNotDue) << r.name.str() << ": " << r.due.reason;
  for (const auto& s : conn.statements()) EXPECT_TRUE(s.sql.starts_with("SELECT")) << s.sql;
  // The period's bounds are in the query, in UTC (Europe/Berlin: September = 08-31 22:00Z .. 09-30 22:00Z).
  EXPECT_EQ(conn.count_matching("drill_name = 'partition' AND target_time_utc >= '2025-08-31 22:00:00' AND "
                                "target_time_utc < '2025-09-30 22:00:00'"),
            1u);
}

TEST_F(DrillRunner, UnknownDrillIsAUsageError) {
  options_.only = *DrillName::parse("nope");
  auto reports = run_drills(policy_, conn_, store_, clock_, sleeper_, options_, history(), &progress_, {});
  ASSERT_FALSE(reports);
  EXPECT_EQ(reports.error().code, "drill.usage");
  EXPECT_NE(reports.error().message.find("partition, table, database"), std::string::npos);
}

}  // namespace
}  // namespace sk::drill
