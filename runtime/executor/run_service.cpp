#include "runtime/executor/run_service.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "common/json_text.h"
#include "runtime/alerts/dispatcher.h"
#include "runtime/executor/after_run.h"
#include "runtime/ops/ops_store.h"

namespace sk::executor {
namespace {

std::string this_host() {
  char host[256] = {0};
  ::gethostname(host, sizeof(host) - 1);
  return host;
}

// The first line of a small file; empty when it cannot be read.
std::string first_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

// Issue 10 item 5: "<boot id>/<start time>" of process `pid` on this host — the boot id (random per boot) and field
// 22 of /proc/<pid>/stat (the start time in clock ticks since boot), so a pid reused by another process, now or
// after a reboot, never matches. Fields are counted after the last ')' (the command name may hold spaces and
// parentheses). nullopt when the process is gone or /proc is not Linux's.
std::optional<std::string> process_start_identity(std::int64_t pid) {
  const std::string boot = first_line("/proc/sys/kernel/random/boot_id");
  const std::string stat = first_line("/proc/" + std::to_string(pid) + "/stat");
  const auto close = stat.rfind(')');
  if (boot.empty() || close == std::string::npos) return std::nullopt;
  std::istringstream fields(stat.substr(close + 1));
  std::string field;
  for (int n = 3; n <= 22 && fields >> field; ++n) {  // field 3 (state) is the first after ')'
    if (n == 22) return boot + "/" + field;
  }
  return std::nullopt;
}

// --tier / --database narrow the plan.
void narrow_jobs(std::vector<plan::BackupJob>& all, const std::string& tier, const std::string& database) {
  std::vector<plan::BackupJob> jobs;
  for (auto& j : all) {
    const bool tier_ok = tier.empty() || j.tier.str() == tier ||
                         std::any_of(j.satisfies.begin(), j.satisfies.end(),
                                     [&](const TierName& t) { return t.str() == tier; });
    const bool db_ok = database.empty() || j.database.str() == database;
    if (tier_ok && db_ok) jobs.push_back(std::move(j));
  }
  all = std::move(jobs);
}
void narrow(plan::Plan& p, const std::string& tier, const std::string& database) {
  narrow_jobs(p.jobs, tier, database);
  narrow_jobs(p.catch_ups, tier, database);
}

// Test-only (docs/operations.md "Test hooks"): STARKEEP_TEST_PAUSE_AT=<step> stops the whole process with
// SIGSTOP when the run reaches that step (RunnerDeps::checkpoint), so that a test can SIGKILL it exactly
// there.
std::function<void(std::string_view)> test_pause_points(RunLog& log) {
  const char* step = std::getenv("STARKEEP_TEST_PAUSE_AT");
  if (step == nullptr || *step == '\0') return {};
  return [wanted = std::string(step), &log](std::string_view reached) {
    if (reached != wanted) return;
    log.warn(LogFields("test.pause"), "STARKEEP_TEST_PAUSE_AT: stopping at " + wanted);
    ::raise(SIGSTOP);
  };
}

template <typename Name>
std::optional<std::string> text_of(const std::optional<Name>& name) {
  return name ? std::optional<std::string>(name->str()) : std::nullopt;
}

alerts::NotifierSinks notifier_sinks(const model::Policy& policy, const RunEnv& env) {
  alerts::NotifierDeps notifier_deps;
  notifier_deps.sleeper = &env.sleeper;
  notifier_deps.log = [&log = env.log](std::string line) { log.warn(LogFields("alert"), line); };
  return alerts::make_sinks(policy, notifier_deps);
}

// The runner's AlertPort: each alert is logged as a warning, then raised through the policy's alerts
// (delivery never fails the run; failed deliveries are logged as alert.failed).
class LoggedPolicyAlerts final : public alerts::AlertPort {
 public:
  LoggedPolicyAlerts(const model::Policy& policy, const RunEnv& env, const std::string& run_id)
      : log_(env.log),
        dispatcher_(policy, notifier_sinks(policy, env), env.clock, run_id,
                    [&log = env.log](std::string line) { log.warn(LogFields("alert.failed"), line); }) {}

  void raise(alerts::AlertKind kind, const alerts::AlertContext& c) noexcept override {
    log_.warn(
        LogFields("alert", text_of(c.database), text_of(c.label), jobs::to_int(c.job_id), text_of(c.tier)),
        "alert: " + c.detail);
    dispatcher_.raise(kind, c);
  }
  void resolve(alerts::AlertKind kind, const alerts::AlertContext& c) noexcept override {
    if (!dispatcher_.wants(kind)) return;
    log_.debug(LogFields("alert.resolved", text_of(c.database), text_of(c.label), std::nullopt, text_of(c.tier)),
               "condition over" + (c.repository ? " for repository " + c.repository->str() : std::string()) +
                   (c.backend ? " for backend " + std::to_string(*c.backend) : std::string()) +
                   ": resolving (Alertmanager notifiers)");
    dispatcher_.resolve(kind, c);
  }

 private:
  RunLog& log_;
  alerts::AlertDispatcher dispatcher_;
};

}  // namespace

std::string new_run_id(Instant now) {
  std::string h = this_host();
  if (h.size() > 24) h.resize(24);
  std::string compact;
  for (char c : now.to_iso8601_utc()) {  // 2025-09-14T01:00:00Z
    if (c != '-' && c != ':') compact += c;
  }
  return fmt::format("{}-{}-{}", compact, h, ::getpid());
}

Result<std::string> inventory_from_ops(ports::SqlConnection& connection, const ops::OpsConfig& config,
                                       ports::Clock& clock) {
  ops::OpsStore store(connection, config, clock);
  auto records = store.load_inventory();
  if (!records)
    return std::unexpected(std::move(records.error()).with_context("reading ops.table_inventory"));
  nlohmann::json tables = nlohmann::json::array();
  for (const auto& r : *records) {
    if (r.retired_at) continue;  // gone from the cluster (issue 10 item 15): no longer selected
    nlohmann::json t{
        {"database", r.database.str()}, {"table", r.table.str()}, {"partitioned", r.partitioned}};
    if (!r.table_class.empty()) t["class"] = r.table_class;
    if (!r.eligibility.empty()) t["eligibility"] = r.eligibility;
    tables.push_back(std::move(t));
  }
  return json_text(nlohmann::json{{"inventory_version", 1}, {"tables", tables}}, 2);
}

void StoppableSleeper::sleep_for(std::chrono::milliseconds duration) {
  const auto end = std::chrono::steady_clock::now() + duration;
  while (!stop_.load()) {
    const auto left = end - std::chrono::steady_clock::now();
    if (left <= std::chrono::milliseconds(0)) return;
    std::this_thread::sleep_for(
        std::min<std::chrono::steady_clock::duration>(left, std::chrono::milliseconds(100)));
  }
}

RunReport run_service(const model::Policy& policy, RunRequest request, RunEnv env) {
  narrow(request.plan, request.only_tier, request.only_database);
  RunConfig& config = request.config;
  config.host = this_host();
  config.pid = ::getpid();
  config.process_start = process_start_identity(config.pid);
  RunnerDeps deps{
      env.connect, env.clock, env.sleeper, env.log, {}, env.stop, {}, {}, test_pause_points(env.log)};
  deps.process_alive = [](const std::string&, std::int64_t pid) {
    return pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM);
  };
  LoggedPolicyAlerts policy_alerts(policy, env, config.run_id);
  deps.alert = &policy_alerts;
  deps.progress = env.progress;
  deps.process_start = process_start_identity;
  RunReport report = run(policy, request.plan, config, deps);
  // Cold-start recovery (runtime/catalog, owned by restore): after a run that finished a backup, publish the
  // ops catalog to the same repositories; a failure is a warning and an alert, never the run's outcome.
  if (!config.dry_run) {
    (void)publish_after_run(request.plan, report, config.ops,
                            {env.connect, env.clock, env.sleeper, env.log, deps.alert, env.stop});
  }
  return report;
}

}  // namespace sk::executor
