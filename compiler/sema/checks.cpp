#include "compiler/sema/checks.h"

#include <array>
#include <optional>

#include <fmt/format.h>

namespace sk::sema {

using model::Predicate;

namespace {
int month_length(int64_t year, int month) {
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[static_cast<size_t>(month - 1)];
}
}  // namespace

FiringCalendar::FiringCalendar(const Schedule& schedule, CivilDay start)
    : start_(start), bits_((kCycleDays + 63) / 64, 0) {
  if (schedule.never_fires()) return;
  if (!schedule.month_shape_determined()) {
    // A week interval or date blackouts: day by day, jumping from firing to firing.
    for (auto d = schedule.next_day_on_or_after(start); d && *d - start < kCycleDays;
         d = schedule.next_day_on_or_after(*d + 1)) {
      const auto i = static_cast<size_t>(*d - start);
      bits_[i / 64] |= uint64_t{1} << (i % 64);
    }
    return;
  }
  // Whether a schedule fires on day d of a month depends only on the month, its length and the weekday of its 1st,
  // so each such month shape is evaluated once with fires_on and the cycle is filled month by month: about 5,000
  // steps instead of 146,097 fires_on calls per tier (which made sema ~100x slower under the fuzzer's sanitizers).
  std::array<std::optional<uint32_t>, 13 * 4 * 7> shapes;  // [month][length - 28][weekday of the 1st]: day bits
  int64_t year = start.year();
  int month = start.month();
  const CivilDay first_of_start_month(year, month, 1);
  int64_t offset = first_of_start_month - start;  // days from `start` to the 1st of the current month
  int w1 = static_cast<int>(weekday_of(first_of_start_month));
  while (offset < kCycleDays) {
    const int length = month_length(year, month);
    std::optional<uint32_t>& days = shapes[static_cast<size_t>((month * 4 + (length - 28)) * 7 + w1)];
    if (!days) {
      days = 0;
      for (int d = 1; d <= length; ++d) {
        if (schedule.fires_on(CivilDay(year, month, d))) *days |= uint32_t{1} << d;
      }
    }
    // Day d of this month is bit offset + d - 1 of the cycle.
    uint64_t month_bits = *days >> 1;
    int64_t at = offset;
    if (at < 0) {
      month_bits >>= -at;
      at = 0;
    }
    const auto word = static_cast<size_t>(at / 64);
    const auto shift = static_cast<int>(at % 64);
    if (word < bits_.size()) bits_[word] |= month_bits << shift;
    if (shift != 0 && word + 1 < bits_.size()) bits_[word + 1] |= month_bits >> (64 - shift);
    offset += length;
    w1 = (w1 + length) % 7;
    if (++month == 13) {
      month = 1;
      ++year;
    }
  }
  bits_.back() &= (uint64_t{1} << (kCycleDays % 64)) - 1;  // the last month ran past the cycle
}

std::optional<CivilDay> FiringCalendar::first_common_day(const FiringCalendar& other) const {
  for (size_t w = 0; w < bits_.size() && w < other.bits_.size(); ++w) {
    const uint64_t both = bits_[w] & other.bits_[w];
    if (both != 0) return start_ + static_cast<int>(w * 64 + static_cast<size_t>(__builtin_ctzll(both)));
  }
  return std::nullopt;
}

std::optional<CivilDay> first_common_day(const Schedule& a, const Schedule& b, CivilDay start) {
  if (a.never_fires() || b.never_fires()) return std::nullopt;
  return FiringCalendar(a, start).first_common_day(FiringCalendar(b, start));
}

std::optional<RealGap> shortest_real_gap(const Schedule& schedule, const TimeZone& zone, CivilDay start) {
  if (schedule.never_fires()) return std::nullopt;
  constexpr int kYears = 4;
  const Instant from = zone.from_local(CivilSecond(start));
  const Instant to = zone.from_local(CivilSecond(start + 365 * kYears + 1));
  const std::vector<Instant> firings = schedule.firings_between(from, to, zone);
  std::optional<RealGap> best;
  for (size_t i = 1; i < firings.size(); ++i) {
    const Duration gap = firings[i] - firings[i - 1];
    if (!best || gap < best->length) best = RealGap{gap, firings[i - 1]};
  }
  return best;
}

std::optional<CivilDay> first_drill_in_window(const FiringCalendar& tier, TimeOfDay tier_at, Duration window,
                                              const Schedule& drill, CivilDay start) {
  if (drill.never_fires()) return std::nullopt;
  constexpr std::int64_t kDay = 86400;
  const std::int64_t opens = std::int64_t{tier_at.minutes_since_midnight()} * 60;
  const std::int64_t closes = opens + window.seconds();
  const std::int64_t drill_at = std::int64_t{drill.at().minutes_since_midnight()} * 60;
  std::optional<CivilDay> first;
  // The drill firing k days after the tier's day is at drill_at + k days from that day's midnight.
  for (std::int64_t k = 0; k * kDay + drill_at < closes && k <= 366; ++k) {  // a year bounds hostile windows
    const std::int64_t t = k * kDay + drill_at;
    if (t < opens) continue;
    const auto day = tier.first_common_day(FiringCalendar(drill, start + static_cast<int>(k)));
    if (day && (!first || *day < *first)) first = day;
  }
  return first;
}

std::string describe_day(CivilDay day) {
  return fmt::format("{:04}-{:02}-{:02} ({})", day.year(), day.month(), day.day(), to_string(weekday_of(day)));
}

namespace {
struct Literals {
  std::vector<std::string> classes, databases, tables;
  bool globs = false;
};

void collect(const Predicate& p, Literals& out) {
  switch (p.kind()) {
    case Predicate::Kind::kClassIn:
      out.classes.insert(out.classes.end(), p.values().begin(), p.values().end());
      break;
    case Predicate::Kind::kDatabaseIn:
      out.databases.insert(out.databases.end(), p.values().begin(), p.values().end());
      break;
    case Predicate::Kind::kTableIn: out.tables.insert(out.tables.end(), p.values().begin(), p.values().end()); break;
    case Predicate::Kind::kDatabaseMatches:
    case Predicate::Kind::kTableMatches: out.globs = true; break;
    default: break;
  }
  for (const Predicate& o : p.operands()) collect(o, out);
}
}  // namespace

bool satisfiable(const Predicate& p, const std::vector<std::string>* databases) {
  Literals lits;
  collect(p, lits);
  if (lits.globs) return true;
  // A value no literal equals stands for "any other".
  const std::string other = "\x01other";
  lits.classes.push_back(other);
  if (databases != nullptr && !databases->empty()) {
    lits.databases = *databases;
  } else {
    lits.databases.push_back(other);
  }
  lits.tables.push_back(other);
  if (lits.classes.size() * lits.databases.size() * lits.tables.size() > 200000) return true;
  for (const std::string& c : lits.classes) {
    for (const std::string& d : lits.databases) {
      for (const std::string& t : lits.tables) {
        for (int flags = 0; flags < 4; ++flags) {
          const model::TableAttributes attrs{d, t, c, (flags & 1) != 0, (flags & 2) != 0};
          if (p.evaluate(attrs)) return true;
        }
      }
    }
  }
  return false;
}

}  // namespace sk::sema
