// SQL transcripts of the restore executor (sk::restore::resolve_timestamps + execute_plan, what `starkeep
// restore` runs once it has a plan) against a scripted cluster: a partition restore whose two partitions come
// from a chain of two snapshots, verified and written to ops.restore_history, then put in place; and a table
// restore whose second step meets a busy database, is retried, verified and swapped. See transcript.h.
#include <gtest/gtest.h>

#include <sstream>

#include "runtime/ops/ops_store.h"
#include "runtime/ports/fakes.h"
#include "runtime/restore/executor.h"
#include "runtime/restore/planner.h"
#include "runtime/verify/fingerprint.h"
#include "tests/golden/transcripts/transcript.h"

namespace sk::restore {
namespace {

using ports::make_rows;

Instant at(const char* iso) { return *Instant::parse(iso, TimeZone::utc()); }

// A FINISHED snapshot of sales.t holding (partition, visible version); every entry has a recorded fingerprint
// of 5 rows summing to 12345.
Snapshot snap(const char* label, ops::BackupKind kind, const char* finished,
              std::vector<std::pair<const char*, int>> parts) {
  Snapshot s{ops::BackupAttempt{.run_id = "run",
                                .label = *SnapshotLabel::parse(label),
                                .repository = *RepositoryName::parse("repo"),
                                .database = *DatabaseName::parse("sales")},
             {}};
  s.attempt.kind = kind;
  s.attempt.state = ops::AttemptState::kFinished;
  s.attempt.finished_at = at(finished);
  s.attempt.backup_timestamp = BackupTimestamp::from_server(std::string(label) + "-ts");
  std::int64_t id = 100;
  for (auto& [p, v] : parts) {
    ops::ManifestEntry e{.attempt_id = s.attempt.attempt_id(),
                         .repository = s.attempt.repository,
                         .label = s.attempt.label,
                         .database = s.attempt.database,
                         .table = *TableName::parse("t"),
                         .partition = *PartitionName::parse(p)};
    e.partition_id = ++id;
    e.visible_version = v;
    e.checksum_algorithm = std::string(verify::kAlgorithm);
    e.checksum = "12345";
    e.checksum_row_count = 5;
    s.entries.push_back(e);
  }
  return s;
}

std::vector<Snapshot> history() {
  using K = ops::BackupKind;
  return {snap("full1", K::kTables, "2025-09-14T10:00:00Z", {{"p1", 2}, {"p2", 2}, {"p3", 2}}),
          snap("inc1", K::kPartitions, "2025-09-14T12:00:00Z", {{"p2", 3}}),
          snap("inc2", K::kPartitions, "2025-09-14T14:00:00Z", {{"p3", 4}})};
}

// SHOW RESTORE shows an older finished job until a RESTORE is accepted; each accepted job then advances one
// state of `states_` per poll (the last repeats).
class RestoreTranscript : public ::testing::Test {
 protected:
  RestoreTranscript() : store_(conn_, ops::OpsConfig{*DatabaseName::parse("ops"), 1}, clock_) {
    for (const char* label : {"full1", "inc1", "inc2"}) {
      conn_.on(std::string("^SHOW SNAPSHOT ON `repo` WHERE SNAPSHOT = '") + label + "'",
               make_rows({"Snapshot", "Timestamp", "Status"}, {{label, std::string(label) + "-ts", "OK"}}));
    }
    conn_.on_call("^SHOW RESTORE", [this](std::string_view) { return show_restore(); });
    conn_.on_call("^RESTORE SNAPSHOT", [this](std::string_view sql) -> Result<ports::Rows> {
      if (busy_ > 0 && sql.find("`.`" + busy_label_ + "`") != std::string_view::npos) {
        --busy_;
        return std::unexpected(ports::server_error(
            1064, "HY000", "Can only run one backup or restore job of a database at same time"));
      }
      const auto start = sql.find("`.`") + 3;
      job_label_ = std::string(sql.substr(start, sql.find('`', start) - start));
      ++job_id_;
      job_states_ = states_;
      return ports::Rows{};
    });
    conn_.on("information_schema.tables", make_rows({"TABLE_NAME"}, {{"t"}}));
    conn_.on(
        "information_schema.partitions_meta",
        make_rows({"TABLE_NAME", "PARTITION_NAME", "VISIBLE_VERSION"}, {{"t", "p1", "2"}, {"t", "p2", "3"}}));
    conn_.on("information_schema.columns", make_rows({"COLUMN_NAME"}, {{"k"}, {"v"}}));
    conn_.on("murmur_hash3_32", make_rows({"row_count", "row_hash_sum"}, {{"5", "12345"}}));
    clock_.set(at("2025-09-20T08:00:00Z"));
    options_.run_id = "restore-run-1";
    options_.poll_initial = std::chrono::milliseconds(100);
  }

  Result<ports::Rows> show_restore() {
    std::string state = "FINISHED";
    if (job_id_ > 1 && !job_states_.empty()) {
      state = job_states_.front();
      if (job_states_.size() > 1) job_states_.erase(job_states_.begin());
    }
    return make_rows({"JobId", "Label", "Timestamp", "DbName", "State", "Status", "TaskErrMsg"},
                     {{std::to_string(job_id_), job_label_, job_label_ + "-ts", "sales", state, "[OK]", ""}});
  }

  RestoreOutcome run(RestoreRequest request) {
    request.table = *TableName::parse("t");
    request.now = clock_.now();
    auto plan = make_restore_plan(request, history());
    EXPECT_TRUE(plan) << plan.error().describe();
    EXPECT_TRUE(resolve_timestamps(conn_, *plan));
    return execute_plan(conn_, &store_, *plan, clock_, sleeper_, options_, &progress_);
  }

  ports::RecordingSqlConnection conn_;
  ports::FakeClock clock_;
  ports::FakeSleeper sleeper_;  // does not advance the clock (transcript.h)
  ops::OpsStore store_;
  ExecuteOptions options_;
  std::ostringstream progress_;
  std::vector<std::string> states_ = {"PENDING", "DOWNLOADING", "COMMITTING", "FINISHED"};
  std::vector<std::string> job_states_;
  std::string job_label_ = "older";
  std::int64_t job_id_ = 1;
  int busy_ = 0;  // RESTOREs of busy_label_ refused as "one job per database"
  std::string busy_label_;
};

TEST_F(RestoreTranscript, PartitionRestoreFromAChainOfTwoSnapshotsIsVerifiedThenPutInPlace) {
  RestoreRequest request{.scope = Scope::kPartition, .database = *DatabaseName::parse("sales")};
  request.partitions = {*PartitionName::parse("p1"), *PartitionName::parse("p2")};
  request.as_of = at("2025-09-14T13:00:00Z");
  request.replace = true;
  const RestoreOutcome out = run(request);
  ASSERT_FALSE(out.error) << out.error->describe() << progress_.str();
  ASSERT_EQ(out.records.size(), 2u);
  EXPECT_EQ(out.verdict, verify::Verdict::kPassed);
  transcript::expect_transcript(
      conn_, "restore_partition_chain",
      "restore: sales.t partitions p1 (full1) and p2 (inc1) as of 13:00, verified, replaced");
}

TEST_F(RestoreTranscript, TableRestoreRetriesABusyDatabaseThenSwaps) {
  RestoreRequest request{.scope = Scope::kTable, .database = *DatabaseName::parse("sales")};
  request.as_of = at("2025-09-14T13:00:00Z");
  request.as_name = *TableName::parse("t_staging");
  request.replace = true;
  busy_ = 1;
  busy_label_ = "inc1";
  states_ = {"PENDING", "FINISHED"};
  const RestoreOutcome out = run(request);
  ASSERT_FALSE(out.error) << out.error->describe() << progress_.str();
  EXPECT_TRUE(out.swapped);
  transcript::expect_transcript(
      conn_, "restore_table_busy_then_swap",
      "restore: table sales.t as of 13:00 into t_staging, step 2 busy once, verified, swapped");
}

}  // namespace
}  // namespace sk::restore
