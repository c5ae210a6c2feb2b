// When a tier or drill fires: a day rule (daily, weekly, nth weekday of month, days of month) plus a time of
// day, optionally restricted to some months, evaluated in the policy's time zone. At most one firing per
// local day; the firing instant is TimeZone::from_local(day at time) (see the DST rule in time.h: a time in a
// spring-forward gap fires at the end of the gap, a repeated time fires at its first occurrence — so exactly
// once per firing day). Firing instants strictly increase from slot to slot; in the rare case where a skipped
// slot fires at the same instant as the next day's slot (Pacific/Apia skipped all of 2011-12-30), the two
// merge into the later one. Immutable value; all queries are const and thread-safe. Construction scans one
// 400-year Gregorian cycle (the calendar repeats every 146097 days, a multiple of 7) to precompute
// never_fires() and the intervals; queries are allocation-free except firings_between(), slots_between() and
// to_string(). Errors: "domain.schedule" with a message naming the bad argument and what is allowed.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/result.h"
#include "kernel/domain/quantities.h"
#include "kernel/domain/time.h"

namespace sk {

// The n-th given weekday of a month: n = 1..5, or -1 for the last one in the month.
struct NthWeekday {
  int n = 1;
  Weekday day = Weekday::kSunday;
  friend bool operator==(const NthWeekday&, const NthWeekday&) = default;
  friend auto operator<=>(const NthWeekday&, const NthWeekday&) = default;
};

class Schedule {
 public:
  enum class Kind { kDaily, kWeekly, kNthWeekdayOfMonth, kDaysOfMonth };
  static constexpr int kLastDay = -1;  // in days_of_month(): the last day of each month
  static constexpr int kLast = -1;     // NthWeekday::n for "last"

  // Every day. ("daily at 01:00")
  [[nodiscard]] static Schedule daily(TimeOfDay at);
  // Non-empty set of weekdays ("mon..sat at 01:00"). All seven days normalise to daily().
  [[nodiscard]] static Result<Schedule> weekly(const std::set<Weekday>& days, TimeOfDay at);
  // Non-empty; each n in 1..5 or -1; duplicates are merged. ("first sun of month at 01:00")
  [[nodiscard]] static Result<Schedule> nth_weekday_of_month(const std::vector<NthWeekday>& days,
                                                             TimeOfDay at);
  // Non-empty; each day in 1..31 or -1 (= last day of the month). A day that a month lacks (31 in April)
  // simply does not fire in that month (no clamping). ("day 1,15 of month at 02:00")
  [[nodiscard]] static Result<Schedule> days_of_month(const std::set<int>& days, TimeOfDay at);

  // The same schedule restricted to the given months (1..12, non-empty); replaces any earlier filter.
  // ("… in jan,apr,jul,oct")
  [[nodiscard]] Result<Schedule> with_months(const std::set<int>& months) const;
  // Months for "every n months" starting at anchor_month: n must divide 12 (1,2,3,4,6,12), anchor 1..12.
  // every_n_months(3, 1) = {1,4,7,10}; every_n_months(6, 1) = {1,7}; every_n_months(12, 3) = {3}.
  [[nodiscard]] static Result<std::set<int>> every_n_months(int n, int anchor_month = 1);

  // ---- accessors (normalised, sorted) ----
  [[nodiscard]] Kind kind() const { return kind_; }
  [[nodiscard]] TimeOfDay at() const { return at_; }
  // kWeekly (all seven for kDaily).
  [[nodiscard]] std::set<Weekday> weekdays() const;
  // kNthWeekdayOfMonth, sorted by n (first..fifth, then last), then weekday.
  [[nodiscard]] std::vector<NthWeekday> nth_weekdays() const;
  // kDaysOfMonth; -1 for the last day.
  [[nodiscard]] std::set<int> days() const;
  // 1..12; all twelve when unfiltered.
  [[nodiscard]] std::set<int> months() const;
  [[nodiscard]] bool has_month_filter() const { return month_mask_ != kAllMonths; }

  // ---- queries ----
  // Whether it fires on this local calendar day. O(1).
  [[nodiscard]] bool fires_on(CivilDay local_day) const;
  // One firing: the nominal local date and time of the slot (what labels and reports use: 2025-03-30 02:30
  // even though that slot fires at 03:00 CEST) and the instant it fires.
  struct Slot {
    CivilSecond local;
    Instant at;
    [[nodiscard]] CivilDay day() const { return CivilDay(local); }
    friend bool operator==(const Slot& a, const Slot& b) { return a.local == b.local && a.at == b.at; }
  };
  // Slot-returning forms of next_after / latest_at_or_before / firings_between (same rules).
  [[nodiscard]] std::optional<Slot> next_slot_after(Instant t, const TimeZone& zone) const;
  [[nodiscard]] std::optional<Slot> latest_slot_at_or_before(Instant t, const TimeZone& zone) const;
  [[nodiscard]] std::vector<Slot> slots_between(Instant from_inclusive, Instant to_exclusive,
                                                const TimeZone& zone) const;

  // The first firing strictly after t; nullopt if none within 400 years (i.e. never_fires()).
  [[nodiscard]] std::optional<Instant> next_after(Instant t, const TimeZone& zone) const;
  // The latest firing at or before t: the slot a run at t belongs to. nullopt if none within 400 years.
  [[nodiscard]] std::optional<Instant> latest_at_or_before(Instant t, const TimeZone& zone) const;
  // All firings in [from, to), strictly ascending.
  [[nodiscard]] std::vector<Instant> firings_between(Instant from_inclusive, Instant to_exclusive,
                                                     const TimeZone& zone) const;
  // The first local day >= day on which it fires; nullopt if never_fires().
  [[nodiscard]] std::optional<CivilDay> next_day_on_or_after(CivilDay day) const;
  // The last local day <= day on which it fires; nullopt if never_fires().
  [[nodiscard]] std::optional<CivilDay> prev_day_on_or_before(CivilDay day) const;
  // True if it fires on no day of the Gregorian calendar (e.g. day 30 in February only).
  [[nodiscard]] bool never_fires() const { return never_fires_; }

  // Smallest / largest gap between consecutive firings, computed on CIVIL time (whole local days × 86400 s,
  // as if the zone had no DST) over a full 400-year cycle. Real UTC gaps differ by the zone's DST shifts
  // (usually ±1h); use the zoned overloads for those. Zero when never_fires().
  [[nodiscard]] Duration min_interval() const { return Duration::from_days(min_gap_days_); }
  [[nodiscard]] Duration max_interval() const { return Duration::from_days(max_gap_days_); }
  // The same measured on real instants of firings in [from, to) in `zone` (gaps between consecutive firings
  // in that window; zero if fewer than two firings).
  [[nodiscard]] Duration min_interval(const TimeZone& zone, Instant from, Instant to) const;
  [[nodiscard]] Duration max_interval(const TimeZone& zone, Instant from, Instant to) const;

  // Canonical text: "daily at 01:00", "mon..sat at 01:00", "mon,wed,fri at 01:00", "first sun of month at
  // 01:00", "first sun,last fri of month at 01:00", "day 1,15 of month at 02:00", "last day of month at
  // 02:00", "day 1,last of month at 02:00", each optionally followed by " in jan,apr,jul,oct".
  [[nodiscard]] std::string to_string() const;

  friend bool operator==(const Schedule& a, const Schedule& b) {
    return a.kind_ == b.kind_ && a.at_ == b.at_ && a.weekday_mask_ == b.weekday_mask_ &&
           a.nth_mask_ == b.nth_mask_ && a.day_mask_ == b.day_mask_ && a.month_mask_ == b.month_mask_;
  }

 private:
  static constexpr std::uint16_t kAllMonths = 0x1FFE;  // bits 1..12

  Schedule(Kind kind, TimeOfDay at) : kind_(kind), at_(at) {}
  void precompute();
  // The day rule alone (no month filter) for day-of-month dom of a month with days_in_month days.
  [[nodiscard]] bool fires_on_day(int dom, Weekday weekday, int days_in_month) const;

  Kind kind_;
  TimeOfDay at_;
  std::uint8_t weekday_mask_ = 0;          // bit w (Weekday value) — kWeekly / kDaily
  std::uint64_t nth_mask_ = 0;             // bit (w*6 + slot), slot 0..4 = n 1..5, slot 5 = last
  std::uint64_t day_mask_ = 0;             // bit d for day 1..31, bit 0 = last day
  std::uint16_t month_mask_ = kAllMonths;  // bit m for month 1..12
  // Derived by precompute(): firing days (bit d = day d) of a month with 28 + i / 7 days whose 1st is weekday
  // i % 7.
  std::array<std::uint32_t, 28> day_masks_{};
  bool never_fires_ = false;
  std::int64_t min_gap_days_ = 0;
  std::int64_t max_gap_days_ = 0;
};

}  // namespace sk
