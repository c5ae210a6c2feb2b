// End to end: `starkeep run` (the real binary) against the emulator. Each test uses its own databases and
// repository in one shared emulated cluster (--enable-faults, --time-scale 20, 3 backends, Asia/Shanghai).
#include "tests/e2e/run_fixture.h"

namespace {

using namespace sk::e2e;  // NOLINT: the fixture's helpers and exit codes

class RunE2e : public RunFixture {
 protected:
  // The fingerprint of one partition computed here, independently of starkeep, with the documented SQL
  // (docs/operations.md "Restore" step 6; reference/starrocks.md §8): "rows=N sum=S".
  std::string partition_fingerprint(const std::string& db, const std::string& partition) {
    auto rows = query(R"(SELECT COUNT(*) AS n, SUM(CAST(murmur_hash3_32(concat_ws('|', )"
                      R"(ifnull(cast(`id` AS VARCHAR), '\N'), ifnull(cast(`dt` AS VARCHAR), '\N'), )"
                      R"(ifnull(cast(`amount` AS VARCHAR), '\N'))) AS BIGINT)) AS s FROM `)" +
                      db + "`.`orders` PARTITION (`" + partition + "`)");
    return fmt::format("rows={} sum={}", rows.at(0)["n"].value_or("?"), rows.at(0)["s"].value_or("0"));
  }
  static std::string recorded_fingerprint(Row& entry) {
    return fmt::format("rows={} sum={}", entry["checksum_row_count"].value_or("?"), entry["checksum"].value_or("?"));
  }
};

// (a) One daily run: history FINISHED with label and JobId, manifest written, SHOW SNAPSHOT has it; a second run
// for the same slot submits nothing.
TEST_F(RunE2e, DailyRunRecordsHistoryAndASecondRunForTheSlotSubmitsNothing) {
  make_cluster_data("ea");
  const Finished first = run(kMonday);
  ASSERT_EQ(first.code, kExitOk) << describe(first);
  for (const char* db : {"ea_a", "ea_b"}) {
    const std::string label = std::string(db) + "_20250915_inc";
    auto finished = history_in(db, "FINISHED");
    ASSERT_EQ(finished.size(), 1u) << db << describe(first);
    EXPECT_EQ(finished[0]["label"], label);
    EXPECT_TRUE(finished[0]["job_id"].has_value());
    ASSERT_TRUE(finished[0]["backup_timestamp"].has_value());
    EXPECT_EQ(snapshot_status(label), "OK");
    // The manifest has the three partitions of the fact table with their versions.
    auto entries = manifest(*finished[0]["attempt_id"]);
    ASSERT_EQ(entries.size(), 3u);
    EXPECT_EQ(entries[0]["partition_name"], "p1");
    // Fingerprints recorded after FINISHED (the data did not change since): equal to the ones computed here.
    long long bytes = 0;
    for (auto& e : entries) {
      EXPECT_TRUE(e["checksum_algorithm"].value_or("").starts_with("murmur_hash3_32_sum@")) << *e["partition_name"];
      EXPECT_EQ(recorded_fingerprint(e), partition_fingerprint(db, *e["partition_name"])) << *e["partition_name"];
      EXPECT_EQ(e["checksum_row_count"], "1");
      ASSERT_TRUE(e["data_size"].has_value());
      bytes += std::stoll(*e["data_size"]);
    }
    // backup_history.bytes: the sum of the manifest's data_size (partitions_meta DATA_SIZE before submission).
    EXPECT_GT(bytes, 0);
    EXPECT_EQ(finished[0]["bytes"], std::to_string(bytes));
    // The server's own record matches the label we chose (pitfall 1: compared unquoted).
    auto show = query(std::string("SHOW BACKUP FROM ") + db);
    ASSERT_EQ(show.size(), 1u);
    EXPECT_EQ(show[0]["SnapshotName"], label);
    EXPECT_EQ(show[0]["JobId"], finished[0]["job_id"]);
  }
  // JSON log lines carry run_id, database, label and job_id; SQL is logged at debug level.
  EXPECT_NE(first.err.find("\"job_id\""), std::string::npos);
  EXPECT_NE(first.err.find("\"run_id\":\""), std::string::npos);
  EXPECT_NE(first.err.find("\"database\":\"ea_a\""), std::string::npos);
  EXPECT_NE(first.err.find("\"label\":\"ea_a_20250915_inc\""), std::string::npos);
  EXPECT_NE(first.err.find("BACKUP SNAPSHOT"), std::string::npos);
  EXPECT_EQ(first.err.find("'s'"), std::string::npos);  // no secret

  auto job_before = query("SHOW BACKUP FROM ea_a")[0]["JobId"];
  const Finished second = run(kMonday);
  EXPECT_EQ(second.code, kExitAlreadyHandled) << describe(second);
  EXPECT_EQ(query("SHOW BACKUP FROM ea_a")[0]["JobId"], job_before);  // no new job
  EXPECT_EQ(snapshots_named("ea_a_20250915_inc"), 1);                  // no _r1
  EXPECT_EQ(history_in("ea_a", "FINISHED").size(), 1u);

  // starkeep status: nothing unsettled; the server's latest jobs are listed.
  const Finished status = wait(spawn({sk::test::starkeep_binary(), "status", "--format", "json", "--database", "ea_a", "--host",
                                      "127.0.0.1", "--port", std::to_string(cluster().emulator().port())}));
  ASSERT_EQ(status.code, kExitOk) << describe(status);
  EXPECT_NE(status.out.find("\"unfinished\": []"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("ea_a_20250915_inc"), std::string::npos) << status.out;
}

// (b) Four runners started at once for the same slot: exactly one BACKUP per database.
TEST_F(RunE2e, FourConcurrentRunnersSubmitExactlyOneBackupPerDatabase) {
  make_cluster_data("eb");
  // Jobs stay in UPLOADING for a while, so the slower runners find them running.
  exec("ADMIN EMULATOR DELAY JOB AT UPLOADING IN DATABASE eb_a SECONDS 40");
  exec("ADMIN EMULATOR DELAY JOB AT UPLOADING IN DATABASE eb_b SECONDS 40");
  std::vector<Proc> procs;
  for (int i = 0; i < 4; ++i) procs.push_back(spawn(run_args(kMonday)));
  std::vector<Finished> results;
  for (auto& p : procs) results.push_back(wait(p));
  int winners = 0;
  for (const auto& r : results) {
    EXPECT_TRUE(r.code == kExitOk || r.code == kExitAlreadyHandled) << describe(r);
    winners += r.code == kExitOk;
  }
  for (const char* db : {"eb_a", "eb_b"}) {
    const std::string label = std::string(db) + "_20250915_inc";
    EXPECT_EQ(snapshots_named(label), 1) << db;  // one snapshot, no _r1
    EXPECT_EQ(snapshot_status(label), "OK");
    EXPECT_EQ(history_in(db, "FINISHED").size(), 1u) << db;
    EXPECT_TRUE(history_in(db, "SUBMITTING").empty());
    EXPECT_TRUE(history_in(db, "RUNNING").empty());
  }
  // One winner per database at most, so at least two of the four runners won nothing and exit 11.
  EXPECT_LE(winners, 2);
  EXPECT_GE(static_cast<int>(std::count_if(results.begin(), results.end(),
                                           [](const Finished& r) { return r.code == kExitAlreadyHandled; })),
            2);
}

// (c) SIGKILL while polling: the next run reconciles (history terminal, no duplicate job).
TEST_F(RunE2e, RunKilledWhilePollingIsReconciledByTheNextRun) {
  make_cluster_data("ec");
  exec("ADMIN EMULATOR DELAY JOB AT UPLOADING IN DATABASE ec_a SECONDS 100");
  Proc p = spawn(run_args(kMonday, {"--database", "ec_a"}));
  ASSERT_TRUE(eventually([&] { return !history_in("ec_a", "RUNNING").empty(); })) << slurp(p.err);
  ::kill(p.pid, SIGKILL);
  const Finished killed = wait(p);
  EXPECT_EQ(killed.code, 128 + SIGKILL);
  ASSERT_EQ(history_in("ec_a", "RUNNING").size(), 1u);  // what the dead run left

  const Finished next = run(kMonday, {"--database", "ec_a"});
  EXPECT_TRUE(next.code == kExitOk || next.code == kExitAlreadyHandled) << describe(next);
  auto rows = history("ec_a");
  ASSERT_EQ(rows.size(), 1u) << describe(next);  // the same attempt row, settled
  EXPECT_EQ(rows[0]["state"], "FINISHED");
  EXPECT_TRUE(rows[0]["backup_timestamp"].has_value());
  EXPECT_EQ(snapshots_named("ec_a_20250915_inc"), 1);  // no duplicate job
}

// (c') SIGTERM stops the run with its exit code; the job continues and the next run settles it.
TEST_F(RunE2e, SigtermInterruptsAndTheNextRunSettles) {
  make_cluster_data("et");
  exec("ADMIN EMULATOR DELAY JOB AT UPLOADING IN DATABASE et_a SECONDS 60");
  Proc p = spawn(run_args(kMonday, {"--database", "et_a"}));
  ASSERT_TRUE(eventually([&] { return !history_in("et_a", "RUNNING").empty(); })) << slurp(p.err);
  ::kill(p.pid, SIGTERM);
  const Finished stopped = wait(p);
  EXPECT_EQ(stopped.code, kExitInterrupted) << describe(stopped);
  ASSERT_TRUE(eventually([&] { return server_state("et_a") == "FINISHED"; }));
  const Finished next = run(kMonday, {"--database", "et_a"});
  EXPECT_EQ(next.code, kExitAlreadyHandled) << describe(next);
  auto rows = history("et_a");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["state"], "FINISHED");
}

// (d) Faults.
TEST_F(RunE2e, UnreachableRepositoryFailsWithItsCodeAndHistory) {
  make_cluster_data("er");
  exec("ADMIN EMULATOR SET REPOSITORY er_repo UNREACHABLE = true");
  const Finished f = run(kMonday);
  exec("ADMIN EMULATOR SET REPOSITORY er_repo UNREACHABLE = false");
  EXPECT_EQ(f.code, kExitRepository) << describe(f);
  EXPECT_NE(f.err.find("er_repo"), std::string::npos);
  auto rejected = history_in("er_a", "REJECTED");
  ASSERT_EQ(rejected.size(), 1u);
  EXPECT_NE(rejected[0]["error_text"]->find("503"), std::string::npos) << *rejected[0]["error_text"];
  EXPECT_EQ(snapshots_named("er_a"), 0);
}

TEST_F(RunE2e, DeadBackendFailsThePrecheck) {
  make_cluster_data("ed");
  exec("ADMIN EMULATOR SET BACKEND 10002 ALIVE = false");
  const Finished f = run(kMonday);
  exec("ADMIN EMULATOR SET BACKEND 10002 ALIVE = true");
  EXPECT_EQ(f.code, kExitPrecheck) << describe(f);
  EXPECT_NE(f.err.find("backend 10002 is not alive"), std::string::npos) << f.err;
  EXPECT_EQ(snapshots_named("ed_a"), 0);
  EXPECT_TRUE(history("ed_a").empty());
}

TEST_F(RunE2e, DroppedConnectionsWhilePollingDoNotEndTheRun) {
  make_cluster_data("ep");
  exec("ADMIN EMULATOR DELAY JOB AT UPLOADING IN DATABASE ep_a SECONDS 80");
  Proc p = spawn(run_args(kMonday, {"--database", "ep_a"}));
  ASSERT_TRUE(eventually([&] { return !history_in("ep_a", "RUNNING").empty(); })) << slurp(p.err);
  for (int i = 0; i < 3; ++i) {
    try {
      exec("ADMIN EMULATOR DROP CONNECTIONS");
    } catch (const SqlError&) {
      // the statement's own connection is dropped too
    }
    reconnect();
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  const Finished f = wait(p);
  EXPECT_EQ(f.code, kExitOk) << describe(f);
  EXPECT_EQ(history_in("ep_a", "FINISHED").size(), 1u);
}

TEST_F(RunE2e, ForeignJobIsRetriedThenConflict) {
  make_cluster_data("ef");
  exec("ADMIN EMULATOR START FOREIGN BACKUP IN DATABASE ef_a SECONDS 100000");
  const Finished f = run(kMonday, {"--database", "ef_a", "--busy-retries", "2", "--busy-delay-ms", "100"});
  try {
    exec("CANCEL BACKUP FROM ef_a");
  } catch (const SqlError&) {
  }
  EXPECT_EQ(f.code, kExitConflict) << describe(f);
  EXPECT_NE(f.err.find("foreign_backup_"), std::string::npos);
  EXPECT_EQ(history_in("ef_a", "REJECTED").size(), 1u);
  EXPECT_EQ(snapshots_named("ef_a"), 0);
}

// (e) Pitfall 4: a write committed into a partition while the snapshot is being taken is in a snapshot after the
// next daily run (the manifest holds the version read before submission, so the partition counts as changed).
TEST_F(RunE2e, WriteRacingTheSnapshotIsInTheNextDailySnapshot) {
  make_cluster_data("ew");
  exec("ADMIN EMULATOR DELAY JOB AT UPLOADING IN DATABASE ew_a SECONDS 60");
  Proc p = spawn(run_args(kMonday, {"--database", "ew_a"}));
  ASSERT_TRUE(eventually([&] { return server_state("ew_a") == "UPLOADING"; })) << slurp(p.err);
  exec("INSERT INTO ew_a.orders VALUES (4, '2025-09-20', 40)");  // into p2, after the snapshot point
  const auto p2_version = query("SELECT VISIBLE_VERSION FROM information_schema.partitions_meta WHERE DB_NAME = "
                                "'ew_a' AND TABLE_NAME = 'orders' AND PARTITION_NAME = 'p2'")[0]["VISIBLE_VERSION"];
  const Finished first = wait(p);
  ASSERT_EQ(first.code, kExitOk) << describe(first);
  // The write raced the snapshot, before the fingerprint: p2's checksum is left NULL (the live data is newer than
  // the snapshot) rather than recorded wrong; p1 and p3 are unchanged and fingerprinted.
  {
    auto monday = history_in("ew_a", "FINISHED");
    ASSERT_EQ(monday.size(), 1u);
    auto entries = manifest(*monday[0]["attempt_id"]);
    ASSERT_EQ(entries.size(), 3u);
    for (auto& e : entries) {
      if (e["partition_name"] == "p2") {
        EXPECT_FALSE(e["checksum"].has_value()) << *e["checksum"];
        EXPECT_FALSE(e["checksum_algorithm"].has_value());
      } else {
        EXPECT_TRUE(e["checksum_algorithm"].value_or("").starts_with("murmur_hash3_32_sum@")) << *e["partition_name"];
        EXPECT_EQ(recorded_fingerprint(e), partition_fingerprint("ew_a", *e["partition_name"]));
      }
    }
    EXPECT_NE(first.err.find("p2: VisibleVersion"), std::string::npos) << first.err;
  }

  const Finished next = run(kTuesday, {"--database", "ew_a"});
  ASSERT_EQ(next.code, kExitOk) << describe(next);
  auto finished = history_in("ew_a", "FINISHED");
  ASSERT_EQ(finished.size(), 2u);
  auto& tuesday = finished[1]["label"] == "ew_a_20250916_inc" ? finished[1] : finished[0];
  EXPECT_EQ(tuesday["label"], "ew_a_20250916_inc");
  // Only p2 changed since Monday's manifest, and the Tuesday snapshot holds its new version.
  auto entries = manifest(*tuesday["attempt_id"]);
  ASSERT_EQ(entries.size(), 1u) << *tuesday["objects"];
  EXPECT_EQ(entries[0]["partition_name"], "p2");
  EXPECT_EQ(entries[0]["visible_version"], p2_version);
  // Tuesday's snapshot holds the raced row and is fingerprinted with it (2 rows in p2).
  EXPECT_EQ(recorded_fingerprint(entries[0]), partition_fingerprint("ew_a", "p2"));
  EXPECT_EQ(entries[0]["checksum_row_count"], "2");
  EXPECT_EQ(snapshot_status("ew_a_20250916_inc"), "OK");
}

}  // namespace
