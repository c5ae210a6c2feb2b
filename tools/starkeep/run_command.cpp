// starkeep run: compiles the policy (with the inventory file or ops.table_inventory), plans the instant and
// hands the plan to the run service (runtime/executor/run_service.h: narrowing, pre-checks, binding, labels,
// submit, poll, history, alerts, the catalog snapshot after it); prints the report and maps the run's outcome
// to its exit code (common/error_codes.def). starkeep status: what the ops tables and the server say is going
// on (status_command.cpp).
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <atomic>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string_view>

#include "common/json_text.h"
#include "compiler/driver/compile.h"
#include "runtime/executor/run_service.h"
#include "runtime/metrics/disk_metrics.h"
#include "runtime/ports/redact.h"
#include "tools/starkeep/cli_common.h"
#include "tools/starkeep/cluster_options.h"
#include "tools/starkeep/commands.h"
#include "tools/starkeep/exit_codes.h"
#include "tools/starkeep/metrics_file.h"
#include "tools/starkeep/progress_display.h"

namespace sk::cli {
namespace {

struct RunOptions {
  std::string policy;
  std::string inventory;
  std::string at = "now";
  std::string tier;
  std::string database;
  int parallel = 4;
  bool dry_run = false;
  bool wait = false;
  std::string format;                // --format text|json
  std::string log_format;            // --log-format: the deprecated spelling of --format
  std::string log_level = "info";
  int busy_retries = 8;
  int busy_delay_ms = 2000;
  int poll_initial_ms = 1000;
  int stale_heartbeat_s = 300;
  std::string metrics_file;
  bool no_progress = false;
  mysql::ConnectionFlags connection;
  OpsFlags ops;
};

int exit_code_of(executor::Outcome o) {
  switch (o) {
    case executor::Outcome::kSuccess:
      return kExitOk;
    case executor::Outcome::kNothingDue:
      return kExitNothingDue;
    case executor::Outcome::kAlreadyHandled:
      return kExitAlreadyHandled;
    case executor::Outcome::kConflict:
      return kExitConflict;
    case executor::Outcome::kJobFailed:
      return kExitJobFailed;
    case executor::Outcome::kRepositoryError:
      return kExitRepository;
    case executor::Outcome::kPrecheckFailed:
      return kExitPrecheck;
    case executor::Outcome::kConnectionFailed:
      return kExitConnection;
    case executor::Outcome::kInterrupted:
      return kExitInterrupted;
  }
  return kExitInternal;
}

int fail(const Error& e, std::string_view suffix = {}) {
  std::cerr << "starkeep run: error: " << e.describe() << suffix << "\n";
  return exit_code_for(e);
}

// Inputs: the policy file, and the inventory file or ops.table_inventory. Returns kExitOk or the exit code.
int load_run_inputs(const RunOptions& o, const executor::SessionFactory& factory,
                    const ops::OpsConfig& config, ports::Clock& clock, Inputs& inputs) {
  if (!o.inventory.empty()) return load_inputs(o.policy, o.inventory, inputs, std::cerr);
  auto text = read_file(o.policy);
  if (!text) return fail(text.error());
  inputs.policy.emplace(o.policy, std::move(*text));
  auto session = factory(std::nullopt);
  if (!session) return fail(session.error());
  auto inv = executor::inventory_from_ops(**session, config, clock);
  if (!inv)
    return fail(inv.error(),
                " (pass --inventory FILE, or fill ops.table_inventory with `starkeep inventory`)");
  inputs.inventory.emplace("ops.table_inventory", std::move(*inv));
  return kExitOk;
}

// Warnings belong to `starkeep check` in CI; a scheduled run names them in one log line (event
// `policy.warnings`, JSON with --format json like every other line) instead of repeating them in every day's log.
void log_warning_line(const driver::Compilation& c, const Inputs& inputs, executor::RunLog& log) {
  if (c.warning_count() == 0) return;
  std::set<std::string_view> codes;
  for (const auto* sink : {&c.policy_diagnostics, &c.inventory_diagnostics}) {
    for (const auto& d : sink->diagnostics()) {
      if (d.severity == diag::Severity::kWarning) codes.insert(diag::code_text(d.code));
    }
  }
  log.warn({"policy.warnings"}, fmt::format("{}: {} warning{} ({}); `starkeep check` explains them",
                                            inputs.policy->path(), c.warning_count(),
                                            c.warning_count() == 1 ? "" : "s", fmt::join(codes, ", ")));
}

executor::RunConfig run_config(const RunOptions& o, const ops::OpsConfig& ops, std::string run_id) {
  executor::RunConfig config;
  config.run_id = std::move(run_id);
  config.parallel = o.parallel;
  config.dry_run = o.dry_run;
  config.wait = o.wait;
  config.ops = ops;
  config.busy_backoff.max_attempts = o.busy_retries;
  config.busy_backoff.initial = std::chrono::milliseconds(o.busy_delay_ms);
  config.poll.initial = std::chrono::milliseconds(o.poll_initial_ms);
  config.stale_heartbeat = std::chrono::seconds(o.stale_heartbeat_s);
  return config;
}

// Summary on stdout: one line per database (or one JSON document). Messages carry server texts: redacted
// (invariant 7), like every log line.
void print_report(const executor::RunReport& report, executor::LogFormat format) {
  if (format == executor::LogFormat::kJson) {
    nlohmann::json j{{"run_id", report.run_id},
                     {"outcome", executor::to_string(report.outcome)},
                     {"message", ports::redact(report.message)},
                     {"reconciled", report.reconciled},
                     {"exit_code", exit_code_of(report.outcome)}};
    nlohmann::json dbs = nlohmann::json::array();
    for (const auto& d : report.databases) {
      nlohmann::json x{{"database", d.database.str()},
                       {"tier", d.tier.str()},
                       {"outcome", executor::to_string(d.outcome)},
                       {"message", ports::redact(d.message)}};
      if (d.label) x["label"] = d.label->str();
      if (d.job_id) x["job_id"] = *d.job_id;
      if (d.backup_timestamp) x["backup_timestamp"] = d.backup_timestamp->str();
      if (d.history_error) x["history_error"] = ports::redact(*d.history_error);
      if (!d.dropped_tables.empty()) x["dropped_tables"] = d.dropped_tables;
      dbs.push_back(std::move(x));
    }
    j["databases"] = dbs;
    std::cout << json_text(j) << "\n";
    return;
  }
  for (const auto& d : report.databases) {
    std::cout << fmt::format("{} {} {} {}: {}\n", d.database.str(), d.tier.str(),
                             d.label ? d.label->str() : "-", executor::to_string(d.outcome),
                             ports::redact(d.message));
    if (d.history_error) std::cout << "  history NOT recorded: " << ports::redact(*d.history_error) << "\n";
  }
  std::cout << fmt::format(
      "run {}: {}{}\n", report.run_id, executor::to_string(report.outcome),
      report.databases.empty() && !report.message.empty() ? " — " + ports::redact(report.message) : "");
}

// The run's snapshot-disk reading as the metrics' samples; nullopt (the file's disk lines are carried over) when
// its pre-check read no disk.
std::optional<std::vector<metrics::Sample>> disk_samples(const executor::RunReport& report) {
  if (!report.disks_read_at || report.disks.empty()) return std::nullopt;
  std::vector<metrics::BackendDiskFree> readings;
  for (const auto& d : report.disks) readings.push_back({d.backend, d.free_ratio});
  return metrics::snapshot_disk_samples(readings, *report.disks_read_at);
}

int run_run(const RunOptions& o) {
  const std::atomic<bool>& stop = install_stop_handlers();
  auto connection = resolve_connection(o.connection);
  if (!connection) return fail(connection.error());
  auto ops_config = sk::cli::ops_config(o.ops);
  if (!ops_config) return fail(ops_config.error());
  if (const int code = check_metrics_file(o.metrics_file, "run", "text"); code != kExitOk) return code;
  ports::SystemClock clock;
  executor::StoppableSleeper sleeper(stop);
  const std::string& chosen = !o.format.empty() ? o.format : o.log_format;
  const executor::LogFormat format = chosen == "json" ? executor::LogFormat::kJson : executor::LogFormat::kText;
  const executor::LogLevel level = o.log_level == "debug"     ? executor::LogLevel::kDebug
                                   : o.log_level == "warning" ? executor::LogLevel::kWarning
                                                              : executor::LogLevel::kInfo;
  executor::RunLog log(std::cerr, format, level, clock);
  const std::string run_id = executor::new_run_id(clock.now());
  log.set_run_id(run_id);
  if (!o.log_format.empty())
    log.warn({"cli.deprecated"}, o.format.empty() ? "--log-format is deprecated; use --format"
                                                  : "--log-format is deprecated and ignored: --format is given");
  warn_command_line_password(log);
  if (auto audit = start_audit(*connection, run_id); !audit) return fail(audit.error());
  executor::SessionFactory factory = make_logged_session_factory(*connection, sleeper, log);
  Inputs inputs;
  if (int rc = load_run_inputs(o, factory, *ops_config, clock, inputs); rc != kExitOk) return rc;
  if (auto probe = parse_instant_flag(o.at, TimeZone::utc()); !probe) {
    std::cerr << "starkeep run: error: --at: " << probe.error().message << "\n";
    return kExitUsage;
  }
  driver::CompileInput input{&*inputs.policy, &*inputs.inventory, CivilDay(2025, 1, 1)};
  driver::Compilation c = driver::compile(input);
  if (c.has_errors()) {
    print_diagnostics(c, inputs, Format::kText, std::cerr, true);
    return kExitErrors;
  }
  log_warning_line(c, inputs, log);
  const Instant at = *parse_instant_flag(o.at, c.policy->time_zone);
  executor::RunRequest request{driver::plan_at(c, at), o.tier, o.database,
                               run_config(o, *ops_config, run_id)};
  const auto progress = make_progress_display(format == executor::LogFormat::kText && !o.no_progress, clock);
  const executor::RunReport report =
      executor::run_service(*c.policy, std::move(request), {factory, clock, sleeper, log, &stop, progress.get()});
  print_report(report, format);
  if (!o.metrics_file.empty()) {
    if (auto session = factory(std::nullopt)) {
      write_ops_metrics_file(o.metrics_file, "run", *c.policy, **session, *ops_config, clock, disk_samples(report));
    }
  }
  return exit_code_of(report.outcome);
}

}  // namespace

void register_run(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<RunOptions>();
  CLI::App* cmd = app.add_subcommand(
      "run",
      "Run the backups due at an instant: reconcile what earlier runs left, pre-check the cluster (FE/BE "
      "alive, "
      "repository healthy, snapshot disk free), bind changed partitions, submit one BACKUP per database (in "
      "parallel across databases), poll to completion and record everything in ops.backup_history. Exit "
      "codes: 0 "
      "success, 10 nothing due, 11 already done/running by another runner, 12 conflict (foreign job, backoff "
      "exhausted), 13 job failed/cancelled, 14 repository error, 15 pre-check failed, 16 cluster "
      "unreachable, 69 "
      "cluster refused a statement, 1 policy/inventory invalid, 64 usage, 78 bad connection settings, 130 "
      "interrupted (see docs/operations.md).");
  cmd->add_option("--policy,-p", o->policy, "The policy file (.skp)")->required();
  cmd->add_option("--inventory,-i", o->inventory, "The table inventory (JSON); default: ops.table_inventory");
  cmd->add_option("--at", o->at, "The instant to run for ('now' or an instant, see `starkeep plan`)")
      ->capture_default_str();
  cmd->add_option("--tier", o->tier, "Only jobs of (or satisfying) this tier");
  cmd->add_option("--database", o->database, "Only this database");
  cmd->add_option("--parallel", o->parallel, "Databases backed up at the same time")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  cmd->add_flag("--dry-run", o->dry_run,
                "Decide labels and bind partitions, print the BACKUP statements, submit nothing");
  cmd->add_flag(
      "--wait", o->wait,
      "When another runner runs this slot's job, wait for it instead of exiting 11 (then exit 0 when it "
      "finished, 13 when it was cancelled)");
  cmd->add_option("--format", o->format,
                  "'text' (default) or 'json': progress on stderr (JSON: one object per line, nothing else) and "
                  "the summary on stdout (JSON: one document)")
      ->check(CLI::IsMember({"text", "json"}));
  cmd->add_option("--log-format", o->log_format, "Deprecated spelling of --format (still accepted)")
      ->check(CLI::IsMember({"text", "json"}));
  cmd->add_option("--log-level", o->log_level, "'debug' (every SQL statement, redacted), 'info', 'warning'")
      ->check(CLI::IsMember({"debug", "info", "warning"}))
      ->capture_default_str();
  cmd->add_option("--busy-retries", o->busy_retries, "Retries while a foreign job holds a database")
      ->check(CLI::Range(0, 1000))
      ->capture_default_str();
  cmd->add_option("--busy-delay-ms", o->busy_delay_ms, "First backoff delay (doubles, with jitter)")
      ->check(CLI::Range(1, 3'600'000))
      ->capture_default_str();
  cmd->add_option("--poll-initial-ms", o->poll_initial_ms, "First SHOW BACKUP poll interval")
      ->check(CLI::Range(1, 600'000))
      ->capture_default_str();
  cmd->add_option("--stale-heartbeat-seconds", o->stale_heartbeat_s,
                  "A run whose marker's heartbeat is older is dead (its jobs are reconciled); this run refreshes its "
                  "own every fifth of it. The same value on every runner of a cluster")
      ->check(CLI::Range(5, 86'400))
      ->capture_default_str();
  add_metrics_file_flag(*cmd, o->metrics_file);
  cmd->add_flag("--no-progress", o->no_progress,
                "No progress display of the running jobs on stderr (text format only; by default one updating "
                "line on a terminal with state, elapsed time and the tier's usual duration, else a plain line "
                "per state change and at most every 30 s)");
  add_ops_flags(*cmd, o->ops, true);
  add_connection_flags(*cmd, o->connection);
  cmd->callback([o, &exit_code] { exit_code = run_run(*o); });
}

}  // namespace sk::cli
