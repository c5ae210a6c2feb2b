// The current BACKUP and RESTORE job of every database of the cluster, as `starkeep status` shows them. StarRocks
// has no cluster-wide job list: SHOW BACKUP / SHOW RESTORE without FROM read the session's current database only,
// and the FE keeps one job per database (the latest, backup or restore), which SHOW BACKUP lists only when it is a
// backup and SHOW RESTORE only when it is a restore. This asks SHOW DATABASES, then SHOW BACKUP FROM db and SHOW
// RESTORE FROM db for every user database, so a database whose latest job is a restore is listed too (issue 10
// item 20). Thread-compatible (one connection).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "runtime/jobs/job_state.h"
#include "runtime/jobs/server_views.h"
#include "runtime/ports/sql_connection.h"

namespace sk::jobs {

struct DatabaseJob {
  std::string database;
  JobKind kind = JobKind::kBackup;
  ServerJob job;  // the database's latest job of that kind (the last row SHOW lists)
};

// Every database SHOW DATABASES lists but the system ones (information_schema, _statistics_, sys) and names that
// are not database names. Errors: SHOW DATABASES failing, or a connection error on any SHOW; a server refusal for
// one database (dropped meanwhile) skips it.
[[nodiscard]] Result<std::vector<DatabaseJob>> current_jobs(ports::SqlConnection& conn);

}  // namespace sk::jobs
