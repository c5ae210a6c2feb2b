// The production policy and every example under examples/ compile with zero errors and zero warnings; the
// production policy states product.md §2 exactly.
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "tests/compiler/sema/sema_helpers.h"

namespace {

namespace fs = std::filesystem;
using sk::model::BackupKind;

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(Policies, EveryExampleCompilesCleanly) {
  int count = 0;
  for (const auto& entry : fs::directory_iterator(fs::path(SK_REPO_DIR) / "examples")) {
    if (entry.path().extension() != ".skp") continue;
    ++count;
    auto c = sk::test::compile(read(entry.path()), entry.path().filename().string());
    EXPECT_TRUE(c->sink.diagnostics().empty()) << c->text();
    EXPECT_TRUE(c->model) << entry.path();
  }
  EXPECT_GE(count, 4);
}

TEST(Policies, ProductionStatesTheProductPolicy) {
  auto c = sk::test::compile(read(fs::path(SK_REPO_DIR) / "policies" / "production.skp"), "production.skp");
  ASSERT_TRUE(c->sink.diagnostics().empty()) << c->text();
  ASSERT_TRUE(c->model);
  const auto& m = *c->model;
  EXPECT_EQ(m.name, "production");
  EXPECT_EQ(m.time_zone.name(), "UTC");
  ASSERT_EQ(m.databases.include.size(), 2u);
  EXPECT_EQ(m.databases.include[0].str(), "sales");
  EXPECT_EQ(m.databases.include[1].str(), "crm");
  ASSERT_EQ(m.repositories.size(), 1u);
  EXPECT_EQ(m.repositories[0].endpoint.rfind("https://", 0), 0u);
  EXPECT_EQ(m.precheck.snapshot_disk_free_min.hundredths(), 1500);

  ASSERT_EQ(m.tiers.size(), 3u);
  const auto& daily = m.tiers[0];
  const auto& weekly = m.tiers[1];
  const auto& monthly = m.tiers[2];
  EXPECT_EQ(daily.kind, BackupKind::kChangedPartitions);
  EXPECT_EQ(daily.schedule.to_string(), "mon..sat at 01:00");
  EXPECT_EQ(daily.retain, sk::Duration::from_days(14));
  EXPECT_EQ(daily.window, sk::Duration::from_hours(2));
  EXPECT_TRUE(daily.include.evaluate({"sales", "f", "fact", true, true}));
  EXPECT_FALSE(daily.include.evaluate({"sales", "f", "fact", false, true}));
  EXPECT_FALSE(daily.include.evaluate({"sales", "d", "dimension", true, true}));

  EXPECT_EQ(weekly.kind, BackupKind::kTables);
  EXPECT_EQ(weekly.schedule.to_string(), "sun at 01:00");
  EXPECT_EQ(weekly.retain, sk::Duration::from_days(90));
  EXPECT_TRUE(weekly.include.evaluate({"sales", "d", "dimension", true, true}));
  EXPECT_TRUE(weekly.include.evaluate({"sales", "x", "fact", false, true}));
  EXPECT_FALSE(weekly.include.evaluate({"sales", "f", "fact", true, true}));

  EXPECT_EQ(monthly.kind, BackupKind::kDatabase);
  EXPECT_EQ(monthly.schedule.to_string(), "first sun of month at 01:00");
  EXPECT_EQ(monthly.retain, sk::Duration::from_days(365));
  ASSERT_EQ(monthly.covers.size(), 1u);
  EXPECT_EQ(monthly.covers[0].str(), "weekly");
  EXPECT_EQ(m.tiers_covering(weekly).size(), 1u);

  ASSERT_EQ(m.drills.size(), 3u);
  EXPECT_EQ(m.drills[0].scope, sk::model::DrillScope::kPartition);
  EXPECT_EQ(m.drills[0].from.str(), "daily");
  EXPECT_EQ(m.drills[1].scope, sk::model::DrillScope::kTable);
  EXPECT_EQ(m.drills[1].schedule.months(), (std::set<int>{1, 4, 7, 10}));
  EXPECT_EQ(m.drills[2].scope, sk::model::DrillScope::kDatabase);
  EXPECT_EQ(m.drills[2].schedule.months(), (std::set<int>{1, 7}));
  for (const auto& d : m.drills) EXPECT_EQ(d.verify, sk::model::Verification::kChecksum);

  ASSERT_EQ(m.alerts.size(), 4u);
  EXPECT_EQ(m.alerts[0].when.states, (std::set<std::string>{"CANCELLED", "FAILED"}));
  EXPECT_EQ(m.alerts[0].severity, sk::model::Severity::kCritical);
  EXPECT_EQ(m.alerts[1].when.kind, sk::model::AlertCondition::Kind::kOverrun);
  EXPECT_EQ(m.alerts[2].when.kind, sk::model::AlertCondition::Kind::kRepositoryUnreachable);
  EXPECT_EQ(m.alerts[3].when.kind, sk::model::AlertCondition::Kind::kDiskFreeBelow);
  EXPECT_EQ(m.alerts[3].when.threshold->hundredths(), 1500);
  ASSERT_EQ(m.notifiers.size(), 1u);
  EXPECT_EQ(m.notifiers[0].kind, sk::model::NotifierKind::kAlertmanager);
}

}  // namespace
