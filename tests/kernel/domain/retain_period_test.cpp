// RetainPeriod: the spellings `retain` accepts, canonical text, and calendar arithmetic in the policy's zone with
// the end-of-month rule. Every expected date below was counted by hand on a calendar.
#include "kernel/domain/retain_period.h"

#include <gtest/gtest.h>

#include "tests/kernel/domain/values.h"

namespace sk {
namespace {

using test_support::utc;
using test_support::zone;

RetainPeriod months(std::int64_t n) { return *RetainPeriod::months(n); }

TEST(RetainPeriod, ParsesDurationsMonthsAndYears) {
  EXPECT_EQ(*RetainPeriod::parse("14d"), RetainPeriod(Duration::from_days(14)));
  EXPECT_EQ(RetainPeriod::parse("18 months")->month_count(), 18);
  EXPECT_EQ(RetainPeriod::parse("1 month")->month_count(), 1);
  EXPECT_EQ(RetainPeriod::parse("1 year")->month_count(), 12);
  EXPECT_EQ(RetainPeriod::parse("7 years")->month_count(), 84);
  EXPECT_EQ(*RetainPeriod::parse("12 months"), *RetainPeriod::parse("1 year"));
  EXPECT_FALSE(RetainPeriod::parse("14d")->calendar());
  EXPECT_TRUE(RetainPeriod::parse("7 years")->calendar());
}

TEST(RetainPeriod, RejectsWhatTheLanguageDoesNotHave) {
  for (const char* bad : {"7y", "18mo", "0 months", "1.5 years", "-3 months", "2 quarters", "18  months",
                          "1001 years", "12001 months", "months", "3 weeks"}) {
    const auto r = RetainPeriod::parse(bad);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error().code, "domain.duration") << bad;
  }
  EXPECT_TRUE(RetainPeriod::parse("1000 years").has_value());
  EXPECT_EQ(*RetainPeriod::parse("0s"), RetainPeriod());  // a count-only tier's retention, as plans carry it
}

TEST(RetainPeriod, CanonicalTextRoundTrips) {
  EXPECT_EQ(RetainPeriod(Duration::from_days(14)).to_string(), "14d");
  EXPECT_EQ(months(1).to_string(), "1 month");
  EXPECT_EQ(months(18).to_string(), "18 months");
  EXPECT_EQ(months(12).to_string(), "1 year");
  EXPECT_EQ(months(84).to_string(), "7 years");
  for (const RetainPeriod& r : {months(1), months(18), months(12), months(84), RetainPeriod(Duration::from_hours(36))}) {
    EXPECT_EQ(*RetainPeriod::parse(r.to_string()), r) << r.to_string();
  }
}

TEST(RetainPeriod, EndOfMonthRule) {
  EXPECT_EQ(add_months(CivilDay(2026, 8, 31), 6), CivilDay(2027, 2, 28));
  EXPECT_EQ(add_months(CivilDay(2026, 1, 31), 1), CivilDay(2026, 2, 28));
  EXPECT_EQ(add_months(CivilDay(2028, 1, 31), 1), CivilDay(2028, 2, 29));  // leap year
  EXPECT_EQ(add_months(CivilDay(2026, 3, 31), 18), CivilDay(2027, 9, 30));
  EXPECT_EQ(add_months(CivilDay(2026, 5, 15), 18), CivilDay(2027, 11, 15));
  EXPECT_EQ(add_months(CivilDay(2028, 2, 29), 12), CivilDay(2029, 2, 28));  // leap day + 1 year
  EXPECT_EQ(add_months(CivilDay(2028, 2, 29), 48), CivilDay(2032, 2, 29));  // + 4 years: a leap day again
  EXPECT_EQ(add_months(CivilDay(2027, 2, 28), -6), CivilDay(2026, 8, 28));
  EXPECT_EQ(add_months(CivilDay(2026, 12, 6), 84), CivilDay(2033, 12, 6));
}

TEST(RetainPeriod, CountsFromTheSlotInThePolicysZone) {
  const TimeZone z = TimeZone::utc();
  EXPECT_EQ(months(6).after(utc("2026-08-31T01:00:00Z"), z), utc("2027-02-28T01:00:00Z"));
  EXPECT_EQ(months(12).after(utc("2028-02-29T01:00:00Z"), z), utc("2029-02-28T01:00:00Z"));
  EXPECT_EQ(months(84).after(utc("2026-12-06T01:00:00Z"), z), utc("2033-12-06T01:00:00Z"));
  EXPECT_EQ(RetainPeriod(Duration::from_days(14)).after(utc("2026-08-31T01:00:00Z"), z), utc("2026-09-14T01:00:00Z"));
  // Europe/Berlin: 01:00 CET on 15 January is 00:00Z; six months later is 01:00 CEST on 15 July, 23:00Z the
  // day before — the local date and time are kept, not the UTC offset.
  const TimeZone berlin = zone("Europe/Berlin");
  EXPECT_EQ(months(6).after(utc("2026-01-15T00:00:00Z"), berlin), utc("2026-07-14T23:00:00Z"));
  // A slot at 00:30 local on 31 March 2026 (22:30Z on the 30th) plus one month: 30 April 00:30 CEST.
  EXPECT_EQ(months(1).after(utc("2026-03-30T22:30:00Z"), berlin), utc("2026-04-29T22:30:00Z"));
  // before(): counted back from the evaluated instant.
  EXPECT_EQ(months(6).before(utc("2027-02-28T01:00:00Z"), z), utc("2026-08-28T01:00:00Z"));
}

TEST(RetainPeriod, FewestAndMostDays) {
  EXPECT_EQ(months(1).shortest_days(), 28);   // 31 Jan → 28 Feb; 1 Feb → 1 Mar in a common year
  EXPECT_EQ(months(1).longest_days(), 31);
  EXPECT_EQ(months(12).shortest_days(), 365);
  EXPECT_EQ(months(12).longest_days(), 366);  // across a 29 February
  EXPECT_EQ(RetainPeriod(Duration::from_hours(36)).shortest_days(), 1);
  EXPECT_EQ(RetainPeriod(Duration::from_hours(36)).longest_days(), 2);
}

}  // namespace
}  // namespace sk
