// The generated alert rules: thresholds from the policy's schedules, only exported families named, promtool check
// rules clean, and the shipped deploy/prometheus/starkeep-rules.yml equal to what the generator writes now.
#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>

#include "runtime/metrics/alert_rules.h"
#include "runtime/metrics/metric_table.h"
#include "tests/golden/golden_util.h"
#include "tests/runtime/metrics/metrics_test_support.h"

namespace sk::metrics {
namespace {

using namespace sk::metrics::test;  // NOLINT

std::string production_rules() { return render_alert_rules(production_policy(), "policies/production.skp"); }

TEST(AlertRules, ShippedRulesFileIsWhatTheGeneratorWritesNow) {
  // UPDATE_GOLDEN=1 regenerates it (as `starkeep metrics --emit-rules --policy policies/production.skp` would).
  golden::expect_golden(source_dir() / "deploy/prometheus/starkeep-rules.yml", production_rules());
}

TEST(AlertRules, FreshnessIsOneAndAHalfTimesTheLongestGapBetweenSlots) {
  const model::Policy policy = production_policy();
  const std::string rules = production_rules();
  // daily mon..sat: the longest gap is Saturday → Monday, 2 days → 3 days.
  EXPECT_NE(rules.find(R"(starkeep_backup_last_success_timestamp_seconds{tier="daily"} > 259200)"), std::string::npos)
      << rules;
  EXPECT_NE(rules.find(R"({tier="weekly"} > 907200)"), std::string::npos);          // 7 d × 1.5
  EXPECT_NE(rules.find(R"({tier="monthly"} > 4536000)"), std::string::npos);        // 35 d × 1.5
  EXPECT_NE(rules.find(R"({drill="partition"} > )"), std::string::npos);
  EXPECT_EQ(freshness_threshold_seconds(policy.tiers[0].schedule), 259200);
}

TEST(AlertRules, NameOnlyExportedFamilies) {
  std::set<std::string> families;
  for (const auto& f : metric_families()) families.insert(std::string(f.name));
  const std::string rules = production_rules();
  const std::regex metric("starkeep_[a-z_]+");
  int named = 0;
  for (auto it = std::sregex_iterator(rules.begin(), rules.end(), metric); it != std::sregex_iterator(); ++it) {
    const std::string name = (*it)[0];
    if (name == "starkeep_rules_test") continue;
    EXPECT_TRUE(families.contains(name)) << name;
    ++named;
  }
  EXPECT_GT(named, 5);
}

TEST(AlertRules, PromtoolCheckRulesAcceptsTheShippedFile) {
  const Promtool result =
      promtool("check rules " + (source_dir() / "deploy/prometheus/starkeep-rules.yml").string(), "");
  EXPECT_EQ(result.status, 0) << result.output;
  EXPECT_NE(result.output.find("SUCCESS"), std::string::npos) << result.output;
}

}  // namespace
}  // namespace sk::metrics
