// Run-level decisions of the runner against a scripted connection (RecordingSqlConnection) with a fake clock and
// sleeper: intent before BACKUP, the done slot, another runner's job, bounded backoff on a foreign job, pre-check
// failures, cancelled jobs.
#include <gtest/gtest.h>

#include <set>

#include <sstream>

#include "compiler/driver/compile.h"
#include "runtime/alerts/recording_alert_port.h"
#include "runtime/executor/runner.h"
#include "runtime/ops/ops_store.h"
#include "runtime/ports/fakes.h"
#include "tests/kernel/domain/printers.h"

#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace sk::executor {
namespace {

using ports::make_rows;

// Hands out the one scripted connection to every "session".
class Forward final : public ports::SqlConnection {
 public:
  explicit Forward(ports::SqlConnection& inner) : inner_(inner) {}

 private:
  Result<ports::Rows> do_query(std::string_view sql, ports::Idempotency i) override { return inner_.query(sql, i); }
  Status do_execute(std::string_view sql, ports::Idempotency i) override { return inner_.execute(sql, i); }
  ports::SqlConnection& inner_;
};

class RunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    conn_.on_call("^SHOW VARIABLES LIKE 'time_zone'",
                  [this](std::string_view) { return make_rows({"Variable_name", "Value"}, {{"time_zone", zone_}}); });
    conn_.on_call("^SHOW FRONTENDS", [this](std::string_view) -> Result<ports::Rows> {
      // Columns in another order than 3.x prints them, plus a leading Id (pitfall 6: read by name).
      return make_rows({"Id", "Alive", "Name", "IP", "Role"},
                       {{"1", "true", "fe1", "127.0.0.1", "LEADER"}, {"2", follower_alive_, "fe2", "127.0.0.2", "FOLLOWER"}});
    });
    conn_.on_call("^SHOW BACKENDS", [this](std::string_view) -> Result<ports::Rows> {
      return make_rows({"BackendId", "IP", "Alive"}, {{"10001", "127.0.0.1", be_alive_}});
    });
    conn_.on_call("^SHOW PROC", [this](std::string_view) -> Result<ports::Rows> {
      return make_rows({"RootPath", "DataUsedCapacity", "AvailCapacity", "TotalCapacity"},
                       {{"/data1", "1.000 GB", avail_, "1.000 TB"}});
    });
    conn_.on_call("^SHOW REPOSITORIES", [this](std::string_view) -> Result<ports::Rows> {
      return make_rows({"RepoId", "RepoName", "IsReadOnly", "ErrMsg"}, {{"1", "repo", repo_read_only_, repo_err_}});
    });
    conn_.on_call("^SHOW SNAPSHOT", [this](std::string_view sql) -> Result<ports::Rows> {
      const bool by_label = sql.find("WHERE") != std::string_view::npos;
      if (by_label && snapshot_read_error_) {
        return std::unexpected(ports::server_error(1064, "HY000",
                                                   "Failed to list snapshot in repo: repo, err: Status Code: 503"));
      }
      std::vector<ports::Rows::Row> rows;
      if (by_label && sql.find("TIMESTAMP") != std::string_view::npos) {  // one backup: its Database
        for (const auto& [label, ts] : snapshots_) {
          if (sql.find("'" + label + "'") != std::string_view::npos)
            rows.push_back({label, ts, snapshot_database_, "{}", "OK"});
        }
        return make_rows({"Snapshot", "Timestamp", "Database", "Details", "Status"}, rows);
      }
      if (!by_label && stale_snapshot_list_) return make_rows({"Snapshot", "Timestamp", "Status"}, rows);
      for (const auto& [label, ts] : snapshots_) {
        if (sql.find("WHERE") == std::string_view::npos || sql.find("'" + label + "'") != std::string_view::npos) {
          rows.push_back({label, ts, ts.empty() ? "ERROR: no snapshot" : "OK"});
        }
      }
      return make_rows({"Snapshot", "Timestamp", "Status"}, rows);
    });
    conn_.on_call("FROM `ops`.`backup_history` WHERE `database_name`", [this](std::string_view sql) -> Result<ports::Rows> {
      const bool by_label = sql.find("`label` =") != std::string_view::npos;
      return make_rows({"attempt_id", "run_id", "label", "repository", "database_name", "tiers", "slot_utc",
                        "backup_kind", "objects", "state", "server_state", "job_id", "submit_tries",
                        "submitted_at_utc", "started_at_utc", "finished_at_utc", "error_text", "bytes",
                        "backup_timestamp", "updated_at_utc"},
                       by_label ? label_history_rows_ : history_rows_);
    });
    conn_.on_call("^SHOW BACKUP FROM", [this](std::string_view) -> Result<ports::Rows> {
      std::vector<ports::Rows::Row> rows;
      if (!server_label_.empty() && poll_failures_ > 0) {  // the FE is away while the job runs
        --poll_failures_;
        return std::unexpected(Error{std::string(ports::kConnectionError), "Lost connection to the FE", {}});
      }
      if (!server_label_.empty()) {
        std::string state = server_state_;
        if (!states_.empty()) {
          state = states_.front();
          if (states_.size() > 1) states_.erase(states_.begin());
          if (state == "FINISHED") snapshots_[server_label_] = "2025-09-14-09-00-05-123";
        }
        rows.push_back({"77", server_label_, "sales", state, "2025-09-14 09:00:00", std::nullopt, server_status_, ""});
      }
      return make_rows({"JobId", "SnapshotName", "DbName", "State", "CreateTime", "FinishedTime", "Status", "TaskErrMsg"},
                       rows);
    });
    conn_.on_call("partitions_meta", [this](std::string_view) -> Result<ports::Rows> {
      return make_rows({"TABLE_NAME", "PARTITION_NAME", "PARTITION_ID", "VISIBLE_VERSION", "VISIBLE_VERSION_UNIX"},
                       partitions_meta_);
    });
    conn_.on_call("^BACKUP SNAPSHOT", [this](std::string_view sql) -> Result<ports::Rows> {
      if (submit_lock_failures_ > 0) {
        --submit_lock_failures_;
        return std::unexpected(ports::server_error(
            1064, "HY000", "Another backup or restore job is being submitted. Please wait and try again"));
      }
      if (submit_connection_losses_ > 0) {  // the reply is lost; the server took it only when told so
        --submit_connection_losses_;
        if (lost_submit_was_taken_) {
          const auto at = sql.find("`sales`.`") + 9;
          server_label_ = std::string(sql.substr(at, sql.find('`', at) - at));
        }
        return std::unexpected(Error{std::string(ports::kConnectionError), "Lost connection during query", {}});
      }
      if (!busy_label_.empty()) {
        server_label_ = busy_label_;
        server_state_ = "SNAPSHOTING";
        return std::unexpected(
            ports::server_error(1064, "HY000", "Can only run one backup or restore job of a database at same time"));
      }
      const auto start = sql.find("`sales`.`") + 9;
      server_label_ = std::string(sql.substr(start, sql.find('`', start) - start));
      return ports::Rows{};
    });

    job_.satisfies = {job_.tier};
    job_.slot = clock_.now();
    job_.deadline = job_.slot + Duration::from_hours(2);
    job_.expires = job_.slot + Duration::from_days(14);
    job_.retain_from = job_.tier;
    job_.tables.push_back({TableName::parse("orders").value(), plan::TableScope::kChangedPartitions});
    job_.change_detection = model::ChangeDetection{};
    plan_.jobs.push_back(job_);
    config_.run_id = "run-1";
    config_.host = "h";
    config_.pid = 1;
    config_.parallel = 1;
    config_.busy_backoff.max_attempts = 3;
  }

  RunReport run_once() {
    RunnerDeps deps{[this](const std::optional<std::string>&) -> Result<std::unique_ptr<ports::SqlConnection>> {
                      return std::make_unique<Forward>(conn_);
                    },
                    clock_, sleeper_, log_, &alert_port_, nullptr,
                    [] { return 0.5; }, [](const std::string&, std::int64_t) { return true; },
                    [this](std::string_view step) { steps_.emplace_back(step); }};
    return run(policy_, plan_, config_, deps);
  }

  // The manifest the store reads back for the attempt (load_manifest), with the given data sizes.
  void manifest_sizes(const std::vector<std::optional<std::string>>& sizes) {
    std::vector<ports::Rows::Row> rows;
    int n = 0;
    for (const auto& size : sizes) {
      ++n;
      rows.push_back({"a1", "repo", "sales_20250914_inc", "sales", "orders", "p" + std::to_string(n),
                      std::to_string(10 + n), "3", std::nullopt, "1", size, std::nullopt, std::nullopt, std::nullopt,
                      "2025-09-14 09:00:00"});
    }
    conn_.on("FROM `ops`.`backup_manifest` WHERE `attempt_id`",
             make_rows({"attempt_id", "repository", "label", "database_name", "table_name", "partition_name",
                        "partition_id", "visible_version", "visible_version_time_utc", "row_count", "data_size",
                        "checksum_algorithm", "checksum", "checksum_row_count", "recorded_at_utc"},
                       rows));
  }

  std::size_t index_of(const std::string& pattern) const {
    const auto sql = conn_.sql();
    for (std::size_t i = 0; i < sql.size(); ++i) {
      if (sql[i].find(pattern) != std::string::npos) return i;
    }
    return sql.size();
  }

  ports::RecordingSqlConnection conn_;
  ports::FakeClock clock_;
  ports::FakeSleeper sleeper_{&clock_};
  std::ostringstream log_text_;
  RunLog log_{log_text_, LogFormat::kJson, LogLevel::kDebug, clock_};
  model::Policy policy_;
  plan::BackupJob job_{DatabaseName::parse("sales").value(), TierName::parse("daily").value(), {}, {}, {}, {}, {}, TierName::parse("daily").value(),
                       SnapshotLabel::parse("sales_20250914_inc").value(), RepositoryName::parse("repo").value()};
  plan::Plan plan_;
  RunConfig config_;
  alerts::RecordingAlertPort alert_port_;
  std::string zone_ = "UTC";  // SHOW VARIABLES LIKE 'time_zone'
  std::string be_alive_ = "true";
  std::string follower_alive_ = "true";
  std::string avail_ = "800.000 GB";
  std::optional<std::string> repo_err_;
  std::string repo_read_only_ = "false";
  std::map<std::string, std::string> snapshots_;  // label → timestamp ("" = partial)
  std::string snapshot_database_ = "sales";        // SHOW SNAPSHOT … AND TIMESTAMP: the Database column
  std::vector<ports::Rows::Row> partitions_meta_{{"orders", "p1", "11", "3", "1757811000"}};  // the tables that exist
  std::string server_label_;
  std::string server_state_ = "UPLOADING";
  std::string server_status_ = "[OK]";
  std::vector<std::string> states_;
  std::string busy_label_;
  int submit_lock_failures_ = 0;
  int poll_failures_ = 0;
  std::vector<std::string> steps_;
  // Issue 10 (items 3, 4, 19, 24, 27).
  std::vector<ports::Rows::Row> history_rows_;  // what load_backup_attempts reads for the database
  std::vector<ports::Rows::Row> label_history_rows_;  // … and for one label
  bool stale_snapshot_list_ = false;            // SHOW SNAPSHOT ON repo (the run's list) misses newer snapshots
  bool snapshot_read_error_ = false;            // SHOW SNAPSHOT … WHERE SNAPSHOT = … fails (repository unreachable)
  int submit_connection_losses_ = 0;
  bool lost_submit_was_taken_ = false;

  // A backup_history row of another run for this slot.
  void history_row(const std::string& run_id, const std::string& label, const std::string& state,
                   std::optional<std::string> ts = std::nullopt, bool by_label_only = false) {
    (by_label_only ? label_history_rows_ : history_rows_).push_back({"attempt-" + run_id, run_id, label, "repo", "sales", "daily", "2025-09-14 01:00:00",
                             "partitions", "[]", state, std::nullopt, "77", "1", std::nullopt, std::nullopt,
                             std::nullopt, std::nullopt, std::nullopt, std::move(ts), "2025-09-14 09:00:00"});
  }
};

TEST_F(RunnerTest, IntentAndManifestAreWrittenBeforeTheBackupAndTheJobIsPolledToTheEnd) {
  states_ = {"PENDING", "SNAPSHOTING", "UPLOADING", "FINISHED"};
  const RunReport r = run_once();
  ASSERT_EQ(r.outcome, Outcome::kSuccess) << r.message << log_text_.str();
  ASSERT_EQ(r.databases.size(), 1u);
  EXPECT_EQ(r.databases[0].label->str(), "sales_20250914_inc");
  EXPECT_EQ(r.databases[0].job_id, 77);
  EXPECT_EQ(r.databases[0].backup_timestamp, BackupTimestamp::from_server("2025-09-14-09-00-05-123"));
  EXPECT_EQ(conn_.count_matching("^BACKUP SNAPSHOT"), 1u);
  const auto backup = index_of("BACKUP SNAPSHOT");
  EXPECT_LT(index_of("INSERT INTO `ops`.`backup_history`"), backup);
  EXPECT_LT(index_of("INSERT INTO `ops`.`backup_manifest`"), backup);
  // Every partition of the job's tables (held or not), for restores that leave out dropped partitions.
  ASSERT_LT(index_of("INSERT INTO `ops`.`table_partition_set`"), backup);
  EXPECT_NE(conn_.sql()[index_of("INSERT INTO `ops`.`table_partition_set`")].find(R"('sales', 'orders', '[\"p1\"]')"),
            std::string::npos);
  EXPECT_EQ(conn_.count_matching("partitions_meta"), 1u);  // one query for the database
  // The label in SHOW BACKUP (bare) matched the label we chose (pitfall 1) and the end was recorded.
  EXPECT_GT(conn_.count_matching("UPDATE `ops`.`backup_history`.*FINISHED"), 0u) << log_text_.str();
  for (auto d : sleeper_.sleeps()) EXPECT_GE(d.count(), 1000);
  // JSON log lines carry the run id, database, label and job id.
  EXPECT_NE(log_text_.str().find("\"run_id\":\"run-1\""), std::string::npos);
  EXPECT_NE(log_text_.str().find("\"job_id\":77"), std::string::npos) << log_text_.str();
  EXPECT_NE(log_text_.str().find("\"label\":\"sales_20250914_inc\""), std::string::npos);
}

// Issue 10 item 2: the cluster's time_zone read as StarRocks reads it. SHOW BACKUP's CreateTime 09:00:00 in a
// UTC+8 cluster is 01:00:00Z, whether the zone is an offset, CST (StarRocks' alias of Asia/Shanghai) or, when the
// value is no zone StarRocks accepts, the offset the server reports; never UTC by default.
TEST_F(RunnerTest, ServerTimesAreReadInTheClustersZoneGivenAsAnOffsetOrAlias) {
  for (const std::string zone : {"+08:00", "CST", "Mars/Olympus"}) {
    conn_.clear_statements();
    zone_ = zone;
    if (zone == "Mars/Olympus") conn_.on("TIMESTAMPDIFF", make_rows({"utc_offset_seconds"}, {{"28800"}}));
    states_ = {"UPLOADING", "FINISHED"};
    const RunReport r = run_once();
    ASSERT_EQ(r.outcome, Outcome::kSuccess) << zone << ": " << r.message << log_text_.str();
    EXPECT_GT(conn_.count_matching("UPDATE `ops`.`backup_history`.*`started_at_utc` = '2025-09-14 01:00:00'"), 0u)
        << zone << "\n" << log_text_.str();
    EXPECT_EQ(conn_.count_matching("`started_at_utc` = '2025-09-14 09:00:00'"), 0u) << zone;
    states_.clear();
    server_label_.clear();
    snapshots_.clear();
  }
  EXPECT_NE(log_text_.str().find("\"event\":\"cluster.time_zone\""), std::string::npos) << log_text_.str();
  EXPECT_NE(log_text_.str().find("+08:00"), std::string::npos) << log_text_.str();
}

TEST_F(RunnerTest, AClusterZoneNeitherKnownNorReportedStopsTheRunBeforeAnySubmit) {
  zone_ = "Mars/Olympus";  // and the server answers no offset
  const RunReport r = run_once();
  EXPECT_EQ(r.outcome, Outcome::kPrecheckFailed) << log_text_.str();
  EXPECT_NE(r.message.find("Mars/Olympus"), std::string::npos) << r.message;
  EXPECT_EQ(conn_.count_matching("^BACKUP SNAPSHOT"), 0u);
}

// A finished snapshot of the slot that this cluster took (our server's SHOW BACKUP lists the job; the history of
// it was lost): done, and recorded.
TEST_F(RunnerTest, FinishedSnapshotOfTheSlotMeansNothingIsSubmitted) {
  snapshots_["sales_20250914_inc"] = "2025-09-14-09-00-05-123";
  server_label_ = "sales_20250914_inc";
  server_state_ = "FINISHED";
  const RunReport r = run_once();
  EXPECT_EQ(r.outcome, Outcome::kAlreadyHandled) << log_text_.str();
  EXPECT_EQ(conn_.count_matching("^BACKUP SNAPSHOT"), 0u);
}

// Issue 10 item 10: a finished snapshot with the slot's label that this cluster never sent (no attempt in its
// history, not in its SHOW BACKUP) is another cluster's sharing the repository: the slot is not done here; the
// next label is taken and a warning says why.
TEST_F(RunnerTest, AFinishedSnapshotAnotherClusterTookIsNotThisSlotsBackup) {
  snapshots_["sales_20250914_inc"] = "2025-09-14-09-00-05-123";
  states_ = {"PENDING", "FINISHED"};
  const RunReport r = run_once();
  EXPECT_EQ(r.outcome, Outcome::kSuccess) << log_text_.str();
  EXPECT_EQ(conn_.count_matching("^BACKUP SNAPSHOT `sales`.`sales_20250914_inc_r1`"), 1u) << log_text_.str();
  EXPECT_NE(log_text_.str().find("not this cluster's backup of sales"), std::string::npos) << log_text_.str();
  EXPECT_EQ(conn_.count_matching("INSERT INTO `ops`.`backup_history`.*recorded by reconciliation"), 0u);
}

// Issue 10 item 10: our attempt sent the label (and was cancelled), but the finished snapshot under it holds
// another database: not this slot's backup.
TEST_F(RunnerTest, AFinishedSnapshotOfAnotherDatabaseIsNotThisSlotsBackup) {
  snapshots_["sales_20250914_inc"] = "2025-09-14-09-00-05-123";
  snapshot_database_ = "crm";
  history_row("run-0", "sales_20250914_inc", "CANCELLED");
  states_ = {"PENDING", "FINISHED"};
  const RunReport r = run_once();
  EXPECT_EQ(r.outcome, Outcome::kSuccess) << log_text_.str();
  EXPECT_EQ(conn_.count_matching("^BACKUP SNAPSHOT `sales`.`sales_20250914_inc_r1`"), 1u) << log_text_.str();
  EXPECT_NE(log_text_.str().find("it holds database crm"), std::string::npos) << log_text_.str();
}

TEST_F(RunnerTest, CancelledEarlierAttemptMovesToTheNextRetryLabel) {
  snapshots_["sales_20250914_inc"] = "";  // partial directory left by a cancelled job
  server_label_ = "sales_20250914_inc";
  server_state_ = "CANCELLED";
  states_ = {"CANCELLED", "FINISHED"};  // SHOW before submit sees the old job; after submit ours
  const RunReport r = run_once();
  ASSERT_EQ(r.databases.size(), 1u);
  EXPECT_EQ(r.databases[0].label->str(), "sales_20250914_inc_r1") << log_text_.str();
  EXPECT_EQ(conn_.count_matching("BACKUP SNAPSHOT `sales`.`sales_20250914_inc_r1`"), 1u);
}

TEST_F(RunnerTest, BusyDatabaseWithOurSlotsLabelIsAnotherRunner) {
  busy_label_ = "sales_20250914_inc";  // another runner's BACKUP of the same slot got in first
  const RunReport r = run_once();
  EXPECT_EQ(r.outcome, Outcome::kAlreadyHandled) << log_text_.str();
  EXPECT_EQ(conn_.count_matching("^BACKUP SNAPSHOT"), 1u);
  EXPECT_TRUE(sleeper_.sleeps().empty());  // no backoff, no polling: the other runner owns the slot
  EXPECT_GT(conn_.count_matching("UPDATE `ops`.`backup_history`.*REJECTED"), 0u);
}

TEST_F(RunnerTest, ForeignJobIsRetriedWithBoundedBackoffThenConflict) {
  busy_label_ = "foreign_backup_1";
  const RunReport r = run_once();
  EXPECT_EQ(r.outcome, Outcome::kConflict) << log_text_.str();
  EXPECT_EQ(conn_.count_matching("^BACKUP SNAPSHOT"), 4u);  // first try + 3 retries
  ASSERT_EQ(sleeper_.sleeps().size(), 3u);
  EXPECT_LT(sleeper_.sleeps()[0], sleeper_.sleeps()[1]);
  EXPECT_LT(sleeper_.sleeps()[1], sleeper_.sleeps()[2]);
}

// Issue 10 item 5: a foreign job keeps the database busy for longer than stale_heartbeat (5 retries, 2 s doubling:
// 62 s of backoff on the run's clock; stale_heartbeat 10 s). The markers' heartbeat must keep moving all along, or
// another runner would judge this live run dead and reconcile its work. Before the fix only a wall-clock thread
// beat, which never fired during a backoff that (here) takes no real time.
TEST_F(RunnerTest, BusyBackoffLongerThanStaleHeartbeatKeepsTheMarkersFresh) {
  busy_label_ = "foreign_backup_1";
  config_.stale_heartbeat = std::chrono::seconds(10);
  config_.busy_backoff.max_attempts = 5;
  const Instant started = clock_.now();
  const RunReport r = run_once();
  EXPECT_EQ(r.outcome, Outcome::kConflict) << log_text_.str();
  ASSERT_GT(clock_.now() - started, Duration::from_seconds(60));  // the backoff really outlasted stale_heartbeat
  std::vector<Instant> beats{started};  // the marker is written when the run starts
  const std::string key = "SET `heartbeat_at_utc` = '";
  for (const auto& sql : conn_.sql()) {
    const auto at = sql.find(key);
    if (at == std::string::npos) continue;
    std::string text = sql.substr(at + key.size(), 19);  // 'yyyy-mm-dd hh:mm:ss', UTC
    text[10] = 'T';
    beats.push_back(Instant::parse(text + "Z", TimeZone::utc()).value());
  }
  ASSERT_GE(beats.size(), 6u) << log_text_.str();
  for (std::size_t i = 1; i < beats.size(); ++i) {
    EXPECT_LE((beats[i] - beats[i - 1]).seconds(), 10) << "heartbeat " << i;
  }
  EXPECT_LE((clock_.now() - beats.back()).seconds(), 10);
}

TEST_F(RunnerTest, SubmitLockContentionIsRetried) {
  submit_lock_failures_ = 2;
  states_ = {"PENDING", "FINISHED"};
  const RunReport r = run_once();
  EXPECT_EQ(r.outcome, Outcome::kSuccess) << log_text_.str();
  EXPECT_EQ(conn_.count_matching("^BACKUP SNAPSHOT"), 3u);
}

TEST_F(RunnerTest, AnFeOutageOfMoreThanThirtyPollsDoesNotEndTheRun) {
  // Issue 10 item 8: the old poller gave up after 30 consecutive failures (connection_failed) while the job went on.
  states_ = {"UPLOADING", "FINISHED"};
  poll_failures_ = 45;
  const RunReport r = run_once();
  EXPECT_EQ(r.outcome, Outcome::kSuccess) << log_text_.str();
  EXPECT_EQ(poll_failures_, 0);
  EXPECT_GT(conn_.count_matching("^SHOW BACKUP FROM"), 45u);
  EXPECT_GE(conn_.count_matching("UPDATE `ops`.`backup_history`.*FINISHED"), 1u) << log_text_.str();
}

TEST_F(RunnerTest, DeadBackendFailsThePrecheckBeforeAnySubmit) {
  be_alive_ = "false";
  const RunReport r = run_once();
  EXPECT_EQ(r.outcome, Outcome::kPrecheckFailed);
  EXPECT_NE(r.message.find("backend 10001 is not alive"), std::string::npos) << r.message;
  EXPECT_EQ(conn_.count_matching("^BACKUP SNAPSHOT"), 0u);
  ASSERT_FALSE(alert_port_.alerts().empty());
  EXPECT_EQ(alert_port_.alerts().back().kind, model::AlertCondition::Kind::kPrecheckFailed);
}

TEST_F(RunnerTest, DeadFrontendFailsThePrecheckBeforeAnySubmit) {
  follower_alive_ = "false";
  const RunReport r = run_once();
  EXPECT_EQ(r.outcome, Outcome::kPrecheckFailed);
  EXPECT_NE(r.message.find("frontend fe2 is not alive"), std::string::npos) << r.message;
  EXPECT_NE(r.message.find("restart it"), std::string::npos) << r.message;  // how to fix it
  EXPECT_EQ(conn_.count_matching("^BACKUP SNAPSHOT"), 0u);
  ASSERT_FALSE(alert_port_.alerts().empty());
  EXPECT_EQ(alert_port_.alerts().back().kind, model::AlertCondition::Kind::kPrecheckFailed);
}

TEST_F(RunnerTest, LowSnapshotDiskFailsThePrecheckAndAlerts) {
  avail_ = "100.000 GB";  // ~9.8 % of 1 TB < 15 %
  const RunReport r = run_once();
  EXPECT_EQ(r.outcome, Outcome::kPrecheckFailed);
  EXPECT_EQ(conn_.count_matching("^BACKUP SNAPSHOT"), 0u);
  bool disk_alert = false;
  for (const auto& a : alert_port_.alerts()) disk_alert = disk_alert || a.kind == model::AlertCondition::Kind::kDiskFreeBelow;
  EXPECT_TRUE(disk_alert);
}

// Issue 13: the pre-check's disk reading is in the report (for run --metrics-file), also when it fails.
TEST_F(RunnerTest, ThePrechecksDiskReadingIsReported) {
  avail_ = "100.000 GB";
  const RunReport low = run_once();
  ASSERT_EQ(low.disks.size(), 1u);
  EXPECT_EQ(low.disks[0].backend, 10001);
  EXPECT_NEAR(low.disks[0].free_ratio, 100.0 / 1024.0, 1e-9);  // 100 GB of 1 TB (powers of 1024)
  EXPECT_TRUE(low.disks_read_at.has_value());
  EXPECT_TRUE(alert_port_.resolutions().empty() ||
              alert_port_.resolutions().back().kind != model::AlertCondition::Kind::kDiskFreeBelow)
      << "a low disk is not resolved";
}

// Issue 13 item 4: a good run tells the alert port what is over: the backend's disks, the repository, the
// pre-checks, and the database's tier once its backup FINISHED.
TEST_F(RunnerTest, AGoodRunResolvesWhatIsOver) {
  states_ = {"PENDING", "UPLOADING", "FINISHED"};
  const RunReport r = run_once();
  ASSERT_EQ(r.outcome, Outcome::kSuccess) << r.message << log_text_.str();
  std::set<model::AlertCondition::Kind> kinds;
  bool tier_resolved = false;
  for (const auto& a : alert_port_.resolutions()) {
    kinds.insert(a.kind);
    if (a.kind == model::AlertCondition::Kind::kJobState) {
      tier_resolved = a.context.database && a.context.database->str() == "sales" && a.context.tier &&
                      a.context.tier->str() == "daily" && !a.context.label;
    }
  }
  EXPECT_TRUE(kinds.contains(model::AlertCondition::Kind::kDiskFreeBelow));
  EXPECT_TRUE(kinds.contains(model::AlertCondition::Kind::kRepositoryUnreachable));
  EXPECT_TRUE(kinds.contains(model::AlertCondition::Kind::kPrecheckFailed));
  EXPECT_TRUE(kinds.contains(model::AlertCondition::Kind::kOverrun));
  EXPECT_TRUE(tier_resolved) << "job state resolved by database and tier, without the label";
}

TEST_F(RunnerTest, UnhealthyRepositoryIsARepositoryError) {
  repo_err_ = "2025-09-14 09:00:00: failed to check path exist (Service: S3, Status Code: 503)";
  const RunReport r = run_once();
  EXPECT_EQ(r.outcome, Outcome::kRepositoryError);
  EXPECT_EQ(conn_.count_matching("^BACKUP SNAPSHOT"), 0u);
  EXPECT_GT(conn_.count_matching("INSERT INTO `ops`.`backup_history`.*REJECTED"), 0u);
}

TEST_F(RunnerTest, ReadOnlyRepositoryIsARepositoryErrorBeforeAnySubmit) {
  repo_read_only_ = "true";
  const RunReport r = run_once();
  EXPECT_EQ(r.outcome, Outcome::kRepositoryError);
  EXPECT_NE(r.message.find("repository repo is read only"), std::string::npos) << r.message;
  EXPECT_EQ(conn_.count_matching("^BACKUP SNAPSHOT"), 0u);
  EXPECT_GT(conn_.count_matching("INSERT INTO `ops`.`backup_history`.*REJECTED"), 0u);
}

TEST_F(RunnerTest, CancelledJobRecordsTheServerStatus) {
  states_ = {"PENDING", "CANCELLED"};
  server_status_ = "[COMMON_ERROR, msg: make snapshot failed. disk /data1 on backend 10001 exceed limit usage]";
  const RunReport r = run_once();
  EXPECT_EQ(r.outcome, Outcome::kJobFailed);
  EXPECT_GT(conn_.count_matching("UPDATE `ops`.`backup_history`.*CANCELLED.*exceed limit usage"), 0u);
  ASSERT_FALSE(alert_port_.alerts().empty());
  EXPECT_EQ(alert_port_.alerts().back().context.job_state,
            alerts::AlertJobState::server(jobs::JobState::kCancelled));
}

TEST_F(RunnerTest, NoChangedPartitionMeansNothingDue) {
  conn_.on("backup_manifest.*INNER JOIN",
           make_rows({"table_name", "partition_name", "partition_id", "visible_version"}, {{"orders", "p1", "11", "3"}}));
  // Added after the fixture rules, but no fixture rule matches the manifest query.
  const RunReport r = run_once();
  EXPECT_EQ(r.outcome, Outcome::kNothingDue) << log_text_.str();
  EXPECT_EQ(conn_.count_matching("^BACKUP SNAPSHOT"), 0u);
}

TEST_F(RunnerTest, InterruptedBeforeSubmitSubmitsNothing) {
  std::atomic<bool> stop{true};
  RunnerDeps deps{[this](const std::optional<std::string>&) -> Result<std::unique_ptr<ports::SqlConnection>> {
                    return std::make_unique<Forward>(conn_);
                  },
                  clock_, sleeper_, log_, {}, &stop, [] { return 0.5; }, {}};
  const RunReport r = run(policy_, plan_, config_, deps);
  EXPECT_EQ(r.outcome, Outcome::kInterrupted);
  EXPECT_EQ(conn_.count_matching("^BACKUP SNAPSHOT"), 0u);
}

TEST_F(RunnerTest, DryRunWritesNothingAndSubmitsNothing) {
  config_.dry_run = true;
  const RunReport r = run_once();
  EXPECT_EQ(r.outcome, Outcome::kSuccess) << log_text_.str();
  ASSERT_EQ(r.databases.size(), 1u);
  EXPECT_NE(r.databases[0].message.find("BACKUP SNAPSHOT `sales`.`sales_20250914_inc` TO `repo` ON (`orders` PARTITION (`p1`))"),
            std::string::npos)
      << r.databases[0].message;
  EXPECT_EQ(conn_.count_matching("^BACKUP SNAPSHOT"), 0u);
  EXPECT_EQ(conn_.count_matching("^(INSERT|UPDATE|CREATE)"), 0u);
}

TEST_F(RunnerTest, JobRunningPastItsWindowAlertsOnce) {
  plan_.at = clock_.now();
  plan_.jobs[0].deadline = clock_.now() + Duration::from_seconds(2);  // the window ends while the job runs
  states_ = {"PENDING", "SNAPSHOTING", "UPLOADING", "UPLOADING", "UPLOADING", "UPLOADING", "FINISHED"};
  const RunReport r = run_once();
  EXPECT_EQ(r.outcome, Outcome::kSuccess) << log_text_.str();
  int overruns = 0;
  for (const auto& a : alert_port_.alerts()) overruns += a.kind == model::AlertCondition::Kind::kOverrun;
  EXPECT_EQ(overruns, 1);
}

// Issue 10 item 9: the window is not the server-side timeout. The BACKUP carries the tier's timeout (default
// 24h, StarRocks' own default), so a slow but healthy job is not cancelled by the server at the window's end.
TEST_F(RunnerTest, TheBackupCarriesTheTiersTimeoutNotItsWindow) {
  states_ = {"PENDING", "FINISHED"};
  const RunReport r = run_once();
  ASSERT_EQ(r.outcome, Outcome::kSuccess) << log_text_.str();
  EXPECT_EQ(conn_.count_matching("^BACKUP SNAPSHOT .*'timeout' = '86400'"), 1u) << conn_.sql().front();
  EXPECT_EQ(conn_.count_matching("^BACKUP SNAPSHOT .*'timeout' = '7200'"), 0u);
}

// on_overrun = alert (the default): the job still running at the window's end is alerted once and followed to
// FINISHED; nothing is cancelled.
TEST_F(RunnerTest, ASlowJobPastItsWindowRunsOnToFinishedByDefault) {
  plan_.at = clock_.now();
  plan_.jobs[0].deadline = clock_.now() + Duration::from_seconds(2);
  states_ = {"PENDING", "UPLOADING", "UPLOADING", "UPLOADING", "UPLOADING", "UPLOADING", "FINISHED"};
  const RunReport r = run_once();
  EXPECT_EQ(r.outcome, Outcome::kSuccess) << log_text_.str();
  EXPECT_EQ(conn_.count_matching("^CANCEL BACKUP"), 0u);
  int overruns = 0;
  for (const auto& a : alert_port_.alerts()) overruns += a.kind == model::AlertCondition::Kind::kOverrun;
  EXPECT_EQ(overruns, 1);
}

// on_overrun = cancel: at the window's end the overrun is alerted, then our job (the database's current one) is
// cancelled; the history row says why.
TEST_F(RunnerTest, OnOverrunCancelCancelsOurJobAtTheWindowsEnd) {
  plan_.at = clock_.now();
  plan_.jobs[0].deadline = clock_.now() + Duration::from_seconds(2);
  plan_.jobs[0].on_overrun = model::OverrunAction::kCancel;
  states_ = std::vector<std::string>(50, "UPLOADING");
  conn_.on_call("^CANCEL BACKUP FROM `sales`", [this](std::string_view) -> Result<ports::Rows> {
    states_ = {"CANCELLED"};
    server_status_ = "[COMMON_ERROR, msg: user cancelled]";
    return ports::Rows{};
  });
  const RunReport r = run_once();
  EXPECT_EQ(r.outcome, Outcome::kJobFailed) << log_text_.str();
  EXPECT_EQ(conn_.count_matching("^CANCEL BACKUP FROM `sales`"), 1u);
  EXPECT_GT(conn_.count_matching("UPDATE `ops`.`backup_history`.*CANCELLED.*on_overrun = cancel"), 0u);
  int overruns = 0;
  for (const auto& a : alert_port_.alerts()) overruns += a.kind == model::AlertCondition::Kind::kOverrun;
  EXPECT_EQ(overruns, 1);
  ASSERT_EQ(r.databases.size(), 1u);
  EXPECT_NE(r.databases[0].message.find("on_overrun = cancel"), std::string::npos) << r.databases[0].message;
}

// Issue 10 item 15: a table of the job dropped after the inventory was written is left out of the BACKUP and
// reported; the database's other table is backed up and the run succeeds.
TEST_F(RunnerTest, ADroppedTableIsReportedNotFatalToItsDatabase) {
  plan_.jobs[0].tables.push_back({TableName::parse("dim_store").value(), plan::TableScope::kWholeTable});
  states_ = {"PENDING", "FINISHED"};
  const RunReport r = run_once();
  EXPECT_EQ(r.outcome, Outcome::kSuccess) << log_text_.str();
  EXPECT_EQ(conn_.count_matching("^BACKUP SNAPSHOT `sales`.`sales_20250914_inc` TO `repo` ON \\(`orders` "
                                 "PARTITION \\(`p1`\\)\\)"),
            1u)
      << log_text_.str();
  EXPECT_EQ(conn_.count_matching("^BACKUP SNAPSHOT .*dim_store"), 0u);
  ASSERT_EQ(r.databases.size(), 1u);
  EXPECT_EQ(r.databases[0].dropped_tables, std::vector<std::string>{"sales.dim_store"});
  EXPECT_NE(r.databases[0].message.find("not backed up (dropped from the cluster): sales.dim_store"),
            std::string::npos)
      << r.databases[0].message;
  EXPECT_NE(log_text_.str().find("job.table_dropped"), std::string::npos) << log_text_.str();
}

// Every table of the job is gone: nothing to back up (exit 10), said so.
TEST_F(RunnerTest, AJobWhoseTablesWereAllDroppedIsSkipped) {
  plan_.jobs[0].tables = {{TableName::parse("dim_store").value(), plan::TableScope::kWholeTable}};
  const RunReport r = run_once();
  EXPECT_EQ(r.outcome, Outcome::kNothingDue) << log_text_.str();
  EXPECT_EQ(conn_.count_matching("^BACKUP SNAPSHOT"), 0u);
  ASSERT_EQ(r.databases.size(), 1u);
  EXPECT_NE(r.databases[0].message.find("every table of the job was dropped"), std::string::npos)
      << r.databases[0].message;
}

TEST_F(RunnerTest, TestPausePointsArePassedInOrder) {
  states_ = {"PENDING", "UPLOADING", "FINISHED"};
  const RunReport r = run_once();
  ASSERT_EQ(r.outcome, Outcome::kSuccess) << log_text_.str();
  EXPECT_EQ(steps_, (std::vector<std::string>{"marked", "intent", "submitted", "polling", "finished"}));
}

TEST_F(RunnerTest, BytesOfAFinishedBackupAreTheManifestsDataSizeSum) {
  manifest_sizes({"100", "250"});
  states_ = {"PENDING", "FINISHED"};
  const RunReport r = run_once();
  ASSERT_EQ(r.outcome, Outcome::kSuccess) << log_text_.str();
  EXPECT_EQ(conn_.count_matching("UPDATE `ops`.`backup_history` SET .*FINISHED.*`bytes` = 350"), 1u) << log_text_.str();
}

TEST_F(RunnerTest, BytesStayUnknownWhenAPartitionHasNoSize) {
  manifest_sizes({"100", std::nullopt});
  states_ = {"PENDING", "FINISHED"};
  const RunReport r = run_once();
  ASSERT_EQ(r.outcome, Outcome::kSuccess) << log_text_.str();
  EXPECT_GT(conn_.count_matching("UPDATE `ops`.`backup_history` SET .*FINISHED"), 0u);
  EXPECT_EQ(conn_.count_matching("UPDATE `ops`.`backup_history` SET .*`bytes`"), 0u);
}

TEST_F(RunnerTest, FingerprintFailureIsAWarningAndNeverChangesTheOutcome) {
  conn_.on_error("information_schema.columns", ports::server_error(1064, "HY000", "Access denied for columns"));
  conn_.on("FROM `ops`.`backup_history` WHERE .*`label` =",
           make_rows({"attempt_id", "run_id", "label", "repository", "database_name", "tiers", "slot_utc", "backup_kind", "objects",
                      "state", "server_state", "job_id", "submit_tries", "submitted_at_utc", "started_at_utc",
                      "finished_at_utc", "error_text", "bytes", "backup_timestamp", "updated_at_utc"},
                     {{"a1", "run-1", "sales_20250914_inc", "repo", "sales", "daily", "2025-09-14 01:00:00", "partitions",
                       "[]", "FINISHED", "FINISHED", "77", "1", std::nullopt, std::nullopt, std::nullopt, std::nullopt,
                       std::nullopt, "2025-09-14-09-00-05-123", "2025-09-14 09:00:00"}}));
  manifest_sizes({"100"});  // p1 of orders at version 3, as partitions_meta still says: fingerprinted
  states_ = {"PENDING", "FINISHED"};
  const RunReport r = run_once();
  EXPECT_EQ(r.outcome, Outcome::kSuccess) << log_text_.str();
  EXPECT_EQ(r.databases.at(0).outcome, Outcome::kSuccess);
  EXPECT_GT(conn_.count_matching("information_schema.columns"), 0u) << log_text_.str();  // it got that far
  EXPECT_NE(log_text_.str().find("cannot record the snapshot's fingerprints"), std::string::npos) << log_text_.str();
  EXPECT_NE(log_text_.str().find("Access denied for columns"), std::string::npos);
  EXPECT_EQ(conn_.count_matching("INSERT INTO `ops`.`backup_manifest`.*murmur"), 0u);
}

// The window is measured on the plan's timeline (--at plus the run's own duration): a run for an instant in the
// past (catch-up, simulations) does not report every job as overrunning because the wall clock is far ahead.
TEST_F(RunnerTest, RunForAPastInstantDoesNotSeeEveryJobOverrun) {
  plan_.at = clock_.now() + Duration::from_seconds(300);  // 5 min after the slot, window 2 h
  clock_.advance(std::chrono::hours(24 * 400));             // the wall clock is more than a year later
  states_ = {"PENDING", "SNAPSHOTING", "UPLOADING", "UPLOADING", "FINISHED"};
  const RunReport r = run_once();
  EXPECT_EQ(r.outcome, Outcome::kSuccess) << log_text_.str();
  for (const auto& a : alert_port_.alerts()) EXPECT_NE(a.kind, model::AlertCondition::Kind::kOverrun) << a.context.detail;
}

// Issue 10 item 24: the slot's job FINISHED on the server while the runner that owns it has not recorded it yet
// (its row is RUNNING). A late runner must not write a second FINISHED row for the same snapshot: the owner's
// fingerprints would then go to a row without a manifest.
TEST_F(RunnerTest, LateRunnerWritesNoSecondRowForASnapshotAnotherAttemptOwns) {
  server_label_ = "sales_20250914_inc";
  server_state_ = "FINISHED";
  snapshots_["sales_20250914_inc"] = "2025-09-14-09-00-05-123";
  history_row("run-0", "sales_20250914_inc", "RUNNING");
  const RunReport r = run_once();
  EXPECT_EQ(r.outcome, Outcome::kAlreadyHandled) << log_text_.str();
  EXPECT_EQ(conn_.count_matching("^BACKUP SNAPSHOT"), 0u);
  EXPECT_EQ(conn_.count_matching("INSERT INTO `ops`.`backup_history`"), 0u) << log_text_.str();
}

// Issue 10 item 24: the owner fingerprints ITS attempt's manifest (by attempt id), whatever other rows carry the
// label.
TEST_F(RunnerTest, FingerprintsAreRecordedForTheAttemptThatOwnsTheJob) {
  // Another run's FINISHED row with the same label appears (newest first) only after we decided to submit.
  history_row("run-0", "sales_20250914_inc", "FINISHED", "2025-09-14-09-00-05-123", /*by_label_only=*/true);
  states_ = {"PENDING", "FINISHED"};
  manifest_sizes({"100"});
  const RunReport r = run_once();
  ASSERT_EQ(r.outcome, Outcome::kSuccess) << log_text_.str();
  const std::string ours = ops::BackupAttempt{"run-1", SnapshotLabel::parse("sales_20250914_inc").value(),
                                              RepositoryName::parse("repo").value(),
                                              DatabaseName::parse("sales").value()}
                               .attempt_id();
  EXPECT_GT(conn_.count_matching("FROM `ops`.`backup_manifest` WHERE `attempt_id` = '" + ours + "'"), 0u)
      << log_text_.str();
  EXPECT_EQ(conn_.count_matching("FROM `ops`.`backup_manifest` WHERE `attempt_id` = 'attempt-run-0'"), 0u);
}

// Issue 10 item 3: our own FINISHED attempt of the slot is DONE, even when the run's snapshot list is older than
// it and the database's current job is another tier's: no `_r1` for a slot already finished.
TEST_F(RunnerTest, OurFinishedAttemptMakesTheSlotDoneWithAStaleSnapshotList) {
  stale_snapshot_list_ = true;
  server_label_ = "sales_20250914_weekly";
  server_state_ = "FINISHED";
  history_row("run-0", "sales_20250914_inc", "FINISHED", "2025-09-14-09-00-05-123");
  const RunReport r = run_once();
  EXPECT_EQ(r.outcome, Outcome::kAlreadyHandled) << log_text_.str();
  EXPECT_EQ(conn_.count_matching("^BACKUP SNAPSHOT"), 0u) << log_text_.str();
  ASSERT_EQ(r.databases.size(), 1u);
  EXPECT_EQ(r.databases[0].backup_timestamp, BackupTimestamp::from_server("2025-09-14-09-00-05-123"));
}

// Issue 10 item 3: what the decision depends on is refreshed: a label an attempt carries (here RUNNING, its run
// still recording) is looked up again in the repository, which now has it OK.
TEST_F(RunnerTest, ALabelSomeAttemptCarriesIsLookedUpAgainBeforeDeciding) {
  stale_snapshot_list_ = true;
  snapshots_["sales_20250914_inc"] = "2025-09-14-09-00-05-123";
  server_label_ = "sales_20250914_weekly";
  server_state_ = "UPLOADING";
  history_row("run-0", "sales_20250914_inc", "RUNNING");
  const RunReport r = run_once();
  EXPECT_EQ(r.outcome, Outcome::kAlreadyHandled) << log_text_.str();
  EXPECT_EQ(conn_.count_matching("^BACKUP SNAPSHOT"), 0u) << log_text_.str();
  EXPECT_EQ(conn_.count_matching("SHOW SNAPSHOT ON `repo` WHERE SNAPSHOT = 'sales_20250914_inc'$"), 1u);
}

// Issues 10 items 4 and 19: the connection drops while the BACKUP is sent, the server did take it, and the next
// SHOW BACKUP fails too. The attempt is never REJECTED on a guess: the job is found by its label and followed.
TEST_F(RunnerTest, ConnectionLostAtSubmitFollowsTheJobTheServerTook) {
  submit_connection_losses_ = 1;
  lost_submit_was_taken_ = true;
  poll_failures_ = 2;
  states_ = {"UPLOADING", "FINISHED"};
  const RunReport r = run_once();
  EXPECT_EQ(r.outcome, Outcome::kSuccess) << log_text_.str();
  EXPECT_EQ(conn_.count_matching("^BACKUP SNAPSHOT"), 1u);
  EXPECT_EQ(conn_.count_matching("REJECTED"), 0u) << log_text_.str();
  EXPECT_EQ(conn_.count_matching("UPDATE `ops`.`backup_history`.*FINISHED"), 1u) << log_text_.str();
}

// Issues 10 items 4 and 19: the connection drops before the server took the BACKUP. Once the server has answered
// (no job with our label after the visibility grace, no snapshot), the statement is sent again under the SAME
// attempt and manifest.
TEST_F(RunnerTest, ConnectionLostBeforeTheServerTookItResendsUnderTheSameAttempt) {
  submit_connection_losses_ = 1;
  states_ = {"UPLOADING", "FINISHED"};
  const RunReport r = run_once();
  EXPECT_EQ(r.outcome, Outcome::kSuccess) << log_text_.str();
  EXPECT_EQ(conn_.count_matching("^BACKUP SNAPSHOT `sales`.`sales_20250914_inc` "), 2u) << log_text_.str();
  EXPECT_EQ(conn_.count_matching("INSERT INTO `ops`.`backup_history`"), 1u);  // one attempt
  EXPECT_EQ(conn_.count_matching("INSERT INTO `ops`.`backup_manifest`"), 1u);
  EXPECT_EQ(conn_.count_matching("REJECTED"), 0u) << log_text_.str();
  EXPECT_EQ(conn_.count_matching("UPDATE `ops`.`backup_history`.*FINISHED"), 1u);
}

// Issue 10 item 27: the job FINISHED while the repository cannot be read: the row is never FINISHED with a NULL
// backup_timestamp; it stays unsettled (RUNNING, server state FINISHED) for reconciliation, with a repository alert.
TEST_F(RunnerTest, FinishedJobWhoseTimestampCannotBeReadStaysUnsettled) {
  states_ = {"UPLOADING", "FINISHED"};
  snapshot_read_error_ = true;
  const RunReport r = run_once();
  EXPECT_EQ(r.outcome, Outcome::kRepositoryError) << log_text_.str();
  EXPECT_EQ(conn_.count_matching("UPDATE `ops`.`backup_history` SET `state` = 'FINISHED'"), 0u) << log_text_.str();
  EXPECT_GT(conn_.count_matching("UPDATE `ops`.`backup_history` SET `state` = 'RUNNING', `server_state` = 'FINISHED'"),
            0u)
      << log_text_.str();
  ASSERT_FALSE(alert_port_.alerts().empty());
  EXPECT_EQ(alert_port_.alerts().back().kind, model::AlertCondition::Kind::kRepositoryUnreachable);
}

// Issue 10 item 17 / issue 11 item 8: two tiers due together that do not cover each other run one after another,
// the higher precedence first (docs/language.md) — here 'weekly' (precedence 10) before 'daily' (0), the opposite of
// their names' order. The plan comes from the compiler, as `starkeep run` makes it.
TEST_F(RunnerTest, CoincidingTiersRunInDecreasingPrecedenceNotByName) {
  const diag::SourceFile policy("precedence.skp", R"(policy "precedence" {
  timezone  = "UTC"
  databases = ["sales"]
  repository "repo" { location = "s3a://bucket/prefix"; endpoint = "https://s3.example.com" }
  tier "daily" {
    backup = changed_partitions; include = tables where class == "fact" and partitioned
    schedule = daily at 01:00; retain = 14d; window = 2h
  }
  tier "weekly" {
    backup = tables; include = tables where class == "dimension" or not partitioned
    schedule = sun at 01:00; retain = 90d; window = 4h; precedence = 10
  }
})");
  const diag::SourceFile inventory("inventory.json", R"({"inventory_version": 1, "tables": [
    {"database": "sales", "table": "orders", "class": "fact", "partitioned": true,
     "partitions": [{"name": "p1", "id": 11, "visible_version": 3}]},
    {"database": "sales", "table": "stores", "class": "dimension", "partitioned": false,
     "partitions": [{"name": "stores", "id": 12, "visible_version": 2}]}]})");
  const driver::Compilation c = driver::compile({&policy, &inventory, CivilDay(2025, 9, 14)});
  ASSERT_FALSE(c.has_errors()) << diag::render_text(policy, c.policy_diagnostics.diagnostics())
                               << diag::render_text(inventory, c.inventory_diagnostics.diagnostics());
  policy_ = *c.policy;
  plan_ = driver::plan_at(c, clock_.now() + Duration::from_minutes(5));  // Sunday 2025-09-14 01:05Z
  ASSERT_EQ(plan_.jobs.size(), 2u);
  partitions_meta_.push_back({"stores", "stores", "12", "2", "1757811000"});
  states_ = {"FINISHED"};
  const RunReport r = run_once();
  ASSERT_EQ(r.outcome, Outcome::kSuccess) << r.message << log_text_.str();
  ASSERT_EQ(conn_.count_matching("^BACKUP SNAPSHOT"), 2u);
  const auto weekly = index_of("BACKUP SNAPSHOT `sales`.`sales_20250914_full`");
  const auto daily = index_of("BACKUP SNAPSHOT `sales`.`sales_20250914_inc`");
  ASSERT_LT(daily, conn_.sql().size());
  EXPECT_LT(weekly, daily) << "the weekly (precedence 10) must be sent before the daily (precedence 0)";
}

}  // namespace
}  // namespace sk::executor
