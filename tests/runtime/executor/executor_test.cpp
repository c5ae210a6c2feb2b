// Unit tests of the runner's pure parts: capacities, labels (_rN, done slots), binding (changed partitions),
// hostile names in rendered SQL. (SHOW parsing, backoff and polling cadence moved with the code to
// tests/runtime/jobs.)
#include <gtest/gtest.h>

#include "kernel/dialect/runner_sql.h"
#include "kernel/dialect/starrocks_dialect.h"
#include "runtime/executor/binding.h"
#include "runtime/executor/cluster_views.h"
#include "runtime/executor/labels.h"
#include "runtime/executor/runner.h"
#include "runtime/ports/fakes.h"

#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace sk::executor {
namespace {

using ports::make_rows;
using std::chrono::milliseconds;

SnapshotLabel L(const std::string& s) { return SnapshotLabel::parse(s).value(); }

jobs::ServerJob job(const std::string& label, const std::string& state) {
  jobs::ServerJob j;
  j.label = label;
  j.state_text = state;
  j.state = jobs::parse_job_state(state);
  j.job_id = jobs::JobId(42);
  return j;
}

jobs::SnapshotRow snap(const std::string& label, const std::string& status, std::vector<std::string> ts = {}) {
  jobs::SnapshotRow row{label, {}, status};
  for (const auto& t : ts) row.timestamps.push_back(*BackupTimestamp::from_server(t));
  return row;
}

TEST(ServerViews, Capacities) {
  EXPECT_DOUBLE_EQ(parse_capacity("1.000 KB").value(), 1024.0);
  EXPECT_DOUBLE_EQ(parse_capacity("1.500 TB").value(), 1.5 * 1024.0 * 1024 * 1024 * 1024);
  EXPECT_DOUBLE_EQ(parse_capacity(".000 ").value(), 0.0);
  EXPECT_DOUBLE_EQ(parse_capacity("0.000 B").value(), 0.0);
  EXPECT_DOUBLE_EQ(parse_capacity("512.000 GB").value(), 512.0 * 1024 * 1024 * 1024);
  EXPECT_FALSE(parse_capacity("lots"));
  EXPECT_FALSE(parse_capacity("1.0 XB"));
}

// Issue 10 item 20: a run that backed up one database while another's slot was already done (the scheduler's
// retry after a cancelled job) achieved its slots and exits 0; "already handled" alone still exits 11, and
// every failure still outranks success.
TEST(Outcomes, AlreadyHandledDoesNotOutrankSuccess) {
  EXPECT_EQ(worse(Outcome::kSuccess, Outcome::kAlreadyHandled), Outcome::kSuccess);
  EXPECT_EQ(worse(Outcome::kAlreadyHandled, Outcome::kSuccess), Outcome::kSuccess);
  EXPECT_EQ(worse(Outcome::kAlreadyHandled, Outcome::kNothingDue), Outcome::kAlreadyHandled);
  EXPECT_EQ(worse(Outcome::kNothingDue, Outcome::kSuccess), Outcome::kSuccess);
  EXPECT_EQ(worse(Outcome::kSuccess, Outcome::kConflict), Outcome::kConflict);
  EXPECT_EQ(worse(Outcome::kAlreadyHandled, Outcome::kJobFailed), Outcome::kJobFailed);
}

TEST(Labels, CandidatesAreBaseThenRetries) {
  auto c = label_candidates(L("sales_20250914_inc"), 3);
  ASSERT_EQ(c.size(), 4u);
  EXPECT_EQ(c[0].str(), "sales_20250914_inc");
  EXPECT_EQ(c[3].str(), "sales_20250914_inc_r3");
}

TEST(Labels, FreshSlotUsesTheBaseLabel) {
  auto d = decide_label(L("s_20250914_inc"), {}, {}, {});
  EXPECT_EQ(d.kind, LabelDecision::Kind::kSubmit);
  EXPECT_EQ(d.label.str(), "s_20250914_inc");
}

TEST(Labels, FinishedSnapshotMeansDone) {
  auto d = decide_label(L("s_20250914_inc"), {snap("s_20250914_inc", "OK", {"2025-09-14-01-00-00-001"})}, {}, {});
  EXPECT_EQ(d.kind, LabelDecision::Kind::kDone);
  ASSERT_TRUE(d.backup_timestamp);
  EXPECT_EQ(d.backup_timestamp->str(), "2025-09-14-01-00-00-001");
}

// Issue 10 item 10: another cluster's finished snapshot with the slot's label is not this slot's backup; its label
// stays used, so the next candidate is taken.
TEST(Labels, AForeignFinishedSnapshotIsUsedButNotDone) {
  auto d = decide_label(L("s_d_inc"), {snap("s_d_inc", "OK", {"t1"})}, {}, {}, 9, {}, {"s_d_inc"});
  EXPECT_EQ(d.kind, LabelDecision::Kind::kSubmit);
  EXPECT_EQ(d.label.str(), "s_d_inc_r1");
}

TEST(Labels, FinishedRetryMeansDoneToo) {
  auto d = decide_label(L("s_d_inc"), {snap("s_d_inc", "ERROR: no snapshot"), snap("s_d_inc_r1", "OK", {"t1"})}, {}, {});
  EXPECT_EQ(d.kind, LabelDecision::Kind::kDone);
  EXPECT_EQ(d.label.str(), "s_d_inc_r1");
}

TEST(Labels, CancelledAttemptLeavesItsLabelUsed) {
  // The partial directory of a cancelled job occupies the label in the repository.
  auto d = decide_label(L("s_d_inc"), {snap("s_d_inc", "ERROR: no snapshot")}, {job("s_d_inc", "CANCELLED")}, {});
  EXPECT_EQ(d.kind, LabelDecision::Kind::kSubmit);
  EXPECT_EQ(d.label.str(), "s_d_inc_r1");
}

TEST(Labels, HistoryOfFailedAttemptsAdvancesTheRetryNumber) {
  auto d = decide_label(L("s_d_inc"), {}, {}, {"s_d_inc", "s_d_inc_r1"});
  EXPECT_EQ(d.kind, LabelDecision::Kind::kSubmit);
  EXPECT_EQ(d.label.str(), "s_d_inc_r2");
}

TEST(Labels, RunningJobOfOurSlotIsAnotherRunner) {
  auto d = decide_label(L("s_d_inc"), {snap("s_d_inc", "ERROR: no snapshot")},
                        {job("s_d_inc_r1", "UPLOADING")}, {"s_d_inc"});
  EXPECT_EQ(d.kind, LabelDecision::Kind::kRunning);
  EXPECT_EQ(d.label.str(), "s_d_inc_r1");
}

TEST(Labels, ForeignRunningJobDoesNotTakeOurLabel) {
  auto d = decide_label(L("s_d_inc"), {}, {job("foreign_backup_1", "UPLOADING")}, {});
  EXPECT_EQ(d.kind, LabelDecision::Kind::kSubmit);
  EXPECT_EQ(d.label.str(), "s_d_inc");
}

TEST(Labels, LabelsAreComparedAsValuesNotQuotedText) {
  // Pitfall 1: SHOW BACKUP prints the bare SnapshotName; a backticked form must never be what we compare.
  auto d = decide_label(L("s_d_inc"), {}, {job("`s_d_inc`", "UPLOADING")}, {});
  EXPECT_EQ(d.kind, LabelDecision::Kind::kSubmit);
  auto e = decide_label(L("s_d_inc"), {}, {job("s_d_inc", "UPLOADING")}, {});
  EXPECT_EQ(e.kind, LabelDecision::Kind::kRunning);
}

TEST(Labels, OurFinishedAttemptMeansDoneNotMerelyUsed) {
  // Issue 10 item 3: the snapshot list is older than our FINISHED attempt, and the database's current job is
  // another tier's. The finished attempt makes the slot done; it is never a reason to submit `_r1`.
  auto d = decide_label(L("s_d_inc"), {}, {job("s_d_weekly", "FINISHED")}, {"s_d_inc"}, 9,
                        {{"s_d_inc", BackupTimestamp::from_server("t0")}});
  EXPECT_EQ(d.kind, LabelDecision::Kind::kDone);
  EXPECT_EQ(d.label.str(), "s_d_inc");
  EXPECT_EQ(d.backup_timestamp, BackupTimestamp::from_server("t0"));
}

TEST(Labels, AllCandidatesUsedIsExhausted) {
  auto d = decide_label(L("s_d_inc"), {}, {}, {"s_d_inc", "s_d_inc_r1", "s_d_inc_r2"}, 2);
  EXPECT_EQ(d.kind, LabelDecision::Kind::kExhausted);
}

plan::BackupJob daily_job(const std::string& db, std::vector<std::string> tables) {
  const TierName daily = TierName::parse("daily").value();
  plan::BackupJob j{DatabaseName::parse(db).value(), daily, {daily}, {}, {}, {}, {}, daily, L("sales_20250914_inc"),
                    RepositoryName::parse("repo").value()};
  j.slot = Instant::from_unix_seconds(1'757'811'600);
  j.deadline = j.slot + Duration::from_hours(2);
  j.expires = j.slot + Duration::from_days(14);
  j.retain_from = j.tier;
  j.label = L("sales_20250914_inc");
  j.repository = RepositoryName::parse("repo").value();
  for (const auto& t : tables) j.tables.push_back({TableName::parse(t).value(), plan::TableScope::kChangedPartitions});
  j.change_detection = model::ChangeDetection{};
  return j;
}

PartitionMeta pm(const std::string& t, const std::string& p, std::int64_t id, std::int64_t v) {
  PartitionMeta m;
  m.table = t;
  m.partition = p;
  m.partition_id = id;
  m.visible_version = v;
  return m;
}

ops::LastBackedUp last(const std::string& t, const std::string& p, std::int64_t id, std::int64_t v) {
  return {TableName::parse(t).value(), PartitionName::parse(p).value(), id, v};
}

TEST(Binding, ChangedMeansNewOrDifferentVersion) {
  auto j = daily_job("sales", {"orders"});
  auto b = bind_job(j, {pm("orders", "p1", 1, 5), pm("orders", "p2", 2, 7), pm("orders", "p3", 3, 1)},
                    {last("orders", "p1", 1, 5), last("orders", "p2", 2, 6)});
  ASSERT_EQ(b.tables.size(), 1u);
  ASSERT_EQ(b.tables[0].partitions.size(), 2u);
  EXPECT_EQ(b.tables[0].partitions[0].str(), "p2");  // version 6 → 7
  EXPECT_EQ(b.tables[0].partitions[1].str(), "p3");  // new
  // The manifest records the versions read now, before submission (pitfall 4).
  ASSERT_EQ(b.manifest.size(), 2u);
  EXPECT_EQ(b.manifest[0].visible_version, 7);
}

TEST(Binding, NoChangeMeansNoJob) {
  auto j = daily_job("sales", {"orders"});
  auto b = bind_job(j, {pm("orders", "p1", 1, 5)}, {last("orders", "p1", 1, 5)});
  EXPECT_TRUE(b.empty());
  EXPECT_EQ(b.unchanged_tables, std::vector<std::string>{"orders"});
}

// Issue 10 item 15: a table of the job that partitions_meta does not list was dropped after the inventory was
// written: it is left out and reported, and the job's other tables are bound (the server would refuse the whole
// BACKUP with "Unknown table").
TEST(Binding, ATableTheClusterNoLongerHasIsReportedAndTheOthersAreBound) {
  auto j = daily_job("shop", {});
  j.tables.push_back({TableName::parse("dim_product").value(), plan::TableScope::kWholeTable});
  j.tables.push_back({TableName::parse("dim_store").value(), plan::TableScope::kWholeTable});
  j.tables.push_back({TableName::parse("orders").value(), plan::TableScope::kChangedPartitions});
  j.tables.push_back({TableName::parse("returns").value(), plan::TableScope::kChangedPartitions});
  auto b = bind_job(j, {pm("dim_product", "dim_product", 1, 2), pm("orders", "p1", 2, 3)}, {});
  EXPECT_EQ(b.dropped_tables, (std::vector<std::string>{"dim_store", "returns"}));
  ASSERT_EQ(b.tables.size(), 2u);
  EXPECT_EQ(b.tables[0].table.str(), "dim_product");
  EXPECT_EQ(b.tables[1].table.str(), "orders");
  const std::string sql = dialect::render_backup(bound_spec(j, b, L("shop_20250914_full")));
  EXPECT_EQ(sql.find("dim_store"), std::string::npos) << sql;
}

TEST(Binding, UpdatedWithinUsesVisibleVersionTime) {
  auto j = daily_job("sales", {"orders"});
  j.change_detection = model::ChangeDetection{model::ChangeDetection::Mode::kUpdatedWithin, Duration::from_days(1)};
  auto recent = pm("orders", "p1", 1, 5);
  recent.visible_version_time = j.slot - Duration::from_hours(3);
  auto old = pm("orders", "p2", 2, 5);
  old.visible_version_time = j.slot - Duration::from_days(3);
  auto b = bind_job(j, {recent, old}, {});
  ASSERT_EQ(b.tables.size(), 1u);
  ASSERT_EQ(b.tables[0].partitions.size(), 1u);
  EXPECT_EQ(b.tables[0].partitions[0].str(), "p1");
}

TEST(Binding, HostileNamesAreQuotedNeverInterpolated) {
  const std::string evil_table = "t`; DROP DATABASE x; --";
  const std::string evil_part = "p') OR 1=1 #";
  auto j = daily_job("sales", {evil_table});
  auto b = bind_job(j, {pm(evil_table, evil_part, 9, 1)}, {});
  const std::string sql = dialect::render_backup(bound_spec(j, b, L("sales_20250914_inc_r1")));
  EXPECT_NE(sql.find("`t``; DROP DATABASE x; --`"), std::string::npos) << sql;
  EXPECT_NE(sql.find("`p') OR 1=1 #`"), std::string::npos) << sql;
  EXPECT_NE(sql.find("`sales_20250914_inc_r1`"), std::string::npos) << sql;
  const std::string meta = dialect::render_partitions_meta_for_binding(DatabaseName::parse("s'; DROP x; --").value());
  EXPECT_NE(meta.find("DB_NAME = 's\\'; DROP x; --'"), std::string::npos) << meta;
}

TEST(Binding, ReadsPartitionsMetaInOneQueryByColumnName) {
  ports::RecordingSqlConnection conn;
  conn.on("partitions_meta",
          make_rows({"PARTITION_ID", "TABLE_NAME", "PARTITION_NAME", "VISIBLE_VERSION", "VISIBLE_VERSION_UNIX",
                     "ROW_COUNT", "DATA_SIZE"},
                    {{"11", "orders", "p1", "3", "1757811600", "10", "100"},
                     {"12", "payments", "p1", "4", std::nullopt, "1", "2"}}));
  auto meta = read_partitions_meta(conn, DatabaseName::parse("sales").value());
  ASSERT_TRUE(meta) << meta.error().describe();
  ASSERT_EQ(meta->size(), 2u);
  EXPECT_EQ((*meta)[0].partition_id, 11);
  EXPECT_EQ((*meta)[0].visible_version_time, Instant::from_unix_seconds(1757811600));
  EXPECT_FALSE((*meta)[1].visible_version_time.has_value());
  EXPECT_EQ(conn.statements().size(), 1u);
}

}  // namespace
}  // namespace sk::executor
