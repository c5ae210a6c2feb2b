// expire_bench: what `starkeep expire --dry-run` computes once the history is loaded — the history turned into the
// retention model, evaluated, and a verdict with reasons per snapshot — over a synthetic history: `--databases`
// databases, each with a weekly whole backup of two tables (Sundays) and daily changed-partition backups (one
// partition of 30 each day) until `--snapshots` snapshots exist in all; the repository lists every one. Prints one
// markdown row: snapshots, databases, best wall time of `--repeat` runs, peak RSS.
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <iostream>

#include "runtime/expire/expire_plan.h"

namespace {

using namespace sk;

constexpr std::int64_t kDay = 86400;
const Instant kStart = Instant::from_unix_seconds(1'735'689'600);  // 2025-01-01T00:00:00Z

restore::Snapshot make(const std::string& db, int day, bool weekly, int partitions) {
  const std::string label = fmt::format("{}_{:05}_{}", db, day, weekly ? "full" : "inc");
  ops::BackupAttempt a{"bench", *SnapshotLabel::parse(label), *RepositoryName::parse("main"),
                       *DatabaseName::parse(db)};
  a.tiers = {*TierName::parse(weekly ? "weekly" : "daily")};
  a.kind = weekly ? ops::BackupKind::kTables : ops::BackupKind::kPartitions;
  a.state = ops::AttemptState::kFinished;
  a.slot = kStart + Duration::from_seconds(day * kDay + 3600);
  a.finished_at = *a.slot + Duration::from_minutes(5);
  a.backup_timestamp = BackupTimestamp::from_server(fmt::format("ts-{}", label));
  restore::Snapshot s{a, {}, {}};
  std::vector<std::string> all;
  for (int p = 0; p < partitions; ++p) all.push_back(fmt::format("p{:02}", p));
  for (const char* table : {"orders", "items"}) {
    auto add = [&](const std::string& p) {
      s.entries.push_back(ops::ManifestEntry{a.attempt_id(), a.repository, a.label, a.database,
                                             *TableName::parse(table), *PartitionName::parse(p)});
    };
    if (weekly) {
      for (const auto& p : all) add(p);
    } else {
      add(all[static_cast<std::size_t>(day) % all.size()]);
    }
    s.partition_sets.push_back(
        ops::PartitionSet{a.attempt_id(), a.repository, a.label, a.database, *TableName::parse(table), all});
  }
  return s;
}

expire::ExpireInput synthetic(int snapshots, int databases) {
  expire::ExpireInput in{kStart,
                         TimeZone::utc(),
                         {{"daily", Duration::from_days(14)}, {"weekly", Duration::from_days(90)}},
                         Duration::from_days(14),
                         *DatabaseName::parse("ops"),
                         {},
                         {}};
  const int days = std::max(1, snapshots / databases);
  for (int d = 0; d < databases; ++d) {
    for (int day = 0; day < days; ++day) in.history.push_back(make(fmt::format("db{:03}", d), day, day % 7 == 0, 30));
  }
  in.at = kStart + Duration::from_seconds(days * kDay);
  expire::RepositoryListing listing{*RepositoryName::parse("main"), {}};
  for (const auto& s : in.history) {
    listing.snapshots[s.attempt.label.str()] =
        expire::Listed{{*s.attempt.backup_timestamp}, "OK"};
  }
  in.repositories.push_back(std::move(listing));
  return in;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"expire verdicts over a synthetic history"};
  int snapshots = 100'000;
  int databases = 100;
  int repeat = 3;
  app.add_option("--snapshots", snapshots)->check(CLI::Range(1, 10'000'000));
  app.add_option("--databases", databases)->check(CLI::Range(1, 100'000));
  app.add_option("--repeat", repeat)->check(CLI::Range(1, 100));
  CLI11_PARSE(app, argc, argv);
  const expire::ExpireInput in = synthetic(snapshots, databases);
  double best = 1e300;
  std::size_t expired = 0;
  for (int r = 0; r < repeat; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    const expire::ExpirePlan plan = expire::decide(in);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    best = std::min(best, s);
    expired = plan.count(expire::Verdict::kExpire);
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::cout << fmt::format("| {} | {} | {} | {:.2f} s | {} MB |\n", in.history.size(), databases, expired, best,
                           usage.ru_maxrss / 1024);
  return 0;
}
