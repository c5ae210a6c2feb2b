// starkeep drill: parses the flags, runs the restore drills the policy declares through the drill service
// (runtime/drill/drill_service.h) and renders the reports: which are due at --at (no
// PASSED drill of that name in ops.restore_history for the calendar period containing it), the reproducible
// choice of partition, table or database, a restore into a scratch database, checksum verification against
// the values recorded at backup time, rows in ops.restore_history, the scratch database dropped, and the
// policy's job.state alerts on failure. Summary on stdout (text or JSON), progress on stderr. Exit codes:
// common/error_codes.def and docs/operations.md "Drills".
#include <fmt/format.h>

#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "common/json_text.h"
#include "runtime/drill/drill_service.h"
#include "runtime/ports/clock.h"
#include "tools/starkeep/cli_common.h"
#include "tools/starkeep/cluster_options.h"
#include "tools/starkeep/commands.h"
#include "tools/starkeep/exit_codes.h"
#include "tools/starkeep/metrics_file.h"
#include "tools/starkeep/progress_display.h"

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
  std::string metrics_file;
  mysql::ConnectionFlags connection;
  OpsFlags ops;
};

// drill --format json failures carry the document version too.
int drill_failure(const std::string& message, int code, std::string_view format) {
  return print_failure("drill", message, code, format, {"drill_version", kDrillJsonVersion});
}

// The invocation's exit code (drill::summarize): the first failed drill's code; else 20 when a due drill had
// nothing to restore; else 0 when a drill ran (or was planned); else 10 (nothing due).
int exit_code_of(const drill::Summary& summary) {
  switch (summary.kind) {
    case drill::Summary::Kind::kFailed:
      return summary.failure != nullptr ? exit_code_for(*summary.failure) : kExitInternal;
    case drill::Summary::Kind::kNothingToRestore:
      return kExitRestoreNothing;
    case drill::Summary::Kind::kRan:
      return kExitOk;
    case drill::Summary::Kind::kNothingDue:
      return kExitNothingDue;
  }
  return kExitInternal;
}

drill::DrillOptions drill_options(const DrillCliOptions& o, Instant at) {
  drill::DrillOptions options;
  options.at = at;
  options.dry_run = o.dry_run;
  options.keep = o.keep;
  options.replication_num = o.replication_num;
  options.execute.poll_initial = std::chrono::milliseconds(o.poll_initial_ms);
  options.execute.busy_retries = o.busy_retries;
  options.execute.busy_initial = std::chrono::milliseconds(o.busy_delay_ms);
  options.execute.job_deadline = std::chrono::seconds(o.wait_limit_s);
  return options;
}

void print_json(const DrillCliOptions& o, const model::Policy& policy, Instant at, const drill::DrillRun& run,
                int code) {
  nlohmann::json j{{"drill_version", kDrillJsonVersion},
                   {"policy", policy.name},
                   {"at", at.to_iso8601_utc()},
                   {"dry_run", o.dry_run},
                   {"drills", nlohmann::json::array()},
                   {"exit_code", code}};
  for (const auto& r : run.reports) {
    nlohmann::json d = drill::report_to_json(r);
    if (auto it = run.alerts.find(r.name.str()); it != run.alerts.end()) d["alerts"] = it->second;
    j["drills"].push_back(std::move(d));
  }
  std::cout << json_text(j, 2) << "\n";
}

void print_text(const DrillCliOptions& o, Instant at, const drill::DrillRun& run, int code) {
  int passed = 0, failed = 0, not_due = 0, other = 0;
  for (const auto& r : run.reports) {
    std::cout << drill::report_to_text(r);
    if (auto it = run.alerts.find(r.name.str()); it != run.alerts.end()) {
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
                           at.to_iso8601_utc(), passed, failed, not_due,
                           other ? fmt::format(", {} other", other) : "",
                           o.dry_run ? "; dry run: nothing was sent" : "", code);
}

int run_drill_command(const DrillCliOptions& o) {
  int exit_code = kExitOk;
  auto policy = load_policy_model(o.policy, std::cerr, exit_code);
  if (!policy) return exit_code;
  auto at = parse_instant_flag(o.at, policy->time_zone);
  if (!at) return drill_failure("--at: " + at.error().message, kExitUsage, o.format);
  auto config = ops_config(o.ops);
  if (!config) return drill_failure(config.error().describe(), exit_code_for(config.error()), o.format);
  if (const int code = check_metrics_file(o.metrics_file, "drill", o.format); code != kExitOk) return code;
  drill::DrillOptions options = drill_options(o, *at);
  if (!o.drill.empty()) {
    auto name = DrillName::parse(o.drill);
    if (!name) return drill_failure("--drill: " + name.error().message, kExitUsage, o.format);
    options.only = *name;
  }
  auto session = open_cluster(o.connection);
  if (!session) return drill_failure(session.error().describe(), exit_code_for(session.error()), o.format);
  ports::SystemClock clock;
  ports::ThreadSleeper sleeper;
  const auto display = make_progress_display(o.format != "json", clock);
  options.execute.display = display.get();
  auto run =
      drill::run_drill_service(*policy, {**session, *config, clock, sleeper, &std::cerr}, std::move(options));
  write_ops_metrics_file(o.metrics_file, "drill", *policy, **session, *config, clock);
  if (!run) return drill_failure(run.error().describe(), exit_code_for(run.error()), o.format);
  const int code = exit_code_of(drill::summarize(run->reports));
  if (o.format == "json") {
    print_json(o, *policy, *at, *run, code);
  } else {
    print_text(o, *at, *run, code);
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
      "failed, 27 scratch database exists, 28 database busy, 29 wait limit passed (restore cancelled), 1 "
      "policy "
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
  add_metrics_file_flag(*cmd, o->metrics_file);
  add_ops_flags(*cmd, o->ops, false);
  add_connection_flags(*cmd, o->connection);
  cmd->callback([o, &exit_code] { exit_code = run_drill_command(*o); });
}

}  // namespace sk::cli
