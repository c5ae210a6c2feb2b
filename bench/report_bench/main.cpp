// report_bench: what `starkeep report` computes once the ops rows are read — the model (report_model.h: success
// rates, throughput, latency percentiles, the restore-point timeline through expire's history model and the retention
// model, drills, coverage through the compiler's selection) and its HTML and JSON renderings — over a synthetic year:
// `--databases` databases × 3 tiers of the production policy (bench/plan_bench/bench_policy.skp: daily Mon–Sat,
// weekly Sunday, monthly baseline on first Sundays covering the weekly), one attempt per database and slot, every
// 40th attempt CANCELLED and retried once (`_r1`), every FINISHED one with bytes, times and a manifest (a daily: one
// partition of each of 2 fact tables; weekly: 3 dimension tables; monthly: all 5 tables), 10 inventory tables per
// database, the drills of a year. Prints one markdown row: attempts, databases, best wall time of `--repeat` runs
// (model, HTML, JSON), the HTML size and peak RSS; `--out FILE` keeps the HTML of the last run.
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>

#include "compiler/diag/diagnostic.h"
#include "compiler/driver/compile.h"
#include "runtime/report/html_report.h"
#include "runtime/report/report_json.h"
#include "runtime/report/report_model.h"

namespace {

using namespace sk;

constexpr std::int64_t kDay = 86400;
const Instant kStart = Instant::from_unix_seconds(1'735'689'600);  // 2025-01-01T00:00:00Z (a Wednesday)

ops::BackupAttempt attempt(const std::string& db, int day, const std::vector<std::string>& tiers, ops::BackupKind kind,
                           int retry, bool failed) {
  const std::string label = fmt::format("{}_{:03}_{}{}", db, day, tiers.back(), retry ? "_r1" : "");
  ops::BackupAttempt a{"bench", *SnapshotLabel::parse(label), *RepositoryName::parse("s3_prod"),
                       *DatabaseName::parse(db)};
  for (const auto& t : tiers) a.tiers.push_back(*TierName::parse(t));
  a.kind = kind;
  a.slot = kStart + Duration::from_seconds(day * kDay + 3600);
  a.submitted_at = *a.slot + Duration::from_seconds(5 + retry * 600);
  a.started_at = *a.submitted_at + Duration::from_seconds(2);
  a.finished_at = *a.started_at + Duration::from_seconds(300 + (day * 37 + static_cast<int>(db.size())) % 900);
  a.state = failed ? ops::AttemptState::kCancelled : ops::AttemptState::kFinished;
  if (failed) a.error_text = "injected";
  a.bytes = std::int64_t{1'000'000'000} + (day % 17) * 50'000'000;
  a.backup_timestamp = BackupTimestamp::from_server(fmt::format("ts-{}", label));
  return a;
}

restore::Snapshot snapshot_of(const ops::BackupAttempt& a, int day) {
  restore::Snapshot s{a, {}, {}};
  const auto add = [&](const char* table, const std::string& partition) {
    s.entries.push_back(ops::ManifestEntry{a.attempt_id(), a.repository, a.label, a.database, *TableName::parse(table),
                                           *PartitionName::parse(partition)});
  };
  if (a.kind != ops::BackupKind::kTables) {
    for (const char* t : {"orders", "items"}) add(t, fmt::format("p{:02}", a.kind == ops::BackupKind::kPartitions ? day % 30 : 0));
  }
  if (a.kind != ops::BackupKind::kPartitions) {
    for (const char* t : {"customers", "regions", "products"}) add(t, t);
  }
  return s;
}

report::ReportInput synthetic(const model::Policy& policy, int databases, int days) {
  report::ReportInput in{&policy, kStart, kStart + Duration::from_seconds(days * kDay)};
  int n = 0;
  for (int d = 0; d < databases; ++d) {
    const std::string db = fmt::format("db{:03}", d);
    for (int day = 0; day < days; ++day) {
      const CivilDay civil = CivilDay(2025, 1, 1) + day;
      const bool sunday = weekday_of(civil) == Weekday::kSunday, first = sunday && civil.day() <= 7;
      const auto kind = first ? ops::BackupKind::kDatabase : sunday ? ops::BackupKind::kTables : ops::BackupKind::kPartitions;
      const std::vector<std::string> tiers = first    ? std::vector<std::string>{"weekly", "monthly"}
                                             : sunday ? std::vector<std::string>{"weekly"}
                                                      : std::vector<std::string>{"daily"};
      const bool fail = ++n % 40 == 0;
      in.attempts.push_back(attempt(db, day, tiers, kind, 0, fail));
      if (fail) in.attempts.push_back(attempt(db, day, tiers, kind, 1, false));
      in.history.push_back(snapshot_of(in.attempts.back(), day));
    }
  }
  in.inventory.emplace();
  for (int d = 0; d < databases; ++d) {
    for (int t = 0; t < 10; ++t) {
      in.inventory->tables.push_back(inventory::TableEntry{*DatabaseName::parse(fmt::format("db{:03}", d)),
                                                           *TableName::parse(fmt::format("t{}", t)),
                                                           t < 4 ? "fact" : "dimension", t < 4, {}, {}, {}});
    }
  }
  for (int m = 0; m < 12; ++m) {
    ops::RestoreRecord r{fmt::format("drill{}", m), "bench", ops::RestoreKind::kDrill, "partition",
                         *RepositoryName::parse("s3_prod"), *SnapshotLabel::parse("db000_001_daily"),
                         *BackupTimestamp::from_server("ts"), *DatabaseName::parse("db000"),
                         *DatabaseName::parse("scratch")};
    r.state = ops::AttemptState::kFinished;
    r.verification = m == 5 ? "FAILED" : "PASSED";
    r.finished_at = kStart + Duration::from_days(m * 30 + 2);
    r.expected_checksums = R"([{"p":1}])";
    in.drills.push_back(r);
  }
  in.repository.checked = true;
  return in;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"the KPI report over a synthetic year of history"};
  std::string policy_path;
  int databases = 100, days = 365, repeat = 3;
  std::string out;
  app.add_option("--policy", policy_path, "bench/plan_bench/bench_policy.skp")->required();
  app.add_option("--databases", databases)->check(CLI::Range(1, 10'000));
  app.add_option("--days", days)->check(CLI::Range(7, 3650));
  app.add_option("--repeat", repeat)->check(CLI::Range(1, 100));
  app.add_option("--out", out, "Keep the HTML here");
  CLI11_PARSE(app, argc, argv);
  std::ifstream file(policy_path);
  std::stringstream text;
  text << file.rdbuf();
  diag::SourceFile source(policy_path, text.str());
  driver::Compilation c = driver::compile({&source, nullptr, CivilDay(2025, 1, 1)});
  if (!c.policy) {
    std::cerr << diag::render_text(source, c.policy_diagnostics.diagnostics());
    return 1;
  }
  const report::ReportInput in = synthetic(*c.policy, databases, days);
  double best = 1e300;
  std::string html;
  for (int r = 0; r < repeat; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    const report::Report model = report::build_report(in);
    html = report::render_html(model);
    const std::string json = report::to_json(model).dump(2);
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  if (!out.empty()) std::ofstream(out) << html;
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::cout << fmt::format("| {} | {} | {} | {:.2f} s | {:.2f} MB | {} MB |\n", in.attempts.size(), databases, days,
                           best, static_cast<double>(html.size()) / (1024.0 * 1024.0), usage.ru_maxrss / 1024);
  return 0;
}
