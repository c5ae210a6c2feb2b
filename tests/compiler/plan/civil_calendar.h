// An independent civil calendar for tests (no Schedule, no cctz): day numbers, Sundays, month lengths and the
// Europe/Berlin summer-time rule, to check the planner against.
#pragma once

#include <cstdint>

namespace sk::testing {

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm), and the weekday from it.
inline int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}
inline bool is_sunday(int y, int m, int d) { return (days_from_civil(y, m, d) + 4) % 7 == 0; }  // 1970-01-01 was a Thursday
inline int days_in_month(int y, int m) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}
// EU rule: summer time from the last Sunday of March to the last Sunday of October, switching at 01:00 UTC
// (02:00 CET → 03:00 CEST; 03:00 CEST → 02:00 CET). At 01:00 local the switch day is still on the old offset.
inline bool berlin_summer_at_one_am(int y, int m, int d) {
  auto last_sunday = [&](int month) {
    int day = days_in_month(y, month);
    while (!is_sunday(y, month, day)) --day;
    return day;
  };
  if (m < 3 || m > 10) return false;
  if (m > 3 && m < 10) return true;
  if (m == 3) return d > last_sunday(3);
  return d <= last_sunday(10);
}

}  // namespace sk::testing
