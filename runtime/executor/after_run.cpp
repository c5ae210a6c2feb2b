#include "runtime/executor/after_run.h"

#include <fmt/format.h>

#include <algorithm>

#include "runtime/jobs/job_state.h"

namespace sk::executor {

std::vector<RepositoryName> repositories_to_publish(const plan::Plan& plan, const RunReport& report) {
  std::vector<RepositoryName> out;
  auto add = [&](const RepositoryName& r) {
    if (std::find(out.begin(), out.end(), r) == out.end()) out.push_back(r);
  };
  for (const auto& d : report.databases) {
    if (d.outcome != Outcome::kSuccess || !d.label) continue;
    for (const auto* jobs : {&plan.jobs, &plan.catch_ups}) {  // a catch-up the run took (issue 10 item 11)
      for (const auto& j : *jobs) {
        if (j.database == d.database && j.tier == d.tier) add(j.repository);
      }
    }
  }
  if (out.empty() && report.reconciled > 0) {
    for (const auto& j : plan.jobs) add(j.repository);
  }
  std::sort(out.begin(), out.end(),
            [](const RepositoryName& a, const RepositoryName& b) { return a.str() < b.str(); });
  return out;
}

std::vector<catalog::Published> publish_after_run(const plan::Plan& plan, const RunReport& report,
                                                  const ops::OpsConfig& ops, AfterRunDeps deps,
                                                  const catalog::JobOptions& options) {
  std::vector<catalog::Published> out;
  const auto repositories = repositories_to_publish(plan, report);
  if (repositories.empty()) return out;
  const SnapshotLabel label = catalog::catalog_label(deps.clock.now(), report.run_id);
  auto fail = [&](const RepositoryName& repo, const Error& e) {
    deps.log.warn(
        LogFields("catalog.failed", ops.database.str(), label.str()),
        fmt::format("catalog snapshot not published to repository {} (the run's backups are unaffected; "
                    "the next run publishes again): {}",
                    repo.str(), e.describe()));
    if (deps.alert == nullptr) return;
    alerts::AlertContext c;
    c.database = ops.database;
    c.label = label;
    c.repository = repo;
    const bool cancelled = e.code == "catalog.failed" &&
                           e.message.find(jobs::to_string(jobs::JobState::kCancelled)) != std::string::npos;
    c.job_state = cancelled ? alerts::AlertJobState::server(jobs::JobState::kCancelled)
                            : alerts::AlertJobState::failed();
    c.detail = "catalog snapshot " + label.str() + " not published to " + repo.str() + ": " + e.message;
    deps.alert->raise(alerts::AlertKind::kJobState, c);
  };
  auto session = deps.connect(ops.database.str());
  if (!session) {
    for (const auto& repo : repositories) fail(repo, session.error());
    return out;
  }
  for (const auto& repo : repositories) {
    deps.log.info(LogFields("catalog.publish", ops.database.str(), label.str()),
                  "publishing catalog snapshot " + label.str() + " to repository " + repo.str());
    catalog::JobOptions job_options = options;
    if (!job_options.stop) job_options.stop = deps.stop;
    auto published = catalog::publish(**session, ops, repo, label, deps.clock, deps.sleeper, job_options);
    if (!published) {
      fail(repo, published.error());
      continue;
    }
    deps.log.info(LogFields("catalog.published", ops.database.str(), label.str(), published->job_id),
                  fmt::format("catalog snapshot {} published to repository {} (backup_timestamp {})",
                              label.str(), repo.str(), published->catalog.backup_timestamp));
    out.push_back(std::move(*published));
  }
  return out;
}

}  // namespace sk::executor
