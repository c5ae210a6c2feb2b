// Issue 5 point 6: a simulated month (Sunday 2027-03-07, a first Sunday, … Sunday 2027-04-04, the next one) of the
// production policy's backups, run by the real `starkeep run` each day against the emulator (Asia/Shanghai), with
// rows written between runs; then `starkeep restore database|table … --as-of T --into <scratch>` to instants taken
// during the month, compared row for row with reference copies made with SQL (CREATE TABLE … AS SELECT) at those
// instants:
//   A  just after the first monthly baseline;
//   B  mid-week after several dailies (Wednesday of the second week) — before a table was created;
//   C  just after a weekly (the third Sunday) — the new table exists and is backed up;
//   E  mid-week after a partition was dropped (before the next monthly);
//   D  the last day, just after the next monthly baseline.
// Writes are placed so that every instant's state is fully backed up when the instant is taken: fact rows Sunday to
// Friday after the run (the next daily holds them), dimension and non-partitioned rows on Saturdays after the daily
// (the Sunday weekly or monthly holds them).
//
// Documented handling (docs/runbooks/restore-table-or-database.md, docs/operations.md "Restore"): a table first
// backed up after T is not restored and the plan says why; for every partition the newest snapshot at or before T
// that holds it is used, except partitions absent from the table's partition set recorded at the newest backup at or
// before T: those were dropped before T and are left out (instant E; after the next monthly, instant D, too).
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "tests/e2e/calendar/calendar_driver.h"

namespace sk::e2e::calendar {
namespace {


class MonthRestore : public CalendarFixture {
 protected:
  static void SetUpTestSuite() { start_calendar_cluster("Asia/Shanghai"); }
};

TEST_F(MonthRestore, RestoresToSeveralInstantsEqualReferenceCopies) {
  const std::string sales = "msales_" + pid_;
  const std::string crm = "mcrm_" + pid_;
  const std::string repo = "s3_month_" + pid_;
  AlertReceiver receiver;
  ASSERT_TRUE(receiver.start());
  write_policy(production_policy(sales, crm, repo, "s3a://month-" + pid_ + "/prod",
                                 fmt::format("http://127.0.0.1:{}/api/v2/alerts", receiver.port())));
  for (const auto& db : {sales, crm}) exec("CREATE DATABASE " + db);
  create_table(sales, "fact_orders", kMonthlyPartitions);
  create_table(sales, "dim_customer", {});
  create_table(sales, "region", {});
  create_table(crm, "fact_events", kMonthlyPartitions);
  create_table(crm, "dim_account", {});
  for (const char* dt : {"2027-02-10", "2027-02-25", "2027-03-02"}) {
    (void)insert(sales, "fact_orders", dt, -1);
    (void)insert(crm, "fact_events", dt, -1);
  }
  (void)insert(sales, "dim_customer", "2027-01-01", -1);
  (void)insert(sales, "region", "2027-01-01", -1);
  (void)insert(crm, "dim_account", "2027-01-01", -1);
  set_up_starkeep();

  const std::vector<SimDay> days = make_calendar(2027, 3, 7, 29);  // Sun 2027-03-07 … Sun 2027-04-04
  ASSERT_TRUE(days[0].first_sunday() && days[28].first_sunday());
  const int day_b = 10, day_c = 14, day_e = 17, day_d = 28;
  const int day_created = 11, day_dropped = 15;
  std::map<int, std::string> instants;
  std::vector<std::string> dropped_rows;

  for (const SimDay& d : days) {
    SCOPED_TRACE(fmt::format("day {} ({})", d.index, d.at()));
    inventory_sync();  // as a scheduler would, before every run: tables created meanwhile get classified
    const Finished f = run_day(d);
    ASSERT_EQ(f.code, kExitOk) << f.describe();
    ASSERT_EQ(history(sales, d.slot_utc()).size(), 1u) << f.describe();
    EXPECT_EQ(history(sales, d.slot_utc())[0].state, "FINISHED");
    EXPECT_EQ(history(sales, d.slot_utc())[0].label, d.label(sales));

    if (d.index == 0 || d.index == day_b || d.index == day_c || d.index == day_e || d.index == day_d) {
      instants[d.index] = instant_now();
      copy_database(sales, fmt::format("ref{}_{}", d.index, pid_));
    }
    if (d.index == day_created) {
      create_table(sales, "fact_returns", kMonthlyPartitions);
    }
    if (d.index == day_dropped) {
      dropped_rows = dump(sales, "fact_orders", "p2027_02");
      ASSERT_FALSE(dropped_rows.empty());
      exec(fmt::format("ALTER TABLE {}.fact_orders DROP PARTITION p2027_02", sales));
    }
    if (d.index == day_d) break;
    // Writes after the run.
    const std::string dt = d.iso_date();
    if (d.sunday() || d.index % 7 < 6) {  // Sunday … Friday: fact rows
      (void)insert(sales, "fact_orders", dt, d.index);
      (void)insert(crm, "fact_events", dt, d.index);
      if (d.index % 4 == 0 && d.index < day_dropped) (void)insert(sales, "fact_orders", "2027-02-27", d.index);
      if (d.index >= day_created) (void)insert(sales, "fact_returns", dt, d.index);
    } else {  // Saturday: dimension and non-partitioned rows (the Sunday weekly/monthly holds them)
      (void)insert(sales, "dim_customer", dt, d.index);
      (void)insert(sales, "dim_customer", dt, d.index, false, 1);  // an upsert of the first customer
      (void)insert(sales, "region", dt, d.index);
      (void)insert(crm, "dim_account", dt, d.index);
    }
  }
  EXPECT_TRUE(receiver.take().empty()) << "no alert in a month without faults";

  const auto ref = [&](int day) { return fmt::format("ref{}_{}", day, pid_); };
  const auto into = [&](const char* name) { return fmt::format("r{}_{}", name, pid_); };

  // A: just after the monthly baseline — one RESTORE of the baseline.
  {
    const Finished r = restore_database(sales, instants[0], into("a"));
    ASSERT_EQ(r.code, kExitOk) << r.describe();
    EXPECT_NE((r.out + r.err).find(days[0].label(sales)), std::string::npos) << r.describe();
    expect_same_tables(ref(0), into("a"));
  }
  // B: mid-week after several dailies; fact_returns did not exist yet and is not restored (the plan says why).
  {
    const Finished r = restore_database(sales, instants[day_b], into("b"));
    ASSERT_EQ(r.code, kExitOk) << r.describe();
    EXPECT_NE((r.out + r.err).find("table fact_returns not restored"), std::string::npos) << r.describe();
    // The chain: the monthly baseline (p2027_04, unchanged since), the weekly (dimension tables) and the newest
    // daily (p2027_03, written every day).
    for (int i : {0, 7, day_b}) {
      EXPECT_NE((r.out + r.err).find(days[i].label(sales)), std::string::npos) << days[i].label(sales);
    }
    expect_same_tables(ref(day_b), into("b"));
  }
  // C: just after a weekly — the whole database, then one table restored on its own (`restore table`).
  {
    const Finished r = restore_database(sales, instants[day_c], into("c"));
    ASSERT_EQ(r.code, kExitOk) << r.describe();
    EXPECT_NE((r.out + r.err).find(days[day_c].label(sales)), std::string::npos) << r.describe();
    expect_same_tables(ref(day_c), into("c"));
    const Finished t = starkeep({"restore", "table", sales + ".dim_customer", "--as-of", instants[day_c], "--into",
                                 into("c_table")});
    ASSERT_EQ(t.code, kExitOk) << t.describe();
    EXPECT_EQ(tables_of(into("c_table")), std::vector<std::string>{"dim_customer"});
    EXPECT_EQ(dump(into("c_table"), "dim_customer"), dump(ref(day_c), "dim_customer"));
  }
  // E: after p2027_02 was dropped, before the next monthly: equal to the reference. The dailies after the drop
  // record fact_orders' partition set without p2027_02 (ops.table_partition_set), so the plan leaves it out and
  // says so, although the monthly baseline still holds it.
  {
    const Finished r = restore_database(sales, instants[day_e], into("e"));
    ASSERT_EQ(r.code, kExitOk) << r.describe();
    EXPECT_NE((r.out + r.err).find("fact_orders.p2027_02 not restored: dropped before"), std::string::npos)
        << r.describe();
    expect_same_tables(ref(day_e), into("e"));
    EXPECT_TRUE(query(fmt::format("SELECT PARTITION_NAME FROM information_schema.partitions_meta WHERE DB_NAME = "
                                  "'{}' AND TABLE_NAME = 'fact_orders' AND PARTITION_NAME = 'p2027_02'",
                                  into("e")))
                    .empty());
  }
  // D: the last day, just after the next monthly baseline: the dropped partition is gone, the new table is there.
  {
    const Finished r = restore_database(sales, instants[day_d], into("d"));
    ASSERT_EQ(r.code, kExitOk) << r.describe();
    expect_same_tables(ref(day_d), into("d"));
    auto parts = query(fmt::format("SELECT PARTITION_NAME FROM information_schema.partitions_meta WHERE DB_NAME = "
                                   "'{}' AND TABLE_NAME = 'fact_orders' ORDER BY PARTITION_NAME",
                                   into("d")));
    ASSERT_EQ(parts.size(), 2u);
    EXPECT_EQ(cell(parts, 0, "PARTITION_NAME"), "p2027_03");
    EXPECT_FALSE(dump(into("d"), "fact_returns").empty());
  }
}

}  // namespace
}  // namespace sk::e2e::calendar
