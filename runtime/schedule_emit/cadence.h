// When a scheduler starts starkeep (docs/operations.md, "Scheduling"): the runner's one cadence, derived from the
// policy's firings and windows, and the daily times of the drill command. Pure functions of the policy model over a
// horizon of firings (Schedule::firings_between / slots_between, the calendar's public API); no I/O; thread-safe.
//
// The runner starts every `every_minutes` minutes (a divisor of 60), at the instants whose Unix time is a multiple
// of every_minutes × 60 s: aligned to the UTC hour and — because the step also divides every UTC offset the zone
// uses over the horizon — to the policy zone's hour, so "*/15" names the same instants in UTC and in the policy's
// zone. The step is the largest divisor of `grid_minutes` (gcd of 60, each firing's minutes past the UTC hour and
// the zone's offsets: the coarsest step that starts exactly at every slot) that is shorter than the shortest tier
// window, so every window holds the start at its slot and at least one more (a retry). A forced step
// (`--runner-every`) is accepted only if every firing of the horizon still has a start inside its window.
#pragma once

#include <optional>
#include <vector>

#include "common/result.h"
#include "compiler/model/policy.h"
#include "kernel/domain/names.h"
#include "kernel/domain/quantities.h"
#include "kernel/domain/time.h"

namespace sk::schedule_emit {

// The firings considered: [from, to), eight years from the generation instant (two leap days, every weekday of
// every date, the zone's DST changes as the tz database states them).
struct Horizon {
  Instant from;
  Instant to;
};
[[nodiscard]] Horizon horizon_from(Instant from);

struct RunnerCadence {
  int every_minutes = 60;        // divides 60
  int grid_minutes = 60;         // divides 60; every slot of the horizon is a multiple of it
  std::optional<TierName> shortest_tier;  // the tier with the shortest window (none without tiers)
  Duration shortest_window;
  bool forced = false;           // --runner-every
};

// Errors: "schedule.usage" when `forced_minutes` does not divide 60 or leaves a firing of the horizon without a
// start inside its tier's window (the message names the tier and the slot).
[[nodiscard]] Result<RunnerCadence> derive_runner_cadence(const model::Policy& policy, const Horizon& horizon,
                                                          std::optional<int> forced_minutes);

// The first runner start at or after t.
[[nodiscard]] Instant first_runner_start_at_or_after(const RunnerCadence& cadence, Instant t);

// The distinct nominal local times of day of the drills' firings over the horizon, ascending: the drill command
// starts at each of them every day (on a drill's day it runs it; on the other days of its period it retries a
// drill that failed or was missed, and otherwise exits 10 after a few reads).
[[nodiscard]] std::vector<TimeOfDay> drill_times(const model::Policy& policy, const Horizon& horizon);

// Times of day in the policy's zone, as a scheduler can state them: the zone's name for a tz database zone, or
// "UTC" with the times shifted by the offset for a fixed-offset zone ("+08:00", which schedulers do not accept).
struct ZonedTimes {
  std::string zone;
  std::vector<TimeOfDay> times;  // ascending, distinct
};
[[nodiscard]] ZonedTimes in_scheduler_zone(const TimeZone& zone, const std::vector<TimeOfDay>& local_times);

}  // namespace sk::schedule_emit
