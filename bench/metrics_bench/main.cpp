// metrics_bench: `starkeep metrics` over a year of synthetic history of the production policy for `--databases`
// databases × 3 tiers: per database a daily incremental Mon–Sat, a weekly on Sundays, a monthly on first Sundays
// (counting for the weekly too), one run marker per database and day, the dailies and weeklies past retention
// expired (snapshot_expiry rows), the drills of the year. Two measurements, each best of `--repeat`:
//   * model + render: ops_samples + render_text over the history in memory;
//   * end to end (with --emulator and --starkeep): the rows written into the ops tables of an emulated cluster,
//     then the `starkeep metrics --output` process timed (four queries, rows parsed, model, render, atomic write).
// Prints markdown rows for docs/performance.md (bench/run.sh metrics).
#include <sys/resource.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "compiler/diag/diagnostic.h"
#include "compiler/driver/compile.h"
#include "emulator/harness/cluster.h"
#include "runtime/metrics/exposition.h"
#include "runtime/metrics/ops_metrics.h"
#include "runtime/mysql/mysql_connection.h"
#include "runtime/ops/ops_schema.h"
#include "runtime/ops/ops_store.h"
#include "runtime/ports/clock.h"
#include "tests/support/process.h"

namespace {

using namespace sk;
namespace fs = std::filesystem;

constexpr std::int64_t kDay = 86400;
const Instant kStart = Instant::from_unix_seconds(1'735'689'600);  // 2025-01-01T00:00:00Z, a Wednesday

template <typename T>
T must(Result<T> r, const char* what) {
  if (!r) {
    std::cerr << what << ": " << r.error().describe() << "\n";
    std::exit(1);
  }
  return std::move(*r);
}

void must(const Status& s, const char* what) {
  if (!s) {
    std::cerr << what << ": " << s.error().describe() << "\n";
    std::exit(1);
  }
}

std::string policy_text(int databases) {
  std::string list;
  for (int d = 0; d < databases; ++d) list += fmt::format("{}\"db{:03}\"", d == 0 ? "" : ", ", d);
  std::ifstream in(fs::path(SK_SOURCE_DIR) / "policies/production.skp");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string from = "databases = [\"sales\", \"crm\"]";
  text.replace(text.find(from), from.size(), "databases = [" + list + "]");
  return text;
}

ops::BackupAttempt backup(const std::string& db, int day, const std::vector<std::string>& tiers) {
  const std::string label = fmt::format("{}_{:03}_{}", db, day, tiers.back());
  ops::BackupAttempt a{fmt::format("run-{:03}", day), *SnapshotLabel::parse(label), *RepositoryName::parse("s3_prod"),
                       *DatabaseName::parse(db)};
  for (const auto& t : tiers) a.tiers.push_back(*TierName::parse(t));
  a.state = day % 97 == 13 ? ops::AttemptState::kCancelled : ops::AttemptState::kFinished;
  a.slot = kStart + Duration::from_seconds(day * kDay + 3600);
  a.submitted_at = a.slot;
  a.started_at = *a.slot + Duration::from_seconds(3);
  a.finished_at = *a.started_at + Duration::from_minutes(tiers.back() == "daily" ? 7 : 45);
  a.bytes = std::int64_t{1} << (tiers.back() == "daily" ? 27 : 33);
  a.updated_at = *a.finished_at;
  return a;
}

metrics::OpsHistory synthetic(int databases, int days) {
  metrics::OpsHistory h;
  for (int d = 0; d < databases; ++d) {
    const std::string db = fmt::format("db{:03}", d);
    for (int day = 0; day < days; ++day) {
      const int weekday = (day + 3) % 7;  // 0 = Sunday (2025-01-01 is a Wednesday)
      const int dom = day % 30;           // near enough for a first-Sunday test
      std::vector<std::string> tiers{"daily"};
      if (weekday == 0) tiers = dom < 7 ? std::vector<std::string>{"weekly", "monthly"} : std::vector<std::string>{"weekly"};
      h.attempts.push_back(backup(db, day, tiers));
      const ops::BackupAttempt& a = h.attempts.back();
      h.runs.push_back(ops::RunMarker{a.run_id, a.database, "slot", "bench", 1, ops::RunState::kDone, *a.slot,
                                      *a.finished_at, *a.finished_at});
      const int retain = tiers.back() == "daily" ? 14 : tiers.back() == "weekly" ? 90 : 365;
      if (day + retain < days) {
        ops::ExpiryRecord e{"expire", a.repository, a.label, a.database};
        e.state = ops::ExpiryState::kDeleted;
        e.decided_at = *a.finished_at + Duration::from_days(retain);
        h.expiries.push_back(e);
      }
    }
  }
  return h;
}

double best_of(int repeat, const std::function<void()>& f) {
  double best = 1e9;
  for (int i = 0; i < repeat; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return best;
}

// CPU seconds (user + system) of the waited-for children so far.
double children_cpu() {
  rusage u{};
  ::getrusage(RUSAGE_CHILDREN, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

struct EndToEnd {
  double wall = 0;  // best of the repeats
  double cpu = 0;   // the starkeep process's CPU, mean over the repeats
};

// The history into the ops tables of a fresh emulated cluster, then `starkeep metrics` timed.
EndToEnd end_to_end(const metrics::OpsHistory& h, const std::string& policy, const std::string& emulator,
                  const std::string& starkeep, int repeat) {
  emu::harness::ClusterOptions options;
  options.emulator_binary = emulator;
  auto cluster = must(emu::harness::Cluster::start(options), "starting the emulated cluster");
  mysql::ConnectionOptions connection;
  connection.host = "127.0.0.1";
  connection.port = static_cast<std::uint16_t>(cluster->emulator().port());
  connection.user = "root";
  auto session = must(mysql::MySqlConnection::connect(connection), "connecting");
  ports::SystemClock clock;
  const ops::OpsConfig config{*DatabaseName::parse("ops"), 1};
  must(ops::migrate(*session, config, clock, "metrics_bench"), "migrating the ops schema");
  ops::OpsStore store(*session, config, clock);
  must(store.record_backup_attempts(h.attempts), "writing backup_history");
  must(store.mark_runs(h.runs), "writing run_status");
  must(store.record_expiries(h.expiries), "writing snapshot_expiry");
  const fs::path dir = fs::temp_directory_path() / fmt::format("sk-metrics-bench-{}", ::getpid());
  fs::create_directories(dir);
  std::ofstream(dir / "policy.skp") << policy;
  test::Processes processes(dir);
  const std::vector<std::string> args{starkeep, "metrics", "--policy", (dir / "policy.skp").string(), "--output",
                                      (dir / "starkeep.prom").string(), "--host", "127.0.0.1", "--port",
                                      std::to_string(cluster->emulator().port()), "--user", "root"};
  const double cpu_before = children_cpu();
  EndToEnd result;
  result.wall = best_of(repeat, [&] {
    const test::Finished f = processes.run(args);
    if (f.code != 0) {
      std::cerr << f.describe() << "\n";
      std::exit(1);
    }
  });
  result.cpu = (children_cpu() - cpu_before) / repeat;
  fs::remove_all(dir);
  return result;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"starkeep metrics over a year of synthetic history"};
  int databases = 100;
  int days = 365;
  int repeat = 3;
  std::string emulator, starkeep;
  app.add_option("--databases", databases)->capture_default_str();
  app.add_option("--days", days)->capture_default_str();
  app.add_option("--repeat", repeat)->capture_default_str();
  app.add_option("--emulator", emulator, "starkeep-emulator binary: also measure `starkeep metrics` end to end");
  app.add_option("--starkeep", starkeep, "starkeep binary (with --emulator)");
  CLI11_PARSE(app, argc, argv);

  const std::string text = policy_text(databases);
  diag::SourceFile file("bench.skp", text);
  const driver::CompileInput input{&file, nullptr};
  const driver::Compilation c = driver::compile(input);
  if (!c.policy) {
    std::cerr << "the bench policy does not compile\n";
    return 1;
  }
  const metrics::OpsHistory h = synthetic(databases, days);
  const Instant at = kStart + Duration::from_days(days);
  std::size_t bytes = 0, lines = 0;
  const double model = best_of(repeat, [&] {
    const std::string out = metrics::render_text(metrics::ops_samples(*c.policy, h, at));
    bytes = out.size();
    lines = static_cast<std::size_t>(std::count(out.begin(), out.end(), '\n'));
  });
  std::string e2e = "—", cpu = "—";
  if (!emulator.empty() && !starkeep.empty()) {
    const EndToEnd r = end_to_end(h, text, emulator, starkeep, repeat);
    e2e = fmt::format("{:.2f} s", r.wall);
    cpu = fmt::format("{:.2f} s", r.cpu);
  }
  std::cout << fmt::format("| {} | {} | {} | {} | {} | {} | {:.3f} s | {} | {} |\n", databases, days,
                           h.attempts.size(), h.runs.size(), h.expiries.size(), lines, model, e2e, cpu);
  (void)bytes;
  return 0;
}
