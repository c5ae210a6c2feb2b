// The life of one server job, written once for every BACKUP and RESTORE starkeep sends (runner, canary,
// catalog publish/recover, restore steps, drills): submit while the database's one job slot may be busy, then
// await OUR job — identified by label AND job id, never "the newest job of the database" — to a terminal
// state.
//
//  * submit(): sends the statement; a busy slot or submit lock is retried with jittered exponential backoff
//    (interruptible by the stop flag between tries); the result says which of accepted / busy-exhausted /
//    refused / connection lost (outcome unknown: the caller asks the server) / stopped / yielded (a hook
//    declined) it was.
//  * await(): polls SHOW BACKUP|RESTORE FROM db with the adaptive cadence; honours the stop flag before every
//  poll
//    (never a busy spin); connection errors are retried with backoff until the deadline, not a fixed count;
//    on the deadline it cancels (CANCEL … FROM db cancels the CURRENT job) only when the policy asks and our
//    job is still the current one; past the caller's window (overrun_at) it reports the overrun once and, when
//    asked, cancels the same way; when a later job replaced ours in the server's one-row-per-database view
//    it returns kSuperseded at once, so the caller settles our job from the repository (SHOW SNAPSHOT) or the
//    restored object.
//
// Not thread-safe (one connection); the Clock and Sleeper are the ports' (fakes in tests).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "kernel/dialect/starrocks_dialect.h"
#include "kernel/domain/names.h"
#include "runtime/jobs/backoff.h"
#include "runtime/jobs/job_state.h"
#include "runtime/jobs/server_views.h"
#include "runtime/ports/clock.h"
#include "runtime/ports/sql_connection.h"

namespace sk::jobs {

// SHOW BACKUP|RESTORE FROM db, parsed. Errors: the connection's, with the statement as context.
[[nodiscard]] Result<std::vector<ServerJob>> show_jobs(ports::SqlConnection& conn, JobKind kind,
                                                       const DatabaseName& database);
// The database's current job of that kind (the last row listed); nullopt when none is listed.
[[nodiscard]] Result<std::optional<ServerJob>> latest_job(ports::SqlConnection& conn, JobKind kind,
                                                          const DatabaseName& database);

// What the repository says about one label (SHOW SNAPSHOT ON repo WHERE SNAPSHOT = 'label'): its row, or nullopt
// when the repository answered and lists no such snapshot. Could-not-read is an error, never "absent" (issue 10
// item 7): a finished job whose repository is briefly unreachable stays unsettled, never LOST.
[[nodiscard]] Result<std::optional<SnapshotRow>> find_snapshot(ports::SqlConnection& conn, const RepositoryName& repo,
                                                               const SnapshotLabel& label);
// The timestamp of the label's finished (Status OK) snapshot; nullopt when the repository answered without one.
[[nodiscard]] Result<std::optional<BackupTimestamp>> finished_snapshot(ports::SqlConnection& conn,
                                                                       const RepositoryName& repo,
                                                                       const SnapshotLabel& label);

// The database a backup of the label holds: SHOW SNAPSHOT ON repo WHERE SNAPSHOT = 'label' AND TIMESTAMP = 'ts'
// prints it in its Database column (reference §1.4); nullopt when the server does not say (no such column, or
// NULL: the snapshot's info could not be read). Errors: the connection's or the server's.
[[nodiscard]] Result<std::optional<std::string>> snapshot_database(ports::SqlConnection& conn,
                                                                  const RepositoryName& repo,
                                                                  const SnapshotLabel& label,
                                                                  const BackupTimestamp& backup_timestamp);

// SELECT current_version(): the server's version text ("4.2.0-abc"); "" when the server does not know the function
// (an old build). Connection errors pass through.
[[nodiscard]] Result<std::string> server_version(ports::SqlConnection& conn);

// server_version → dialect::grammar_for_version ("" → kPre34).
[[nodiscard]] Result<dialect::Grammar> detect_grammar(ports::SqlConnection& conn);

// ---- submit
// ------------------------------------------------------------------------------------------------------

struct SubmitPolicy {
  BackoffPolicy busy;                // retries while the slot is busy / the submit lock is held
  std::function<double()> random01;  // jitter source; empty → no jitter (factor 1)
};

struct SubmitHooks {
  std::function<void(int try_number)> before_try;  // may be empty
  // Called when the slot is busy, before sleeping `delay`; false stops retrying (Submitted::kYielded).
  std::function<bool(const Error& error, int tries, std::chrono::milliseconds delay)> on_busy;
};

struct Submitted {
  enum class Outcome {
    kAccepted,        // the server took the statement
    kBusyExhausted,   // the slot stayed busy through every retry
    kRefused,         // a server error that is not "busy": the statement will never be accepted as is
    kConnectionLost,  // the connection failed: whether the server took it is unknown
    kStopped,         // the stop flag was raised while waiting to retry
    kYielded,         // on_busy declined to retry
  } outcome = Outcome::kAccepted;
  int tries = 0;
  std::optional<Error> error;  // the last error (all but kAccepted)
};

[[nodiscard]] Submitted submit(ports::SqlConnection& conn, std::string_view sql, const SubmitPolicy& policy,
                               const std::atomic<bool>* stop, ports::Sleeper& sleeper,
                               const SubmitHooks& hooks = {});

// ---- await
// -------------------------------------------------------------------------------------------------------

// Which job is ours. `before`: the database's current job just before we submitted (never ours, even when it
// carries our label — a restore of the same snapshot again); `id`: our id once known (adoption, or the first
// poll that lists our label after `before`).
struct JobRef {
  std::string label;
  std::optional<JobId> id;
  std::optional<ServerJob> before;
};

struct CancelPolicy {
  bool at_deadline = false;  // send CANCEL … FROM db when our job is current
  std::chrono::milliseconds grace{std::chrono::minutes(5)};  // then wait this long for it to end
};

struct AwaitPolicy {
  PollPolicy poll;
  std::chrono::milliseconds deadline{std::chrono::hours(24)};  // from the start of the wait
  CancelPolicy cancel;
  BackoffPolicy outage{1'000'000, std::chrono::milliseconds(2'000), 2.0, std::chrono::milliseconds(30'000),
                       0.25};
  std::function<double()> random01;  // jitter of the outage backoff; empty → none
  bool sleep_first = false;          // wait one poll delay before the first poll
  // Our label unseen while only `before` (or nothing) is listed: the server may not show a just-accepted job
  // yet (a lagging follower FE). After this long it counts as superseded.
  std::chrono::milliseconds visibility_grace{std::chrono::seconds(60)};
  // The end of the caller's window, from the start of the wait (issue 10 item 9): at the first poll past it that
  // lists our job still running, on_overrun is called once, and with cancel_at_overrun our job is cancelled
  // (only while it is the current one; then the cancel grace applies). `deadline` stays the bound of the wait.
  std::optional<std::chrono::milliseconds> overrun_at;
  bool cancel_at_overrun = false;
};

struct AwaitHooks {
  std::function<void(const ServerJob& ours)> on_poll;  // after every poll that lists our job
  std::function<void(const Error& error)> on_error;    // a poll failed on the connection (retried)
  std::function<void(const std::string& cancel_sql, const Status& reply)> on_cancel;
  // Our job still runs past AwaitPolicy::overrun_at (called once, before a cancel_at_overrun cancel is sent).
  std::function<void(const ServerJob& ours)> on_overrun;
};

struct Awaited {
  enum class Outcome {
    kFinished,     // our job FINISHED
    kCancelled,    // our job CANCELLED (by the server, or by our cancel: see cancel_sent)
    kSuperseded,   // a later job replaced ours in SHOW: settle it from the repository / the restored object
    kTimedOut,     // the deadline (plus the cancel grace when a cancel was sent) passed with our job running
    kUnreachable,  // the deadline passed while the server could not be asked
    kStopped,      // the stop flag was raised
  } outcome = Outcome::kFinished;
  std::optional<ServerJob> job;      // our job as last seen
  std::optional<ServerJob> current;  // kSuperseded: the job listed instead of ours (if any)
  bool cancel_sent = false;
  bool overran = false;               // our job still ran past AwaitPolicy::overrun_at
  std::optional<Error> cancel_error;  // the server refused our cancel
  std::optional<Error> last_error;    // kUnreachable: the last connection error
};

// Errors: a poll failing with anything but a connection error (malformed SHOW, server error).
[[nodiscard]] Result<Awaited> await(ports::SqlConnection& conn, JobKind kind, const DatabaseName& database,
                                    JobRef ref, const AwaitPolicy& policy, const std::atomic<bool>* stop,
                                    ports::Clock& clock, ports::Sleeper& sleeper,
                                    const AwaitHooks& hooks = {});

[[nodiscard]] std::string_view to_string(Submitted::Outcome outcome);
[[nodiscard]] std::string_view to_string(Awaited::Outcome outcome);

}  // namespace sk::jobs
