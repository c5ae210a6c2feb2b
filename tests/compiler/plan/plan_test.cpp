// The planner on the production policy (built as a model): what is due when, coincidence, objects, labels,
// expiry, SQL, skipped jobs, drills, JSON round trip, and a year of days checked against an independent calendar.
#include <gtest/gtest.h>

#include "compiler/analysis/calendar.h"
#include "compiler/plan/plan.h"
#include "tests/compiler/plan/civil_calendar.h"
#include "tests/compiler/plan/production_policy.h"

namespace sk::plan {
namespace {

Instant local_instant(const model::Policy& p, int y, int mo, int d, int h, int mi) {
  return p.time_zone.from_local(CivilSecond(y, mo, d, h, mi, 0));
}

std::vector<std::string> names(const std::vector<TableObject>& tables) {
  std::vector<std::string> out;
  for (const auto& t : tables) out.push_back(t.table.str() + (t.scope == TableScope::kChangedPartitions ? "*" : ""));
  return out;
}

TEST(MakePlan, MondayAtOneOhFiveRunsTheDaily) {
  auto policy = testing::production_policy();
  auto inv = testing::production_inventory();
  // 2025-09-15 is a Monday.
  Plan plan = make_plan(policy, inv, local_instant(policy, 2025, 9, 15, 1, 5));
  ASSERT_EQ(plan.due.size(), 1u);
  EXPECT_EQ(plan.due[0].tier.str(), "daily");
  EXPECT_EQ(plan.due[0].slot, local_instant(policy, 2025, 9, 15, 1, 0));
  EXPECT_TRUE(plan.due[0].runs_now);
  ASSERT_EQ(plan.jobs.size(), 1u);  // crm has no partitioned fact table
  const BackupJob& j = plan.jobs[0];
  EXPECT_EQ(j.database.str(), "sales");
  EXPECT_EQ(j.label.str(), "sales_20250915_inc");
  EXPECT_EQ(names(j.tables), (std::vector<std::string>{"line_items*", "orders*"}));
  EXPECT_FALSE(j.whole_database);
  ASSERT_TRUE(j.change_detection);
  EXPECT_EQ(j.change_detection->mode, model::ChangeDetection::Mode::kVisibleVersion);
  EXPECT_EQ(j.expires, local_instant(policy, 2025, 9, 29, 1, 0));
  EXPECT_EQ(j.deadline, local_instant(policy, 2025, 9, 15, 3, 0));
  EXPECT_EQ(preview_sql(j),
            "BACKUP SNAPSHOT `sales`.`sales_20250915_inc` TO `s3_prod` ON (`line_items` PARTITION (<changed "
            "partitions, bound at run time>), `orders` PARTITION (<changed partitions, bound at run time>)) "
            "PROPERTIES ('type' = 'full', 'timeout' = '86400')");  // the tier's timeout (24h), not its 2h window
  ASSERT_EQ(plan.skipped.size(), 1u);
  EXPECT_EQ(plan.skipped[0].database.str(), "crm");
  EXPECT_TRUE(plan.has_work());
  EXPECT_EQ(plan.databases.size(), 2u);  // "other" is not in the policy
}

TEST(MakePlan, OutsideTheWindowNothingIsDue) {
  auto policy = testing::production_policy();
  Plan plan = make_plan(policy, testing::production_inventory(), local_instant(policy, 2025, 9, 15, 3, 0));
  EXPECT_TRUE(plan.due.empty());  // window 2h: [01:00, 03:00)
  EXPECT_FALSE(plan.has_work());
  Plan before = make_plan(policy, testing::production_inventory(), local_instant(policy, 2025, 9, 15, 0, 59));
  EXPECT_TRUE(before.due.empty());
}

TEST(MakePlan, PlainSundayRunsTheWeeklyOnTablesOnly) {
  auto policy = testing::production_policy();
  Plan plan = make_plan(policy, testing::production_inventory(), local_instant(policy, 2025, 9, 14, 1, 5));
  ASSERT_EQ(plan.due.size(), 1u);
  EXPECT_EQ(plan.due[0].tier.str(), "weekly");
  ASSERT_EQ(plan.jobs.size(), 2u);
  EXPECT_EQ(plan.jobs[0].database.str(), "crm");
  EXPECT_EQ(names(plan.jobs[0].tables), std::vector<std::string>{"contacts"});
  EXPECT_EQ(plan.jobs[1].label.str(), "sales_20250914_full");
  EXPECT_EQ(names(plan.jobs[1].tables), (std::vector<std::string>{"customers", "fx_rates"}));
  EXPECT_FALSE(plan.jobs[1].change_detection);
  EXPECT_EQ(plan.jobs[1].expires, local_instant(policy, 2025, 12, 13, 1, 0));
}

TEST(MakePlan, FirstSundayRunsTheMonthlyWhichCoversTheWeekly) {
  auto policy = testing::production_policy();
  Plan plan = make_plan(policy, testing::production_inventory(), local_instant(policy, 2025, 9, 7, 1, 5));
  ASSERT_EQ(plan.due.size(), 2u);
  EXPECT_EQ(plan.due[0].tier.str(), "monthly");
  EXPECT_EQ(plan.due[0].satisfied_by.str(), "monthly");
  EXPECT_EQ(plan.due[1].tier.str(), "weekly");
  EXPECT_EQ(plan.due[1].satisfied_by.str(), "monthly");
  ASSERT_EQ(plan.jobs.size(), 2u);  // one per database, not two
  for (const BackupJob& j : plan.jobs) {
    EXPECT_EQ(j.tier.str(), "monthly");
    EXPECT_EQ(j.satisfies.size(), 2u);
    EXPECT_TRUE(j.whole_database);
    EXPECT_EQ(j.retain, Duration::from_days(365));
    EXPECT_EQ(j.retain_from.str(), "monthly");
  }
  EXPECT_EQ(plan.jobs[1].label.str(), "sales_20250907_base");
  EXPECT_EQ(preview_sql(plan.jobs[1]),
            "BACKUP SNAPSHOT `sales`.`sales_20250907_base` TO `s3_prod` PROPERTIES ('type' = 'full', 'timeout' = "
            "'86400')");  // issue 10 item 9: a slow monthly is not cancelled at its 8h window
  // At 06:00 the weekly's 4h window has passed but the monthly's 8h has not: still one job, still satisfying both.
  Plan later = make_plan(policy, testing::production_inventory(), local_instant(policy, 2025, 9, 7, 6, 0));
  ASSERT_EQ(later.due.size(), 1u);
  EXPECT_EQ(later.jobs.size(), 2u);
  EXPECT_EQ(later.jobs[0].satisfies.size(), 2u);
}

TEST(MakePlan, DrillsAreDueOnTheirDay) {
  auto policy = testing::production_policy();
  Plan plan = make_plan(policy, testing::production_inventory(), local_instant(policy, 2025, 7, 1, 6, 30));
  ASSERT_EQ(plan.drills.size(), 3u);  // July: monthly partition, quarterly table, semi-annual database drills
  EXPECT_EQ(plan.drills[0].drill.str(), "database");
  EXPECT_EQ(plan.drills[0].from.str(), "monthly");
  Plan aug = make_plan(policy, testing::production_inventory(), local_instant(policy, 2025, 8, 1, 6, 30));
  ASSERT_EQ(aug.drills.size(), 1u);
  EXPECT_EQ(aug.drills[0].drill.str(), "partition");
  Plan next_day = make_plan(policy, testing::production_inventory(), local_instant(policy, 2025, 8, 2, 6, 30));
  EXPECT_TRUE(next_day.drills.empty());
}

TEST(MakePlan, NamedDatabaseMissingFromInventoryGetsOnlyWholeDatabaseJobs) {
  auto policy = testing::production_policy();
  policy.databases.include.push_back(DatabaseName::parse("billing").value());
  Plan monthly = make_plan(policy, testing::production_inventory(), local_instant(policy, 2025, 9, 7, 1, 5));
  ASSERT_EQ(monthly.jobs.size(), 3u);
  EXPECT_EQ(monthly.jobs[0].database.str(), "billing");
  EXPECT_TRUE(monthly.jobs[0].whole_database);
  Plan weekly = make_plan(policy, testing::production_inventory(), local_instant(policy, 2025, 9, 14, 1, 5));
  ASSERT_EQ(weekly.skipped.size(), 1u);
  EXPECT_EQ(weekly.skipped[0].database.str(), "billing");
}

TEST(MakePlan, IneligibleTablesAreNotSelected) {
  auto policy = testing::production_policy();
  auto inv = testing::production_inventory();
  inv.tables[0].eligibility["daily"] = false;  // sales.orders
  Plan plan = make_plan(policy, inv, local_instant(policy, 2025, 9, 15, 1, 5));
  ASSERT_EQ(plan.jobs.size(), 1u);
  EXPECT_EQ(names(plan.jobs[0].tables), std::vector<std::string>{"line_items*"});
}

// Issue 10 item 11: a runner down during the first Sunday's 8h window. On Monday the daily is due as usual, and
// the monthly's missed slot (covering that Sunday's weekly) is a catch-up candidate with the slot's label; its
// window for the overrun alert starts at the run's instant. Before the fix nothing but the daily was planned.
TEST(CatchUp, MissedFirstSundayMonthlyIsACandidateWithTheSlotsLabel) {
  auto policy = testing::production_policy();
  const Instant at = local_instant(policy, 2025, 9, 8, 1, 5);  // Monday after the first Sunday 2025-09-07
  Plan plan = make_plan(policy, testing::production_inventory(), at);
  ASSERT_EQ(plan.due.size(), 1u);
  EXPECT_EQ(plan.due[0].tier.str(), "daily");
  ASSERT_EQ(plan.catch_ups.size(), 2u);  // crm and sales, by database
  for (const BackupJob& j : plan.catch_ups) {
    EXPECT_TRUE(j.catch_up);
    EXPECT_EQ(j.tier.str(), "monthly");
    EXPECT_EQ(j.satisfies, (std::vector<TierName>{TierName::parse("monthly").value(), TierName::parse("weekly").value()}));
    EXPECT_EQ(j.slot, local_instant(policy, 2025, 9, 7, 1, 0));
    EXPECT_EQ(j.deadline, at + Duration::from_hours(8));
    EXPECT_TRUE(j.whole_database);
  }
  EXPECT_EQ(plan.catch_ups[1].label.str(), "sales_20250907_base");
  EXPECT_FALSE(plan.jobs.empty());
  for (const BackupJob& j : plan.jobs) EXPECT_FALSE(j.catch_up);
}

// Only the latest slot of a tier is caught up, until its next firing: on the second Monday the monthly's candidate
// is still the first Sunday, the weekly's is the second Sunday (its own job: no monthly that day), in slot order.
TEST(CatchUp, OnlyTheLatestSlotOfEachTierUntilItsNextFiring) {
  auto policy = testing::production_policy();
  Plan plan = make_plan(policy, testing::production_inventory(), local_instant(policy, 2025, 9, 15, 1, 5));
  std::vector<std::string> labels;
  for (const BackupJob& j : plan.catch_ups) labels.push_back(j.label.str());
  EXPECT_EQ(labels, (std::vector<std::string>{"crm_20250907_base", "sales_20250907_base", "crm_20250914_full",
                                              "sales_20250914_full"}));
  // The day before the next first Sunday the September slot is still a candidate; at its firing it is the regular
  // due tier, no longer a catch-up.
  Plan saturday = make_plan(policy, testing::production_inventory(), local_instant(policy, 2025, 10, 5, 0, 59));
  ASSERT_FALSE(saturday.catch_ups.empty());
  EXPECT_EQ(saturday.catch_ups.front().label.str(), "crm_20250907_base");
  Plan next = make_plan(policy, testing::production_inventory(), local_instant(policy, 2025, 10, 5, 1, 5));
  for (const BackupJob& j : next.catch_ups) EXPECT_NE(j.tier.str(), "monthly") << j.label.str();
  ASSERT_FALSE(next.jobs.empty());
  EXPECT_EQ(next.jobs.front().label.str(), "crm_20251005_base");
}

TEST(CatchUp, HorizonAndNoneBoundTheCandidates) {
  auto policy = testing::production_policy();
  const Instant tuesday = local_instant(policy, 2025, 9, 9, 1, 5);  // 48h05m after the monthly's slot
  for (auto& t : policy.tiers) t.catch_up = model::CatchUp{model::CatchUp::Kind::kWithin, Duration::from_days(2)};
  EXPECT_TRUE(make_plan(policy, testing::production_inventory(), tuesday).catch_ups.empty());
  const auto monday = make_plan(policy, testing::production_inventory(), local_instant(policy, 2025, 9, 8, 1, 5));
  EXPECT_EQ(monday.catch_ups.size(), 2u);
  auto c = catch_up_slot(policy.tiers[2], policy.time_zone, local_instant(policy, 2025, 9, 8, 1, 5));
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->until, local_instant(policy, 2025, 9, 9, 1, 0));  // slot + 2d, before the next firing
  for (auto& t : policy.tiers) t.catch_up = model::CatchUp{model::CatchUp::Kind::kNone, {}};
  EXPECT_TRUE(make_plan(policy, testing::production_inventory(), local_instant(policy, 2025, 9, 8, 1, 5))
                  .catch_ups.empty());
  // Inside the window there is no catch-up: the slot is simply due.
  EXPECT_FALSE(catch_up_slot(testing::production_policy().tiers[2], policy.time_zone,
                             local_instant(policy, 2025, 9, 7, 8, 59)));
}

TEST(CatchUp, CandidatesRoundTripThroughJson) {
  auto policy = testing::production_policy();
  Plan plan = make_plan(policy, testing::production_inventory(), local_instant(policy, 2025, 9, 15, 1, 5));
  ASSERT_FALSE(plan.catch_ups.empty());
  const nlohmann::json j = to_json(plan);
  ASSERT_TRUE(j.contains("catch_ups"));
  EXPECT_EQ(j["catch_ups"][0]["catch_up"], true);
  EXPECT_FALSE(j["jobs"][0].contains("catch_up"));
  auto back = plan_from_json(j);
  ASSERT_TRUE(back.has_value()) << back.error().message;
  EXPECT_EQ(to_json_text(*back), to_json_text(plan));
  EXPECT_NE(render_preview(plan).find("catch-up of 2025-09-07 01:00"), std::string::npos) << render_preview(plan);
}

TEST(PlanJson, RoundTripIsByteIdentical) {
  auto policy = testing::production_policy("Europe/Berlin");
  for (Instant at : {local_instant(policy, 2025, 9, 7, 1, 5), local_instant(policy, 2025, 9, 15, 1, 5),
                     local_instant(policy, 2025, 7, 1, 6, 30), local_instant(policy, 2025, 9, 15, 12, 0)}) {
    Plan plan = make_plan(policy, testing::production_inventory(), at);
    const std::string text = to_json_text(plan);
    auto back = plan_from_json(nlohmann::json::parse(text));
    ASSERT_TRUE(back) << back.error().describe();
    EXPECT_EQ(to_json_text(*back), text);
    EXPECT_EQ(render_preview(*back), render_preview(plan));
  }
}

TEST(PlanJson, ShapeIsVersionedAndCanonical) {
  auto policy = testing::production_policy();
  Plan plan = make_plan(policy, testing::production_inventory(), local_instant(policy, 2025, 9, 15, 1, 5));
  nlohmann::json j = to_json(plan);
  EXPECT_EQ(j["plan_version"], 1);
  EXPECT_EQ(j["jobs"][0]["change_detection"]["mode"], "visible_version");
  EXPECT_EQ(j["jobs"][0]["tables"][0]["scope"], "changed_partitions");
  // Keys are sorted: "at" comes first in the dump.
  EXPECT_EQ(to_json_text(plan).substr(0, 10), "{\n  \"at\": ");
}

TEST(PlanJson, ErrorsNameTheField) {
  auto policy = testing::production_policy();
  Plan plan = make_plan(policy, testing::production_inventory(), local_instant(policy, 2025, 9, 15, 1, 5));
  nlohmann::json j = to_json(plan);
  j["jobs"][0]["label"] = "not a label!";
  auto bad = plan_from_json(j);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, "plan.json");
  EXPECT_EQ(bad.error().message.rfind("plan.jobs[0].label: ", 0), 0u) << bad.error().message;
  j = to_json(plan);
  j["plan_version"] = 2;
  EXPECT_FALSE(plan_from_json(j));
  j = to_json(plan);
  j.erase("due");
  ASSERT_FALSE(plan_from_json(j));
  EXPECT_EQ(plan_from_json(j).error().message, "plan: missing field 'due'");
}

TEST(Preview, ShowsJobsSqlExpiryAndDrills) {
  auto policy = testing::production_policy();
  Plan plan = make_plan(policy, testing::production_inventory(), local_instant(policy, 2025, 9, 7, 1, 5));
  std::string text = render_preview(plan);
  EXPECT_NE(text.find("sales — tier 'monthly' (also satisfies weekly)"), std::string::npos) << text;
  EXPECT_NE(text.find("expires     2026-09-07 01:00 +00:00 (365d, from 'monthly')"), std::string::npos) << text;
  EXPECT_NE(text.find("sql         BACKUP SNAPSHOT `sales`.`sales_20250907_base`"), std::string::npos) << text;
  EXPECT_NE(text.find("weekly     slot 2025-09-07 01:00 +00:00, window until 2025-09-07 05:00 +00:00: satisfied by "
                      "'monthly' (same time; runs once)"),
            std::string::npos)
      << text;
}

// ---- a year, day by day, against an independent calendar ----

// A covering job at another time of the same day: the preview says "same day", not "same time" (which it says when
// both fire at one instant, as a covered sub-daily slot always does).
TEST(Preview, ACoveringJobAtAnotherTimeOfTheDayIsTheSameDay) {
  auto policy = testing::production_policy();
  policy.tiers[1].schedule = Schedule::weekly({Weekday::kSunday}, TimeOfDay::from_hm(0, 30).value()).value();
  Plan plan = make_plan(policy, testing::production_inventory(), local_instant(policy, 2025, 9, 7, 1, 5));
  const std::string text = render_preview(plan);
  EXPECT_NE(text.find("weekly     slot 2025-09-07 00:30 +00:00, window until 2025-09-07 04:30 +00:00: satisfied by "
                      "'monthly' (same day; runs once)"),
            std::string::npos)
      << text;
}

TEST(YearOfPlans, EveryDayOf2026InBerlinMatchesTheCalendar) {
  using testing::berlin_summer_at_one_am, testing::days_from_civil, testing::days_in_month, testing::is_sunday;
  auto policy = testing::production_policy("Europe/Berlin");
  auto inv = testing::production_inventory();
  int monthly = 0, weekly = 0, daily = 0;
  for (int m = 1; m <= 12; ++m) {
    for (int d = 1; d <= days_in_month(2026, m); ++d) {
      SCOPED_TRACE(fmt::format("2026-{:02}-{:02}", m, d));
      const Instant at = policy.time_zone.from_local(CivilSecond(2026, m, d, 1, 5, 0));
      // The slot is 01:00 local: 00:00Z in winter, 23:00Z the day before in summer.
      const int64_t slot_utc = days_from_civil(2026, m, d) * 86400 + (berlin_summer_at_one_am(2026, m, d) ? -3600 : 0);
      Plan plan = make_plan(policy, inv, at);
      std::string expected_tier = !is_sunday(2026, m, d) ? "daily" : d <= 7 ? "monthly" : "weekly";
      ASSERT_FALSE(plan.jobs.empty());
      const std::string date = fmt::format("2026{:02}{:02}", m, d);
      for (const BackupJob& j : plan.jobs) {
        EXPECT_EQ(j.tier.str(), expected_tier);
        EXPECT_EQ(j.slot.unix_seconds(), slot_utc);
        EXPECT_NE(j.label.str().find(date), std::string::npos) << j.label.str();
      }
      if (expected_tier == "monthly") {
        ++monthly;
        ASSERT_EQ(plan.due.size(), 2u);
        EXPECT_EQ(plan.due[1].tier.str(), "weekly");
        EXPECT_EQ(plan.due[1].satisfied_by.str(), "monthly");
        EXPECT_EQ(plan.jobs.size(), 2u);
        EXPECT_EQ(plan.jobs[0].satisfies.size(), 2u);
        EXPECT_EQ(plan.jobs[0].expires.unix_seconds(),
                  policy.time_zone.from_local(CivilSecond(2026, m, d, 1, 0, 0) + 365 * 86400).unix_seconds());
      } else {
        ASSERT_EQ(plan.due.size(), 1u);
        EXPECT_EQ(plan.due[0].tier.str(), expected_tier);
        expected_tier == "weekly" ? ++weekly : ++daily;
        EXPECT_EQ(plan.jobs.size(), expected_tier == "weekly" ? 2u : 1u);
      }
    }
  }
  EXPECT_EQ(monthly, 12);
  EXPECT_EQ(weekly, 52 - 12);
  EXPECT_EQ(daily, 365 - 52);
}

}  // namespace
}  // namespace sk::plan
