// starkeep drill: runs the restore drills the policy declares (runtime/drill): which are due at --at (no
// PASSED drill of that name in ops.restore_history for the calendar period containing it), the reproducible
// choice of partition, table or database, a restore into a scratch database, checksum verification against
// the values recorded at backup time, rows in ops.restore_history, the scratch database dropped, and the
// policy's job.state alerts on failure. Summary on stdout (text or JSON), progress on stderr. Exit codes:
// exit_codes.h and docs/operations.md "Drills".
#include <fmt/format.h>
#include <unistd.h>

#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "runtime/drill/drill_runner.h"
#include "runtime/ops/ops_store.h"
#include "runtime/ports/clock.h"
#include "tools/starkeep/cli_common.h"
#include "tools/starkeep/cluster_options.h"
#include "tools/starkeep/commands.h"
#include "tools/starkeep/exit_codes.h"
#ifdef STARKEEP_HAVE_ALERTS
#include "runtime/alerts/dispatcher.h"
#endif

namespace sk::cli {
namespace {

struct DrillCliOptions {
  std::string policy;
  std::string at = "now";
  std::string drill;
  std::string format = "text";
  bool dry_run = false;
  bool keep = false;
  int replication_num = 1;
  int poll_initial_ms = 500;
  int busy_retries = 6;
  int busy_delay_ms = 2000;
  int wait_limit_s = 86400;
  mysql::ConnectionFlags connection;
  OpsFlags ops;
};

// The exit code of one failed drill: the restore codes, 26 for anything that was not verified.
int exit_code_for_drill_error(const Error& e) {
  const std::string& c = e.code;
  if (c == "restore.nothing" || c == "drill.no_snapshot") return kExitRestoreNothing;
  if (c == "restore.snapshot_missing") return kExitSnapshotMissing;
  if (c == "restore.wrong_timestamp") return kExitWrongTimestamp;
  if (c == "restore.schema_conflict") return kExitSchemaConflict;
  if (c == "restore.disk_limit") return kExitDiskLimit;
  if (c == "restore.job_failed") return kExitRestoreFailed;
  if (c == "restore.timeout") return kExitRestoreTimeout;
  if (c == "restore.verify_failed" || c == "drill.unverified") return kExitVerifyFailed;
  if (c == "restore.target_exists") return kExitTargetExists;
  if (c == "restore.busy") return kExitRestoreBusy;
  if (c == "restore.usage" || c == "drill.usage" || c.starts_with("domain.")) return kExitUsage;
  if (c.starts_with("sql.")) return exit_code_for(e);
  return kExitInternal;
}

// The invocation's exit code: the first failed drill's code; else 20 when a due drill had nothing to restore;
// else 0 when a drill ran (or was planned); else 10 (nothing due).
int overall_exit_code(const std::vector<drill::DrillReport>& reports) {
  bool nothing = false;
  bool ran = false;
  for (const auto& r : reports) {
    switch (r.verdict) {
      case drill::Verdict::kFailed:
        return exit_code_for_drill_error(*r.error);
      case drill::Verdict::kNoSnapshot:
        nothing = true;
        break;
      case drill::Verdict::kPassed:
      case drill::Verdict::kPlanned:
        ran = true;
        break;
      case drill::Verdict::kNotDue:
        break;
    }
  }
  if (nothing) return kExitRestoreNothing;
  return ran ? kExitOk : kExitNothingDue;
}

std::string invocation_id(Instant now) {
  std::string stamp;
  for (char c : now.to_iso8601_utc()) {
    if (c != '-' && c != ':') stamp += c;
  }
  return fmt::format("{}-{}-{:04x}", stamp, ::getpid(), std::random_device{}() & 0xffffu);
}

int fail(const std::string& message, int code, std::string_view format) {
  if (format == "json") {
    std::cout << nlohmann::json{{"error", message}, {"exit_code", code}}.dump(2) << "\n";
  }
  std::cerr << "starkeep drill: error: " << message << "\n";
  return code;
}

int run_drill_command(const DrillCliOptions& o) {
  int exit_code = kExitOk;
  auto policy = load_policy_model(o.policy, std::cerr, exit_code);
  if (!policy) return exit_code;
  auto at = parse_instant_flag(o.at, policy->time_zone);
  if (!at) return fail("--at: " + at.error().message, kExitUsage, o.format);
  auto config = ops_config(o.ops);
  if (!config) return fail(config.error().describe(), kExitUsage, o.format);

  ports::SystemClock clock;
  ports::ThreadSleeper sleeper;
  drill::DrillOptions options;
  options.at = *at;
  if (!o.drill.empty()) {
    auto name = DrillName::parse(o.drill);
    if (!name) return fail("--drill: " + name.error().message, kExitUsage, o.format);
    options.only = *name;
  }
  options.dry_run = o.dry_run;
  options.keep = o.keep;
  options.replication_num = o.replication_num;
  options.invocation = invocation_id(clock.now());
  options.execute.poll_initial = std::chrono::milliseconds(o.poll_initial_ms);
  options.execute.busy_retries = o.busy_retries;
  options.execute.busy_initial = std::chrono::milliseconds(o.busy_delay_ms);
  options.execute.job_deadline = std::chrono::seconds(o.wait_limit_s);

  auto session = open_cluster(o.connection);
  if (!session) return fail(session.error().describe(), exit_code_for(session.error()), o.format);
  ports::SqlConnection& conn = **session;
  ops::OpsStore store(conn, *config, clock);

  // Failed drills raise the policy's job.state alerts (state FAILED); delivery never changes the outcome.
  std::map<std::string, std::vector<std::string>> alerted;  // drill → one line per delivery
  drill::FailureHook on_failure;
#ifdef STARKEEP_HAVE_ALERTS
  alerts::NotifierDeps notifier_deps;
  notifier_deps.sleeper = &sleeper;
  notifier_deps.log = [](std::string line) { std::cerr << line << "\n"; };
  auto dispatcher = std::make_shared<alerts::AlertDispatcher>(
      *policy, alerts::make_sinks(*policy, notifier_deps), clock, options.invocation,
      [](std::string line) { std::cerr << "starkeep drill: alert not delivered: " << line << "\n"; });
  on_failure = [dispatcher, &alerted](const drill::DrillReport& r) {
    alerts::AlertContext ctx;
    ctx.tier = r.from;
    ctx.job_state = "FAILED";
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
    std::vector<std::string>& lines = alerted[r.name.str()];
    if (!dispatcher->wants(alerts::AlertKind::kJobState)) {
      lines.push_back("no alert of the policy has a job.state condition: nothing sent");
      return;
    }
    const alerts::DispatchReport report = dispatcher->raise(alerts::AlertKind::kJobState, ctx);
    if (report.events.empty())
      lines.push_back("no job.state alert of the policy matches state FAILED: nothing sent");
    for (const auto& d : report.deliveries) {
      lines.push_back(fmt::format("alert {} → {} ({}): {}", d.alert.str(), d.notifier.str(), d.target,
                                  d.duplicate ? "duplicate, not sent"
                                  : d.result  ? "delivered"
                                              : d.result.error().message));
    }
  };
#else
  on_failure = [&alerted](const drill::DrillReport& r) {
    alerted[r.name.str()].push_back("alerts are not built into this starkeep: nothing sent");
  };
#endif

  auto reports = drill::run_drills(*policy, conn, store, clock, sleeper, options, &std::cerr, on_failure);
  if (!reports) {
    const Error& e = reports.error();
    const int code = e.code == "drill.usage"      ? kExitUsage
                     : e.code.starts_with("sql.") ? exit_code_for(e)
                                                  : kExitInternal;
    return fail(e.describe(), code, o.format);
  }
  const int code = overall_exit_code(*reports);
  if (o.format == "json") {
    nlohmann::json j{{"policy", policy->name},
                     {"at", at->to_iso8601_utc()},
                     {"dry_run", o.dry_run},
                     {"drills", nlohmann::json::array()},
                     {"exit_code", code}};
    for (const auto& r : *reports) {
      nlohmann::json d = drill::report_to_json(r);
      if (auto it = alerted.find(r.name.str()); it != alerted.end()) d["alerts"] = it->second;
      j["drills"].push_back(std::move(d));
    }
    std::cout << j.dump(2) << "\n";
  } else {
    int passed = 0, failed = 0, not_due = 0, other = 0;
    for (const auto& r : *reports) {
      std::cout << drill::report_to_text(r);
      if (auto it = alerted.find(r.name.str()); it != alerted.end()) {
        for (const auto& line : it->second) std::cout << "  alert:     " << line << "\n";
      }
      switch (r.verdict) {
        case drill::Verdict::kPassed:
          ++passed;
          break;
        case drill::Verdict::kFailed:
          ++failed;
          break;
        case drill::Verdict::kNotDue:
          ++not_due;
          break;
        default:
          ++other;
          break;
      }
    }
    std::cout << fmt::format("drills at {}: {} passed, {} failed, {} not due{}{} (exit {})\n",
                             at->to_iso8601_utc(), passed, failed, not_due,
                             other ? fmt::format(", {} other", other) : "",
                             o.dry_run ? "; dry run: nothing was sent" : "", code);
  }
  return code;
}

}  // namespace

void register_drill(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<DrillCliOptions>();
  CLI::App* cmd = app.add_subcommand(
      "drill",
      "Run the restore drills the policy declares that are due at --at (a drill is due when "
      "ops.restore_history has "
      "no PASSED drill of that name for the calendar period — month, quarter, half-year — containing the "
      "instant, "
      "and its scheduled time in the period has come; --drill NAME forces one). Each drill restores a "
      "reproducibly "
      "chosen partition, table or database from the newest snapshot of its tier into a new scratch database, "
      "verifies checksums against those recorded at backup time, records the result and drops the scratch "
      "database. Exit codes: 0 all due drills passed, 10 nothing due, 20 nothing to restore, 21 snapshot "
      "missing, "
      "22 wrong backup timestamp, 23 schema conflict, 24 BE disk limit, 25 restore job failed, 26 "
      "verification "
      "failed, 27 scratch database exists, 28 database busy, 29 wait limit passed (restore cancelled), 1 policy "
      "invalid, 64 usage "
      "(docs/operations.md).");
  cmd->add_option("--policy,-p", o->policy, "The policy file (.skp)")->required();
  cmd->add_option("--at", o->at, "The instant ('now' or an instant; local forms in the policy's time zone)")
      ->capture_default_str();
  cmd->add_option("--drill", o->drill, "Run only this drill, whether due or not");
  cmd->add_flag("--dry-run", o->dry_run,
                "Decide, choose and print the restore; send nothing that changes anything");
  cmd->add_flag("--keep", o->keep, "Keep the scratch database afterwards (debugging)");
  cmd->add_option("--format", o->format, "Summary on stdout: 'text' or 'json'")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  cmd->add_option("--replication-num", o->replication_num, "replication_num of the restored scratch tables")
      ->check(CLI::Range(1, 16))
      ->capture_default_str();
  cmd->add_option("--poll-initial-ms", o->poll_initial_ms, "First SHOW RESTORE poll interval")
      ->check(CLI::Range(1, 600'000))
      ->capture_default_str();
  cmd->add_option("--busy-retries", o->busy_retries, "Retries while another job holds the scratch database")
      ->check(CLI::Range(0, 1000))
      ->capture_default_str();
  cmd->add_option("--busy-delay-ms", o->busy_delay_ms, "First busy backoff delay (doubles)")
      ->check(CLI::Range(1, 3'600'000))
      ->capture_default_str();
  cmd->add_option(
         "--wait-limit", o->wait_limit_s,
         "Seconds to wait for each RESTORE; past it the job is cancelled and the drill FAILS (exit 29)")
      ->check(CLI::Range(1, 7 * 86400))
      ->capture_default_str();
  add_ops_flags(*cmd, o->ops, false);
  add_connection_flags(*cmd, o->connection);
  cmd->callback([o, &exit_code] { exit_code = run_drill_command(*o); });
}

}  // namespace sk::cli
