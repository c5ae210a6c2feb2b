#include "runtime/executor/catch_up.h"

#include <algorithm>

#include <fmt/format.h>

#include "runtime/executor/labels.h"

namespace sk::executor {

CatchUpDecision decide_catch_up(const plan::BackupJob& job, const std::vector<ops::BackupAttempt>& attempts,
                                int max_retry) {
  const std::vector<SnapshotLabel> candidates = label_candidates(job.label, max_retry);
  const std::string slot = job.slot.to_iso8601_utc();
  // The job's own tier (a covered tier's backups, e.g. weeklies for a monthly, hold less than it does).
  auto counts_for_job = [&](const ops::BackupAttempt& a) {
    return std::find(a.tiers.begin(), a.tiers.end(), job.tier) != a.tiers.end();
  };
  bool backed_up_before = false;
  for (const ops::BackupAttempt& a : attempts) {
    if (a.state != ops::AttemptState::kFinished) continue;
    if (std::find(candidates.begin(), candidates.end(), a.label) != candidates.end()) {
      return {false, fmt::format("catch-up of {}: the slot is done (snapshot {} FINISHED)", slot, a.label.str())};
    }
    if (!counts_for_job(a)) continue;
    if (a.slot && *a.slot >= job.slot) {
      return {false, fmt::format("catch-up of {}: a later backup of the tier exists (snapshot {}, slot {})", slot,
                                 a.label.str(), a.slot->to_iso8601_utc())};
    }
    backed_up_before = true;
  }
  if (!backed_up_before) {
    return {false, fmt::format("catch-up of {}: tier '{}' has not backed up {} before, so no slot was missed", slot,
                               job.tier.str(), job.database.str())};
  }
  return {true, fmt::format("catch-up of {}: the slot's window ended without a finished backup; taking it now",
                            slot)};
}

}  // namespace sk::executor
