// Weekday, TimeOfDay, TimeZone (including the DST rule) and Instant parsing/formatting.
#include "kernel/domain/time.h"

#include <gtest/gtest.h>

#include "tests/kernel/domain/printers.h"
#include "tests/kernel/domain/values.h"

namespace sk {
namespace {

using sk::test_support::utc;
using sk::test_support::zone;

TEST(WeekdayTest, ParsesShortAndLongNamesCaseInsensitively) {
  EXPECT_EQ(parse_weekday("mon"), Weekday::kMonday);
  EXPECT_EQ(parse_weekday("Tuesday"), Weekday::kTuesday);
  EXPECT_EQ(parse_weekday("WED"), Weekday::kWednesday);
  EXPECT_EQ(parse_weekday("thu"), Weekday::kThursday);
  EXPECT_EQ(parse_weekday("friday"), Weekday::kFriday);
  EXPECT_EQ(parse_weekday("SaTuRdAy"), Weekday::kSaturday);
  EXPECT_EQ(parse_weekday("sun"), Weekday::kSunday);
  for (const char* bad : {"", "mo", "mond", "sundays", "tues", "dimanche", "mon ", "wednesdayy"}) {
    const auto r = parse_weekday(bad);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error().code, "domain.weekday");
  }
}

TEST(WeekdayTest, TextAndCalendar) {
  EXPECT_EQ(to_string(Weekday::kMonday), "mon");
  EXPECT_EQ(to_string(Weekday::kSunday), "sun");
  EXPECT_EQ(weekday_of(CivilDay(2025, 9, 14)), Weekday::kSunday);
  EXPECT_EQ(weekday_of(CivilDay(2025, 9, 15)), Weekday::kMonday);
  EXPECT_EQ(weekday_of(CivilDay(2000, 1, 1)), Weekday::kSaturday);
  EXPECT_EQ(weekday_of(CivilDay(2024, 2, 29)), Weekday::kThursday);
}

TEST(TimeOfDayTest, ParseAndFormat) {
  EXPECT_EQ(TimeOfDay::parse("01:00")->hour(), 1);
  EXPECT_EQ(TimeOfDay::parse("23:59")->minute(), 59);
  EXPECT_EQ(TimeOfDay::parse("1:05")->to_string(), "01:05");
  EXPECT_EQ(TimeOfDay::parse("00:00")->minutes_since_midnight(), 0);
  EXPECT_EQ(TimeOfDay::parse("23:59")->minutes_since_midnight(), 1439);
  EXPECT_EQ(TimeOfDay::from_hm(2, 30)->to_string(), "02:30");
  EXPECT_LT(*TimeOfDay::parse("01:00"), *TimeOfDay::parse("01:01"));
  EXPECT_EQ(TimeOfDay::parse("02:30")->on(CivilDay(2025, 3, 30)), CivilSecond(2025, 3, 30, 2, 30, 0));
  for (const char* bad :
       {"", "24:00", "23:60", "1", "01:0", "001:00", ":30", "01:00:00", "1h", "-1:00", "ab:cd"}) {
    const auto r = TimeOfDay::parse(bad);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error().code, "domain.time_of_day") << bad;
  }
  EXPECT_EQ(TimeOfDay::from_hm(24, 0).error().code, "domain.time_of_day");
  EXPECT_EQ(TimeOfDay::from_hm(0, -1).error().code, "domain.time_of_day");
}

TEST(TimeZoneTest, LoadsKnownZonesAndRejectsOthers) {
  EXPECT_EQ(zone("UTC").name(), "UTC");
  EXPECT_EQ(zone("Europe/Berlin").name(), "Europe/Berlin");
  EXPECT_EQ(zone("Asia/Shanghai").name(), "Asia/Shanghai");
  EXPECT_EQ(TimeZone::utc(), zone("UTC"));
  for (const char* bad :
       {"", "Mars/Olympus", "Europe/Berln", "/etc/passwd", "../../etc/passwd", "Europe/../UTC",
        "Europe Berlin", "UTC;drop", "localtime", "right/UTC", "Europe", "utc"}) {
    const auto r = TimeZone::parse(bad);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error().code, "domain.time_zone") << bad;
  }
  EXPECT_NE(TimeZone::parse("Mars/Olympus").error().message.find("unknown time zone"), std::string::npos);
}

// Issue 10 item 2: a zone given as a UTC offset ("+08:00", how StarRocks stores `SET time_zone = '+8:00'`) is a
// zone, not an error the runner answered with UTC.
TEST(TimeZoneTest, UtcOffsetsAreFixedZones) {
  const TimeZone plus8 = zone("+08:00");
  EXPECT_EQ(plus8.name(), "+08:00");
  EXPECT_EQ(zone("+8:00").name(), "+08:00");
  EXPECT_EQ(zone("-06:00").name(), "-06:00");
  EXPECT_EQ(zone("+05:45").utc_offset_seconds(utc("2025-01-01T00:00:00Z")), 5 * 3600 + 45 * 60);
  const Instant t = utc("2025-09-14T01:00:00Z");
  EXPECT_EQ(plus8.to_local(t), CivilSecond(2025, 9, 14, 9, 0, 0));
  EXPECT_EQ(plus8.from_local(CivilSecond(2025, 9, 14, 9, 0, 0)), t);
  EXPECT_EQ(t.to_string(plus8), "2025-09-14T09:00:00+08:00");
  EXPECT_EQ(*Instant::parse("2025-09-14 09:00:00", plus8), t);
  EXPECT_EQ(zone("-06:00").to_local(t), CivilSecond(2025, 9, 13, 19, 0, 0));
  EXPECT_EQ(zone("+14:00").utc_offset_seconds(t), 14 * 3600);
  EXPECT_EQ(zone("-12:00").utc_offset_seconds(t), -12 * 3600);
  EXPECT_EQ(TimeZone::fixed(8 * 3600), plus8);
  EXPECT_EQ(TimeZone::fixed(-(5 * 3600 + 30 * 60 + 15)).name(), "-05:30:15");
  for (const char* bad : {"+15:00", "-12:30", "+08:60", "+0800", "+8", "+08:00:00", "+", "-", "+aa:bb"}) {
    const auto r = TimeZone::parse(bad);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error().code, "domain.time_zone") << bad;
  }
}

TEST(TimeZoneTest, ConvertsBothWays) {
  const TimeZone sh = zone("Asia/Shanghai");
  const Instant t = utc("2025-09-14T01:00:00Z");
  EXPECT_EQ(sh.to_local(t), CivilSecond(2025, 9, 14, 9, 0, 0));
  EXPECT_EQ(sh.from_local(CivilSecond(2025, 9, 14, 9, 0, 0)), t);
  EXPECT_EQ(sh.utc_offset_seconds(t), 8 * 3600);
  EXPECT_EQ(zone("Europe/Berlin").utc_offset_seconds(t), 7200);
  EXPECT_EQ(zone("Europe/Berlin").utc_offset_seconds(utc("2025-01-01T00:00:00Z")), 3600);
}

// Europe/Berlin 2025: spring forward on 2025-03-30 at 02:00 CET (01:00Z) to 03:00 CEST; fall back on
// 2025-10-26 at 03:00 CEST (01:00Z) to 02:00 CET.
TEST(TimeZoneTest, SpringForwardGapMapsToEndOfGap) {
  const TimeZone berlin = zone("Europe/Berlin");
  EXPECT_EQ(berlin.classify(CivilSecond(2025, 3, 30, 2, 30, 0)), LocalTimeKind::kSkipped);
  // 02:30 does not exist: fires at 03:00 CEST = 01:00Z (the first valid instant after the gap).
  EXPECT_EQ(berlin.from_local(CivilSecond(2025, 3, 30, 2, 30, 0)), utc("2025-03-30T01:00:00Z"));
  EXPECT_EQ(berlin.from_local(CivilSecond(2025, 3, 30, 2, 0, 0)), utc("2025-03-30T01:00:00Z"));
  // Just outside the gap.
  EXPECT_EQ(berlin.from_local(CivilSecond(2025, 3, 30, 1, 0, 0)), utc("2025-03-30T00:00:00Z"));
  EXPECT_EQ(berlin.from_local(CivilSecond(2025, 3, 30, 3, 0, 0)), utc("2025-03-30T01:00:00Z"));
  EXPECT_EQ(berlin.from_local(CivilSecond(2025, 3, 30, 3, 30, 0)), utc("2025-03-30T01:30:00Z"));
  EXPECT_EQ(berlin.classify(CivilSecond(2025, 3, 30, 1, 0, 0)), LocalTimeKind::kUnique);
}

TEST(TimeZoneTest, FallBackOverlapMapsToFirstOccurrence) {
  const TimeZone berlin = zone("Europe/Berlin");
  EXPECT_EQ(berlin.classify(CivilSecond(2025, 10, 26, 2, 30, 0)), LocalTimeKind::kRepeated);
  // 02:30 happens at 00:30Z (CEST) and again at 01:30Z (CET): the first one is chosen.
  EXPECT_EQ(berlin.from_local(CivilSecond(2025, 10, 26, 2, 30, 0)), utc("2025-10-26T00:30:00Z"));
  EXPECT_EQ(berlin.to_local(utc("2025-10-26T01:30:00Z")), CivilSecond(2025, 10, 26, 2, 30, 0));
  // 01:00 is before the overlap: CEST.
  EXPECT_EQ(berlin.from_local(CivilSecond(2025, 10, 26, 1, 0, 0)), utc("2025-10-25T23:00:00Z"));
}

TEST(InstantTest, ParsesUtcOffsetAndLocalForms) {
  const TimeZone berlin = zone("Europe/Berlin");
  const Instant expected = Instant::from_unix_seconds(1757811600);  // 2025-09-14T01:00:00Z
  EXPECT_EQ(*Instant::parse("2025-09-14T01:00:00Z", berlin), expected);
  EXPECT_EQ(*Instant::parse("2025-09-14T03:00:00+02:00", berlin), expected);
  EXPECT_EQ(*Instant::parse("2025-09-13T20:30:00-04:30", berlin), expected);
  EXPECT_EQ(*Instant::parse("2025-09-14T03:00:00", berlin), expected);  // local CEST
  EXPECT_EQ(*Instant::parse("2025-09-14T03:00", berlin), expected);
  EXPECT_EQ(*Instant::parse("2025-09-14 03:00", berlin), expected);
  EXPECT_EQ(*Instant::parse("2025-09-14 03:00:00", berlin), expected);
  EXPECT_EQ(*Instant::parse("2025-09-14", berlin), utc("2025-09-13T22:00:00Z"));  // local midnight
  EXPECT_EQ(*Instant::parse("2025-09-14 01:00", TimeZone::utc()), expected);
  EXPECT_EQ(*Instant::parse("1970-01-01T00:00:00Z", berlin), Instant());
  // Local times in the DST gap follow the rule of TimeZone::from_local.
  EXPECT_EQ(*Instant::parse("2025-03-30 02:30", berlin), utc("2025-03-30T01:00:00Z"));
}

TEST(InstantTest, RejectsMalformedAndImpossibleTimes) {
  const TimeZone utc_zone = TimeZone::utc();
  for (const char* bad : {"",
                          "2025-09-14T",
                          "2025-9-14",
                          "2025-09-14T1:00",
                          "2025-09-14T01:00:00ZZ",
                          "2025-09-14T01:00:00+2",
                          "2025-09-14T01:00:00+0200",
                          "2025-09-14X01:00",
                          "2025-02-29",
                          "2025-13-01",
                          "2025-00-10",
                          "2025-04-31",
                          "2025-09-14T24:00:00Z",
                          "2025-09-14T01:60",
                          "2025-09-14T01:00:60Z",
                          "2025-09-14Z",
                          "2025-09-14T01:00:00+24:00",
                          "0000-01-01",
                          "2025-09-14T01:00:00 Z",
                          "now"}) {
    const auto r = Instant::parse(bad, utc_zone);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error().code, "domain.instant") << bad;
  }
  EXPECT_TRUE(Instant::parse("2024-02-29", utc_zone).has_value());
  EXPECT_NE(Instant::parse("2025-02-29", utc_zone).error().message.find("does not exist"), std::string::npos);
}

TEST(InstantTest, FormatsAndRoundTrips) {
  const TimeZone berlin = zone("Europe/Berlin");
  const TimeZone kolkata = zone("Asia/Kolkata");
  const Instant t = utc("2025-09-14T01:00:00Z");
  EXPECT_EQ(t.to_iso8601_utc(), "2025-09-14T01:00:00Z");
  EXPECT_EQ(t.to_string(berlin), "2025-09-14T03:00:00+02:00");
  EXPECT_EQ(t.to_string(TimeZone::utc()), "2025-09-14T01:00:00+00:00");
  EXPECT_EQ(t.to_string(kolkata), "2025-09-14T06:30:00+05:30");
  EXPECT_EQ(t.to_string(zone("America/New_York")), "2025-09-13T21:00:00-04:00");
  EXPECT_EQ(utc("2025-01-05T00:00:00Z").to_string(berlin), "2025-01-05T01:00:00+01:00");
  for (const Instant i : {t, Instant(), utc("2025-03-30T01:00:00Z"), utc("2025-10-26T00:30:00Z"),
                          utc("2025-10-26T01:30:00Z"), utc("1999-12-31T23:59:59Z")}) {
    EXPECT_EQ(*Instant::parse(i.to_iso8601_utc(), berlin), i);
    EXPECT_EQ(*Instant::parse(i.to_string(berlin), TimeZone::utc()), i);
    EXPECT_EQ(*Instant::parse(i.to_string(kolkata), TimeZone::utc()), i);
  }
  // Before 1893 Berlin kept local mean time, 53 min 28 s ahead of UTC: the offset keeps its seconds.
  const Instant lmt = utc("1800-01-01T00:00:00Z");
  EXPECT_EQ(lmt.to_string(berlin), "1800-01-01T00:53:28+00:53:28");
  EXPECT_EQ(*Instant::parse(lmt.to_string(berlin), TimeZone::utc()), lmt);
  EXPECT_EQ(Instant::parse("2025-09-14T01:00:00+02:00:60", berlin).error().code, "domain.instant");
  EXPECT_EQ(Instant::parse("2025-09-14T01:00:00+02:00:", berlin).error().code, "domain.instant");
  // Both instants showing 02:30 local on the fall-back day format with their own offset.
  EXPECT_EQ(utc("2025-10-26T00:30:00Z").to_string(berlin), "2025-10-26T02:30:00+02:00");
  EXPECT_EQ(utc("2025-10-26T01:30:00Z").to_string(berlin), "2025-10-26T02:30:00+01:00");
}

TEST(InstantTest, ArithmeticAndOrdering) {
  const Instant t = Instant::from_unix_seconds(1000);
  EXPECT_EQ(t.unix_seconds(), 1000);
  EXPECT_EQ((t + Duration::from_minutes(1)).unix_seconds(), 1060);
  EXPECT_EQ((t - Duration::from_seconds(1000)), Instant());
  EXPECT_EQ(Instant::from_unix_seconds(1060) - t, Duration::from_minutes(1));
  EXPECT_EQ(t - Instant::from_unix_seconds(1060), -Duration::from_minutes(1));
  EXPECT_LT(t, t + Duration::from_seconds(1));
  Instant u = t;
  u += Duration::from_hours(1);
  EXPECT_EQ(u - t, Duration::from_hours(1));
}

}  // namespace
}  // namespace sk
