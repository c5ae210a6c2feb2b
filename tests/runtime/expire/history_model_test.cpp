#include "runtime/expire/history_model.h"

#include <gtest/gtest.h>

#include <random>
#include <set>

#include "tests/runtime/expire/history_fixture.h"

namespace sk::expire {
namespace {

using namespace testing;
namespace rm = analysis::retention;
using K = ops::BackupKind;

const std::map<std::string, RetainPeriod> kRetain{{"daily", Duration::from_days(14)},
                                              {"weekly", Duration::from_days(90)},
                                              {"monthly", Duration::from_days(365)}};

std::set<std::string> sources(const ModelHistory& m, size_t i) {
  std::set<std::string> out;
  for (const auto& t : m.snapshots[i].tables) {
    for (const auto& in : t.inherited) out.insert(in.from == rm::kNoSnapshot ? "<none>" : m.snapshots[in.from].label);
  }
  return out;
}

size_t index_of(const ModelHistory& m, const std::string& label) {
  for (size_t i = 0; i < m.snapshots.size(); ++i) {
    if (m.snapshots[i].label == label) return i;
  }
  ADD_FAILURE() << label << " not in the model";
  return 0;
}

TEST(HistoryModelTest, ChangedPartitionsInheritEveryOtherPartitionFromItsNewestHolderSinceTheBaseline) {
  const std::vector<std::string> all{"p1", "p2", "p3"};
  std::vector<restore::Snapshot> h{snapshot("w0", {"weekly"}, K::kTables, 0, all, all),
                                   snapshot("d1", {"daily"}, K::kPartitions, 1, {"p1"}, all),
                                   snapshot("d2", {"daily"}, K::kPartitions, 2, {"p2"}, all),
                                   snapshot("w3", {"weekly"}, K::kTables, 3, all, all),
                                   snapshot("d4", {"daily"}, K::kPartitions, 4, {"p3"}, all)};
  const ModelHistory m = to_model(h, kRetain, TimeZone::utc());
  ASSERT_EQ(m.snapshots.size(), 5u);
  EXPECT_EQ(sources(m, index_of(m, "d1")), (std::set<std::string>{"w0"}));
  EXPECT_EQ(sources(m, index_of(m, "d2")), (std::set<std::string>{"w0", "d1"}));  // p1 from d1, p3 from w0
  EXPECT_EQ(sources(m, index_of(m, "d4")), (std::set<std::string>{"w3"}));        // the new baseline resets
  EXPECT_TRUE(m.snapshots[index_of(m, "w3")].tables.front().inherited.empty());
  EXPECT_EQ(m.snapshots[index_of(m, "d2")].retain, Duration::from_days(14));
  EXPECT_EQ(m.snapshots[index_of(m, "w3")].kind, rm::SnapshotKind::kTables);
}

TEST(HistoryModelTest, WithoutARecordedPartitionSetEveryPartitionHeldSoFarIsInherited) {
  std::vector<restore::Snapshot> h{snapshot("w0", {"weekly"}, K::kTables, 0, {"p1", "p2"}),
                                   snapshot("d1", {"daily"}, K::kPartitions, 1, {"p3"}),
                                   snapshot("d2", {"daily"}, K::kPartitions, 2, {"p1"})};
  const ModelHistory m = to_model(h, kRetain, TimeZone::utc());
  EXPECT_EQ(sources(m, index_of(m, "d2")), (std::set<std::string>{"w0", "d1"}));  // p2 from w0, p3 from d1
}

TEST(HistoryModelTest, APartitionDroppedFromTheRecordedSetIsNotNeeded) {
  std::vector<restore::Snapshot> h{snapshot("w0", {"weekly"}, K::kTables, 0, {"p1", "p2"}, {"p1", "p2"}),
                                   snapshot("d1", {"daily"}, K::kPartitions, 1, {"p3"}, {"p1", "p2", "p3"}),
                                   snapshot("d2", {"daily"}, K::kPartitions, 2, {"p1"}, {"p1", "p2"})};
  const ModelHistory m = to_model(h, kRetain, TimeZone::utc());
  EXPECT_EQ(sources(m, index_of(m, "d2")), (std::set<std::string>{"w0"}));  // p3 was dropped: d1 not needed
}

TEST(HistoryModelTest, TheLongestRetentionAmongItsTiersAppliesAndUnknownTiersAreKeptForever) {
  std::vector<restore::Snapshot> h{snapshot("m0", {"weekly", "monthly"}, K::kTables, 0, {"p1"}),
                                   snapshot("x1", {"hourly"}, K::kTables, 1, {"p1"})};
  const ModelHistory m = to_model(h, kRetain, TimeZone::utc());
  EXPECT_EQ(m.snapshots[index_of(m, "m0")].tier, "monthly");
  EXPECT_EQ(m.snapshots[index_of(m, "m0")].retain, Duration::from_days(365));
  EXPECT_FALSE(m.unknown_tier[index_of(m, "m0")]);
  EXPECT_TRUE(m.unknown_tier[index_of(m, "x1")]);
  EXPECT_EQ(m.snapshots[index_of(m, "x1")].retain, kKeptForever);
}

TEST(HistoryModelTest, NotFinishedAttemptsAreNotSnapshots) {
  std::vector<restore::Snapshot> h{snapshot("w0", {"weekly"}, K::kTables, 0, {"p1"})};
  h.push_back(snapshot("w1", {"weekly"}, K::kTables, 1, {"p1"}));
  h.back().attempt.state = ops::AttemptState::kCancelled;
  EXPECT_EQ(to_model(h, kRetain, TimeZone::utc()).snapshots.size(), 1u);
}

// The snapshots a restore of the whole database to snapshot `i` needs, according to the model: evaluated with
// only `i` retained, what is kept.
std::set<std::string> model_needs(ModelHistory m, size_t i, Instant at) {
  for (size_t k = 0; k < m.snapshots.size(); ++k) {
    m.snapshots[k].until = k == i ? at + Duration::from_days(1) : m.snapshots[k].taken;
  }
  const rm::Evaluation ev = rm::evaluate(m.snapshots, at);
  std::set<std::string> out;
  for (size_t k = 0; k < m.snapshots.size(); ++k) {
    if (ev.verdicts[k].keep) out.insert(m.snapshots[k].label);
  }
  return out;
}

// What the restore planner reads for the same restore.
std::set<std::string> planner_needs(const std::vector<restore::Snapshot>& h, const std::string& label) {
  restore::RestoreRequest r{restore::Scope::kDatabase, *DatabaseName::parse("sales")};
  r.snapshot = *SnapshotLabel::parse(label);
  r.into = *DatabaseName::parse("sales_restored");
  r.now = day(1000);
  auto plan = restore::make_restore_plan(r, h);
  EXPECT_TRUE(plan.has_value()) << (plan ? "" : plan.error().message);
  std::set<std::string> out;
  if (plan) {
    for (const auto& step : plan->steps) out.insert(step.label.str());
  }
  return out;
}

// Random histories of two tables: for every restore point, the model keeps exactly what the planner reads.
TEST(HistoryModelTest, ForEveryRestorePointTheModelNeedsExactlyWhatTheRestorePlannerReads) {
  std::mt19937 rng(20261206);
  for (int round = 0; round < 60; ++round) {
    std::vector<restore::Snapshot> h;
    std::map<std::string, std::vector<std::string>> parts{{"orders", {"p1", "p2"}}, {"items", {"q1"}}};
    for (int k = 0; k < 12; ++k) {
      const std::string label = fmt::format("s{:02}", k);
      const int pick = static_cast<int>(rng() % 6);
      const std::string table = rng() % 2 ? "orders" : "items";
      auto& all = parts[table];
      if (rng() % 4 == 0) all.push_back(fmt::format("{}{}", table[0], 10 + k));  // a new partition
      if (pick == 0) {
        h.push_back(snapshot(label, {"weekly"}, K::kTables, k, all, all, "sales", table));
      } else {
        std::vector<std::string> changed{all[rng() % all.size()]};
        h.push_back(snapshot(label, {"daily"}, K::kPartitions, k, changed, all, "sales", table));
      }
    }
    const ModelHistory m = to_model(h, kRetain, TimeZone::utc());
    for (size_t i = 0; i < m.snapshots.size(); ++i) {
      EXPECT_EQ(model_needs(m, i, day(12)), planner_needs(h, m.snapshots[i].label))
          << "round " << round << ", restore point " << m.snapshots[i].label;
    }
  }
}

}  // namespace
}  // namespace sk::expire
