// Internal to sema: calendar and predicate reasoning used by the policy-level checks.
#pragma once

#include <optional>

#include "compiler/domain/schedule.h"
#include "compiler/model/policy.h"

namespace sk::sema {

// The first local day on or after `start` (scanning one 400-year Gregorian cycle) on which both fire.
std::optional<CivilDay> first_common_day(const Schedule& a, const Schedule& b, CivilDay start);

// False only when no table can satisfy `p`, decided by evaluating it on representative tables built from the
// literals it mentions. Conservative: predicates using `matches` globs are always considered satisfiable.
bool satisfiable(const model::Predicate& p);

// "2025-06-01 (sun)".
std::string describe_day(CivilDay day);

}  // namespace sk::sema
