// When a tier or drill fires: a day rule (daily, weekly — optionally every n weeks from an anchor date —, nth
// weekday or first/last working day of month, days of month) plus a time of day, optionally restricted to some
// months and with blackouts (days or hours whose slots are skipped), evaluated in the policy's time zone. At most
// one firing per local day; the firing instant is TimeZone::from_local(day at time) (see the DST rule in time.h: a
// time in a spring-forward gap fires at the end of the gap, a repeated time fires at its first occurrence — so
// exactly once per firing day). Firing instants strictly increase from slot to slot; in the rare case where a
// skipped slot fires at the same instant as the next day's slot (Pacific/Apia skipped all of 2011-12-30), the two
// merge into the later one. Immutable value; all queries are const and thread-safe. Construction scans one
// 400-year Gregorian cycle (the calendar repeats every 146097 days, a multiple of 7; with an n-week interval, the
// cycles until the weeks line up again) to precompute never_fires() and the intervals; queries are
// allocation-free except firings_between(), slots_between() and to_string(). Errors: "domain.schedule" with a
// message naming the bad argument and what is allowed.
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

// The n-th given weekday of a month: n = 1..5, or -1 for the last one in the month. With `workday`, the first
// (n = 1) or last (n = -1) working day Mon–Fri of the month instead ("last weekday of month"); `day` is then
// ignored (kept kMonday).
struct NthWeekday {
  int n = 1;
  Weekday day = Weekday::kSunday;
  bool workday = false;
  friend bool operator==(const NthWeekday&, const NthWeekday&) = default;
  friend auto operator<=>(const NthWeekday&, const NthWeekday&) = default;
};

// A blackout: local days or hours in which a slot does not fire (it is skipped, not moved). Evaluated on the
// slot's nominal local date and time (what the schedule says, as for labels), so DST never moves a slot in or
// out of a blackout.
//  * kHours: `between FROM and TO [on <weekdays>]` — times in [FROM, TO) on the given weekdays (all seven when
//    none are given). TO <= FROM runs past midnight: the part after midnight belongs to the day the window opens
//    on (`between 22:00 and 06:00 on fri` covers Friday 22:00 to Saturday 06:00).
//  * kDates: `on MM-DD[..MM-DD]` — every year, the inclusive range of month-days (may wrap: 12-30..01-02).
struct Blackout {
  enum class Kind { kHours, kDates } kind = Kind::kDates;
  TimeOfDay from, to;                 // kHours
  std::uint8_t weekday_mask = 0x7F;   // kHours: bit w for Weekday w
  int from_month = 1, from_day = 1;   // kDates
  int to_month = 1, to_day = 1;       // kDates
  // Whether a slot at nominal `at` on local `day` falls in it.
  [[nodiscard]] bool covers(CivilDay day, TimeOfDay at) const;
  // "between 08:00 and 20:00 on mon..fri", "on 12-24..12-26".
  [[nodiscard]] std::string to_string() const;
  friend bool operator==(const Blackout&, const Blackout&) = default;
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

  // Every `weeks` weeks (2..52) on the given weekdays, in the weeks (Monday to Sunday) whose distance from the
  // week of `anchor` is a multiple of `weeks`; the anchor must be one of the weekdays (so it is a firing day),
  // and the schedule extends before it as well as after. ("every 2 weeks on sun at 01:00 from 2026-01-04")
  [[nodiscard]] static Result<Schedule> every_n_weeks(const std::set<Weekday>& days, int weeks, CivilDay anchor,
                                                      TimeOfDay at);

  // The same schedule restricted to the given months (1..12, non-empty); replaces any earlier filter.
  // ("… in jan,apr,jul,oct")
  [[nodiscard]] Result<Schedule> with_months(const std::set<int>& months) const;
  // The same schedule with these blackouts added to its own (at most 32 in all); a slot in any of them is
  // skipped.
  [[nodiscard]] Result<Schedule> with_blackouts(const std::vector<Blackout>& blackouts) const;
  // The same schedule without blackouts.
  [[nodiscard]] Schedule without_blackouts() const;
  // The same day rule firing every `hours` hours (1, 2, 3, 4, 6, 8 or 12: a divisor of 24, so every firing day has
  // the same times) from at() on, which must lie in the day's first `hours` hours: at() + k × hours for k = 0 ..
  // 24/hours - 1. ("every 4 hours from 00:30" = 00:30, 04:30, …, 20:30; "every hour at :05 on mon..fri"). Each
  // nominal local time is one slot; an hour blackout skips the slots in it (a date blackout the whole day). DST
  // (docs/language.md §7): a time in a spring-forward gap fires as TimeZone::from_local_elapsed says (02:30 → 03:30
  // CEST, `hours` elapsed hours after the slot before it); when that is the instant of a later slot (hourly: 02:05
  // → 03:05) the two are one firing under the later slot; a repeated time fires once, at its first occurrence.
  [[nodiscard]] Result<Schedule> with_hours(int hours) const;
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
  // 1 for plain weekly schedules; n for every_n_weeks (then anchor() is the stated date).
  [[nodiscard]] int interval_weeks() const { return interval_weeks_; }
  [[nodiscard]] CivilDay anchor() const { return anchor_; }
  [[nodiscard]] const std::vector<Blackout>& blackouts() const { return blackouts_; }
  // 0 for a schedule that fires once a day; else the hours between its slots of a day (with_hours).
  [[nodiscard]] int interval_hours() const { return interval_hours_; }
  [[nodiscard]] bool sub_daily() const { return interval_hours_ > 0; }
  // The nominal times of day of the slots, ascending, blackouts aside ({at()} for a once-a-day schedule).
  [[nodiscard]] std::vector<TimeOfDay> times() const;
  // True when which days fire depends on more than each month's length and the weekday of its 1st (a week
  // interval or date blackouts): callers that evaluate one day per month shape must evaluate every day.
  [[nodiscard]] bool month_shape_determined() const { return interval_weeks_ == 1 && blackouts_.empty(); }

  // ---- queries ----
  // Whether it fires on this local calendar day. O(number of blackouts).
  [[nodiscard]] bool fires_on(CivilDay local_day) const;
  // The blackout that skips the slot of this day: the day rule fires on `local_day` but a blackout covers the
  // slot. nullptr otherwise.
  [[nodiscard]] const Blackout* skipped_by(CivilDay local_day) const;
  // The same for the slot at nominal `at` on `local_day` (a sub-daily schedule's slot; `at` one of times()).
  [[nodiscard]] const Blackout* skipped_by(CivilDay local_day, TimeOfDay at) const;
  // One firing: the nominal local date and time of the slot (what labels and reports use: 2025-03-30 02:30
  // even though that slot fires at 03:00 CEST) and the instant it fires.
  struct Slot {
    CivilSecond local;
    Instant at;
    [[nodiscard]] CivilDay day() const { return CivilDay(local); }
    [[nodiscard]] TimeOfDay time() const { return *TimeOfDay::from_hm(local.hour(), local.minute()); }
    friend bool operator==(const Slot& a, const Slot& b) { return a.local == b.local && a.at == b.at; }
  };
  // Slot-returning forms of next_after / latest_at_or_before / firings_between (same rules).
  [[nodiscard]] std::optional<Slot> next_slot_after(Instant t, const TimeZone& zone) const;
  [[nodiscard]] std::optional<Slot> latest_slot_at_or_before(Instant t, const TimeZone& zone) const;
  [[nodiscard]] std::vector<Slot> slots_between(Instant from_inclusive, Instant to_exclusive,
                                                const TimeZone& zone) const;
  // The slots whose nominal local date is `local_day`, in nominal order (one for a once-a-day schedule that fires
  // that day; none when it does not). A sub-daily slot that a later one absorbs (see with_hours) is left out.
  [[nodiscard]] std::vector<Slot> slots_on(CivilDay local_day, const TimeZone& zone) const;

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

  // Smallest / largest gap between consecutive firings, computed on CIVIL time (whole local days × 86400 s, and
  // for a sub-daily schedule its slots' local times, as if the zone had no DST) over a full 400-year cycle. Real UTC gaps differ by the zone's DST shifts
  // (usually ±1h); use the zoned overloads for those. Zero when never_fires().
  [[nodiscard]] Duration min_interval() const {
    return sub_daily() ? Duration::from_minutes(min_gap_minutes_) : Duration::from_days(min_gap_days_);
  }
  [[nodiscard]] Duration max_interval() const {
    return sub_daily() ? Duration::from_minutes(max_gap_minutes_) : Duration::from_days(max_gap_days_);
  }
  // The same measured on real instants of firings in [from, to) in `zone` (gaps between consecutive firings
  // in that window; zero if fewer than two firings).
  [[nodiscard]] Duration min_interval(const TimeZone& zone, Instant from, Instant to) const;
  [[nodiscard]] Duration max_interval(const TimeZone& zone, Instant from, Instant to) const;

  // Canonical text: "daily at 01:00", "every 2 weeks on sun at 01:00 from 2026-01-04", "last weekday of month at
  // 22:00", "mon..sat at 01:00", "mon,wed,fri at 01:00", "first sun of month at
  // 01:00", "first sun,last fri of month at 01:00", "day 1,15 of month at 02:00", "last day of month at
  // 02:00", "day 1,last of month at 02:00", each optionally followed by " in jan,apr,jul,oct" and by the
  // blackouts (", not on 12-24..12-26").
  [[nodiscard]] std::string to_string() const;

  friend bool operator==(const Schedule& a, const Schedule& b) {
    return a.kind_ == b.kind_ && a.at_ == b.at_ && a.weekday_mask_ == b.weekday_mask_ &&
           a.nth_mask_ == b.nth_mask_ && a.day_mask_ == b.day_mask_ && a.month_mask_ == b.month_mask_ &&
           a.interval_weeks_ == b.interval_weeks_ && a.anchor_ == b.anchor_ && a.blackouts_ == b.blackouts_ &&
           a.interval_hours_ == b.interval_hours_;
  }

 private:
  static constexpr std::uint16_t kAllMonths = 0x1FFE;  // bits 1..12

  Schedule(Kind kind, TimeOfDay at) : kind_(kind), at_(at) {}
  void precompute();
  // The day rule alone (no month filter) for day-of-month dom of a month with days_in_month days.
  [[nodiscard]] bool fires_on_day(int dom, Weekday weekday, int days_in_month) const;
  // The week interval and the blackouts (the parts day_masks_ does not hold).
  [[nodiscard]] bool extra_ok(CivilDay day) const;
  [[nodiscard]] std::optional<CivilDay> base_next_on_or_after(CivilDay day) const;
  [[nodiscard]] std::optional<CivilDay> base_prev_on_or_before(CivilDay day) const;
  void precompute_gaps_by_walking();
  void precompute_sub_daily_gaps();
  // "mon..sat", "first sun of month", … (to_string without the time and the rest).
  [[nodiscard]] std::string day_rule_text() const;
  // The slots of `day` before absorption (sub-daily: every time not in an hour blackout).
  void raw_slots_on(CivilDay day, const TimeZone& zone, std::vector<Slot>& out) const;
  // Sub-daily: calls f(slot) for the slots from the firing days on or after `day`, ascending, absorbed ones left
  // out, until f returns false.
  template <typename F>
  void for_each_sub_daily_slot(CivilDay day, const TimeZone& zone, F f) const;

  Kind kind_;
  TimeOfDay at_;
  std::uint8_t weekday_mask_ = 0;          // bit w (Weekday value) — kWeekly / kDaily
  std::uint64_t nth_mask_ = 0;             // bit (w*6 + slot), slot 0..4 = n 1..5, slot 5 = last; 42/43 = first/last workday
  std::uint64_t day_mask_ = 0;             // bit d for day 1..31, bit 0 = last day
  std::uint16_t month_mask_ = kAllMonths;  // bit m for month 1..12
  int interval_weeks_ = 1;
  CivilDay anchor_{1970, 1, 5};             // a Monday; with interval_weeks_ > 1, the stated date
  CivilDay anchor_monday_{1970, 1, 5};      // the Monday of anchor_'s week
  std::vector<Blackout> blackouts_;
  // Derived by precompute(): firing days (bit d = day d) of a month with 28 + i / 7 days whose 1st is weekday
  // i % 7.
  std::array<std::uint32_t, 28> day_masks_{};
  bool never_fires_ = false;
  std::int64_t min_gap_days_ = 0;
  std::int64_t max_gap_days_ = 0;
  int interval_hours_ = 0;                 // with_hours(); 0 = once a day
  std::int64_t min_gap_minutes_ = 0;       // sub-daily: civil gaps between slots, in minutes
  std::int64_t max_gap_minutes_ = 0;
};

}  // namespace sk
