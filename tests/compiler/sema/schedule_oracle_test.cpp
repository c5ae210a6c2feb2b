// The calendar oracle for the schedule forms of issue 14 item 1: week intervals with an anchor (`every 2 weeks on sun
// at 01:00 from 2026-01-04`), the first / last working day of a month (`last weekday of month`) and blackouts
// (`not between 08:00 and 20:00 on mon..fri`, `not on 12-24..12-26`), each compiled from policy text and compared
// with firings computed here by brute force: every minute of four years in Europe/Berlin, converted to local time by
// the EU summer-time rule written out below (no Schedule, no cctz), and every day tested by its own definition of
// the form. The DST rule under test: a slot in the spring-forward gap fires at the first minute after the gap, a slot
// in the repeated hour at its first occurrence — i.e. the first minute whose local reading reaches the slot.
#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
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

}  // namespace
