#include "runtime/metrics/alert_rules.h"

#include <fmt/format.h>

#include <string_view>

#include "runtime/metrics/exposition.h"
#include "runtime/metrics/metric_table.h"

namespace sk::metrics {
namespace {

// A PromQL double-quoted string literal.
std::string promql_string(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

// A YAML single-quoted scalar (quotes doubled; no line breaks in our values).
std::string yaml_quoted(std::string_view text) {
  std::string out = "'";
  for (const char c : text) {
    out += c == '\n' ? ' ' : c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

std::string_view name_of(MetricId id) { return family(id).name; }

// "3d", "10.5d", or Duration's text when not a multiple of a tenth of a day.
std::string human(std::int64_t seconds) {
  if (seconds >= 86400 && (seconds * 10) % 86400 == 0) return fmt::format("{:g}d", static_cast<double>(seconds) / 86400);
  return Duration::from_seconds(seconds).to_string();
}

struct Rule {
  std::string alert;
  std::string expr;
  std::string for_;  // "" = fire at once
  std::string severity;
  std::string label_name;   // a static label that tells the rules of one alert apart (tier, drill); "" = none
  std::string label_value;
  std::string summary;
  std::string description;
};

std::string render_rule(const Rule& r) {
  std::string out = fmt::format("      - alert: {}\n        expr: {}\n", r.alert, yaml_quoted(r.expr));
  if (!r.for_.empty()) out += fmt::format("        for: {}\n", r.for_);
  out += fmt::format("        labels:\n          severity: {}\n", r.severity);
  if (!r.label_name.empty()) out += fmt::format("          {}: {}\n", r.label_name, yaml_quoted(r.label_value));
  out += fmt::format("        annotations:\n          summary: {}\n          description: {}\n",
                     yaml_quoted(r.summary), yaml_quoted(r.description));
  return out;
}

std::string job_failed_severity(const model::Policy& policy) {
  for (const auto& a : policy.alerts) {
    if (a.when.kind == model::AlertCondition::Kind::kJobState) return std::string(model::to_string(a.severity));
  }
  return "critical";
}

// The policy's snapshot_disk_free alert (its threshold and severity), else 15 % and critical.
Rule disk_rule(const model::Policy& policy) {
  Percent threshold = *Percent::from_hundredths(1500);
  std::string severity = "critical";
  for (const auto& a : policy.alerts) {
    if (a.when.kind != model::AlertCondition::Kind::kDiskFreeBelow || !a.when.threshold) continue;
    threshold = *a.when.threshold;
    severity = std::string(model::to_string(a.severity));
    break;
  }
  return {"StarkeepSnapshotDiskLow",
          fmt::format("{} < {}", name_of(MetricId::kSnapshotDiskFree), format_value(threshold.value() / 100.0)),
          "",
          severity,
          "",
          "",
          fmt::format("Snapshot disk of backend {{{{ $labels.backend }}}} is {{{{ $value | humanizePercentage }}}} "
                      "free, below {}",
                      threshold.to_string()),
          "The fullest snapshot disk of the backend, as the newest `starkeep run` pre-check read it (SHOW PROC "
          "'/backends/<id>'). Backups fail their pre-check below the policy's threshold: free space on that "
          "disk."};
}

std::vector<Rule> freshness_rules(const model::Policy& policy) {
  std::vector<Rule> rules;
  for (const auto& tier : policy.tiers) {
    const auto limit = freshness_threshold_seconds(tier.schedule);
    rules.push_back(
        {"StarkeepBackupStale",
         fmt::format("time() - {}{{tier={}}} > {}", name_of(MetricId::kBackupLastSuccess), promql_string(tier.name.str()),
                     limit),
         "10m", "critical", "tier", tier.name.str(),
         fmt::format("No successful {} backup of {{{{ $labels.database }}}} within {}", tier.name.str(), human(limit)),
         fmt::format("The newest FINISHED backup counting for tier {} ({}) is older than 1.5 x the longest gap "
                     "between its slots. Check `starkeep status` and the runner's schedule.",
                     tier.name.str(), tier.schedule.to_string())});
  }
  return rules;
}

std::vector<Rule> drill_rules(const model::Policy& policy) {
  std::vector<Rule> rules;
  for (const auto& drill : policy.drills) {
    const auto limit = freshness_threshold_seconds(drill.schedule);
    rules.push_back(
        {"StarkeepDrillOverdue",
         fmt::format("time() - {}{{drill={}}} > {}", name_of(MetricId::kDrillLastPassed),
                     promql_string(drill.name.str()), limit),
         "1h", "warning", "drill", drill.name.str(),
         fmt::format("Drill {} has not passed within {}", drill.name.str(), human(limit)),
         fmt::format("No restore drill {} ({}) verified PASSED within 1.5 x the longest gap between its slots. "
                     "Run `starkeep drill` and read ops.restore_history.",
                     drill.name.str(), drill.schedule.to_string())});
  }
  return rules;
}

std::vector<Rule> state_rules(const model::Policy& policy) {
  return {
      {"StarkeepBackupFailed",
       fmt::format("{}{{state=~\"CANCELLED|REJECTED|LOST\"}} == 1", name_of(MetricId::kBackupLastAttemptState)), "",
       job_failed_severity(policy), "", "", "The last {{ $labels.tier }} backup of {{ $labels.database }} ended {{ $labels.state }}",
       "The newest backup attempt of the tier did not finish; ops.backup_history has the server's error. The next "
       "run retries the slot."},
      {"StarkeepRepositorySnapshotsMissing",
       fmt::format("{}{{kind=\"missing\"}} > 0", name_of(MetricId::kRepositoryFindings)), "", "critical", "", "",
       "Repository {{ $labels.repository }} lacks {{ $value }} snapshot(s) the history has FINISHED",
       "Restore points are lost. Run `starkeep repository check` and follow docs/retention.md."},
      {"StarkeepRepositoryFindings",
       fmt::format("{}{{kind!=\"missing\"}} > 0", name_of(MetricId::kRepositoryFindings)), "", "warning", "", "",
       "Repository {{ $labels.repository }}: {{ $value }} {{ $labels.kind }} snapshot(s)",
       "`starkeep repository check` found conflicting, partial, overdue or unknown snapshots (docs/retention.md)."},
      {"StarkeepExpiryFailed", fmt::format("{}{{state=\"failed\"}} > 0", name_of(MetricId::kExpirySnapshots)), "",
       "warning", "", "", "{{ $value }} snapshot deletion(s) failed in repository {{ $labels.repository }}",
       "ops.snapshot_expiry holds the error; the next `starkeep expire` retries them."},
      {"StarkeepRunAbandoned",
       fmt::format("{}{{state=\"ABANDONED\"}} == 1", name_of(MetricId::kRunnerLastRunState)), "", "warning", "", "",
       "The newest starkeep run was abandoned",
       "The run was killed or interrupted; the next run reconciles its jobs from the server's records."},
  };
}

}  // namespace

std::int64_t freshness_threshold_seconds(const Schedule& schedule) {
  return schedule.max_interval().seconds() * 3 / 2;
}

std::string render_alert_rules(const model::Policy& policy, std::string_view source) {
  std::string out = fmt::format(
      "# Prometheus alerting rules for the starkeep policy {} ({}).\n"
      "# Generated by `starkeep metrics --emit-rules`; do not edit, regenerate (docs/metrics.md).\n"
      "# Freshness limits are 1.5 x the longest gap between a tier's (or drill's) scheduled slots.\n"
      "# The snapshot-disk rule reads what `starkeep run --metrics-file` wrote at its pre-check.\n"
      "groups:\n  - name: starkeep\n    rules:\n",
      yaml_quoted(policy.name), yaml_quoted(source));
  for (const auto& r : freshness_rules(policy)) out += render_rule(r);
  for (const auto& r : state_rules(policy)) out += render_rule(r);
  for (const auto& r : drill_rules(policy)) out += render_rule(r);
  out += render_rule(disk_rule(policy));
  return out;
}

}  // namespace sk::metrics
