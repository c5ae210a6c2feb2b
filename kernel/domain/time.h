// Calendar and clock values: Weekday, TimeOfDay, civil (local) times, TimeZone (IANA, via cctz) and Instant
// (UTC seconds). All are immutable values, safe to share between threads. Parse errors carry codes
// "domain.weekday", "domain.time_of_day", "domain.time_zone", "domain.instant".
//
// Local → UTC conversion (TimeZone::from_local) follows one rule everywhere, chosen so that a daily schedule
// fires exactly once per local day, like cron:
//  * a local time inside a spring-forward gap (does not exist) maps to the first valid instant after the gap,
//    i.e. the transition instant: 02:30 in Europe/Berlin on 2025-03-30 (02:00→03:00) is 03:00 CEST = 01:00Z;
//  * a local time inside a fall-back overlap (exists twice) maps to its FIRST occurrence (the earlier
//  instant,
//    pre-transition offset): 02:30 on 2025-10-26 in Europe/Berlin is 02:30 CEST = 00:30Z.
// This is cctz::convert(); it preserves order: a < b implies from_local(a) <= from_local(b).
#pragma once

#include <cctz/civil_time.h>
#include <cctz/time_zone.h>

#include <compare>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "kernel/domain/quantities.h"

namespace sk {

// Civil (wall-clock, zone-less) times. Arithmetic: CivilDay + n adds days; CivilDay(cs) truncates.
using CivilSecond = cctz::civil_second;
using CivilMinute = cctz::civil_minute;
using CivilDay = cctz::civil_day;

enum class Weekday { kMonday = 0, kTuesday, kWednesday, kThursday, kFriday, kSaturday, kSunday };

// "mon".."sun" or "monday".."sunday", case-insensitive.
[[nodiscard]] Result<Weekday> parse_weekday(std::string_view text);
// "mon".."sun".
[[nodiscard]] std::string_view to_string(Weekday day);
[[nodiscard]] Weekday weekday_of(CivilDay day);
// "2026-12-06".
[[nodiscard]] std::string iso_date(CivilDay day);

// A wall-clock time of day with minute precision, 00:00..23:59.
class TimeOfDay {
 public:
  constexpr TimeOfDay() = default;  // 00:00
  // "H:MM" or "HH:MM": "1:00", "01:00", "23:59".
  [[nodiscard]] static Result<TimeOfDay> parse(std::string_view text);
  [[nodiscard]] static Result<TimeOfDay> from_hm(int hour, int minute);

  [[nodiscard]] constexpr int hour() const { return hour_; }
  [[nodiscard]] constexpr int minute() const { return minute_; }
  [[nodiscard]] constexpr int minutes_since_midnight() const { return hour_ * 60 + minute_; }
  // "01:00".
  [[nodiscard]] std::string to_string() const;
  // The civil second at this time on `day`.
  [[nodiscard]] CivilSecond on(CivilDay day) const {
    return CivilSecond(day.year(), day.month(), day.day(), hour_, minute_, 0);
  }

  friend constexpr bool operator==(TimeOfDay, TimeOfDay) = default;
  friend constexpr auto operator<=>(TimeOfDay, TimeOfDay) = default;

 private:
  constexpr TimeOfDay(int h, int m) : hour_(h), minute_(m) {}
  int hour_ = 0;
  int minute_ = 0;
};

class TimeZone;

// A point in time: whole seconds since 1970-01-01T00:00:00Z. Default: the epoch.
class Instant {
 public:
  constexpr Instant() = default;
  // Accepts "2025-09-14T01:00:00Z", "2025-09-14T01:00:00+02:00" (also -05:30), and local forms interpreted in
  // default_zone with the DST rule above: "2025-09-14T01:00:00", "2025-09-14T01:00", "2025-09-14 01:00",
  // "2025-09-14 01:00:00", "2025-09-14" (local midnight). Years 0001..9999.
  [[nodiscard]] static Result<Instant> parse(std::string_view text, const TimeZone& default_zone);
  [[nodiscard]] static constexpr Instant from_unix_seconds(std::int64_t s) { return Instant(s); }

  [[nodiscard]] constexpr std::int64_t unix_seconds() const { return seconds_; }
  // "2025-09-14T01:00:00Z".
  [[nodiscard]] std::string to_iso8601_utc() const;
  // "2025-09-14T03:00:00+02:00" (always a numeric offset, "+00:00" for UTC; historical local-mean-time offsets
  // with seconds print as "+00:53:28", which parse() accepts, so the text always round-trips).
  [[nodiscard]] std::string to_string(const TimeZone& zone) const;

  friend constexpr Instant operator+(Instant t, Duration d) { return Instant(t.seconds_ + d.seconds()); }
  friend constexpr Instant operator-(Instant t, Duration d) { return Instant(t.seconds_ - d.seconds()); }
  friend constexpr Duration operator-(Instant a, Instant b) {
    return Duration::from_seconds(a.seconds_ - b.seconds_);
  }
  constexpr Instant& operator+=(Duration d) {
    seconds_ += d.seconds();
    return *this;
  }
  friend constexpr bool operator==(Instant, Instant) = default;
  friend constexpr auto operator<=>(Instant, Instant) = default;

 private:
  constexpr explicit Instant(std::int64_t s) : seconds_(s) {}
  std::int64_t seconds_ = 0;
};

// How a local time maps onto the UTC time line in a zone.
enum class LocalTimeKind {
  kUnique,
  kSkipped /* in a spring-forward gap */,
  kRepeated /* in a fall-back overlap */
};

// An IANA time zone loaded from the system tz database (cctz), or a fixed offset from UTC. Cheap to copy;
// equality compares names.
class TimeZone {
 public:
  // "UTC", "Europe/Berlin", "Asia/Shanghai", or a fixed UTC offset "+08:00", "-06:00", "+5:30" (±H:MM or
  // ±HH:MM, from -12:00 to +14:00, the offsets in use on Earth and the range StarRocks accepts; named
  // "+08:00"). Fails ("domain.time_zone") for unknown names and for names that are not plain zone identifiers
  // (absolute paths, "..", characters outside [A-Za-z0-9_+-/]).
  [[nodiscard]] static Result<TimeZone> parse(std::string_view name);
  [[nodiscard]] static TimeZone utc();
  // A zone `offset_seconds` east of UTC at all times, named "+08:00" (seconds, when not zero, as "+05:45:30").
  // The caller keeps |offset| below one day.
  [[nodiscard]] static TimeZone fixed(int offset_seconds);

  [[nodiscard]] const std::string& name() const { return name_; }
  [[nodiscard]] CivilSecond to_local(Instant t) const;
  // The local date of t, "2026-12-06".
  [[nodiscard]] std::string local_date(Instant t) const { return iso_date(CivilDay(to_local(t))); }
  // See the DST rule at the top of this file.
  [[nodiscard]] Instant from_local(CivilSecond local) const;
  // The rule of schedules that fire several times a day (docs/language.md §7, sub-daily firings): a local time in a
  // spring-forward gap maps to the instant it names with the offset in force BEFORE the change, so it keeps its
  // distance in elapsed time from the times before it (Europe/Berlin 2025-03-30 02:30 → 03:30 CEST = 01:30Z, one
  // hour after 01:30 CET); every other local time maps as from_local (a repeated time: its first occurrence).
  [[nodiscard]] Instant from_local_elapsed(CivilSecond local) const;
  [[nodiscard]] LocalTimeKind classify(CivilSecond local) const;
  // Seconds east of UTC in effect at t (Europe/Berlin in summer: 7200).
  [[nodiscard]] int utc_offset_seconds(Instant t) const;
  [[nodiscard]] const cctz::time_zone& cctz_zone() const { return zone_; }

  friend bool operator==(const TimeZone& a, const TimeZone& b) { return a.name_ == b.name_; }

 private:
  TimeZone(std::string name, cctz::time_zone zone) : name_(std::move(name)), zone_(zone) {}
  std::string name_;
  cctz::time_zone zone_;
};

}  // namespace sk

template <>
struct std::hash<sk::Instant> {
  size_t operator()(sk::Instant t) const noexcept { return std::hash<std::int64_t>{}(t.unix_seconds()); }
};
