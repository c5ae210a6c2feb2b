// runtime/jobs against fakes (RecordingSqlConnection, FakeClock, FakeSleeper): typed states and ids, the SHOW
// readers by column name, backoff and polling cadence, submit while the slot is busy (and interrupted), and
// await — our job by label and id, a later job hiding ours (superseded, no cancel), the stop flag while
// polling, an FE outage longer than 30 polls, and the deadline's cancel only of our own current job.
#include <gtest/gtest.h>

#include <atomic>

#include "runtime/jobs/lifecycle.h"
#include "runtime/ports/fakes.h"

namespace sk::jobs {
namespace {

using ports::make_rows;
using std::chrono::milliseconds;

DatabaseName db(const char* s) { return *DatabaseName::parse(s); }

Error connection_lost() { return Error{std::string(ports::kConnectionError), "connection lost", {}}; }
Error busy() {
  return ports::server_error(1064, "HY000",
                             "Can only run one backup or restore job of a database at same time");
}

ports::Rows backup_rows(std::vector<ports::Rows::Row> rows) {
  return make_rows({"JobId", "SnapshotName", "DbName", "State", "Status", "TaskErrMsg"}, std::move(rows));
}
ports::Rows backup_row(const char* id, const char* label, const char* state) {
  return backup_rows({{id, label, "sales", state, "[OK]", ""}});
}

// A sleeper that raises the stop flag after `after` sleeps (the signal arriving while we wait).
class StoppingSleeper final : public ports::Sleeper {
 public:
  StoppingSleeper(ports::FakeClock& clock, std::atomic<bool>& stop, int after)
      : clock_(clock), stop_(stop), after_(after) {}
  void sleep_for(milliseconds d) override {
    clock_.advance(d);
    if (++sleeps_ >= after_) stop_ = true;
  }
  int sleeps() const { return sleeps_; }

 private:
  ports::FakeClock& clock_;
  std::atomic<bool>& stop_;
  int after_;
  int sleeps_ = 0;
};

// ---- states, ids, readers (moved from tests/runtime/executor) ----

TEST(JobState, ParsesWhatTheServerPrintsAndKeepsUnknownStates) {
  EXPECT_EQ(parse_job_state("UPLOAD_SNAPSHOT"), JobState::kUploadSnapshot);
  EXPECT_EQ(parse_job_state("COMMITTING"), JobState::kCommitting);
  EXPECT_EQ(parse_job_state("SNAPSHOTING"), JobState::kSnapshoting);
  EXPECT_EQ(parse_job_state("FINISHED"), JobState::kFinished);
  EXPECT_EQ(parse_job_state("NEW_STATE_OF_5_0"), JobState::kOther) << "unknown is not an error";
  EXPECT_EQ(to_string(JobState::kUploadInfo), "UPLOAD_INFO");
  EXPECT_TRUE(terminal(JobState::kCancelled));
  EXPECT_FALSE(terminal(JobState::kOther));
  EXPECT_FALSE(JobId::from_server(-1));
  EXPECT_EQ(JobId::from_server(7), JobId(7));
}

TEST(ServerViews, ShowBackupIsReadByColumnNameWhateverTheOrder) {
  // An extra leading column and a different order must not matter (pitfall 6).
  auto rows = make_rows(
      {"Id", "State", "SnapshotName", "DbName", "JobId", "Status", "TaskErrMsg"},
      {{"x", "CANCELLED", "sales_20250914_inc", "sales", "17", "[COMMON_ERROR, msg: disk]", "[1: e]"}});
  auto jobs = parse_show_jobs(rows);
  ASSERT_TRUE(jobs) << jobs.error().describe();
  ASSERT_EQ(jobs->size(), 1u);
  EXPECT_EQ((*jobs)[0].label, "sales_20250914_inc");
  EXPECT_EQ((*jobs)[0].state, JobState::kCancelled);
  EXPECT_EQ((*jobs)[0].job_id, JobId(17));
  EXPECT_TRUE((*jobs)[0].cancelled());
  EXPECT_EQ((*jobs)[0].error_text(), "[COMMON_ERROR, msg: disk] TaskErrMsg: [1: e]");
}

TEST(ServerViews, JobIdMinusOneIsUnknown) {
  auto rows = make_rows({"JobId", "SnapshotName", "DbName", "State"}, {{"-1", "l", "d", "PENDING"}});
  auto jobs = parse_show_jobs(rows);
  ASSERT_TRUE(jobs);
  EXPECT_FALSE((*jobs)[0].job_id.has_value());
}

TEST(ServerViews, ShowBackupWithoutStateColumnIsAnError) {
  auto rows = make_rows({"JobId", "SnapshotName", "DbName"}, {{"1", "l", "d"}});
  EXPECT_FALSE(parse_show_jobs(rows));
}

TEST(ServerViews, ShowSnapshotSplitsTimestamps) {
  auto rows = make_rows(
      {"Snapshot", "Timestamp", "Status"},
      {{"a", "2025-09-14-01-00-00-123\n2025-09-15-01-00-00-456", "OK"}, {"b", "", "ERROR: no snapshot"}});
  auto s = parse_show_snapshot(rows);
  ASSERT_TRUE(s);
  ASSERT_EQ(s->size(), 2u);
  EXPECT_EQ((*s)[0].timestamps.size(), 2u);
  EXPECT_TRUE((*s)[0].ok());
  EXPECT_EQ((*s)[0].latest()->str(), "2025-09-15-01-00-00-456");
  EXPECT_FALSE((*s)[1].ok());
}

TEST(ServerViews, ShowSnapshotOf42ReadsTheRetentionColumnsByName) {
  // 4.2 appends ClusterId, FinishTime, TTL, ExpireTime after Status; NULL when unset or unreadable.
  auto rows = make_rows({"Snapshot", "Timestamp", "Status", "ClusterId", "FinishTime", "TTL", "ExpireTime"},
                        {{"a", "2025-09-14-01-00-00-123", "OK", "77", "2025-09-14-01-00-05-000", "7 DAY",
                          "2025-09-21-01-00-05-000"},
                         {"b", "2025-09-14-02-00-00-000", "OK", "77", "2025-09-14-02-00-05-000", std::nullopt,
                          std::nullopt}});
  auto s = parse_show_snapshot(rows);
  ASSERT_TRUE(s);
  ASSERT_EQ(s->size(), 2u);
  EXPECT_TRUE((*s)[0].ok());
  EXPECT_EQ((*s)[0].latest()->str(), "2025-09-14-01-00-00-123");
  EXPECT_EQ((*s)[0].ttl, "7 DAY");
  EXPECT_EQ((*s)[0].expire_time, "2025-09-21-01-00-05-000");
  EXPECT_FALSE((*s)[1].ttl.has_value());
  EXPECT_FALSE((*s)[1].expire_time.has_value());
}

TEST(ServerViews, SnapshotTimesInEitherServerFormat) {
  auto shanghai = TimeZone::parse("Asia/Shanghai").value();
  auto stamp = read_snapshot_time("2025-09-21-09-00-05-123", shanghai);
  ASSERT_TRUE(stamp);
  EXPECT_EQ(stamp->to_iso8601_utc(), "2025-09-21T01:00:05Z");
  auto datetime = read_snapshot_time("2025-09-21 09:00:05", shanghai);
  ASSERT_TRUE(datetime);
  EXPECT_EQ(*datetime, *stamp);
  EXPECT_FALSE(read_snapshot_time("next tuesday", shanghai));
}

TEST(ServerViews, ServerTimesAreReadInTheClusterZone) {
  auto shanghai = TimeZone::parse("Asia/Shanghai").value();
  auto t = parse_server_time("2025-09-14 09:00:00", shanghai);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->to_iso8601_utc(), "2025-09-14T01:00:00Z");  // pitfall 3: +8 h is not UTC
}

TEST(Backoff, IsBoundedAndGrowsWithinJitter) {
  BackoffPolicy p;
  p.max_attempts = 4;
  p.initial = milliseconds(1000);
  p.multiplier = 2;
  p.max_delay = milliseconds(5000);
  p.jitter = 0.25;
  double r = 0.0;
  Backoff b(p, [&r] { return r; });
  EXPECT_EQ(b.next(), milliseconds(750));  // 1000 × (1 − 0.25)
  r = 0.999999;
  auto second = b.next();
  ASSERT_TRUE(second);
  EXPECT_GE(second->count(), 2000 * 0.75);
  EXPECT_LE(second->count(), 2000 * 1.25);
  r = 0.5;
  EXPECT_EQ(b.next(), milliseconds(4000));
  EXPECT_EQ(b.next(), milliseconds(5000));  // capped
  EXPECT_FALSE(b.next().has_value());       // bounded
  EXPECT_EQ(b.retries(), 4);
}

TEST(PollCadence, NoticesCompletionWithinFivePercentOfElapsed) {
  PollPolicy p;
  EXPECT_EQ(next_poll_delay(p, milliseconds(0)), milliseconds(1000));
  EXPECT_EQ(next_poll_delay(p, milliseconds(10'000)), milliseconds(1000));
  EXPECT_EQ(next_poll_delay(p, milliseconds(100'000)), milliseconds(5000));
  EXPECT_EQ(next_poll_delay(p, milliseconds(3'600'000)), milliseconds(30'000));  // capped
  // Everywhere: the delay never exceeds max(1 s, 5 % of elapsed).
  for (std::int64_t e = 0; e < 10'000'000; e += 77'777) {
    const auto d = next_poll_delay(p, milliseconds(e));
    EXPECT_LE(d.count(), std::max<std::int64_t>(1000, e / 20));
  }
}

// ---- latest_job, submit ----

struct JobsTest : ::testing::Test {
  ports::FakeClock clock;
  ports::FakeSleeper sleeper{&clock};
  ports::RecordingSqlConnection conn;
  std::atomic<bool> stop{false};
  SubmitPolicy submit_policy{{3, milliseconds(1000), 2.0, milliseconds(60'000), 0.25}, [] { return 0.5; }};
  AwaitPolicy policy;
  JobsTest() {
    policy.deadline = std::chrono::hours(1);
    policy.random01 = [] { return 0.5; };
  }
};

TEST_F(JobsTest, LatestJobIsTheLastRowListed) {
  conn.on("^SHOW RESTORE FROM `sales`$",
          make_rows({"JobId", "Label", "State"}, {{"1", "a", "FINISHED"}, {"2", "b", "PENDING"}}));
  auto j = latest_job(conn, JobKind::kRestore, db("sales"));
  ASSERT_TRUE(j) << j.error().describe();
  ASSERT_TRUE(*j);
  EXPECT_EQ((*j)->label, "b");
  EXPECT_EQ((*j)->state, JobState::kPending);
}

TEST_F(JobsTest, SubmitRetriesABusySlotWithJitteredBackoff) {
  conn.on_error("^BACKUP", busy(), 2);
  const Submitted s = submit(conn, "BACKUP x", submit_policy, &stop, sleeper);
  EXPECT_EQ(s.outcome, Submitted::Outcome::kAccepted);
  EXPECT_EQ(s.tries, 3);
  EXPECT_EQ(sleeper.sleeps(), (std::vector<milliseconds>{milliseconds(1000), milliseconds(2000)}));
}

TEST_F(JobsTest, SubmitHasDistinctOutcomes) {
  conn.on_error("^BACKUP busy", busy());
  conn.on_error("^BACKUP refused", ports::server_error(1064, "HY000", "Repository r is read only"));
  conn.on_error("^BACKUP lost", connection_lost());
  EXPECT_EQ(submit(conn, "BACKUP busy", submit_policy, &stop, sleeper).outcome,
            Submitted::Outcome::kBusyExhausted);
  EXPECT_EQ(conn.count_matching("^BACKUP busy"), 4u) << "first try + 3 retries";
  EXPECT_EQ(submit(conn, "BACKUP refused", submit_policy, &stop, sleeper).outcome,
            Submitted::Outcome::kRefused);
  EXPECT_EQ(submit(conn, "BACKUP lost", submit_policy, &stop, sleeper).outcome,
            Submitted::Outcome::kConnectionLost);
  EXPECT_EQ(conn.count_matching("^BACKUP lost"), 1u) << "outcome unknown: never resent blindly";
  SubmitHooks hooks;
  hooks.on_busy = [](const Error&, int, milliseconds) { return false; };
  EXPECT_EQ(submit(conn, "BACKUP busy", submit_policy, &stop, sleeper, hooks).outcome,
            Submitted::Outcome::kYielded);
}

TEST_F(JobsTest, StopFlagDuringBusyBackoffReturnsPromptly) {
  conn.on_error("^BACKUP", busy());
  submit_policy.busy.max_attempts = 1'000;
  StoppingSleeper stopping(clock, stop, 2);
  const Submitted s = submit(conn, "BACKUP x", submit_policy, &stop, stopping);
  EXPECT_EQ(s.outcome, Submitted::Outcome::kStopped);
  EXPECT_EQ(stopping.sleeps(), 2);
  EXPECT_EQ(conn.count_matching("^BACKUP"), 2u) << "no try after the signal";
}

// ---- await ----

TEST_F(JobsTest, AwaitFollowsOurJobByLabelAndIdNeverTheJobListedBefore) {
  // The same label restored again: the earlier job (id 4) must not be read as ours (id 5).
  conn.on("^SHOW RESTORE", make_rows({"JobId", "Label", "State"}, {{"4", "snap", "FINISHED"}}), 1);
  conn.on("^SHOW RESTORE", make_rows({"JobId", "Label", "State"}, {{"5", "snap", "DOWNLOADING"}}), 1);
  conn.on("^SHOW RESTORE", make_rows({"JobId", "Label", "State"}, {{"5", "snap", "FINISHED"}}));
  ServerJob before;
  before.label = "snap";
  before.job_id = JobId(4);
  before.state = JobState::kFinished;
  auto done = await(conn, JobKind::kRestore, db("sales"), {"snap", std::nullopt, before}, policy, &stop,
                    clock, sleeper);
  ASSERT_TRUE(done) << done.error().describe();
  EXPECT_EQ(done->outcome, Awaited::Outcome::kFinished);
  EXPECT_EQ(done->job->job_id, JobId(5));
  EXPECT_EQ(conn.count_matching("^SHOW RESTORE"), 3u);
}

TEST_F(JobsTest, ALaterJobHidingOursIsSupersededAndNeverCancelled) {
  // Issue 10 items 1 and 25: our job ran, then another runner's job replaced it in the one-row view.
  conn.on("^SHOW BACKUP", backup_row("8", "ours", "UPLOADING"), 1);
  conn.on("^SHOW BACKUP", backup_row("9", "theirs", "UPLOADING"));
  policy.cancel.at_deadline = true;
  auto done = await(conn, JobKind::kBackup, db("sales"), {"ours", std::nullopt, std::nullopt}, policy, &stop,
                    clock, sleeper);
  ASSERT_TRUE(done);
  EXPECT_EQ(done->outcome, Awaited::Outcome::kSuperseded);
  EXPECT_EQ(done->current->label, "theirs");
  EXPECT_EQ(done->job->job_id, JobId(8));
  EXPECT_EQ(conn.count_matching("^CANCEL"), 0u);
  EXPECT_EQ(conn.count_matching("^SHOW BACKUP"), 2u) << "settled at once, not at the deadline";

  // A restore replaced by a BACKUP: SHOW RESTORE lists nothing any more.
  ports::RecordingSqlConnection restore;
  restore.on("^SHOW RESTORE", make_rows({"JobId", "Label", "State"}, {{"3", "snap", "DOWNLOADING"}}), 1);
  restore.on("^SHOW RESTORE", make_rows({"JobId", "Label", "State"}, {}));
  auto gone = await(restore, JobKind::kRestore, db("sales"), {"snap", std::nullopt, std::nullopt}, policy,
                    &stop, clock, sleeper);
  ASSERT_TRUE(gone);
  EXPECT_EQ(gone->outcome, Awaited::Outcome::kSuperseded);
  EXPECT_FALSE(gone->current);
  EXPECT_EQ(restore.count_matching("^CANCEL"), 0u);
}

TEST_F(JobsTest, StopFlagDuringPollingReturnsPromptlyWithoutSpinning) {
  // Issue 10 item 26: SIGTERM during a wait must not spin on SHOW BACKUP.
  conn.on("^SHOW BACKUP", backup_row("8", "ours", "UPLOADING"));
  StoppingSleeper stopping(clock, stop, 3);
  auto done = await(conn, JobKind::kBackup, db("sales"), {"ours", std::nullopt, std::nullopt}, policy, &stop,
                    clock, stopping);
  ASSERT_TRUE(done);
  EXPECT_EQ(done->outcome, Awaited::Outcome::kStopped);
  EXPECT_EQ(conn.count_matching("^SHOW BACKUP"), 3u) << "one poll per sleep, none after the signal";

  // Raised before the wait starts: not a single statement.
  conn.clear_statements();
  auto at_once = await(conn, JobKind::kBackup, db("sales"), {"ours", std::nullopt, std::nullopt}, policy,
                       &stop, clock, sleeper);
  ASSERT_TRUE(at_once);
  EXPECT_EQ(at_once->outcome, Awaited::Outcome::kStopped);
  EXPECT_TRUE(conn.statements().empty());
}

TEST_F(JobsTest, AnFeOutageLongerThanThirtyPollsDoesNotLoseTheJob) {
  // Issue 10 item 8: polling continues until the job's own deadline, with backoff, and follows the job after.
  conn.on("^SHOW BACKUP", backup_row("8", "ours", "UPLOADING"), 1);
  conn.on_error("^SHOW BACKUP", connection_lost(), 45);
  conn.on("^SHOW BACKUP", backup_row("8", "ours", "FINISHED"));
  int errors = 0;
  AwaitHooks hooks;
  hooks.on_error = [&](const Error&) { ++errors; };
  auto done = await(conn, JobKind::kBackup, db("sales"), {"ours", std::nullopt, std::nullopt}, policy, &stop,
                    clock, sleeper, hooks);
  ASSERT_TRUE(done) << done.error().describe();
  EXPECT_EQ(done->outcome, Awaited::Outcome::kFinished);
  EXPECT_EQ(errors, 45);
  for (std::size_t i = 2; i < sleeper.sleeps().size(); ++i)
    EXPECT_LE(sleeper.sleeps()[i], milliseconds(30'000));
  EXPECT_GT(sleeper.sleeps()[10], sleeper.sleeps()[2]) << "the outage backoff grows";

  // Past the deadline with the FE still away: unreachable, never an endless loop.
  ports::RecordingSqlConnection away;
  away.on("^SHOW BACKUP", backup_row("8", "ours", "UPLOADING"), 1);
  away.on_error("^SHOW BACKUP", connection_lost());
  auto lost = await(away, JobKind::kBackup, db("sales"), {"ours", std::nullopt, std::nullopt}, policy, &stop,
                    clock, sleeper);
  ASSERT_TRUE(lost);
  EXPECT_EQ(lost->outcome, Awaited::Outcome::kUnreachable);
  ASSERT_TRUE(lost->last_error);
}

TEST_F(JobsTest, AtTheDeadlineOnlyOurOwnCurrentJobIsCancelled) {
  policy.deadline = std::chrono::seconds(10);
  policy.cancel = {true, std::chrono::seconds(30)};
  bool cancelled = false;
  conn.on_call("^CANCEL RESTORE FROM `sales`$", [&](std::string_view) -> Result<ports::Rows> {
    cancelled = true;
    return ports::Rows{};
  });
  conn.on_call("^SHOW RESTORE", [&](std::string_view) -> Result<ports::Rows> {
    return make_rows(
        {"JobId", "Label", "State", "Status"},
        {{"5", "snap", cancelled ? "CANCELLED" : "DOWNLOADING", cancelled ? "[user cancelled]" : "[OK]"}});
  });
  auto done = await(conn, JobKind::kRestore, db("sales"), {"snap", std::nullopt, std::nullopt}, policy, &stop,
                    clock, sleeper);
  ASSERT_TRUE(done);
  EXPECT_EQ(done->outcome, Awaited::Outcome::kCancelled);
  EXPECT_TRUE(done->cancel_sent);
  EXPECT_EQ(conn.count_matching("^CANCEL RESTORE"), 1u);

  // Another job is the current one at the deadline (ours not visible): no cancel — it would cancel theirs.
  ports::RecordingSqlConnection other;
  ServerJob before;
  before.label = "theirs";
  before.job_id = JobId(4);
  other.on("^SHOW RESTORE", make_rows({"JobId", "Label", "State"}, {{"4", "theirs", "DOWNLOADING"}}));
  policy.visibility_grace = std::chrono::hours(2);
  auto timed_out = await(other, JobKind::kRestore, db("sales"), {"snap", std::nullopt, before}, policy, &stop,
                         clock, sleeper);
  ASSERT_TRUE(timed_out);
  EXPECT_EQ(timed_out->outcome, Awaited::Outcome::kTimedOut);
  EXPECT_FALSE(timed_out->cancel_sent);
  EXPECT_EQ(other.count_matching("^CANCEL"), 0u);
}

// Issue 10 item 9: the caller's window (overrun_at) is not the deadline. Past it our running job is reported once
// and followed on to FINISHED; with cancel_at_overrun it is cancelled then (our job being the current one).
TEST_F(JobsTest, PastTheWindowOurJobIsReportedOnceAndCancelledOnlyWhenAsked) {
  policy.overrun_at = std::chrono::seconds(5);
  int polls = 0;
  conn.on_call("^SHOW BACKUP", [&](std::string_view) -> Result<ports::Rows> {
    ++polls;
    return backup_row("9", "snap", polls < 12 ? "UPLOADING" : "FINISHED");
  });
  int overruns = 0;
  AwaitHooks hooks;
  hooks.on_overrun = [&](const ServerJob& j) {
    ++overruns;
    EXPECT_EQ(j.label, "snap");
  };
  auto done = await(conn, JobKind::kBackup, db("sales"), {"snap", std::nullopt, std::nullopt}, policy, &stop, clock,
                    sleeper, hooks);
  ASSERT_TRUE(done);
  EXPECT_EQ(done->outcome, Awaited::Outcome::kFinished);
  EXPECT_TRUE(done->overran);
  EXPECT_EQ(overruns, 1);
  EXPECT_EQ(conn.count_matching("^CANCEL"), 0u);

  ports::RecordingSqlConnection cancelling;
  bool cancelled = false;
  cancelling.on_call("^CANCEL BACKUP FROM `sales`$", [&](std::string_view) -> Result<ports::Rows> {
    cancelled = true;
    return ports::Rows{};
  });
  cancelling.on_call("^SHOW BACKUP", [&](std::string_view) -> Result<ports::Rows> {
    return backup_row("9", "snap", cancelled ? "CANCELLED" : "UPLOADING");
  });
  policy.cancel_at_overrun = true;
  overruns = 0;
  auto stopped = await(cancelling, JobKind::kBackup, db("sales"), {"snap", std::nullopt, std::nullopt}, policy, &stop,
                       clock, sleeper, hooks);
  ASSERT_TRUE(stopped);
  EXPECT_EQ(stopped->outcome, Awaited::Outcome::kCancelled);
  EXPECT_TRUE(stopped->cancel_sent);
  EXPECT_TRUE(stopped->overran);
  EXPECT_EQ(overruns, 1);
  EXPECT_EQ(cancelling.count_matching("^CANCEL BACKUP"), 1u);
}

TEST_F(JobsTest, AMalformedShowIsAnErrorNotARetry) {
  conn.on("^SHOW BACKUP", make_rows({"JobId", "SnapshotName"}, {{"1", "ours"}}));
  auto done = await(conn, JobKind::kBackup, db("sales"), {"ours", std::nullopt, std::nullopt}, policy, &stop,
                    clock, sleeper);
  EXPECT_FALSE(done);
}

}  // namespace
}  // namespace sk::jobs
