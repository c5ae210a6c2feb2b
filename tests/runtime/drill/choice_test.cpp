// The reproducible choice (runtime/drill/choice.h): sources, candidates, seed % count, independence from the
// order of the history, retention and "at or before T".
#include "runtime/drill/choice.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

#include "tests/runtime/drill/drill_test_support.h"

namespace sk::drill {
namespace {

using testing::at;
using testing::compile_policy;
using testing::drill_named;
using testing::snapshot;

class DrillChoice : public ::testing::Test {
 protected:
  model::Policy policy_ = compile_policy();

  // Two databases with dailies on 15 and 16 September, a weekly (Sunday 14th), a monthly (Sunday 7th), a
  // daily finished after T and one older than the daily retention, and a database outside the policy.
  std::vector<restore::Snapshot> history() {
    using ops::BackupKind;
    return {
        snapshot("sales", "sales_0907_base", {"monthly", "weekly"}, BackupKind::kDatabase,
                 "2025-09-07T00:20:00Z", {{"orders", {"p1", "p2", "p3"}}, {"customers", {"customers"}}}),
        snapshot("sales", "sales_0914_full", {"weekly"}, BackupKind::kTables, "2025-09-14T00:20:00Z",
                 {{"customers", {"customers"}}, {"regions", {"regions"}}}),
        snapshot("sales", "sales_0915_inc", {"daily"}, BackupKind::kPartitions, "2025-09-15T00:10:00Z",
                 {{"orders", {"p2"}}}),
        snapshot("sales", "sales_0916_inc", {"daily"}, BackupKind::kPartitions, "2025-09-16T00:10:00Z",
                 {{"orders", {"p3", "p1"}}, {"events", {"e9"}}}),
        snapshot("sales", "sales_0918_inc", {"daily"}, BackupKind::kPartitions, "2025-09-18T00:10:00Z",
                 {{"orders", {"p9"}}}),  // after T
        snapshot("crm", "crm_0820_inc", {"daily"}, BackupKind::kPartitions, "2025-08-20T00:10:00Z",
                 {{"calls", {"c1"}}}),  // older than 14 days at T
        snapshot("crm", "crm_0916_inc", {"daily"}, BackupKind::kPartitions, "2025-09-16T00:15:00Z",
                 {{"calls", {"c7", "c8"}}}),
        snapshot("other", "other_0916_inc", {"daily"}, BackupKind::kPartitions, "2025-09-16T00:15:00Z",
                 {{"x", {"x1"}}}),  // not a database of the policy
    };
  }

  Result<Choice> pick(const char* drill, const char* t, const std::vector<restore::Snapshot>& h) {
    auto period = period_of(drill_named(policy_, drill), policy_.time_zone, at(t));
    EXPECT_TRUE(period);
    return choose(policy_, drill_named(policy_, drill), *period, at(t), h);
  }
};

TEST_F(DrillChoice, PartitionFromTheNewestDailyOfEachDatabase) {
  auto c = pick("partition", "2025-09-17T06:00:00Z", history());
  ASSERT_TRUE(c) << c.error().describe();
  // Candidates, sorted: crm.calls.c7, crm.calls.c8, sales.events.e9, sales.orders.p1, sales.orders.p3.
  EXPECT_EQ(c->candidates, 5u);
  const std::uint64_t seed = seed_of(*DrillName::parse("partition"), "2025-09");
  EXPECT_EQ(c->seed, seed);
  EXPECT_EQ(c->index, seed % 5);
  const std::vector<std::string> sorted{"crm.calls partition c7", "crm.calls partition c8",
                                        "sales.events partition e9", "sales.orders partition p1",
                                        "sales.orders partition p3"};
  EXPECT_EQ(c->object(), sorted[c->index]);
  EXPECT_EQ(c->snapshot.label.str(), c->database.str() == "crm" ? "crm_0916_inc" : "sales_0916_inc");
  ASSERT_TRUE(c->table && c->partition);
  EXPECT_EQ(c->sources, (std::vector<std::string>{"crm: crm_0916_inc (2025-09-16T00:15:00Z)",
                                                  "sales: sales_0916_inc (2025-09-16T00:10:00Z)"}));
}

TEST_F(DrillChoice, SameInputsSameChoiceWhateverTheHistoryOrder) {
  auto first = pick("partition", "2025-09-17T06:00:00Z", history());
  ASSERT_TRUE(first);
  std::mt19937 rng(42);
  for (int i = 0; i < 20; ++i) {
    auto h = history();
    std::shuffle(h.begin(), h.end(), rng);
    for (auto& s : h) std::shuffle(s.entries.begin(), s.entries.end(), rng);
    auto again = pick("partition", "2025-09-17T20:00:00Z", h);  // later the same day, same sources
    ASSERT_TRUE(again);
    EXPECT_EQ(again->object(), first->object());
    EXPECT_EQ(again->snapshot.label, first->snapshot.label);
    EXPECT_EQ(again->seed, first->seed);
  }
}

TEST_F(DrillChoice, OtherPeriodsFollowTheirOwnSeed) {
  // The same history drilled in different months: each choice is candidates[seed(month) % 5]; over a year
  // they are not all the same object.
  std::set<std::string> objects;
  for (int month = 1; month <= 12; ++month) {
    const std::string label = fmt::format("2026-{:02}", month);
    auto seed = seed_of(*DrillName::parse("partition"), label);
    Period p{at("2025-09-01T00:00:00Z"), at("2025-10-01T00:00:00Z"), at("2025-09-01T04:00:00Z"), label};
    auto c = choose(policy_, drill_named(policy_, "partition"), p, at("2025-09-17T06:00:00Z"), history());
    ASSERT_TRUE(c);
    EXPECT_EQ(c->index, seed % 5);
    objects.insert(c->object());
  }
  EXPECT_GT(objects.size(), 1u);
}

TEST_F(DrillChoice, SnapshotsAfterTOrPastRetentionAreNotSources) {
  // At 2025-09-16T00:12Z the crm daily (00:15) has not finished yet, and crm's August daily is past
  // retention.
  auto c = pick("partition", "2025-09-16T00:12:00Z", history());
  ASSERT_TRUE(c);
  EXPECT_EQ(c->sources, (std::vector<std::string>{"sales: sales_0916_inc (2025-09-16T00:10:00Z)"}));
  EXPECT_EQ(c->candidates, 3u);
  EXPECT_EQ(c->database.str(), "sales");
  // Before any daily of September and after the August one expired: nothing to drill.
  auto none = pick("partition", "2025-09-14T12:00:00Z", [&] {
    auto h = history();
    std::erase_if(h, [](const restore::Snapshot& s) { return s.attempt.database.str() == "sales"; });
    return h;
  }());
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, "drill.no_snapshot");
  EXPECT_NE(none.error().message.find("tier 'daily'"), std::string::npos) << none.error().message;
}

TEST_F(DrillChoice, ASnapshotCountsFromItsScheduleSlot) {
  // Backed up late (a catch-up run finished on the 20th for the slot of the 16th): it counts from its slot,
  // the same clock as the drill's schedule and `run --at`, so on the 17th it is the newest daily of crm.
  auto h = history();
  for (auto& s : h) {
    if (s.attempt.label.str() == "crm_0916_inc") {
      s.attempt.slot = at("2025-09-15T23:00:00Z");
      s.attempt.finished_at = at("2025-09-20T08:00:00Z");
    }
  }
  auto c = pick("partition", "2025-09-17T06:00:00Z", h);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->sources, (std::vector<std::string>{"crm: crm_0916_inc (2025-09-15T23:00:00Z)",
                                                  "sales: sales_0916_inc (2025-09-16T00:10:00Z)"}));
  // Retention is measured from the slot too: 14 days after it the snapshot is no longer a source.
  auto late = pick("partition", "2025-09-30T00:00:00Z", h);
  ASSERT_TRUE(late);
  for (const auto& s : late->sources) EXPECT_EQ(s.find("crm"), std::string::npos) << s;
}

TEST_F(DrillChoice, SourceCandidatesPerDatabaseNewestFirst) {
  std::vector<ops::BackupAttempt> attempts;
  for (auto& s : history()) attempts.push_back(s.attempt);
  auto lists =
      source_candidates(policy_, drill_named(policy_, "partition"), at("2025-09-17T06:00:00Z"), attempts);
  ASSERT_EQ(lists.size(), 2u);  // crm, sales ("other" is not a database of the policy)
  auto labels = [](const std::vector<const ops::BackupAttempt*>& list) {
    std::vector<std::string> out;
    for (const auto* a : list) out.push_back(a->label.str());
    return out;
  };
  EXPECT_EQ(labels(lists[0]), std::vector<std::string>{"crm_0916_inc"});  // the August one is past retention
  EXPECT_EQ(labels(lists[1]),
            (std::vector<std::string>{"sales_0916_inc", "sales_0915_inc"}));  // not the 18th's
  // The weekly tier: the monthly baseline counts for it too.
  auto weekly =
      source_candidates(policy_, drill_named(policy_, "table"), at("2025-09-17T06:00:00Z"), attempts);
  ASSERT_EQ(weekly.size(), 1u);
  EXPECT_EQ(labels(weekly[0]), (std::vector<std::string>{"sales_0914_full", "sales_0907_base"}));
}

TEST_F(DrillChoice, TableFromTheWeeklyAndDatabaseFromTheMonthly) {
  // On 15 September the newest weekly-tier snapshot of sales is the weekly full of the 14th.
  auto t = pick("table", "2025-09-15T12:00:00Z", history());
  ASSERT_TRUE(t);
  EXPECT_EQ(t->snapshot.label.str(), "sales_0914_full");
  EXPECT_EQ(t->candidates, 2u);  // sales.customers, sales.regions
  EXPECT_EQ(t->object(), t->index == 0 ? "sales.customers" : "sales.regions");
  EXPECT_FALSE(t->partition);
  // On 10 September it is the monthly baseline of the 7th, which covers the weekly (tiers lists both).
  auto base = pick("table", "2025-09-10T12:00:00Z", history());
  ASSERT_TRUE(base);
  EXPECT_EQ(base->snapshot.label.str(), "sales_0907_base");
  EXPECT_EQ(base->candidates, 2u);  // sales.customers, sales.orders

  auto db = pick("database", "2025-09-17T12:00:00Z", history());
  ASSERT_TRUE(db);
  EXPECT_EQ(db->object(), "sales");
  EXPECT_EQ(db->candidates, 1u);
  EXPECT_EQ(db->snapshot.label.str(), "sales_0907_base");
  EXPECT_FALSE(db->table);
}

}  // namespace
}  // namespace sk::drill
