#include "runtime/expire/finding_alerts.h"

#include <fmt/format.h>

#include "runtime/alerts/dispatcher.h"

namespace sk::expire {
namespace {

alerts::AlertContext context_of(const Finding& f) {
  alerts::AlertContext c;
  c.repository = f.repository;
  c.database = f.database;
  if (auto label = SnapshotLabel::parse(f.label)) c.label = *label;
  c.finding = f.kind;
  c.detail = f.detail;
  return c;
}

}  // namespace

std::vector<std::string> alert_findings(const model::Policy& policy, const std::vector<Finding>& findings,
                                        const FindingAlertEnv& env) {
  std::vector<std::string> lines;
  alerts::NotifierDeps deps;
  deps.sleeper = &env.sleeper;
  std::ostream* progress = env.progress;
  deps.log = [progress](std::string line) {
    if (progress != nullptr) *progress << line << "\n";
  };
  // No warning callback: a failed delivery is one of the report's deliveries, printed below.
  alerts::AlertDispatcher dispatcher(policy, alerts::make_sinks(policy, deps), env.clock, env.invocation);
  if (!dispatcher.wants(alerts::AlertKind::kRepositoryFinding)) return lines;
  std::size_t matched = 0;
  for (const Finding& f : findings) {
    const alerts::DispatchReport report = dispatcher.dispatch(alerts::AlertKind::kRepositoryFinding, context_of(f));
    matched += report.events.size();
    for (const auto& d : report.deliveries) {
      lines.push_back(fmt::format("{} {}: {}", to_string(f.kind), f.label, alerts::describe(d)));
    }
  }
  if (matched == 0) lines.push_back("no repository.finding alert of the policy matches these findings: nothing sent");
  return lines;
}

std::unique_ptr<alerts::AlertPort> make_alert_port(const model::Policy& policy, const FindingAlertEnv& env) {
  alerts::NotifierDeps deps;
  deps.sleeper = &env.sleeper;
  std::ostream* progress = env.progress;
  const auto line = [progress](std::string text) {
    if (progress != nullptr) *progress << text << "\n";
  };
  deps.log = line;
  return std::make_unique<alerts::AlertDispatcher>(policy, alerts::make_sinks(policy, deps), env.clock,
                                                   env.invocation, line);
}

}  // namespace sk::expire
