// Typed views of what the server says about backup and restore jobs, read BY COLUMN NAME (pitfall 6): SHOW
// BACKUP / SHOW RESTORE rows, SHOW SNAPSHOT rows, server DATETIMEs, and the error texts that mean "the
// database's one job slot is busy". Labels are compared as the plain values the server prints (SnapshotName
// is never quoted; pitfall 1). Pure functions; thread-safe. Errors: "sql.result" (missing column, malformed
// cell) from the Rows accessors, "jobs.parse" for a malformed time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "kernel/domain/backup_timestamp.h"
#include "kernel/domain/time.h"
#include "runtime/jobs/job_state.h"
#include "runtime/ports/sql_connection.h"

namespace sk::jobs {

// One row of SHOW BACKUP or SHOW RESTORE (the server keeps the latest job of each database).
struct ServerJob {
  std::optional<JobId> job_id;  // -1 / empty before PENDING allocated one → nullopt
  std::string label;            // SnapshotName (backup) / Label (restore), verbatim
  std::string database;         // DbName ("" when the server did not print it)
  JobState state = JobState::kOther;
  std::string state_text;  // State verbatim (what history records; kOther keeps the server's word)
  std::optional<std::string> create_time;  // server-local "yyyy-MM-dd HH:mm:ss"
  std::optional<std::string> finished_time;
  std::string status;  // "[OK]" or "[CODE, msg: …]"
  std::string task_err_msg;

  [[nodiscard]] bool finished() const { return state == JobState::kFinished; }
  [[nodiscard]] bool cancelled() const { return state == JobState::kCancelled; }
  [[nodiscard]] bool terminal() const { return jobs::terminal(state); }
  // Status plus TaskErrMsg when present: what history records for a failed job.
  [[nodiscard]] std::string error_text() const;
};

// All rows of a SHOW BACKUP (label column "SnapshotName") or SHOW RESTORE ("Label") answer. Needs the label
// and State columns; every other column is optional.
[[nodiscard]] Result<std::vector<ServerJob>> parse_show_jobs(const ports::Rows& rows);

// One row of SHOW SNAPSHOT ON repo [WHERE SNAPSHOT = 'l'].
struct SnapshotRow {
  std::string label;
  std::vector<BackupTimestamp> timestamps;  // Timestamp split on '\n'; opaque
  std::string status;                       // "OK", "ERROR: no snapshot", "Invalid: …"
  // StarRocks 4.2+ (columns absent before; NULL when the info file cannot be read or predates 4.2): the BACKUP's
  // `ttl` property as written and the instant it resolves to, as the server prints it (read_snapshot_time).
  std::optional<std::string> ttl{};
  std::optional<std::string> expire_time{};
  [[nodiscard]] bool ok() const { return status == "OK" && !timestamps.empty(); }
  // The last timestamp listed (the newest backup of the label); nullopt when none.
  [[nodiscard]] std::optional<BackupTimestamp> latest() const;
};
[[nodiscard]] Result<std::vector<SnapshotRow>> parse_show_snapshot(const ports::Rows& rows);

// The `Value` of SHOW VARIABLES LIKE 'time_zone' (dialect::render_show_time_zone), nullopt when the server
// returned no row or NULL.
[[nodiscard]] std::optional<std::string> time_zone_value(const ports::Rows& rows);

// SHOW SNAPSHOT's FinishTime/ExpireTime (4.2): the backup-timestamp form "yyyy-MM-dd-HH-mm-ss[-SSS]" or a DATETIME
// "yyyy-MM-dd HH:mm:ss", in the cluster's zone (the format is unverified on a real 4.2 FE, so both are read;
// milliseconds are dropped). Errors: "jobs.parse".
[[nodiscard]] Result<Instant> read_snapshot_time(std::string_view text, const TimeZone& cluster_zone);

// A server DATETIME ("yyyy-MM-dd HH:mm:ss", in the cluster's zone) → Instant. Errors: "jobs.parse".
[[nodiscard]] Result<Instant> parse_server_time(std::string_view text, const TimeZone& cluster_zone);
// The same, for an optional cell; nullopt when absent or malformed.
[[nodiscard]] std::optional<Instant> server_time(const std::optional<std::string>& text,
                                                 const TimeZone& zone);

// True when the server error text contains `needle` (errors are matched by substring: reference §0, §4).
[[nodiscard]] bool server_error_contains(const Error& error, std::string_view needle);

// "Can only run one backup or restore job of a database at same time": the database's one job slot is taken.
[[nodiscard]] bool is_slot_taken(const Error& error);
// "Another backup or restore job is being submitted": another submission holds the submit lock.
[[nodiscard]] bool is_submit_locked(const Error& error);
// Either of the two: worth retrying with backoff.
[[nodiscard]] bool is_job_slot_busy(const Error& error);

}  // namespace sk::jobs
