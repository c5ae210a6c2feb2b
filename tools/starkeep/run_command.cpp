// starkeep run: executes the policy's plan for an instant against the cluster (runtime/executor) — pre-checks,
// binding, labels, submit, poll, history — and maps the run's outcome to its exit code (exit_codes.h).
// starkeep status: what the ops tables and the server say is going on (status_command.cpp).
#include <atomic>
#include <csignal>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <memory>
#include <set>
#include <string_view>
#include <thread>

#include <unistd.h>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "compiler/plan/plan.h"
#include "runtime/executor/after_run.h"
#include "runtime/executor/runner.h"
#include "runtime/mysql/connection_options.h"
#include "runtime/mysql/mysql_connection.h"
#include "runtime/mysql/reconnecting_connection.h"
#include "runtime/ops/ops_store.h"
#include "runtime/ports/audited_connection.h"
#include "runtime/ports/redact.h"
#include "tools/starkeep/cli_common.h"
#include "tools/starkeep/cluster_options.h"
#include "tools/starkeep/commands.h"
#include "tools/starkeep/exit_codes.h"
#ifdef STARKEEP_HAVE_ALERTS
#include "runtime/alerts/dispatcher.h"
#endif

namespace sk::cli {
namespace {

std::atomic<bool> g_stop{false};

extern "C" void on_stop_signal(int) { g_stop.store(true); }

void install_signal_handlers() {
  struct sigaction action{};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGINT, &action, nullptr);
}

// Sleeps in short steps so that SIGTERM/SIGINT end a wait within ~100 ms. Thread-safe.
class InterruptibleSleeper final : public ports::Sleeper {
 public:
  void sleep_for(std::chrono::milliseconds duration) override {
    const auto end = std::chrono::steady_clock::now() + duration;
    while (!g_stop.load()) {
      const auto left = end - std::chrono::steady_clock::now();
      if (left <= std::chrono::milliseconds(0)) return;
      std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(left, std::chrono::milliseconds(100)));
    }
  }
};

struct RunOptions {
  std::string policy;
  std::string inventory;
  std::string at = "now";
  std::string tier;
  std::string database;
  int parallel = 4;
  bool dry_run = false;
  bool wait = false;
  std::string log_format = "text";
  std::string log_level = "info";
  int busy_retries = 8;
  int busy_delay_ms = 2000;
  int poll_initial_ms = 1000;
  mysql::ConnectionFlags connection;
  OpsFlags ops;
};

std::string make_run_id(Instant now) {
  char host[256] = {0};
  ::gethostname(host, sizeof(host) - 1);
  std::string h(host);
  if (h.size() > 24) h.resize(24);
  std::string t = now.to_iso8601_utc();  // 2025-09-14T01:00:00Z
  std::string compact;
  for (char c : t) {
    if (c != '-' && c != ':') compact += c;
  }
  return fmt::format("{}-{}-{}", compact, h, ::getpid());
}

template <typename Name>
std::optional<Name> parsed(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  auto n = Name::parse(*text);
  return n ? std::optional<Name>(*n) : std::nullopt;
}

std::string this_host() {
  char host[256] = {0};
  ::gethostname(host, sizeof(host) - 1);
  return host;
}

// The inventory JSON (docs/inventory.md) built from ops.table_inventory.
Result<std::string> inventory_from_ops(ports::SqlConnection& conn, const ops::OpsConfig& config, ports::Clock& clock) {
  ops::OpsStore store(conn, config, clock);
  auto records = store.load_inventory();
  if (!records) return std::unexpected(std::move(records.error()).with_context("reading ops.table_inventory"));
  nlohmann::json tables = nlohmann::json::array();
  for (const auto& r : *records) {
    nlohmann::json t{{"database", r.database.str()}, {"table", r.table.str()}, {"partitioned", r.partitioned}};
    if (!r.table_class.empty()) t["class"] = r.table_class;
    if (!r.eligibility.empty()) t["eligibility"] = r.eligibility;
    tables.push_back(std::move(t));
  }
  return nlohmann::json{{"inventory_version", 1}, {"tables", tables}}.dump(2);
}

int exit_code_of(executor::Outcome o) {
  switch (o) {
    case executor::Outcome::kSuccess: return kExitOk;
    case executor::Outcome::kNothingDue: return kExitNothingDue;
    case executor::Outcome::kAlreadyHandled: return kExitAlreadyHandled;
    case executor::Outcome::kConflict: return kExitConflict;
    case executor::Outcome::kJobFailed: return kExitJobFailed;
    case executor::Outcome::kRepositoryError: return kExitRepository;
    case executor::Outcome::kPrecheckFailed: return kExitPrecheck;
    case executor::Outcome::kConnectionFailed: return kExitConnection;
    case executor::Outcome::kInterrupted: return kExitInterrupted;
  }
  return kExitInternal;
}

// Test-only (docs/operations.md "Test hooks"): STARKEEP_TEST_PAUSE_AT=<step> stops the whole process with SIGSTOP
// when the run reaches that step (RunnerDeps::checkpoint), so that a test can SIGKILL it exactly there.
std::function<void(std::string_view)> test_pause_points(executor::RunLog& log) {
  const char* step = std::getenv("STARKEEP_TEST_PAUSE_AT");
  if (step == nullptr || *step == '\0') return {};
  return [wanted = std::string(step), &log](std::string_view reached) {
    if (reached != wanted) return;
    log.warn(executor::LogFields("test.pause"), "STARKEEP_TEST_PAUSE_AT: stopping at " + wanted);
    ::raise(SIGSTOP);
  };
}

int run_run(const RunOptions& o) {
  install_signal_handlers();
  auto connection = resolve_connection(o.connection);
  if (!connection) {
    std::cerr << "starkeep run: error: " << connection.error().describe() << "\n";
    return exit_code_for(connection.error());
  }
  auto ops_config = sk::cli::ops_config(o.ops);
  if (!ops_config) {
    std::cerr << "starkeep run: error: " << ops_config.error().describe() << "\n";
    return kExitUsage;
  }
  ports::SystemClock clock;
  InterruptibleSleeper sleeper;
  const executor::LogFormat format = o.log_format == "json" ? executor::LogFormat::kJson : executor::LogFormat::kText;
  const executor::LogLevel level = o.log_level == "debug"     ? executor::LogLevel::kDebug
                                   : o.log_level == "warning" ? executor::LogLevel::kWarning
                                                              : executor::LogLevel::kInfo;
  executor::RunLog log(std::cerr, format, level, clock);
  const std::string run_id = make_run_id(clock.now());
  log.set_run_id(run_id);
  executor::SessionFactory factory = make_logged_session_factory(*connection, sleeper, clock, log);

  // Inputs: policy file, inventory file or ops.table_inventory.
  Inputs inputs;
  if (o.inventory.empty()) {
    auto text = read_file(o.policy);
    if (!text) {
      std::cerr << "starkeep run: error: " << text.error().describe() << "\n";
      return kExitNoInput;
    }
    inputs.policy.emplace(o.policy, std::move(*text));
    auto session = factory(std::nullopt);
    if (!session) {
      std::cerr << "starkeep run: error: " << session.error().describe() << "\n";
      return exit_code_for(session.error());
    }
    auto inv = inventory_from_ops(**session, *ops_config, clock);
    if (!inv) {
      std::cerr << "starkeep run: error: " << inv.error().describe()
                << " (pass --inventory FILE, or fill ops.table_inventory with `starkeep inventory`)\n";
      return exit_code_for(inv.error());
    }
    inputs.inventory.emplace("ops.table_inventory", std::move(*inv));
  } else if (int rc = load_inputs(o.policy, o.inventory, inputs, std::cerr); rc != kExitOk) {
    return rc;
  }
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
  // Warnings belong to `starkeep check` in CI; a scheduled run names them in one line instead of repeating them in
  // every day's log.
  if (c.warning_count() > 0) {
    std::set<std::string_view> codes;
    for (const auto* sink : {&c.policy_diagnostics, &c.inventory_diagnostics}) {
      for (const auto& d : sink->diagnostics()) {
        if (d.severity == diag::Severity::kWarning) codes.insert(diag::code_text(d.code));
      }
    }
    std::cerr << fmt::format("starkeep run: {}: {} warning{} ({}); `starkeep check` explains them\n",
                             inputs.policy->path(), c.warning_count(), c.warning_count() == 1 ? "" : "s",
                             fmt::join(codes, ", "));
  }
  const Instant at = *parse_instant_flag(o.at, c.policy->time_zone);
  plan::Plan p = driver::plan_at(c, at);
  // --tier / --database narrow the plan.
  std::vector<plan::BackupJob> jobs;
  for (auto& j : p.jobs) {
    const bool tier_ok = o.tier.empty() || j.tier.str() == o.tier ||
                         std::any_of(j.satisfies.begin(), j.satisfies.end(),
                                     [&](const TierName& t) { return t.str() == o.tier; });
    const bool db_ok = o.database.empty() || j.database.str() == o.database;
    if (tier_ok && db_ok) jobs.push_back(std::move(j));
  }
  p.jobs = std::move(jobs);

  executor::RunConfig config;
  config.run_id = run_id;
  config.host = this_host();
  config.pid = ::getpid();
  config.parallel = o.parallel;
  config.dry_run = o.dry_run;
  config.wait = o.wait;
  config.ops = *ops_config;
  config.busy_backoff.max_attempts = o.busy_retries;
  config.busy_backoff.initial = std::chrono::milliseconds(o.busy_delay_ms);
  config.poll.initial = std::chrono::milliseconds(o.poll_initial_ms);

  executor::RunnerDeps deps{factory, clock, sleeper, log, {}, &g_stop, {}, {}, test_pause_points(log)};
  deps.process_alive = [](const std::string&, std::int64_t pid) {
    return pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM);
  };
#ifdef STARKEEP_HAVE_ALERTS
  alerts::NotifierDeps notifier_deps;
  notifier_deps.sleeper = &sleeper;
  notifier_deps.log = [&log](std::string line) { log.warn(executor::LogFields("alert"), line); };
  auto dispatcher = std::make_shared<alerts::AlertDispatcher>(
      *c.policy, alerts::make_sinks(*c.policy, notifier_deps), clock, run_id,
      [&log](std::string line) { log.warn(executor::LogFields("alert.failed"), line); });
  deps.alert = [dispatcher, &log](const executor::AlertRequest& r) {
    log.warn(executor::LogFields("alert", r.database, r.label, r.job_id, r.tier), "alert: " + r.detail);
    alerts::AlertContext ctx;
    ctx.database = parsed<DatabaseName>(r.database);
    ctx.tier = parsed<TierName>(r.tier);
    ctx.label = parsed<SnapshotLabel>(r.label);
    if (r.job_id) ctx.job_id = std::to_string(*r.job_id);
    ctx.repository = parsed<RepositoryName>(r.repository);
    ctx.backend = r.backend;
    ctx.job_state = r.job_state;
    ctx.elapsed = r.elapsed;
    ctx.window = r.window;
    ctx.disk_free = r.disk_free;
    ctx.detail = r.detail;
    (void)dispatcher->raise(r.kind, ctx);
  };
#endif
  if (deps.alert == nullptr) {
    deps.alert = [&log](const executor::AlertRequest& r) {
      log.warn(executor::LogFields("alert", r.database, r.label, r.job_id, r.tier),
               "alert " + model::AlertCondition{r.kind, {}, {}, {}}.to_string() + ": " + r.detail);
    };
  }
  const executor::RunReport report = executor::run(*c.policy, p, config, deps);
  // Cold-start recovery (runtime/catalog, owned by restore): after a run that finished a backup, publish the ops
  // catalog to the same repositories; a failure is a warning and an alert, never the run's outcome.
  if (!o.dry_run) (void)executor::publish_after_run(p, report, *ops_config, {factory, clock, sleeper, log, deps.alert, &g_stop});
  // Summary on stdout: one line per database (or one JSON document). Messages carry server texts: redacted
  // (invariant 7), like every log line.
  if (format == executor::LogFormat::kJson) {
    nlohmann::json j{{"run_id", report.run_id}, {"outcome", executor::to_string(report.outcome)},
                     {"message", ports::redact(report.message)}, {"reconciled", report.reconciled},
                     {"exit_code", exit_code_of(report.outcome)}};
    nlohmann::json dbs = nlohmann::json::array();
    for (const auto& d : report.databases) {
      nlohmann::json x{{"database", d.database.str()}, {"tier", d.tier.str()},
                       {"outcome", executor::to_string(d.outcome)}, {"message", ports::redact(d.message)}};
      if (d.label) x["label"] = d.label->str();
      if (d.job_id) x["job_id"] = *d.job_id;
      if (d.backup_timestamp) x["backup_timestamp"] = *d.backup_timestamp;
      dbs.push_back(std::move(x));
    }
    j["databases"] = dbs;
    std::cout << j.dump() << "\n";
  } else {
    for (const auto& d : report.databases) {
      std::cout << fmt::format("{} {} {} {}: {}\n", d.database.str(), d.tier.str(),
                               d.label ? d.label->str() : "-", executor::to_string(d.outcome), ports::redact(d.message));
    }
    std::cout << fmt::format("run {}: {}{}\n", report.run_id, executor::to_string(report.outcome),
                             report.databases.empty() && !report.message.empty() ? " — " + ports::redact(report.message) : "");
  }
  return exit_code_of(report.outcome);
}

}  // namespace

void register_run(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<RunOptions>();
  CLI::App* cmd = app.add_subcommand(
      "run",
      "Run the backups due at an instant: reconcile what earlier runs left, pre-check the cluster (FE/BE alive, "
      "repository healthy, snapshot disk free), bind changed partitions, submit one BACKUP per database (in "
      "parallel across databases), poll to completion and record everything in ops.backup_history. Exit codes: 0 "
      "success, 10 nothing due, 11 already done/running by another runner, 12 conflict (foreign job, backoff "
      "exhausted), 13 job failed/cancelled, 14 repository error, 15 pre-check failed, 16 cluster unreachable, 69 "
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
  cmd->add_flag("--dry-run", o->dry_run, "Decide labels and bind partitions, print the BACKUP statements, submit nothing");
  cmd->add_flag("--wait", o->wait,
                "When another runner runs this slot's job, wait for it instead of exiting 11 (then exit 0 when it "
                "finished, 13 when it was cancelled)");
  cmd->add_option("--log-format", o->log_format, "Progress on stderr: 'text' or 'json' (one object per line)")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
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
  add_ops_flags(*cmd, o->ops, true);
  add_connection_flags(*cmd, o->connection);
  cmd->callback([o, &exit_code] { exit_code = run_run(*o); });
}

}  // namespace sk::cli
