// Catch-up of missed slots at run time (issue 10 item 11): whether the runner takes a catch-up job of the plan
// (plan::BackupJob::catch_up: the tier's latest slot, past its window, inside its catch-up horizon) — decided from
// this cluster's ops history, never from the calendar alone. Pure; thread-safe.
//
// A catch-up job is taken when, among the database's attempts in ops.backup_history:
//   * none that FINISHED carries one of the slot's labels (L, L_r1, …: labels.h) — the slot is not done;
//   * none that FINISHED counts for the job's tier (its `tiers` column names it) with a slot at or after the job's
//     slot (a later backup of the tier exists, e.g. a run for an earlier instant replayed with `run --at`);
//   * some FINISHED attempt counts for the job's tier at an earlier slot: the tier has
//     backed the database up before, so this slot was missed. A tier that never backed the database up has
//     missed nothing — its first backup is its first slot in the window (docs/language.md "Catch-up").
// Otherwise the job is dropped before the pre-checks, with the reason logged; a run left with no job exits
// "nothing due". A catch-up kept here still goes through the worker's label decision (SHOW SNAPSHOT, the current
// job), so a slot another runner is taking, or whose history was lost, is never backed up twice.
#pragma once

#include <string>
#include <vector>

#include "compiler/plan/plan.h"
#include "runtime/ops/ops_store.h"

namespace sk::executor {

struct CatchUpDecision {
  bool take = false;
  std::string reason;  // why it is taken or dropped, for the log
};

// `attempts`: every attempt of the job's database (any state); `max_retry`: as for label_candidates.
[[nodiscard]] CatchUpDecision decide_catch_up(const plan::BackupJob& job,
                                              const std::vector<ops::BackupAttempt>& attempts, int max_retry = 9);

}  // namespace sk::executor
