#include "runtime/drill/drill_service.h"

#include <fmt/format.h>
#include <unistd.h>

#include <memory>
#include <ostream>
#include <random>

#include "runtime/alerts/dispatcher.h"
#include "runtime/ops/ops_store.h"

namespace sk::drill {
namespace {

using AlertLines = std::map<std::string, std::vector<std::string>>;

alerts::AlertContext failure_context(const DrillReport& r) {
  alerts::AlertContext ctx;
  ctx.tier = r.from;
  ctx.job_state = alerts::AlertJobState::failed();
  if (r.choice) {
    ctx.database = r.choice->database;
    ctx.label = r.choice->snapshot.label;
    ctx.repository = r.choice->snapshot.repository;
  }
  ctx.detail = fmt::format("restore drill '{}' ({} from tier '{}', period {}) FAILED{}{}: {}", r.name.str(),
                           model::to_string(r.scope), r.from.str(), r.period.label,
                           r.choice ? " restoring " + r.choice->object() : std::string(),
                           r.scratch ? " into " + r.scratch->str() : std::string(),
                           r.error ? r.error->message : std::string("unknown error"));
  ctx.started_at = r.started_at;
  return ctx;
}

// Failed drills raise the policy's job.state alerts (state FAILED); each delivery (or why there was none) is
// one line of `lines`.
FailureHook alert_on_failure(const model::Policy& policy, const Env& env, const std::string& invocation,
                             AlertLines& lines) {
  alerts::NotifierDeps notifier_deps;
  notifier_deps.sleeper = &env.sleeper;
  std::ostream* progress = env.progress;
  notifier_deps.log = [progress](std::string line) {
    if (progress != nullptr) *progress << line << "\n";
  };
  auto dispatcher = std::make_shared<alerts::AlertDispatcher>(
      policy, alerts::make_sinks(policy, notifier_deps), env.clock, invocation, [progress](std::string line) {
        if (progress != nullptr) *progress << "starkeep drill: alert not delivered: " << line << "\n";
      });
  return [dispatcher, &lines](const DrillReport& r) {
    std::vector<std::string>& out = lines[r.name.str()];
    if (!dispatcher->wants(alerts::AlertKind::kJobState)) {
      out.push_back("no alert of the policy has a job.state condition: nothing sent");
      return;
    }
    const alerts::DispatchReport report = dispatcher->dispatch(alerts::AlertKind::kJobState, failure_context(r));
    if (report.events.empty())
      out.push_back("no job.state alert of the policy matches state FAILED: nothing sent");
    for (const auto& d : report.deliveries) out.push_back(alerts::describe(d));
  };
}

}  // namespace

std::string new_invocation_id(Instant now) {
  std::string stamp;
  for (char c : now.to_iso8601_utc()) {
    if (c != '-' && c != ':') stamp += c;
  }
  return fmt::format("{}-{}-{:04x}", stamp, ::getpid(), std::random_device{}() & 0xffffu);
}

Result<DrillRun> run_drill_service(const model::Policy& policy, const Env& env, DrillOptions options) {
  if (options.invocation.empty()) options.invocation = new_invocation_id(env.clock.now());
  DrillRun run;
  const FailureHook on_failure = alert_on_failure(policy, env, options.invocation, run.alerts);
  ops::OpsStore store(env.connection, env.ops, env.clock);
  auto reports =
      run_drills(policy, env.connection, store, env.clock, env.sleeper, options, env.progress, on_failure);
  if (!reports) return std::unexpected(std::move(reports.error()));
  run.reports = std::move(*reports);
  return run;
}

Summary summarize(const std::vector<DrillReport>& reports) {
  bool nothing = false;
  bool ran = false;
  for (const auto& r : reports) {
    switch (r.verdict) {
      case Verdict::kFailed:
        return Summary{Summary::Kind::kFailed, r.error ? &*r.error : nullptr};
      case Verdict::kNoSnapshot:
        nothing = true;
        break;
      case Verdict::kPassed:
      case Verdict::kPlanned:
        ran = true;
        break;
      case Verdict::kNotDue:
        break;
    }
  }
  if (nothing) return Summary{Summary::Kind::kNothingToRestore, nullptr};
  return Summary{ran ? Summary::Kind::kRan : Summary::Kind::kNothingDue, nullptr};
}

}  // namespace sk::drill
