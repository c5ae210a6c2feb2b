// The calendar oracle for the schedule forms of issue 14 item 1: week intervals with an anchor (`every 2 weeks on sun
// at 01:00 from 2026-01-04`), the first / last working day of a month (`last weekday of month`) and blackouts
// (`not between 08:00 and 20:00 on mon..fri`, `not on 12-24..12-26`), each compiled from policy text and compared
// with firings computed here by brute force: every minute of four years in Europe/Berlin, converted to local time by
// the EU summer-time rule written out below (no Schedule, no cctz), and every day tested by its own definition of
// the form. The DST rule under test: a slot in the spring-forward gap fires at the first minute after the gap, a slot
// in the repeated hour at its first occurrence — i.e. the first minute whose local reading reaches the slot.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <vector>

#include "tests/compiler/plan/civil_calendar.h"
#include "tests/compiler/sema/sema_helpers.h"

namespace {

using sk::testing::days_from_civil;
using sk::testing::days_in_month;

struct Ymd {
  int y, m, d;
};

// Howard Hinnant's civil_from_days.
Ymd civil_from_days(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return Ymd{static_cast<int>(static_cast<int64_t>(yoe) + era * 400 + (m <= 2)), static_cast<int>(m),
             static_cast<int>(d)};
}

// 0 = Monday … 6 = Sunday (1970-01-01 was a Thursday).
int weekday(int64_t day) { return static_cast<int>(((day + 3) % 7 + 7) % 7); }

int64_t last_sunday(int y, int m) {
  int64_t day = days_from_civil(y, static_cast<unsigned>(m), static_cast<unsigned>(days_in_month(y, m)));
  while (weekday(day) != 6) --day;
  return day;
}

// Local minutes since the epoch for a UTC minute in Europe/Berlin: UTC+1, UTC+2 from 01:00 UTC on the last Sunday of
// March to 01:00 UTC on the last Sunday of October.
int64_t berlin_local(int64_t utc_minute) {
  const int y = civil_from_days(utc_minute / 1440).y;
  const int64_t start = last_sunday(y, 3) * 1440 + 60, end = last_sunday(y, 10) * 1440 + 60;
  return utc_minute + (utc_minute >= start && utc_minute < end ? 120 : 60);
}

// The firing instants (UTC seconds) in [from_day, to_day) local days of a schedule firing at `minute_of_day` on the
// local days `fires` accepts.
std::vector<int64_t> oracle(int64_t from_day, int64_t to_day, int minute_of_day,
                            const std::function<bool(int64_t)>& fires) {
  std::vector<int64_t> targets;  // local minutes
  for (int64_t d = from_day; d < to_day; ++d) {
    if (fires(d)) targets.push_back(d * 1440 + minute_of_day);
  }
  std::vector<int64_t> out;
  size_t next = 0;
  for (int64_t u = (from_day - 1) * 1440; next < targets.size() && u < (to_day + 1) * 1440; ++u) {
    const int64_t local = berlin_local(u);
    while (next < targets.size() && local >= targets[next]) {
      out.push_back(u * 60);
      ++next;
    }
  }
  return out;
}

struct Compiled {
  std::unique_ptr<sk::test::Compiled> c;
  const sk::Schedule& schedule() const { return c->model->tiers[0].schedule; }
};

Compiled tier(const std::string& schedule, const std::string& extra = "", const std::string& policy_extra = "") {
  Compiled out{sk::test::compile("policy \"t\" {\n  timezone = \"Europe/Berlin\"\n  databases = [\"sales\"]\n" +
                                 policy_extra + "\n  repository \"r\" { location = \"s3a://b/p\" }\n" +
                                 "  tier \"x\" { backup = database; retain = 400d; window = 1h; schedule = " + schedule +
                                 (extra.empty() ? "" : "; " + extra) + " }\n}\n")};
  return out;
}

// The schedule's firings over 2025–2028 against the oracle's.
void expect_matches_oracle(const Compiled& t, int minute_of_day, const std::function<bool(int64_t)>& fires) {
  ASSERT_TRUE(t.c->model) << t.c->text();
  const int64_t from = days_from_civil(2025, 1, 1), to = days_from_civil(2029, 1, 1);
  const std::vector<int64_t> expected = oracle(from, to, minute_of_day, fires);
  const auto zone = sk::TimeZone::parse("Europe/Berlin");
  ASSERT_TRUE(zone);
  // The window's ends in UTC: local midnight of both days is outside every DST transition.
  const auto begin = sk::Instant::from_unix_seconds((from * 1440 - 60) * 60);
  const auto end = sk::Instant::from_unix_seconds((to * 1440 - 60) * 60);
  std::vector<int64_t> got;
  for (sk::Instant i : t.schedule().firings_between(begin, end, *zone)) got.push_back(i.unix_seconds());
  ASSERT_GT(expected.size(), 10u);
  ASSERT_EQ(got.size(), expected.size()) << t.schedule().to_string();
  for (size_t i = 0; i < got.size(); ++i) {
    ASSERT_EQ(got[i], expected[i]) << t.schedule().to_string() << ": firing " << i << " differs";
  }
}

TEST(ScheduleOracle, EveryTwoWeeksOnSundayAcrossBothDstNights) {
  // 02:30 on a Sunday: the spring-forward Sundays (no 02:30; fires at 03:00) and the fall-back Sundays (02:30 twice;
  // fires at the first) are among the days, in some years on the fortnight.
  const int64_t anchor = days_from_civil(2026, 1, 4);
  expect_matches_oracle(tier("every 2 weeks on sun at 02:30 from 2026-01-04"), 2 * 60 + 30, [&](int64_t d) {
    return weekday(d) == 6 && ((d - anchor) % 14 + 14) % 14 == 0;
  });
}

TEST(ScheduleOracle, EveryThreeWeeksOnTwoWeekdaysCountsWeeksFromTheAnchorsMonday) {
  const int64_t anchor_monday = days_from_civil(2026, 1, 5);  // the anchor 2026-01-08 is a Thursday
  expect_matches_oracle(tier("every 3 weeks on mon, thu at 01:00 from 2026-01-08"), 60, [&](int64_t d) {
    const int64_t week = (d - anchor_monday >= 0 ? d - anchor_monday : d - anchor_monday - 6) / 7;
    return (weekday(d) == 0 || weekday(d) == 3) && (week % 3 + 3) % 3 == 0;
  });
}

TEST(ScheduleOracle, LastAndFirstWeekdayOfMonth) {
  const auto last_workday = [](int64_t d) {
    const Ymd c = civil_from_days(d);
    int64_t last = days_from_civil(c.y, static_cast<unsigned>(c.m), static_cast<unsigned>(days_in_month(c.y, c.m)));
    while (weekday(last) >= 5) --last;
    return d == last;
  };
  expect_matches_oracle(tier("last weekday of month at 22:00"), 22 * 60, last_workday);
  const auto first_workday = [](int64_t d) {
    const Ymd c = civil_from_days(d);
    int64_t first = days_from_civil(c.y, static_cast<unsigned>(c.m), 1);
    while (weekday(first) >= 5) ++first;
    return d == first;
  };
  expect_matches_oracle(tier("first weekday of month at 02:30"), 2 * 60 + 30, first_workday);
}

TEST(ScheduleOracle, BlackoutDaysAndWeekendHoursAreSkipped) {
  expect_matches_oracle(tier("daily at 01:00", "blackout = not on 12-24..12-26, not between 00:30 and 06:00 on sat, sun"),
                        60, [](int64_t d) {
                          const Ymd c = civil_from_days(d);
                          return !(c.m == 12 && c.d >= 24 && c.d <= 26) && weekday(d) < 5;
                        });
}

TEST(ScheduleOracle, OvernightBlackoutBelongsToTheDayItOpens) {
  // Friday 22:00 to Saturday 06:00: the Saturday 05:00 slot is skipped, Friday's is not.
  expect_matches_oracle(tier("daily at 05:00", "blackout = not between 22:00 and 06:00 on fri"), 5 * 60,
                        [](int64_t d) { return weekday(d - 1) != 4; });
  expect_matches_oracle(tier("daily at 23:00", "blackout = not between 22:00 and 06:00 on fri"), 23 * 60,
                        [](int64_t d) { return weekday(d) != 4; });
}

TEST(ScheduleOracle, PolicyBlackoutWrapsTheYearAndJoinsTheSchedulesOwn) {
  // The policy's blackout applies to every tier; the tier's schedule carries one of its own.
  expect_matches_oracle(tier("mon..sat at 02:30, not on 05-01", "", "  blackout = not on 12-30..01-02"), 2 * 60 + 30,
                        [](int64_t d) {
                          const Ymd c = civil_from_days(d);
                          const bool new_year = (c.m == 12 && c.d >= 30) || (c.m == 1 && c.d <= 2);
                          return weekday(d) != 6 && !new_year && !(c.m == 5 && c.d == 1);
                        });
}

TEST(ScheduleOracle, AnchoredWeeksWithBlackoutsAndAMonthFilter) {
  const int64_t anchor = days_from_civil(2026, 1, 4);
  expect_matches_oracle(
      tier("every 2 weeks on sun at 01:00 from 2026-01-04 in jan, feb, mar, apr, may, jun, dec, not on 12-24..12-26"), 60,
      [&](int64_t d) {
        const Ymd c = civil_from_days(d);
        return weekday(d) == 6 && ((d - anchor) % 14 + 14) % 14 == 0 && (c.m <= 6 || c.m == 12) &&
               !(c.m == 12 && c.d >= 24 && c.d <= 26);
      });
}

// ---- sub-daily firings (every hour at :05, every 4 hours from 00:30) ----
//
// The rule under test (docs/language.md §7), restated here without Schedule or cctz: each nominal slot (a local day
// and a time of day the schedule names) fires at the first UTC minute whose local reading is that time; a time the
// day skips (spring forward) fires at the UTC minute it names with the offset in force just before the change; a slot
// whose firing is at or after the firing of a later slot is absorbed by it (one firing, the later slot's).

// Local minutes for a UTC minute in Australia/Lord_Howe: UTC+10:30, UTC+11 from 02:00 standard time on the first
// Sunday of October (15:30 UTC the day before) to 02:00 summer time on the first Sunday of April (15:00 UTC the day
// before).
int64_t first_sunday(int y, int m) {
  int64_t day = days_from_civil(y, static_cast<unsigned>(m), 1);
  while (weekday(day) != 6) ++day;
  return day;
}
int64_t lord_howe_local(int64_t utc_minute) {
  const int y = civil_from_days((utc_minute + 660) / 1440).y;
  const int64_t end = first_sunday(y, 4) * 1440 - 9 * 60;        // 15:00 UTC on the Saturday before
  const int64_t start = first_sunday(y, 10) * 1440 - 8 * 60 - 30;  // 15:30 UTC on the Saturday before
  return utc_minute + (utc_minute < end || utc_minute >= start ? 660 : 630);
}

struct NominalSlot {
  int64_t local;  // local minutes since the epoch: the day and the time the schedule names
  int64_t utc;    // the firing, UTC seconds
};

// The firings of the nominal local minutes `targets` (ascending) by the rule above, for a zone given by its
// UTC-minute → local-minute function, scanning every UTC minute from a day before the first target to a day after
// the last.
std::vector<NominalSlot> sub_daily_oracle(const std::vector<int64_t>& targets,
                                          const std::function<int64_t(int64_t)>& local_of) {
  std::map<int64_t, int64_t> first_utc;  // local minute → first UTC minute reading it
  for (int64_t u = targets.front() - 2 * 1440; u < targets.back() + 2 * 1440; ++u) first_utc.emplace(local_of(u), u);
  std::vector<NominalSlot> slots;
  for (int64_t l : targets) {
    auto it = first_utc.find(l);
    if (it == first_utc.end()) {
      // Skipped: the offset in force just before the gap is that of the last local minute before it.
      const auto before = std::prev(first_utc.lower_bound(l));
      slots.push_back({l, (l - (before->first - before->second)) * 60});
      continue;
    }
    slots.push_back({l, it->second * 60});
  }
  std::vector<NominalSlot> out;  // absorption: keep a slot only if it fires before every later one
  int64_t earliest_later = std::numeric_limits<int64_t>::max();
  for (auto it = slots.rbegin(); it != slots.rend(); ++it) {
    if (it->utc < earliest_later) out.push_back(*it);
    earliest_later = std::min(earliest_later, it->utc);
  }
  std::reverse(out.begin(), out.end());
  return out;
}

// The slots of `schedule` (compiled in `zone_name` by tier_in) over local days [from_day, to_day) against the oracle,
// nominal time and firing instant alike.
void expect_sub_daily_matches_oracle(const std::string& zone_name, const std::string& schedule, int64_t from_day,
                                     int64_t to_day, const std::function<int64_t(int64_t)>& local_of,
                                     const std::function<bool(int64_t day, int minute)>& fires) {
  auto c = sk::test::compile("policy \"t\" {\n  timezone = \"" + zone_name + "\"\n  databases = [\"sales\"]\n" +
                             "  repository \"r\" { location = \"s3a://b/p\" }\n" +
                             "  tier \"x\" { backup = database; retain = 400d; window = 20m; schedule = " + schedule +
                             " }\n}\n");
  ASSERT_TRUE(c->model) << c->text();
  const sk::Schedule& s = c->model->tiers[0].schedule;
  ASSERT_TRUE(s.sub_daily()) << s.to_string();
  std::vector<int64_t> targets;
  for (int64_t d = from_day; d < to_day; ++d) {
    for (int m = 0; m < 1440; ++m) {
      if (fires(d, m)) targets.push_back(d * 1440 + m);
    }
  }
  const std::vector<NominalSlot> expected = sub_daily_oracle(targets, local_of);
  const auto zone = sk::TimeZone::parse(zone_name);
  ASSERT_TRUE(zone);
  // From the first expected firing to just after the last one.
  const auto got = s.slots_between(sk::Instant::from_unix_seconds(expected.front().utc),
                                   sk::Instant::from_unix_seconds(expected.back().utc + 1), *zone);
  ASSERT_GT(expected.size(), 100u);
  ASSERT_EQ(got.size(), expected.size()) << s.to_string();
  for (size_t i = 0; i < got.size(); ++i) {
    const sk::CivilSecond& l = got[i].local;
    const int64_t local = days_from_civil(l.year(), static_cast<unsigned>(l.month()), static_cast<unsigned>(l.day())) *
                              1440 + l.hour() * 60 + l.minute();
    ASSERT_EQ(local, expected[i].local) << s.to_string() << ": slot " << i << " names another local time";
    ASSERT_EQ(got[i].at.unix_seconds(), expected[i].utc) << s.to_string() << ": slot " << i << " fires elsewhere";
  }
}

TEST(ScheduleOracle, EveryHourInBerlinOverFourYearsOfDstNights) {
  // 2025–2028: on the spring-forward nights 02:05 names 03:05 CEST, the 03:05 slot's instant: one firing; on the
  // fall-back nights 02:05 fires once, at its first occurrence.
  expect_sub_daily_matches_oracle("Europe/Berlin", "every hour at :05", days_from_civil(2025, 1, 1),
                                  days_from_civil(2029, 1, 1), berlin_local,
                                  [](int64_t, int m) { return m % 60 == 5; });
}

TEST(ScheduleOracle, EveryFourHoursFromHalfPastTwoOnWeekdaysInBerlin) {
  // 02:30 on a spring-forward Sunday is not a weekday; mon..sun makes it one: 02:30 fires at 03:30 CEST.
  expect_sub_daily_matches_oracle("Europe/Berlin", "every 4 hours from 02:30", days_from_civil(2025, 1, 1),
                                  days_from_civil(2029, 1, 1), berlin_local,
                                  [](int64_t, int m) { return m % 240 == 150; });
  expect_sub_daily_matches_oracle("Europe/Berlin", "every 4 hours from 00:30 on mon..fri", days_from_civil(2025, 1, 1),
                                  days_from_civil(2029, 1, 1), berlin_local,
                                  [](int64_t d, int m) { return weekday(d) < 5 && m % 240 == 30; });
}

TEST(ScheduleOracle, EveryTwoHoursWithBlackoutHoursAndDaysInBerlin) {
  // Slots in the blackout are skipped, not moved; the Christmas days fire no slot at all.
  expect_sub_daily_matches_oracle(
      "Europe/Berlin", "every 2 hours from 00:30, not between 08:00 and 20:00 on mon..fri, not on 12-24..12-26",
      days_from_civil(2025, 1, 1), days_from_civil(2029, 1, 1), berlin_local, [](int64_t d, int m) {
        const Ymd c = civil_from_days(d);
        const bool office = weekday(d) < 5 && m >= 8 * 60 && m < 20 * 60;
        return m % 120 == 30 && !office && !(c.m == 12 && c.d >= 24 && c.d <= 26);
      });
}

TEST(ScheduleOracle, EveryHourInLordHoweWhereTheClocksMoveHalfAnHour) {
  // Spring: 02:00 → 02:30, so 02:15 names 02:45 (+11:00), half an hour before 03:15; autumn: 02:00 → 01:30, so
  // 01:45 fires once, at its first occurrence.
  expect_sub_daily_matches_oracle("Australia/Lord_Howe", "every hour at :15", days_from_civil(2025, 1, 1),
                                  days_from_civil(2029, 1, 1), lord_howe_local,
                                  [](int64_t, int m) { return m % 60 == 15; });
  expect_sub_daily_matches_oracle("Australia/Lord_Howe", "every hour at :45 on sun", days_from_civil(2025, 1, 1),
                                  days_from_civil(2029, 1, 1), lord_howe_local,
                                  [](int64_t d, int m) { return weekday(d) == 6 && m % 60 == 45; });
}

// Labels stay unique per slot (SK0322, SK0239): over a whole 400-year Gregorian cycle of an hourly tier with the
// default sub-daily label, in Europe/Berlin and in Australia/Lord_Howe (30-minute DST shift), every slot's label is
// rendered and the labels strictly increase — so none repeats, DST days included — and every day has 23 to 24 slots.
struct DstDays {
  size_t short_days = 0;   // days with 23 slots (a skipped hour's slot absorbed by the next)
  size_t moved_slots = 0;  // slots that fire at another clock time than they name (a skipped half hour)
};
DstDays expect_unique_labels_for_400_years(const std::string& zone_name) {
  DstDays dst;
  auto c = sk::test::compile("policy \"t\" {\n  timezone = \"" + zone_name + "\"\n  databases = [\"sales\"]\n" +
                             "  repository \"r\" { location = \"s3a://b/p\" }\n" +
                             "  tier \"x\" { backup = database; retain = 2d; window = 20m; schedule = every hour at :15 }"
                             "\n}\n");
  EXPECT_TRUE(c->model) << c->text();
  if (!c->model) return dst;
  const sk::model::Tier& tier = c->model->tiers[0];
  EXPECT_EQ(tier.label.str(), "{db}_{date}_{time}_{suffix}");
  const sk::TimeZone& zone = c->model->time_zone;
  const auto db = sk::DatabaseName::parse("sales").value();
  const sk::Instant from = zone.from_local(sk::CivilSecond(2000, 1, 1, 0, 0, 0));
  const sk::Instant to = zone.from_local(sk::CivilSecond(2400, 1, 1, 0, 0, 0));
  std::string previous;
  size_t slots = 0;
  sk::CivilDay day(2000, 1, 1);
  size_t on_day = 0;
  // A year at a time, so the slots of one call stay small.
  for (sk::Instant t = from; t < to;) {
    const sk::Instant next = std::min(to, t + sk::Duration::from_days(366));
    for (const sk::Schedule::Slot& s : tier.schedule.slots_between(t, next, zone)) {
      const auto label = tier.label.render(db, tier.name, tier.label_suffix, s.local);
      EXPECT_TRUE(label);
      if (!label || !(previous < label->str())) {
        ADD_FAILURE() << "label " << (label ? label->str() : "?") << " after " << previous << " at "
                      << s.at.to_iso8601_utc();
        return dst;
      }
      previous = label->str();
      ++slots;
      dst.moved_slots += zone.to_local(s.at) != s.local ? 1 : 0;
      if (s.day() != day) {
        if (on_day != 24 && on_day != 23) {
          ADD_FAILURE() << sk::iso_date(day) << ": " << on_day << " slots";
          return dst;
        }
        dst.short_days += on_day == 23 ? 1 : 0;
        day = s.day();
        on_day = 0;
      }
      ++on_day;
    }
    t = next;
  }
  EXPECT_GT(slots, 146097u * 24 - 400 * 2);
  return dst;
}

// A spring-forward day each year (the rules as the tz database extends them): 02:15 is absorbed by 03:15.
TEST(LabelUniqueness, HourlyOverFourHundredYearsInBerlin) {
  const DstDays dst = expect_unique_labels_for_400_years("Europe/Berlin");
  EXPECT_GE(dst.short_days, 399u);
  EXPECT_EQ(dst.moved_slots, 0u);
}
// Each October 02:15 names 02:45 (+11:00): kept, as its own slot and label, half an hour before 03:15.
TEST(LabelUniqueness, HourlyOverFourHundredYearsInLordHowe) {
  const DstDays dst = expect_unique_labels_for_400_years("Australia/Lord_Howe");
  EXPECT_EQ(dst.short_days, 0u);
  EXPECT_GE(dst.moved_slots, 399u);
}

}  // namespace
