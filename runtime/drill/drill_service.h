// The drill service behind `starkeep drill`: runs the policy's due drills (runtime/drill/drill_runner)
// against this cluster's ops tables, composes the policy's job.state alert (state FAILED) for each failed
// drill and delivers it (delivery never changes a drill's outcome), and summarizes the invocation for its
// exit code. Progress and undelivered-alert lines go to `Env::progress` when set. Not thread-safe (one
// connection).
#pragma once

#include <iosfwd>
#include <map>
#include <string>
#include <vector>

#include "common/result.h"
#include "compiler/model/policy.h"
#include "runtime/drill/drill_runner.h"
#include "runtime/ops/ops_schema.h"
#include "runtime/ports/clock.h"
#include "runtime/ports/sql_connection.h"

namespace sk::drill {

struct Env {
  ports::SqlConnection& connection;
  ops::OpsConfig ops;
  ports::Clock& clock;
  ports::Sleeper& sleeper;
  std::ostream* progress = nullptr;
};

struct DrillRun {
  std::vector<DrillReport> reports;  // policy order
  std::map<std::string, std::vector<std::string>>
      alerts;  // drill name → one line per alert delivery (or why none)
};

// A unique id for one invocation: UTC stamp, pid and 16 random bits.
[[nodiscard]] std::string new_invocation_id(Instant now);

// Runs the drills (options.invocation defaults to new_invocation_id). Errors: those of run_drills (the inputs
// cannot be read: "sql.*", "ops.*", "drill.usage").
[[nodiscard]] Result<DrillRun> run_drill_service(const model::Policy& policy, const Env& env,
                                                 DrillOptions options);

// What the invocation amounts to: the first FAILED drill's error wins, then a due drill without a snapshot,
// then a drill that ran (or was planned), else nothing was due.
struct Summary {
  enum class Kind { kRan, kNothingDue, kNothingToRestore, kFailed };
  Kind kind = Kind::kNothingDue;
  const Error* failure = nullptr;  // kFailed: points into the reports
};
[[nodiscard]] Summary summarize(const std::vector<DrillReport>& reports);

}  // namespace sk::drill
