// The statements only drills send (everything else goes through runtime/restore and runtime/ops): reading past
// drills from ops.restore_history, checking that a scratch database does not exist, dropping it. Identifiers are
// quoted and values escaped by the StarRocks dialect (runtime/dialect, runtime/ops/ops_sql.h). Pure; thread-safe.
#pragma once

#include <string>

#include "compiler/domain/names.h"
#include "compiler/domain/time.h"

namespace sk::drill::sql {

// Rows of drill `name` whose target_time_utc lies in [from, to): run_id, target_time_utc, verification, state.
[[nodiscard]] std::string render_drill_history_query(const DatabaseName& ops_database, const DrillName& name,
                                                     Instant from, Instant to);
// Drill rows that restored into `scratch`: run_id, state, verification (who left an existing scratch database).
[[nodiscard]] std::string render_scratch_owner_query(const DatabaseName& ops_database, const DatabaseName& scratch);
// SCHEMA_NAME of `db` in information_schema.schemata: one row when the database exists.
[[nodiscard]] std::string render_database_exists_query(const DatabaseName& db);
// DROP DATABASE IF EXISTS `db` FORCE (FORCE: no recycle bin for scratch data).
[[nodiscard]] std::string render_drop_database(const DatabaseName& db);

}  // namespace sk::drill::sql
