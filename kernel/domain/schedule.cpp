#include "kernel/domain/schedule.h"

#include <algorithm>
#include <array>
#include <bit>
#include <numeric>
#include <string>

#include <fmt/format.h>

namespace sk {
namespace {

// The Gregorian calendar repeats every 400 years = 146097 days (= 20871 weeks).
constexpr std::int64_t kCycleDays = 146097;
constexpr int kLastSlot = 5;  // NthWeekday slot for n = -1
constexpr int kFirstWorkdayBit = 42;  // nth_mask_ bit: the first Mon–Fri day of the month
constexpr int kLastWorkdayBit = 43;   // nth_mask_ bit: the last Mon–Fri day of the month
constexpr std::int64_t kCycleWeeks = 20871;  // weeks in one 400-year cycle (odd)

std::int64_t floor_mod(std::int64_t a, std::int64_t m) { return ((a % m) + m) % m; }
std::int64_t floor_div(std::int64_t a, std::int64_t m) { return (a - floor_mod(a, m)) / m; }

constexpr std::array<std::string_view, 13> kMonthNames{"",    "jan", "feb", "mar", "apr", "may", "jun",
                                                       "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr std::array<std::string_view, 6> kOrdinals{"first", "second", "third", "fourth", "fifth", "last"};

bool is_leap(std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(std::int64_t year, int month) {
  static constexpr std::array<int, 13> kDays{0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap(year) ? 29 : kDays[static_cast<size_t>(month)];
}

int nth_slot(int n) { return n == -1 ? kLastSlot : n - 1; }

// Joins sorted small integers (or names) with ',' and collapses runs of three or more into "a..b".
template <typename Name>
std::string join_runs(const std::vector<int>& values, Name name) {
  std::string out;
  for (size_t i = 0; i < values.size();) {
    size_t j = i;
    while (j + 1 < values.size() && values[j + 1] == values[j] + 1) ++j;
    if (!out.empty()) out += ',';
    if (j - i >= 2) {
      out += name(values[i]);
      out += "..";
      out += name(values[j]);
      i = j + 1;
    } else {
      out += name(values[i]);
      ++i;
    }
  }
  return out;
}

}  // namespace

// ---------------------------------------------------------------- factories

Schedule Schedule::daily(TimeOfDay at) {
  Schedule s(Kind::kDaily, at);
  s.weekday_mask_ = 0x7F;
  s.precompute();
  return s;
}

Result<Schedule> Schedule::weekly(const std::set<Weekday>& days, TimeOfDay at) {
  if (days.empty()) {
    return fail("domain.schedule", "a weekly schedule needs at least one weekday (mon..sun)");
  }
  std::uint8_t mask = 0;
  for (Weekday d : days) {
    const int i = static_cast<int>(d);
    if (i < 0 || i > 6)
      return fail("domain.schedule", "weekday value {} is out of range; expected mon..sun", i);
    mask = static_cast<std::uint8_t>(mask | (1u << i));
  }
  if (mask == 0x7F) {
    return daily(at);
  }
  Schedule s(Kind::kWeekly, at);
  s.weekday_mask_ = mask;
  s.precompute();
  return s;
}

Result<Schedule> Schedule::nth_weekday_of_month(const std::vector<NthWeekday>& days, TimeOfDay at) {
  if (days.empty()) {
    return fail("domain.schedule",
                "an nth-weekday-of-month schedule needs at least one entry such as 'first sun'");
  }
  std::uint64_t mask = 0;
  for (const NthWeekday& d : days) {
    if (d.workday) {
      if (d.n != 1 && d.n != -1) {
        return fail("domain.schedule", "only the first or the last weekday (Mon–Fri) of a month can be chosen, not {}",
                    d.n);
      }
      mask |= std::uint64_t{1} << (d.n == 1 ? kFirstWorkdayBit : kLastWorkdayBit);
      continue;
    }
    if (d.n != -1 && (d.n < 1 || d.n > 5)) {
      return fail(
          "domain.schedule",
          "'{}' is not a valid occurrence of a weekday in a month; expected first..fifth (1..5) or last (-1)",
          d.n);
    }
    const int w = static_cast<int>(d.day);
    if (w < 0 || w > 6)
      return fail("domain.schedule", "weekday value {} is out of range; expected mon..sun", w);
    mask |= std::uint64_t{1} << (w * 6 + nth_slot(d.n));
  }
  Schedule s(Kind::kNthWeekdayOfMonth, at);
  s.nth_mask_ = mask;
  s.precompute();
  return s;
}

Result<Schedule> Schedule::days_of_month(const std::set<int>& days, TimeOfDay at) {
  if (days.empty()) {
    return fail("domain.schedule", "a day-of-month schedule needs at least one day (1..31 or last)");
  }
  std::uint64_t mask = 0;
  for (int d : days) {
    if (d == kLastDay) {
      mask |= 1;
    } else if (d >= 1 && d <= 31) {
      mask |= std::uint64_t{1} << d;
    } else {
      return fail("domain.schedule", "day {} of month does not exist; expected 1..31 or last", d);
    }
  }
  Schedule s(Kind::kDaysOfMonth, at);
  s.day_mask_ = mask;
  s.precompute();
  return s;
}

Result<Schedule> Schedule::every_n_weeks(const std::set<Weekday>& days, int weeks, CivilDay anchor, TimeOfDay at) {
  if (weeks < 2 || weeks > 52) {
    return fail("domain.schedule", "every {} weeks is out of range; expected 2 to 52 weeks", weeks);
  }
  if (days.count(weekday_of(anchor)) == 0) {
    return fail("domain.schedule", "the anchor {} is a {}, not a day the schedule fires on", iso_date(anchor),
                sk::to_string(weekday_of(anchor)));
  }
  auto base = weekly(days, at);
  if (!base) return base;
  Schedule s = *base;
  s.kind_ = Kind::kWeekly;
  s.interval_weeks_ = weeks;
  s.anchor_ = anchor;
  s.anchor_monday_ = anchor - static_cast<int>(weekday_of(anchor));
  s.precompute();
  return s;
}

Result<Schedule> Schedule::with_blackouts(const std::vector<Blackout>& blackouts) const {
  if (blackouts_.size() + blackouts.size() > 32) {
    return fail("domain.schedule", "at most 32 blackouts apply to one schedule");
  }
  for (const Blackout& b : blackouts) {
    if (b.kind == Blackout::Kind::kHours) {
      if (b.from == b.to) {
        return fail("domain.schedule", "the blackout between {} and {} is empty; give two different times",
                    b.from.to_string(), b.to.to_string());
      }
      if ((b.weekday_mask & 0x7F) == 0) return fail("domain.schedule", "a blackout needs at least one weekday");
      continue;
    }
    for (auto [m, d] : {std::pair{b.from_month, b.from_day}, std::pair{b.to_month, b.to_day}}) {
      if (m < 1 || m > 12 || d < 1 || d > days_in_month(2000, m)) {
        return fail("domain.schedule", "{:02}-{:02} is not a day of the year; write MM-DD, e.g. 12-24", m, d);
      }
    }
  }
  Schedule s = *this;
  for (const Blackout& b : blackouts) {
    if (std::find(s.blackouts_.begin(), s.blackouts_.end(), b) == s.blackouts_.end()) s.blackouts_.push_back(b);
  }
  s.precompute();
  return s;
}

Schedule Schedule::without_blackouts() const {
  Schedule s = *this;
  s.blackouts_.clear();
  s.precompute();
  return s;
}

Result<Schedule> Schedule::with_months(const std::set<int>& months) const {
  if (months.empty()) {
    return fail("domain.schedule", "a month filter needs at least one month (1..12, jan..dec)");
  }
  std::uint16_t mask = 0;
  for (int m : months) {
    if (m < 1 || m > 12)
      return fail("domain.schedule", "month {} does not exist; expected 1..12 (jan..dec)", m);
    mask = static_cast<std::uint16_t>(mask | (1u << m));
  }
  Schedule s = *this;
  s.month_mask_ = mask;
  s.precompute();
  return s;
}

Result<Schedule> Schedule::with_hours(int hours) const {
  if (hours < 1 || hours > 12 || 24 % hours != 0) {
    return fail("domain.schedule",
                "every {} hours does not give the same times every day; expected 1, 2, 3, 4, 6, 8 or 12 hours", hours);
  }
  if (at_.minutes_since_midnight() >= hours * 60) {
    return fail("domain.schedule", "the first slot of the day ({}) must come before {:02}:00 with every {} hours",
                at_.to_string(), hours, hours);
  }
  if (kind_ != Kind::kDaily && !(kind_ == Kind::kWeekly && interval_weeks_ == 1)) {
    return fail("domain.schedule", "several firings a day go with every day or a list of weekdays");
  }
  Schedule s = *this;
  s.interval_hours_ = hours;
  s.precompute();
  return s;
}

std::vector<TimeOfDay> Schedule::times() const {
  if (!sub_daily()) return {at_};
  std::vector<TimeOfDay> out;
  for (int m = at_.minutes_since_midnight(); m < 24 * 60; m += interval_hours_ * 60) {
    out.push_back(*TimeOfDay::from_hm(m / 60, m % 60));
  }
  return out;
}

Result<std::set<int>> Schedule::every_n_months(int n, int anchor_month) {
  if (n != 1 && n != 2 && n != 3 && n != 4 && n != 6 && n != 12) {
    return fail(
        "domain.schedule",
        "every {} months does not repeat the same way each year; expected 1, 2, 3 (quarter), 4, 6 or 12", n);
  }
  if (anchor_month < 1 || anchor_month > 12) {
    return fail("domain.schedule", "month {} does not exist; expected 1..12 (jan..dec)", anchor_month);
  }
  std::set<int> months;
  for (int k = 0; k < 12 / n; ++k) months.insert((anchor_month - 1 + k * n) % 12 + 1);
  return months;
}

// ---------------------------------------------------------------- accessors

std::set<Weekday> Schedule::weekdays() const {
  std::set<Weekday> out;
  for (int i = 0; i < 7; ++i) {
    if (weekday_mask_ & (1u << i)) out.insert(static_cast<Weekday>(i));
  }
  return out;
}

std::vector<NthWeekday> Schedule::nth_weekdays() const {
  std::vector<NthWeekday> out;
  for (int slot = 0; slot < 6; ++slot) {
    for (int w = 0; w < 7; ++w) {
      if (nth_mask_ & (std::uint64_t{1} << (w * 6 + slot))) {
        out.push_back(NthWeekday{slot == kLastSlot ? -1 : slot + 1, static_cast<Weekday>(w)});
      }
    }
  }
  if (nth_mask_ & (std::uint64_t{1} << kFirstWorkdayBit)) out.push_back(NthWeekday{1, Weekday::kMonday, true});
  if (nth_mask_ & (std::uint64_t{1} << kLastWorkdayBit)) out.push_back(NthWeekday{-1, Weekday::kMonday, true});
  return out;
}

std::set<int> Schedule::days() const {
  std::set<int> out;
  if (day_mask_ & 1) out.insert(kLastDay);
  for (int d = 1; d <= 31; ++d) {
    if (day_mask_ & (std::uint64_t{1} << d)) out.insert(d);
  }
  return out;
}

std::set<int> Schedule::months() const {
  std::set<int> out;
  for (int m = 1; m <= 12; ++m) {
    if (month_mask_ & (1u << m)) out.insert(m);
  }
  return out;
}

// ---------------------------------------------------------------- queries

bool Schedule::fires_on_day(int dom, Weekday weekday, int days_in_month) const {
  switch (kind_) {
    case Kind::kDaily:
      return true;
    case Kind::kWeekly:
      return weekday_mask_ & (1u << static_cast<int>(weekday));
    case Kind::kNthWeekdayOfMonth: {
      const int w = static_cast<int>(weekday);
      if (nth_mask_ & (std::uint64_t{1} << (w * 6 + (dom - 1) / 7))) {
        return true;
      }
      // Working days: Mon..Fri (0..4). The first is day 1, or a Monday on day 2 or 3 after a weekend; the last
      // is the month's last day, or a Friday followed only by the weekend.
      if (w <= 4 && (nth_mask_ & (std::uint64_t{1} << kFirstWorkdayBit)) && (dom == 1 || (w == 0 && dom <= 3))) {
        return true;
      }
      if (w <= 4 && (nth_mask_ & (std::uint64_t{1} << kLastWorkdayBit)) &&
          (dom == days_in_month || (w == 4 && dom + 2 >= days_in_month))) {
        return true;
      }
      return dom + 7 > days_in_month && (nth_mask_ & (std::uint64_t{1} << (w * 6 + kLastSlot)));
    }
    case Kind::kDaysOfMonth:
      return (day_mask_ & (std::uint64_t{1} << dom)) || ((day_mask_ & 1) && dom == days_in_month);
  }
  return false;
}

bool Schedule::fires_on(CivilDay local_day) const {
  const int month = local_day.month();
  if (!(month_mask_ & (1u << month))) {
    return false;
  }
  return fires_on_day(local_day.day(), weekday_of(local_day), days_in_month(local_day.year(), month)) &&
         extra_ok(local_day);
}

bool Schedule::extra_ok(CivilDay day) const {
  if (interval_weeks_ > 1 && floor_mod(floor_div(day - anchor_monday_, 7), interval_weeks_) != 0) {
    return false;
  }
  if (blackouts_.empty()) return true;
  const auto open = [&](TimeOfDay at) {
    return std::none_of(blackouts_.begin(), blackouts_.end(), [&](const Blackout& b) { return b.covers(day, at); });
  };
  if (!sub_daily()) return open(at_);
  // A sub-daily schedule fires on a day outside every date blackout when one of its times is outside the hour ones.
  for (int m = at_.minutes_since_midnight(); m < 24 * 60; m += interval_hours_ * 60) {
    if (open(*TimeOfDay::from_hm(m / 60, m % 60))) return true;
  }
  return false;
}

const Blackout* Schedule::skipped_by(CivilDay local_day) const { return skipped_by(local_day, at_); }

const Blackout* Schedule::skipped_by(CivilDay local_day, TimeOfDay at) const {
  if (blackouts_.empty()) return nullptr;
  const int month = local_day.month();
  if (!(month_mask_ & (1u << month)) ||
      !fires_on_day(local_day.day(), weekday_of(local_day), days_in_month(local_day.year(), month))) {
    return nullptr;
  }
  if (interval_weeks_ > 1 && floor_mod(floor_div(local_day - anchor_monday_, 7), interval_weeks_) != 0) {
    return nullptr;
  }
  for (const Blackout& b : blackouts_) {
    if (b.covers(local_day, at)) return &b;
  }
  return nullptr;
}

bool Blackout::covers(CivilDay day, TimeOfDay at) const {
  if (kind == Kind::kDates) {
    const int md = day.month() * 100 + day.day();
    const int lo = from_month * 100 + from_day, hi = to_month * 100 + to_day;
    return lo <= hi ? (md >= lo && md <= hi) : (md >= lo || md <= hi);
  }
  const int t = at.minutes_since_midnight(), f = from.minutes_since_midnight(), e = to.minutes_since_midnight();
  const bool today = weekday_mask & (1u << static_cast<int>(weekday_of(day)));
  if (f < e) return today && t >= f && t < e;
  const bool yesterday = weekday_mask & (1u << static_cast<int>(weekday_of(day - 1)));
  return (today && t >= f) || (yesterday && t < e);
}

std::string Blackout::to_string() const {
  if (kind == Kind::kDates) {
    std::string out = fmt::format("on {:02}-{:02}", from_month, from_day);
    if (from_month != to_month || from_day != to_day) out += fmt::format("..{:02}-{:02}", to_month, to_day);
    return out;
  }
  std::string out = "between " + from.to_string() + " and " + to.to_string();
  if (weekday_mask != 0x7F) {
    std::vector<int> days;
    for (int i = 0; i < 7; ++i) {
      if (weekday_mask & (1u << i)) days.push_back(i);
    }
    out += " on " + join_runs(days, [](int i) { return std::string(sk::to_string(static_cast<Weekday>(i))); });
  }
  return out;
}

namespace {
// Weekday (0 = monday) of the first day of day's month.
int weekday_of_first(CivilDay day) {
  return ((static_cast<int>(weekday_of(day)) - (day.day() - 1)) % 7 + 7) % 7;
}
}  // namespace

std::optional<CivilDay> Schedule::next_day_on_or_after(CivilDay day) const {
  if (never_fires_) return std::nullopt;
  for (CivilDay d = day;;) {
    const CivilDay c = *base_next_on_or_after(d);
    if (extra_ok(c)) return c;
    d = c + 1;
    if (interval_weeks_ > 1) {
      // Jump to the Monday of the next week in the interval when c's week is not one.
      const std::int64_t week = floor_div(c - anchor_monday_, 7);
      const std::int64_t off = floor_mod(week, interval_weeks_);
      if (off != 0) d = anchor_monday_ + (week + interval_weeks_ - off) * 7;
    }
  }
}

std::optional<CivilDay> Schedule::base_next_on_or_after(CivilDay day) const {
  // Month by month; terminates within max_gap_days_ because the schedule fires at least that often.
  std::int64_t year = day.year();
  int month = day.month();
  int from = day.day();
  int w1 = weekday_of_first(day);
  for (;;) {
    const int dim = days_in_month(year, month);
    if (month_mask_ & (1u << month)) {
      const std::uint32_t bits = day_masks_[static_cast<size_t>(dim - 28) * 7 + static_cast<size_t>(w1)] &
                                 ~((std::uint32_t{1} << from) - 1);
      if (bits != 0) return CivilDay(year, month, std::countr_zero(bits));
    }
    w1 = (w1 + dim) % 7;
    from = 1;
    if (++month > 12) {
      month = 1;
      ++year;
    }
  }
}

std::optional<CivilDay> Schedule::prev_day_on_or_before(CivilDay day) const {
  if (never_fires_) return std::nullopt;
  for (CivilDay d = day;;) {
    const CivilDay c = *base_prev_on_or_before(d);
    if (extra_ok(c)) return c;
    d = c - 1;
    if (interval_weeks_ > 1) {
      // Jump to the Sunday of the previous week in the interval when c's week is not one.
      const std::int64_t week = floor_div(c - anchor_monday_, 7);
      const std::int64_t off = floor_mod(week, interval_weeks_);
      if (off != 0) d = anchor_monday_ + (week - off) * 7 + 6;
    }
  }
}

std::optional<CivilDay> Schedule::base_prev_on_or_before(CivilDay day) const {
  std::int64_t year = day.year();
  int month = day.month();
  int to = day.day();
  int w1 = weekday_of_first(day);
  for (;;) {
    const int dim = days_in_month(year, month);
    if (month_mask_ & (1u << month)) {
      // Bits 0..to; (2 << 31) - 1 is all ones (unsigned wrap-around is well defined).
      const std::uint32_t bits = day_masks_[static_cast<size_t>(dim - 28) * 7 + static_cast<size_t>(w1)] &
                                 ((std::uint32_t{2} << to) - 1);
      if (bits != 0) return CivilDay(year, month, std::bit_width(bits) - 1);
    }
    if (--month < 1) {
      month = 12;
      --year;
    }
    to = days_in_month(year, month);
    w1 = ((w1 - to) % 7 + 7) % 7;
  }
}

// ---------------------------------------------------------------- sub-daily slots

void Schedule::raw_slots_on(CivilDay day, const TimeZone& zone, std::vector<Slot>& out) const {
  if (!fires_on(day)) return;
  if (!sub_daily()) {
    const CivilSecond local = at_.on(day);
    out.push_back(Slot{local, zone.from_local(local)});
    return;
  }
  for (int m = at_.minutes_since_midnight(); m < 24 * 60; m += interval_hours_ * 60) {
    const TimeOfDay at = *TimeOfDay::from_hm(m / 60, m % 60);
    if (std::any_of(blackouts_.begin(), blackouts_.end(), [&](const Blackout& b) { return b.covers(day, at); })) {
      continue;
    }
    const CivilSecond local = at.on(day);
    out.push_back(Slot{local, zone.from_local_elapsed(local)});
  }
}

template <typename F>
void Schedule::for_each_sub_daily_slot(CivilDay day, const TimeZone& zone, F f) const {
  // Slots arrive in nominal order. A slot whose instant is at or after a later slot's is absorbed by it (the later
  // one stands), so the buffer is kept strictly ascending by instant; a slot more than a day of elapsed time before
  // the newest can no longer be absorbed (a zone's clock changes by less than a day) and is handed out.
  std::vector<Slot> buffer, today;
  for (CivilDay d = day;;) {
    const std::optional<CivilDay> next = next_day_on_or_after(d);
    if (!next) return;
    today.clear();
    raw_slots_on(*next, zone, today);
    for (const Slot& slot : today) {
      while (!buffer.empty() && buffer.back().at >= slot.at) buffer.pop_back();
      buffer.push_back(slot);
      size_t ready = 0;
      while (ready < buffer.size() && buffer[ready].at + Duration::from_days(1) < slot.at) ++ready;
      for (size_t i = 0; i < ready; ++i) {
        if (!f(buffer[i])) return;
      }
      buffer.erase(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(ready));
    }
    d = *next + 1;
  }
}

std::vector<Schedule::Slot> Schedule::slots_on(CivilDay local_day, const TimeZone& zone) const {
  std::vector<Slot> out;
  if (!fires_on(local_day)) return out;
  if (!sub_daily()) {
    const auto slot = next_slot_after(zone.from_local(at_.on(local_day)) - Duration::from_seconds(1), zone);
    if (slot && slot->day() == local_day) out.push_back(*slot);
    return out;
  }
  for_each_sub_daily_slot(local_day, zone, [&](const Slot& slot) {
    if (slot.day() != local_day) return false;
    out.push_back(slot);
    return true;
  });
  return out;
}

std::optional<Schedule::Slot> Schedule::next_slot_after(Instant t, const TimeZone& zone) const {
  if (never_fires_) return std::nullopt;
  if (sub_daily()) {
    std::optional<Slot> found;
    for_each_sub_daily_slot(CivilDay(zone.to_local(t)) - 2, zone, [&](const Slot& slot) {
      if (slot.at <= t) return true;
      found = slot;
      return false;
    });
    return found;
  }
  // Start two days early: a slot in a spring-forward gap fires at the end of the gap, possibly on a later
  // day.
  CivilDay day = CivilDay(zone.to_local(t)) - 2;
  for (;;) {
    day = *next_day_on_or_after(day);
    const CivilSecond local = at_.on(day);
    const Instant firing = zone.from_local(local);
    if (firing > t) {  // firings never decrease in civil order: the first after t wins
      if (zone.to_local(firing) != local) {
        // A skipped slot can fire at the same instant as the next one (a whole day skipped): the later one
        // stands.
        const CivilDay next_day = *next_day_on_or_after(day + 1);
        const CivilSecond next_local = at_.on(next_day);
        if (zone.from_local(next_local) == firing) return Slot{next_local, firing};
      }
      return Slot{local, firing};
    }
    day += 1;
  }
}

std::optional<Schedule::Slot> Schedule::latest_slot_at_or_before(Instant t, const TimeZone& zone) const {
  if (never_fires_) return std::nullopt;
  if (sub_daily()) {
    // Walk forward from a firing day a few days back; further back while nothing at or before t was found.
    for (CivilDay from = CivilDay(zone.to_local(t)) - 3;; from -= 1) {
      from = *prev_day_on_or_before(from);
      std::optional<Slot> found;
      for_each_sub_daily_slot(from, zone, [&](const Slot& slot) {
        if (slot.at > t) return false;
        found = slot;
        return true;
      });
      if (found) return found;
    }
  }
  CivilDay day = CivilDay(zone.to_local(t)) + 2;
  for (;;) {
    day = *prev_day_on_or_before(day);
    const CivilSecond local = at_.on(day);
    const Instant firing = zone.from_local(local);
    if (firing <= t) return Slot{local, firing};
    day -= 1;
  }
}

std::vector<Schedule::Slot> Schedule::slots_between(Instant from_inclusive, Instant to_exclusive,
                                                    const TimeZone& zone) const {
  std::vector<Slot> out;
  if (never_fires_ || !(from_inclusive < to_exclusive)) return out;
  if (sub_daily()) {
    for_each_sub_daily_slot(CivilDay(zone.to_local(from_inclusive)) - 2, zone, [&](const Slot& slot) {
      if (slot.at >= to_exclusive) return false;
      if (slot.at >= from_inclusive) out.push_back(slot);
      return true;
    });
    return out;
  }
  const CivilDay last = CivilDay(zone.to_local(to_exclusive)) + 2;
  CivilDay day = CivilDay(zone.to_local(from_inclusive)) - 2;
  if (min_gap_days_ > 0) out.reserve(static_cast<size_t>((last - day) / min_gap_days_ + 1));
  for (;;) {
    day = *next_day_on_or_after(day);
    if (day > last) {
      break;
    }
    const CivilSecond local = at_.on(day);
    const Instant firing = zone.from_local(local);
    if (firing >= to_exclusive) {
      break;
    }
    if (firing >= from_inclusive) {
      if (!out.empty() && out.back().at == firing) {
        out.pop_back();  // merged slots (see next_slot_after): the later one stands
      }
      out.push_back(Slot{local, firing});
    }
    day += 1;
  }
  return out;
}

std::optional<Instant> Schedule::next_after(Instant t, const TimeZone& zone) const {
  const auto slot = next_slot_after(t, zone);
  return slot ? std::optional<Instant>(slot->at) : std::nullopt;
}

std::optional<Instant> Schedule::latest_at_or_before(Instant t, const TimeZone& zone) const {
  const auto slot = latest_slot_at_or_before(t, zone);
  return slot ? std::optional<Instant>(slot->at) : std::nullopt;
}

std::vector<Instant> Schedule::firings_between(Instant from_inclusive, Instant to_exclusive,
                                               const TimeZone& zone) const {
  std::vector<Instant> out;
  if (never_fires_ || !(from_inclusive < to_exclusive)) return out;
  if (sub_daily()) {
    for (const Slot& slot : slots_between(from_inclusive, to_exclusive, zone)) out.push_back(slot.at);
    return out;
  }
  const CivilDay last = CivilDay(zone.to_local(to_exclusive)) + 2;
  CivilDay day = CivilDay(zone.to_local(from_inclusive)) - 2;
  if (min_gap_days_ > 0) out.reserve(static_cast<size_t>((last - day) / min_gap_days_ + 1));
  for (;;) {
    day = *next_day_on_or_after(day);
    if (day > last) {
      break;
    }
    const Instant firing = zone.from_local(at_.on(day));
    if (firing >= to_exclusive) {
      break;
    }
    if (firing >= from_inclusive && (out.empty() || out.back() != firing)) out.push_back(firing);
    day += 1;
  }
  return out;
}

Duration Schedule::min_interval(const TimeZone& zone, Instant from, Instant to) const {
  const std::vector<Instant> firings = firings_between(from, to, zone);
  if (firings.size() < 2) {
    return {};
  }
  Duration best = firings[1] - firings[0];
  for (size_t i = 2; i < firings.size(); ++i) best = std::min(best, firings[i] - firings[i - 1]);
  return best;
}

Duration Schedule::max_interval(const TimeZone& zone, Instant from, Instant to) const {
  const std::vector<Instant> firings = firings_between(from, to, zone);
  if (firings.size() < 2) {
    return {};
  }
  Duration best = firings[1] - firings[0];
  for (size_t i = 2; i < firings.size(); ++i) best = std::max(best, firings[i] - firings[i - 1]);
  return best;
}

void Schedule::precompute() {
  // Which days of a month fire depends only on the month's length and the weekday of its 1st (the month
  // filter aside): 4 × 7 masks (bit d = day d). With them one 400-year cycle (4800 months) is walked month by
  // month.
  for (int dim = 28; dim <= 31; ++dim) {
    for (int w1 = 0; w1 < 7; ++w1) {
      std::uint32_t m = 0;
      for (int d = 1; d <= dim; ++d) {
        if (fires_on_day(d, static_cast<Weekday>((w1 + d - 1) % 7), dim)) {
          m |= std::uint32_t{1} << d;
        }
      }
      day_masks_[static_cast<size_t>(dim - 28) * 7 + static_cast<size_t>(w1)] = m;
    }
  }
  const CivilDay start(2000, 1, 1);
  int w1 = static_cast<int>(weekday_of(start));
  std::int64_t month_start = 0;  // day index of the current month's 1st, from `start`
  std::int64_t first = -1, prev = -1, min_gap = 0, max_gap = 0;
  for (int year = 2000; year < 2400; ++year) {
    for (int month = 1; month <= 12; ++month) {
      const int dim = days_in_month(year, month);
      if (month_mask_ & (1u << month)) {
        for (std::uint32_t m = day_masks_[static_cast<size_t>(dim - 28) * 7 + static_cast<size_t>(w1)];
             m != 0; m &= m - 1) {
          const std::int64_t index = month_start + std::countr_zero(m) - 1;
          if (first < 0) {
            first = index;
          } else {
            const std::int64_t gap = index - prev;
            min_gap = min_gap == 0 ? gap : std::min(min_gap, gap);
            max_gap = std::max(max_gap, gap);
          }
          prev = index;
        }
      }
      month_start += dim;
      w1 = (w1 + dim) % 7;
    }
  }
  never_fires_ = first < 0;
  if (!never_fires_) {
    const std::int64_t wrap =
        first + kCycleDays - prev;  // from the last firing to the first of the next cycle
    min_gap = min_gap == 0 ? wrap : std::min(min_gap, wrap);
    max_gap = std::max(max_gap, wrap);
  }
  min_gap_days_ = min_gap;
  max_gap_days_ = max_gap;
  if (!never_fires_ && !month_shape_determined()) precompute_gaps_by_walking();
  if (!never_fires_ && sub_daily()) precompute_sub_daily_gaps();
}

void Schedule::precompute_sub_daily_gaps() {
  constexpr std::int64_t kDayMinutes = std::int64_t{24} * 60;
  const std::int64_t step = std::int64_t{interval_hours_} * 60;
  const std::int64_t first_time = at_.minutes_since_midnight();
  const std::int64_t span = first_time + (kDayMinutes - 1 - first_time) / step * step - first_time;
  const bool hour_blackouts = std::any_of(blackouts_.begin(), blackouts_.end(),
                                          [](const Blackout& b) { return b.kind == Blackout::Kind::kHours; });
  if (!hour_blackouts) {
    // Every firing day has the same times: within a day `step` apart, across days the day gap less the span.
    min_gap_minutes_ = span > 0 ? step : min_gap_days_ * kDayMinutes;
    max_gap_minutes_ = std::max(span > 0 ? step : 0, max_gap_days_ * kDayMinutes - span);
    return;
  }
  // Hour blackouts leave different times on different weekdays (they depend only on the weekday of the day and of
  // the day before; date blackouts skip whole days, which the walk over firing days leaves out): bit k of open[w] is
  // times()[k] on weekday w. Walk one period of firing days with them.
  std::array<std::uint32_t, 7> open{};
  for (int w = 0; w < 7; ++w) {
    const CivilDay day = CivilDay(2024, 1, 1) + w;  // a Monday, then the rest of that week
    int k = 0;
    for (std::int64_t m = first_time; m < kDayMinutes; m += step, ++k) {
      const TimeOfDay at = *TimeOfDay::from_hm(static_cast<int>(m / 60), static_cast<int>(m % 60));
      if (std::none_of(blackouts_.begin(), blackouts_.end(), [&](const Blackout& b) {
            return b.kind == Blackout::Kind::kHours && b.covers(day, at);
          })) {
        open[static_cast<size_t>(w)] |= std::uint32_t{1} << k;
      }
    }
  }
  const std::int64_t cycles = interval_weeks_ / std::gcd(std::int64_t{interval_weeks_}, kCycleWeeks);
  const std::int64_t period = kCycleDays * cycles;
  const CivilDay start(2000, 1, 1);
  std::int64_t first = -1, prev = -1, min_gap = 0, max_gap = 0;
  const auto gap = [&](std::int64_t g) {
    min_gap = min_gap == 0 ? g : std::min(min_gap, g);
    max_gap = std::max(max_gap, g);
  };
  for (std::optional<CivilDay> d = next_day_on_or_after(start); d && *d - start < period;
       d = next_day_on_or_after(*d + 1)) {
    const std::uint32_t open_today = open[static_cast<size_t>(weekday_of(*d))];
    int k = 0;
    for (std::int64_t m = first_time; m < kDayMinutes; m += step, ++k) {
      if (!(open_today & (std::uint32_t{1} << k))) continue;
      const std::int64_t index = (*d - start) * kDayMinutes + m;
      if (first < 0) {
        first = index;
      } else {
        gap(index - prev);
      }
      prev = index;
    }
  }
  if (first >= 0) gap(first + period * kDayMinutes - prev);
  min_gap_minutes_ = min_gap;
  max_gap_minutes_ = max_gap;
}

void Schedule::precompute_gaps_by_walking() {
  // The firing days repeat every 400 years times the part of the week interval that does not divide the cycle's
  // (odd) number of weeks. Walk one such period, firing by firing, with the base rule's month masks.
  const std::int64_t cycles = interval_weeks_ / std::gcd(std::int64_t{interval_weeks_}, kCycleWeeks);
  const std::int64_t period = kCycleDays * cycles;
  const CivilDay start(2000, 1, 1);
  const CivilDay end = start + period;
  std::int64_t first = -1, prev = -1, min_gap = 0, max_gap = 0;
  for (CivilDay d = start; d < end;) {
    const CivilDay c = *base_next_on_or_after(d);
    if (c >= end) break;
    d = c + 1;
    if (!extra_ok(c)) continue;
    const std::int64_t index = c - start;
    if (first < 0) {
      first = index;
    } else {
      min_gap = min_gap == 0 ? index - prev : std::min(min_gap, index - prev);
      max_gap = std::max(max_gap, index - prev);
    }
    prev = index;
  }
  never_fires_ = first < 0;
  if (!never_fires_) {
    const std::int64_t wrap = first + period - prev;
    min_gap = min_gap == 0 ? wrap : std::min(min_gap, wrap);
    max_gap = std::max(max_gap, wrap);
  }
  min_gap_days_ = never_fires_ ? 0 : min_gap;
  max_gap_days_ = never_fires_ ? 0 : max_gap;
}

// ---------------------------------------------------------------- text

std::string Schedule::day_rule_text() const {
  std::string out;
  switch (kind_) {
    case Kind::kDaily:
      out = "daily";
      break;
    case Kind::kWeekly: {
      std::vector<int> days;
      for (int i = 0; i < 7; ++i) {
        if (weekday_mask_ & (1u << i)) days.push_back(i);
      }
      out = join_runs(days, [](int i) { return std::string(sk::to_string(static_cast<Weekday>(i))); });
      if (interval_weeks_ > 1) out = fmt::format("every {} weeks on {}", interval_weeks_, out);
      break;
    }
    case Kind::kNthWeekdayOfMonth: {
      for (const NthWeekday& d : nth_weekdays()) {
        if (!out.empty()) out += ',';
        out += kOrdinals[static_cast<size_t>(nth_slot(d.n))];
        out += ' ';
        out += d.workday ? std::string_view("weekday") : sk::to_string(d.day);
      }
      out += " of month";
      break;
    }
    case Kind::kDaysOfMonth: {
      if (day_mask_ == 1) {
        out = "last day of month";
        break;
      }
      std::vector<int> days;
      for (int d = 1; d <= 31; ++d) {
        if (day_mask_ & (std::uint64_t{1} << d)) days.push_back(d);
      }
      out = "day " + join_runs(days, [](int d) { return std::to_string(d); });
      if (day_mask_ & 1) {
        out += ",last";
      }
      out += " of month";
      break;
    }
  }
  return out;
}

std::string Schedule::to_string() const {
  std::string out;
  if (sub_daily()) {
    out = interval_hours_ == 1 ? fmt::format("every hour at :{:02}", at_.minute())
                               : fmt::format("every {} hours from {}", interval_hours_, at_.to_string());
    if (kind_ == Kind::kWeekly) out += " on " + day_rule_text();
  } else {
    out = day_rule_text();
    out += " at ";
    out += at_.to_string();
  }
  if (interval_weeks_ > 1) out += " from " + iso_date(anchor_);
  if (has_month_filter()) {
    std::vector<int> months;
    for (int m = 1; m <= 12; ++m) {
      if (month_mask_ & (1u << m)) months.push_back(m);
    }
    out += " in ";
    out += join_runs(months, [](int m) { return std::string(kMonthNames[static_cast<size_t>(m)]); });
  }
  for (const Blackout& b : blackouts_) out += ", not " + b.to_string();
  return out;
}

}  // namespace sk
