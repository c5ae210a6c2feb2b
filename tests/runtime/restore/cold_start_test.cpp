// Cold-start recovery, the restore wait limit and the 3.4 RESTORE grammar against fakes: catalog labels and the
// newest catalog, the catalog BACKUP and RESTORE statements (both grammars), reuse / refusal / refresh of the
// recovery database, which repositories a run publishes to, planning from snapshots the repository lists only, a
// source database absent from this cluster, and CANCEL RESTORE when the wait limit passes.
#include <gtest/gtest.h>

#include <atomic>
#include <sstream>

#include <nlohmann/json.hpp>

#include "runtime/alerts/recording_alert_port.h"
#include "runtime/catalog/catalog.h"
#include "runtime/executor/after_run.h"
#include "runtime/jobs/lifecycle.h"
#include "runtime/ports/fakes.h"
#include "runtime/restore/cold_start.h"
#include "runtime/restore/executor.h"
#include "runtime/restore/planner.h"
#include "tests/kernel/domain/printers.h"

namespace sk {
namespace {

DatabaseName db(const char* s) { return *DatabaseName::parse(s); }
TableName tb(const char* s) { return *TableName::parse(s); }
RepositoryName repo(const char* s) { return *RepositoryName::parse(s); }
SnapshotLabel lbl(const char* s) { return *SnapshotLabel::parse(s); }
Instant at(const char* iso) { return *Instant::parse(iso, TimeZone::utc()); }
BackupTimestamp ts(std::string_view s) { return *BackupTimestamp::from_server(s); }

ports::Rows snapshots(std::vector<ports::Rows::Row> rows) {
  return ports::make_rows({"Snapshot", "Timestamp", "Status"}, std::move(rows));
}
ports::Rows jobs(const char* label_column, std::int64_t id, const std::string& label, const std::string& state,
                 const std::string& status = "[OK]") {
  return ports::make_rows({"JobId", label_column, "State", "Status", "TaskErrMsg"},
                          {{std::to_string(id), label, state, status, ""}});
}

// ---- labels, newest catalog, grammar ----

TEST(CatalogLabel, SortsByPublicationTimeAndRoundTrips) {
  const auto l = catalog::catalog_label(at("2025-09-15T01:07:09Z"), "20250915T010500Z-host-42");
  EXPECT_TRUE(l.str().starts_with("starkeep_catalog_20250915010709_")) << l.str();
  EXPECT_EQ(l.str().size(), std::string("starkeep_catalog_20250915010709_").size() + 8);
  EXPECT_EQ(l, catalog::catalog_label(at("2025-09-15T01:07:09Z"), "20250915T010500Z-host-42")) << "deterministic";
  EXPECT_NE(l, catalog::catalog_label(at("2025-09-15T01:07:09Z"), "20250915T010500Z-host-43")) << "unique per run";
  EXPECT_EQ(catalog::catalog_label_instant(l.str()), at("2025-09-15T01:07:09Z"));
  EXPECT_FALSE(catalog::catalog_label_instant("sales_20250915_inc"));
  EXPECT_FALSE(catalog::catalog_label_instant("starkeep_catalog_2025091501070_abcdef01"));
  EXPECT_FALSE(catalog::catalog_label_instant("starkeep_catalog_20250915010709_abcdefgh"));
}

TEST(CatalogLabel, NewestUsableCatalogWins) {
  const auto r = repo("r");
  auto newest = catalog::newest_catalog(
      r, {{"starkeep_catalog_20250915010709_aaaaaaaa", {ts("2025-09-15-09-07-10-001")}, "OK"},
          {"starkeep_catalog_20250917010709_bbbbbbbb", {ts("2025-09-17-09-07-10-001")}, "ERROR: no snapshot"},
          {"starkeep_catalog_20250916010709_cccccccc", {ts("2025-09-16-09-07-10-001"), ts("2025-09-16-09-08-10-001")}, "OK"},
          {"sales_20250918_inc", {ts("2025-09-18-09-07-10-001")}, "OK"}});
  ASSERT_TRUE(newest) << newest.error().describe();
  EXPECT_EQ(newest->label.str(), "starkeep_catalog_20250916010709_cccccccc") << "the broken newer one is skipped";
  EXPECT_EQ(newest->backup_timestamp, ts("2025-09-16-09-08-10-001"));
  EXPECT_EQ(newest->published_at, at("2025-09-16T01:07:09Z"));

  auto chosen = catalog::newest_catalog(
      r, {{"starkeep_catalog_20250915010709_aaaaaaaa", {ts("a")}, "OK"}, {"starkeep_catalog_20250916010709_cccccccc", {ts("c")}, "OK"}},
      lbl("starkeep_catalog_20250915010709_aaaaaaaa"));
  ASSERT_TRUE(chosen);
  EXPECT_EQ(chosen->backup_timestamp, ts("a")) << "an older catalog on purpose";
  auto broken = catalog::newest_catalog(r, {{"starkeep_catalog_20250915010709_aaaaaaaa", {ts("a")}, "ERROR: x"}},
                                        lbl("starkeep_catalog_20250915010709_aaaaaaaa"));
  ASSERT_FALSE(broken);
  EXPECT_EQ(broken.error().code, "catalog.none");
  EXPECT_EQ(catalog::catalogs_newest_first(r, {{"starkeep_catalog_20250915010709_aaaaaaaa", {ts("a")}, "OK"},
                                               {"starkeep_catalog_20250916010709_cccccccc", {ts("c")}, "OK"}})
                .front()
                .backup_timestamp,
            ts("c"));

  auto none = catalog::newest_catalog(r, {{"sales_20250918_inc", {ts("t")}, "OK"}});
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, "catalog.none");
}

TEST(Grammar, ChosenByServerVersion) {
  using dialect::Grammar;
  EXPECT_EQ(dialect::grammar_for_version("3.3.0-emulator"), Grammar::kPre34);
  EXPECT_EQ(dialect::grammar_for_version("3.4.1-abc"), Grammar::kV34);
  EXPECT_EQ(dialect::grammar_for_version("3.10.0"), Grammar::kV34);
  EXPECT_EQ(dialect::grammar_for_version("4.0.2"), Grammar::kV34);
  EXPECT_EQ(dialect::grammar_for_version("2.5.22"), Grammar::kPre34);
  EXPECT_EQ(dialect::grammar_for_version("garbage"), Grammar::kPre34);

  ports::RecordingSqlConnection conn;
  conn.on("current_version", ports::make_rows({"current_version()"}, {{"3.4.2-1234abc"}}));
  EXPECT_EQ(*jobs::detect_grammar(conn), Grammar::kV34);
  ports::RecordingSqlConnection old;
  old.on_error("current_version", ports::server_error(1064, "HY000", "No matching function"));
  EXPECT_EQ(*jobs::detect_grammar(old), Grammar::kPre34);
}

// ---- publish ----

struct CatalogJobTest : ::testing::Test {
  ports::FakeClock clock;
  ports::FakeSleeper sleeper{&clock};
  ports::RecordingSqlConnection conn;
  ops::OpsConfig ops{db("ops"), 1};
  catalog::JobOptions options;
  std::atomic<bool> stop{false};
};

TEST_F(CatalogJobTest, PublishBacksUpTheCatalogTablesAndWaitsForFinished) {
  const auto label = lbl("starkeep_catalog_20250915010709_aaaaaaaa");
  conn.on("^SHOW BACKUP FROM `ops`", jobs("SnapshotName", 7, "starkeep_catalog_older_00000000", "FINISHED"), 1);
  conn.on("^SHOW BACKUP FROM `ops`", jobs("SnapshotName", 8, label.str(), "UPLOADING"), 1);
  conn.on("^SHOW BACKUP FROM `ops`", jobs("SnapshotName", 8, label.str(), "FINISHED"));
  conn.on_error("^BACKUP SNAPSHOT",
                ports::server_error(1064, "HY000", "Can only run one backup or restore job of a database at same time"),
                1);
  conn.on("^SHOW SNAPSHOT ON `r` WHERE SNAPSHOT = 'starkeep_catalog_20250915010709_aaaaaaaa'",
          snapshots({{label.str(), "2025-09-15-09-07-10-001", "OK"}}));
  auto p = catalog::publish(conn, ops, repo("r"), label, clock, sleeper, options);
  ASSERT_TRUE(p) << p.error().describe();
  EXPECT_EQ(p->catalog.backup_timestamp, ts("2025-09-15-09-07-10-001"));
  EXPECT_EQ(p->job_id, 8);
  EXPECT_EQ(conn.count_matching("^BACKUP SNAPSHOT `ops`.`starkeep_catalog_20250915010709_aaaaaaaa` TO `r` ON "
                                "\\(`schema_version`, `backup_history`, `backup_manifest`, `snapshot_lineage`, "
                                "`table_partition_set`\\) PROPERTIES \\('type' = 'full'\\)$"),
            2u)
      << "busy once, then retried";
}

TEST_F(CatalogJobTest, PublishReportsACancelledBackup) {
  const auto label = lbl("starkeep_catalog_20250915010709_aaaaaaaa");
  conn.on("^SHOW BACKUP FROM `ops`", ports::make_rows({"JobId", "SnapshotName", "State"}, {}), 1);
  conn.on("^SHOW BACKUP FROM `ops`",
          jobs("SnapshotName", 8, label.str(), "CANCELLED", "[COMMON_ERROR, msg: failed to upload]"));
  options.grammar = dialect::Grammar::kV34;
  auto p = catalog::publish(conn, ops, repo("r"), label, clock, sleeper, options);
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code, "catalog.failed");
  EXPECT_NE(p.error().message.find("failed to upload"), std::string::npos);
  EXPECT_EQ(conn.count_matching("^BACKUP DATABASE `ops` SNAPSHOT `starkeep_catalog_20250915010709_aaaaaaaa` TO `r` "
                                "ON \\(TABLE `schema_version`, TABLE `backup_history`"),
            1u)
      << "the 3.4 grammar when asked";
}

TEST_F(CatalogJobTest, PublishIsSettledFromTheRepositoryWhenALaterBackupHidesIt) {
  // Issue 10 item 25: another runner's catalog BACKUP replaced ours in SHOW BACKUP FROM ops. The old wait looked only
  // at the newest job and polled until its deadline (a run that never exits); now SHOW SNAPSHOT settles it at once.
  const auto label = lbl("starkeep_catalog_20250915010709_aaaaaaaa");
  conn.on("^SHOW BACKUP FROM `ops`", jobs("SnapshotName", 7, "starkeep_catalog_older_00000000", "FINISHED"), 1);
  conn.on("^SHOW BACKUP FROM `ops`", jobs("SnapshotName", 8, label.str(), "UPLOADING"), 1);
  conn.on("^SHOW BACKUP FROM `ops`", jobs("SnapshotName", 9, "starkeep_catalog_20250915010710_bbbbbbbb", "UPLOADING"));
  conn.on("^SHOW SNAPSHOT ON `r` WHERE SNAPSHOT = 'starkeep_catalog_20250915010709_aaaaaaaa'",
          snapshots({{label.str(), "2025-09-15-09-07-10-001", "OK"}}));
  auto p = catalog::publish(conn, ops, repo("r"), label, clock, sleeper, options);
  ASSERT_TRUE(p) << p.error().describe();
  EXPECT_EQ(p->catalog.backup_timestamp, ts("2025-09-15-09-07-10-001"));
  EXPECT_EQ(p->job_id, 8);
  EXPECT_EQ(conn.count_matching("^SHOW BACKUP FROM `ops`"), 3u) << "settled on the first poll that shows the other job";
  EXPECT_EQ(conn.count_matching("^CANCEL"), 0u) << "never cancels the other runner's job";
}

TEST_F(CatalogJobTest, SigtermDuringThePublishWaitStopsWithoutSpinning) {
  // Issue 10 item 26: a stop flag raised while waiting ends the wait before the next SHOW BACKUP.
  const auto label = lbl("starkeep_catalog_20250915010709_aaaaaaaa");
  conn.on("^SHOW BACKUP FROM `ops`", jobs("SnapshotName", 7, "starkeep_catalog_older_00000000", "FINISHED"), 1);
  int polls = 0;
  conn.on_call("^SHOW BACKUP FROM `ops`", [&](std::string_view) -> Result<ports::Rows> {
    if (++polls == 3) stop = true;  // SIGTERM arrives
    return jobs("SnapshotName", 8, label.str(), "UPLOADING");
  });
  options.stop = &stop;
  auto p = catalog::publish(conn, ops, repo("r"), label, clock, sleeper, options);
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code, "catalog.interrupted");
  EXPECT_EQ(polls, 3) << "no poll after the signal";
}

// ---- recover ----

struct RecoverTest : CatalogJobTest {
  catalog::CatalogRef ref{repo("r"), lbl("starkeep_catalog_20250916010709_cccccccc"), ts("2025-09-16-09-08-10-001"),
                          at("2025-09-16T01:07:09Z")};
  catalog::RecoverOptions recover_options{db("ops_recovered"), 1, false, {}};

  void script_restore_finishes() {
    conn.on("^SHOW SNAPSHOT ON `r` WHERE SNAPSHOT = 'starkeep_catalog_20250916010709_cccccccc' AND TIMESTAMP = "
            "'2025-09-16-09-08-10-001'",
            ports::make_rows({"Snapshot", "Timestamp", "Database", "Details", "Status"},
                             {{ref.label.str(), ref.backup_timestamp.str(), "ops_a", "{}", "OK"}}));
    conn.on("^SHOW RESTORE FROM `ops_recovered`", jobs("Label", 3, "something_else", "FINISHED"), 1);
    conn.on("^SHOW RESTORE FROM `ops_recovered`", jobs("Label", 4, ref.label.str(), "DOWNLOADING"), 1);
    conn.on("^SHOW RESTORE FROM `ops_recovered`", jobs("Label", 4, ref.label.str(), "FINISHED"));
    conn.on("schema_version", ports::make_rows({"version"}, {{"1"}}));
  }
};

TEST_F(RecoverTest, RestoresIntoAnEmptyRecoveryDatabaseAndRemembersTheSnapshot) {
  script_restore_finishes();
  auto r = catalog::recover(conn, ref, recover_options, clock, sleeper);
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_FALSE(r->reused);
  EXPECT_EQ(r->database, db("ops_recovered"));
  EXPECT_EQ(conn.count_matching("^CREATE DATABASE IF NOT EXISTS `ops_recovered`$"), 1u);
  EXPECT_EQ(conn.count_matching(
                "^RESTORE SNAPSHOT `ops_recovered`.`starkeep_catalog_20250916010709_cccccccc` FROM `r` ON "
                "\\(`schema_version`, `backup_history`, `backup_manifest`, `snapshot_lineage`, "
                "`table_partition_set`\\) PROPERTIES \\('backup_timestamp' = '2025-09-16-09-08-10-001', "
                "'replication_num' = '1'\\)$"),
            1u);
  EXPECT_EQ(conn.count_matching("^INSERT INTO `ops_recovered`.`catalog_source`.*'starkeep_catalog_20250916010709_"
                                "cccccccc', '2025-09-16-09-08-10-001'"),
            1u);
}

// A catalog published before ops schema 2: its Details list the four tables without table_partition_set. The
// RESTORE leaves that table out, and adopt skips it when the recovered database lacks it.
TEST_F(RecoverTest, CatalogFromBeforeSchemaTwoRestoresWithoutPartitionSets) {
  conn.on("^SHOW SNAPSHOT ON `r` WHERE SNAPSHOT = 'starkeep_catalog_20250916010709_cccccccc' AND TIMESTAMP = ",
          ports::make_rows({"Snapshot", "Timestamp", "Database", "Details", "Status"},
                           {{ref.label.str(), ref.backup_timestamp.str(), "ops_a",
                             R"({"tables":["schema_version","backup_history","backup_manifest","snapshot_lineage"]})",
                             "OK"}}));
  script_restore_finishes();
  ASSERT_TRUE(catalog::recover(conn, ref, recover_options, clock, sleeper));
  EXPECT_EQ(conn.count_matching("^RESTORE SNAPSHOT `ops_recovered`.`starkeep_catalog_20250916010709_cccccccc` FROM "
                                "`r` ON \\(`schema_version`, `backup_history`, `backup_manifest`, "
                                "`snapshot_lineage`\\) PROPERTIES"),
            1u);

  ports::RecordingSqlConnection adopting;
  adopting.on_error("FROM `ops_recovered`.`table_partition_set`",
                    ports::server_error(1064, "HY000", "Unknown table 'ops_recovered.table_partition_set'"));
  EXPECT_TRUE(catalog::adopt(adopting, db("ops_recovered"), ops::OpsConfig{db("ops"), 1}, clock, "test"));
  EXPECT_EQ(adopting.count_matching("FROM `ops_recovered`.`backup_manifest`$"), 1u);
}

TEST_F(RecoverTest, ThreeFourGrammarNamesTheSnapshotsOwnDatabase) {
  script_restore_finishes();
  recover_options.job.grammar = dialect::Grammar::kV34;
  ASSERT_TRUE(catalog::recover(conn, ref, recover_options, clock, sleeper));
  EXPECT_EQ(conn.count_matching("^RESTORE SNAPSHOT `starkeep_catalog_20250916010709_cccccccc` FROM `r` DATABASE "
                                "`ops_a` AS `ops_recovered` ON \\(TABLE `schema_version`, "),
            1u);
}

TEST_F(RecoverTest, ReusesTheSameCatalogRefusesAnotherUnlessRefreshed) {
  conn.on("information_schema.tables",
          ports::make_rows({"TABLE_NAME"}, {{"schema_version"}, {"backup_history"}, {"backup_manifest"},
                                            {"snapshot_lineage"}, {"table_partition_set"}, {"catalog_source"}}));
  conn.on("FROM `ops_recovered`.`catalog_source`",
          ports::make_rows({"repository", "label", "backup_timestamp"},
                           {{"r", ref.label.str(), ref.backup_timestamp.str()}}));
  conn.on("schema_version", ports::make_rows({"version"}, {{"1"}}));
  auto same = catalog::recover(conn, ref, recover_options, clock, sleeper);
  ASSERT_TRUE(same) << same.error().describe();
  EXPECT_TRUE(same->reused);
  EXPECT_EQ(conn.count_matching("^RESTORE"), 0u);

  auto newer = ref;
  newer.label = lbl("starkeep_catalog_20250917010709_dddddddd");
  auto refused = catalog::recover(conn, newer, recover_options, clock, sleeper);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, "catalog.not_empty");
  EXPECT_EQ(conn.count_matching("^DROP"), 0u);

  recover_options.refresh = true;
  conn.on("^SHOW SNAPSHOT", ports::make_rows({"Snapshot", "Timestamp", "Database", "Details", "Status"},
                                             {{newer.label.str(), newer.backup_timestamp.str(), "ops", "{}", "OK"}}));
  conn.on("^SHOW RESTORE FROM `ops_recovered`", jobs("Label", 8, "older", "FINISHED"), 1);
  conn.on("^SHOW RESTORE FROM `ops_recovered`", jobs("Label", 9, newer.label.str(), "FINISHED"));
  auto refreshed = catalog::recover(conn, newer, recover_options, clock, sleeper);
  ASSERT_TRUE(refreshed) << refreshed.error().describe();
  EXPECT_EQ(conn.count_matching("^DROP TABLE IF EXISTS `ops_recovered`.`backup_history`$"), 1u);
  EXPECT_EQ(conn.count_matching("^DROP TABLE IF EXISTS `ops_recovered`.`catalog_source`$"), 1u);
  EXPECT_EQ(conn.count_matching("^RESTORE SNAPSHOT `ops_recovered`.`starkeep_catalog_20250917010709_dddddddd`"), 1u);
}

TEST_F(RecoverTest, ANewerSchemaIsRefused) {
  script_restore_finishes();
  ports::RecordingSqlConnection newer;
  newer.on("^SHOW TABLES FROM `ops_recovered`", ports::make_rows({"Tables_in_ops_recovered"}, {{"schema_version"}}));
  newer.on("schema_version", ports::make_rows({"version"}, {{"99"}}));
  newer.on("^SHOW SNAPSHOT", ports::make_rows({"Snapshot", "Timestamp", "Database", "Details", "Status"},
                                              {{ref.label.str(), ref.backup_timestamp.str(), "ops", "{}", "OK"}}));
  newer.on("^SHOW RESTORE", ports::make_rows({"JobId", "Label", "State"}, {}), 1);
  newer.on("^SHOW RESTORE", jobs("Label", 4, ref.label.str(), "FINISHED"));
  auto r = catalog::recover(newer, ref, recover_options, clock, sleeper);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "catalog.schema_newer");
}

TEST(Adopt, CopiesFinishedHistoryManifestsAndLineageIntoThisClustersOps) {
  ports::FakeClock clock;
  ports::RecordingSqlConnection conn;
  ASSERT_TRUE(catalog::adopt(conn, db("ops_recovered"), ops::OpsConfig{db("ops"), 1}, clock, "test"));
  EXPECT_EQ(conn.count_matching("^INSERT INTO `ops`.`backup_history` \\(`attempt_id`, `run_id`, .*\\) SELECT "
                                "`attempt_id`, `run_id`, .* FROM `ops_recovered`.`backup_history` WHERE state = "
                                "'FINISHED'$"),
            1u);
  EXPECT_EQ(conn.count_matching("^INSERT INTO `ops`.`backup_manifest` .* FROM `ops_recovered`.`backup_manifest`$"), 1u);
  EXPECT_EQ(conn.count_matching("^INSERT INTO `ops`.`snapshot_lineage` .* FROM `ops_recovered`.`snapshot_lineage`$"),
            1u);
  EXPECT_EQ(conn.count_matching(
                "^INSERT INTO `ops`.`table_partition_set` .* FROM `ops_recovered`.`table_partition_set`$"),
            1u);
  EXPECT_EQ(conn.count_matching("INSERT INTO `ops`.`restore_history`|INSERT INTO `ops`.`run_status`"), 0u);
  EXPECT_FALSE(catalog::adopt(conn, db("ops"), ops::OpsConfig{db("ops"), 1}, clock, "test")) << "not into itself";
}

// ---- after a run ----

TEST(AfterRun, PublishesToTheRepositoriesThatReceivedABackup) {
  plan::Plan p;
  auto job = [](const char* d, const char* tier, const char* r) {
    const TierName t = *TierName::parse(tier);
    return plan::BackupJob{db(d), t, {t}, {}, {}, {}, {}, t, lbl("x"), repo(r), false, {}, {}};
  };
  p.jobs = {job("sales", "daily", "r1"), job("crm", "daily", "r2"), job("hr", "daily", "r3")};
  executor::RunReport report;
  report.run_id = "run";
  report.databases.push_back({db("sales"), *TierName::parse("daily"), lbl("sales_1"), 1, executor::Outcome::kSuccess, {}, {}, {}, {}});
  report.databases.push_back({db("crm"), *TierName::parse("daily"), lbl("crm_1"), 2, executor::Outcome::kJobFailed, {}, {}, {}, {}});
  report.databases.push_back({db("hr"), *TierName::parse("daily"), std::nullopt, {}, executor::Outcome::kNothingDue, {}, {}, {}, {}});
  EXPECT_EQ(executor::repositories_to_publish(p, report), std::vector<RepositoryName>{repo("r1")});
  report.databases.clear();
  EXPECT_TRUE(executor::repositories_to_publish(p, report).empty()) << "nothing finished: nothing to publish";
  report.reconciled = 1;
  EXPECT_EQ(executor::repositories_to_publish(p, report).size(), 3u) << "settled history rows are news too";
}

TEST(AfterRun, AFailedPublicationIsAWarningAndAnAlertNeverAnError) {
  plan::Plan p;
  const TierName daily = *TierName::parse("daily");
  p.jobs = {plan::BackupJob{db("sales"), daily, {daily}, {}, {}, {}, {}, daily, lbl("x"), repo("r1"), false, {}, {}}};
  executor::RunReport report;
  report.run_id = "run-7";
  report.databases.push_back({db("sales"), daily, lbl("sales_1"), 1, executor::Outcome::kSuccess, {}, {}, {}, {}});

  ports::FakeClock clock;
  ports::FakeSleeper sleeper{&clock};
  std::ostringstream out;
  executor::RunLog log(out, executor::LogFormat::kText, executor::LogLevel::kInfo, clock);
  alerts::RecordingAlertPort alert;
  int sessions = 0;
  std::vector<std::string> backups;  // BACKUP statements sent (the sessions die with publish_after_run)
  const executor::SessionFactory connect = [&](const std::optional<std::string>&)
      -> Result<std::unique_ptr<ports::SqlConnection>> {
    ++sessions;
    auto c = std::make_unique<ports::RecordingSqlConnection>();
    c->on_call("^BACKUP SNAPSHOT", [&](std::string_view sql) -> Result<ports::Rows> {
      backups.emplace_back(sql);
      return std::unexpected(ports::server_error(1064, "HY000", "Repository r1 is read only"));
    });
    return std::unique_ptr<ports::SqlConnection>(std::move(c));
  };
  auto published = executor::publish_after_run(p, report, ops::OpsConfig{db("ops"), 1},
                                              {connect, clock, sleeper, log, &alert});
  EXPECT_TRUE(published.empty());
  ASSERT_EQ(backups.size(), 1u);
  EXPECT_TRUE(backups[0].starts_with("BACKUP SNAPSHOT `ops`.`starkeep_catalog_20250914010000_")) << backups[0];
  const auto raised = alert.alerts();
  ASSERT_EQ(raised.size(), 1u);
  EXPECT_EQ(raised[0].kind, model::AlertCondition::Kind::kJobState);
  EXPECT_EQ(raised[0].context.job_state, alerts::AlertJobState::failed());
  EXPECT_EQ(raised[0].context.database, db("ops"));
  EXPECT_EQ(raised[0].context.repository, repo("r1"));
  EXPECT_NE(raised[0].context.detail.find("Repository r1 is read only"), std::string::npos)
      << raised[0].context.detail;
  EXPECT_NE(out.str().find("catalog snapshot not published to repository r1"), std::string::npos) << out.str();

  report.databases[0].outcome = executor::Outcome::kAlreadyHandled;
  EXPECT_TRUE(executor::publish_after_run(p, report, ops::OpsConfig{db("ops"), 1},
                                         {connect, clock, sleeper, log, &alert})
                  .empty());
  EXPECT_EQ(sessions, 1) << "no backup finished: no session, no statement";
  EXPECT_EQ(alert.alerts().size(), 1u);
}

// ---- planning on another cluster ----

restore::Snapshot snap(const char* label, const char* finished, const char* r = "r") {
  restore::Snapshot s{ops::BackupAttempt{.run_id = "run",
                                         .label = lbl(label),
                                         .repository = repo(r),
                                         .database = db("sales")},
                      {}};
  s.attempt.kind = ops::BackupKind::kDatabase;
  s.attempt.state = ops::AttemptState::kFinished;
  s.attempt.finished_at = at(finished);
  s.attempt.backup_timestamp = ts(std::string(label) + "-ts");
  s.entries.push_back(ops::ManifestEntry{.attempt_id = s.attempt.attempt_id(),
                                         .repository = s.attempt.repository,
                                         .label = s.attempt.label,
                                         .database = s.attempt.database,
                                         .table = tb("orders"),
                                         .partition = *PartitionName::parse("p1")});
  return s;
}

TEST(ColdStart, OnlySnapshotsTheRepositoryListsArePlanned) {
  std::vector<std::string> dropped;
  auto kept = restore::listed_only({snap("a", "2025-09-14T01:00:00Z"), snap("b", "2025-09-15T01:00:00Z"),
                                    snap("c", "2025-09-16T01:00:00Z"), snap("d", "2025-09-16T02:00:00Z", "other")},
                                   repo("r"),
                                   {{"a", {ts("a-ts")}, "OK"}, {"b", {ts("b-ts")}, "ERROR: no snapshot"}, {"d", {ts("x")}, "OK"}},
                                   &dropped);
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(kept[0].attempt.label.str(), "a");
  ASSERT_EQ(dropped.size(), 2u) << "b broken, c missing (d is another repository's)";
  EXPECT_NE(dropped[0].find("b:"), std::string::npos);
}

TEST(ColdStart, AbsentSourceKeepsNamesInItsOwnDatabaseAndRefusesReplace) {
  restore::RestoreRequest r{.scope = restore::Scope::kDatabase, .database = db("sales")};
  r.as_of = at("2025-09-15T12:00:00Z");
  r.into = db("sales");
  r.source_on_this_cluster = false;
  r.grammar = dialect::Grammar::kV34;
  auto p = restore::make_restore_plan(r, {snap("a", "2025-09-14T01:00:00Z"), snap("b", "2025-09-15T01:00:00Z")});
  ASSERT_TRUE(p) << p.error().describe();
  EXPECT_TRUE(p->create_target_database);
  ASSERT_EQ(p->targets.size(), 1u);
  EXPECT_EQ(p->targets[0].target, tb("orders")) << "nothing live here: the original name";
  const auto sql = restore::plan_statements(*p);
  ASSERT_EQ(sql.size(), 2u);
  EXPECT_EQ(sql[0], "CREATE DATABASE IF NOT EXISTS `sales`");
  EXPECT_EQ(sql[1], "RESTORE SNAPSHOT `b` FROM `r` DATABASE `sales` ON (TABLE `orders`) PROPERTIES "
                    "('backup_timestamp' = '<unresolved>')");

  r.source_on_this_cluster = true;
  auto live = restore::make_restore_plan(r, {snap("a", "2025-09-14T01:00:00Z")});
  ASSERT_TRUE(live);
  EXPECT_NE(live->targets[0].target, tb("orders")) << "on the source's cluster the live name is never a target";

  restore::RestoreRequest t{.scope = restore::Scope::kTable, .database = db("sales")};
  t.table = tb("orders");
  t.as_of = at("2025-09-15T12:00:00Z");
  t.replace = true;
  t.source_on_this_cluster = false;
  auto replace = restore::make_restore_plan(t, {snap("a", "2025-09-14T01:00:00Z")});
  ASSERT_FALSE(replace);
  EXPECT_EQ(replace.error().code, "restore.usage");
}

TEST(ColdStart, TableRestoreInThe34GrammarNamesTablesAndAliases) {
  restore::RestoreRequest r{.scope = restore::Scope::kTable, .database = db("sales")};
  r.table = tb("orders");
  r.as_of = at("2025-09-15T12:00:00Z");
  r.as_name = tb("orders_b");
  r.grammar = dialect::Grammar::kV34;
  auto p = restore::make_restore_plan(r, {snap("a", "2025-09-14T01:00:00Z")});
  ASSERT_TRUE(p);
  EXPECT_EQ(restore::plan_statements(*p).back(),
            "RESTORE SNAPSHOT `a` FROM `r` DATABASE `sales` ON (TABLE `orders` AS `orders_b`) PROPERTIES "
            "('backup_timestamp' = '<unresolved>')");
}

// ---- the wait limit ----

struct WaitLimitTest : ::testing::Test {
  ports::FakeClock clock;
  ports::FakeSleeper sleeper{&clock};
  ports::RecordingSqlConnection conn;
  restore::ExecuteOptions options{"run1", 3, std::chrono::milliseconds(1000), std::chrono::milliseconds(1000),
                                  std::chrono::milliseconds(1000), std::chrono::seconds(10)};

  restore::RestorePlan plan() {
    restore::RestoreRequest r{.scope = restore::Scope::kTable, .database = db("sales")};
    r.table = tb("orders");
    r.as_of = at("2025-09-15T12:00:00Z");
    r.as_name = tb("orders_b");
    auto p = restore::make_restore_plan(r, {snap("a", "2025-09-14T01:00:00Z")});
    EXPECT_TRUE(p);
    p->steps[0].backup_timestamp = ts("a-ts");
    return *p;
  }
};

TEST_F(WaitLimitTest, PastTheLimitTheJobIsCancelledAndRecorded) {
  conn.on("^SHOW RESTORE FROM `sales`", jobs("Label", 1, "older", "FINISHED"), 1);
  bool cancelled = false;
  conn.on_call("^CANCEL RESTORE FROM `sales`$", [&](std::string_view) -> Result<ports::Rows> {
    cancelled = true;
    return ports::Rows{};
  });
  conn.on_call("^SHOW RESTORE FROM `sales`", [&](std::string_view) -> Result<ports::Rows> {
    return cancelled ? jobs("Label", 2, "a", "CANCELLED", "[COMMON_ERROR, msg: user cancelled, current state: DOWNLOADING]")
                     : jobs("Label", 2, "a", "DOWNLOADING");
  });
  auto out = restore::execute_plan(conn, nullptr, plan(), clock, sleeper, options, nullptr);
  ASSERT_TRUE(out.error);
  EXPECT_EQ(out.error->code, "restore.timeout");
  EXPECT_NE(out.error->message.find("user cancelled"), std::string::npos) << out.error->message;
  EXPECT_EQ(conn.count_matching("^CANCEL RESTORE FROM `sales`$"), 1u);
  ASSERT_EQ(out.records.size(), 1u);
  EXPECT_EQ(out.records[0].state, ops::AttemptState::kCancelled);
  EXPECT_EQ(out.records[0].server_state, "CANCELLED");
  EXPECT_NE(out.records[0].error_text->find("wait limit"), std::string::npos);
  EXPECT_EQ(conn.count_matching("murmur_hash3_32"), 0u) << "nothing verified after a cancel";
}

TEST_F(WaitLimitTest, ARestoreHiddenByALaterBackupIsSettledFromItsTablesNeverCancelled) {
  // Issue 10 item 1: the scheduled runner's BACKUP of `sales` replaced our finished RESTORE in the one-job view, so
  // SHOW RESTORE lists nothing. The old poller waited out the wait limit and sent CANCEL RESTORE FROM sales (which
  // cancels whatever runs there); now the restored table decides at once.
  conn.on("^SHOW RESTORE FROM `sales`", jobs("Label", 1, "older", "FINISHED"), 1);
  conn.on("^SHOW RESTORE FROM `sales`", jobs("Label", 2, "a", "DOWNLOADING"), 1);
  conn.on("^SHOW RESTORE FROM `sales`", ports::make_rows({"JobId", "Label", "State"}, {}));
  conn.on("information_schema.tables", ports::make_rows({"TABLE_NAME"}, {{"orders"}}), 1);  // before: no orders_b
  conn.on("information_schema.tables", ports::make_rows({"TABLE_NAME"}, {{"orders"}, {"orders_b"}}));
  conn.on("information_schema.columns", ports::make_rows({"COLUMN_NAME"}, {{"k"}}));
  conn.on("row_count", ports::make_rows({"row_count", "row_hash_sum"}, {{"1", "5"}}));
  auto out = restore::execute_plan(conn, nullptr, plan(), clock, sleeper, options, nullptr);
  ASSERT_FALSE(out.error) << out.error->describe();
  EXPECT_EQ(conn.count_matching("^CANCEL"), 0u);
  ASSERT_EQ(out.records.size(), 1u);
  EXPECT_EQ(out.records[0].state, ops::AttemptState::kFinished);
  EXPECT_LE(conn.count_matching("^SHOW RESTORE"), 3u) << "settled on the first poll that misses it";

  // The table is not there: the step failed, still without cancelling anyone.
  ports::RecordingSqlConnection missing;
  missing.on("^SHOW RESTORE FROM `sales`", jobs("Label", 1, "older", "FINISHED"), 1);
  missing.on("^SHOW RESTORE FROM `sales`", jobs("Label", 2, "a", "DOWNLOADING"), 1);
  missing.on("^SHOW RESTORE FROM `sales`", ports::make_rows({"JobId", "Label", "State"}, {}));
  missing.on("information_schema.tables", ports::make_rows({"TABLE_NAME"}, {{"orders"}}));
  auto failed = restore::execute_plan(missing, nullptr, plan(), clock, sleeper, options, nullptr);
  ASSERT_TRUE(failed.error);
  EXPECT_EQ(failed.error->code, "restore.job_failed");
  EXPECT_EQ(missing.count_matching("^CANCEL"), 0u);
}

TEST_F(WaitLimitTest, AJobTheServerCancelledForItsOwnReasonKeepsThatReason) {
  conn.on("^SHOW RESTORE FROM `sales`", jobs("Label", 1, "older", "FINISHED"), 1);
  bool cancelled = false;
  conn.on_call("^CANCEL RESTORE", [&](std::string_view) -> Result<ports::Rows> {
    cancelled = true;
    return std::unexpected(ports::server_error(1064, "HY000", "No restore is currently running"));
  });
  conn.on_call("^SHOW RESTORE FROM `sales`", [&](std::string_view) -> Result<ports::Rows> {
    return cancelled ? jobs("Label", 2, "a", "CANCELLED",
                            "[COMMON_ERROR, msg: disk /data1 on backend 10001 exceed limit usage, path hash: 1]")
                     : jobs("Label", 2, "a", "DOWNLOADING");
  });
  auto out = restore::execute_plan(conn, nullptr, plan(), clock, sleeper, options, nullptr);
  ASSERT_TRUE(out.error);
  EXPECT_EQ(out.error->code, "restore.disk_limit");
}

TEST_F(WaitLimitTest, AJobThatCannotBeCancelledAnyMoreIsWaitedForWithinTheGrace) {
  options.cancel_grace = std::chrono::seconds(30);
  conn.on("^SHOW RESTORE FROM `sales`", jobs("Label", 1, "older", "FINISHED"), 1);
  int polls_after_cancel = -1;
  conn.on_call("^CANCEL RESTORE", [&](std::string_view) -> Result<ports::Rows> {
    polls_after_cancel = 0;
    return std::unexpected(ports::server_error(
        1064, "HY000", "Failed to cancel job: Job with label a can not be cancelled. state: COMMITTING"));
  });
  conn.on_call("^SHOW RESTORE FROM `sales`", [&](std::string_view) -> Result<ports::Rows> {
    if (polls_after_cancel >= 0 && ++polls_after_cancel > 2) return jobs("Label", 2, "a", "FINISHED");
    return jobs("Label", 2, "a", "COMMITTING");
  });
  conn.on("information_schema.columns", ports::make_rows({"COLUMN_NAME"}, {{"k"}}));
  conn.on("row_count", ports::make_rows({"row_count", "row_hash_sum"}, {{"1", "5"}}));
  auto out = restore::execute_plan(conn, nullptr, plan(), clock, sleeper, options, nullptr);
  ASSERT_FALSE(out.error) << out.error->describe();
  ASSERT_EQ(out.records.size(), 1u);
  EXPECT_EQ(out.records[0].state, ops::AttemptState::kFinished);
  EXPECT_FALSE(out.records[0].error_text);

  // Still running when the grace ends too: a timeout that says so.
  ports::RecordingSqlConnection stuck;
  stuck.on("^SHOW RESTORE FROM `sales`", jobs("Label", 1, "older", "FINISHED"), 1);
  stuck.on("^SHOW RESTORE FROM `sales`", jobs("Label", 2, "a", "COMMITTING"));
  stuck.on_error("^CANCEL RESTORE", ports::server_error(1064, "HY000", "can not be cancelled. state: COMMITTING"));
  auto timeout = restore::execute_plan(stuck, nullptr, plan(), clock, sleeper, options, nullptr);
  ASSERT_TRUE(timeout.error);
  EXPECT_EQ(timeout.error->code, "restore.timeout");
  EXPECT_NE(timeout.error->message.find("can not be cancelled"), std::string::npos) << timeout.error->message;
}

TEST_F(WaitLimitTest, ColdStartNeverProvesByLiveVersions) {
  conn.on("^SHOW RESTORE FROM `sales`", jobs("Label", 1, "older", "FINISHED"), 1);
  conn.on("^SHOW RESTORE FROM `sales`", jobs("Label", 2, "a", "FINISHED"));
  conn.on("information_schema.columns", ports::make_rows({"COLUMN_NAME"}, {{"k"}}));
  conn.on("information_schema.partitions_meta",
          ports::make_rows({"TABLE_NAME", "PARTITION_NAME", "VISIBLE_VERSION"}, {{"orders", "p1", "0"}}));
  conn.on("row_count", ports::make_rows({"row_count", "row_hash_sum"}, {{"1", "5"}}));
  options.live_proof = false;
  auto out = restore::execute_plan(conn, nullptr, plan(), clock, sleeper, options, nullptr);
  ASSERT_FALSE(out.error) << out.error->describe();
  EXPECT_EQ(out.verdict, verify::Verdict::kSkipped) << "another cluster's version 0 proves nothing";
  EXPECT_EQ(conn.count_matching("partitions_meta"), 0u);
}

}  // namespace
}  // namespace sk
