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

// "2025-06-01 (sun)".
std::string describe_day(CivilDay day);

}  // namespace sk::sema
