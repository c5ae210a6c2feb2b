// The runner's cadence (runtime/schedule_emit/cadence.h): the step follows the slots' minutes past the UTC hour and
// the zone's offsets, is bounded by the shortest window, and a forced step is refused when a slot would get no
// start inside its window. The year property is checked against starts computed here, independently: every
// instant whose Unix time is a multiple of the step.
#include <gtest/gtest.h>

#include "runtime/schedule_emit/cadence.h"
#include "tests/runtime/schedule_emit/emit_test_support.h"

namespace sk::schedule_emit {
namespace {

using test::make_policy;

const Instant k2026 = *Instant::parse("2026-01-01T00:00:00Z", TimeZone::utc());

RunnerCadence cadence_of(const model::Policy& p, std::optional<int> forced = std::nullopt) {
  auto c = derive_runner_cadence(p, horizon_from(k2026), forced);
  EXPECT_TRUE(c.has_value()) << (c ? "" : c.error().message);
  return c ? *c : RunnerCadence{};
}

TEST(RunnerCadence, SlotsOnTheHourWithHoursOfWindowStartHourly) {
  const auto p = make_policy("UTC", {{"mon..sat at 01:00", "2h"}, {"sun at 01:00", "4h"}});
  const RunnerCadence c = cadence_of(p);
  EXPECT_EQ(c.grid_minutes, 60);
  EXPECT_EQ(c.every_minutes, 60);
  EXPECT_EQ(c.shortest_tier->str(), "t0");
  EXPECT_EQ(c.shortest_window, Duration::from_hours(2));
  EXPECT_FALSE(c.forced);
}

TEST(RunnerCadence, HalfPastSlotsHalveTheStep) {
  const RunnerCadence c = cadence_of(make_policy("Europe/Berlin", {{"daily at 01:30", "4h"}, {"sun at 03:00", "4h"}}));
  EXPECT_EQ(c.grid_minutes, 30);
  EXPECT_EQ(c.every_minutes, 30);
}

TEST(RunnerCadence, AHalfHourZoneOffsetCountsLikeASlotMinute) {
  // 01:00 in Kolkata (+05:30) is 19:30 UTC: a runner on the UTC hour would start 30 minutes late.
  const RunnerCadence c = cadence_of(make_policy("Asia/Kolkata", {{"daily at 01:00", "4h"}}));
  EXPECT_EQ(c.grid_minutes, 30);
  EXPECT_EQ(c.every_minutes, 30);
}

TEST(RunnerCadence, TheShortestWindowBoundsTheStep) {
  // Slots on the hour, but a 30-minute window: the step is the largest divisor of 60 below 30 minutes, so every
  // window holds the slot's start and a retry.
  const RunnerCadence c = cadence_of(make_policy("UTC", {{"daily at 01:00", "30m"}, {"sun at 02:00", "4h"}}));
  EXPECT_EQ(c.grid_minutes, 60);
  EXPECT_EQ(c.every_minutes, 20);
  EXPECT_EQ(c.shortest_window, Duration::from_minutes(30));
}

TEST(RunnerCadence, AForcedStepMustDivideAnHour) {
  const auto p = make_policy("UTC", {{"daily at 01:00", "2h"}});
  auto c = derive_runner_cadence(p, horizon_from(k2026), 7);
  ASSERT_FALSE(c.has_value());
  EXPECT_EQ(c.error().code, "schedule.usage");
  EXPECT_NE(c.error().message.find("divide an hour"), std::string::npos) << c.error().message;
  EXPECT_EQ(cadence_of(p, 15).every_minutes, 15);
  EXPECT_TRUE(cadence_of(p, 15).forced);
}

TEST(RunnerCadence, AForcedStepThatMissesAWindowIsRefusedNamingTheSlot) {
  const auto p = make_policy("UTC", {{"daily at 01:30", "20m"}});
  auto c = derive_runner_cadence(p, horizon_from(k2026), 60);
  ASSERT_FALSE(c.has_value());
  EXPECT_EQ(c.error().code, "schedule.usage");
  EXPECT_NE(c.error().message.find("tier 't0'"), std::string::npos) << c.error().message;
  EXPECT_NE(c.error().message.find("2026-01-01T01:30:00+00:00"), std::string::npos) << c.error().message;
}

// Every firing of a year, in zones with DST (also a 30-minute DST shift) and odd offsets, gets a start at its slot
// and another inside its window.
TEST(RunnerCadence, EveryFiringOfAYearHasItsSlotAndARetryAsStarts) {
  const std::vector<std::pair<std::string, std::vector<test::TierText>>> cases = {
      {"UTC", {{"mon..sat at 01:00", "2h"}, {"sun at 01:00", "4h"}, {"first sun of month at 01:00", "8h"}}},
      {"Europe/Berlin", {{"daily at 02:30", "2h"}, {"last weekday of month at 22:15", "1h"}}},
      {"America/New_York", {{"mon..fri at 23:45", "45m"}}},
      {"Asia/Kathmandu", {{"daily at 00:10", "3h"}}},
      {"Australia/Lord_Howe", {{"daily at 02:00", "2h"}, {"day 1,15 of month at 02:30", "90m"}}},
  };
  for (const auto& [zone, tiers] : cases) {
    const model::Policy p = make_policy(zone, tiers);
    const RunnerCadence c = cadence_of(p);
    const std::int64_t step = std::int64_t{c.every_minutes} * 60;
    ASSERT_EQ(60 % c.every_minutes, 0) << zone;
    const Instant end = *Instant::parse("2027-01-01T00:00:00Z", TimeZone::utc());
    size_t firings = 0;
    for (const model::Tier& t : p.tiers) {
      for (Instant f : t.schedule.firings_between(k2026, end, p.time_zone)) {
        ++firings;
        EXPECT_EQ(f.unix_seconds() % step, 0) << zone << " " << t.name.str() << " " << f.to_iso8601_utc();
        EXPECT_LT(Duration::from_seconds(step), t.window) << zone << " " << t.name.str();
      }
    }
    EXPECT_GT(firings, 20u) << zone;
  }
}

TEST(DrillTimes, AreTheDrillsLocalTimesOfDay) {
  const auto p = make_policy("Europe/Berlin", {{"daily at 01:00", "2h"}},
                             "  drill \"a\" { every = month; from = \"t0\"; restore = database; verify = checksum }\n"
                             "  drill \"b\" { every = quarter at 10:30; from = \"t0\"; restore = database; verify = "
                             "checksum }\n");
  const auto times = drill_times(p, horizon_from(k2026));
  ASSERT_EQ(times.size(), 2u);
  EXPECT_EQ(times[0].to_string(), "06:00");
  EXPECT_EQ(times[1].to_string(), "10:30");
}

TEST(SchedulerZone, AFixedOffsetBecomesUtcWithShiftedTimes) {
  const ZonedTimes fixed = in_scheduler_zone(*TimeZone::parse("+08:00"), {*TimeOfDay::from_hm(6, 0)});
  EXPECT_EQ(fixed.zone, "UTC");
  ASSERT_EQ(fixed.times.size(), 1u);
  EXPECT_EQ(fixed.times[0].to_string(), "22:00");
  const ZonedTimes named = in_scheduler_zone(*TimeZone::parse("Europe/Berlin"), {*TimeOfDay::from_hm(6, 0)});
  EXPECT_EQ(named.zone, "Europe/Berlin");
  EXPECT_EQ(named.times[0].to_string(), "06:00");
}

}  // namespace
}  // namespace sk::schedule_emit
