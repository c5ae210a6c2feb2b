// SQL transcripts of `starkeep run` (sk::executor::run) against a scripted cluster: a daily incremental whose
// changed partitions are bound against the last manifest, a database kept busy by a foreign job and retried,
// a job the server cancels, and a pre-check that stops the run. See transcript.h for the rendering and its
// tolerance.
#include <gtest/gtest.h>

#include <map>
#include <sstream>
#include <tuple>

#include "runtime/executor/runner.h"
#include "runtime/ports/fakes.h"
#include "tests/golden/transcripts/transcript.h"

#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace sk::executor {
namespace {

using ports::make_rows;

// One healthy cluster with database `sales` and repository `repo`; BACKUP jobs advance one scripted state per
// SHOW BACKUP (the last state repeats).
class RunnerTranscript : public ::testing::Test {
 protected:
  static constexpr const char* kForeign = "foreign_backup_1";

  void SetUp() override {
    conn_.on("^SHOW VARIABLES LIKE 'time_zone'", make_rows({"Variable_name", "Value"}, {{"time_zone", "UTC"}}));
    conn_.on("^SHOW FRONTENDS",
             make_rows({"Name", "IP", "Role", "Alive"}, {{"fe1", "127.0.0.1", "LEADER", "true"}}));
    conn_.on_call("^SHOW BACKENDS", [this](std::string_view) -> Result<ports::Rows> {
      return make_rows({"BackendId", "IP", "Alive"}, {{"10001", "127.0.0.1", be_alive_}});
    });
    conn_.on("^SHOW PROC", make_rows({"RootPath", "DataUsedCapacity", "AvailCapacity", "TotalCapacity"},
                                     {{"/data1", "1.000 GB", "800.000 GB", "1.000 TB"}}));
    conn_.on("^SHOW REPOSITORIES", make_rows({"RepoId", "RepoName", "IsReadOnly", "ErrMsg"},
                                             {{"1", "repo", "false", std::nullopt}}));
    conn_.on_call("^SHOW SNAPSHOT", [this](std::string_view sql) { return show_snapshot(sql); });
    conn_.on_call("^SHOW BACKUP FROM", [this](std::string_view) { return show_backup(); });
    conn_.on_call("^BACKUP SNAPSHOT", [this](std::string_view sql) { return backup(sql); });
    conn_.on("partitions_meta", make_rows({"TABLE_NAME", "PARTITION_NAME", "PARTITION_ID", "VISIBLE_VERSION",
                                           "VISIBLE_VERSION_UNIX"},
                                          {{"orders", "p20250912", "11", "4", "1757811000"},
                                           {"orders", "p20250913", "12", "7", "1757811100"},
                                           {"orders", "p20250914", "13", "2", "1757811200"}}));
    conn_.on("information_schema.columns", make_rows({"COLUMN_NAME"}, {{"id"}, {"dt"}, {"amount"}}));
    conn_.on("murmur_hash3_32", make_rows({"row_count", "row_hash_sum"}, {{"7", "-1234"}}));

    plan::BackupJob job{DatabaseName::parse("sales").value(),
                        TierName::parse("daily").value(),
                        {},
                        {},
                        {},
                        {},
                        {},
                        TierName::parse("daily").value(),
                        SnapshotLabel::parse("sales_20250914_inc").value(),
                        RepositoryName::parse("repo").value()};
    job.satisfies = {job.tier};
    job.slot = clock_.now();
    job.deadline = job.slot + Duration::from_hours(2);
    job.expires = job.slot + Duration::from_days(14);
    job.retain = Duration::from_days(14);
    job.tables.push_back({TableName::parse("orders").value(), plan::TableScope::kChangedPartitions});
    job.change_detection = model::ChangeDetection{};
    plan_.at = clock_.now();
    plan_.jobs.push_back(job);
    config_.run_id = "run-1";
    config_.host = "h";
    config_.pid = 1;
    config_.parallel = 1;
    config_.busy_backoff.max_attempts = 3;
  }

  // The last manifest of the database: p20250912 at the version it still has, p20250913 at an older one.
  void last_manifest() {
    conn_.on("backup_manifest.*INNER JOIN",
             make_rows({"table_name", "partition_name", "partition_id", "visible_version"},
                       {{"orders", "p20250912", "11", "4"}, {"orders", "p20250913", "12", "5"}}));
  }

  // What the store reads back after the job FINISHED: the attempt by label and its manifest (the two changed
  // partitions), so that their fingerprints are taken and the snapshot's size is recorded.
  void recorded_attempt() {
    conn_.on(
        "FROM `ops`.`backup_history` WHERE .*`label` =",
        make_rows({"attempt_id",      "run_id",     "label",        "repository",       "database_name",
                   "tiers",           "slot_utc",   "backup_kind",  "objects",          "state",
                   "server_state",    "job_id",     "submit_tries", "submitted_at_utc", "started_at_utc",
                   "finished_at_utc", "error_text", "bytes",        "backup_timestamp", "updated_at_utc"},
                  {{"a1",
                    "run-1",
                    "sales_20250914_inc",
                    "repo",
                    "sales",
                    "daily",
                    "2025-09-14 01:00:00",
                    "partitions",
                    "[]",
                    "FINISHED",
                    "FINISHED",
                    "77",
                    "1",
                    std::nullopt,
                    std::nullopt,
                    std::nullopt,
                    std::nullopt,
                    std::nullopt,
                    "2025-09-14-09-00-05-123",
                    "2025-09-14 09:00:00"}}));
    std::vector<ports::Rows::Row> rows;
    for (const auto& [partition, id, version, size] :
         std::vector<std::tuple<const char*, const char*, const char*, const char*>>{
             {"p20250913", "12", "7", "4096"}, {"p20250914", "13", "2", "2048"}}) {
      rows.push_back({"a1", "repo", "sales_20250914_inc", "sales", "orders", partition, id, version,
                      std::nullopt, "7", size, std::nullopt, std::nullopt, std::nullopt,
                      "2025-09-14 01:00:00"});
    }
    conn_.on(
        "FROM `ops`.`backup_manifest` WHERE `attempt_id`",
        make_rows({"attempt_id", "repository", "label", "database_name", "table_name", "partition_name",
                   "partition_id", "visible_version", "visible_version_time_utc", "row_count", "data_size",
                   "checksum_algorithm", "checksum", "checksum_row_count", "recorded_at_utc"},
                  rows));
  }

  Result<ports::Rows> show_snapshot(std::string_view sql) {
    std::vector<ports::Rows::Row> rows;
    for (const auto& [label, ts] : snapshots_) {
      if (sql.find("'" + label + "'") != std::string_view::npos) rows.push_back({label, ts, "OK"});
    }
    return make_rows({"Snapshot", "Timestamp", "Status"}, rows);
  }

  // The database's latest job: a foreign one (running, its state fixed) or ours (one scripted state per
  // poll).
  Result<ports::Rows> show_backup() {
    std::vector<ports::Rows::Row> rows;
    if (server_label_ == kForeign) {
      rows.push_back(
          {"66", server_label_, "sales", "SNAPSHOTING", "2025-09-14 08:59:00", std::nullopt, "[OK]", ""});
    } else if (!server_label_.empty()) {
      std::string state = states_.empty() ? "UPLOADING" : states_.front();
      if (states_.size() > 1) states_.erase(states_.begin());
      if (state == "FINISHED") snapshots_[server_label_] = "2025-09-14-09-00-05-123";
      rows.push_back(
          {"77", server_label_, "sales", state, "2025-09-14 09:00:00", std::nullopt, server_status_, ""});
    }
    return make_rows(
        {"JobId", "SnapshotName", "DbName", "State", "CreateTime", "FinishedTime", "Status", "TaskErrMsg"},
        rows);
  }

  Result<ports::Rows> backup(std::string_view sql) {
    if (foreign_busy_ > 0) {
      --foreign_busy_;
      server_label_ = kForeign;
      return std::unexpected(ports::server_error(
          1064, "HY000", "Can only run one backup or restore job of a database at same time"));
    }
    const auto start = sql.find("`sales`.`") + 9;
    server_label_ = std::string(sql.substr(start, sql.find('`', start) - start));
    return ports::Rows{};
  }

  RunReport run_once() {
    RunnerDeps deps{
        [this](const std::optional<std::string>&) -> Result<std::unique_ptr<ports::SqlConnection>> {
          return std::make_unique<transcript::Forward>(conn_);
        },
        clock_,
        sleeper_,
        log_,
        nullptr,
        nullptr,
        [] { return 0.5; },
        [](const std::string&, std::int64_t) { return true; },
        {}};
    return run(policy_, plan_, config_, deps);
  }

  ports::RecordingSqlConnection conn_;
  ports::FakeClock clock_;
  ports::FakeSleeper sleeper_;  // does not advance the clock (transcript.h)
  std::ostringstream log_text_;
  RunLog log_{log_text_, LogFormat::kJson, LogLevel::kDebug, clock_};
  model::Policy policy_;
  plan::Plan plan_;
  RunConfig config_;
  std::string be_alive_ = "true";
  std::map<std::string, std::string> snapshots_;  // label → backup timestamp
  std::string server_label_;
  std::string server_status_ = "[OK]";
  std::vector<std::string> states_;
  int foreign_busy_ = 0;
};

TEST_F(RunnerTranscript, DailyIncrementalBindsTheChangedPartitions) {
  last_manifest();
  recorded_attempt();
  states_ = {"PENDING", "SNAPSHOTING", "SNAPSHOTING", "UPLOADING", "FINISHED"};
  const RunReport r = run_once();
  ASSERT_EQ(r.outcome, Outcome::kSuccess) << r.message << log_text_.str();
  transcript::expect_transcript(
      conn_, "runner_daily_incremental",
      "run: daily incremental of sales.orders, two of three partitions changed, FINISHED");
}

TEST_F(RunnerTranscript, BusyDatabaseIsRetriedUntilTheForeignJobEnds) {
  foreign_busy_ = 2;
  states_ = {"PENDING", "FINISHED"};
  const RunReport r = run_once();
  ASSERT_EQ(r.outcome, Outcome::kSuccess) << r.message << log_text_.str();
  transcript::expect_transcript(
      conn_, "runner_busy_database_retried",
      "run: BACKUP refused twice by a foreign job on sales, then accepted and FINISHED");
}

TEST_F(RunnerTranscript, CancelledJobIsRecordedWithTheServerStatus) {
  states_ = {"PENDING", "SNAPSHOTING", "CANCELLED"};
  server_status_ =
      "[COMMON_ERROR, msg: make snapshot failed. disk /data1 on backend 10001 exceed limit usage]";
  const RunReport r = run_once();
  ASSERT_EQ(r.outcome, Outcome::kJobFailed) << r.message << log_text_.str();
  transcript::expect_transcript(conn_, "runner_cancelled_job",
                                "run: the server cancels the BACKUP of sales (snapshot disk over its limit)");
}

TEST_F(RunnerTranscript, DeadBackendStopsTheRunBeforeAnySubmit) {
  be_alive_ = "false";
  const RunReport r = run_once();
  ASSERT_EQ(r.outcome, Outcome::kPrecheckFailed) << r.message << log_text_.str();
  transcript::expect_transcript(conn_, "runner_precheck_failed",
                                "run: backend 10001 is dead; nothing is submitted");
}

}  // namespace
}  // namespace sk::executor
