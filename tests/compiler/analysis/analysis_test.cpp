// Analysis: restore chains and chain-aware retention, tier coincidence, coverage and restorability
// diagnostics on the production policy (built as a model).
#include "compiler/analysis/analysis.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <regex>

#include "compiler/analysis/chains.h"
#include "compiler/analysis/retention.h"
#include "tests/compiler/plan/civil_calendar.h"
#include "tests/compiler/plan/production_policy.h"

namespace sk::analysis {
namespace {

using diag::Code;

Instant day(int n) { return Instant::from_unix_seconds(int64_t{n} * 86400); }

TEST(RestoreChain, IncrementalNeedsItsBaselineAndEveryIncrementalSince) {
  std::vector<ChainLink> links{{day(0), day(365), true},
                               {day(1), day(15), false},
                               {day(2), day(16), false},
                               {day(7), day(97), true},
                               {day(8), day(22), false}};
  EXPECT_EQ(restore_chain(links, 2).links, (std::vector<size_t>{0, 1, 2}));
  EXPECT_TRUE(restore_chain(links, 2).has_baseline);
  EXPECT_EQ(restore_chain(links, 3).links, std::vector<size_t>{3});
  EXPECT_EQ(restore_chain(links, 4).links, (std::vector<size_t>{3, 4}));
  std::vector<ChainLink> orphan{{day(1), day(15), false}, {day(2), day(16), false}};
  EXPECT_FALSE(restore_chain(orphan, 1).has_baseline);
  EXPECT_EQ(restore_chain(orphan, 1).links, (std::vector<size_t>{0, 1}));
}

TEST(ChainAwareKeep, KeepsLinksAsLongAsALaterPointOfTheirChain) {
  std::vector<ChainLink> links{{day(0), day(10), true},
                               {day(1), day(15), false},
                               {day(2), day(16), false},
                               {day(7), day(97), true},
                               {day(8), day(22), false}};
  auto keep = chain_aware_keep(links);
  EXPECT_EQ(keep[0].until, day(16));  // the baseline lives as long as the last incremental on top of it
  EXPECT_EQ(keep[0].because, 2u);
  EXPECT_EQ(keep[1].until, day(16));
  EXPECT_EQ(keep[2].until, day(16));
  EXPECT_EQ(keep[2].because, 2u);
  EXPECT_EQ(keep[3].until, day(97));  // a full's own retention is longer than its dependant's
  EXPECT_EQ(keep[3].because, 3u);
  EXPECT_EQ(keep[4].until, day(22));
}

// ---- The retention model (retention.h), on snapshots written out by hand ----

namespace rm = retention;

rm::Snapshot snap(const char* db, const char* tier, int retain_days, int taken_day, rm::SnapshotKind kind,
                  std::vector<rm::TableState> tables) {
  return rm::Snapshot{
      db, tier, Duration::from_days(retain_days), "", day(taken_day), kind, std::move(tables),
      day(taken_day) + Duration::from_days(retain_days)};
}
rm::TableState whole(const char* table) { return rm::TableState{table, {}, {}}; }
rm::TableState inc(const char* table, std::vector<size_t> from) {
  rm::TableState t{table, {"changed"}, {}};
  for (size_t f : from) t.inherited.push_back(rm::Inherited{"", f});
  return t;
}

// sales: monthly baseline (day 0), dailies of orders (days 1, 2, 8), a weekly of customers (day 7).
std::vector<rm::Snapshot> sales_snapshots() {
  using K = rm::SnapshotKind;
  return {snap("sales", "monthly", 365, 0, K::kDatabase, {whole("orders"), whole("customers")}),
          snap("sales", "daily", 14, 1, K::kPartitions, {inc("orders", {0})}),
          snap("sales", "daily", 14, 2, K::kPartitions, {inc("orders", {0, 1})}),
          snap("sales", "weekly", 90, 7, K::kTables, {whole("customers")}),
          snap("sales", "daily", 14, 8, K::kPartitions, {inc("orders", {0, 1, 2})})};
}

TEST(RetentionModel, RestorePointsAreDatabaseWideAndKeepWhatTheyNeed) {
  const auto s = sales_snapshots();
  const rm::Evaluation ev = rm::evaluate(s, day(30));
  // The weekly restore point of day 7 (until day 97) restores orders from the chain 0, 1, 2.
  EXPECT_EQ(ev.verdicts[1].keep_until, day(97));
  EXPECT_EQ(ev.verdicts[2].keep_until, day(97));
  EXPECT_EQ(ev.verdicts[1].longest.point, 3u);
  // Within 'daily' alone, the chain lives as long as the daily of day 8 (day 22).
  EXPECT_EQ(ev.verdicts[1].tier_until, day(22));
  EXPECT_EQ(ev.verdicts[2].tier_until, day(22));
  EXPECT_EQ(ev.verdicts[4].keep_until, day(22));
  EXPECT_EQ(ev.verdicts[0].keep_until, day(365));
  EXPECT_TRUE(ev.holes.empty());
  const TimeZone utc = TimeZone::utc();
  EXPECT_TRUE(ev.verdicts[1].keep);
  EXPECT_EQ(rm::reasons(s, ev, 1, day(30), utc),
            std::vector<std::string>{
                "needed by weekly restore point 1970-01-08 of sales.orders until 1970-04-08 (chain)"});
  EXPECT_EQ(rm::reasons(s, ev, 3, day(30), utc),
            std::vector<std::string>{"weekly restore point until 1970-04-08"});
  EXPECT_FALSE(ev.verdicts[4].keep);
  EXPECT_EQ(rm::reasons(s, ev, 4, day(30), utc),
            std::vector<std::string>{"daily, retained 14d, needed by no retained restore point"});
  const rm::Evaluation later = rm::evaluate(s, day(100));
  EXPECT_FALSE(later.verdicts[1].keep);
  EXPECT_TRUE(later.verdicts[0].keep);
  // Both reasons while the snapshot's own restore point is still retained.
  EXPECT_EQ(
      rm::reasons(s, rm::evaluate(s, day(10)), 1, day(10), utc),
      (std::vector<std::string>{"daily restore point until 1970-01-16",
                                "needed by weekly restore point 1970-01-08 of sales.orders until 1970-04-08 "
                                "(chain)"}));
}

TEST(RetentionModel, SingleTableSingleTierAgreesWithChainAwareKeep) {
  // The links of ChainAwareKeep above, as snapshots of one table: every snapshot is a restore point of its
  // own.
  using K = rm::SnapshotKind;
  const std::vector<rm::Snapshot> s{snap("d", "t", 10, 0, K::kTables, {whole("x")}),
                                    snap("d", "t", 14, 1, K::kPartitions, {inc("x", {0})}),
                                    snap("d", "t", 14, 2, K::kPartitions, {inc("x", {0, 1})}),
                                    snap("d", "t", 90, 7, K::kTables, {whole("x")}),
                                    snap("d", "t", 14, 8, K::kPartitions, {inc("x", {3})})};
  std::vector<ChainLink> links;
  for (const auto& x : s) links.push_back(ChainLink{x.taken, x.expires(), x.kind != K::kPartitions});
  const auto keep = chain_aware_keep(links);
  const rm::Evaluation ev = rm::evaluate(s, day(0));
  for (size_t i = 0; i < s.size(); ++i) {
    EXPECT_EQ(ev.verdicts[i].keep_until, keep[i].until) << i;
    EXPECT_EQ(ev.verdicts[i].tier_until, keep[i].until) << i;
  }
}

TEST(RetentionModel, PartitionSourcesAreDirectNotTransitive) {
  using K = rm::SnapshotKind;
  // Day 2's incremental takes p2 and inherits p1 from day 1; it does not need day 0, whose p2 it replaced.
  std::vector<rm::Snapshot> s{
      snap("ops", "t", 2, 0, K::kTables, {whole("t")}),
      snap("ops", "t", 2, 1, K::kPartitions, {rm::TableState{"t", {"p1"}, {{"p2", 0}}}}),
      snap("ops", "t", 30, 2, K::kPartitions, {rm::TableState{"t", {"p2"}, {{"p1", 1}}}})};
  const rm::Evaluation ev = rm::evaluate(s, day(0));
  EXPECT_EQ(ev.verdicts[0].keep_until, day(3));  // only the restore point of day 1 needs it
  EXPECT_EQ(ev.verdicts[1].keep_until, day(32));
}

TEST(RetentionModel, BrokenChainsAreHolesAndDroppedTablesAreNotNeeded) {
  using K = rm::SnapshotKind;
  std::vector<rm::Snapshot> s{
      // crm: an incremental whose other partitions no snapshot holds; the next snapshot does not take events.
      snap("crm", "daily", 14, 0, K::kPartitions,
           {rm::TableState{"events", {"p9"}, {{"p1", rm::kNoSnapshot}}}}),
      snap("crm", "weekly", 90, 1, K::kTables, {whole("accounts")}),
      // hr: b is dropped before the database snapshot of day 5, so that restore point does not need day 0.
      snap("hr", "base", 1, 0, K::kDatabase, {whole("a"), whole("b")}),
      snap("hr", "daily", 5, 1, K::kPartitions, {inc("a", {2})}),
      snap("hr", "base", 100, 5, K::kDatabase, {whole("a")})};
  const rm::Evaluation ev = rm::evaluate(s, day(0));
  ASSERT_EQ(ev.holes.size(), 2u);
  EXPECT_EQ(ev.holes[0].point, 0u);
  EXPECT_EQ(ev.holes[1].point, 1u);  // the weekly restore point restores events from the broken incremental
  EXPECT_EQ(ev.holes[1].holder, 0u);
  EXPECT_EQ(ev.verdicts[2].keep_until, day(6));  // needed by the daily of day 1 (a and b), not by day 5
}

TEST(RetentionModel, CountBasedKeepsHoldTheNewestSnapshotsOfATierPerDatabase) {
  using K = rm::SnapshotKind;
  // sales: dailies on days 0..5, each kept 1 day by age; `keep = last 3` keeps snapshot j until snapshot j+3 is
  // taken (day j+3), the newest three for ever. crm's daily of day 2 is counted in crm alone; the weekly of day 6
  // counts for both tiers ("covers"), so it is sales' newest daily too.
  std::vector<rm::Snapshot> s;
  for (int d = 0; d <= 5; ++d) s.push_back(snap("sales", "daily", 1, d, K::kTables, {whole("t")}));
  s.push_back(snap("crm", "daily", 1, 2, K::kTables, {whole("t")}));
  s.push_back(snap("sales", "weekly", 1, 6, K::kTables, {whole("t")}));
  s.back().counts_for = {"daily", "weekly"};
  const std::vector<rm::CountKeep> keeps{{"daily", 3}};
  rm::apply_count_keeps(s, keeps);
  EXPECT_EQ(s[0].until, day(3));
  EXPECT_EQ(s[2].until, day(5));
  EXPECT_EQ(s[3].until, day(6));  // the weekly of day 6 is the third daily after it
  EXPECT_EQ(s[4].until, day(4) + rm::kCountedForever);
  EXPECT_EQ(s[6].until, day(2) + rm::kCountedForever);  // crm's only daily
  EXPECT_EQ(s[7].count_tier, "daily");
  EXPECT_EQ(s[0].count, 3);
  // At day 4.5 the snapshots of days 2..5 and the weekly are restore points; day 1's ended at day 4.
  const Instant at = day(4) + Duration::from_hours(12);
  const rm::Evaluation ev = rm::evaluate(s, at);
  EXPECT_FALSE(ev.verdicts[1].keep);
  EXPECT_TRUE(ev.verdicts[2].keep);
  EXPECT_EQ(rm::reasons(s, ev, 2, at, TimeZone::utc()), std::vector<std::string>{"one of the last 3 'daily'"});
  EXPECT_EQ(rm::reasons(s, ev, 1, at, TimeZone::utc()),
            std::vector<std::string>{"daily, not one of the last 3 'daily', retained 1d, needed by no retained "
                                     "restore point"});
  // Both rules at once: own retention first, then the count.
  EXPECT_EQ(rm::reasons(s, ev, 4, day(4), TimeZone::utc()),
            (std::vector<std::string>{"one of the last 3 'daily'", "daily restore point until 1970-01-06"}));
}

TEST(Calendar, FirstSundayMonthlyCoversWeekly) {
  auto policy = testing::production_policy();
  Calendar cal(policy);
  EXPECT_TRUE(cal.covers(2, 1));
  EXPECT_FALSE(cal.covers(1, 2));
  auto first_sunday = cal.day(CivilDay(2025, 9, 7));
  ASSERT_EQ(first_sunday.size(), 1u);
  EXPECT_EQ(first_sunday[0].runner, 2u);
  EXPECT_EQ(first_sunday[0].satisfied, (std::vector<size_t>{1, 2}));
  EXPECT_EQ(first_sunday[0].retain, Duration::from_days(365));
  auto sunday = cal.day(CivilDay(2025, 9, 14));
  ASSERT_EQ(sunday.size(), 1u);
  EXPECT_EQ(sunday[0].runner, 1u);
  auto monday = cal.day(CivilDay(2025, 9, 15));
  ASSERT_EQ(monday.size(), 1u);
  EXPECT_EQ(monday[0].runner, 0u);
  EXPECT_EQ(monday[0].slot, policy.time_zone.from_local(CivilSecond(2025, 9, 15, 1, 0, 0)));
}

TEST(Calendar, HighestPrecedenceCoveringTierWins) {
  auto policy = testing::production_policy();
  // A quarterly tier (precedence 20) that also covers weekly fires on the same first Sunday.
  model::Tier quarterly = policy.tiers[2];
  quarterly.name = TierName::parse("quarterly").value();
  quarterly.precedence = 20;
  quarterly.retain = Duration::from_days(730);
  quarterly.covers = {TierName::parse("weekly").value(), TierName::parse("monthly").value()};
  policy.tiers.push_back(quarterly);
  Calendar cal(policy);
  auto groups = cal.day(CivilDay(2025, 9, 7));
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].runner, 3u);
  EXPECT_EQ(groups[0].satisfied, (std::vector<size_t>{1, 2, 3}));
  EXPECT_EQ(groups[0].retain_from, 3u);
}

// Issue 10 item 17: on a day two tiers that do not cover each other both run, the higher precedence first — even
// when it is declared later and fires later that day; `schedule` reads each firing's place from role_on.
TEST(Calendar, RunOrderIsDecreasingPrecedence) {
  auto policy = testing::production_policy();
  model::Tier audit = policy.tiers[0];  // the daily, as a second tier at 05:00 with the higher precedence
  audit.name = TierName::parse("audit").value();
  audit.schedule = Schedule::daily(TimeOfDay::from_hm(5, 0).value());
  audit.precedence = 5;
  policy.tiers.push_back(audit);
  Calendar cal(policy);
  const CivilDay monday(2025, 9, 8);
  ASSERT_EQ(cal.day(monday).size(), 2u);
  EXPECT_EQ(cal.day(monday)[0].runner, 0u);  // day(): by slot
  const auto order = cal.run_order(monday);
  ASSERT_EQ(order.size(), 2u);
  EXPECT_EQ(order[0].runner, 3u);  // audit (5) before daily (0)
  EXPECT_EQ(order[1].runner, 0u);
  const Calendar::Role daily = cal.role_on(0, monday);
  EXPECT_EQ(daily.runner, 0u);
  EXPECT_EQ(daily.position, 2u);
  EXPECT_EQ(daily.jobs, 2u);
  // First Sunday: the monthly (precedence 10) covers the weekly, then the audit (5) runs.
  const CivilDay first_sunday(2025, 9, 7);
  const Calendar::Role weekly = cal.role_on(1, first_sunday);
  EXPECT_EQ(weekly.runner, 2u);
  EXPECT_EQ(weekly.position, 1u);
  EXPECT_EQ(weekly.jobs, 2u);
  EXPECT_EQ(cal.role_on(3, first_sunday).position, 2u);
}

// Issue 14 item 1: a tier that fires several times a day has a job per slot; a once-a-day tier that covers it
// serves only the slot at its own time, and a covered slot's retention is the longest of the tiers it satisfies.
TEST(Calendar, SubDailyTierHasAJobPerSlotAndIsCoveredOnlyAtTheSameTime) {
  auto policy = testing::production_policy();
  model::Tier hourly = policy.tiers[0];
  hourly.name = TierName::parse("hourly").value();
  hourly.schedule = Schedule::daily(TimeOfDay::from_hm(0, 0).value()).with_hours(1).value();
  hourly.retain = Duration::from_days(2);
  hourly.precedence = -1;
  policy.tiers.push_back(hourly);                                    // index 3
  policy.tiers[0].covers.push_back(TierName::parse("hourly").value());  // the daily (01:00, mon..sat) covers it
  Calendar cal(policy);
  const CivilDay monday(2025, 9, 15);
  const auto groups = cal.day(monday);
  ASSERT_EQ(groups.size(), 24u);  // 23 hourly jobs and the daily's at 01:00, which serves the hourly's 01:00 slot
  EXPECT_EQ(groups[1].runner, 0u);
  EXPECT_EQ(groups[1].satisfied, (std::vector<size_t>{0, 3}));
  EXPECT_EQ(groups[1].local, CivilSecond(2025, 9, 15, 1, 0, 0));
  for (size_t i : {size_t{0}, size_t{2}, size_t{23}}) {
    EXPECT_EQ(groups[i].runner, 3u) << i;
    EXPECT_EQ(groups[i].satisfied, (std::vector<size_t>{3})) << i;
    EXPECT_EQ(groups[i].retain, Duration::from_days(2));
  }
  EXPECT_EQ(groups[23].local, CivilSecond(2025, 9, 15, 23, 0, 0));
  EXPECT_EQ(groups[23].slot, policy.time_zone.from_local(CivilSecond(2025, 9, 15, 23, 0, 0)));
  // The hourly's 01:00 slot is served by the daily's job (first of one job at that time); 02:00 by its own.
  const Instant one = policy.time_zone.from_local(CivilSecond(2025, 9, 15, 1, 0, 0));
  EXPECT_EQ(cal.role_at(3, monday, one).runner, 0u);
  EXPECT_EQ(cal.role_at(3, monday, one).jobs, 1u);
  EXPECT_EQ(cal.role_at(3, monday, one + Duration::from_hours(1)).runner, 3u);
  // Sunday: the daily does not run, so all 24 slots are the hourly's (the weekly at 01:00 does not cover it and has
  // the higher precedence: both run at 01:00, the weekly first).
  const auto sunday = cal.run_order(CivilDay(2025, 9, 14));
  ASSERT_EQ(sunday.size(), 25u);
  EXPECT_EQ(cal.role_at(3, CivilDay(2025, 9, 14), policy.time_zone.from_local(CivilSecond(2025, 9, 14, 1, 0, 0))).position,
            2u);
}

struct Analysed {
  diag::DiagnosticSink policy_sink, inventory_sink;
};

Analysed run(const model::Policy& policy, const inventory::Inventory& inv, Options options = {}) {
  Analysed out;
  Selection sel = Selection::compute(policy, inv);
  Calendar cal(policy);
  analyze(policy, inv, sel, cal, options, Sinks{out.policy_sink, out.inventory_sink});
  return out;
}

std::vector<const diag::Diagnostic*> with_code(const diag::DiagnosticSink& sink, Code code) {
  std::vector<const diag::Diagnostic*> out;
  for (const auto& d : sink.diagnostics()) {
    if (d.code == code) out.push_back(&d);
  }
  return out;
}

TEST(Coverage, UncoveredTablesAreReportedWithTheirClass) {
  auto policy = testing::production_policy();
  // Without the monthly, staging and unclassified partitioned tables are backed up by no tier.
  policy.tiers.pop_back();
  auto r = run(policy, testing::production_inventory());
  auto uncovered = with_code(r.inventory_sink, Code::kTableNotCovered);
  ASSERT_EQ(uncovered.size(), 2u);
  EXPECT_EQ(uncovered[0]->message, "table crm.events of class unclassified: backed up by no tier");
  EXPECT_EQ(uncovered[1]->message, "table sales.stage_orders of class staging: backed up by no tier");
}

TEST(Coverage, ProductionCoversEveryTable) {
  auto r = run(testing::production_policy(), testing::production_inventory());
  EXPECT_TRUE(with_code(r.inventory_sink, Code::kTableNotCovered).empty());
  EXPECT_FALSE(r.policy_sink.has_errors());
  EXPECT_FALSE(r.inventory_sink.has_errors());
}

TEST(Coverage, ClusterObjectsMissingFromTheInventory) {
  auto inv = testing::production_inventory();
  inv.cluster_databases.push_back(inventory::ClusterDatabase{
      DatabaseName::parse("sales").value(),
      std::vector<TableName>{TableName::parse("orders").value(), TableName::parse("refunds").value()},
      {}});
  inv.cluster_databases.push_back(
      inventory::ClusterDatabase{DatabaseName::parse("billing").value(), std::nullopt, {}});
  auto policy = testing::production_policy();
  policy.databases.include.push_back(DatabaseName::parse("billing").value());
  auto r = run(policy, inv);
  auto tables = with_code(r.inventory_sink, Code::kClusterTableNotInInventory);
  ASSERT_EQ(tables.size(), 1u);
  EXPECT_EQ(
      tables[0]->message,
      "table refunds of database sales exist on the cluster but are missing from the inventory, so no tier "
      "backs them up");
  EXPECT_EQ(with_code(r.inventory_sink, Code::kClusterDatabaseNotInInventory).size(), 1u);
  auto named = with_code(r.policy_sink, Code::kPolicyDatabaseNotInInventory);
  ASSERT_EQ(named.size(), 1u);
  EXPECT_EQ(named[0]->message,
            "database 'billing' is named in the policy but has no tables in the inventory");
}

TEST(Coverage, UnknownEligibilityTierAndEmptyTier) {
  auto inv = testing::production_inventory();
  inv.tables[0].eligibility["dayly"] = false;
  for (auto& t : inv.tables) {
    if (t.table_class == "dimension") t.table_class = "dim";
  }
  auto policy = testing::production_policy();
  policy.tiers[1].include = model::Predicate::class_in({"dimension"});
  auto r = run(policy, inv);
  auto unknown = with_code(r.inventory_sink, Code::kInventoryUnknownTier);
  ASSERT_EQ(unknown.size(), 1u);
  EXPECT_EQ(unknown[0]->did_you_mean, "daily");
  auto empty = with_code(r.policy_sink, Code::kNothingSelected);
  ASSERT_EQ(empty.size(), 1u);
  EXPECT_EQ(empty[0]->message, "tier 'weekly' selects no table of the inventory");
}

TEST(Restorability, ProductionDailyChainsAreExtendedNotHoles) {
  auto r = run(testing::production_policy(), testing::production_inventory());
  // Under the retention model the weekly restore points keep the fact tables' daily chains: no hole, an
  // extension.
  EXPECT_TRUE(with_code(r.policy_sink, Code::kRestoreHole).empty());
  auto ext = with_code(r.policy_sink, Code::kRetentionExtended);
  ASSERT_EQ(ext.size(), 1u);
  const diag::Diagnostic& d = *ext[0];
  // 2025-01-05 is the first Sunday (monthly); its chain's last weekly restore point is 2025-01-26 (kept 90d,
  // until 2025-04-26); the chain's last daily is 2025-02-01, so 'daily' alone keeps the chain until
  // 2025-02-15: 70 days.
  EXPECT_EQ(d.message,
            "2 tables (sales.line_items, sales.orders) of class fact: 'daily' snapshots are kept up to 70d "
            "longer than "
            "their retention of 14d, because 'weekly' restore points need them");
  ASSERT_GE(d.notes.size(), 3u);
  EXPECT_EQ(
      d.notes[0].message,
      "first: the 'weekly' restore point of 2025-01-26 01:00 (kept until 2025-04-26) restores these tables "
      "from "
      "the 'monthly' full backup of 2025-01-05 and 18 incrementals up to 2025-01-25; the 'daily' snapshot of "
      "2025-01-06 among them is kept until 2025-04-26 instead of 2025-02-15");
  EXPECT_EQ(d.notes.back().message,
            "to avoid the extension, keep 'daily' for at least 84d, or let 'weekly' back these tables up");
}

TEST(Restorability, HoleClosesWhenTheWeeklyAlsoTakesFactTables) {
  auto policy = testing::production_policy();
  policy.tiers[1].include = model::Predicate::always();
  auto r = run(policy, testing::production_inventory());
  EXPECT_TRUE(with_code(r.policy_sink, Code::kRestoreHole).empty());
}

TEST(Restorability, LongerDailiesCloseTheFactExtensionButExtendTheDimensionWeeklies) {
  auto policy = testing::production_policy();
  policy.tiers[0].retain = Duration::from_days(90);
  auto r = run(policy, testing::production_inventory());
  EXPECT_TRUE(with_code(r.policy_sink, Code::kRestoreHole).empty());
  auto ext = with_code(r.policy_sink, Code::kRetentionExtended);
  // The fact chains are now kept by 'daily' itself; but a daily restore point kept 90d from a Saturday needs
  // the dimension tables' weekly of the Sunday before, which 'weekly' keeps only 90d from that Sunday: 6 days
  // more.
  ASSERT_EQ(ext.size(), 1u);
  EXPECT_EQ(ext[0]->message,
            "3 tables (crm.contacts, sales.customers, sales.fx_rates) of class dimension, fact: 'weekly' "
            "snapshots are "
            "kept up to 6d longer than their retention of 90d, because 'daily' restore points need them");
  EXPECT_EQ(
      ext[0]->notes[0].message,
      "first: the 'daily' restore point of 2025-01-18 01:00 (kept until 2025-04-18) restores these tables "
      "from "
      "the 'weekly' full backup of 2025-01-12; the 'weekly' snapshot of 2025-01-12 among them is kept until "
      "2025-04-18 instead of 2025-04-12");
  EXPECT_EQ(ext[0]->notes.back().message, "to avoid the extension, keep 'weekly' for at least 96d");
}

TEST(Restorability, IncrementalsWithoutAnyFullAreNeverRestorable) {
  auto policy = testing::production_policy();
  policy.tiers.pop_back();  // no monthly: partitioned fact tables only ever get incrementals
  auto r = run(policy, testing::production_inventory(), Options{CivilDay(2025, 3, 1), 30});
  auto holes = with_code(r.policy_sink, Code::kRestoreHole);
  ASSERT_EQ(holes.size(), 1u);
  EXPECT_NE(holes[0]->notes[0].message.find("no full backup ever gives its incrementals a baseline"),
            std::string::npos);
}

// ---- Item 2 of issue 11: every fix suggestion is the exact minimum ----

// The N of "at least Nd" in the diagnostic's last note.
int64_t suggested_days(const diag::Diagnostic& d) {
  std::smatch m;
  const std::string& text = d.notes.back().message;
  if (!std::regex_search(text, m, std::regex(R"(at least (\d+)d)"))) return -1;
  return std::stoll(m[1].str());
}

size_t restorability_findings(const model::Policy& policy) {
  auto r = run(policy, testing::production_inventory());
  return with_code(r.policy_sink, Code::kRestoreHole).size() +
         with_code(r.policy_sink, Code::kRetentionExtended).size() +
         with_code(r.policy_sink, Code::kChangesNeverBackedUp).size();
}

model::Policy weekly_full_daily_incrementals() {
  auto p = testing::production_policy();
  p.tiers.pop_back();
  p.tiers[0].include = model::Predicate::partitioned();
  p.tiers[0].retain = Duration::from_days(30);
  p.tiers[1].include = model::Predicate::always();
  p.tiers[1].retain = Duration::from_days(30);
  return p;
}

TEST(FixAdvice, RetentionSuggestionsAreTheExactMinimum) {
  struct Case {
    model::Policy policy;
    size_t tier;       // the tier whose retention the advice names
    int64_t expected;  // computed by hand (see the tests above and the golden cases)
  };
  std::vector<Case> cases{{testing::production_policy(), 0, 84}, {weekly_full_daily_incrementals(), 1, 36}};
  for (Case& c : cases) {
    auto r = run(c.policy, testing::production_inventory());
    auto ext = with_code(r.policy_sink, Code::kRetentionExtended);
    ASSERT_FALSE(ext.empty());
    for (const auto* d : ext) EXPECT_EQ(suggested_days(*d), c.expected) << d->notes.back().message;
    model::Policy fixed = c.policy;
    fixed.tiers[c.tier].retain = Duration::from_days(c.expected);
    EXPECT_EQ(restorability_findings(fixed), 0u) << c.expected << "d";
    fixed.tiers[c.tier].retain = Duration::from_days(c.expected - 1);
    auto less = run(fixed, testing::production_inventory());
    auto still = with_code(less.policy_sink, Code::kRetentionExtended);
    ASSERT_FALSE(still.empty()) << c.expected - 1 << "d";
    EXPECT_EQ(suggested_days(*still[0]), c.expected);
  }
}

TEST(FixAdvice, UpdatedWithinSuggestionIsTheExactMinimum) {
  // mon..sat with updated_within = 1d: Saturday 01:00 to Sunday 01:00 reaches no snapshot (2d gap to Monday).
  auto policy = testing::production_policy();
  policy.tiers[0].changes = {model::ChangeDetection::Mode::kUpdatedWithin, Duration::from_days(1)};
  auto r = run(policy, testing::production_inventory());
  auto lost = with_code(r.policy_sink, Code::kChangesNeverBackedUp);
  ASSERT_EQ(lost.size(), 1u);
  // The first examined restore point, the daily of 2025-01-01, restores the facts from the chain of the
  // monthly of 2024-12-01, which misses every Saturday 01:00 to Sunday 01:00 since: the first is 2024-12-07.
  EXPECT_EQ(
      lost[0]->message,
      "2 tables (sales.line_items, sales.orders) of class fact: changes made between 2024-12-07 01:00 and "
      "2024-12-08 01:00 are in no snapshot: 'daily' takes only partitions updated within 1d of its slot, but "
      "the previous backup of these tables was 2d earlier");
  EXPECT_EQ(
      lost[0]->notes[0].message,
      "from the 'daily' restore point of 2025-01-01 01:00 on, restores of these tables miss them until their "
      "next full backup");
  EXPECT_EQ(suggested_days(*lost[0]), 2);
  policy.tiers[0].changes.within = Duration::from_days(2);
  EXPECT_TRUE(with_code(run(policy, testing::production_inventory()).policy_sink, Code::kChangesNeverBackedUp)
                  .empty());

  // A Sunday incremental with updated_within = 1d (no weekly full): six days of changes a week reach no
  // snapshot.
  auto sunday = testing::production_policy();
  sunday.tiers[0].schedule = sunday.tiers[1].schedule;
  sunday.tiers[0].changes = {model::ChangeDetection::Mode::kUpdatedWithin, Duration::from_days(1)};
  sunday.tiers.erase(sunday.tiers.begin() + 1);  // the weekly full
  sunday.tiers[1].covers.clear();
  sunday.tiers[1].precedence = 10;
  auto rs = run(sunday, testing::production_inventory());
  auto weekly_lost = with_code(rs.policy_sink, Code::kChangesNeverBackedUp);
  ASSERT_EQ(weekly_lost.size(), 1u);
  EXPECT_EQ(suggested_days(*weekly_lost[0]), 7);
  sunday.tiers[0].changes.within = Duration::from_days(7);
  EXPECT_TRUE(with_code(run(sunday, testing::production_inventory()).policy_sink, Code::kChangesNeverBackedUp)
                  .empty());
  sunday.tiers[0].changes.within = Duration::from_days(6);
  EXPECT_EQ(
      with_code(run(sunday, testing::production_inventory()).policy_sink, Code::kChangesNeverBackedUp).size(),
      1u);
}

// ---- An independent oracle: the production policy day by day (civil_calendar.h, no Schedule, no Calendar,
// no retention.h), with the retention model computed by brute force over every restore point ----

TEST(RetentionOracle, ProductionExtensionMatchesABruteForceCalendar) {
  struct Snap {
    int64_t day;
    char tier;  // 'd' daily (facts, incremental), 'w' weekly (dimensions), 'm' monthly (everything)
    int64_t expires;
  };
  std::vector<Snap> snaps;
  for (int y = 2024; y <= 2026; ++y) {
    for (int m = 1; m <= 12; ++m) {
      for (int d = 1; d <= testing::days_in_month(y, m); ++d) {
        const int64_t n = testing::days_from_civil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
        const bool sunday = testing::is_sunday(y, m, d);
        const char tier = sunday && d <= 7 ? 'm' : sunday ? 'w' : 'd';
        snaps.push_back(Snap{n, tier, n + (tier == 'm' ? 365 : tier == 'w' ? 90 : 14)});
      }
    }
  }
  std::vector<int64_t> keep(snaps.size()), tier_keep(snaps.size());
  for (size_t i = 0; i < snaps.size(); ++i) keep[i] = tier_keep[i] = snaps[i].expires;
  for (size_t p = 0; p < snaps.size(); ++p) {
    // The facts at point p: the chain back to the last monthly; the dimensions: the last weekly or monthly.
    // (Weeklies do not back up the facts, so the fact chain runs through them.)
    std::vector<size_t> needed;
    size_t k = p;
    for (; k > 0 && snaps[k].tier != 'm'; --k) {
      if (snaps[k].tier == 'd') needed.push_back(k);
    }
    needed.push_back(k);
    k = p;
    while (k > 0 && snaps[k].tier == 'd') --k;
    needed.push_back(k);
    for (size_t s : needed) {
      keep[s] = std::max(keep[s], snaps[p].expires);
      if (snaps[s].tier == snaps[p].tier) tier_keep[s] = std::max(tier_keep[s], snaps[p].expires);
    }
  }
  const int64_t from = testing::days_from_civil(2025, 1, 1), to = testing::days_from_civil(2026, 1, 1);
  int64_t dailies = 0, extended = 0, most = 0, total = 0;
  for (size_t i = 0; i < snaps.size(); ++i) {
    if (snaps[i].day < from || snaps[i].day >= to || snaps[i].tier != 'd') continue;
    ++dailies;
    if (keep[i] > tier_keep[i]) {
      ++extended;
      most = std::max(most, keep[i] - tier_keep[i]);
      total += keep[i] - tier_keep[i];
    }
  }
  auto r = run(testing::production_policy(), testing::production_inventory());
  auto ext = with_code(r.policy_sink, Code::kRetentionExtended);
  ASSERT_EQ(ext.size(), 1u);
  EXPECT_NE(ext[0]->message.find(fmt::format("kept up to {}d longer", most)), std::string::npos)
      << ext[0]->message;
  EXPECT_NE(ext[0]->notes[1].message.find(
                fmt::format("{} of the {} 'daily' snapshots taken between", extended, dailies)),
            std::string::npos)
      << ext[0]->notes[1].message;
  EXPECT_NE(ext[0]->notes[1].message.find(fmt::format("live longer: {} snapshot-days", total)),
            std::string::npos)
      << ext[0]->notes[1].message;
  EXPECT_EQ(most, 70);
}

TEST(DescribeTables, OneOrMany) {
  EXPECT_EQ(describe_tables({"a.b"}), "table a.b");
  EXPECT_EQ(describe_tables({"a", "b", "c"}, 2), "3 tables (a, b, …)");
}

}  // namespace
}  // namespace sk::analysis
