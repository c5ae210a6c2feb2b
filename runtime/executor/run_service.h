// The run service behind `starkeep run`: everything between the compiled plan and the rendered report. It
// narrows the plan to --tier / --database, identifies the run (run id, host, pid), wires the runner's ports
// for a real process (an interruptible sleeper, "is this pid alive", the STARKEEP_TEST_PAUSE_AT test hook),
// gives the runner its AlertPort — the policy's AlertDispatcher, each alert also logged (runtime/alerts; delivery
// never changes the outcome), runs the plan (runtime/executor) and, after a run that finished a backup, publishes the catalog
// snapshot (runtime/catalog; a failure is a warning and an alert, never the run's outcome). Also builds the
// inventory document from ops.table_inventory for runs without an inventory file.
#pragma once

#include <atomic>
#include <string>

#include "common/result.h"
#include "compiler/model/policy.h"
#include "compiler/plan/plan.h"
#include "runtime/executor/run_log.h"
#include "runtime/executor/runner.h"
#include "runtime/ops/ops_schema.h"
#include "runtime/ports/clock.h"
#include "runtime/ports/sql_connection.h"

namespace sk::executor {

// A run id: compact UTC stamp, host (at most 24 characters) and pid, e.g. "20250914T010000Z-backup1-4242".
[[nodiscard]] std::string new_run_id(Instant now);

// The inventory JSON (docs/inventory.md) built from ops.table_inventory.
[[nodiscard]] Result<std::string> inventory_from_ops(ports::SqlConnection& connection,
                                                     const ops::OpsConfig& config, ports::Clock& clock);

// Sleeps in short steps so that a set `stop` flag ends a wait within ~100 ms. Thread-safe.
class StoppableSleeper final : public ports::Sleeper {
 public:
  explicit StoppableSleeper(const std::atomic<bool>& stop) : stop_(stop) {}
  void sleep_for(std::chrono::milliseconds duration) override;

 private:
  const std::atomic<bool>& stop_;
};

struct RunRequest {
  plan::Plan plan;            // at the instant, not yet narrowed
  std::string only_tier;      // --tier: only jobs of (or satisfying) this tier; empty: all
  std::string only_database;  // --database; empty: all
  RunConfig config;           // run_id set (new_run_id); host and pid are filled in
};

// What the service needs; every reference outlives the call.
struct RunEnv {
  SessionFactory connect;
  ports::Clock& clock;
  ports::Sleeper& sleeper;
  RunLog& log;
  const std::atomic<bool>* stop = nullptr;  // set by the signal handler
  ports::Progress* progress = nullptr;      // may be null: no progress display
};

// Runs the narrowed plan; then (unless a dry run) publishes the catalog snapshot. Never throws.
[[nodiscard]] RunReport run_service(const model::Policy& policy, RunRequest request, RunEnv env);

}  // namespace sk::executor
