// The runner's last step (issue 5 point 2): after a run that finished at least one backup (or settled earlier
// runs' jobs), publish a catalog snapshot (catalog.h) to every repository that received a backup in this run, so
// that the repository alone is enough to restore. Best effort: a failure is logged as a warning and raised as a
// job_failed alert (job.state FAILED/CANCELLED, database = the ops database, label = the catalog label); it never
// changes the run's outcome or its backups.
#pragma once

#include <atomic>
#include <vector>

#include "compiler/plan/plan.h"
#include "runtime/catalog/catalog.h"
#include "runtime/executor/run_log.h"
#include "runtime/executor/runner.h"
#include "runtime/ops/ops_schema.h"

namespace sk::executor {

struct AfterRunDeps {
  const SessionFactory& connect;
  ports::Clock& clock;
  ports::Sleeper& sleeper;
  RunLog& log;
  alerts::AlertPort* alert;  // may be null
  const std::atomic<bool>* stop = nullptr;  // SIGTERM: stop waiting for the catalog job (it continues on the server)
};

// The repositories of `plan`'s jobs whose database finished a backup in `report` (sorted, unique); every
// repository of the plan when only reconciliation changed the history.
[[nodiscard]] std::vector<RepositoryName> repositories_to_publish(const plan::Plan& plan,
                                                                  const RunReport& report);

// Publishes one catalog snapshot per repository (label from the current time and report.run_id). Returns what
// was published; failures are logged and alerted only.
std::vector<catalog::Published> publish_after_run(const plan::Plan& plan, const RunReport& report,
                                         const ops::OpsConfig& ops, AfterRunDeps deps,
                                         const catalog::JobOptions& options = catalog::JobOptions{});

}  // namespace sk::executor
