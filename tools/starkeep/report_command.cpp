// starkeep report: parses the flags, builds the KPI report through the report service
// (runtime/report/report_service.h: reads only), writes the self-contained HTML file atomically and prints a summary
// (text) or the model's figures (JSON) — docs/report.md. Exit codes: common/error_codes.def (0, 64 usage, 73 the
// file cannot be written, 16/69 the cluster).
#include <fmt/format.h>

#include <iostream>
#include <memory>
#include <string>

#include "common/json_text.h"
#include "runtime/ports/clock.h"
#include "runtime/report/html_report.h"
#include "runtime/report/report_json.h"
#include "runtime/report/report_service.h"
#include "tools/starkeep/cli_common.h"
#include "tools/starkeep/cluster_options.h"
#include "tools/starkeep/commands.h"
#include "tools/starkeep/exit_codes.h"

namespace sk::cli {
namespace {

constexpr int kDefaultDays = 90;

struct ReportOptions {
  std::string policy;
  std::string out;
  std::string from;
  std::string to = "now";
  std::string format = "text";
  bool skip_repository_check = false;
  mysql::ConnectionFlags connection;
  OpsFlags ops;
};

// --to: an instant, or a bare date meaning the end of that local day (the day is included).
Result<Instant> parse_to(const std::string& text, const TimeZone& zone) {
  auto at = parse_instant_flag(text, zone);
  if (!at || text.size() != 10) return at;
  return zone.from_local(CivilSecond(CivilDay(zone.to_local(*at)) + 1));
}

void print_text(const report::Report& r, const std::string& out, std::size_t bytes) {
  std::cout << fmt::format("report of policy {} from {} to {}: {} attempt(s)\n", r.policy, r.from.to_iso8601_utc(),
                           r.to.to_iso8601_utc(), r.attempts_in_period);
  for (const report::TierKpi& k : r.tiers) {
    const auto rate = k.total.rate_percent();
    const auto gbm = k.transfer.gb_per_minute();
    std::cout << fmt::format("  {:<12} success {} ({} of {}), {} GB/min, p50 {} s, p95 {} s\n", k.tier.str(),
                             rate ? fmt::format("{:.2f} %", *rate) : "-", k.total.finished, k.total.terminal,
                             gbm ? fmt::format("{:.4f}", *gbm) : "-",
                             k.latency.p50 ? std::to_string(k.latency.p50->seconds()) : "-",
                             k.latency.p95 ? std::to_string(k.latency.p95->seconds()) : "-");
  }
  if (!out.empty()) std::cout << fmt::format("report written to {} ({} bytes)\n", out, bytes);
}

int run_report(const ReportOptions& o) {
  int exit_code = kExitOk;
  if (o.out.empty() && o.format != "json")
    return print_failure("report", "--out is required (or --format json)", kExitUsage, o.format);
  auto policy = load_policy_model(o.policy, std::cerr, exit_code);
  if (!policy) return exit_code;
  auto to = parse_to(o.to, policy->time_zone);
  if (!to) return print_failure("report", "--to: " + to.error().message, kExitUsage, o.format);
  auto from = o.from.empty() ? Result<Instant>(*to - Duration::from_days(kDefaultDays))
                             : parse_instant_flag(o.from, policy->time_zone);
  if (!from) return print_failure("report", "--from: " + from.error().message, kExitUsage, o.format);
  auto config = ops_config(o.ops);
  if (!config) return print_failure("report", config.error().describe(), exit_code_for(config.error()), o.format);
  auto session = open_cluster(o.connection);
  if (!session) return print_failure("report", session.error().describe(), exit_code_for(session.error()), o.format);
  ports::SystemClock clock;
  auto model = report::make_report(*policy, {**session, *config, clock}, {*from, *to, !o.skip_repository_check});
  if (!model) return print_failure("report", model.error().describe(), exit_code_for(model.error()), o.format);
  std::size_t bytes = 0;
  if (!o.out.empty()) {
    const std::string html = report::render_html(*model);
    if (auto s = report::write_file_atomically(o.out, html); !s) {
      return print_failure("report", s.error().describe(), exit_code_for(s.error()), o.format);
    }
    bytes = html.size();
  }
  if (o.format == "json") {
    nlohmann::json j = report::to_json(*model);
    j["out"] = o.out.empty() ? nlohmann::json() : nlohmann::json(o.out);
    std::cout << json_text(j, 2) << "\n";
  } else {
    print_text(*model, o.out, bytes);
  }
  return kExitOk;
}

}  // namespace

void register_report(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<ReportOptions>();
  CLI::App* cmd = app.add_subcommand(
      "report",
      "Write the KPI report: one self-contained HTML file (inline CSS and SVG, no script, no network) with the "
      "backup success rate per tier and database per week, throughput in GB/minute, completion latency p50/p95 per "
      "tier against its window, the restore points of every database back to the retention horizon, drills and "
      "their checksum verdicts, repository findings and the policy's coverage. Reads only (docs/report.md).");
  cmd->add_option("--policy,-p", o->policy, "The policy file (.skp)")->required();
  cmd->add_option("--out,-o", o->out, "The HTML file to write (replaced atomically); required unless --format json");
  cmd->add_option("--from", o->from, "Start of the period (an instant or a date, policy time zone; default: 90 days "
                                     "before --to)");
  cmd->add_option("--to", o->to, "End of the period, exclusive ('now', an instant, or a date: the end of that day)")
      ->capture_default_str();
  cmd->add_option("--format", o->format, "'text' (a summary) or 'json' (every KPI figure, docs/report.md)")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  cmd->add_flag("--skip-repository-check", o->skip_repository_check,
                "Do not cross-check the repositories (SHOW SNAPSHOT); the report says they were not checked");
  add_ops_flags(*cmd, o->ops, false);
  add_connection_flags(*cmd, o->connection);
  cmd->callback([o, &exit_code] { exit_code = run_report(*o); });
}

}  // namespace sk::cli
