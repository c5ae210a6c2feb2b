// The service behind `starkeep report` (docs/report.md): reads what the KPI report needs from the cluster — every
// backup attempt, the drills, the FINISHED history with its manifests, the expiries, the inventory (a constant
// number of queries, whatever the history's size) and, unless skipped, the repository check's findings (one SHOW
// SNAPSHOT per repository, reads only) — and builds the model (report_model.h). Sends only reads; migrates nothing.
// Errors: "report.usage" (from not before to), the connection's "sql.*" errors. A repository check that fails is
// not an error: the report says the repositories were not checked, and why. Not thread-safe (one connection).
#pragma once

#include <string>

#include "common/result.h"
#include "compiler/model/policy.h"
#include "runtime/ops/ops_schema.h"
#include "runtime/ports/clock.h"
#include "runtime/ports/sql_connection.h"
#include "runtime/report/report_model.h"

namespace sk::report {

struct Env {
  ports::SqlConnection& connection;
  ops::OpsConfig ops;
  ports::Clock& clock;
};

struct Request {
  Instant from, to;
  bool check_repositories = true;
};

[[nodiscard]] Result<Report> make_report(const model::Policy& policy, const Env& env, const Request& request);

// Writes `text` to `path` atomically (ports::write_file_atomically), so a reader (or a mail job) never sees half a
// report. "report.write" names the path, the failed step and the system's reason.
[[nodiscard]] Status write_file_atomically(const std::string& path, const std::string& text);

// The inventory as the compiler reads it, from ops.table_inventory rows.
[[nodiscard]] inventory::Inventory to_inventory(const std::vector<ops::InventoryRecord>& records);

}  // namespace sk::report
