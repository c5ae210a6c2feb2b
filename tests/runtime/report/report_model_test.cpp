// The KPI report's model with exact figures from hand-made ops rows (success rates per tier, database and week,
// throughput, nearest-rank latency against the window, restore points from the retention model, drills,
// coverage), and its HTML and JSON renderings: every name escaped, no script, no external resource.
#include "runtime/report/report_model.h"

#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <vector>

#include "compiler/diag/diagnostic.h"
#include "compiler/driver/compile.h"
#include "runtime/report/html_report.h"
#include "runtime/report/report_json.h"
#include "runtime/report/svg_chart.h"
#include "tests/runtime/expire/history_fixture.h"
#include "tests/support/fixtures.h"

namespace sk::report {
namespace {

using ops::AttemptState;
using K = ops::BackupKind;
namespace fx = expire::testing;

model::Policy compile_policy(bool with_monthly = true) {
  const std::string text = test::E2ePolicy{.name = "kpi",
                                           .databases = {"sales", "crm"},
                                           .repository = "main",
                                           .location = "s3a://bucket/prefix",
                                           .extra = with_monthly ? test::monthly_and_drills("log") +
                                                                       "  notifier \"log\" { log = true }\n"
                                                                 : ""}
                               .text();
  diag::SourceFile file("kpi.skp", text);
  driver::Compilation c = driver::compile({&file, nullptr, CivilDay(2025, 1, 1)});
  EXPECT_FALSE(c.has_errors()) << diag::render_text(file, c.policy_diagnostics.diagnostics());
  return c.policy ? *c.policy : model::Policy{};
}

Instant at(const char* text) { return *Instant::parse(text, TimeZone::utc()); }

struct AttemptSpec {
  const char* label;
  const char* db;
  std::vector<const char*> tiers;
  const char* slot;
  AttemptState state;
  const char* submitted = nullptr;
  const char* started = nullptr;
  const char* finished = nullptr;
  std::optional<std::int64_t> bytes{};
};

ops::BackupAttempt attempt(const AttemptSpec& s) {
  ops::BackupAttempt a{std::string("run-") + s.label, *SnapshotLabel::parse(s.label), *RepositoryName::parse("main"),
                       *DatabaseName::parse(s.db)};
  for (const char* t : s.tiers) a.tiers.push_back(*TierName::parse(t));
  a.slot = at(s.slot);
  a.state = s.state;
  if (s.submitted) a.submitted_at = at(s.submitted);
  if (s.started) a.started_at = at(s.started);
  if (s.finished) a.finished_at = at(s.finished);
  a.bytes = s.bytes;
  return a;
}

// Two ISO weeks, 2025-07-07 (Monday) to 2025-07-21, and one attempt after the period.
std::vector<ops::BackupAttempt> attempts() {
  constexpr auto F = AttemptState::kFinished;
  return {
      attempt({"s1", "sales", {"daily"}, "2025-07-07T01:00:00Z", F, "2025-07-07T01:00:00Z", "2025-07-07T01:00:30Z",
               "2025-07-07T01:10:00Z", 6'000'000'000}),
      attempt({"s2", "sales", {"daily"}, "2025-07-08T01:00:00Z", F, "2025-07-08T01:00:00Z", "2025-07-08T01:00:00Z",
               "2025-07-08T01:20:00Z", 3'000'000'000}),
      attempt({"s3", "sales", {"daily"}, "2025-07-09T01:00:00Z", AttemptState::kCancelled, "2025-07-09T01:00:00Z"}),
      attempt({"c1", "crm", {"daily"}, "2025-07-09T01:00:00Z", F, "2025-07-09T01:00:00Z", nullptr,
               "2025-07-09T03:01:00Z"}),
      attempt({"s4", "sales", {"weekly", "monthly"}, "2025-07-13T01:00:00Z", F, "2025-07-13T01:00:00Z",
               "2025-07-13T01:00:00Z", "2025-07-13T02:00:00Z", 12'000'000'000}),
      attempt({"s5", "sales", {"daily"}, "2025-07-14T01:00:00Z", AttemptState::kLost}),
      attempt({"s6", "sales", {"daily"}, "2025-07-15T01:00:00Z", AttemptState::kRunning, "2025-07-15T01:00:00Z"}),
      attempt({"s7", "sales", {"daily"}, "2025-07-21T01:00:00Z", F, "2025-07-21T01:00:00Z", "2025-07-21T01:00:00Z",
               "2025-07-21T01:05:00Z", 1'000'000'000}),
  };
}

class ReportModelTest : public ::testing::Test {
 protected:
  model::Policy policy_ = compile_policy();
  ReportInput input() const {
    ReportInput in{&policy_, at("2025-07-07T00:00:00Z"), at("2025-07-21T00:00:00Z")};
    in.attempts = attempts();
    return in;
  }
  static const TierKpi& tier(const Report& r, const char* name) {
    for (const TierKpi& k : r.tiers) {
      if (k.tier.str() == name) return k;
    }
    ADD_FAILURE() << name;
    return r.tiers.front();
  }
};

TEST_F(ReportModelTest, SuccessRatePerTierAndWeekCountsTerminalAttemptsAndEveryTierAnAttemptSatisfies) {
  const Report r = build_report(input());
  ASSERT_EQ(r.weeks, (std::vector<CivilDay>{CivilDay(2025, 7, 7), CivilDay(2025, 7, 14)}));
  EXPECT_EQ(r.attempts_in_period, 7u);  // s7 is at `to`: outside
  ASSERT_EQ(r.tiers.size(), 3u);
  const TierKpi& daily = tier(r, "daily");
  EXPECT_EQ(daily.total.terminal, 5u);
  EXPECT_EQ(daily.total.finished, 3u);
  EXPECT_EQ(daily.total.in_flight, 1u);
  EXPECT_DOUBLE_EQ(*daily.total.rate_percent(), 60.0);
  EXPECT_DOUBLE_EQ(*daily.weeks[0].rate_percent(), 75.0);  // s1 s2 c1 of s1 s2 s3 c1
  EXPECT_DOUBLE_EQ(*daily.weeks[1].rate_percent(), 0.0);   // s5 lost; s6 still running
  EXPECT_EQ(daily.weeks[1].in_flight, 1u);
  for (const char* t : {"weekly", "monthly"}) {
    EXPECT_EQ(tier(r, t).total.finished, 1u) << t;
    EXPECT_DOUBLE_EQ(*tier(r, t).weeks[0].rate_percent(), 100.0) << t;
    EXPECT_FALSE(tier(r, t).weeks[1].rate_percent()) << t;
  }
  ASSERT_EQ(r.success.size(), 4u);  // by database, then tier order
  EXPECT_EQ(r.success[0].database.str(), "crm");
  EXPECT_DOUBLE_EQ(*r.success[0].total.rate_percent(), 100.0);
  EXPECT_EQ(r.success[1].tier.str(), "daily");
  EXPECT_DOUBLE_EQ(*r.success[1].total.rate_percent(), 50.0);  // s1 s2 of s1 s2 s3 s5
  EXPECT_DOUBLE_EQ(*r.success[1].weeks[0].rate_percent(), 100.0 * 2 / 3);
  EXPECT_EQ(r.success[2].tier.str(), "weekly");
  EXPECT_EQ(r.success[3].tier.str(), "monthly");
}

TEST_F(ReportModelTest, ThroughputIsBytesOverRunningTimeOfFinishedJobsInGbPerMinute) {
  const Report r = build_report(input());
  const TierKpi& daily = tier(r, "daily");
  EXPECT_EQ(daily.transfer.jobs, 2u);  // c1 recorded no bytes
  EXPECT_EQ(daily.transfer.bytes, 9'000'000'000);
  EXPECT_EQ(daily.transfer.seconds, 570 + 1200);
  EXPECT_DOUBLE_EQ(*daily.transfer.gb_per_minute(), 9.0 / (1770.0 / 60.0));
  EXPECT_DOUBLE_EQ(*tier(r, "weekly").transfer.gb_per_minute(), 0.2);
  EXPECT_FALSE(daily.weekly_transfer[1].gb_per_minute());
}

TEST_F(ReportModelTest, LatencyIsSubmissionToFinishWithNearestRankPercentilesAgainstTheWindow) {
  const Report r = build_report(input());
  const TierKpi& daily = tier(r, "daily");
  EXPECT_EQ(daily.window, Duration::from_hours(2));
  EXPECT_EQ(daily.latency.samples, 3u);  // 600 s, 1200 s, 7260 s
  EXPECT_EQ(daily.latency.p50, Duration::from_seconds(1200));
  EXPECT_EQ(daily.latency.p95, Duration::from_seconds(7260));
  EXPECT_EQ(daily.latency.over_window, 1u);
  EXPECT_EQ(tier(r, "monthly").latency.p95, Duration::from_hours(1));
  std::vector<Duration> twenty;
  for (int i = 1; i <= 20; ++i) twenty.push_back(Duration::from_seconds(i));
  EXPECT_EQ(nearest_rank(twenty, 95), Duration::from_seconds(19));
  EXPECT_EQ(nearest_rank(twenty, 50), Duration::from_seconds(10));
  EXPECT_EQ(nearest_rank({Duration::from_seconds(7)}, 95), Duration::from_seconds(7));
}

TEST_F(ReportModelTest, RestorePointsAreTheRetainedOnesOfTheRetentionModelBackToTheHorizon) {
  ReportInput in{&policy_, fx::day(0), fx::day(20.5)};
  const std::vector<std::string> all{"p1", "p2"};
  in.history.push_back(fx::snapshot("m0", {"weekly", "monthly"}, K::kDatabase, 0, all, all));
  for (int d = 1; d <= 21; ++d) {
    in.history.push_back(fx::snapshot("d" + std::to_string(d), {"daily"}, K::kPartitions, d, {"p1"}, all));
  }
  in.history.push_back(fx::snapshot("w1", {"weekly"}, K::kTables, 1, all, all, "crm", "logs"));
  in.history.push_back(fx::snapshot("x2", {"daily"}, K::kPartitions, 2, {"p1"}, all, "crm", "logs"));
  ops::ExpiryRecord expired{"run-x", *RepositoryName::parse("main"), *SnapshotLabel::parse("x2"),
                            *DatabaseName::parse("crm")};
  in.expiries.push_back(expired);
  const std::vector<DatabaseTimeline> t = restore_timelines(in);
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t[0].database.str(), "crm");
  ASSERT_EQ(t[0].points.size(), 1u);  // x2 was deleted by expire
  EXPECT_EQ(t[0].points[0].label.str(), "w1");
  EXPECT_EQ(t[1].database.str(), "sales");
  // m0 (365 days) and the dailies of the last 14 days (d7..d20); d21 is after `to`.
  ASSERT_EQ(t[1].points.size(), 15u);
  EXPECT_EQ(t[1].points.front().label.str(), "m0");
  EXPECT_EQ(t[1].points[1].label.str(), "d7");
  EXPECT_EQ(*t[1].horizon(), fx::day(0));
  EXPECT_EQ(*t[1].latest(), fx::day(20));
  EXPECT_EQ(t[1].points[1].until, fx::day(7) + Duration::from_days(14));
  EXPECT_EQ(t[1].holes, 0u);
}

TEST_F(ReportModelTest, CoverageIsTheCompilersSelectionOverTheInventory) {
  const model::Policy no_monthly = compile_policy(false);
  inventory::Inventory inv;
  const auto table = [](const char* db, const char* t, const char* cls, bool partitioned) {
    return inventory::TableEntry{*DatabaseName::parse(db), *TableName::parse(t), cls, partitioned, {}, {}, {}};
  };
  inv.tables = {table("sales", "orders", "fact", true), table("sales", "customers", "dimension", false),
                table("crm", "logs", "log", true), table("other", "x", "fact", true)};
  const Coverage c = coverage_of(no_monthly, inv);
  EXPECT_TRUE(c.inventory_known);
  EXPECT_EQ(c.tables_in_policy, 3u);  // other.x: not a policy database
  EXPECT_EQ(c.tables_covered, 2u);
  EXPECT_EQ(c.uncovered, (std::vector<std::string>{"crm.logs"}));
  ASSERT_EQ(c.tiers.size(), 2u);
  EXPECT_EQ(c.tiers[0].tables, 1u);
  EXPECT_EQ(c.tiers[1].tables, 1u);
  bool sk0501 = false;
  for (const auto& f : c.findings) sk0501 = sk0501 || (f.code == "SK0501" && f.message.find("crm.logs") != std::string::npos);
  EXPECT_TRUE(sk0501);
  EXPECT_FALSE(coverage_of(no_monthly, std::nullopt).inventory_known);
}

TEST_F(ReportModelTest, DrillsInThePeriodWithVerdictsAndChecksumCounts) {
  ReportInput in = input();
  ops::RestoreRecord r{"id1", "run", ops::RestoreKind::kDrill, "partition", *RepositoryName::parse("main"),
                      *SnapshotLabel::parse("s1"), *BackupTimestamp::from_server("ts"), *DatabaseName::parse("sales"),
                      *DatabaseName::parse("scratch")};
  r.state = AttemptState::kFinished;
  r.finished_at = at("2025-07-10T06:00:00Z");
  r.verification = "PASSED";
  r.expected_checksums = R"([{"p":1},{"p":2}])";
  r.drill_period = "2025-07";
  in.drills.push_back(r);
  r.restore_id = "id2";
  r.finished_at = at("2025-06-10T06:00:00Z");  // before the period
  in.drills.push_back(r);
  const Report rep = build_report(in);
  ASSERT_EQ(rep.drills.size(), 1u);
  EXPECT_EQ(rep.drills[0].drill, "partition");
  EXPECT_EQ(rep.drills[0].verdict, "PASSED");
  EXPECT_EQ(rep.drills[0].checksums, 2u);
  EXPECT_EQ(rep.drills[0].period, "2025-07");
}

TEST(ReportHtmlTest, HostileNamesAreEscapedAndTheFileIsSelfContained) {
  const model::Policy policy = compile_policy();
  const std::string hostile = "x<script>alert(1)</script>&\"'`数据库";
  ReportInput in{&policy, at("2025-07-07T00:00:00Z"), at("2025-07-21T00:00:00Z")};
  in.attempts.push_back(attempt({"h1", hostile.c_str(), {"daily"}, "2025-07-07T01:00:00Z", AttemptState::kFinished,
                                 "2025-07-07T01:00:00Z", "2025-07-07T01:00:00Z", "2025-07-07T01:10:00Z", 1}));
  in.history.push_back(fx::snapshot("h1", {"daily"}, K::kTables, 0, {"p1"}, {"p1"}, hostile, "t<&>"));
  in.history.back().attempt.finished_at = at("2025-07-07T01:10:00Z");
  in.repository = {true, {}, {expire::Finding{expire::FindingKind::kUnknown, *RepositoryName::parse("main"), "l<b>",
                                              std::nullopt, "<img src=x onerror=alert(1)>"}}};
  const std::string html = render_html(build_report(in));
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_EQ(html.find("url("), std::string::npos);
  EXPECT_EQ(html.find("@import"), std::string::npos);
  EXPECT_NE(html.find("x&lt;script&gt;alert(1)&lt;/script&gt;&amp;&quot;&#39;&#96;数据库"), std::string::npos);
  EXPECT_NE(html.find("l&lt;b&gt;"), std::string::npos);
  EXPECT_EQ(escape("a<b>&\"'`中"), "a&lt;b&gt;&amp;&quot;&#39;&#96;中");
  // Every chart has a title and both axis titles.
  const std::regex svg("<svg class=\"chart\"[\\s\\S]*?</svg>");
  std::size_t charts = 0;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), svg); it != std::sregex_iterator(); ++it, ++charts) {
    const std::string s = it->str();
    EXPECT_NE(s.find("<title"), std::string::npos);
    EXPECT_NE(s.find("data-axis=\"x\""), std::string::npos) << s.substr(0, 120);
    EXPECT_NE(s.find("data-axis=\"y\""), std::string::npos) << s.substr(0, 120);
  }
  EXPECT_EQ(charts, 4u);  // success, throughput, latency, restore points
}

TEST(ReportJsonTest, FiguresForMachines) {
  const model::Policy policy = compile_policy();
  ReportInput in{&policy, at("2025-07-07T00:00:00Z"), at("2025-07-21T00:00:00Z")};
  in.attempts = attempts();
  const nlohmann::json j = to_json(build_report(in));
  EXPECT_EQ(j["report_version"], 1);
  EXPECT_EQ(j["attempts"], 7);
  const nlohmann::json& daily = j["tiers"][0];
  EXPECT_EQ(daily["tier"], "daily");
  EXPECT_DOUBLE_EQ(daily["success"]["success_rate_percent"].get<double>(), 60.0);
  EXPECT_EQ(daily["latency"]["p50_seconds"], 1200);
  EXPECT_EQ(daily["latency"]["p95_seconds"], 7260);
  EXPECT_EQ(daily["window_seconds"], 7200);
  EXPECT_EQ(daily["throughput"]["bytes"], 9'000'000'000);
  EXPECT_EQ(daily["weeks"].size(), 2u);
  EXPECT_TRUE(j["repository"]["checked"] == false);
  EXPECT_TRUE(j["coverage"]["inventory_known"] == false);
}

}  // namespace
}  // namespace sk::report
