// The statements only drills send (everything else goes through runtime/restore and runtime/ops): reading
// past drills from ops.restore_history, creating a scratch database (atomically: never an existing one),
// dropping it. Identifiers are quoted and values escaped by the StarRocks dialect (kernel/dialect,
// runtime/ops/ops_sql.h). Pure; thread-safe.
#pragma once

#include <string>

#include "kernel/domain/names.h"
#include "kernel/domain/time.h"

namespace sk::drill::sql {

// Rows of drill `name` whose target_time_utc lies in [from, to): run_id, target_time_utc, verification,
// state.
[[nodiscard]] std::string render_drill_history_query(const DatabaseName& ops_database, const DrillName& name,
                                                     Instant from, Instant to);
// The newest drill row that restored into `scratch`: run_id, state, verification (who left an existing
// scratch database; the same name is used by every drill of that name on that day).
[[nodiscard]] std::string render_scratch_owner_query(const DatabaseName& ops_database,
                                                     const DatabaseName& scratch);
// CREATE DATABASE `db` (no IF NOT EXISTS: the server's "database exists" error is the drill's exclusion).
[[nodiscard]] std::string render_create_database(const DatabaseName& db);
// DROP DATABASE IF EXISTS `db` FORCE (FORCE: no recycle bin for scratch data).
[[nodiscard]] std::string render_drop_database(const DatabaseName& db);

}  // namespace sk::drill::sql
