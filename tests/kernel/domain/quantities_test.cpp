// Duration, Percent and ByteSize: parsing (valid and invalid, exact error codes), canonical text, arithmetic.
#include "kernel/domain/quantities.h"

#include <gtest/gtest.h>

#include "tests/kernel/domain/printers.h"

namespace sk {
namespace {

TEST(Duration, ParsesEveryUnit) {
  EXPECT_EQ(Duration::parse("45s")->seconds(), 45);
  EXPECT_EQ(Duration::parse("30m")->seconds(), 1800);
  EXPECT_EQ(Duration::parse("2h")->seconds(), 7200);
  EXPECT_EQ(Duration::parse("14d")->seconds(), 14 * 86400);
  EXPECT_EQ(Duration::parse("2w")->seconds(), 14 * 86400);
  EXPECT_EQ(Duration::parse("0s")->seconds(), 0);
  EXPECT_EQ(Duration::parse("365d")->days(), 365);
}

TEST(Duration, RejectsMalformedText) {
  for (const char* bad : {"", "14", "d", "-1d", "1.5h", "1 d", "1D", "1y", "1h30m", "+3s", " 3s", "3s ",
                          "99999999999999999999s", "1000001d"}) {
    const auto r = Duration::parse(bad);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error().code, "domain.duration") << bad;
    EXPECT_FALSE(r.error().message.empty());
  }
  EXPECT_NE(Duration::parse("14").error().message.find("no unit"), std::string::npos);
  EXPECT_NE(Duration::parse("1y").error().message.find("unknown unit 'y'"), std::string::npos);
  EXPECT_NE(Duration::parse("1h30m").error().message.find("one unit"), std::string::npos);
  // Untrusted bytes are escaped in messages.
  EXPECT_NE(Duration::parse("1\x01").error().message.find("\\x01"), std::string::npos);
}

TEST(Duration, CanonicalTextUsesLargestExactUnitWithoutWeeks) {
  EXPECT_EQ(Duration::parse("2w")->to_string(), "14d");
  EXPECT_EQ(Duration::parse("90m")->to_string(), "90m");
  EXPECT_EQ(Duration::parse("120m")->to_string(), "2h");
  EXPECT_EQ(Duration::parse("86400s")->to_string(), "1d");
  EXPECT_EQ(Duration::parse("61s")->to_string(), "61s");
  EXPECT_EQ(Duration().to_string(), "0s");
  EXPECT_EQ((-Duration::from_hours(1)).to_string(), "-1h");
  for (const char* text : {"45s", "30m", "2h", "14d", "90m", "0s"}) {
    EXPECT_EQ(Duration::parse(Duration::parse(text)->to_string()), Duration::parse(text)) << text;
  }
}

TEST(Duration, ArithmeticAndOrdering) {
  const Duration h = Duration::from_hours(1);
  const Duration m = Duration::from_minutes(30);
  EXPECT_EQ((h + m).seconds(), 5400);
  EXPECT_EQ((h - m).seconds(), 1800);
  EXPECT_EQ((m - h).seconds(), -1800);
  EXPECT_EQ((h * 3).seconds(), 10800);
  EXPECT_EQ((2 * m), h);
  EXPECT_LT(m, h);
  EXPECT_GT(Duration::from_days(1), Duration::from_hours(23));
  Duration acc;
  acc += h;
  acc -= m;
  EXPECT_EQ(acc, m);
  EXPECT_EQ(Duration::from_days(2).days(), 2);
  EXPECT_EQ(Duration::from_hours(47).days(), 1);
}

TEST(Percent, ParsesWholeAndDecimal) {
  EXPECT_DOUBLE_EQ(Percent::parse("15%")->value(), 15.0);
  EXPECT_DOUBLE_EQ(Percent::parse("15.5%")->value(), 15.5);
  EXPECT_EQ(Percent::parse("15.25%")->hundredths(), 1525);
  EXPECT_EQ(Percent::parse("0%")->hundredths(), 0);
  EXPECT_EQ(Percent::parse("100%")->hundredths(), 10000);
  EXPECT_EQ(Percent::parse("100.00%")->hundredths(), 10000);
  EXPECT_EQ(Percent::parse("15.50%"), Percent::parse("15.5%"));
}

TEST(Percent, RejectsOutOfRangeAndMalformed) {
  for (const char* bad :
       {"", "%", "15", "-1%", "100.01%", "101%", "15.%", "15.123%", ".5%", "1e1%", "15 %", "15%%", "abc%"}) {
    const auto r = Percent::parse(bad);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error().code, "domain.percent") << bad;
  }
  EXPECT_NE(Percent::parse("15").error().message.find("must end with '%'"), std::string::npos);
  EXPECT_NE(Percent::parse("101%").error().message.find("above 100%"), std::string::npos);
  EXPECT_EQ(Percent::from_hundredths(10001).error().code, "domain.percent");
  EXPECT_EQ(Percent::from_hundredths(-1).error().code, "domain.percent");
}

TEST(Percent, TextAndOrdering) {
  EXPECT_EQ(Percent::parse("15%")->to_string(), "15%");
  EXPECT_EQ(Percent::parse("15.50%")->to_string(), "15.5%");
  EXPECT_EQ(Percent::parse("15.05%")->to_string(), "15.05%");
  EXPECT_EQ(Percent::parse("0.01%")->to_string(), "0.01%");
  EXPECT_LT(*Percent::parse("15%"), *Percent::parse("15.01%"));
}

TEST(ByteSize, ParsesUnits) {
  EXPECT_EQ(ByteSize::parse("512MiB")->bytes(), 512ULL * 1024 * 1024);
  EXPECT_EQ(ByteSize::parse("10GB")->bytes(), 10'000'000'000ULL);
  EXPECT_EQ(ByteSize::parse("10 GB")->bytes(), 10'000'000'000ULL);
  EXPECT_EQ(ByteSize::parse("7B")->bytes(), 7ULL);
  EXPECT_EQ(ByteSize::parse("1TiB")->bytes(), 1ULL << 40);
  for (const char* bad : {"", "10", "GB", "10gb", "10XB", "-1B", "99999999999PiB", "10  GB"}) {
    const auto r = ByteSize::parse(bad);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error().code, "domain.byte_size") << bad;
  }
}

TEST(ByteSize, CanonicalTextPicksSmallestNumber) {
  EXPECT_EQ(ByteSize::parse("512MiB")->to_string(), "512MiB");
  EXPECT_EQ(ByteSize::parse("10GB")->to_string(), "10GB");
  EXPECT_EQ(ByteSize::parse("1024KiB")->to_string(), "1MiB");
  EXPECT_EQ(ByteSize::from_bytes(1234).to_string(), "1234B");
  EXPECT_EQ(ByteSize().to_string(), "0B");
}

}  // namespace
}  // namespace sk
