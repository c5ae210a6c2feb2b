// starkeep metrics: parses the flags and renders the policy's metrics from the ops tables (runtime/metrics,
// docs/metrics.md) in the Prometheus text format (or JSON), to stdout or atomically to --output; with
// --emit-rules it prints the Prometheus alerting rules generated from the policy instead (no cluster needed).
// Sends only reads. Exit codes: common/error_codes.def (0, 73 output not writable, and the connection's).
#include <fmt/format.h>

#include <iostream>
#include <memory>
#include <string>

#include "runtime/metrics/alert_rules.h"
#include "runtime/metrics/metrics_service.h"
#include "runtime/metrics/textfile.h"
#include "runtime/ports/clock.h"
#include "tools/starkeep/cli_common.h"
#include "tools/starkeep/cluster_options.h"
#include "tools/starkeep/commands.h"
#include "tools/starkeep/exit_codes.h"

namespace sk::cli {
namespace {

struct MetricsOptions {
  std::string policy;
  std::string output;
  std::string format = "text";
  std::string at = "now";
  bool emit_rules = false;
  mysql::ConnectionFlags connection;
  OpsFlags ops;
};

// stdout, or the --output file written atomically.
int emit(const MetricsOptions& o, const std::string& text) {
  if (o.output.empty()) {
    std::cout << text;
    return kExitOk;
  }
  if (auto s = metrics::write_file_atomically(o.output, text); !s) {
    return print_failure("metrics", "--output: " + s.error().message, exit_code_for(s.error()), o.format);
  }
  return kExitOk;
}

int run_metrics(const MetricsOptions& o) {
  int exit_code = kExitOk;
  auto policy = load_policy_model(o.policy, std::cerr, exit_code);
  if (!policy) return exit_code;
  if (!o.output.empty()) {
    if (auto s = metrics::check_writable_target(o.output); !s) {
      return print_failure("metrics", "--output: " + s.error().message, exit_code_for(s.error()), o.format);
    }
  }
  if (o.emit_rules) return emit(o, metrics::render_alert_rules(*policy, o.policy));
  auto at = parse_instant_flag(o.at, policy->time_zone);
  if (!at) return print_failure("metrics", "--at: " + at.error().message, kExitUsage, o.format);
  auto config = ops_config(o.ops);
  if (!config) return print_failure("metrics", config.error().describe(), exit_code_for(config.error()), o.format);
  auto session = open_cluster(o.connection);
  if (!session) return print_failure("metrics", session.error().describe(), exit_code_for(session.error()), o.format);
  ports::SystemClock clock;
  // A text --output is the shared textfile: the newest run's disk lines in it are kept (docs/metrics.md).
  auto text = !o.output.empty() && o.format != "json"
                  ? metrics::render_metrics_file(*policy, **session, *config, clock, *at, o.output, std::nullopt)
                  : metrics::render_ops_metrics(*policy, **session, *config, clock, *at,
                                                o.format == "json" ? metrics::OutputFormat::kJson
                                                                   : metrics::OutputFormat::kText);
  if (!text) return print_failure("metrics", text.error().describe(), exit_code_for(text.error()), o.format);
  return emit(o, *text);
}

}  // namespace

void register_metrics(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<MetricsOptions>();
  CLI::App* cmd = app.add_subcommand(
      "metrics",
      "Render the policy's Prometheus metrics from the ops tables (reads only): per database and tier the last "
      "success and last attempt with its state, duration and size of the last backup, jobs by final state; "
      "restore-point age per database; drills; expiries; the newest run (docs/metrics.md). --output writes the "
      "file atomically for node_exporter's textfile collector. --emit-rules prints Prometheus alerting rules "
      "derived from the policy's schedules instead (no cluster needed). Exit codes: 0, 73 output not writable, "
      "16/69 cluster unreachable or refusing (docs/cli.md).");
  cmd->add_option("--policy,-p", o->policy, "The policy file (.skp)")->required();
  cmd->add_option("--output,-o", o->output, "Write to this file atomically instead of stdout (name it *.prom)");
  cmd->add_option("--format", o->format,
                  "'text' (Prometheus text exposition format 0.0.4) or 'json' ({\"metrics_version\": 1, ...})")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  cmd->add_option("--at", o->at, "The instant ages are measured to ('now' or an instant)")->capture_default_str();
  cmd->add_flag("--emit-rules", o->emit_rules,
                "Print the Prometheus alerting rules for the policy (YAML) instead of the metrics");
  add_ops_flags(*cmd, o->ops, false);
  add_connection_flags(*cmd, o->connection);
  cmd->callback([o, &exit_code] { exit_code = run_metrics(*o); });
}

}  // namespace sk::cli
