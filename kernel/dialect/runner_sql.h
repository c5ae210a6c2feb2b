// StarRocks statements the runner needs besides BACKUP/RESTORE (starrocks_dialect.h): cluster health, per-BE disk
// space, the cluster time zone and the one-query-per-database partition metadata read used for binding. Part of
// the dialect module (the only code that renders SQL): names and values go through quote_identifier/quote_string.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "kernel/domain/names.h"

namespace sk::dialect {

[[nodiscard]] std::string render_show_frontends();    // SHOW FRONTENDS
[[nodiscard]] std::string render_show_backends();     // SHOW BACKENDS
[[nodiscard]] std::string render_show_repositories_stmt();  // SHOW REPOSITORIES
// SHOW BACKUP without FROM: the latest job of every database (3.x, no current database).
[[nodiscard]] std::string render_show_backup_all();
// SHOW PROC '/backends/<id>': one row per disk (RootPath, AvailCapacity, TotalCapacity, State, ...).
[[nodiscard]] std::string render_show_backend_disks(std::int64_t backend_id);
// SHOW VARIABLES LIKE 'time_zone': the zone the server prints its DATETIMEs in (SHOW BACKUP CreateTime, ...).
[[nodiscard]] std::string render_show_time_zone();
// SELECT TABLE_NAME, PARTITION_NAME, PARTITION_ID, VISIBLE_VERSION, UNIX_TIMESTAMP(VISIBLE_VERSION_TIME) AS
//   VISIBLE_VERSION_UNIX, ROW_COUNT, DATA_SIZE FROM information_schema.partitions_meta
//   WHERE DB_NAME = 'db' AND IS_TEMP = 0 ORDER BY TABLE_NAME, PARTITION_NAME
// One statement for every table of the database (pitfall 13); the time comes back as epoch seconds, so no
// server-local DATETIME is ever interpreted by the runner (pitfall 3).
[[nodiscard]] std::string render_partitions_meta_for_binding(const DatabaseName& db);

}  // namespace sk::dialect
