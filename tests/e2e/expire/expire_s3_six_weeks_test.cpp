// Six simulated weeks of the production policy (policies/production.skp: daily changed partitions Mon–Sat kept
// 14 days, weekly dimension tables on Sundays kept 90 days, monthly whole database on the first Sunday kept 365
// days and counting as that Sunday's weekly) on StarRocks 3.3 with the repository on s3rver, `starkeep expire`
// after every run (deletion through the S3 API). After each expire the repository holds exactly the data
// snapshots this test computes on its own from the tiers' retain rules and the chains (below), and the newest
// catalog snapshot; at the end the daily chain behind the policy's hole (fact partitions changed after a monthly
// live only in dailies, which weekly restore points need for 90 days) is still there, and every retained restore
// point of both databases restores with verification PASSED and, table by table, the rows the table had when the
// newest snapshot holding it was taken.
//
// The test's model (docs/retention.md, "What retain means"), written here without the product's code:
//   * every snapshot is a restore point of its database at its slot, retained while slot + retain > now (retain
//     of the longest tier it counts for: a monthly counts for weekly too);
//   * a retained restore point needs, for every partition of every table its database had then, the newest
//     snapshot at or before its slot that holds the partition (dailies hold the partitions they captured, weeklies
//     the dimension tables whole, monthlies everything);
//   * kept = retained, needed by a retained restore point, or the newest snapshot of its database and tier.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "tests/e2e/calendar/calendar_driver.h"

namespace sk::e2e::calendar {
namespace {

constexpr int kDailyDays = 14, kWeeklyDays = 90, kMonthlyDays = 365;

// One data snapshot as the test expects the runner to take it.
struct TestSnapshot {
  std::string db, label;
  int day = 0;            // its slot's day index
  std::string tier;       // "daily", "weekly", "monthly" (a monthly also counts as that Sunday's weekly)
  std::set<std::string> holds;  // "table/partition" (a whole unpartitioned table: "table/")
};

int retain_days(const TestSnapshot& s) {
  return s.tier == "daily" ? kDailyDays : s.tier == "weekly" ? kWeeklyDays : kMonthlyDays;
}

// The labels kept after an expire at day `now` (01:05, after that day's run) over `taken` (every snapshot taken
// so far, in time order), by the rules in the header.
std::set<std::string> expected_kept(const std::vector<TestSnapshot>& taken, int now) {
  std::set<std::string> kept;
  std::map<std::pair<std::string, std::string>, std::string> newest;  // (db, tier) → label
  for (std::size_t i = 0; i < taken.size(); ++i) {
    const TestSnapshot& s = taken[i];
    newest[{s.db, s.tier}] = s.label;
    if (s.tier == "monthly") newest[{s.db, "weekly"}] = s.label;
    // Slots are at 01:00, the expire at 01:05: retained while day + retain > now.
    if (s.day + retain_days(s) <= now) continue;
    kept.insert(s.label);
    // Everything the restore point needs: per partition, the newest holder at or before it.
    std::map<std::string, std::string> holder;  // "table/partition" → label
    for (std::size_t j = 0; j <= i; ++j) {
      if (taken[j].db != s.db) continue;
      for (const auto& part : taken[j].holds) holder[part] = taken[j].label;
    }
    for (const auto& [part, label] : holder) kept.insert(label);
  }
  for (const auto& [key, label] : newest) kept.insert(label);
  return kept;
}

class ExpireS3SixWeeks : public CalendarFixture {
 protected:
  static void SetUpTestSuite() { start_calendar_cluster_on_s3("UTC", "3.3.0", "sixweeks-s3"); }

  void SetUp() override {
    CalendarFixture::SetUp();
    ASSERT_NE(s3rver(), nullptr);
    sales_ = "sales_" + pid_;
    crm_ = "crm_" + pid_;
    repo_ = "s3_prod_" + pid_;
    ASSERT_TRUE(receiver_.start());
    std::string text = production_policy(sales_, crm_, repo_, "s3a://sixweeks-s3/prod",
                                         fmt::format("http://127.0.0.1:{}/api/v2/alerts", receiver_.port()));
    const std::string aws = R"("https://s3.eu-west-1.amazonaws.com")";
    const auto at = text.find(aws);
    ASSERT_NE(at, std::string::npos) << "the production policy's endpoint changed";
    text.replace(at, aws.size(), "\"" + s3rver()->endpoint() + "\"");
    write_policy(text);
    for (const auto& db : {sales_, crm_}) exec("CREATE DATABASE " + db);
    create_table(sales_, "fact_orders", kMonthlyPartitions);
    create_table(sales_, "dim_customer", {});
    create_table(crm_, "fact_events", kMonthlyPartitions);
    create_table(crm_, "dim_account", {});
    insert(sales_, "fact_orders", "2027-02-20", -1);
    insert(sales_, "fact_orders", "2027-03-01", -1);
    insert(crm_, "fact_events", "2027-02-21", -1);
    insert(sales_, "dim_customer", "2027-02-01", -1);
    insert(crm_, "dim_account", "2027-02-01", -1);
    set_up_starkeep();
  }

  // What day `d`'s run should take for `db`: Mon–Sat the fact partitions changed since the previous run (all of
  // them on the first day), Sundays the dimension table whole, first Sundays everything.
  TestSnapshot expected_snapshot(const SimDay& d, const std::string& db, const std::set<std::string>& changed) const {
    const std::string fact = db == sales_ ? "fact_orders" : "fact_events";
    const std::string dim = db == sales_ ? "dim_customer" : "dim_account";
    TestSnapshot s{db, d.label(db), d.index, d.first_sunday() ? "monthly" : d.sunday() ? "weekly" : "daily", {}};
    if (s.tier == "daily") {
      for (const auto& p : changed) s.holds.insert(fact + "/" + p);
      return s;
    }
    s.holds.insert(dim + "/");
    if (s.tier == "monthly") {
      for (const auto& [p, bound] : kMonthlyPartitions) s.holds.insert(fact + "/" + p);
    }
    return s;
  }

  // Row counts of the database's tables now (what a restore of the snapshot taken next must give back).
  std::map<std::string, std::string> counts(const std::string& db) {
    std::map<std::string, std::string> out;
    for (const auto& t : tables_of(db)) {
      out[t] = cell(query(fmt::format("SELECT COUNT(*) AS n FROM {}.{}", db, t)), 0, "n");
    }
    return out;
  }

  // Data snapshot labels and catalog snapshot labels in the repository.
  std::pair<std::set<std::string>, std::set<std::string>> repository_labels() {
    std::set<std::string> data, catalogs;
    for (const auto& [label, status] : snapshots(repo_)) {
      (label.starts_with("starkeep_catalog_") ? catalogs : data).insert(label);
    }
    return {data, catalogs};
  }

  std::string sales_, crm_, repo_;
  AlertReceiver receiver_;
};

TEST_F(ExpireS3SixWeeks, ExpireAfterEveryRunKeepsExactlyWhatTheRetainRulesAndChainsNeed) {
  const std::vector<SimDay> days = make_calendar(2027, 3, 1, 43);  // Mon 2027-03-01 … Mon 2027-04-12
  ASSERT_TRUE(days[6].first_sunday() && days[34].first_sunday() && days[13].sunday() && !days[13].first_sunday());
  const int late_write_day = 8;  // after its run, a row into February: the Wednesday daily of day 9 holds p2027_02
  std::vector<TestSnapshot> taken;
  std::map<std::string, std::map<std::string, std::string>> counts_at;  // label → table → rows
  std::map<std::string, std::set<std::string>> changed{{sales_, {}}, {crm_, {}}};
  for (const auto& [p, bound] : kMonthlyPartitions) {
    changed[sales_].insert(p);  // the first backup of a table captures every partition
    changed[crm_].insert(p);
  }

  for (const SimDay& d : days) {
    SCOPED_TRACE(fmt::format("day {} ({})", d.index, d.at()));
    for (const auto& db : {sales_, crm_}) {
      TestSnapshot s = expected_snapshot(d, db, changed[db]);
      if (s.tier == "daily" && s.holds.empty()) continue;
      counts_at[s.label] = counts(db);
      taken.push_back(std::move(s));
      if (!d.sunday() || d.first_sunday()) changed[db].clear();
    }
    const Finished run = run_day(d);
    ASSERT_EQ(run.code, kExitOk) << run.describe();
    // The catalog this run published: the latest (label second, backup timestamp) — two runs may publish within
    // one second, and the label's suffix is random.
    std::pair<std::string, std::string> latest;  // (label second + timestamp, label)
    const auto listing = query("SHOW SNAPSHOT ON " + repo_);
    for (std::size_t i = 0; i < listing.size(); ++i) {
      const std::string label = cell(listing, i, "Snapshot");
      if (!label.starts_with("starkeep_catalog_")) continue;
      latest = std::max(latest, std::pair(label.substr(17, 14) + cell(listing, i, "Timestamp"), label));
    }
    const Finished expire = starkeep({"expire", "--policy", policy_.string(), "--at", d.at(), "--format", "json"});
    ASSERT_EQ(expire.code, kExitOk) << expire.describe();

    const std::set<std::string> want = expected_kept(taken, d.index);
    const auto [data, catalogs] = repository_labels();
    ASSERT_EQ(data, want) << "kept by the repository vs the test's own computation\n" << expire.out;
    // Catalog snapshots carry their real publication time, long before this future calendar: only the newest
    // is kept.
    ASSERT_EQ(catalogs, std::set<std::string>{latest.second}) << expire.out;

    // The day's writes, after its run: a fact row per database dated that day; February once.
    insert(sales_, "fact_orders", d.iso_date(), d.index);
    insert(crm_, "fact_events", d.iso_date(), d.index);
    changed[sales_].insert(partition_of(sales_, "fact_orders", d.iso_date()));
    changed[crm_].insert(partition_of(crm_, "fact_events", d.iso_date()));
    if (d.index == late_write_day) {
      insert(sales_, "fact_orders", "2027-02-20", d.index);
      changed[sales_].insert("p2027_02");
    }
  }

  // The hole's chain: the daily holding February (day 9) is 33 days old, kept because the weekly restore points
  // of 03-14, 03-21 and 03-28 (90 days) need it; so are the Saturday dailies each of them inherits March from.
  const auto [data, catalogs] = repository_labels();
  for (int day : {9, 12, 19, 26}) EXPECT_TRUE(data.contains(days[static_cast<std::size_t>(day)].label(sales_))) << day;
  EXPECT_FALSE(data.contains(days[10].label(sales_))) << "a daily no retained restore point needs is gone";
  // Its objects are gone from the bucket too (deleted through S3), the kept ones are there.
  EXPECT_TRUE(snapshot_contents(repo_, days[9].label(sales_)).contains("fact_orders"));

  // Every retained restore point of both databases restores, verifies and has its day's rows.
  const int last = 42;
  std::vector<const TestSnapshot*> points;
  std::set<std::string> tiers_seen;
  for (const auto& s : taken) {
    if (s.day + retain_days(s) <= last) continue;
    points.push_back(&s);
    tiers_seen.insert(s.db + "/" + s.tier);
  }
  ASSERT_EQ(tiers_seen.size(), 6u) << "each database has retained daily, weekly and monthly restore points";
  // What a restore point gives back, table by table: the rows the table had when the newest snapshot holding it
  // was taken. For a weekly restore point the fact table comes from the Saturday daily — the policy's hole: the
  // rows written after Saturday's run are in no snapshot until Monday's daily.
  const auto expected_rows = [&](const TestSnapshot& restore_point) {
    std::size_t point = 0;
    while (taken[point].label != restore_point.label) ++point;
    std::map<std::string, std::string> out;
    for (std::size_t j = 0; j <= point; ++j) {
      if (taken[j].db != restore_point.db) continue;
      for (const auto& [table, rows] : counts_at[taken[j].label]) {
        const bool holds = std::any_of(taken[j].holds.begin(), taken[j].holds.end(),
                                       [&](const std::string& part) { return part.starts_with(table + "/"); });
        if (holds) out[table] = rows;
      }
    }
    return out;
  };
  for (const TestSnapshot* point : points) {
    const std::string& label = point->label;
    SCOPED_TRACE(label);
    const std::string into = "r_" + label;
    const Finished r = starkeep({"restore", "database", point->db, "--snapshot", label, "--into", into,
                                 "--replication-num", "1", "--format", "json"});
    ASSERT_EQ(r.code, kExitOk) << r.describe();
    EXPECT_EQ(nlohmann::json::parse(r.out).value("verification", ""), "PASSED") << r.out;
    const std::map<std::string, std::string> want = expected_rows(*point);
    std::map<std::string, std::string> restored;
    for (const auto& [table, rows] : want) {
      restored[table] = cell(query(fmt::format("SELECT COUNT(*) AS n FROM {}.{}", into, table)), 0, "n");
    }
    EXPECT_EQ(restored, want);
  }
  EXPECT_TRUE(receiver_.take().empty()) << "no alert in six quiet weeks";
}

}  // namespace
}  // namespace sk::e2e::calendar
