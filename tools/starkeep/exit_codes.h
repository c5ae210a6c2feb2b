// Every exit status of the starkeep binary, in one place (documented in docs/cli.md and docs/operations.md). A
// scheduler can tell "nothing to do", "work due", "the policy or inventory is wrong", "you called me wrongly", "a
// file is missing", "the cluster is unreachable" and "the cluster refused" apart. Each code has one meaning for
// every command.
#pragma once

namespace sk::cli {

enum ExitCode : int {
  kExitOk = 0,           // success (plan: also "nothing due" with --detailed-exitcode)
  kExitErrors = 1,       // the policy or inventory has errors (or warnings with --warnings-as-errors)
  kExitWorkDue = 2,      // plan --detailed-exitcode: the plan has jobs or drills due
  kExitDrift = 3,        // repository apply: a repository exists but differs from the policy (or is unhealthy)
  // starkeep run / status (docs/operations.md):
  kExitNothingDue = 10,      // run: no job due at the instant, or no partition changed anywhere
  kExitAlreadyHandled = 11,  // run: the slot's snapshot exists already, or another runner is running its job
  kExitConflict = 12,        // run: a foreign backup/restore kept a database busy; backoff exhausted
  kExitJobFailed = 13,       // run: a job was CANCELLED by the server, or its BACKUP refused
  kExitRepository = 14,      // run: repository missing, read only or unreachable
  kExitPrecheck = 15,        // run: FE/BE not alive, or snapshot disk free space below the policy threshold
  kExitConnection = 16,      // every command: the cluster could not be reached (connect failed, or the connection
                             // was lost and the reconnect attempts failed) — transient, retry later
  // starkeep restore (docs/operations.md "Restore"):
  kExitRestoreNothing = 20,   // restore: no snapshot at or before the instant holds the target
  kExitSnapshotMissing = 21,  // restore: the snapshot is not in ops.backup_history or not in the repository
  kExitWrongTimestamp = 22,   // restore: the backup_timestamp is not one the repository lists for the label
  kExitSchemaConflict = 23,   // restore: the server cancelled the job: table exists with another schema/range
  kExitDiskLimit = 24,        // restore: the server cancelled the job: a BE disk exceeds its limit
  kExitRestoreFailed = 25,    // restore: any other cancelled/refused RESTORE, or the final replace failed
  kExitVerifyFailed = 26,     // restore: fingerprints differ (or PARTIAL / nothing verifiable with --replace);
                              // live untouched
  kExitTargetExists = 27,     // restore: the target table exists already (a restore never overwrites one)
  kExitRestoreBusy = 28,      // restore: another backup/restore kept the database busy; backoff exhausted
  kExitRestoreTimeout = 29,   // restore, drill: the wait limit passed; the RESTORE job was cancelled
  kExitUsage = 64,       // bad command line: unknown flag, missing value, malformed instant (EX_USAGE)
  kExitNoInput = 66,     // an input file cannot be read (EX_NOINPUT)
  kExitRefused = 69,     // every command without a more specific code: the cluster answered but refused a
                         // statement (missing privilege, ops schema absent, …) — fix the cluster or the grants
  kExitInternal = 70,    // a bug: an unexpected failure inside starkeep (EX_SOFTWARE)
  kExitInterrupted = 130,  // run: SIGTERM/SIGINT; stopped submitting (jobs on the server continue; reconciled)
  kExitConfig = 78,      // unsafe or incomplete configuration: non-HTTPS endpoint, missing credentials variable,
                         // bad connection settings, ops schema newer than this build (EX_CONFIG)
};

}  // namespace sk::cli
