// The shipped Grafana dashboard (deploy/grafana/starkeep.json) against what the exporter really emits: every
// panel's PromQL names only metric families that a rendering of the metrics contains (ops, repository check and
// the run's snapshot disks, rendered here from rows), every label a selector, a `by (…)` clause or a legend uses
// is a label of a family the expression names, every templated variable's label_values(metric, label) names an
// emitted family and one of its labels, and every $variable an expression uses is defined. The checker itself is
// tested on broken dashboards, so a test that accepts everything cannot pass.
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "runtime/metrics/disk_metrics.h"
#include "runtime/metrics/exposition.h"
#include "runtime/metrics/metric_table.h"
#include "runtime/metrics/ops_metrics.h"
#include "tests/runtime/metrics/metrics_test_support.h"

namespace sk::metrics {
namespace {

using namespace sk::metrics::test;  // NOLINT
using json = nlohmann::json;

// Metric name → its labels, for every family present in `text` (exposition format).
using Emitted = std::map<std::string, std::set<std::string>>;

Emitted emitted_families(const std::string& text) {
  std::set<std::string> names;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line.starts_with('#')) continue;
    names.insert(line.substr(0, line.find_first_of("{ ")));
  }
  Emitted out;
  for (const auto& f : metric_families()) {
    if (!names.contains(std::string(f.name))) continue;
    auto& labels = out[std::string(f.name)];
    for (const auto l : label_names(f)) labels.insert(std::string(l));
  }
  return out;
}

// A real rendering of every source: the production policy's ops metrics over a small history with every kind of
// row, a repository check with a finding, and a run's disk reading.
std::string real_exposition() {
  OpsHistory h;
  h.attempts = {attempt({"sales", {"daily"}, ops::AttemptState::kFinished, kT0 + 3600, 300, 123'456}),
                attempt({"crm", {"daily"}, ops::AttemptState::kCancelled, kT0 + kDay + 3600, 60})};
  h.drills = {drill_row("partition", kT0 + 2 * kDay, "PASSED")};
  h.runs = {run_marker("run-1", "sales", kT0 + 3600, ops::RunState::kDone)};
  h.expiries = {expiry("old_1", ops::ExpiryState::kFailed)};
  const Instant now = at(kT0 + 7 * kDay);
  const auto repo = *RepositoryName::parse("s3_prod");
  return render_text(ops_samples(production_policy(), h, now)) +
         render_text(repository_check_samples({repo}, {{expire::FindingKind::kMissing, repo, "a", std::nullopt, ""}},
                                              now)) +
         render_text(snapshot_disk_samples({{10001, 0.4}}, now));
}

const std::set<std::string> kPromqlWords{
    "time", "sum", "min", "max", "avg", "count", "by", "without", "increase", "rate", "irate", "delta", "abs",
    "max_over_time", "min_over_time", "avg_over_time", "last_over_time", "label_values", "on", "ignoring",
    "and", "or", "unless", "bool", "topk", "bottomk", "sort", "sort_desc", "clamp_min", "clamp_max", "vector"};
const std::set<std::string> kGrafanaBuiltins{"__range", "__interval", "__rate_interval", "__all"};

// Problems of one PromQL expression (empty: fine). `variables`: the dashboard's variable names.
std::vector<std::string> check_expr(const std::string& expr, const std::string& legend, const Emitted& emitted,
                                    const std::set<std::string>& variables) {
  std::vector<std::string> problems;
  const std::regex variable(R"(\$\{?(\w+)\}?)");
  for (auto it = std::sregex_iterator(expr.begin(), expr.end(), variable); it != std::sregex_iterator(); ++it) {
    const std::string v = (*it)[1];
    if (!variables.contains(v) && !kGrafanaBuiltins.contains(v)) problems.push_back("undefined variable $" + v);
  }
  // Strings, durations in brackets and variables carry no names.
  const std::string bare = std::regex_replace(
      std::regex_replace(std::regex_replace(expr, std::regex(R"("([^"\\]|\\.)*")"), "\"\""),
                         std::regex(R"(\[[^\]]*\])"), ""),
      std::regex(R"(\$\{?\w+\}?)"), "");
  std::set<std::string> labels_of_expr;
  int families = 0;
  const std::regex selector(R"(([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\{([^}]*)\})?)");
  for (auto it = std::sregex_iterator(bare.begin(), bare.end(), selector); it != std::sregex_iterator(); ++it) {
    const std::string name = (*it)[1];
    if (!name.starts_with("starkeep_")) continue;
    const auto family = emitted.find(name);
    if (family == emitted.end()) {
      problems.push_back("metric " + name + " is not emitted");
      continue;
    }
    ++families;
    labels_of_expr.insert(family->second.begin(), family->second.end());
    const std::string matchers = (*it)[3];
    const std::regex matcher(R"((\w+)\s*(=~|!~|!=|=))");
    for (auto mt = std::sregex_iterator(matchers.begin(), matchers.end(), matcher); mt != std::sregex_iterator();
         ++mt) {
      if (!family->second.contains((*mt)[1])) problems.push_back(name + " has no label " + std::string((*mt)[1]));
    }
  }
  if (families == 0) problems.push_back("names no starkeep metric: " + expr);
  // Every other identifier outside selectors is a PromQL word or a grouping label.
  const std::string outside = std::regex_replace(bare, std::regex(R"(\{[^}]*\})"), "");
  const std::regex word(R"([a-zA-Z_:][a-zA-Z0-9_:]*)");
  for (auto it = std::sregex_iterator(outside.begin(), outside.end(), word); it != std::sregex_iterator(); ++it) {
    const std::string w = it->str();
    if (w.starts_with("starkeep_") || kPromqlWords.contains(w) || labels_of_expr.contains(w)) continue;
    problems.push_back("unknown name " + w + " (neither a PromQL word nor a label of the expression's metrics)");
  }
  const std::regex legend_label(R"(\{\{\s*(\w+)\s*\}\})");
  for (auto it = std::sregex_iterator(legend.begin(), legend.end(), legend_label); it != std::sregex_iterator();
       ++it) {
    if (!labels_of_expr.contains((*it)[1])) problems.push_back("legend label " + std::string((*it)[1]) + " absent");
  }
  return problems;
}

void collect_panels(const json& panels, std::vector<json>& out) {
  for (const auto& p : panels) {
    out.push_back(p);
    if (p.contains("panels")) collect_panels(p.at("panels"), out);
  }
}

// Every problem of the dashboard, each naming where it is.
std::vector<std::string> check_dashboard(const json& dashboard, const Emitted& emitted) {
  std::vector<std::string> problems;
  std::set<std::string> variables;
  const json& list = dashboard.at("templating").at("list");
  for (const auto& v : list) variables.insert(v.at("name").get<std::string>());
  const std::regex label_values(R"(^label_values\(\s*(\w+)\s*,\s*(\w+)\s*\)$)");
  for (const auto& v : list) {
    if (v.at("type") != "query") continue;
    const json& q = v.at("query");
    const std::string query = q.is_object() ? q.at("query").get<std::string>() : q.get<std::string>();
    std::smatch m;
    if (!std::regex_match(query, m, label_values)) {
      problems.push_back("variable " + v.at("name").get<std::string>() + ": not label_values(metric, label)");
    } else if (!emitted.contains(m[1]) || !emitted.at(m[1]).contains(m[2])) {
      problems.push_back("variable " + v.at("name").get<std::string>() + ": " + m[1].str() + " has no label " +
                         m[2].str());
    }
  }
  std::vector<json> panels;
  collect_panels(dashboard.at("panels"), panels);
  for (const auto& p : panels) {
    if (p.at("type") == "row") continue;
    const std::string where = "panel '" + p.at("title").get<std::string>() + "': ";
    if (!p.contains("targets") || p.at("targets").empty()) problems.push_back(where + "no query");
    if (!p.contains("targets")) continue;
    for (const auto& t : p.at("targets")) {
      const std::string legend = t.value("legendFormat", "");
      for (const auto& problem : check_expr(t.at("expr").get<std::string>(), legend, emitted, variables))
        problems.push_back(where + problem);
    }
  }
  return problems;
}

json shipped_dashboard() {
  const std::string text = read_text(source_dir() / "deploy/grafana/starkeep.json");
  EXPECT_FALSE(text.empty()) << "deploy/grafana/starkeep.json is missing";
  return json::parse(text);
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

TEST(GrafanaDashboard, EveryQueryNamesOnlyEmittedMetricsAndLabels) {
  const Emitted emitted = emitted_families(real_exposition());
  ASSERT_EQ(emitted.size(), metric_families().size()) << "the rendering lacks a family: " << real_exposition();
  const json dashboard = shipped_dashboard();
  const auto problems = check_dashboard(dashboard, emitted);
  EXPECT_TRUE(problems.empty()) << joined(problems);
}

// The issue's list: freshness per database and tier, last attempt state, durations, bytes, restore-point age,
// drills, repository findings, disk.
TEST(GrafanaDashboard, CoversTheIssuesPanels) {
  const std::string text = shipped_dashboard().dump();
  for (const char* family : {"starkeep_backup_last_success_timestamp_seconds", "starkeep_backup_last_attempt_state",
                             "starkeep_backup_last_duration_seconds", "starkeep_backup_last_size_bytes",
                             "starkeep_restore_point_newest_timestamp_seconds",
                             "starkeep_drill_last_passed_timestamp_seconds", "starkeep_repository_findings",
                             "starkeep_snapshot_disk_free_ratio"}) {
    EXPECT_NE(text.find(family), std::string::npos) << family << " has no panel";
  }
}

TEST(GrafanaDashboard, TheCheckerRejectsWrongNamesLabelsAndVariables) {
  const Emitted emitted = emitted_families(real_exposition());
  const std::set<std::string> vars{"database", "tier"};
  EXPECT_TRUE(check_expr(R"(time() - starkeep_backup_last_success_timestamp_seconds{database=~"$database"})",
                         "{{database}} {{tier}}", emitted, vars)
                  .empty());
  EXPECT_FALSE(check_expr("starkeep_backup_last_sucess_timestamp_seconds", "", emitted, vars).empty()) << "typo";
  EXPECT_FALSE(check_expr(R"(starkeep_drill_runs_total{tier="daily"})", "", emitted, vars).empty()) << "label";
  EXPECT_FALSE(check_expr("sum by (backend) (starkeep_backup_jobs_total)", "", emitted, vars).empty()) << "by";
  EXPECT_FALSE(check_expr("starkeep_backup_jobs_total", "{{drill}}", emitted, vars).empty()) << "legend";
  EXPECT_FALSE(check_expr(R"(starkeep_backup_jobs_total{database=~"$db"})", "", emitted, vars).empty()) << "var";
  EXPECT_FALSE(check_expr("node_filesystem_avail_bytes / starkeep_snapshot_disk_free_ratio", "", emitted, vars)
                   .empty())
      << "a metric the exporter does not emit";
  json dashboard = shipped_dashboard();
  dashboard["templating"]["list"][1]["query"]["query"] = "label_values(starkeep_backup_last_success_timestamp_seconds, "
                                                         "drill)";
  EXPECT_FALSE(check_dashboard(dashboard, emitted).empty()) << "a variable over a label the metric lacks";
}

}  // namespace
}  // namespace sk::metrics
