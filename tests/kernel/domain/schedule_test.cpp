// Schedule: factories and their validation, calendar rules, DST behaviour (exactly one firing per day),
// interval bounds, never-firing detection and canonical text. Expected dates are written out literally.
#include "kernel/domain/schedule.h"

#include <gtest/gtest.h>

#include <array>
#include <initializer_list>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "tests/kernel/domain/printers.h"
#include "tests/kernel/domain/values.h"

namespace sk {
namespace {

using sk::test_support::utc;
using sk::test_support::zone;
TimeOfDay at(std::string_view text) { return *TimeOfDay::parse(text); }
std::vector<CivilDay> days(std::initializer_list<std::array<int, 3>> ymd) {
  std::vector<CivilDay> out;
  for (const auto& d : ymd) out.emplace_back(d[0], d[1], d[2]);
  return out;
}

Schedule mon_to_sat(std::string_view time = "01:00") {
  return *Schedule::weekly({Weekday::kMonday, Weekday::kTuesday, Weekday::kWednesday, Weekday::kThursday,
                            Weekday::kFriday, Weekday::kSaturday},
                           at(time));
}

// Local calendar days of the firings of `s` in the local year `year` of `z`.
std::vector<CivilDay> local_days(const Schedule& s, const TimeZone& z, int year) {
  const Instant from = z.from_local(CivilSecond(year, 1, 1, 0, 0, 0));
  const Instant to = z.from_local(CivilSecond(year + 1, 1, 1, 0, 0, 0));
  std::vector<CivilDay> out;
  for (Instant t : s.firings_between(from, to, z)) out.push_back(CivilDay(z.to_local(t)));
  return out;
}

TEST(ScheduleFactories, RejectInvalidArguments) {
  EXPECT_EQ(Schedule::weekly({}, at("01:00")).error().code, "domain.schedule");
  EXPECT_EQ(Schedule::nth_weekday_of_month({}, at("01:00")).error().code, "domain.schedule");
  for (int n : {0, 6, -2, 7}) {
    const auto r = Schedule::nth_weekday_of_month({{n, Weekday::kSunday}}, at("01:00"));
    ASSERT_FALSE(r.has_value()) << n;
    EXPECT_EQ(r.error().code, "domain.schedule");
  }
  EXPECT_EQ(Schedule::days_of_month({}, at("01:00")).error().code, "domain.schedule");
  for (int d : {0, 32, -2}) {
    const auto r = Schedule::days_of_month({d}, at("01:00"));
    ASSERT_FALSE(r.has_value()) << d;
    EXPECT_EQ(r.error().code, "domain.schedule");
    EXPECT_NE(r.error().message.find("1..31 or last"), std::string::npos);
  }
  const Schedule d = Schedule::daily(at("01:00"));
  EXPECT_EQ(d.with_months({}).error().code, "domain.schedule");
  EXPECT_EQ(d.with_months({0}).error().code, "domain.schedule");
  EXPECT_EQ(d.with_months({1, 13}).error().code, "domain.schedule");
  EXPECT_EQ(Schedule::every_n_months(5).error().code, "domain.schedule");
  EXPECT_EQ(Schedule::every_n_months(0).error().code, "domain.schedule");
  EXPECT_EQ(Schedule::every_n_months(3, 13).error().code, "domain.schedule");
}

TEST(ScheduleFactories, EveryNMonths) {
  EXPECT_EQ(*Schedule::every_n_months(3, 1), (std::set<int>{1, 4, 7, 10}));
  EXPECT_EQ(*Schedule::every_n_months(6, 1), (std::set<int>{1, 7}));
  EXPECT_EQ(*Schedule::every_n_months(6, 9), (std::set<int>{3, 9}));
  EXPECT_EQ(*Schedule::every_n_months(12, 3), (std::set<int>{3}));
  EXPECT_EQ(Schedule::every_n_months(1)->size(), 12u);
  EXPECT_EQ(*Schedule::every_n_months(4, 2), (std::set<int>{2, 6, 10}));
}

TEST(ScheduleFactories, AccessorsAndNormalisation) {
  const Schedule s = mon_to_sat();
  EXPECT_EQ(s.kind(), Schedule::Kind::kWeekly);
  EXPECT_EQ(s.weekdays().size(), 6u);
  EXPECT_EQ(s.at(), at("01:00"));
  EXPECT_FALSE(s.has_month_filter());
  EXPECT_EQ(s.months().size(), 12u);
  const auto all =
      Schedule::weekly({Weekday::kMonday, Weekday::kTuesday, Weekday::kWednesday, Weekday::kThursday,
                        Weekday::kFriday, Weekday::kSaturday, Weekday::kSunday},
                       at("01:00"));
  EXPECT_EQ(*all, Schedule::daily(at("01:00")));
  EXPECT_EQ(all->kind(), Schedule::Kind::kDaily);
  const auto nth = *Schedule::nth_weekday_of_month(
      {{-1, Weekday::kFriday}, {1, Weekday::kSunday}, {1, Weekday::kSunday}}, at("01:00"));
  EXPECT_EQ(nth.nth_weekdays(), (std::vector<NthWeekday>{{1, Weekday::kSunday}, {-1, Weekday::kFriday}}));
  EXPECT_EQ((*Schedule::days_of_month({15, -1, 1}, at("02:00"))).days(), (std::set<int>{-1, 1, 15}));
  const auto q = *Schedule::daily(at("01:00")).with_months({1, 4, 7, 10});
  EXPECT_TRUE(q.has_month_filter());
  EXPECT_EQ(q.months(), (std::set<int>{1, 4, 7, 10}));
  EXPECT_NE(q, Schedule::daily(at("01:00")));
  EXPECT_NE(Schedule::daily(at("01:00")), Schedule::daily(at("01:01")));
}

TEST(ScheduleText, Canonical) {
  EXPECT_EQ(mon_to_sat().to_string(), "mon..sat at 01:00");
  EXPECT_EQ(Schedule::daily(at("23:05")).to_string(), "daily at 23:05");
  EXPECT_EQ(Schedule::weekly({Weekday::kSunday}, at("01:00"))->to_string(), "sun at 01:00");
  EXPECT_EQ(
      Schedule::weekly({Weekday::kMonday, Weekday::kWednesday, Weekday::kFriday}, at("01:00"))->to_string(),
      "mon,wed,fri at 01:00");
  EXPECT_EQ(Schedule::weekly({Weekday::kSaturday, Weekday::kSunday}, at("01:00"))->to_string(),
            "sat,sun at 01:00");
  EXPECT_EQ(Schedule::weekly({Weekday::kMonday, Weekday::kTuesday, Weekday::kWednesday, Weekday::kFriday},
                             at("01:00"))
                ->to_string(),
            "mon..wed,fri at 01:00");
  EXPECT_EQ(Schedule::nth_weekday_of_month({{1, Weekday::kSunday}}, at("01:00"))->to_string(),
            "first sun of month at 01:00");
  EXPECT_EQ(Schedule::nth_weekday_of_month({{-1, Weekday::kFriday}, {1, Weekday::kSunday}}, at("01:00"))
                ->to_string(),
            "first sun,last fri of month at 01:00");
  EXPECT_EQ(Schedule::days_of_month({1, 15}, at("02:00"))->to_string(), "day 1,15 of month at 02:00");
  EXPECT_EQ(Schedule::days_of_month({-1}, at("02:00"))->to_string(), "last day of month at 02:00");
  EXPECT_EQ(Schedule::days_of_month({1, -1}, at("02:00"))->to_string(), "day 1,last of month at 02:00");
  EXPECT_EQ(Schedule::days_of_month({1, 2, 3}, at("02:00"))->to_string(), "day 1..3 of month at 02:00");
  EXPECT_EQ(Schedule::days_of_month({1}, at("02:00"))->with_months({1, 4, 7, 10})->to_string(),
            "day 1 of month at 02:00 in jan,apr,jul,oct");
  EXPECT_EQ(Schedule::daily(at("01:00")).with_months({6, 7, 8})->to_string(), "daily at 01:00 in jun..aug");
}

TEST(ScheduleCalendar, MonToSatOverAYearInBerlin) {
  const TimeZone berlin = zone("Europe/Berlin");
  const Schedule s = mon_to_sat();
  // Independent count: iterate the civil days of 2025 and keep those that are not Sundays.
  std::vector<CivilDay> expected;
  for (CivilDay d(2025, 1, 1); d < CivilDay(2026, 1, 1); d += 1) {
    if (cctz::get_weekday(d) != cctz::weekday::sunday) expected.push_back(d);
    EXPECT_EQ(s.fires_on(d), cctz::get_weekday(d) != cctz::weekday::sunday) << d;
  }
  EXPECT_EQ(expected.size(), 313u);
  EXPECT_EQ(local_days(s, berlin, 2025), expected);
  // Every firing is at 01:00 local, on both sides of the DST changes.
  const auto firings = s.firings_between(utc("2025-01-01T00:00:00Z"), utc("2026-01-01T00:00:00Z"), berlin);
  for (Instant t : firings) {
    const CivilSecond local = berlin.to_local(t);
    EXPECT_EQ(local.hour(), 1);
    EXPECT_EQ(local.minute(), 0);
  }
}

TEST(ScheduleCalendar, FirstSundayOf2025And2026) {
  const TimeZone berlin = zone("Europe/Berlin");
  const Schedule s = *Schedule::nth_weekday_of_month({{1, Weekday::kSunday}}, at("01:00"));
  const std::vector<CivilDay> y2025 = days({{2025, 1, 5},
                                            {2025, 2, 2},
                                            {2025, 3, 2},
                                            {2025, 4, 6},
                                            {2025, 5, 4},
                                            {2025, 6, 1},
                                            {2025, 7, 6},
                                            {2025, 8, 3},
                                            {2025, 9, 7},
                                            {2025, 10, 5},
                                            {2025, 11, 2},
                                            {2025, 12, 7}});
  const std::vector<CivilDay> y2026 = days({{2026, 1, 4},
                                            {2026, 2, 1},
                                            {2026, 3, 1},
                                            {2026, 4, 5},
                                            {2026, 5, 3},
                                            {2026, 6, 7},
                                            {2026, 7, 5},
                                            {2026, 8, 2},
                                            {2026, 9, 6},
                                            {2026, 10, 4},
                                            {2026, 11, 1},
                                            {2026, 12, 6}});
  EXPECT_EQ(local_days(s, berlin, 2025), y2025);
  EXPECT_EQ(local_days(s, berlin, 2026), y2026);
  EXPECT_EQ(local_days(s, TimeZone::utc(), 2025), y2025);
  // The instants themselves: 01:00 CET = 00:00Z in winter, 01:00 CEST = 23:00Z the day before in summer.
  EXPECT_EQ(s.next_after(utc("2025-01-01T00:00:00Z"), berlin), utc("2025-01-05T00:00:00Z"));
  EXPECT_EQ(s.next_after(utc("2025-09-01T00:00:00Z"), berlin), utc("2025-09-06T23:00:00Z"));
}

TEST(ScheduleCalendar, LastAndFifthWeekdays) {
  const Schedule last_fri = *Schedule::nth_weekday_of_month({{-1, Weekday::kFriday}}, at("01:00"));
  const std::vector<CivilDay> last_fridays = days({{2025, 1, 31},
                                                   {2025, 2, 28},
                                                   {2025, 3, 28},
                                                   {2025, 4, 25},
                                                   {2025, 5, 30},
                                                   {2025, 6, 27},
                                                   {2025, 7, 25},
                                                   {2025, 8, 29},
                                                   {2025, 9, 26},
                                                   {2025, 10, 31},
                                                   {2025, 11, 28},
                                                   {2025, 12, 26}});
  EXPECT_EQ(local_days(last_fri, TimeZone::utc(), 2025), last_fridays);
  const Schedule fifth_sun = *Schedule::nth_weekday_of_month({{5, Weekday::kSunday}}, at("01:00"));
  EXPECT_EQ(local_days(fifth_sun, TimeZone::utc(), 2025),
            days({{2025, 3, 30}, {2025, 6, 29}, {2025, 8, 31}, {2025, 11, 30}}));
}

TEST(ScheduleCalendar, LastDayOfMonthAndDay31) {
  const Schedule last = *Schedule::days_of_month({Schedule::kLastDay}, at("02:00"));
  EXPECT_EQ(local_days(last, TimeZone::utc(), 2024), days({{2024, 1, 31},
                                                           {2024, 2, 29},
                                                           {2024, 3, 31},
                                                           {2024, 4, 30},
                                                           {2024, 5, 31},
                                                           {2024, 6, 30},
                                                           {2024, 7, 31},
                                                           {2024, 8, 31},
                                                           {2024, 9, 30},
                                                           {2024, 10, 31},
                                                           {2024, 11, 30},
                                                           {2024, 12, 31}}));
  EXPECT_TRUE(last.fires_on(CivilDay(2025, 2, 28)));
  EXPECT_FALSE(last.fires_on(CivilDay(2024, 2, 28)));
  const Schedule d31 = *Schedule::days_of_month({31}, at("02:00"));
  EXPECT_EQ(local_days(d31, TimeZone::utc(), 2025), days({{2025, 1, 31},
                                                          {2025, 3, 31},
                                                          {2025, 5, 31},
                                                          {2025, 7, 31},
                                                          {2025, 8, 31},
                                                          {2025, 10, 31},
                                                          {2025, 12, 31}}));
  EXPECT_EQ(d31.min_interval(), Duration::from_days(31));  // jul 31 → aug 31
  EXPECT_EQ(d31.max_interval(), Duration::from_days(61));  // e.g. mar 31 → may 31
}

TEST(ScheduleCalendar, NeverFires) {
  const Schedule feb30 = *Schedule::days_of_month({30}, at("01:00"))->with_months({2});
  EXPECT_TRUE(feb30.never_fires());
  const TimeZone berlin = zone("Europe/Berlin");
  EXPECT_EQ(feb30.next_after(utc("2025-01-01T00:00:00Z"), berlin), std::nullopt);
  EXPECT_EQ(feb30.latest_at_or_before(utc("2025-01-01T00:00:00Z"), berlin), std::nullopt);
  EXPECT_TRUE(
      feb30.firings_between(utc("2024-01-01T00:00:00Z"), utc("2030-01-01T00:00:00Z"), berlin).empty());
  EXPECT_EQ(feb30.next_day_on_or_after(CivilDay(2025, 1, 1)), std::nullopt);
  EXPECT_EQ(feb30.max_interval(), Duration());
  EXPECT_TRUE(Schedule::days_of_month({31}, at("01:00"))->with_months({4, 6, 9, 11})->never_fires());
  EXPECT_FALSE(Schedule::days_of_month({30}, at("01:00"))->never_fires());
  EXPECT_FALSE(mon_to_sat().never_fires());
  // Five Mondays in February happen only in leap years starting on a Monday (e.g. 2016): rare but possible.
  const Schedule fifth_mon_feb =
      *Schedule::nth_weekday_of_month({{5, Weekday::kMonday}}, at("01:00"))->with_months({2});
  EXPECT_FALSE(fifth_mon_feb.never_fires());
  EXPECT_TRUE(fifth_mon_feb.fires_on(CivilDay(2016, 2, 29)));
}

TEST(ScheduleCalendar, LeapDayGapsAcrossTheCenturyRule) {
  const Schedule feb29 = *Schedule::days_of_month({29}, at("01:00"))->with_months({2});
  EXPECT_FALSE(feb29.never_fires());
  EXPECT_EQ(feb29.min_interval(), Duration::from_days(1461));  // four years
  EXPECT_EQ(feb29.max_interval(), Duration::from_days(2921));  // 2096-02-29 → 2104-02-29 (2100 is not leap)
  EXPECT_EQ(feb29.next_day_on_or_after(CivilDay(2097, 1, 1)), CivilDay(2104, 2, 29));
}

TEST(ScheduleIntervals, MonToSatCivilAndZoned) {
  const Schedule s = mon_to_sat();
  EXPECT_EQ(s.min_interval(), Duration::from_days(1));
  EXPECT_EQ(s.max_interval(), Duration::from_days(2));
  EXPECT_EQ(Schedule::daily(at("01:00")).max_interval(), Duration::from_days(1));
  EXPECT_EQ(Schedule::weekly({Weekday::kSunday}, at("01:00"))->min_interval(), Duration::from_days(7));
  const Schedule first_sun = *Schedule::nth_weekday_of_month({{1, Weekday::kSunday}}, at("01:00"));
  EXPECT_EQ(first_sun.min_interval(), Duration::from_days(28));
  EXPECT_EQ(first_sun.max_interval(), Duration::from_days(35));
  // Real instants in Berlin over 2025: Sat→Mon spans 47h across the spring change (sat 03-29 00:00Z → mon
  // 03-30 23:00Z) and 49h across the autumn change (sat 10-24 23:00Z → mon 10-27 00:00Z).
  const TimeZone berlin = zone("Europe/Berlin");
  const Instant from = utc("2025-01-01T00:00:00Z"), to = utc("2026-01-01T00:00:00Z");
  EXPECT_EQ(s.min_interval(berlin, from, to), Duration::from_hours(24));
  EXPECT_EQ(s.max_interval(berlin, from, to), Duration::from_hours(49));
  EXPECT_EQ(s.min_interval(berlin, from, from + Duration::from_hours(1)), Duration());
}

// Europe/Berlin 2025: spring forward 2025-03-30 02:00 CET → 03:00 CEST (at 01:00Z); fall back 2025-10-26
// 03:00 CEST → 02:00 CET (at 01:00Z).
TEST(ScheduleDst, DailyAt0230FiresExactlyOncePerDay) {
  const TimeZone berlin = zone("Europe/Berlin");
  const Schedule s = Schedule::daily(at("02:30"));
  // Spring: 02:30 does not exist on 03-30, so that day fires at 03:00 CEST = 01:00Z.
  EXPECT_EQ(s.firings_between(utc("2025-03-29T00:00:00Z"), utc("2025-04-01T00:00:00Z"), berlin),
            (std::vector<Instant>{utc("2025-03-29T01:30:00Z"),     // 02:30 CET
                                  utc("2025-03-30T01:00:00Z"),     // 03:00 CEST (end of the gap)
                                  utc("2025-03-31T00:30:00Z")}));  // 02:30 CEST
  // Autumn: 02:30 occurs twice on 10-26; only the first (CEST, 00:30Z) fires.
  EXPECT_EQ(s.firings_between(utc("2025-10-25T00:00:00Z"), utc("2025-10-28T00:00:00Z"), berlin),
            (std::vector<Instant>{utc("2025-10-25T00:30:00Z"),     // 02:30 CEST
                                  utc("2025-10-26T00:30:00Z"),     // 02:30 CEST, first occurrence
                                  utc("2025-10-27T01:30:00Z")}));  // 02:30 CET
  // Asked from inside the repeated hour (after the first 02:30), the next firing is the next day, not 01:30Z.
  EXPECT_EQ(s.next_after(utc("2025-10-26T00:30:00Z"), berlin), utc("2025-10-27T01:30:00Z"));
  EXPECT_EQ(s.next_after(utc("2025-10-26T01:15:00Z"), berlin), utc("2025-10-27T01:30:00Z"));
  EXPECT_EQ(s.latest_at_or_before(utc("2025-10-26T01:45:00Z"), berlin), utc("2025-10-26T00:30:00Z"));
  EXPECT_EQ(s.next_after(utc("2025-03-30T00:59:59Z"), berlin), utc("2025-03-30T01:00:00Z"));
  EXPECT_EQ(s.latest_at_or_before(utc("2025-03-30T00:59:59Z"), berlin), utc("2025-03-29T01:30:00Z"));
}

TEST(ScheduleDst, DailyAt0100AroundBothChanges) {
  const TimeZone berlin = zone("Europe/Berlin");
  const Schedule s = Schedule::daily(at("01:00"));
  EXPECT_EQ(s.firings_between(utc("2025-03-28T12:00:00Z"), utc("2025-03-31T12:00:00Z"), berlin),
            (std::vector<Instant>{utc("2025-03-29T00:00:00Z"),     // 03-29 01:00 CET
                                  utc("2025-03-30T00:00:00Z"),     // 03-30 01:00 CET (before the gap)
                                  utc("2025-03-30T23:00:00Z")}));  // 03-31 01:00 CEST
  EXPECT_EQ(s.firings_between(utc("2025-10-24T12:00:00Z"), utc("2025-10-28T00:00:00Z"), berlin),
            (std::vector<Instant>{utc("2025-10-24T23:00:00Z"),     // 10-25 01:00 CEST
                                  utc("2025-10-25T23:00:00Z"),     // 10-26 01:00 CEST (before the overlap)
                                  utc("2025-10-27T00:00:00Z")}));  // 10-27 01:00 CET
  // One firing per local day over the whole year, whatever the time of day.
  for (const char* time : {"00:00", "01:00", "02:00", "02:30", "03:00", "23:59"}) {
    const auto firings = Schedule::daily(at(time)).firings_between(
        berlin.from_local(CivilSecond(2025, 1, 1, 0, 0, 0)),
        berlin.from_local(CivilSecond(2026, 1, 1, 0, 0, 0)), berlin);
    EXPECT_EQ(firings.size(), 365u) << time;
    for (size_t i = 1; i < firings.size(); ++i) {
      EXPECT_EQ(CivilDay(berlin.to_local(firings[i])) - CivilDay(berlin.to_local(firings[i - 1])), 1) << time;
    }
  }
}

TEST(ScheduleQueries, NextAfterIsStrictAndLatestIncludesT) {
  const TimeZone berlin = zone("Europe/Berlin");
  const Schedule s = mon_to_sat();
  const Instant sat = utc("2025-09-12T23:00:00Z");  // sat 2025-09-13 01:00 CEST
  const Instant mon = utc("2025-09-14T23:00:00Z");  // mon 2025-09-15 01:00 CEST
  EXPECT_EQ(s.next_after(sat - Duration::from_seconds(1), berlin), sat);
  EXPECT_EQ(s.next_after(sat, berlin), mon);
  EXPECT_EQ(s.latest_at_or_before(sat, berlin), sat);
  EXPECT_EQ(s.latest_at_or_before(sat - Duration::from_seconds(1), berlin), utc("2025-09-11T23:00:00Z"));
  // A run on Sunday belongs to Saturday's slot.
  EXPECT_EQ(s.latest_at_or_before(utc("2025-09-14T12:00:00Z"), berlin), sat);
  EXPECT_EQ(s.latest_at_or_before(mon - Duration::from_seconds(1), berlin), sat);
  // Empty and reversed ranges.
  EXPECT_TRUE(s.firings_between(sat, sat, berlin).empty());
  EXPECT_TRUE(s.firings_between(mon, sat, berlin).empty());
  EXPECT_EQ(s.firings_between(sat, mon + Duration::from_seconds(1), berlin),
            (std::vector<Instant>{sat, mon}));
  EXPECT_EQ(s.next_day_on_or_after(CivilDay(2025, 9, 14)), CivilDay(2025, 9, 15));
  EXPECT_EQ(s.next_day_on_or_after(CivilDay(2025, 9, 13)), CivilDay(2025, 9, 13));
}

TEST(ScheduleQueries, QueriesAgreeWithEachOther) {
  const TimeZone berlin = zone("Europe/Berlin");
  const std::vector<Schedule> schedules{
      mon_to_sat("02:30"), *Schedule::nth_weekday_of_month({{1, Weekday::kSunday}}, at("01:00")),
      *Schedule::days_of_month({-1, 15}, at("02:30")), *Schedule::daily(at("02:15")).with_months({3, 10}),
      *Schedule::days_of_month({1}, at("00:00"))->with_months(*Schedule::every_n_months(3, 1))};
  const Instant from = utc("2024-12-25T00:00:00Z");
  const Instant to = utc("2026-01-10T00:00:00Z");
  for (const Schedule& s : schedules) {
    const auto all = s.firings_between(from, to, berlin);
    ASSERT_FALSE(all.empty()) << s.to_string();
    // Walking next_after from `from` visits exactly firings_between.
    std::vector<Instant> walked;
    for (auto t = s.next_after(from - Duration::from_seconds(1), berlin); t && *t < to;
         t = s.next_after(*t, berlin)) {
      walked.push_back(*t);
    }
    EXPECT_EQ(walked, all) << s.to_string();
    for (size_t i = 0; i < all.size(); ++i) {
      const CivilDay day(berlin.to_local(all[i]));
      EXPECT_TRUE(s.fires_on(day)) << s.to_string() << " " << day;
      EXPECT_EQ(s.latest_at_or_before(all[i], berlin), all[i]);
      if (i > 0) {
        EXPECT_EQ(s.latest_at_or_before(all[i] - Duration::from_seconds(1), berlin), all[i - 1]);
      }
    }
  }
}

TEST(ScheduleQueries, OtherZones) {
  const TimeZone shanghai = zone("Asia/Shanghai");
  const Schedule s = *Schedule::weekly({Weekday::kSunday}, at("01:00"));
  // Sunday 2025-09-14 01:00 in Shanghai (+08:00) is Saturday 17:00Z.
  EXPECT_EQ(s.next_after(utc("2025-09-13T00:00:00Z"), shanghai), utc("2025-09-13T17:00:00Z"));
  EXPECT_EQ(s.next_after(utc("2025-09-13T00:00:00Z"), TimeZone::utc()), utc("2025-09-14T01:00:00Z"));
}

}  // namespace
}  // namespace sk

namespace sk {
namespace {

// next_day_on_or_after / prev_day_on_or_before (month-mask walks) agree with a naive day-by-day scan of
// fires_on.
TEST(ScheduleQueries, DayWalksMatchNaiveScan) {
  const std::vector<Schedule> schedules{
      mon_to_sat(),
      *Schedule::nth_weekday_of_month({{1, Weekday::kSunday}, {-1, Weekday::kFriday}}, at("01:00")),
      *Schedule::nth_weekday_of_month({{5, Weekday::kWednesday}}, at("01:00")),
      *Schedule::days_of_month({-1, 1, 31}, at("01:00")),
      *Schedule::days_of_month({29}, at("01:00"))->with_months({2}),
      *Schedule::weekly({Weekday::kSunday}, at("01:00"))->with_months({1, 7}),
      Schedule::daily(at("01:00"))};
  for (const Schedule& s : schedules) {
    for (CivilDay d(2023, 12, 1); d < CivilDay(2026, 3, 1); d += 1) {
      CivilDay next = d;
      while (!s.fires_on(next)) next += 1;
      ASSERT_EQ(s.next_day_on_or_after(d), next) << s.to_string() << " from " << d;
      CivilDay prev = d;
      while (!s.fires_on(prev)) prev -= 1;
      ASSERT_EQ(s.prev_day_on_or_before(d), prev) << s.to_string() << " from " << d;
    }
  }
  EXPECT_EQ(Schedule::days_of_month({29}, at("01:00"))
                ->with_months({2})
                ->prev_day_on_or_before(CivilDay(2103, 1, 1)),
            CivilDay(2096, 2, 29));
}

}  // namespace
}  // namespace sk

namespace sk {
namespace {

TEST(ScheduleSlots, CarryTheNominalLocalTime) {
  const TimeZone berlin = zone("Europe/Berlin");
  const Schedule s = Schedule::daily(at("02:30"));
  // The 2025-03-30 slot is nominally 02:30 although it fires at 03:00 CEST (01:00Z).
  const auto slot = s.next_slot_after(utc("2025-03-29T12:00:00Z"), berlin);
  ASSERT_TRUE(slot.has_value());
  EXPECT_EQ(slot->local, CivilSecond(2025, 3, 30, 2, 30, 0));
  EXPECT_EQ(slot->day(), CivilDay(2025, 3, 30));
  EXPECT_EQ(slot->at, utc("2025-03-30T01:00:00Z"));
  EXPECT_EQ(berlin.to_local(slot->at), CivilSecond(2025, 3, 30, 3, 0, 0));
  EXPECT_EQ(s.latest_slot_at_or_before(utc("2025-03-30T01:00:00Z"), berlin), slot);
  const auto slots = s.slots_between(utc("2025-03-29T00:00:00Z"), utc("2025-04-01T00:00:00Z"), berlin);
  ASSERT_EQ(slots.size(), 3u);
  EXPECT_EQ(slots[1], *slot);
  const auto firings = s.firings_between(utc("2025-03-29T00:00:00Z"), utc("2025-04-01T00:00:00Z"), berlin);
  for (size_t i = 0; i < slots.size(); ++i) EXPECT_EQ(slots[i].at, firings[i]);
  EXPECT_EQ(Schedule::days_of_month({30}, at("01:00"))
                ->with_months({2})
                ->next_slot_after(utc("2025-01-01T00:00:00Z"), berlin),
            std::nullopt);
}

}  // namespace
}  // namespace sk

namespace sk {
namespace {

// In zones with unusual transitions (30-minute DST on Lord Howe, midnight changes in Santiago, a skipped
// whole day in Apia at the end of 2011), a daily schedule still fires once per local day with strictly
// increasing instants, and each firing is at the nominal local time or, if that does not exist, at the end of
// the gap. In Apia the 00:00 slot of the missing 2011-12-30 fires at the same instant as 2011-12-31 00:00 and
// merges into it.
TEST(ScheduleDst, OneFiringPerDayInUnusualZones) {
  for (const char* name : {"Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "America/Santiago",
                           "Asia/Kolkata", "Pacific/Apia", "America/St_Johns"}) {
    const TimeZone z = zone(name);
    for (const char* time : {"00:00", "00:30", "01:00", "02:00", "02:30", "03:00", "23:30"}) {
      const Schedule s = Schedule::daily(at(time));
      const auto slots = s.slots_between(utc("2010-06-01T00:00:00Z"), utc("2013-06-01T00:00:00Z"), z);
      ASSERT_GT(slots.size(), 1000u) << name << " " << time;
      for (size_t i = 0; i < slots.size(); ++i) {
        EXPECT_EQ(slots[i].local, at(time).on(slots[i].day())) << name;
        const CivilSecond fired = z.to_local(slots[i].at);
        if (z.classify(slots[i].local) == LocalTimeKind::kSkipped) {
          EXPECT_GT(fired, slots[i].local) << name << " " << time << " " << slots[i].local;
          EXPECT_EQ(z.to_local(slots[i].at - Duration::from_seconds(1)) < slots[i].local, true) << name;
        } else {
          EXPECT_EQ(fired, slots[i].local) << name << " " << time;
        }
        if (i > 0) {
          // Consecutive days, except across a day that does not exist at all (its slot merged into the next
          // day's).
          const auto step = slots[i].day() - slots[i - 1].day();
          const bool day_skipped =
              step == 2 && z.classify(CivilSecond(slots[i - 1].day() + 1)) == LocalTimeKind::kSkipped;
          EXPECT_TRUE(step == 1 || day_skipped) << name << " " << time << " " << slots[i].day();
          EXPECT_LT(slots[i - 1].at, slots[i].at) << name << " " << time << " " << slots[i].day();
          // next_slot_after / latest_slot_at_or_before visit the same slots.
          EXPECT_EQ(s.next_slot_after(slots[i - 1].at, z), slots[i]) << name << " " << time;
          EXPECT_EQ(s.latest_slot_at_or_before(slots[i].at - Duration::from_seconds(1), z), slots[i - 1])
              << name;
        }
      }
    }
  }
}

}  // namespace
}  // namespace sk

namespace sk {
namespace {

// Pacific/Apia jumped from 2011-12-29 23:59:59 (-10:00) to 2011-12-31 00:00 (+14:00) at 2011-12-30T10:00Z.
TEST(ScheduleDst, SkippedWholeDayInApia) {
  const TimeZone apia = zone("Pacific/Apia");
  const Instant from = utc("2011-12-28T12:00:00Z"), to = utc("2011-12-31T09:00:00Z");
  // At 00:00 the missing day's slot and 12-31's slot would both fire at 10:00Z: one slot, dated 12-31.
  const auto midnight = Schedule::daily(at("00:00")).slots_between(from, to, apia);
  ASSERT_EQ(midnight.size(), 2u);
  EXPECT_EQ(midnight[0].local, CivilSecond(2011, 12, 29, 0, 0, 0));
  EXPECT_EQ(midnight[0].at, utc("2011-12-29T10:00:00Z"));
  EXPECT_EQ(midnight[1].local, CivilSecond(2011, 12, 31, 0, 0, 0));
  EXPECT_EQ(midnight[1].at, utc("2011-12-30T10:00:00Z"));
  EXPECT_EQ(Schedule::daily(at("00:00")).next_slot_after(utc("2011-12-29T10:00:00Z"), apia), midnight[1]);
  // At 01:00 the missing day's slot fires at the end of the gap, an hour before 12-31's own slot.
  const auto one = Schedule::daily(at("01:00")).firings_between(from, to, apia);
  EXPECT_EQ(one, (std::vector<Instant>{utc("2011-12-29T11:00:00Z"), utc("2011-12-30T10:00:00Z"),
                                       utc("2011-12-30T11:00:00Z")}));
}

}  // namespace
}  // namespace sk

namespace sk {
namespace {

// ---- issue 14 item 1: week intervals, working days, blackouts ----

TimeOfDay hm(std::string_view text) { return *TimeOfDay::parse(text); }

TEST(ScheduleWeeks, EveryTwoWeeksFromAnAnchorBothWays) {
  auto s = Schedule::every_n_weeks({Weekday::kSunday}, 2, CivilDay(2026, 1, 4), hm("01:00"));
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->to_string(), "every 2 weeks on sun at 01:00 from 2026-01-04");
  EXPECT_TRUE(s->fires_on(CivilDay(2026, 1, 4)));
  EXPECT_FALSE(s->fires_on(CivilDay(2026, 1, 11)));
  EXPECT_TRUE(s->fires_on(CivilDay(2026, 1, 18)));
  EXPECT_TRUE(s->fires_on(CivilDay(2025, 12, 21)));  // before the anchor too
  EXPECT_FALSE(s->fires_on(CivilDay(2025, 12, 28)));
  EXPECT_EQ(*s->next_day_on_or_after(CivilDay(2026, 1, 5)), CivilDay(2026, 1, 18));
  EXPECT_EQ(*s->prev_day_on_or_before(CivilDay(2026, 1, 17)), CivilDay(2026, 1, 4));
  EXPECT_EQ(s->min_interval(), Duration::from_days(14));
  EXPECT_EQ(s->max_interval(), Duration::from_days(14));
  EXPECT_FALSE(s->month_shape_determined());
}

TEST(ScheduleWeeks, RejectsBadIntervalsAndAnchors) {
  EXPECT_FALSE(Schedule::every_n_weeks({Weekday::kSunday}, 1, CivilDay(2026, 1, 4), hm("01:00")));
  EXPECT_FALSE(Schedule::every_n_weeks({Weekday::kSunday}, 53, CivilDay(2026, 1, 4), hm("01:00")));
  auto monday = Schedule::every_n_weeks({Weekday::kSunday}, 2, CivilDay(2026, 1, 5), hm("01:00"));
  ASSERT_FALSE(monday);
  EXPECT_EQ(monday.error().message, "the anchor 2026-01-05 is a mon, not a day the schedule fires on");
}

TEST(ScheduleWorkdays, LastAndFirstWeekdayOfMonth) {
  auto last = Schedule::nth_weekday_of_month({NthWeekday{-1, Weekday::kMonday, true}}, hm("22:00"));
  ASSERT_TRUE(last);
  EXPECT_EQ(last->to_string(), "last weekday of month at 22:00");
  EXPECT_TRUE(last->fires_on(CivilDay(2026, 1, 30)));   // Fri; the 31st is a Saturday
  EXPECT_FALSE(last->fires_on(CivilDay(2026, 1, 31)));
  EXPECT_TRUE(last->fires_on(CivilDay(2026, 3, 31)));   // Tue
  EXPECT_TRUE(last->fires_on(CivilDay(2026, 5, 29)));   // Fri; 30, 31 are the weekend
  auto first = Schedule::nth_weekday_of_month({NthWeekday{1, Weekday::kMonday, true}}, hm("06:00"));
  ASSERT_TRUE(first);
  EXPECT_TRUE(first->fires_on(CivilDay(2026, 8, 3)));   // Mon; the 1st is a Saturday
  EXPECT_TRUE(first->fires_on(CivilDay(2026, 9, 1)));   // Tue
  EXPECT_FALSE(Schedule::nth_weekday_of_month({NthWeekday{2, Weekday::kMonday, true}}, hm("06:00")));
}

TEST(ScheduleBlackouts, SkippedSlotsAreNamedAndGapsWiden) {
  Blackout christmas;
  christmas.from_month = 12;
  christmas.from_day = 24;
  christmas.to_month = 12;
  christmas.to_day = 26;
  auto s = Schedule::daily(hm("01:00")).with_blackouts({christmas});
  ASSERT_TRUE(s);
  EXPECT_EQ(s->to_string(), "daily at 01:00, not on 12-24..12-26");
  EXPECT_FALSE(s->fires_on(CivilDay(2026, 12, 25)));
  ASSERT_NE(s->skipped_by(CivilDay(2026, 12, 25)), nullptr);
  EXPECT_EQ(s->skipped_by(CivilDay(2026, 12, 25))->to_string(), "on 12-24..12-26");
  EXPECT_EQ(s->skipped_by(CivilDay(2026, 12, 27)), nullptr);
  EXPECT_EQ(s->max_interval(), Duration::from_days(4));  // 12-23 → 12-27
  EXPECT_EQ(s->without_blackouts(), Schedule::daily(hm("01:00")));
  Blackout everything;
  everything.kind = Blackout::Kind::kHours;
  everything.from = hm("00:30");
  everything.to = hm("02:00");
  EXPECT_TRUE(s->with_blackouts({everything})->never_fires());
  Blackout empty = everything;
  empty.to = empty.from;
  EXPECT_FALSE(s->with_blackouts({empty}));
}

}  // namespace
}  // namespace sk

namespace sk {
namespace {

// ---- several firings a day (issue 14 item 1) ----

Schedule hours(int n, std::string_view first, std::optional<std::set<Weekday>> on = std::nullopt) {
  const Schedule base = on ? *Schedule::weekly(*on, at(first)) : Schedule::daily(at(first));
  return *base.with_hours(n);
}

std::vector<std::string> local_texts(const std::vector<Schedule::Slot>& slots, const TimeZone& z) {
  std::vector<std::string> out;
  for (const Schedule::Slot& s : slots) {
    out.push_back(fmt::format("{:02}:{:02} at {}", s.local.hour(), s.local.minute(), s.at.to_string(z)));
  }
  return out;
}

TEST(ScheduleSubDaily, RejectsIntervalsThatDoNotDivideTheDayAndLateFirstSlots) {
  const Schedule d = Schedule::daily(at("00:30"));
  for (int n : {0, 5, 7, 9, 10, 11, 13, 24, -1}) {
    const auto r = d.with_hours(n);
    ASSERT_FALSE(r.has_value()) << n;
    EXPECT_EQ(r.error().code, "domain.schedule");
  }
  EXPECT_FALSE(Schedule::daily(at("04:30")).with_hours(4).has_value());
  EXPECT_TRUE(Schedule::daily(at("03:59")).with_hours(4).has_value());
  EXPECT_FALSE((*Schedule::days_of_month({1}, at("00:30"))).with_hours(4).has_value());
  EXPECT_FALSE((*Schedule::every_n_weeks({Weekday::kSunday}, 2, CivilDay(2026, 1, 4), at("00:30"))).with_hours(4));
}

TEST(ScheduleSubDaily, TimesTextAndCivilIntervals) {
  const Schedule h = hours(1, "00:05");
  EXPECT_EQ(h.times().size(), 24u);
  EXPECT_EQ(h.times().back(), at("23:05"));
  EXPECT_EQ(h.to_string(), "every hour at :05");
  EXPECT_EQ(h.min_interval(), Duration::from_hours(1));
  EXPECT_EQ(h.max_interval(), Duration::from_hours(1));
  const Schedule four = hours(4, "00:30", std::set<Weekday>{Weekday::kMonday, Weekday::kTuesday, Weekday::kWednesday,
                                                            Weekday::kThursday, Weekday::kFriday});
  EXPECT_EQ(four.to_string(), "every 4 hours from 00:30 on mon..fri");
  EXPECT_EQ(four.times(), (std::vector<TimeOfDay>{at("00:30"), at("04:30"), at("08:30"), at("12:30"), at("16:30"),
                                                   at("20:30")}));
  EXPECT_EQ(four.min_interval(), Duration::from_hours(4));
  // Friday 20:30 to Monday 00:30.
  EXPECT_EQ(four.max_interval(), Duration::from_hours(52));
  // An hour blackout on weekdays: Monday 04:30 (after the weekend's none) … the longest gap is Friday 20:30 → Monday
  // 00:30 still, the shortest 4h; at night 20:30 → 00:30 → 04:30 → 08:30 … each 4h except across 08:00–20:00.
  const Schedule office = *hours(2, "01:00").with_blackouts({Blackout{Blackout::Kind::kHours, at("08:00"),
                                                                      at("20:00"), 0x1F, 1, 1, 1, 1}});
  EXPECT_EQ(office.min_interval(), Duration::from_hours(2));
  EXPECT_EQ(office.max_interval(), Duration::from_hours(14));  // 07:00 → 21:00 on a weekday
  EXPECT_EQ(office.to_string(), "every 2 hours from 01:00, not between 08:00 and 20:00 on mon..fri");
}

TEST(ScheduleSubDaily, HourlyInBerlinAcrossBothChanges) {
  const TimeZone z = zone("Europe/Berlin");
  const Schedule h = hours(1, "00:05");
  // Spring forward (02:00 → 03:00): 02:05 names 03:05 CEST, the 03:05 slot's instant: one firing, the 03:05 slot.
  EXPECT_EQ(local_texts(h.slots_between(utc("2025-03-30T00:00:00Z"), utc("2025-03-30T02:30:00Z"), z), z),
            (std::vector<std::string>{"01:05 at 2025-03-30T01:05:00+01:00", "03:05 at 2025-03-30T03:05:00+02:00",
                                      "04:05 at 2025-03-30T04:05:00+02:00"}));
  // Fall back (03:00 → 02:00): 02:05 fires once, at its first occurrence; 03:05 two hours later.
  EXPECT_EQ(local_texts(h.slots_between(utc("2025-10-25T23:00:00Z"), utc("2025-10-26T02:30:00Z"), z), z),
            (std::vector<std::string>{"01:05 at 2025-10-26T01:05:00+02:00", "02:05 at 2025-10-26T02:05:00+02:00",
                                      "03:05 at 2025-10-26T03:05:00+01:00"}));
  EXPECT_EQ(h.slots_on(CivilDay(2025, 3, 30), z).size(), 23u);
  EXPECT_EQ(h.slots_on(CivilDay(2025, 10, 26), z).size(), 24u);
  // The queries agree: the slot a run at 03:10 CEST belongs to is 03:05; the one after 01:05 CET is 03:05 CEST.
  EXPECT_EQ(h.latest_slot_at_or_before(utc("2025-03-30T01:10:00Z"), z)->local, CivilSecond(2025, 3, 30, 3, 5, 0));
  EXPECT_EQ(h.next_slot_after(utc("2025-03-30T00:05:00Z"), z)->local, CivilSecond(2025, 3, 30, 3, 5, 0));
  EXPECT_EQ(h.min_interval(z, utc("2025-01-01T00:00:00Z"), utc("2026-01-01T00:00:00Z")), Duration::from_hours(1));
  EXPECT_EQ(h.max_interval(z, utc("2025-01-01T00:00:00Z"), utc("2026-01-01T00:00:00Z")), Duration::from_hours(2));
}

TEST(ScheduleSubDaily, SkippedTimeKeepsItsElapsedDistance) {
  // every 4 hours from 02:30: on the spring-forward night 02:30 fires at 03:30 CEST, four hours after 22:30 CET.
  const TimeZone z = zone("Europe/Berlin");
  const Schedule four = hours(4, "02:30");
  EXPECT_EQ(local_texts(four.slots_between(utc("2025-03-29T21:00:00Z"), utc("2025-03-30T05:00:00Z"), z), z),
            (std::vector<std::string>{"22:30 at 2025-03-29T22:30:00+01:00", "02:30 at 2025-03-30T03:30:00+02:00",
                                      "06:30 at 2025-03-30T06:30:00+02:00"}));
}

TEST(ScheduleSubDaily, LordHoweHalfHourShift) {
  const TimeZone z = zone("Australia/Lord_Howe");
  const Schedule h = hours(1, "00:15");
  // 2025-10-05: 02:00 (+10:30) → 02:30 (+11:00). 02:15 names 02:45 +11:00, one hour after 01:15 +10:30.
  EXPECT_EQ(local_texts(h.slots_between(utc("2025-10-04T14:00:00Z"), utc("2025-10-04T17:00:00Z"), z), z),
            (std::vector<std::string>{"01:15 at 2025-10-05T01:15:00+10:30", "02:15 at 2025-10-05T02:45:00+11:00",
                                      "03:15 at 2025-10-05T03:15:00+11:00"}));
  // 2025-04-06: 02:00 (+11:00) → 01:30 (+10:30). 01:15 is unique; 01:45 would repeat.
  const Schedule h45 = hours(1, "00:45");
  EXPECT_EQ(local_texts(h45.slots_between(utc("2025-04-05T13:00:00Z"), utc("2025-04-05T17:30:00Z"), z), z),
            (std::vector<std::string>{"00:45 at 2025-04-06T00:45:00+11:00", "01:45 at 2025-04-06T01:45:00+11:00",
                                      "02:45 at 2025-04-06T02:45:00+10:30", "03:45 at 2025-04-06T03:45:00+10:30"}));
}

TEST(ScheduleSubDaily, BlackoutsSkipSlotsNotDays) {
  const Schedule s = *hours(6, "00:00").with_blackouts(
      {Blackout{Blackout::Kind::kHours, at("08:00"), at("20:00"), 0x7F, 1, 1, 1, 1}});
  const TimeZone z = TimeZone::utc();
  EXPECT_TRUE(s.fires_on(CivilDay(2026, 1, 5)));
  EXPECT_EQ(local_texts(s.slots_on(CivilDay(2026, 1, 5), z), z),
            (std::vector<std::string>{"00:00 at 2026-01-05T00:00:00+00:00", "06:00 at 2026-01-05T06:00:00+00:00"}));
  EXPECT_EQ(s.skipped_by(CivilDay(2026, 1, 5), at("12:00"))->to_string(), "between 08:00 and 20:00");
  EXPECT_EQ(s.skipped_by(CivilDay(2026, 1, 5), at("06:00")), nullptr);
  // Every slot in a blackout: the schedule never fires.
  EXPECT_TRUE(hours(6, "01:00")
                  .with_blackouts({Blackout{Blackout::Kind::kHours, at("00:00"), at("23:59"), 0x7F, 1, 1, 1, 1}})
                  ->never_fires());
}

}  // namespace
}  // namespace sk
