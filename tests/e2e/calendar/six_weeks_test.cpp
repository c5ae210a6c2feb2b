// Issue 4 point 10: the production policy run daily for six weeks (Monday 2027-03-01 … Monday 2027-04-12) by the
// real `starkeep run --at <day>T01:05Z` against the emulated cluster (Asia/Shanghai), two databases like
// production (partitioned fact tables, dimension tables, non-partitioned tables), rows written between runs and
// while snapshots are uploading.
//
// The calendar lies in the future on purpose: the runner raises `overrun` when the real clock passes the simulated
// slot + window while a job runs, so a calendar in the past would page `overrun` for every job.
//
// The policy is policies/production.skp with only the database names, the repository name/location (pid) and the
// notifier changed: `notifier "oncall"` posts Alertmanager v2 alerts to a loopback HTTP receiver of this test.
//
// Asserted every day: the exit code, the alerts received, the exact ops.backup_history rows of the day's slot
// (label, state, tiers, kind, database) and the exact set of snapshots the day added to the repository (daily
// `_inc` Mon–Sat when a fact partition changed, weekly `_full` on Sundays, monthly `_base` instead of the weekly on
// the first Sunday). Faults: repository down (14, repo_down), snapshot disk low (15, disk_low), a foreign job
// holding a database (12 after the retries), a dead BE (15), dropped connections while polling (0), a job cancelled
// by the server (13, job_failed; the same slot run again gets `_r1`). At the end, invariant 1: every write is in
// the snapshot of its tier's next successful run (manifest VisibleVersion ≥ the write's, and the server's SHOW
// SNAPSHOT Details lists its partition); racing writes are not counted in the snapshot they raced; and a restore of
// each database as of the end equals the live data row for row.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "tests/e2e/calendar/calendar_driver.h"

namespace sk::e2e::calendar {
namespace {


// What a day should leave for one database.
struct Expected {
  std::vector<std::pair<std::string, std::string>> rows;  // (label, state) of the slot's history rows
  std::set<std::string> snapshots;                        // labels added to the repository
};

std::set<std::string> split(const std::string& s) {
  std::set<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    const auto comma = s.find(',', start);
    out.insert(s.substr(start, comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

std::vector<std::string> alert_names(const std::vector<nlohmann::json>& alerts) {
  std::vector<std::string> out;
  for (const auto& a : alerts) out.push_back(a.value("labels", nlohmann::json::object()).value("alertname", "?"));
  return out;
}

class SixWeeks : public CalendarFixture {
 protected:
  static void SetUpTestSuite() { start_calendar_cluster("Asia/Shanghai"); }

  void SetUp() override {
    CalendarFixture::SetUp();
    sales_ = "sales_" + pid_;
    crm_ = "crm_" + pid_;
    repo_ = "s3_prod_" + pid_;
    ASSERT_TRUE(receiver_.start());
    write_policy(production_policy(sales_, crm_, repo_, "s3a://calendar-" + pid_ + "/prod",
                                   fmt::format("http://127.0.0.1:{}/api/v2/alerts", receiver_.port())));
    for (const auto& db : {sales_, crm_}) exec("CREATE DATABASE " + db);
    create_table(sales_, "fact_orders", kMonthlyPartitions);
    create_table(sales_, "fact_payments", kMonthlyPartitions);
    create_table(sales_, "dim_customer", {});
    create_table(sales_, "region", {});
    create_table(crm_, "fact_events", kMonthlyPartitions);
    create_table(crm_, "dim_account", {});
    create_table(crm_, "notes", {});
    // Rows before the first run (day -1).
    for (const char* t : {"fact_orders", "fact_payments"}) {
      writes_.push_back(insert(sales_, t, "2027-02-20", -1));
      writes_.push_back(insert(sales_, t, "2027-03-01", -1));
    }
    writes_.push_back(insert(crm_, "fact_events", "2027-02-21", -1));
    for (const auto& [db, t] : std::vector<std::pair<std::string, std::string>>{
             {sales_, "dim_customer"}, {sales_, "region"}, {crm_, "dim_account"}, {crm_, "notes"}}) {
      writes_.push_back(insert(db, t, "2027-02-01", -1));
    }
    set_up_starkeep();
  }

  // The rows written after day `d`'s run: every day a fact row per database (dated that day), a late row into
  // February every fifth day, dimension/non-partitioned rows every few days (never after the last weekly).
  void write_after_run(const SimDay& d, int last_weekly) {
    const std::string dt = d.iso_date();
    writes_.push_back(insert(sales_, d.index % 2 ? "fact_orders" : "fact_payments", dt, d.index));
    writes_.push_back(insert(crm_, "fact_events", dt, d.index));
    if (d.index % 5 == 0) writes_.push_back(insert(sales_, "fact_orders", "2027-02-27", d.index));
    if (d.index >= last_weekly) return;
    if (d.index % 3 == 0) {
      writes_.push_back(insert(sales_, "dim_customer", dt, d.index));
      writes_.push_back(insert(crm_, "dim_account", dt, d.index, false, 1 + d.index % 4));  // an upsert
    }
    if (d.index % 4 == 1) {
      writes_.push_back(insert(sales_, "region", dt, d.index));
      writes_.push_back(insert(crm_, "notes", dt, d.index));
    }
  }

  // Runs the day while `db`'s snapshot uploads for 1.5 s and writes into it meanwhile (after the snapshot point).
  Finished run_with_racing_writes(const SimDay& d, const std::string& db, const std::vector<std::string>& tables) {
    exec(fmt::format("ADMIN EMULATOR DELAY JOB AT UPLOADING IN DATABASE {} SECONDS 150", db));
    Proc p = spawn(run_args(d));
    EXPECT_TRUE(wait_for_job_state(db, d.label(db), "UPLOADING")) << db << " " << d.label(db);
    for (const auto& t : tables) writes_.push_back(insert(db, t, d.iso_date(), d.index, true));
    return wait(p);
  }

  std::string sales_, crm_, repo_;
  AlertReceiver receiver_;
  std::vector<Write> writes_;
};

TEST_F(SixWeeks, ProductionPolicyDailyForSixWeeksWithFaults) {
  const std::vector<SimDay> days = make_calendar(2027, 3, 1, 43);  // Mon 2027-03-01 … Mon 2027-04-12
  ASSERT_TRUE(days[6].first_sunday() && days[34].first_sunday());
  ASSERT_TRUE(days[13].sunday() && !days[13].first_sunday() && days[41].sunday() && !days[41].first_sunday());
  const int last_weekly = 41;
  const int quiet_day = 36;  // nothing written after its run, so day 37 has nothing to back up

  std::map<std::string, bool> fact_changed{{sales_, true}, {crm_, true}};
  std::map<std::string, std::map<int, std::string>> finished;  // db → day → label of its FINISHED snapshot
  std::map<std::string, std::string> known = snapshots(repo_);
  ASSERT_TRUE(known.empty());

  for (const SimDay& d : days) {
    SCOPED_TRACE(fmt::format("day {} ({}, {})", d.index, d.at(), d.suffix()));
    const std::size_t writes_before = writes_.size();
    int expected_code = kExitOk;
    std::vector<std::string> expected_alerts;
    std::map<std::string, Expected> expected;
    // Normal outcome for a database: a FINISHED snapshot unless a daily has no changed fact partition.
    auto normal = [&](const std::string& db) {
      if (d.suffix() == "inc" && !fact_changed[db]) return Expected{};
      return Expected{{{d.label(db), "FINISHED"}}, {d.label(db)}};
    };
    expected[sales_] = normal(sales_);
    expected[crm_] = normal(crm_);

    Finished f;
    if (d.index == 2) {
      // Repository down: pre-check fails before anything is submitted; a REJECTED row per due job; repo_down.
      exec(fmt::format("ADMIN EMULATOR SET REPOSITORY {} UNREACHABLE = true", repo_));
      f = run_day(d);
      exec(fmt::format("ADMIN EMULATOR SET REPOSITORY {} UNREACHABLE = false", repo_));
      expected_code = kExitRepository;
      expected_alerts = {"repo_down"};
      for (const auto& db : {sales_, crm_}) expected[db] = Expected{{{d.label(db), "REJECTED"}}, {}};
      EXPECT_NE(f.err.find("repository " + repo_ + " reports an error"), std::string::npos) << f.describe();
    } else if (d.index == 9) {
      // Snapshot disk below the policy's 15 %: pre-check fails, nothing recorded, disk_low.
      exec(fmt::format("ADMIN EMULATOR SET BACKEND 10002 DISK '/data1/starrocks/storage' AVAIL = {}",
                       kDiskTotal / 10));
      f = run_day(d);
      exec(fmt::format("ADMIN EMULATOR SET BACKEND 10002 DISK '/data1/starrocks/storage' AVAIL = {}", kDiskAvail));
      expected_code = kExitPrecheck;
      expected_alerts = {"disk_low"};
      expected[sales_] = expected[crm_] = Expected{};
      EXPECT_NE(f.err.find("below the policy's threshold of 15%"), std::string::npos) << f.describe();
    } else if (d.index == 16) {
      // A foreign backup holds sales: retried with backoff, then REJECTED and exit 12; crm is backed up.
      exec(fmt::format("ADMIN EMULATOR START FOREIGN BACKUP IN DATABASE {} SECONDS 100000", sales_));
      f = run_day(d, {"--busy-retries", "2", "--busy-delay-ms", "50"});
      exec("CANCEL BACKUP FROM " + sales_);
      expected_code = kExitConflict;
      expected[sales_] = Expected{{{d.label(sales_), "REJECTED"}}, {}};
      EXPECT_NE(f.err.find("foreign_backup_"), std::string::npos) << f.describe();
    } else if (d.index == 23) {
      // A dead BE: pre-check fails, nothing recorded. The production policy has no alert for a failed health
      // pre-check, so nothing reaches the receiver (the run logs the pre-check alert).
      exec("ADMIN EMULATOR SET BACKEND 10003 ALIVE = false");
      f = run_day(d);
      exec("ADMIN EMULATOR SET BACKEND 10003 ALIVE = true");
      expected_code = kExitPrecheck;
      expected[sales_] = expected[crm_] = Expected{};
      EXPECT_NE(f.err.find("backend 10003 is not alive"), std::string::npos) << f.describe();
    } else if (d.index == 25) {
      // Connections dropped twice while polling sales' job: the run still succeeds.
      exec(fmt::format("ADMIN EMULATOR DELAY JOB AT UPLOADING IN DATABASE {} SECONDS 200", sales_));
      Proc p = spawn(run_args(d));
      EXPECT_TRUE(wait_for_job_state(sales_, d.label(sales_), "UPLOADING"));
      // crm's job is submitted and done first: a drop during a BACKUP submission is a different case (exit 16).
      EXPECT_TRUE(wait_for_job_state(crm_, d.label(crm_), "FINISHED"));
      for (int i = 0; i < 2; ++i) {
        (void)sql_->exec("ADMIN EMULATOR DROP CONNECTIONS");
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        reconnect();
      }
      f = wait(p);
    } else if (d.index == 30) {
      // The server cancels crm's job: exit 13 and job_failed; the same slot run again submits `_r1`.
      exec(fmt::format("ADMIN EMULATOR FAIL JOB AT UPLOADING IN DATABASE {}", crm_));
      f = run_day(d);
      expected_code = kExitJobFailed;
      expected_alerts = {"job_failed"};
      EXPECT_EQ(f.code, expected_code) << f.describe();
      auto alerts = receiver_.take();
      ASSERT_EQ(alert_names(alerts), expected_alerts);
      EXPECT_EQ(alerts[0]["labels"]["database"], crm_);
      EXPECT_EQ(alerts[0]["labels"]["tier"], "daily");
      EXPECT_EQ(alerts[0]["annotations"]["snapshot_label"], d.label(crm_));
      EXPECT_EQ(alerts[0]["labels"]["severity"], "critical");
      const std::size_t resolutions = receiver_.resolved().size();
      f = run_day(d);  // the scheduler's retry of the same slot
      // crm's `_r1` FINISHED: the job_failed alert (same labels: database, tier) is resolved.
      bool job_failed_resolved = false;
      const auto after = receiver_.resolved();
      for (std::size_t i = resolutions; i < after.size(); ++i) {
        job_failed_resolved |= after[i]["labels"] == alerts[0]["labels"];
      }
      EXPECT_TRUE(job_failed_resolved) << "no resolution of " << alerts[0]["labels"].dump();
      expected_code = kExitOk;  // sales' slot is done; crm's `_r1` really backed up (issue 10 item 20)
      expected_alerts.clear();
      expected[crm_] = Expected{{{d.label(crm_), "CANCELLED"}, {d.label(crm_) + "_r1", "FINISHED"}},
                                {d.label(crm_) + "_r1"}};
    } else if (d.index == 4 || d.index == 34) {
      f = run_with_racing_writes(d, sales_, {"fact_orders", "dim_customer"});
    } else if (d.index == 6 || d.index == 19 || d.index == 40) {
      f = run_with_racing_writes(d, crm_, {"fact_events", "notes"});
    } else if (d.index == 13) {
      f = run_with_racing_writes(d, sales_, {"dim_customer", "region", "fact_payments"});
    } else {
      f = run_day(d);
    }
    if (expected[sales_].rows.empty() && expected[crm_].rows.empty() && expected_code == kExitOk) {
      expected_code = kExitNothingDue;
    }
    ASSERT_EQ(f.code, expected_code) << f.describe();

    // Alerts: exactly the expected ones (none on an ordinary day).
    auto alerts = receiver_.take();
    ASSERT_EQ(alert_names(alerts), expected_alerts) << f.describe();
    for (const auto& a : alerts) {
      EXPECT_EQ(a["labels"]["policy"], "production");
      if (a["labels"]["alertname"] == "repo_down") {
        EXPECT_EQ(a["labels"]["repository"], repo_);
        EXPECT_EQ(a["labels"]["severity"], "critical");
      }
      if (a["labels"]["alertname"] == "disk_low") {
        EXPECT_EQ(a["labels"]["backend"], "10002");
      }
    }

    // History rows of the slot, per database.
    for (const auto& db : {sales_, crm_}) {
      auto rows = history(db, d.slot_utc());
      std::vector<std::pair<std::string, std::string>> got;
      for (const auto& r : rows) {
        got.emplace_back(r.label, r.state);
        EXPECT_EQ(r.database, db);
        if (r.state != "FINISHED") {
          EXPECT_NE(r.error_text, "\\N") << r.label;
          continue;
        }
        finished[db][d.index] = r.label;
        EXPECT_NE(r.backup_timestamp, "\\N") << r.label;
        if (d.first_sunday()) {
          EXPECT_EQ(split(r.tiers), (std::set<std::string>{"monthly", "weekly"})) << r.label;
          EXPECT_EQ(r.kind, "database");
        } else if (d.sunday()) {
          EXPECT_EQ(r.tiers, "weekly");
          EXPECT_EQ(r.kind, "tables");
        } else {
          EXPECT_EQ(r.tiers, "daily");
          EXPECT_EQ(r.kind, "partitions");
        }
      }
      std::sort(got.begin(), got.end());
      EXPECT_EQ(got, expected[db].rows) << db << "\n" << f.describe();
    }
    if (d.index == 2) {
      EXPECT_NE(history(sales_, d.slot_utc())[0].error_text.find("reports an error"), std::string::npos);
    }
    if (d.index == 16) {
      EXPECT_NE(history(sales_, d.slot_utc())[0].error_text.find("foreign_backup_"), std::string::npos);
      EXPECT_NE(history(sales_, d.slot_utc())[0].error_text.find("gave up after 3 tries"), std::string::npos)
          << "two retries with backoff, then exit 12";
    }

    // Snapshots the day added, all OK: the backups, plus one catalog snapshot (the ops tables, for cold-start
    // recovery) per run that finished a backup.
    std::map<std::string, std::string> now = snapshots(repo_);
    std::set<std::string> added;
    int catalogs = 0;
    for (const auto& [label, status] : now) {
      if (known.contains(label)) continue;
      EXPECT_EQ(status, "OK") << label;
      if (label.starts_with("starkeep_catalog_")) {
        ++catalogs;
      } else {
        added.insert(label);
      }
    }
    std::set<std::string> want = expected[sales_].snapshots;
    want.insert(expected[crm_].snapshots.begin(), expected[crm_].snapshots.end());
    EXPECT_EQ(added, want);
    EXPECT_EQ(catalogs, d.index == 30 ? 2 : want.empty() ? 0 : 1);
    known = std::move(now);

    // Daily/monthly snapshots hold only fact partitions that changed / everything; weekly: whole dimension and
    // non-partitioned tables, never a partitioned fact table.
    for (const auto& db : {sales_, crm_}) {
      auto it = finished[db].find(d.index);
      if (it == finished[db].end()) continue;
      auto contents = snapshot_contents(repo_, it->second);
      if (d.first_sunday()) {
        EXPECT_EQ(contents.size(), db == sales_ ? 4u : 3u) << it->second;
      } else if (d.sunday()) {
        std::set<std::string> tables;
        for (const auto& [t, _] : contents) tables.insert(t);
        EXPECT_EQ(tables, db == sales_ ? (std::set<std::string>{"dim_customer", "region"})
                                       : (std::set<std::string>{"dim_account", "notes"}))
            << it->second;
      } else {
        for (const auto& [t, _] : contents) EXPECT_EQ(t.rfind("fact_", 0), 0u) << it->second << " holds " << t;
      }
    }

    // The model: a finished daily/monthly clears "fact changed"; the day's fact writes (racing ones included)
    // set it again.
    for (const auto& db : {sales_, crm_}) {
      if (finished[db].contains(d.index) && d.suffix() != "full") fact_changed[db] = false;
    }
    if (d.index != quiet_day && d.index != 42) write_after_run(d, last_weekly);
    for (std::size_t i = writes_before; i < writes_.size(); ++i) {
      if (writes_[i].fact) fact_changed[writes_[i].db] = true;
    }
    if (HasFatalFailure()) return;
  }

  // Every backup snapshot of the repository is a FINISHED history row.
  const auto backups = std::count_if(known.begin(), known.end(),
                                     [](const auto& s) { return !s.first.starts_with("starkeep_catalog_"); });
  EXPECT_EQ(finished[sales_].size() + finished[crm_].size(), static_cast<std::size_t>(backups));

  // Invariant 1: every write is in the snapshot of its tier's next successful run.
  std::map<std::string, std::map<std::pair<std::string, std::string>, std::int64_t>> manifests;
  std::map<std::string, std::map<std::string, std::set<std::string>>> contents;
  auto manifest_of = [&](const std::string& db, const std::string& label) -> auto& {
    if (!manifests.contains(label)) manifests[label] = manifest(db, label);
    return manifests[label];
  };
  auto contents_of = [&](const std::string& label) -> auto& {
    if (!contents.contains(label)) contents[label] = snapshot_contents(repo_, label);
    return contents[label];
  };
  int racing = 0;
  for (const Write& w : writes_) {
    SCOPED_TRACE(fmt::format("write {} into {}.{} {} (version {}, day {}{})", w.id, w.db, w.table, w.partition,
                             w.version, w.day, w.racing ? ", racing" : ""));
    std::optional<std::string> next;
    for (const auto& [day, label] : finished[w.db]) {
      if (day <= w.day) continue;
      const bool weekly = label.ends_with("_full");
      const bool monthly = label.ends_with("_base");
      if (monthly || (w.fact ? !weekly : weekly)) {
        next = label;
        break;
      }
    }
    ASSERT_TRUE(next.has_value()) << "no later snapshot of its tier";
    // A daily after a failed daily catches up: fact rows written the evening before a fault day are in the daily
    // of the day after it (days 2 and 9 failed for both databases, day 16 for sales, day 23 for both).
    for (const int fault : {2, 9, 16, 23}) {
      if (w.fact && w.day == fault - 1 && (fault != 16 || w.db == sales_)) {
        EXPECT_EQ(*next, days[static_cast<std::size_t>(fault + 1)].label(w.db)) << "catch-up after day " << fault;
      }
    }
    auto& m = manifest_of(w.db, *next);
    auto it = m.find({w.table, w.partition});
    ASSERT_NE(it, m.end()) << *next << " has no manifest entry for the partition";
    EXPECT_GE(it->second, w.version) << *next;
    EXPECT_TRUE(contents_of(*next)[w.table].contains(w.partition)) << *next << " (SHOW SNAPSHOT Details)";
    if (w.racing) {
      ++racing;
      // The snapshot it raced does not count it: its manifest holds an older version of the partition.
      auto raced = finished[w.db].find(w.day);
      ASSERT_NE(raced, finished[w.db].end());
      auto& rm = manifest_of(w.db, raced->second);
      if (auto r = rm.find({w.table, w.partition}); r != rm.end()) {
        EXPECT_LT(r->second, w.version) << raced->second;
      }
    }
  }
  EXPECT_EQ(racing, 13);

  // And the data: each database restored as of now equals the live database, row for row.
  const std::string as_of = instant_now();
  for (const auto& db : {sales_, crm_}) {
    const std::string into = "restored_" + db;
    const Finished r = restore_database(db, as_of, into);
    ASSERT_EQ(r.code, kExitOk) << r.describe();
    ASSERT_EQ(tables_of(into), tables_of(db));
    for (const auto& t : tables_of(db)) EXPECT_EQ(dump(into, t), dump(db, t)) << db << "." << t;
  }
}

}  // namespace
}  // namespace sk::e2e::calendar
