// When a drill is due (docs/operations.md "Drills"): the calendar period of a drill, the seed that makes its
// choice reproducible, and the due rule. Pure functions over the policy model; no I/O; thread-safe.
//
// Period: a drill's schedule fires on some local days (every = month: day 1 of every month; quarter: day 1 of
// Jan/Apr/Jul/Oct; 6 months: day 1 of Jan/Jul). The period containing an instant T is the run of local days
// from the last firing day on or before T's local day up to (not including) the next firing day, in the
// policy's time zone — for the three standard drills exactly the calendar month, quarter or half-year. Its
// label names it: "2025-09", "2025-Q3", "2025-H2", "2025" (every = year), otherwise the first day
// ("2025-09-15").
//
// Due rule: a drill is due at T when (a) T is at or after the drill's scheduled time in T's period (the
// firing on the period's first day, e.g. 06:00 on the 1st) and (b) ops.restore_history holds no PASSED drill
// of that name whose instant (target_time_utc) lies in the period. --drill NAME forces a drill whatever (a)
// and (b) say.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"
#include "kernel/domain/names.h"
#include "kernel/domain/time.h"
#include "compiler/model/policy.h"

namespace sk::drill {

struct Period {
  Instant begin;      // local midnight of the first day (inclusive)
  Instant end;        // local midnight of the next period's first day (exclusive)
  Instant scheduled;  // the drill's firing in this period (first day at the schedule's time)
  std::string label;  // "2025-09", "2025-Q3", "2025-H2", "2025", or "YYYY-MM-DD"
  [[nodiscard]] bool contains(Instant t) const { return begin <= t && t < end; }
};

// The period of `drill` that contains `t`. Errors: "drill.schedule" when the schedule never fires.
[[nodiscard]] Result<Period> period_of(const model::Drill& drill, const TimeZone& zone, Instant t);

// The seed of a drill's choice in a period: FNV-1a 64 over "<drill name>|<period label>" (stable across
// builds and platforms), and its 16-digit lower-case hex text.
[[nodiscard]] std::uint64_t seed_of(const DrillName& name, const std::string& period_label);
[[nodiscard]] std::string seed_hex(std::uint64_t seed);

// A drill recorded in ops.restore_history (one row per RESTORE step; see drill_sql.h).
struct PastDrill {
  std::string run_id;
  Instant at;                // target_time_utc: the instant the drill ran for
  std::string verification;  // "PASSED", "FAILED", "SKIPPED" or empty (not finished)
  std::string state;         // restore_history.state
};

struct Dueness {
  bool due = false;
  bool forced = false;
  std::string reason;  // one line: why (not) due
};

// The due rule above. `history` may hold rows of other periods (ignored).
[[nodiscard]] Dueness is_due(const Period& period, Instant t, const std::vector<PastDrill>& history,
                             bool forced);

}  // namespace sk::drill
