#include "runtime/drill/period.h"

#include <fmt/format.h>

#include <set>

namespace sk::drill {
namespace {

// "2025-09" / "2025-Q3" / "2025-H2" / "2025" for day-1 schedules over evenly spaced months from January; the
// first day otherwise.
std::string label_for(const Schedule& s, CivilDay first) {
  if (s.kind() == Schedule::Kind::kDaysOfMonth && s.days() == std::set<int>{1} && first.day() == 1) {
    const std::set<int> months = s.months();
    const auto y = static_cast<long long>(first.year());
    const int m = first.month();
    if (months.size() == 12) return fmt::format("{:04}-{:02}", y, m);
    if (months == std::set<int>{1, 4, 7, 10}) return fmt::format("{:04}-Q{}", y, (m - 1) / 3 + 1);
    if (months == std::set<int>{1, 7}) return fmt::format("{:04}-H{}", y, (m - 1) / 6 + 1);
    if (months == std::set<int>{1}) return fmt::format("{:04}", y);
  }
  return iso_date(first);
}

}  // namespace

Result<Period> period_of(const model::Drill& drill, const TimeZone& zone, Instant t) {
  const Schedule& s = drill.schedule;
  const CivilDay today(zone.to_local(t));
  auto first = s.prev_day_on_or_before(today);
  auto next = s.next_day_on_or_after(today + 1);
  if (!first || !next)
    return sk::fail("drill.schedule", "the schedule of drill '{}' never fires", drill.name.str());
  Period p;
  p.begin = zone.from_local(CivilSecond(*first));
  p.end = zone.from_local(CivilSecond(*next));
  p.scheduled = zone.from_local(s.at().on(*first));
  p.label = label_for(s, *first);
  return p;
}

std::uint64_t seed_of(const DrillName& name, const std::string& period_label) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  auto mix = [&h](std::string_view text) {
    for (unsigned char c : text) {
      h ^= c;
      h *= 0x100000001b3ULL;
    }
  };
  mix(name.str());
  mix("|");
  mix(period_label);
  return h;
}

std::string seed_hex(std::uint64_t seed) { return fmt::format("{:016x}", seed); }

Dueness is_due(const Period& period, Instant t, const std::vector<PastDrill>& history, bool forced) {
  Dueness d;
  d.forced = forced;
  const PastDrill* passed = nullptr;
  for (const auto& h : history) {
    if (period.contains(h.at) && h.verification == "PASSED") {
      passed = &h;
      break;
    }
  }
  if (forced) {
    d.due = true;
    d.reason = passed ? fmt::format("forced (already PASSED in {} by run {})", period.label, passed->run_id)
                      : fmt::format("forced (period {})", period.label);
    return d;
  }
  if (passed) {
    d.reason = fmt::format("not due: PASSED in period {} (run {}, drill instant {})", period.label,
                           passed->run_id, passed->at.to_iso8601_utc());
    return d;
  }
  if (t < period.scheduled) {
    d.reason = fmt::format("not due yet: period {} starts its drill at {}", period.label,
                           period.scheduled.to_iso8601_utc());
    return d;
  }
  d.due = true;
  d.reason = fmt::format("due: no PASSED drill in period {} ({} .. {})", period.label,
                         period.begin.to_iso8601_utc(), period.end.to_iso8601_utc());
  return d;
}

}  // namespace sk::drill
