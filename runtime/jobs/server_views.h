// Typed views of what the server says about backups, read BY COLUMN NAME (pitfall 6): SHOW BACKUP rows, SHOW
// SNAPSHOT rows, SHOW FRONTENDS/BACKENDS liveness, SHOW PROC '/backends/<id>' disk capacities, server DATETIMEs.
// Labels are compared as the plain values the server prints (SnapshotName is never quoted; pitfall 1).
// Pure functions; thread-safe. Errors: "sql.result" (missing column, malformed cell) from the Rows accessors,
// "executor.parse" for a malformed capacity or time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "kernel/domain/time.h"
#include "runtime/ports/sql_connection.h"

namespace sk::executor {

// One row of SHOW BACKUP (the latest job of a database).
struct ServerBackupJob {
  std::optional<std::int64_t> job_id;  // -1 / empty before PENDING allocated one → nullopt
  std::string label;                   // SnapshotName, verbatim
  std::string database;                // DbName
  std::string state;                   // PENDING … FINISHED | CANCELLED
  std::optional<std::string> create_time;    // server-local "yyyy-MM-dd HH:mm:ss"
  std::optional<std::string> finished_time;
  std::string status;                  // "[OK]" or "[CODE, msg: …]"
  std::string task_err_msg;

  [[nodiscard]] bool finished() const { return state == "FINISHED"; }
  [[nodiscard]] bool cancelled() const { return state == "CANCELLED"; }
  [[nodiscard]] bool terminal() const { return finished() || cancelled(); }
  // Status plus TaskErrMsg when present: what history records for a failed job.
  [[nodiscard]] std::string error_text() const;
};

// All rows of a SHOW BACKUP (or SHOW RESTORE: its label column is "Label") answer.
[[nodiscard]] Result<std::vector<ServerBackupJob>> parse_show_backup(const ports::Rows& rows);

// One row of SHOW SNAPSHOT ON repo [WHERE SNAPSHOT = 'l'].
struct SnapshotRow {
  std::string label;
  std::vector<std::string> timestamps;  // Timestamp split on '\n'; opaque strings
  std::string status;                   // "OK", "ERROR: no snapshot", "Invalid: …"
  [[nodiscard]] bool ok() const { return status == "OK" && !timestamps.empty(); }
};
[[nodiscard]] Result<std::vector<SnapshotRow>> parse_show_snapshot(const ports::Rows& rows);

// "1.234 TB" / "512.000 GB" / ".000 " / "0.000 B" → bytes. Errors: "executor.parse".
[[nodiscard]] Result<double> parse_capacity(std::string_view text);

// "true"/"false" (any case) → bool; anything else "executor.parse".
[[nodiscard]] Result<bool> parse_bool(std::string_view text);

// A server DATETIME ("yyyy-MM-dd HH:mm:ss", in the cluster's zone) → Instant. Errors: "executor.parse".
[[nodiscard]] Result<Instant> parse_server_time(std::string_view text, const TimeZone& cluster_zone);

// True when the server error text contains `needle` (errors are matched by substring: reference §0, §4).
[[nodiscard]] bool server_error_contains(const Error& error, std::string_view needle);

// True when a BACKUP/RESTORE was refused because the database's one job slot is taken ("Can only run one backup or
// restore job of a database at same time") or another submission holds the submit lock ("Another backup or
// restore job is being submitted"): both are worth retrying with backoff.
[[nodiscard]] bool is_job_slot_busy(const Error& error);

}  // namespace sk::executor
