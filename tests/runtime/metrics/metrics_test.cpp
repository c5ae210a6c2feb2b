// The metrics room without a server: the family table's conventions and its documentation, the model's semantics
// (which attempt is "last", covering tiers, expired restore points, the newest run), the exposition text (golden,
// hostile label values, promtool check metrics), the atomic textfile writer.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <string>

#include <unistd.h>

#include "runtime/metrics/disk_metrics.h"
#include "runtime/metrics/exposition.h"
#include "runtime/metrics/metric_table.h"
#include "runtime/metrics/ops_metrics.h"
#include "runtime/metrics/textfile.h"
#include "tests/golden/golden_util.h"
#include "tests/runtime/metrics/metrics_test_support.h"

namespace sk::metrics {
namespace {

using namespace sk::metrics::test;  // NOLINT
using ops::AttemptState;

// The value of the sample of `id` with exactly these label values, or nullopt.
std::optional<double> value_of(const std::vector<Sample>& samples, MetricId id, const std::vector<std::string>& labels) {
  for (const auto& s : samples) {
    if (s.family == id && s.label_values == labels) return s.value;
  }
  return std::nullopt;
}

// A year-end history of the production policy: sales has dailies, a monthly that covers the weekly, a later
// weekly whose snapshot expire deleted; crm's newest daily was cancelled; drills; two runs.
OpsHistory sample_history() {
  OpsHistory h;
  h.attempts = {
      attempt({"sales", {"weekly", "monthly"}, AttemptState::kFinished, kT0 - 1 * kDay + 3600, 1800, 5'000'000}),
      attempt({"sales", {"daily"}, AttemptState::kFinished, kT0 + 3600, 300, 123'456}),
      attempt({"sales", {"daily"}, AttemptState::kFinished, kT0 + kDay + 3600, 240, std::nullopt, "run-2"}),
      attempt({"sales", {"weekly"}, AttemptState::kFinished, kT0 + 6 * kDay + 3600, 900, 4'000'000, "run-7",
               "sales_w7"}),
      attempt({"crm", {"daily"}, AttemptState::kFinished, kT0 + 3600, 100, 1000}),
      attempt({"crm", {"daily"}, AttemptState::kCancelled, kT0 + kDay + 3600, 60, std::nullopt, "run-2"}),
      attempt({"crm", {"daily"}, AttemptState::kRejected, kT0 + kDay + 3700, 0, std::nullopt, "run-2", "crm_r1"}),
  };
  h.drills = {drill_row("partition", kT0 + 2 * kDay, "PASSED"), drill_row("partition", kT0 + 3 * kDay, "FAILED"),
              drill_row("table", kT0 + 2 * kDay, std::nullopt, AttemptState::kRunning)};
  h.runs = {run_marker("run-1", "sales", kT0 + 3600, ops::RunState::kDone),
            run_marker("run-1", "crm", kT0 + 3600, ops::RunState::kDone),
            run_marker("run-2", "sales", kT0 + kDay + 3600, ops::RunState::kDone),
            run_marker("run-2", "crm", kT0 + kDay + 3600, ops::RunState::kAbandoned)};
  h.expiries = {expiry("sales_w7", ops::ExpiryState::kDeleted), expiry("old_1", ops::ExpiryState::kFailed)};
  return h;
}

const Instant kAt = at(kT0 + 7 * kDay);

TEST(MetricFamilies, NamesFollowThePrometheusConventions) {
  const std::regex name("starkeep_[a-z_]+");
  std::set<std::string_view> seen;
  for (const auto& f : metric_families()) {
    SCOPED_TRACE(std::string(f.name));
    EXPECT_TRUE(std::regex_match(std::string(f.name), name));
    EXPECT_TRUE(seen.insert(f.name).second) << "duplicate";
    EXPECT_EQ(f.type == MetricType::kCounter, f.name.ends_with("_total")) << "counters, and only they, end in _total";
    if (f.unit == "unix seconds") {
      EXPECT_TRUE(f.name.ends_with("_timestamp_seconds"));
    }
    if (f.unit == "seconds") {
      EXPECT_TRUE(f.name.ends_with("_seconds") && !f.name.ends_with("_timestamp_seconds"));
    }
    if (f.unit == "bytes") {
      EXPECT_TRUE(f.name.ends_with("_bytes"));
    }
    EXPECT_FALSE(f.help.empty());
    EXPECT_EQ(f.help.find('\\'), std::string_view::npos);
    for (const auto label : label_names(f)) EXPECT_TRUE(std::regex_match(std::string(label), std::regex("[a-z_]+")));
  }
}

// docs/metrics.md lists every family in a table row "| `name` | type | labels | unit | ..." and nothing else.
TEST(MetricFamilies, DocsListEveryFamilyAndNoOther) {
  const std::string docs = read_text(source_dir() / "docs/metrics.md");
  ASSERT_FALSE(docs.empty()) << "docs/metrics.md is missing";
  std::set<std::string> documented;
  const std::regex row(R"(\n\| `(starkeep_[a-z_]+)` \| (gauge|counter) \|)");
  std::map<std::string, std::string> types;
  for (auto it = std::sregex_iterator(docs.begin(), docs.end(), row); it != std::sregex_iterator(); ++it) {
    documented.insert((*it)[1]);
    types[(*it)[1]] = (*it)[2];
  }
  std::set<std::string> table;
  for (const auto& f : metric_families()) {
    table.insert(std::string(f.name));
    EXPECT_TRUE(documented.contains(std::string(f.name))) << f.name << " is not documented in docs/metrics.md";
    EXPECT_EQ(types[std::string(f.name)], to_string(f.type)) << f.name;
  }
  for (const auto& d : documented) EXPECT_TRUE(table.contains(d)) << d << " is documented but not exported";
}

TEST(MetricsModel, LastSuccessIsTheNewestFinishedAttemptOfTheTierIncludingCoveringSnapshots) {
  const auto samples = ops_samples(production_policy(), sample_history(), kAt);
  // The monthly of the day before T0 counts for weekly too; the later weekly was deleted by expire but it still
  // was the last success of the tier.
  EXPECT_EQ(value_of(samples, MetricId::kBackupLastSuccess, {"sales", "monthly"}), kT0 - kDay + 3600 + 5 + 1800);
  EXPECT_EQ(value_of(samples, MetricId::kBackupLastSuccess, {"sales", "weekly"}), kT0 + 6 * kDay + 3600 + 5 + 900);
  EXPECT_EQ(value_of(samples, MetricId::kBackupLastSuccess, {"sales", "daily"}), kT0 + kDay + 3600 + 5 + 240);
  EXPECT_EQ(value_of(samples, MetricId::kBackupLastDuration, {"sales", "daily"}), 240);
  EXPECT_EQ(value_of(samples, MetricId::kBackupLastSize, {"sales", "daily"}), std::nullopt) << "bytes unknown";
  EXPECT_EQ(value_of(samples, MetricId::kBackupLastSize, {"sales", "monthly"}), 5'000'000);
  // crm never had a weekly or monthly: 0, so the freshness alert fires.
  EXPECT_EQ(value_of(samples, MetricId::kBackupLastSuccess, {"crm", "weekly"}), 0);
  EXPECT_EQ(value_of(samples, MetricId::kBackupLastAttempt, {"crm", "weekly"}), std::nullopt);
}

TEST(MetricsModel, LastAttemptStateIsAStateSetAndJobsCountEndedAttemptsByState) {
  const auto samples = ops_samples(production_policy(), sample_history(), kAt);
  EXPECT_EQ(value_of(samples, MetricId::kBackupLastAttemptState, {"crm", "daily", "REJECTED"}), 1);
  EXPECT_EQ(value_of(samples, MetricId::kBackupLastAttemptState, {"crm", "daily", "CANCELLED"}), 0);
  EXPECT_EQ(value_of(samples, MetricId::kBackupLastAttemptState, {"crm", "daily", "FINISHED"}), 0);
  EXPECT_EQ(value_of(samples, MetricId::kBackupJobs, {"crm", "daily", "FINISHED"}), 1);
  EXPECT_EQ(value_of(samples, MetricId::kBackupJobs, {"crm", "daily", "CANCELLED"}), 1);
  EXPECT_EQ(value_of(samples, MetricId::kBackupJobs, {"crm", "daily", "LOST"}), 0) << "zeros are present";
  EXPECT_EQ(value_of(samples, MetricId::kBackupJobs, {"crm", "daily", "RUNNING"}), std::nullopt) << "not final";
  EXPECT_EQ(value_of(samples, MetricId::kBackupJobs, {"sales", "weekly", "FINISHED"}), 2);
}

TEST(MetricsModel, AnExpiredSnapshotIsNoRestorePoint) {
  const auto samples = ops_samples(production_policy(), sample_history(), kAt);
  const double newest = kT0 + kDay + 3600 + 5 + 240;  // the daily, not the deleted weekly after it
  EXPECT_EQ(value_of(samples, MetricId::kRestorePointNewest, {"sales"}), newest);
  EXPECT_EQ(value_of(samples, MetricId::kRestorePointAge, {"sales"}), static_cast<double>(kAt.unix_seconds()) - newest);
}

TEST(MetricsModel, DrillsRunnerAndExpiries) {
  const auto samples = ops_samples(production_policy(), sample_history(), kAt);
  EXPECT_EQ(value_of(samples, MetricId::kDrillLastPassed, {"partition"}), kT0 + 2 * kDay + 300);
  EXPECT_EQ(value_of(samples, MetricId::kDrillLastRun, {"partition"}), kT0 + 3 * kDay);
  EXPECT_EQ(value_of(samples, MetricId::kDrillRuns, {"partition", "FAILED"}), 1);
  EXPECT_EQ(value_of(samples, MetricId::kDrillLastPassed, {"table"}), 0) << "a running drill has not passed";
  EXPECT_EQ(value_of(samples, MetricId::kDrillRuns, {"table", "NONE"}), 0) << "a running drill has not ended";
  EXPECT_EQ(value_of(samples, MetricId::kDrillLastPassed, {"database"}), 0);
  EXPECT_EQ(value_of(samples, MetricId::kRunnerLastRunStart, {}), kT0 + kDay + 3600);
  EXPECT_EQ(value_of(samples, MetricId::kRunnerLastRunState, {"ABANDONED"}), 1);
  EXPECT_EQ(value_of(samples, MetricId::kRunnerLastRunState, {"DONE"}), 0);
  EXPECT_EQ(value_of(samples, MetricId::kRunnerLastRunJobs, {"FINISHED"}), 1);
  EXPECT_EQ(value_of(samples, MetricId::kRunnerLastRunJobs, {"CANCELLED"}), 1);
  EXPECT_EQ(value_of(samples, MetricId::kExpirySnapshots, {"s3_prod", "failed"}), 1);
  EXPECT_EQ(value_of(samples, MetricId::kExpirySnapshots, {"s3_prod", "deleting"}), 0);
}

TEST(MetricsModel, AnEmptyHistoryStillHasTheFreshnessAndDrillSeries) {
  const auto samples = ops_samples(production_policy(), OpsHistory{}, kAt);
  EXPECT_EQ(value_of(samples, MetricId::kBackupLastSuccess, {"crm", "daily"}), 0);
  EXPECT_EQ(value_of(samples, MetricId::kDrillLastPassed, {"database"}), 0);
  EXPECT_EQ(value_of(samples, MetricId::kRunnerLastRunStart, {}), std::nullopt);
}

TEST(MetricsRender, GoldenExpositionOfTheProductionPolicy) {
  const std::string text = render_text(ops_samples(production_policy(), sample_history(), kAt));
  golden::expect_golden(source_dir() / "tests/runtime/metrics/golden/production.prom", text);
}

TEST(MetricsRender, PromtoolCheckMetricsAcceptsTheOutput) {
  const std::string text = render_text(ops_samples(production_policy(), sample_history(), kAt));
  const Promtool result = promtool("check metrics", text);
  EXPECT_EQ(result.status, 0) << result.output;
  EXPECT_EQ(result.output, "") << "promtool complained";
}

TEST(MetricsRender, HostileDatabaseNamesStayInsideTheirLabel) {
  const model::Policy policy = compile_policy(R"(policy "hostile" {
  timezone  = "UTC"
  databases = all
  repository "s3_prod" {
    location = "s3a://b/p"
    endpoint = "https://s3.example.com"
  }
  tier "daily" {
    backup   = database
    schedule = daily at 01:00
    retain   = 7d
  }
})");
  OpsHistory h;
  const std::vector<std::string> names{"we\"ird", "back\\slash", "tick`db`", "销售数据", "a,b=\"c\"}"};
  for (std::size_t i = 0; i < names.size(); ++i) {
    h.attempts.push_back(attempt({names[i], {"daily"}, AttemptState::kFinished, kT0 + static_cast<int>(i), 10}));
  }
  const std::string text = render_text(ops_samples(policy, h, kAt));
  EXPECT_NE(text.find(R"(database="we\"ird",tier="daily")"), std::string::npos) << text;
  EXPECT_NE(text.find(R"(database="back\\slash",tier="daily")"), std::string::npos);
  EXPECT_NE(text.find(R"(database="tick`db`",tier="daily")"), std::string::npos);
  EXPECT_NE(text.find(R"(database="销售数据",tier="daily")"), std::string::npos);
  EXPECT_NE(text.find(R"(database="a,b=\"c\"}",tier="daily")"), std::string::npos);
  EXPECT_EQ(escape_label_value("line\nbreak"), "line\\nbreak");
  const Promtool result = promtool("check metrics", text);
  EXPECT_EQ(result.status, 0) << result.output;
  EXPECT_EQ(result.output, "");
}

TEST(MetricsRender, JsonHasTheSameSamples) {
  const auto samples = ops_samples(production_policy(), sample_history(), kAt);
  const std::string json = render_json(samples);
  EXPECT_NE(json.find("\"metrics_version\": 1"), std::string::npos);
  EXPECT_NE(json.find("\"name\": \"starkeep_backup_last_success_timestamp_seconds\""), std::string::npos);
}

TEST(MetricsRender, RepositoryCheckFindingsByKindWithZeros) {
  const auto repo = *RepositoryName::parse("s3_prod");
  std::vector<expire::Finding> findings{{expire::FindingKind::kMissing, repo, "a", std::nullopt, ""},
                                        {expire::FindingKind::kMissing, repo, "b", std::nullopt, ""},
                                        {expire::FindingKind::kUnknown, repo, "c", std::nullopt, ""}};
  const auto samples = repository_check_samples({repo}, findings, kAt);
  EXPECT_EQ(value_of(samples, MetricId::kRepositoryFindings, {"s3_prod", "missing"}), 2);
  EXPECT_EQ(value_of(samples, MetricId::kRepositoryFindings, {"s3_prod", "unknown"}), 1);
  EXPECT_EQ(value_of(samples, MetricId::kRepositoryFindings, {"s3_prod", "partial"}), 0);
  EXPECT_EQ(value_of(samples, MetricId::kRepositoryCheckTime, {"s3_prod"}), kAt.unix_seconds());
  const Promtool result = promtool("check metrics", render_text(samples));
  EXPECT_EQ(result.status, 0) << result.output;
}

TEST(MetricsRender, SnapshotDiskFreePerBackendAndTheMinimum) {
  const auto samples = snapshot_disk_samples({{10001, 0.42}, {10002, 0.125}, {10003, 0.9}}, kAt);
  EXPECT_EQ(value_of(samples, MetricId::kSnapshotDiskFree, {"10001"}), 0.42);
  EXPECT_EQ(value_of(samples, MetricId::kSnapshotDiskFree, {"10002"}), 0.125);
  EXPECT_EQ(value_of(samples, MetricId::kSnapshotDiskFree, {"10003"}), 0.9);
  EXPECT_EQ(value_of(samples, MetricId::kSnapshotDiskFreeMin, {}), 0.125);
  EXPECT_EQ(value_of(samples, MetricId::kSnapshotDiskCheck, {}), kAt.unix_seconds());
  EXPECT_TRUE(snapshot_disk_samples({}, kAt).empty()) << "no reading, no series";
  const Promtool result = promtool("check metrics", render_text(samples));
  EXPECT_EQ(result.status, 0) << result.output;
  EXPECT_EQ(result.output, "");
}

// drill and expire rewrite the shared file from the ops tables, which hold no disk figures: the newest run's
// disk lines are kept, and nothing else of the old file.
TEST(MetricsRender, TheRunsDiskLinesAreCarriedOverAndNothingElse) {
  const std::string disks = render_text(snapshot_disk_samples({{10001, 0.42}, {10002, 0.125}}, kAt));
  const std::string old_ops = render_text(ops_samples(production_policy(), sample_history(), kAt));
  EXPECT_EQ(lines_of_source(old_ops + disks, MetricSource::kRunPrecheck), disks);
  EXPECT_EQ(lines_of_source(old_ops, MetricSource::kRunPrecheck), "");
  EXPECT_EQ(lines_of_source("", MetricSource::kRunPrecheck), "");
  const std::string merged = render_text(ops_samples(production_policy(), {}, kAt)) +
                             lines_of_source(old_ops + disks, MetricSource::kRunPrecheck);
  const Promtool result = promtool("check metrics", merged);
  EXPECT_EQ(result.status, 0) << result.output;
}

TEST(MetricsTextfile, WritesAtomicallyAndLeavesNoTemporaryFile) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("sk-textfile-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  ASSERT_TRUE(write_file_atomically(dir / "starkeep.prom", "a 1\n"));
  ASSERT_TRUE(write_file_atomically(dir / "starkeep.prom", "b 2\n"));
  EXPECT_EQ(read_text(dir / "starkeep.prom"), "b 2\n");
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator{}), 1) << "a temporary file was left";
  auto missing = write_file_atomically(dir / "no/such/dir/x.prom", "c 3\n");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, "io.write");
  EXPECT_FALSE(write_file_atomically(dir, "d 4\n")) << "a directory is no target";
  fs::remove_all(dir);
}

}  // namespace
}  // namespace sk::metrics
