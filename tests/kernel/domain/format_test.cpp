// fmt support for the domain values (kernel/domain/format.h).
#include "kernel/domain/format.h"

#include <gtest/gtest.h>

namespace sk {
namespace {

TEST(Format, PrintsCanonicalText) {
  EXPECT_EQ(fmt::format("{}", *TableName::parse("orders")), "orders");
  EXPECT_EQ(fmt::format("[{:>8}]", *TierName::parse("daily")), "[   daily]");
  EXPECT_EQ(fmt::format("{}", *SnapshotLabel::parse("sales_20250914_inc")), "sales_20250914_inc");
  EXPECT_EQ(fmt::format("{}", Duration::from_hours(2)), "2h");
  EXPECT_EQ(fmt::format("{}", *Percent::parse("15.5%")), "15.5%");
  EXPECT_EQ(fmt::format("{}", ByteSize::from_bytes(1024)), "1KiB");
  EXPECT_EQ(fmt::format("{}", *TimeOfDay::parse("01:00")), "01:00");
  EXPECT_EQ(fmt::format("{}", Instant::from_unix_seconds(1757811600)), "2025-09-14T01:00:00Z");
  EXPECT_EQ(fmt::format("{}", Weekday::kSunday), "sun");
  EXPECT_EQ(fmt::format("{}", Schedule::daily(*TimeOfDay::parse("01:00"))), "daily at 01:00");
}

}  // namespace
}  // namespace sk
