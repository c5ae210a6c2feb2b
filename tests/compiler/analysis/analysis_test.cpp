// Analysis: restore chains and chain-aware retention, tier coincidence, coverage and restorability diagnostics
// on the production policy (built as a model).
#include <gtest/gtest.h>

#include "compiler/analysis/analysis.h"
#include "compiler/analysis/chains.h"
#include "tests/compiler/plan/production_policy.h"

namespace sk::analysis {
namespace {

using diag::Code;

Instant day(int n) { return Instant::from_unix_seconds(int64_t{n} * 86400); }

TEST(RestoreChain, IncrementalNeedsItsBaselineAndEveryIncrementalSince) {
  std::vector<ChainLink> links{{day(0), day(365), true},  {day(1), day(15), false}, {day(2), day(16), false},
                               {day(7), day(97), true},   {day(8), day(22), false}};
  EXPECT_EQ(restore_chain(links, 2).links, (std::vector<size_t>{0, 1, 2}));
  EXPECT_TRUE(restore_chain(links, 2).has_baseline);
  EXPECT_EQ(restore_chain(links, 3).links, std::vector<size_t>{3});
  EXPECT_EQ(restore_chain(links, 4).links, (std::vector<size_t>{3, 4}));
  std::vector<ChainLink> orphan{{day(1), day(15), false}, {day(2), day(16), false}};
  EXPECT_FALSE(restore_chain(orphan, 1).has_baseline);
  EXPECT_EQ(restore_chain(orphan, 1).links, (std::vector<size_t>{0, 1}));
}

TEST(ChainAwareKeep, KeepsLinksAsLongAsALaterPointOfTheirChain) {
  std::vector<ChainLink> links{{day(0), day(10), true},  {day(1), day(15), false}, {day(2), day(16), false},
                               {day(7), day(97), true},  {day(8), day(22), false}};
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
  inv.cluster_databases.push_back(
      inventory::ClusterDatabase{DatabaseName::parse("sales").value(),
                                 std::vector<TableName>{TableName::parse("orders").value(),
                                                        TableName::parse("refunds").value()},
                                 {}});
  inv.cluster_databases.push_back(inventory::ClusterDatabase{DatabaseName::parse("billing").value(), std::nullopt, {}});
  auto policy = testing::production_policy();
  policy.databases.include.push_back(DatabaseName::parse("billing").value());
  auto r = run(policy, inv);
  auto tables = with_code(r.inventory_sink, Code::kClusterTableNotInInventory);
  ASSERT_EQ(tables.size(), 1u);
  EXPECT_EQ(tables[0]->message,
            "table refunds of database sales exist on the cluster but are missing from the inventory, so no tier "
            "backs them up");
  EXPECT_EQ(with_code(r.inventory_sink, Code::kClusterDatabaseNotInInventory).size(), 1u);
  auto named = with_code(r.policy_sink, Code::kPolicyDatabaseNotInInventory);
  ASSERT_EQ(named.size(), 1u);
  EXPECT_EQ(named[0]->message, "database 'billing' is named in the policy but has no tables in the inventory");
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

TEST(Restorability, ProductionHoleIsReportedWithConcreteDates) {
  auto r = run(testing::production_policy(), testing::production_inventory());
  auto holes = with_code(r.policy_sink, Code::kRestoreHole);
  ASSERT_EQ(holes.size(), 1u);
  const diag::Diagnostic& d = *holes[0];
  // 2025-01-05 is the first Sunday (monthly); 2025-01-12 the first plain weekly. The fact tables' state then is the
  // daily of 2025-01-11, whose chain runs to the last daily before the next monthly (2025-02-01) + 14d.
  EXPECT_EQ(d.message,
            "2 tables (sales.line_items, sales.orders) of class fact: cannot be restored to 2025-01-12 01:00 (weekly "
            "restore point, kept until 2025-04-12): from 2025-02-15 their state at that time is gone");
  ASSERT_GE(d.notes.size(), 3u);
  EXPECT_EQ(d.notes[0].message,
            "changes after the 'monthly' full backup of 2025-01-05 are kept only in 'daily' incrementals, which expire "
            "after 14d; their state at 2025-01-12 is the incremental of 2025-01-11");
  EXPECT_EQ(d.notes[1].message,
            "chain-aware retention keeps that chain until its last incremental (of 2025-02-01) expires on "
            "2025-02-15; from then the state of 2025-01-12 is gone");
  EXPECT_EQ(d.notes[2].message, "the same happens for 40 restore points between 2025-01-12 and 2025-12-28");
}

TEST(Restorability, HoleClosesWhenTheWeeklyAlsoTakesFactTables) {
  auto policy = testing::production_policy();
  policy.tiers[1].include = model::Predicate::always();
  auto r = run(policy, testing::production_inventory());
  EXPECT_TRUE(with_code(r.policy_sink, Code::kRestoreHole).empty());
}

TEST(Restorability, LongerDailiesCloseTheFactHoleButExposeTheDimensionOne) {
  auto policy = testing::production_policy();
  policy.tiers[0].retain = Duration::from_days(90);
  auto r = run(policy, testing::production_inventory());
  auto holes = with_code(r.policy_sink, Code::kRestoreHole);
  // The fact tables are now fine; but a daily restore point kept 90d from a weekday outlives the Sunday weekly that
  // holds the dimension tables' state (also 90d, from the Sunday before): a real, smaller hole.
  ASSERT_EQ(holes.size(), 1u);
  EXPECT_EQ(holes[0]->message,
            "3 tables (crm.contacts, sales.customers, sales.fx_rates) of class dimension, fact: cannot be restored "
            "to 2025-01-01 01:00 (daily restore point, kept until 2025-04-01): from 2025-03-29 their state at that "
            "time is gone");
  EXPECT_EQ(holes[0]->notes[0].message,
            "their state at 2025-01-01 is held only by the 'weekly' backup of 2024-12-29, which is kept for 90d "
            "(until 2025-03-29)");
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

TEST(DescribeTables, OneOrMany) {
  EXPECT_EQ(describe_tables({"a.b"}), "table a.b");
  EXPECT_EQ(describe_tables({"a", "b", "c"}, 2), "3 tables (a, b, …)");
}

}  // namespace
}  // namespace sk::analysis
