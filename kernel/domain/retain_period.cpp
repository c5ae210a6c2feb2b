#include "kernel/domain/retain_period.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <limits>
#include <utility>

#include "kernel/domain/escape.h"

namespace sk {
namespace {

constexpr std::string_view kRetainSpellings =
    "a duration such as 14d, or calendar months or years such as 18 months, 1 year, 7 years";

using detail::printable;

// One 400-year Gregorian cycle in months: the calendar repeats after it, so extremes over it are extremes over
// all dates.
constexpr std::int64_t kCycleMonths = std::int64_t{400} * 12;

// The fewest and most days from a day to add_months(day, months), over every start day. A start on day 2..28
// spans what a start on the 1st of its month does (no end-of-month clamping), so only the 1st and the 29th
// onwards of each month of one cycle need trying.
std::pair<std::int64_t, std::int64_t> span_days(std::int64_t months) {
  std::int64_t lo = std::numeric_limits<std::int64_t>::max(), hi = 0;
  const cctz::civil_month first(2000, 1);
  for (std::int64_t m = 0; m < kCycleMonths; ++m) {
    const CivilDay day1(first + m);
    const CivilDay last = CivilDay(first + m + 1) - 1;
    for (CivilDay d = day1; d <= last; d = d.day() == 1 ? std::max(day1 + 28, d + 1) : d + 1) {
      const std::int64_t n = add_months(d, months) - d;
      lo = std::min(lo, n);
      hi = std::max(hi, n);
    }
  }
  return {lo, hi};
}

}  // namespace

CivilDay add_months(CivilDay day, std::int64_t months) {
  const cctz::civil_month target = cctz::civil_month(day) + months;
  const CivilDay first(target);
  const CivilDay last = CivilDay(target + 1) - 1;
  return std::min(first + (day.day() - 1), last);
}

Result<RetainPeriod> RetainPeriod::months(std::int64_t n) {
  if (n < 1 || n > kMaxMonths)
    return fail("domain.duration", "{} months is out of range; expected 1 to {} months ({} years)", n, kMaxMonths,
                kMaxMonths / 12);
  return RetainPeriod(Duration(), n);
}

Result<RetainPeriod> RetainPeriod::parse(std::string_view text) {
  const size_t space = text.find(' ');
  if (space == std::string_view::npos) {
    auto d = Duration::parse(text);
    if (!d) return std::unexpected(d.error());
    // Zero is the retention of a tier that keeps by count alone (`keep = last 7`); plans carry it as "0s".
    return RetainPeriod(*d);
  }
  const std::string_view number = text.substr(0, space), unit = text.substr(space + 1);
  std::int64_t n = 0;
  auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), n);
  if (ec != std::errc() || end != number.data() + number.size() || number.empty() || number.front() == '-')
    return fail("domain.duration", "invalid retention '{}'; expected {}", printable(text), kRetainSpellings);
  std::int64_t factor = 0;
  if (unit == "month" || unit == "months") factor = 1;
  if (unit == "year" || unit == "years") factor = 12;
  if (factor == 0)
    return fail("domain.duration", "invalid retention '{}'; expected {}", printable(text), kRetainSpellings);
  if (n > kMaxMonths / factor)
    return fail("domain.duration", "retention '{}' is too large (at most {} years)", printable(text), kMaxMonths / 12);
  return months(n * factor);
}

Instant RetainPeriod::after(Instant taken, const TimeZone& zone) const {
  if (!calendar()) return taken + fixed_;
  const CivilSecond local = zone.to_local(taken);
  const CivilDay day = add_months(CivilDay(local), months_);
  return zone.from_local(CivilSecond(day.year(), day.month(), day.day(), local.hour(), local.minute(),
                                     local.second()));
}

Instant RetainPeriod::before(Instant at, const TimeZone& zone) const {
  if (!calendar()) return at - fixed_;
  const CivilSecond local = zone.to_local(at);
  const CivilDay day = add_months(CivilDay(local), -months_);
  return zone.from_local(CivilSecond(day.year(), day.month(), day.day(), local.hour(), local.minute(),
                                     local.second()));
}

std::int64_t RetainPeriod::shortest_days() const {
  if (!calendar()) return fixed_.days();
  return span_days(months_).first;
}

std::int64_t RetainPeriod::longest_days() const {
  if (!calendar()) return (fixed_.seconds() + 86399) / 86400;
  return span_days(months_).second;
}

std::string RetainPeriod::to_string() const {
  if (!calendar()) return fixed_.to_string();
  if (months_ % 12 == 0) return months_ == 12 ? "1 year" : fmt::format("{} years", months_ / 12);
  return months_ == 1 ? "1 month" : fmt::format("{} months", months_);
}

}  // namespace sk
