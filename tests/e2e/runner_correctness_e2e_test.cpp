// End to end, issue 10 (runner and reconciliation): the REAL `starkeep run` against the emulator —
//   * item 24: three runners for one first-Sunday slot (monthly covering weekly); the owner stopped exactly when
//     its job FINISHED on the server (STARKEEP_TEST_PAUSE_AT, no timing guesses) while two late runners arrive,
//     then three runners started at the same instant: one FINISHED row per label, and the owner's manifest fully
//     fingerprinted;
//   * items 4 and 19: the connection dropped while the BACKUP is sent (ADMIN EMULATOR LOSE NEXT SUBMIT REPLY),
//     after or before the server took it: never REJECTED on a guess; the job is followed, or the statement sent
//     again under the same attempt once the server has shown it never took;
//   * item 5: a run that is only backing off (a foreign job holds the database) keeps its marker's heartbeat fresh;
//   * item 27: a job that FINISHED while its repository was unreachable is never recorded FINISHED without a
//     backup_timestamp; the next run completes the same row (timestamp, fingerprints);
//   * item 15: a table dropped after `inventory sync` is reported, not fatal to its database (the other tables are
//     backed up, exit 0); the next sync retires it and later runs no longer select it;
//   * item 11: the runner down across a whole monthly window: the next run takes the monthly with the slot's label
//     and the real timestamp, a later run does not take it again, and an as-of restore before it was taken does
//     not pick it.
#include <algorithm>
#include <map>

#include <fmt/chrono.h>
#include <nlohmann/json.hpp>

#include "tests/e2e/run_fixture.h"

namespace {

using namespace sk::e2e;  // NOLINT: the fixture's helpers and exit codes

// The first Sunday of September 2025: the monthly tier (covering the weekly) and the weekly tier are due.
constexpr const char* kFirstSunday = "2025-09-07T01:05:00Z";

constexpr const char* kMonthlyTier = R"(  tier "monthly" {
    backup     = database
    schedule   = first sun of month at 01:00
    retain     = 365d
    window     = 6h
    precedence = 20
    covers     = ["weekly"]
  }
)";

class RunnerCorrectnessE2e : public RunFixture {
 protected:
  std::vector<std::string> first_sunday_args(const std::string& db) {
    return run_args(kFirstSunday, {"--database", db});
  }

  // Exactly one FINISHED row per label of `db`, each with a backup_timestamp and a manifest whose every entry is
  // fingerprinted; returns the FINISHED rows.
  std::vector<Row> expect_one_fingerprinted_row_per_label(const std::string& db, std::size_t entries) {
    auto finished = history_in(db, "FINISHED");
    std::map<std::string, int> per_label;
    for (auto& r : finished) ++per_label[*r["label"]];
    for (const auto& [label, n] : per_label) EXPECT_EQ(n, 1) << db << ": FINISHED rows of " << label;
    for (auto& r : finished) {
      EXPECT_TRUE(r["backup_timestamp"].has_value()) << *r["label"];
      auto m = manifest(*r["attempt_id"]);
      EXPECT_EQ(m.size(), entries) << *r["label"];
      for (auto& e : m) {
        EXPECT_TRUE(e["checksum_algorithm"].value_or("").starts_with("murmur_hash3_32_sum@")) << *e["table_name"] << "." << *e["partition_name"];
        EXPECT_TRUE(e["checksum"].has_value()) << *e["table_name"] << "." << *e["partition_name"];
      }
    }
    return finished;
  }
};

// Item 24, the race the soak found: the owner's job FINISHED on the server but its history is not written yet when
// two more runners arrive for the same slot. They see the snapshot OK and must write no row of their own; the owner
// then records its row FINISHED and fingerprints ITS manifest.
TEST_F(RunnerCorrectnessE2e, LateRunnersOfAFinishedSlotWriteNoRowAndTheOwnerRecordsFullChecksums) {
  make_cluster_data("tl", kMonthlyTier);
  Proc owner = spawn(first_sunday_args("tl_a"), {"STARKEEP_TEST_PAUSE_AT=finished"});
  ASSERT_TRUE(wait_stopped(owner)) << slurp(owner.err);
  ASSERT_EQ(server_state("tl_a"), "FINISHED");
  Proc late1 = spawn(first_sunday_args("tl_a"));
  Proc late2 = spawn(first_sunday_args("tl_a"));
  const Finished a = wait(late1);
  const Finished b = wait(late2);
  EXPECT_EQ(a.code, kExitAlreadyHandled) << describe(a);
  EXPECT_EQ(b.code, kExitAlreadyHandled) << describe(b);
  EXPECT_TRUE(history_in("tl_a", "FINISHED").empty()) << "a late runner wrote a FINISHED row";
  ::kill(owner.pid, SIGCONT);
  const Finished o = wait(owner);
  ASSERT_EQ(o.code, kExitOk) << describe(o);

  auto rows = expect_one_fingerprinted_row_per_label("tl_a", 4);  // customers + orders p1..p3
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(history("tl_a").size(), 1u);          // one row per attempt: only the owner attempted
  EXPECT_EQ(snapshots_named(*rows[0]["label"]), 1);
  EXPECT_EQ(server_jobs("tl_a").size(), 1u);
}

// Item 24 as the soak ran it: three runners started at the same instant for one first-Sunday slot of two databases.
TEST_F(RunnerCorrectnessE2e, ThreeConcurrentRunnersOfAFirstSundaySlotLeaveOneFingerprintedRowPerLabel) {
  make_cluster_data("tc", kMonthlyTier);
  std::vector<Proc> procs;
  for (int i = 0; i < 3; ++i) procs.push_back(spawn(run_args(kFirstSunday)));
  // A runner that won one database and found the other handled exits 11 (11 outranks 0: item 20, not ours).
  for (auto& p : procs) {
    const Finished f = wait(p);
    EXPECT_TRUE(f.code == kExitOk || f.code == kExitAlreadyHandled) << describe(f);
  }
  for (const char* db : {"tc_a", "tc_b"}) {
    auto rows = expect_one_fingerprinted_row_per_label(db, 4);
    ASSERT_EQ(rows.size(), 1u) << db;
    EXPECT_EQ(snapshots_named(*rows[0]["label"]), 1) << db;  // one snapshot, no _r1
    EXPECT_TRUE(history_in(db, "SUBMITTING").empty()) << db;
    EXPECT_TRUE(history_in(db, "RUNNING").empty()) << db;
  }
}

// Item 27: the job FINISHED, then the repository became unreachable before its timestamp was read. The run exits
// with the repository's code and leaves the row unsettled (RUNNING, no timestamp) — never FINISHED with NULL; the
// next run, with the repository back, completes the same row.
TEST_F(RunnerCorrectnessE2e, JobFinishedWhileTheRepositoryIsUnreachableIsCompletedByTheNextRun) {
  make_cluster_data("tu");
  Proc p = spawn(run_args(kMonday, {"--database", "tu_a"}), {"STARKEEP_TEST_PAUSE_AT=finished"});
  ASSERT_TRUE(wait_stopped(p)) << slurp(p.err);
  exec("ADMIN EMULATOR SET REPOSITORY tu_repo UNREACHABLE = true");
  ::kill(p.pid, SIGCONT);
  const Finished first = wait(p);
  exec("ADMIN EMULATOR SET REPOSITORY tu_repo UNREACHABLE = false");
  EXPECT_EQ(first.code, kExitRepository) << describe(first);
  EXPECT_TRUE(history_in("tu_a", "FINISHED").empty()) << "FINISHED without a backup_timestamp";
  auto rows = history_in("tu_a", "RUNNING");
  ASSERT_EQ(rows.size(), 1u) << describe(first);
  EXPECT_FALSE(rows[0]["backup_timestamp"].has_value());

  const Finished next = run(kMonday, {"--database", "tu_a"});
  EXPECT_EQ(next.code, kExitAlreadyHandled) << describe(next);
  auto all = history("tu_a");
  ASSERT_EQ(all.size(), 1u) << describe(next);  // the same attempt, completed
  EXPECT_EQ(all[0]["attempt_id"], rows[0]["attempt_id"]);
  EXPECT_EQ(all[0]["state"], "FINISHED");
  EXPECT_TRUE(all[0]["backup_timestamp"].has_value());
  expect_one_fingerprinted_row_per_label("tu_a", 3);  // orders p1..p3
  EXPECT_EQ(snapshots_named("tu_a_20250915_inc"), 1);
}

// Items 4 and 19: the server took the BACKUP but the client lost the connection before the answer. The run asks
// the server, follows the job by its label and records the same attempt FINISHED.
TEST_F(RunnerCorrectnessE2e, ConnectionLostAfterTheServerTookTheBackupIsFollowedToTheEnd) {
  make_cluster_data("ta");
  exec("ADMIN EMULATOR LOSE NEXT SUBMIT REPLY AFTER ACCEPT");
  const Finished f = run(kMonday, {"--database", "ta_a"});
  reconnect();  // the fault dropped the fixture's connection too
  EXPECT_EQ(f.code, kExitOk) << describe(f);
  EXPECT_NE(f.err.find("job.submit_unknown"), std::string::npos) << f.err;
  auto rows = history("ta_a");
  ASSERT_EQ(rows.size(), 1u) << describe(f);
  EXPECT_EQ(rows[0]["state"], "FINISHED");
  EXPECT_TRUE(rows[0]["backup_timestamp"].has_value());
  EXPECT_EQ(server_jobs("ta_a").size(), 1u);
  EXPECT_EQ(snapshots_named("ta_a_20250915_inc"), 1);
}

// Items 4 and 19: the connection dropped before the server took the BACKUP. The attempt stays SUBMITTING (not
// REJECTED, not exit 16); once the server has shown no job and no snapshot with the label (after the visibility
// grace), the same statement is sent again under the same attempt and manifest, and the slot is done once.
TEST_F(RunnerCorrectnessE2e, ConnectionLostBeforeTheServerTookTheBackupIsSentAgainUnderTheSameAttempt) {
  make_cluster_data("tb");
  exec("ADMIN EMULATOR LOSE NEXT SUBMIT REPLY BEFORE ACCEPT");
  const Finished f = run(kMonday, {"--database", "tb_a"});
  reconnect();
  EXPECT_EQ(f.code, kExitOk) << describe(f);
  EXPECT_NE(f.err.find("job.resubmit"), std::string::npos) << f.err;
  auto rows = history("tb_a");
  ASSERT_EQ(rows.size(), 1u) << describe(f);  // one attempt, no REJECTED row
  EXPECT_EQ(rows[0]["state"], "FINISHED");
  EXPECT_EQ(rows[0]["label"], "tb_a_20250915_inc");  // the same label, no _r1
  EXPECT_EQ(manifest(*rows[0]["attempt_id"]).size(), 3u);
  EXPECT_EQ(snapshots_named("tb_a_20250915_inc"), 1);
}

// Item 5: while a foreign job keeps the database busy the run only backs off (no job of its own to poll); its
// marker's heartbeat must still move, or another runner would judge it dead after --stale-heartbeat-seconds.
TEST_F(RunnerCorrectnessE2e, BusyBackoffKeepsTheRunsHeartbeatFresh) {
  make_cluster_data("th");
  exec("ADMIN EMULATOR START FOREIGN BACKUP IN DATABASE th_a SECONDS 100000");
  Proc p = spawn(run_args(kMonday, {"--database", "th_a", "--busy-retries", "2", "--busy-delay-ms", "3000",
                                    "--stale-heartbeat-seconds", "5"}));
  auto heartbeat_moved = [&] {
    try {
      auto m = query("SELECT heartbeat_at_utc, started_at_utc FROM ops.run_status WHERE database_name = 'th_a' "
                     "AND state = 'ACTIVE'");
      return !m.empty() && m[0]["heartbeat_at_utc"] > m[0]["started_at_utc"];
    } catch (const SqlError&) {
      return false;  // the ops tables are not created yet
    }
  };
  EXPECT_TRUE(eventually(heartbeat_moved, 30)) << slurp(p.err);
  const Finished f = wait(p);
  try {
    exec("CANCEL BACKUP FROM th_a");
  } catch (const SqlError&) {
  }
  EXPECT_EQ(f.code, kExitConflict) << describe(f);
  EXPECT_NE(f.err.find("job.busy"), std::string::npos) << f.err;
}

// Item 15: DROP TABLE between `inventory sync` and the run. The weekly of the database still backs up its other
// table (exit 0; the database's JSON names the dropped table); `inventory sync` retires it (kept in
// ops.table_inventory with retired_at_utc); a run without --inventory then no longer selects it.
TEST_F(RunnerCorrectnessE2e, ADroppedTableIsReportedAndTheDatabasesOtherTablesAreBackedUp) {
  make_cluster_data("dt");
  exec("CREATE TABLE dt_a.stores (id INT NOT NULL, city VARCHAR(32)) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id) "
       "BUCKETS 1 PROPERTIES ('replication_num' = '1')");
  exec("INSERT INTO dt_a.stores VALUES (1, 'rome')");
  const std::string port = std::to_string(cluster().emulator().port());
  const std::vector<std::string> sync{sk::test::starkeep_binary(), "inventory", "sync", "--policy",
                                      (dir_ / "policy.skp").string(), "--host", "127.0.0.1", "--port", port,
                                      "--user", "root"};
  const Finished init = wait(spawn({sk::test::starkeep_binary(), "init", "--replication-num", "1", "--host",
                                    "127.0.0.1", "--port", port, "--user", "root"}));
  ASSERT_EQ(init.code, kExitOk) << describe(init);
  const Finished first_sync = wait(spawn(sync));
  ASSERT_EQ(first_sync.code, kExitOk) << describe(first_sync);
  exec("DROP TABLE dt_a.stores");

  // The run reads the inventory from ops.table_inventory (no --inventory), which still lists stores.
  auto without_inventory = [&](const char* at) {
    std::vector<std::string> a = run_args(at, {"--database", "dt_a"});
    auto it = std::find(a.begin(), a.end(), "--inventory");
    a.erase(it, it + 2);
    return wait(spawn(a));
  };
  const Finished sunday = without_inventory(kSunday);
  ASSERT_EQ(sunday.code, kExitOk) << describe(sunday);
  auto report = nlohmann::json::parse(sunday.out, nullptr, false);
  ASSERT_FALSE(report.is_discarded()) << sunday.out;
  ASSERT_EQ(report["databases"].size(), 1u) << sunday.out;
  EXPECT_EQ(report["databases"][0]["outcome"], "success") << sunday.out;
  EXPECT_EQ(report["databases"][0]["dropped_tables"], nlohmann::json::array({"dt_a.stores"})) << sunday.out;
  EXPECT_NE(sunday.err.find("job.table_dropped"), std::string::npos) << sunday.err;
  auto finished = history_in("dt_a", "FINISHED");
  ASSERT_EQ(finished.size(), 1u);
  EXPECT_NE(finished[0]["objects"]->find("customers"), std::string::npos) << *finished[0]["objects"];
  EXPECT_EQ(finished[0]["objects"]->find("stores"), std::string::npos) << *finished[0]["objects"];

  const Finished second_sync = wait(spawn(sync));
  ASSERT_EQ(second_sync.code, kExitOk) << describe(second_sync);
  EXPECT_NE(second_sync.out.find("gone     dt_a.stores"), std::string::npos) << second_sync.out;
  EXPECT_NE(second_sync.out.find("retired"), std::string::npos) << second_sync.out;
  auto retired = query("SELECT table_name, retired_at_utc FROM ops.table_inventory WHERE database_name = 'dt_a' "
                       "AND table_name = 'stores'");
  ASSERT_EQ(retired.size(), 1u) << "kept for restores of older snapshots";
  EXPECT_TRUE(retired[0]["retired_at_utc"].has_value());

  const Finished next_sunday = without_inventory("2025-09-21T01:05:00Z");
  ASSERT_EQ(next_sunday.code, kExitOk) << describe(next_sunday);
  EXPECT_EQ(next_sunday.out.find("dropped_tables"), std::string::npos) << next_sunday.out;
  EXPECT_EQ(next_sunday.err.find("job.table_dropped"), std::string::npos) << next_sunday.err;
}

// The current UTC second as ISO 8601, once the wall clock is past it: every backup finished so far finished at or
// before it, every later one after it.
std::string instant_now() {
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  while (std::chrono::system_clock::now() < now + std::chrono::seconds(1)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", now);
}

// Item 11: the monthly (first sun of month at 01:00, window 6h) of 2025-08-03 is taken; the runner is down across
// the whole window of 2025-09-07 (01:00-07:00) and comes back at 12:00 that day, when no slot is in its window.
// Before the fix that run found nothing due (exit 10) and September had no baseline.
TEST_F(RunnerCorrectnessE2e, RunnerDownAcrossAMonthlyWindowCatchesUpWithTheSlotsLabelAndTheRealTimestamp) {
  make_cluster_data("cu", kMonthlyTier);
  const Finished august = run("2025-08-03T01:05:00Z", {"--database", "cu_a"});
  ASSERT_EQ(august.code, kExitOk) << describe(august);
  ASSERT_EQ(history_in("cu_a", "FINISHED").size(), 1u);
  const std::string before_catch_up = instant_now();
  exec("INSERT INTO cu_a.customers VALUES (3, 'cy')");  // only a backup taken after before_catch_up holds it

  const Finished back = run("2025-09-07T12:00:00Z", {"--database", "cu_a"});
  ASSERT_EQ(back.code, kExitOk) << describe(back);
  EXPECT_NE((back.out + back.err).find("catch-up of 2025-09-07T01:00:00Z"), std::string::npos)
      << describe(back);
  auto rows = query("SELECT label, state, slot_utc, finished_at_utc, backup_timestamp, tiers FROM ops.backup_history "
                    "WHERE database_name = 'cu_a' AND label = 'cu_a_20250907_base'");
  ASSERT_EQ(rows.size(), 1u) << describe(back);
  EXPECT_EQ(rows[0]["state"], "FINISHED");
  EXPECT_EQ(rows[0]["slot_utc"], "2025-09-07 01:00:00");  // the label and the slot are the missed slot's
  ASSERT_TRUE(rows[0]["finished_at_utc"].has_value());
  ASSERT_TRUE(rows[0]["backup_timestamp"].has_value());
  // The real instant it was taken, after the run came back (the wall clock, not the slot or the --at instant).
  const std::string before_sql = before_catch_up.substr(0, 10) + " " + before_catch_up.substr(11, 8);
  EXPECT_GT(rows[0]["finished_at_utc"]->substr(0, 19), before_sql);
  EXPECT_NE(rows[0]["tiers"]->find("weekly"), std::string::npos) << "the monthly's catch-up covers that Sunday's weekly";
  // The daily never backed cu_a up, so its latest slot (Saturday) was not missed; nothing else was taken.
  EXPECT_EQ(history_in("cu_a", "FINISHED").size(), 2u);

  // A later run before the next firing finds the slot done: nothing due, no second backup.
  const Finished again = run("2025-09-07T13:00:00Z", {"--database", "cu_a"});
  EXPECT_EQ(again.code, kExitNothingDue) << describe(again);
  EXPECT_EQ(history("cu_a").size(), 2u);
  EXPECT_EQ(snapshots_named("cu_a_20250907_base"), 1);

  // As of an instant before the catch-up was taken, the restore uses August's monthly, never the catch-up whose
  // slot (2025-09-07) is older than that instant; as of now, the catch-up.
  auto restore_plan = [&](const std::string& as_of) {
    const Finished f = wait(spawn({sk::test::starkeep_binary(), "restore", "table", "cu_a.customers", "--as-of", as_of,
                                   "--as", "customers_then", "--dry-run", "--format", "json", "--host", "127.0.0.1",
                                   "--port", std::to_string(cluster().emulator().port()), "--user", "root"}));
    EXPECT_EQ(f.code, kExitOk) << describe(f);
    const nlohmann::json j = nlohmann::json::parse(f.out, nullptr, false);
    std::vector<std::string> labels;
    if (j.is_object() && j.contains("steps")) {
      for (const auto& step : j["steps"]) labels.push_back(step["label"].get<std::string>());
    }
    return labels;
  };
  EXPECT_EQ(restore_plan(before_catch_up), std::vector<std::string>{"cu_a_20250803_base"});
  EXPECT_EQ(restore_plan(instant_now()), std::vector<std::string>{"cu_a_20250907_base"});
}

}  // namespace
