// Tier coincidence over the calendar: on each local day, which tiers fire and which jobs that makes. Tiers that fire
// once a day coincide when they fire on the same local day of the policy's zone; a tier that fires several times a
// day (every 4 hours from 00:30) has a job per slot, and coincides with another tier only in a slot at the same
// instant (docs/language.md §7). A firing tier that another firing tier covers
// (transitively through `covers`) does not run on its own: its slot is satisfied by the covering tier's snapshot,
// which then counts for every satisfied tier's retention (the longest one). When several firing tiers cover it, the
// one with the highest precedence wins (then the one declared first). Every tier not covered that day runs its own
// job. (Sema rejects coinciding tiers that neither cover each other with equal precedence; if such a model still
// reaches here, both simply run.)
// Calendar is immutable after construction and caches nothing mutable: safe to share read-only.
#pragma once

#include <cstddef>
#include <vector>

#include "kernel/domain/quantities.h"
#include "kernel/domain/retain_period.h"
#include "kernel/domain/time.h"
#include "compiler/model/policy.h"

namespace sk::analysis {

// One job (per database) on one day: the tier that runs and the tiers its snapshot satisfies.
struct SlotGroup {
  size_t runner = 0;               // index into policy.tiers
  std::vector<size_t> satisfied;   // tier indices, ascending, including runner
  Instant slot;                    // the runner's firing instant that day
  CivilSecond local;               // the runner's slot as the schedule names it (labels): its nominal local time
  RetainPeriod retain;              // the longest retention among the satisfied tiers (latest expiry)
  Instant expires;                  // slot + retain in the policy's zone
  size_t retain_from = 0;           // the tier that retention comes from
};

class Calendar {
 public:
  explicit Calendar(const model::Policy& policy);

  // True if tier `a` covers tier `b` directly or through a chain of covers.
  [[nodiscard]] bool covers(size_t a, size_t b) const { return closure_[a * n_ + b] != 0; }
  // The firing instant of `tier` on local `day` (its time of day, DST rule of TimeZone::from_local).
  [[nodiscard]] Instant firing_on(size_t tier, CivilDay day) const;
  // The jobs of local `day`, ordered by slot then runner index. Empty when no tier fires.
  [[nodiscard]] std::vector<SlotGroup> day(CivilDay day) const;
  // The same jobs in the order they run when several are due together (docs/language.md, "Days with several
  // tiers"): decreasing precedence of the runner, then slot, then declaration order. Sema makes the runners of one
  // day differ in precedence (SK0304), so for a valid policy precedence alone decides.
  [[nodiscard]] std::vector<SlotGroup> run_order(CivilDay day) const;
  // How a tier firing on `day` is served: the tier whose job satisfies it (itself, or the tier covering it) and
  // that job's 1-based place in the day's run order among `jobs` jobs. `tier` must fire on `day`.
  struct Role {
    size_t runner = 0;
    size_t position = 1;
    size_t jobs = 1;
  };
  [[nodiscard]] Role role_on(size_t tier, CivilDay day) const;
  // The same for one slot of a tier (a sub-daily tier has several a day): among the jobs of `day` due at `slot`.
  [[nodiscard]] Role role_at(size_t tier, CivilDay day, Instant slot) const;
  // The same for an explicit set of firing tiers (indices) on `day`.
  [[nodiscard]] std::vector<SlotGroup> resolve(const std::vector<size_t>& firing, CivilDay day) const;
  [[nodiscard]] const model::Policy& policy() const { return *policy_; }

 private:
  // Adds the jobs of the sub-daily tiers `firing` on `day` to `groups` (the once-a-day tiers' jobs).
  void add_sub_daily(const std::vector<size_t>& firing, CivilDay day, std::vector<SlotGroup>& groups) const;
  // The group's retention: the longest among its satisfied tiers.
  void settle_retention(SlotGroup& g) const;

  const model::Policy* policy_;
  size_t n_ = 0;
  std::vector<uint8_t> closure_;
};

}  // namespace sk::analysis
