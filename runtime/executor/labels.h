// Which label a database's job for a slot uses, decided from the server's truth (SHOW SNAPSHOT, SHOW BACKUP) and
// our history: the plan's label L, or L_r1, L_r2 … when earlier attempts used (and failed with) the previous ones.
// Labels are compared as values (never re-parsed from SQL, pitfall 1). Pure; thread-safe.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/result.h"
#include "kernel/domain/names.h"
#include "kernel/domain/backup_timestamp.h"
#include "runtime/jobs/server_views.h"

namespace sk::executor {

// L, L_r1, … L_r<max_retry>; the order in which attempts use them.
[[nodiscard]] std::vector<SnapshotLabel> label_candidates(const SnapshotLabel& base, int max_retry = 9);

struct LabelDecision {
  enum class Kind {
    kDone,            // a finished snapshot of this slot exists: nothing to submit
    kRunning,         // the database's current job carries one of the slot's labels and is still running
    kSubmit,          // submit a new job with `label`
    kExhausted,       // every candidate is used up
  } kind = Kind::kSubmit;
  SnapshotLabel label;                          // kDone/kRunning: the existing label; kSubmit: the one to use
  std::optional<BackupTimestamp> backup_timestamp;  // kDone
  std::optional<jobs::ServerJob> job;           // kRunning (and kDone when SHOW BACKUP still shows it)
};

// `snapshots`: SHOW SNAPSHOT rows (all, or only the candidates); `current`: SHOW BACKUP FROM db (at most one row;
// empty when the database never had a job); `history_labels`: labels of our own earlier attempts for this slot
// (any state). A candidate is "used" when the repository has a directory for it (any Status), the current job
// carries it, or our history has an attempt with it. `finished_in_history`: labels of our own FINISHED attempts
// (with their backup timestamps when recorded): such a label is DONE, not merely used (issue 10 item 3), even when
// `snapshots` is older than the attempt and the database's current job is another one. `foreign`: labels whose
// finished snapshot is not this cluster's backup of this database (issue 10 item 10: another cluster sharing the
// repository, or another database): never "done", but still used (the repository refuses the label again).
[[nodiscard]] LabelDecision decide_label(const SnapshotLabel& base, const std::vector<jobs::SnapshotRow>& snapshots,
                                         const std::vector<jobs::ServerJob>& current,
                                         const std::set<std::string>& history_labels, int max_retry = 9,
                                         const std::map<std::string, std::optional<BackupTimestamp>>&
                                             finished_in_history = {},
                                         const std::set<std::string>& foreign = {});

}  // namespace sk::executor
