// End to end, issue 4 acceptance: the REAL `starkeep run` against the emulator —
//   * SIGKILL at each step (after marking the run, with the intent row SUBMITTING before and after the BACKUP reached
//     the server, before writing the final history), stopped exactly there by the test-only STARKEEP_TEST_PAUSE_AT
//     hook (the runner raises SIGSTOP; no timing guesses): the next run settles everything, submits no duplicate;
//   * --wait on another runner's job of the same slot;
//   * --tier / --database filters (and a database's two jobs of one run never competing for its job slot);
//   * alert delivery to real HTTP receivers on loopback (Alertmanager v2 and generic JSON), and receivers that fail.
#include <nlohmann/json.hpp>

#include "tests/e2e/run_fixture.h"
#include "tests/runtime/alerts/http_receiver.h"

namespace {

using namespace sk::e2e;  // NOLINT: the fixture's helpers and exit codes
using sk::alerts::testing::HttpReceiver;

class RunAcceptanceE2e : public RunFixture {
 protected:
  // Starts a run of `db` that stops itself at `step`; fails the test when it exits instead.
  Proc run_until(const std::string& step, const std::string& db, const std::string& at = kMonday) {
    Proc p = spawn(run_args(at, {"--database", db}), {"STARKEEP_TEST_PAUSE_AT=" + step});
    EXPECT_TRUE(wait_stopped(p)) << "the run did not stop at " << step << ":\n" << slurp(p.err);
    return p;
  }
  std::vector<Row> markers(const std::string& db) {
    return query("SELECT run_id, state FROM ops.run_status WHERE database_name = '" + db + "' ORDER BY started_at_utc");
  }
  static int count(const std::string& text, const std::string& needle) {
    int n = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
    return n;
  }
};

// Issue 4 point 7, "after taking the lock": the run marked the database ACTIVE (ops.run_status) and was killed
// before writing any history. The next run releases the dead run's marker (ABANDONED) and does the work once.
TEST_F(RunAcceptanceE2e, KilledAfterMarkingTheRunIsReleasedAndTheSlotDoneOnce) {
  make_cluster_data("km");
  Proc p = run_until("marked", "km_a");
  auto before = markers("km_a");
  ASSERT_EQ(before.size(), 1u);
  EXPECT_EQ(before[0]["state"], "ACTIVE");
  EXPECT_TRUE(history("km_a").empty());
  EXPECT_TRUE(server_jobs("km_a").empty());
  EXPECT_EQ(kill_now(p).code, 128 + SIGKILL);

  const Finished next = run(kMonday, {"--database", "km_a"});
  ASSERT_EQ(next.code, kExitOk) << describe(next);
  auto after = markers("km_a");
  ASSERT_EQ(after.size(), 2u);
  for (auto& m : after) {
    // The dead run's marker is released; the new run's is done.
    EXPECT_EQ(m["state"], m["run_id"] == before[0]["run_id"] ? "ABANDONED" : "DONE") << *m["run_id"];
  }
  EXPECT_EQ(history_in("km_a", "FINISHED").size(), 1u);
  EXPECT_EQ(history("km_a").size(), 1u);
  EXPECT_EQ(server_jobs("km_a").size(), 1u);
  EXPECT_EQ(snapshots_named("km_a_20250915_inc"), 1);
}

// SUBMITTING row, BACKUP never sent: the next run settles the row LOST ("NEVER_SUBMITTED") and submits the slot's
// label itself, once (no _r1: a label that never reached the server is free).
TEST_F(RunAcceptanceE2e, SubmittingRowWithoutTheBackupIsSettledAndTheSlotSubmittedOnce) {
  make_cluster_data("ki");
  Proc p = run_until("intent", "ki_a");
  auto rows = history("ki_a");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["state"], "SUBMITTING");
  EXPECT_TRUE(server_jobs("ki_a").empty());
  // Issue 4 point 9: `starkeep status` shows the unsettled attempt and the run's marker, in text and JSON.
  const std::vector<std::string> status = {sk::test::starkeep_binary(), "status", "--host", "127.0.0.1", "--port",
                                           std::to_string(cluster().emulator().port())};
  const Finished text = wait(spawn(status));
  ASSERT_EQ(text.code, kExitOk) << describe(text);
  EXPECT_NE(text.out.find("unsettled backup attempts: 1"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("ki_a ki_a_20250915_inc SUBMITTING"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("active run markers: 1"), std::string::npos) << text.out;
  auto json_args = status;
  json_args.insert(json_args.end(), {"--format", "json"});
  const Finished json = wait(spawn(json_args));
  ASSERT_EQ(json.code, kExitOk) << describe(json);
  const auto doc = nlohmann::json::parse(json.out);
  ASSERT_EQ(doc["unfinished"].size(), 1u) << json.out;
  EXPECT_EQ(doc["unfinished"][0]["state"], "SUBMITTING");
  EXPECT_EQ(doc["active_runs"].size(), 1u);
  kill_now(p);

  const Finished next = run(kMonday, {"--database", "ki_a"});
  ASSERT_EQ(next.code, kExitOk) << describe(next);
  auto lost = history_in("ki_a", "LOST");
  ASSERT_EQ(lost.size(), 1u) << describe(next);
  EXPECT_EQ(lost[0]["attempt_id"], rows[0]["attempt_id"]);
  EXPECT_NE(lost[0]["error_text"]->find("NEVER_SUBMITTED"), std::string::npos);
  auto finished = history_in("ki_a", "FINISHED");
  ASSERT_EQ(finished.size(), 1u);
  EXPECT_EQ(finished[0]["label"], "ki_a_20250915_inc");
  EXPECT_TRUE(history_in("ki_a", "SUBMITTING").empty());
  EXPECT_EQ(count(next.err, "BACKUP SNAPSHOT `ki_a`"), 1) << next.err;  // one statement sent (logged once at debug)
  EXPECT_EQ(snapshots_named("ki_a_20250915_inc"), 1);             // no _r1
  auto jobs = server_jobs("ki_a");
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0]["JobId"], finished[0]["job_id"]);
}

// SUBMITTING row, BACKUP accepted by the server (killed before recording it): the next run finds the job by its
// label, settles the SAME row FINISHED (JobId, backup_timestamp, bytes, fingerprints) and submits nothing.
TEST_F(RunAcceptanceE2e, SubmittingRowWhoseBackupReachedTheServerIsSettledWithoutADuplicate) {
  make_cluster_data("ks");
  Proc p = run_until("submitted", "ks_a");
  auto rows = history("ks_a");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["state"], "SUBMITTING");
  auto jobs = server_jobs("ks_a");
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0]["SnapshotName"], "ks_a_20250915_inc");
  kill_now(p);
  ASSERT_TRUE(eventually([&] { return server_state("ks_a") == "FINISHED"; }));
  const auto job_id = server_jobs("ks_a")[0]["JobId"];  // assigned once the job left PENDING

  const Finished next = run(kMonday, {"--database", "ks_a"});
  EXPECT_EQ(next.code, kExitAlreadyHandled) << describe(next);
  EXPECT_EQ(count(next.err, "BACKUP SNAPSHOT `ks_a`"), 0) << next.err;
  rows = history("ks_a");
  ASSERT_EQ(rows.size(), 1u) << describe(next);
  EXPECT_EQ(rows[0]["state"], "FINISHED");
  EXPECT_EQ(rows[0]["job_id"], job_id);
  EXPECT_TRUE(rows[0]["backup_timestamp"].has_value());
  EXPECT_TRUE(rows[0]["bytes"].has_value());
  for (auto& e : manifest(*rows[0]["attempt_id"])) EXPECT_TRUE(e["checksum"].has_value()) << *e["partition_name"];
  EXPECT_EQ(server_jobs("ks_a")[0]["JobId"], job_id);
  EXPECT_EQ(snapshots_named("ks_a_20250915_inc"), 1);
}

// Killed after the job FINISHED on the server but before the history was written ("before writing history").
TEST_F(RunAcceptanceE2e, KilledBeforeWritingHistoryIsCompletedFromTheServer) {
  make_cluster_data("kh");
  Proc p = run_until("finished", "kh_a");
  auto rows = history("kh_a");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["state"], "RUNNING");
  EXPECT_EQ(server_state("kh_a"), "FINISHED");
  const auto job_id = server_jobs("kh_a")[0]["JobId"];
  kill_now(p);

  const Finished next = run(kMonday, {"--database", "kh_a"});
  EXPECT_EQ(next.code, kExitAlreadyHandled) << describe(next);
  rows = history("kh_a");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["state"], "FINISHED");
  EXPECT_EQ(rows[0]["job_id"], job_id);
  EXPECT_TRUE(rows[0]["backup_timestamp"].has_value());
  EXPECT_EQ(server_jobs("kh_a")[0]["JobId"], job_id);
  EXPECT_EQ(snapshots_named("kh_a_20250915_inc"), 1);
  auto marks = markers("kh_a");
  for (auto& m : marks) EXPECT_NE(m["state"], "ACTIVE");
}

// --wait: a second runner for the same slot waits for the first runner's job and exits 0 once it FINISHED, without
// submitting a BACKUP of its own and without a history row of its own. It settles the first runner's row, so while
// that runner is still stopped, history and `starkeep status` already show the job FINISHED (issue 10 item 20).
TEST_F(RunAcceptanceE2e, WaitFollowsAnotherRunnersJobToTheEnd) {
  make_cluster_data("xw");
  exec("ADMIN EMULATOR DELAY JOB AT UPLOADING IN DATABASE xw_a SECONDS 100");  // the job stays running ~5 s
  Proc first = run_until("polling", "xw_a");  // its job is on the server, history RUNNING
  Proc second = spawn(run_args(kMonday, {"--database", "xw_a", "--wait"}));
  ASSERT_TRUE(eventually([&] { return slurp(second.err).find("\"job.waiting\"") != std::string::npos; }, 30))
      << slurp(second.err);
  const Finished b = wait(second);  // the first runner is still stopped
  EXPECT_EQ(b.code, kExitOk) << describe(b);
  auto settled = history("xw_a");
  ASSERT_EQ(settled.size(), 1u);
  EXPECT_EQ(settled[0]["state"], "FINISHED");
  const Finished status = wait(spawn({sk::test::starkeep_binary(), "status", "--format", "json", "--host",
                                      "127.0.0.1", "--port", std::to_string(cluster().emulator().port())}));
  ASSERT_EQ(status.code, kExitOk) << describe(status);
  EXPECT_TRUE(nlohmann::json::parse(status.out)["unfinished"].empty()) << status.out;
  ::kill(first.pid, SIGCONT);
  const Finished a = wait(first);
  EXPECT_EQ(a.code, kExitOk) << describe(a);
  EXPECT_EQ(count(b.err, "BACKUP SNAPSHOT `xw_a`"), 0) << b.err;
  EXPECT_NE(b.out.find("xw_a_20250915_inc"), std::string::npos) << b.out;
  auto rows = history("xw_a");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["state"], "FINISHED");
  EXPECT_EQ(server_jobs("xw_a").size(), 1u);
  EXPECT_EQ(snapshots_named("xw_a_20250915_inc"), 1);
}

// --tier and --database run only what was asked. On this Sunday both tiers are due (daily every day, weekly on
// Sundays, weekly first by precedence; they cover different tables, so each database has two jobs).
TEST_F(RunAcceptanceE2e, TierAndDatabaseFiltersRunOnlyWhatWasAsked) {
  daily_schedule_ = "mon..sun at 01:00";
  weekly_extra_ = "    precedence = 10\n";
  make_cluster_data("xf");
  auto objects_of = [&](const std::string& db) {
    std::vector<std::string> out;
    for (auto& r : history_in(db, "FINISHED")) out.push_back(*r["objects"]);
    std::sort(out.begin(), out.end());
    return out;
  };
  // 1. Weekly of xf_a only.
  const Finished weekly_a = run(kSunday, {"--tier", "weekly", "--database", "xf_a"});
  ASSERT_EQ(weekly_a.code, kExitOk) << describe(weekly_a);
  auto a1 = objects_of("xf_a");
  ASSERT_EQ(a1.size(), 1u);
  EXPECT_NE(a1[0].find("customers"), std::string::npos) << a1[0];
  EXPECT_EQ(a1[0].find("orders"), std::string::npos) << a1[0];
  EXPECT_TRUE(history("xf_b").empty());
  EXPECT_TRUE(server_jobs("xf_b").empty());
  EXPECT_EQ(snapshots_named("xf_b"), 0);
  // 2. Both tiers of xf_b: its two jobs run one after the other (never "busy" with each other); xf_a untouched.
  const Finished both_b = run(kSunday, {"--database", "xf_b", "--parallel", "4"});
  ASSERT_EQ(both_b.code, kExitOk) << describe(both_b);
  EXPECT_EQ(objects_of("xf_b").size(), 2u);
  EXPECT_EQ(both_b.err.find("\"job.busy\""), std::string::npos) << both_b.err;
  EXPECT_EQ(history("xf_a").size(), 1u);
  // 3. Daily everywhere: xf_a gets its daily; xf_b's daily is already done; no weekly again. The run achieved
  // every slot it was asked for, so it exits 0 (issue 10 item 20: 11 used to outrank 0 here).
  const Finished daily = run(kSunday, {"--tier", "daily"});
  EXPECT_EQ(daily.code, kExitOk) << describe(daily);
  auto a3 = objects_of("xf_a");
  ASSERT_EQ(a3.size(), 2u);
  EXPECT_EQ(history("xf_a").size(), 2u);
  EXPECT_EQ(history("xf_b").size(), 2u);
  EXPECT_EQ(count(daily.err, "BACKUP SNAPSHOT `xf_a`"), 1) << daily.err;
  EXPECT_EQ(count(daily.err, "BACKUP SNAPSHOT `xf_b`"), 0) << daily.err;
}

// Issue 4 point 3, "on request a canary backup of a one-row ops table": with canary_backup = true a repository whose
// storage refuses writes (IsReadOnly and ErrMsg look healthy) fails the pre-check before any real BACKUP (exit 14,
// REJECTED rows, repository alert); once writable, the canary finishes first and the run goes on.
TEST_F(RunAcceptanceE2e, CanaryBackupProvesTheRepositoryTakesWritesBeforeAnyJob) {
  precheck_ = "snapshot_disk_free >= 15%; canary_backup = true";
  make_cluster_data("xc");
  exec("ADMIN EMULATOR SET REPOSITORY xc_repo READ ONLY = true");
  const Finished refused = run(kMonday);
  exec("ADMIN EMULATOR SET REPOSITORY xc_repo READ ONLY = false");
  EXPECT_EQ(refused.code, kExitRepository) << describe(refused);
  EXPECT_NE(refused.err.find("canary backup to repository xc_repo was CANCELLED"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("403"), std::string::npos);
  EXPECT_TRUE(server_jobs("xc_a").empty());  // no real job was submitted
  EXPECT_TRUE(server_jobs("xc_b").empty());
  EXPECT_EQ(history_in("xc_a", "REJECTED").size(), 1u);

  const Finished ok = run(kMonday);
  ASSERT_EQ(ok.code, kExitOk) << describe(ok);
  EXPECT_NE(ok.err.find("the repository takes writes"), std::string::npos);
  EXPECT_LT(ok.err.find("BACKUP SNAPSHOT `ops`.`starkeep_canary_"), ok.err.find("BACKUP SNAPSHOT `xc_a`"));
  int canaries_ok = 0;
  for (auto& r : snapshots()) {
    canaries_ok += r["Snapshot"]->starts_with("starkeep_canary_") && r["Status"] == "OK";
  }
  EXPECT_EQ(canaries_ok, 1);  // the second run's canary
  EXPECT_EQ(history_in("xc_a", "FINISHED").size(), 1u);
}

// Issue 4 point 4: the monthly tier backs up the whole database and, by precedence and `covers`, stands in for the
// weekly tier due the same Sunday: one BACKUP per database without an ON clause, history kind `database` counting
// for both tiers, a manifest of every partition of every table (unpartitioned ones too), all fingerprinted.
TEST_F(RunAcceptanceE2e, MonthlyWholeDatabaseBackupCoversTheWeeklyTier) {
  make_cluster_data("xm", R"(  tier "monthly" {
    backup     = database
    schedule   = first sun of month at 01:00
    retain     = 365d
    window     = 6h
    precedence = 20
    covers     = ["weekly"]
  }
)");
  const Finished f = run("2025-09-07T01:05:00Z");  // the first Sunday of September 2025
  ASSERT_EQ(f.code, kExitOk) << describe(f);
  for (const char* db : {"xm_a", "xm_b"}) {
    auto rows = query("SELECT label, tiers, backup_kind, objects, attempt_id, bytes FROM ops.backup_history WHERE "
                      "database_name = '" + std::string(db) + "' AND state = 'FINISHED'");
    ASSERT_EQ(rows.size(), 1u) << db;
    EXPECT_EQ(rows[0]["tiers"], "monthly,weekly");
    EXPECT_EQ(rows[0]["backup_kind"], "database");
    EXPECT_EQ(rows[0]["objects"], "[]");
    auto entries = manifest(*rows[0]["attempt_id"]);
    ASSERT_EQ(entries.size(), 4u);  // customers (one partition) + orders p1..p3
    EXPECT_EQ(entries[0]["table_name"], "customers");
    for (auto& e : entries) EXPECT_TRUE(e["checksum"].has_value()) << *e["table_name"] << "." << *e["partition_name"];
    EXPECT_TRUE(rows[0]["bytes"].has_value());
    EXPECT_EQ(count(f.err, fmt::format("BACKUP SNAPSHOT `{}`.`{}` TO `xm_repo` PROPERTIES", db, *rows[0]["label"])),
              1)
        << f.err;
  }
}

// Issue 4 points 4 and 5: a job the server CANCELLED is recorded with its Status (exit 13, job alert); the next run
// for the same slot submits it again under `_r1`, because the failed attempt holds the label.
TEST_F(RunAcceptanceE2e, CancelledJobIsRecordedAndTheNextRunRetriesUnderR1) {
  make_cluster_data("xr");
  // The server's Status carries a secret (invariant 7): history, logs and stdout get it redacted.
  exec("ADMIN EMULATOR FAIL JOB AT UPLOADING IN DATABASE xr_a WITH STATUS 'injected upload failure xr: "
       "password=Zq8LeakValue'");
  const Finished failed = run(kMonday, {"--database", "xr_a"});
  EXPECT_EQ(failed.code, kExitJobFailed) << describe(failed);
  auto cancelled = history_in("xr_a", "CANCELLED");
  ASSERT_EQ(cancelled.size(), 1u) << describe(failed);
  EXPECT_EQ(cancelled[0]["label"], "xr_a_20250915_inc");
  EXPECT_TRUE(cancelled[0]["job_id"].has_value());
  EXPECT_NE(cancelled[0]["error_text"]->find("injected upload failure xr: password=<redacted>"), std::string::npos)
      << *cancelled[0]["error_text"];
  EXPECT_NE(failed.err.find("alert: "), std::string::npos);
  EXPECT_EQ(failed.err.find("Zq8LeakValue"), std::string::npos) << failed.err;
  EXPECT_EQ(failed.out.find("Zq8LeakValue"), std::string::npos) << failed.out;

  const Finished retry = run(kMonday, {"--database", "xr_a"});
  ASSERT_EQ(retry.code, kExitOk) << describe(retry);
  auto finished = history_in("xr_a", "FINISHED");
  ASSERT_EQ(finished.size(), 1u);
  EXPECT_EQ(finished[0]["label"], "xr_a_20250915_inc_r1");
  EXPECT_EQ(snapshot_status("xr_a_20250915_inc_r1"), "OK");
}

// Issue 4 points 3 and 5: a snapshot disk below the policy's threshold halts the run before anything is submitted,
// says what failed and how to fix it, alerts, and exits 15. Human progress (text log format) on stderr.
TEST_F(RunAcceptanceE2e, LowSnapshotDiskHaltsBeforeSubmitting) {
  make_cluster_data("xd");
  auto disks = query("SHOW PROC '/backends/10001'");
  ASSERT_FALSE(disks.empty());
  const std::string root = *disks[0]["RootPath"];
  exec("ADMIN EMULATOR SET BACKEND 10001 DISK '" + root + "' AVAIL = 100000000000 TOTAL = 1000000000000");
  auto args = run_args(kMonday);
  std::replace(args.begin(), args.end(), std::string("json"), std::string("text"));
  const Finished f = wait(spawn(args));
  exec("ADMIN EMULATOR SET BACKEND 10001 DISK '" + root + "' AVAIL = 900000000000 TOTAL = 1000000000000");
  EXPECT_EQ(f.code, kExitPrecheck) << describe(f);
  EXPECT_NE(f.err.find("snapshot disk " + root + " on backend 10001 has 10.00% free, below the policy's threshold"),
            std::string::npos)
      << f.err;
  EXPECT_NE(f.err.find("free space on that disk"), std::string::npos);  // how to fix it
  EXPECT_NE(f.err.find("starkeep run [warning]: alert: disk " + root + " of backend 10001: 10.00% free"), std::string::npos) << f.err;  // the alert
  EXPECT_NE(f.err.find("starkeep run [error]: pre-check failed: snapshot disk"), std::string::npos) << f.err;
  EXPECT_TRUE(server_jobs("xd_a").empty());
  EXPECT_TRUE(server_jobs("xd_b").empty());
  EXPECT_TRUE(history("xd_a").empty());
}

// Issue 4 point 5: databases run in parallel up to --parallel (their jobs overlap on the server with 2, never with
// 1), one job per database at a time.
TEST_F(RunAcceptanceE2e, DatabasesRunInParallelUpToTheLimit) {
  make_cluster_data("xp");
  auto interval = [&](const std::string& db, const std::string& label) {
    auto rows = query("SELECT started_at_utc, finished_at_utc FROM ops.backup_history WHERE database_name = '" + db +
                      "' AND label = '" + label + "' AND state = 'FINISHED'");
    EXPECT_EQ(rows.size(), 1u) << db << " " << label;
    return rows.empty() ? std::pair<std::string, std::string>{}
                        : std::pair{*rows[0]["started_at_utc"], *rows[0]["finished_at_utc"]};
  };
  for (const char* db : {"xp_a", "xp_b"}) {
    exec(std::string("ADMIN EMULATOR DELAY JOB AT UPLOADING IN DATABASE ") + db + " SECONDS 60");  // ~3 s each
  }
  const Finished two = run(kMonday, {"--parallel", "2"});
  ASSERT_EQ(two.code, kExitOk) << describe(two);
  auto a = interval("xp_a", "xp_a_20250915_inc");
  auto b = interval("xp_b", "xp_b_20250915_inc");
  EXPECT_TRUE(a.first < b.second && b.first < a.second) << a.first << ".." << a.second << " / " << b.first << ".."
                                                        << b.second;

  for (const char* db : {"xp_a", "xp_b"}) {
    exec(std::string("INSERT INTO ") + db + ".orders VALUES (9, '2025-09-16', 90)");
    exec(std::string("ADMIN EMULATOR DELAY JOB AT UPLOADING IN DATABASE ") + db + " SECONDS 60");
  }
  const Finished one = run(kTuesday, {"--parallel", "1"});
  ASSERT_EQ(one.code, kExitOk) << describe(one);
  a = interval("xp_a", "xp_a_20250916_inc");
  b = interval("xp_b", "xp_b_20250916_inc");
  EXPECT_TRUE(b.first >= a.second || a.first >= b.second)
      << a.first << ".." << a.second << " / " << b.first << ".." << b.second;
}

std::string alert_policy(int am_port, int hook_port) {
  return fmt::format(R"(  alert "repo_down" {{ when = repository.unreachable; notify = ["am", "hook"]; severity = critical }}
  notifier "am"   {{ webhook = "http://127.0.0.1:{}/api/v2/alerts"; format = alertmanager }}
  notifier "hook" {{ webhook = "http://127.0.0.1:{}/hooks/backups" }}
)",
                     am_port, hook_port);
}

// Issue 4 points 3 and 8: a repository-down run delivers repo_down to both receivers with the documented payloads
// (docs/alerts.md) and no secret; the run's exit code is the repository's (14).
TEST_F(RunAcceptanceE2e, RepositoryDownAlertReachesAlertmanagerAndWebhookReceivers) {
  HttpReceiver am;
  HttpReceiver hook;
  const std::string secret = "Zq8SecretKeyValue";
  make_cluster_data("xa", alert_policy(am.port(), hook.port()), secret);
  exec("ADMIN EMULATOR SET REPOSITORY xa_repo UNREACHABLE = true");
  const Finished f = run(kMonday);
  exec("ADMIN EMULATOR SET REPOSITORY xa_repo UNREACHABLE = false");
  EXPECT_EQ(f.code, kExitRepository) << describe(f);

  auto am_requests = am.requests();
  ASSERT_EQ(am_requests.size(), 1u) << describe(f);
  const auto& r = am_requests[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.target, "/api/v2/alerts");
  EXPECT_EQ(r.header("content-type"), "application/json");
  EXPECT_EQ(r.body.find(secret), std::string::npos) << r.body;
  const auto body = nlohmann::json::parse(r.body);
  ASSERT_TRUE(body.is_array());
  ASSERT_EQ(body.size(), 1u);
  const auto& alert = body[0];
  EXPECT_EQ(alert["labels"]["alertname"], "repo_down");
  EXPECT_EQ(alert["labels"]["severity"], "critical");
  EXPECT_EQ(alert["labels"]["policy"], "e2e");
  EXPECT_EQ(alert["labels"]["repository"], "xa_repo");
  EXPECT_NE(alert["annotations"]["summary"].get<std::string>().find("xa_repo"), std::string::npos);
  EXPECT_NE(alert["annotations"]["description"].get<std::string>().find("503"), std::string::npos);
  EXPECT_FALSE(alert["annotations"]["run_id"].get<std::string>().empty());
  EXPECT_EQ(alert["annotations"]["fingerprint"].get<std::string>().size(), 16u);
  EXPECT_TRUE(alert.contains("startsAt"));
  EXPECT_FALSE(alert.contains("endsAt"));  // a failure is never announced as resolved

  auto hook_requests = hook.requests();
  ASSERT_EQ(hook_requests.size(), 1u);
  EXPECT_EQ(hook_requests[0].target, "/hooks/backups");
  EXPECT_EQ(hook_requests[0].body.find(secret), std::string::npos);
  const auto event = nlohmann::json::parse(hook_requests[0].body);
  EXPECT_EQ(event["version"], "1");
  EXPECT_EQ(event["source"], "starkeep");
  EXPECT_EQ(event["alert"], "repo_down");
  EXPECT_EQ(event["severity"], "critical");
  EXPECT_EQ(event["status"], "firing");
  EXPECT_EQ(event["labels"]["repository"], "xa_repo");
  EXPECT_EQ(event["labels"]["run_id"], alert["annotations"]["run_id"]);
  EXPECT_EQ(event["fingerprint"], alert["annotations"]["fingerprint"]);
  EXPECT_TRUE(event["ends_at"].is_null());
  EXPECT_EQ(f.err.find(secret), std::string::npos);
}

// Issue 4 point 5: "an alert when a job runs past its tier's window while still running" — delivered once to a
// real receiver for the job whose window ends while it runs (run 2 s before the window's end, job ~3 s), and not
// for a job that ends inside its window, although the wall clock is a year past both (the window is measured on the
// run's timeline).
TEST_F(RunAcceptanceE2e, OverrunAlertOnlyForTheJobStillRunningAfterItsWindow) {
  HttpReceiver hook;
  make_cluster_data("xo", fmt::format(R"(  alert "overrun" {{ when = job.elapsed > tier.window; notify = "hook" }}
  notifier "hook" {{ webhook = "http://127.0.0.1:{}/hooks/backups" }}
)",
                                      hook.port()));
  const Finished inside = run(kMonday, {"--database", "xo_b"});
  ASSERT_EQ(inside.code, kExitOk) << describe(inside);
  EXPECT_TRUE(hook.requests().empty()) << hook.requests()[0].body;

  exec("ADMIN EMULATOR DELAY JOB AT UPLOADING IN DATABASE xo_a SECONDS 80");  // ~4 s at --time-scale 20
  const Finished late = run("2025-09-15T02:59:58Z", {"--database", "xo_a"});  // the daily window ends at 03:00
  ASSERT_EQ(late.code, kExitOk) << describe(late);
  auto requests = hook.requests();
  ASSERT_EQ(requests.size(), 1u) << late.err;
  const auto event = nlohmann::json::parse(requests[0].body);
  EXPECT_EQ(event["alert"], "overrun");
  EXPECT_EQ(event["labels"]["database"], "xo_a");
  EXPECT_EQ(event["labels"]["label"], "xo_a_20250915_inc");
  EXPECT_EQ(count(late.err, "\"job.overrun\""), 1) << late.err;
}

// A receiver that answers 500 (retried, then given up) and one that is closed: both failures are logged as
// warnings and the run ends exactly as without notifiers (exit 14, REJECTED rows).
TEST_F(RunAcceptanceE2e, FailingReceiversAreLoggedAndDoNotChangeTheExitCode) {
  HttpReceiver am;
  am.script({}, 500);
  const int closed = sk::alerts::testing::closed_port();
  make_cluster_data("xe", alert_policy(am.port(), closed));
  exec("ADMIN EMULATOR SET REPOSITORY xe_repo UNREACHABLE = true");
  const Finished f = run(kMonday);
  exec("ADMIN EMULATOR SET REPOSITORY xe_repo UNREACHABLE = false");
  EXPECT_EQ(f.code, kExitRepository) << describe(f);
  EXPECT_EQ(am.requests().size(), 4u);  // first attempt + 3 retries on 5xx (docs/alerts.md)
  EXPECT_EQ(count(f.err, "\"alert.failed\""), 2) << f.err;
  EXPECT_NE(f.err.find("HTTP 500"), std::string::npos) << f.err;
  EXPECT_NE(f.err.find(fmt::format("127.0.0.1:{}", closed)), std::string::npos) << f.err;
  EXPECT_EQ(history_in("xe_a", "REJECTED").size(), 1u);
  EXPECT_EQ(history_in("xe_b", "REJECTED").size(), 1u);
}

}  // namespace
