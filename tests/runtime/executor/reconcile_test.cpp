// Reconciliation decisions (invariant 3, pitfall 10) against a scripted connection: a SUBMITTING/RUNNING row of a
// dead run is settled from SHOW BACKUP / SHOW SNAPSHOT; a live run's row is left alone.
#include <gtest/gtest.h>

#include <sstream>

#include "runtime/executor/runner.h"
#include "runtime/ports/fakes.h"

namespace sk::executor {
namespace {

using ports::make_rows;

class ReconcileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    conn_.on("^SHOW VARIABLES LIKE 'time_zone'", make_rows({"Variable_name", "Value"}, {{"time_zone", "UTC"}}));
    conn_.on_call("FROM `ops`.`backup_history` WHERE `state` IN", [this](std::string_view) -> Result<ports::Rows> {
      return make_rows({"attempt_id", "run_id", "label", "repository", "database_name", "tiers", "slot_utc",
                        "backup_kind", "objects", "state", "server_state", "job_id", "submit_tries",
                        "submitted_at_utc", "started_at_utc", "finished_at_utc", "error_text", "bytes",
                        "backup_timestamp", "updated_at_utc"},
                       {{"x", "dead-run", "sales_20250914_inc", "repo", "sales", "daily", "2025-09-14 01:00:00",
                         "partitions", "[]", row_state_, std::nullopt, std::nullopt, "1", std::nullopt, std::nullopt,
                         std::nullopt, std::nullopt, std::nullopt, std::nullopt, "2025-09-14 01:00:00"}});
    });
    conn_.on_call("FROM `ops`.`run_status`", [this](std::string_view) -> Result<ports::Rows> {
      std::vector<ports::Rows::Row> rows;
      if (marker_) {
        rows.push_back({"dead-run", "sales", "slot", "h", "4242", "ACTIVE", "2025-09-14 01:00:00",
                        "2025-09-14 01:00:00", std::nullopt, marker_start_});
      }
      return make_rows({"run_id", "database_name", "slot", "host", "pid", "state", "started_at_utc",
                        "heartbeat_at_utc", "finished_at_utc", "process_start"},
                       rows);
    });
    conn_.on_call("^SHOW BACKUP FROM", [this](std::string_view) -> Result<ports::Rows> {
      std::vector<ports::Rows::Row> rows;
      if (!server_state_.empty()) {
        rows.push_back({"9", "sales_20250914_inc", "sales", server_state_, "2025-09-14 09:00:00", "2025-09-14 09:10:00",
                        server_status_, ""});
      }
      return make_rows({"JobId", "SnapshotName", "DbName", "State", "CreateTime", "FinishedTime", "Status", "TaskErrMsg"},
                       rows);
    });
    conn_.on_call("^SHOW SNAPSHOT", [this](std::string_view) -> Result<ports::Rows> {
      if (repository_unreadable_) {
        return std::unexpected(ports::server_error(1064, "HY000",
                                                   "Failed to list snapshot in repo: repo, err: Status Code: 503"));
      }
      std::vector<ports::Rows::Row> rows;
      if (!snapshot_ts_.empty()) rows.push_back({"sales_20250914_inc", snapshot_ts_, "OK"});
      return make_rows({"Snapshot", "Timestamp", "Status"}, rows);
    });
    config_.run_id = "me";
    config_.host = "h";
  }

  Result<int> reconcile_once() {
    RunnerDeps deps{{}, clock_, sleeper_, log_, {}, nullptr, {},
                    [this](const std::string&, std::int64_t) { return process_alive_; }, {}};
    if (live_start_) deps.process_start = [this](std::int64_t) { return live_start_; };
    return reconcile(conn_, config_, deps);
  }

  ports::RecordingSqlConnection conn_;
  ports::FakeClock clock_;
  ports::FakeSleeper sleeper_{&clock_};
  std::ostringstream log_text_;
  RunLog log_{log_text_, LogFormat::kText, LogLevel::kDebug, clock_};
  RunConfig config_;
  std::string row_state_ = "RUNNING";
  bool marker_ = true;
  bool process_alive_ = false;
  std::optional<std::string> marker_start_;  // run_status.process_start of the marker
  std::optional<std::string> live_start_;    // the start identity of the live process with the marker's pid
  std::string server_state_;
  std::string server_status_ = "[OK]";
  std::string snapshot_ts_;
  bool repository_unreadable_ = false;
};

TEST_F(ReconcileTest, FinishedJobOfADeadRunBecomesFinishedWithItsTimestamp) {
  server_state_ = "FINISHED";
  snapshot_ts_ = "2025-09-14-09-10-00-001";
  auto n = reconcile_once();
  ASSERT_TRUE(n) << n.error().describe();
  EXPECT_EQ(*n, 1);
  EXPECT_EQ(conn_.count_matching("UPDATE `ops`.`backup_history`.*FINISHED.*2025-09-14-09-10-00-001"), 1u)
      << log_text_.str();
  // The dead run's advisory marker is released.
  EXPECT_EQ(conn_.count_matching("UPDATE `ops`.`run_status`.*ABANDONED"), 1u);
}

TEST_F(ReconcileTest, CancelledJobRecordsTheServerStatus) {
  server_state_ = "CANCELLED";
  server_status_ = "[TIMEOUT, msg: ]";
  auto n = reconcile_once();
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 1);
  EXPECT_EQ(conn_.count_matching("UPDATE `ops`.`backup_history`.*CANCELLED.*TIMEOUT"), 1u);
}

TEST_F(ReconcileTest, NoTraceOnTheServerIsNeverSubmitted) {
  row_state_ = "SUBMITTING";
  auto n = reconcile_once();
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 1);
  EXPECT_EQ(conn_.count_matching("UPDATE `ops`.`backup_history`.*LOST.*NEVER_SUBMITTED"), 1u);
}

TEST_F(ReconcileTest, JobReplacedInShowBackupButInTheRepositoryIsFinished) {
  server_state_ = "";  // SHOW BACKUP shows nothing (or a newer job)
  snapshot_ts_ = "2025-09-14-09-10-00-001";
  auto n = reconcile_once();
  ASSERT_TRUE(n);
  EXPECT_EQ(conn_.count_matching("UPDATE `ops`.`backup_history`.*FINISHED"), 1u);
}

// Issue 10 item 7: a repository that cannot be read says nothing about the snapshot; the dead run's attempt
// (whose job SHOW BACKUP no longer lists) stays unsettled for a later run instead of becoming LOST (final).
TEST_F(ReconcileTest, UnreadableRepositoryLeavesTheAttemptUnsettledNeverLost) {
  server_state_ = "";  // replaced in SHOW BACKUP by a newer job
  repository_unreadable_ = true;
  auto n = reconcile_once();
  ASSERT_TRUE(n) << n.error().describe();
  EXPECT_EQ(*n, 0);
  EXPECT_EQ(conn_.count_matching("UPDATE `ops`.`backup_history`"), 0u) << log_text_.str();
  EXPECT_NE(log_text_.str().find("cannot read the repository now"), std::string::npos) << log_text_.str();
  // Once it answers, the same attempt is settled from it.
  repository_unreadable_ = false;
  snapshot_ts_ = "2025-09-14-09-10-00-001";
  n = reconcile_once();
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 1);
  EXPECT_EQ(conn_.count_matching("UPDATE `ops`.`backup_history`.*FINISHED.*2025-09-14-09-10-00-001"), 1u);
}

// Issue 10 item 27: a job that FINISHED while the repository was unreachable (left RUNNING by its run) is
// completed with its timestamp once the repository answers.
TEST_F(ReconcileTest, FinishedJobWithoutTimestampIsCompletedWhenTheRepositoryAnswers) {
  server_state_ = "FINISHED";
  repository_unreadable_ = true;
  auto n = reconcile_once();
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 0);
  EXPECT_EQ(conn_.count_matching("UPDATE `ops`.`backup_history`.*FINISHED"), 0u);
  repository_unreadable_ = false;
  snapshot_ts_ = "2025-09-14-09-10-00-001";
  n = reconcile_once();
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 1);
  EXPECT_EQ(conn_.count_matching("UPDATE `ops`.`backup_history`.*FINISHED.*2025-09-14-09-10-00-001"), 1u);
}

TEST_F(ReconcileTest, StillRunningJobStaysRunningForTheRunThatAdoptsIt) {
  server_state_ = "UPLOADING";
  auto n = reconcile_once();
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 0);
  EXPECT_EQ(conn_.count_matching("UPDATE `ops`.`backup_history`.*RUNNING.*UPLOADING"), 1u);
}

TEST_F(ReconcileTest, LiveRunIsLeftAlone) {
  process_alive_ = true;
  server_state_ = "FINISHED";
  auto n = reconcile_once();
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 0);
  EXPECT_EQ(conn_.count_matching("^UPDATE"), 0u);
  EXPECT_EQ(conn_.count_matching("^SHOW BACKUP"), 0u);
}

// Issue 10 item 5: a process with the marker's pid exists on this host, but the heartbeat is stale: the pid was
// reused (or another container shares the host name). The run is dead and its attempt is reconciled.
TEST_F(ReconcileTest, LivePidWithAStaleHeartbeatIsADeadRun) {
  process_alive_ = true;
  clock_.advance(std::chrono::minutes(10));  // the marker's heartbeat (01:00:00) is 10 minutes old
  server_state_ = "FINISHED";
  snapshot_ts_ = "2025-09-14-09-10-00-001";
  auto n = reconcile_once();
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 1);
  EXPECT_EQ(conn_.count_matching("UPDATE `ops`.`run_status`.*ABANDONED"), 1u);
}

// Issue 10 item 5: the marker's heartbeat is fresh and a process with its pid lives on this host, but that process
// started at another time (or in another boot) than the run recorded: the pid was reused, the run is dead. Before
// the start identity was recorded this run was judged alive until its heartbeat went stale.
TEST_F(ReconcileTest, ReusedPidWithAnotherStartIdentityIsADeadRun) {
  process_alive_ = true;
  marker_start_ = "6f1c2a4e-boot/1200";
  live_start_ = "6f1c2a4e-boot/98765";
  server_state_ = "FINISHED";
  snapshot_ts_ = "2025-09-14-09-10-00-001";
  auto n = reconcile_once();
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 1) << log_text_.str();
  EXPECT_EQ(conn_.count_matching("UPDATE `ops`.`run_status`.*ABANDONED"), 1u);
}

// The same process (same start identity) with a fresh heartbeat is alive: nothing is reconciled.
TEST_F(ReconcileTest, SameStartIdentityWithAFreshHeartbeatIsAlive) {
  process_alive_ = true;
  marker_start_ = "6f1c2a4e-boot/1200";
  live_start_ = "6f1c2a4e-boot/1200";
  server_state_ = "FINISHED";
  auto n = reconcile_once();
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 0);
  EXPECT_EQ(conn_.count_matching("^SHOW BACKUP"), 0u);
}

TEST_F(ReconcileTest, RowWithoutAnyMarkerBelongsToADeadRun) {
  marker_ = false;
  process_alive_ = true;  // irrelevant: nothing says the run is alive
  server_state_ = "FINISHED";
  snapshot_ts_ = "t";
  auto n = reconcile_once();
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 1);
}

}  // namespace
}  // namespace sk::executor
