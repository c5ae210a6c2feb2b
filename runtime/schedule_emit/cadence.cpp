#include "runtime/schedule_emit/cadence.h"

#include <algorithm>
#include <array>
#include <numeric>
#include <set>

#include <fmt/format.h>

#include "common/error_codes.h"

namespace sk::schedule_emit {
namespace {

// The divisors of 60, largest first: the steps "*/k" repeats the same way every hour.
constexpr std::array<int, 12> kStepsPerHour = {60, 30, 20, 15, 12, 10, 6, 5, 4, 3, 2, 1};
constexpr std::int64_t kHorizonDays = 8 * 366;

std::int64_t floor_mod(std::int64_t a, std::int64_t m) { return ((a % m) + m) % m; }

struct Firing {
  size_t tier = 0;
  Instant at;
};

std::vector<Firing> tier_firings(const model::Policy& policy, const Horizon& horizon) {
  std::vector<Firing> out;
  for (size_t k = 0; k < policy.tiers.size(); ++k) {
    for (Instant at : policy.tiers[k].schedule.firings_between(horizon.from, horizon.to, policy.time_zone)) {
      out.push_back(Firing{k, at});
    }
  }
  return out;
}

// gcd of 60, the minutes past the UTC hour of every firing and the zone's offsets at them; 1 when a firing or an
// offset is not on a whole minute.
int grid_minutes(const model::Policy& policy, const std::vector<Firing>& firings) {
  std::int64_t grid = 60;
  for (const Firing& f : firings) {
    const std::int64_t past_hour = floor_mod(f.at.unix_seconds(), 3600);
    const std::int64_t offset = floor_mod(policy.time_zone.utc_offset_seconds(f.at), 3600);
    if (past_hour % 60 != 0 || offset % 60 != 0) return 1;
    grid = std::gcd(grid, std::gcd(past_hour / 60, offset / 60));
  }
  return static_cast<int>(grid);
}

const Firing* first_uncovered(const model::Policy& policy, const RunnerCadence& cadence,
                              const std::vector<Firing>& firings) {
  for (const Firing& f : firings) {
    if (!(first_runner_start_at_or_after(cadence, f.at) < f.at + policy.tiers[f.tier].window)) return &f;
  }
  return nullptr;
}

}  // namespace

Horizon horizon_from(Instant from) { return Horizon{from, from + Duration::from_days(kHorizonDays)}; }

Instant first_runner_start_at_or_after(const RunnerCadence& cadence, Instant t) {
  const std::int64_t step = std::int64_t{cadence.every_minutes} * 60;
  const std::int64_t rest = floor_mod(t.unix_seconds(), step);
  return rest == 0 ? t : Instant::from_unix_seconds(t.unix_seconds() - rest + step);
}

Result<RunnerCadence> derive_runner_cadence(const model::Policy& policy, const Horizon& horizon,
                                            std::optional<int> forced_minutes) {
  const std::vector<Firing> firings = tier_firings(policy, horizon);
  RunnerCadence c;
  c.grid_minutes = grid_minutes(policy, firings);
  for (const model::Tier& tier : policy.tiers) {
    if (!c.shortest_tier || tier.window < c.shortest_window) {
      c.shortest_tier = tier.name;
      c.shortest_window = tier.window;
    }
  }
  if (forced_minutes) {
    if (*forced_minutes < 1 || 60 % *forced_minutes != 0) {
      return fail(errc::kScheduleUsage, "--runner-every {}m: the runner's step must divide an hour (1, 2, 3, 4, 5, 6, "
                  "10, 12, 15, 20, 30 or 60 minutes)", *forced_minutes);
    }
    c.every_minutes = *forced_minutes;
    c.forced = true;
  } else {
    c.every_minutes = 1;
    for (int step : kStepsPerHour) {
      if (c.grid_minutes % step == 0 && (!c.shortest_tier || Duration::from_minutes(step) < c.shortest_window)) {
        c.every_minutes = step;
        break;
      }
    }
  }
  if (const Firing* f = first_uncovered(policy, c, firings)) {
    const model::Tier& tier = policy.tiers[f->tier];
    return fail(errc::kScheduleUsage,
                "a runner started every {} min does not start inside the window ({}) of tier '{}' after its slot {}; "
                "the next start is {}{}",
                c.every_minutes, tier.window.to_string(), tier.name.str(), f->at.to_string(policy.time_zone),
                first_runner_start_at_or_after(c, f->at).to_string(policy.time_zone),
                c.forced ? "; choose a step that divides the slots' minutes, or omit --runner-every" : "");
  }
  return c;
}

std::vector<TimeOfDay> drill_times(const model::Policy& policy, const Horizon& horizon) {
  std::set<TimeOfDay> times;
  for (const model::Drill& drill : policy.drills) {
    for (const Schedule::Slot& s : drill.schedule.slots_between(horizon.from, horizon.to, policy.time_zone)) {
      times.insert(*TimeOfDay::from_hm(s.local.hour(), s.local.minute()));
    }
  }
  return {times.begin(), times.end()};
}

ZonedTimes in_scheduler_zone(const TimeZone& zone, const std::vector<TimeOfDay>& local_times) {
  const bool fixed = !zone.name().empty() && (zone.name().front() == '+' || zone.name().front() == '-');
  if (!fixed) return ZonedTimes{zone.name(), local_times};
  const int offset_minutes = zone.utc_offset_seconds(Instant()) / 60;
  std::set<TimeOfDay> utc;
  for (TimeOfDay t : local_times) {
    const std::int64_t m = floor_mod(t.minutes_since_midnight() - offset_minutes, 24 * 60);
    utc.insert(*TimeOfDay::from_hm(static_cast<int>(m / 60), static_cast<int>(m % 60)));
  }
  return ZonedTimes{"UTC", {utc.begin(), utc.end()}};
}

}  // namespace sk::schedule_emit
