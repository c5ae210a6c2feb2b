// The StarRocks time_zone variable (issue 10 items 2 + 23): every form the FE accepts — offsets, CST/PRC,
// Java zone ids, IANA names — is read as the zone StarRocks means; anything else is an error, never UTC.
#include "kernel/dialect/time_zone.h"

#include <gtest/gtest.h>

namespace sk::dialect {
namespace {

const Instant kSummer = Instant::from_unix_seconds(1757811600);  // 2025-09-14T01:00:00Z
const Instant kWinter = Instant::from_unix_seconds(1735689600);  // 2025-01-01T00:00:00Z

int offset_of(std::string_view value, Instant at = kSummer) {
  auto z = parse_time_zone_variable(value);
  EXPECT_TRUE(z.has_value()) << value << ": " << z.error().describe();
  return z ? z->utc_offset_seconds(at) : -1;
}

TEST(TimeZoneVariable, OffsetsInTheFesOwnForm) {
  EXPECT_EQ(offset_of("+08:00"), 8 * 3600);
  EXPECT_EQ(offset_of("+8:00"), 8 * 3600);
  EXPECT_EQ(offset_of("8:00"), 8 * 3600);
  EXPECT_EQ(offset_of("-6:00"), -6 * 3600);
  EXPECT_EQ(offset_of("+05:30"), 5 * 3600 + 1800);
  EXPECT_EQ(offset_of("+14:00"), 14 * 3600);
  EXPECT_EQ(offset_of("-12:00"), -12 * 3600);
  EXPECT_EQ(parse_time_zone_variable("+8:00")->name(), "+08:00");
}

TEST(TimeZoneVariable, CstIsShanghaiNotChicago) {
  EXPECT_EQ(parse_time_zone_variable("CST")->name(), "Asia/Shanghai");
  EXPECT_EQ(parse_time_zone_variable("cst")->name(), "Asia/Shanghai");
  EXPECT_EQ(parse_time_zone_variable("PRC")->name(), "Asia/Shanghai");
  EXPECT_EQ(offset_of("CST", kWinter), 8 * 3600);
}

TEST(TimeZoneVariable, JavaZoneIdForms) {
  EXPECT_EQ(offset_of("Z"), 0);
  EXPECT_EQ(offset_of("UTC"), 0);
  EXPECT_EQ(offset_of("GMT"), 0);
  EXPECT_EQ(offset_of("UTC+8"), 8 * 3600);
  EXPECT_EQ(offset_of("GMT-05:00"), -5 * 3600);
  EXPECT_EQ(offset_of("UT+05:30"), 5 * 3600 + 1800);
  EXPECT_EQ(offset_of("+8"), 8 * 3600);
  EXPECT_EQ(offset_of("+0800"), 8 * 3600);
  EXPECT_EQ(offset_of("-08:00:00"), -8 * 3600);
  EXPECT_EQ(offset_of("EST", kSummer), -5 * 3600);  // ZoneId.SHORT_IDS: a fixed offset, no DST
  EXPECT_EQ(offset_of("PST", kSummer), -7 * 3600);  // America/Los_Angeles, in summer time
  EXPECT_EQ(offset_of("JST"), 9 * 3600);
}

TEST(TimeZoneVariable, IanaNamesKeepTheirRules) {
  EXPECT_EQ(offset_of("Asia/Shanghai"), 8 * 3600);
  EXPECT_EQ(offset_of("Europe/Berlin", kSummer), 2 * 3600);
  EXPECT_EQ(offset_of("Europe/Berlin", kWinter), 3600);
}

TEST(TimeZoneVariable, AnythingElseIsAnErrorNotUtc) {
  for (const char* bad : {"", "+15:00", "-12:30", "+19", "Mars/Olympus", "MET+", "UTC+", "UTC+8x", "08", "abc"}) {
    const auto z = parse_time_zone_variable(bad);
    ASSERT_FALSE(z.has_value()) << bad << " read as " << z->name();
    EXPECT_EQ(z.error().code, "cluster.time_zone") << bad;
    EXPECT_EQ(z.error().message, std::string("Unknown or incorrect time zone: '") + bad + "'");
  }
}

TEST(TimeZoneVariable, StandardizedLikeTheFe) {
  EXPECT_EQ(*standardize_time_zone_value("+8:00"), "+08:00");
  EXPECT_EQ(*standardize_time_zone_value("8:00"), "+08:00");
  EXPECT_EQ(*standardize_time_zone_value("-6:00"), "-06:00");
  EXPECT_EQ(*standardize_time_zone_value("Asia/Shanghai"), "Asia/Shanghai");
  EXPECT_EQ(*standardize_time_zone_value("CST"), "CST");
  EXPECT_EQ(*standardize_time_zone_value("UTC+8"), "UTC+8");
  EXPECT_FALSE(standardize_time_zone_value("+15:00").has_value());
}

TEST(TimeZoneVariable, OffsetQueryReadsBothClocksInOneStatement) {
  EXPECT_EQ(render_utc_offset_query(),
            "SELECT TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(), NOW()) AS `utc_offset_seconds`");
}

}  // namespace
}  // namespace sk::dialect
