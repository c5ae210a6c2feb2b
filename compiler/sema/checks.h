// Internal to sema: calendar and predicate reasoning used by the policy-level checks.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kernel/domain/schedule.h"
#include "compiler/model/policy.h"

namespace sk::sema {

// The days of one 400-year Gregorian cycle (146097 days from a start day) on which a schedule fires, as a bitset,
// so that pairs of schedules are compared with word-wise ANDs.
class FiringCalendar {
 public:
  static constexpr int kCycleDays = 146097;
  FiringCalendar(const Schedule& schedule, CivilDay start);
  // The first day both fire on, on or after the start day.
  [[nodiscard]] std::optional<CivilDay> first_common_day(const FiringCalendar& other) const;

 private:
  CivilDay start_;
  std::vector<uint64_t> bits_;
};

// The first local day on or after `start` (scanning one 400-year Gregorian cycle) on which both fire.
std::optional<CivilDay> first_common_day(const Schedule& a, const Schedule& b, CivilDay start);

// False only when no table can satisfy `p`, decided by evaluating it on representative tables built from the
// literals it mentions. Conservative: predicates using `matches` globs are always considered satisfiable.
// `databases`, when given, are the only database names a table can have (the policy's explicit list).
bool satisfiable(const model::Predicate& p, const std::vector<std::string>* databases = nullptr);

// The shortest real interval between consecutive firings of `schedule` in `zone`, measured on the instants it fires
// at over the four years from `start` (every DST rule of a zone recurs within them), and the firing that starts
// it; nullopt with fewer than two firings. Shorter than the civil min_interval() where the clocks go forward between
// two firings: `daily at 01:00` in Europe/Berlin runs again 23h later across the spring-forward night.
struct RealGap {
  Duration length;
  Instant from;
};
std::optional<RealGap> shortest_real_gap(const Schedule& schedule, const TimeZone& zone, CivilDay start);

// The first local day on or after `start` (one 400-year cycle) on which `tier` fires at `tier_at` and a firing of
// `drill` (at `drill_at`, on that day or a later one) falls inside [tier_at, tier_at + window) on the local clock:
// the drill can start while that day's backup is still running or not yet taken.
std::optional<CivilDay> first_drill_in_window(const FiringCalendar& tier, TimeOfDay tier_at, Duration window,
                                              const Schedule& drill, CivilDay start);

// "2025-06-01 (sun)".
std::string describe_day(CivilDay day);

}  // namespace sk::sema
