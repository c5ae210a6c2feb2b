// `check` and `expire` apply one retention model: the snapshots `check` simulates on the policy's calendar
// (analysis::calendar_snapshots) and the same calendar recorded as a backup history and judged by `expire`
// (decide()) get the same verdict, snapshot by snapshot, at every instant examined — with calendar months,
// count-based keeps (`keep = last 7`, `keep = at least 3`) and a covering monthly baseline.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <string>
#include <vector>

#include "compiler/analysis/analysis.h"
#include "compiler/analysis/calendar.h"
#include "compiler/driver/compile.h"
#include "runtime/expire/expire_plan.h"
#include "runtime/expire/expire_service.h"

namespace sk::expire {
namespace {

namespace rm = analysis::retention;

constexpr const char* kPolicy = R"(policy "agree" {
  timezone  = "{ZONE}"
  databases = ["sales"]
  repository "main" { location = "s3a://bucket/prefix"; endpoint = "https://s3.example.com" }
  tier "daily"   { backup = changed_partitions; include = tables where partitioned; schedule = mon..sat at 01:00; keep = last 7 }
  tier "weekly"  { backup = tables; schedule = sun at 01:00; retain = 14d; keep = at least 3 }
  tier "monthly" { backup = database; schedule = last day of month at 02:00; retain = 18 months; precedence = 1 }
}
)";

model::Policy compile_policy(const std::string& zone) {
  std::string text = kPolicy;
  text.replace(text.find("{ZONE}"), 6, zone);
  const diag::SourceFile file("agree.skp", text);
  driver::Compilation c = driver::compile(driver::CompileInput{&file, nullptr, CivilDay(2026, 1, 1)});
  EXPECT_FALSE(c.has_errors()) << diag::render_text(file, c.policy_diagnostics.diagnostics());
  return *c.policy;
}

// The calendar's jobs from `first` through `last` (one database). `first` is a Sunday: the weekly full comes
// first, so every incremental has a baseline.
std::vector<analysis::SlotGroup> jobs_between(const model::Policy& policy, CivilDay first, CivilDay last) {
  const analysis::Calendar calendar(policy);
  std::vector<analysis::SlotGroup> out;
  for (CivilDay d = first; d <= last; ++d) {
    for (analysis::SlotGroup& g : calendar.day(d)) out.push_back(std::move(g));
  }
  return out;
}

// Job j recorded as the runner records it. sales.orders gains partition p<j> at every job and, at each full
// backup f, keeps only that one (older partitions dropped): a full holds p<f>, an incremental p<j> and inherits
// p<f>..p<j-1> — every link since the full, as `check` simulates changed partitions. Both record the partition set.
restore::Snapshot recorded(const model::Policy& policy, const analysis::SlotGroup& g, size_t j, size_t full) {
  const model::Tier& runner = policy.tiers[g.runner];
  ops::BackupAttempt a{"run", *SnapshotLabel::parse(fmt::format("sales_{}_{}", j, runner.name.str())),
                       *RepositoryName::parse("main"), *DatabaseName::parse("sales")};
  for (size_t t : g.satisfied) a.tiers.push_back(policy.tiers[t].name);
  a.kind = runner.kind == model::BackupKind::kChangedPartitions ? ops::BackupKind::kPartitions
           : runner.kind == model::BackupKind::kTables          ? ops::BackupKind::kTables
                                                                : ops::BackupKind::kDatabase;
  a.state = ops::AttemptState::kFinished;
  a.slot = g.slot;
  a.submitted_at = g.slot;
  a.finished_at = g.slot + Duration::from_minutes(20);
  a.backup_timestamp = BackupTimestamp::from_server(fmt::format("ts-{}", j));
  restore::Snapshot s{a, {}, {}};
  std::vector<std::string> all;
  for (size_t k = full; k <= j; ++k) all.push_back(fmt::format("p{}", k));
  const TableName orders = *TableName::parse("orders");
  s.entries.push_back(ops::ManifestEntry{a.attempt_id(), a.repository, a.label, a.database, orders,
                                         *PartitionName::parse(fmt::format("p{}", j))});
  s.partition_sets.push_back(ops::PartitionSet{a.attempt_id(), a.repository, a.label, a.database, orders, all});
  return s;
}

struct Tally {
  size_t kept = 0, expired = 0, by_count = 0;
};

// At `at`: check's verdicts over the jobs up to `at` against expire's over the same history.
void expect_agreement(const model::Policy& policy, const std::vector<analysis::SlotGroup>& all, Instant at,
                      Tally& tally) {
  std::vector<analysis::SlotGroup> jobs;
  for (const auto& g : all) {
    if (g.slot <= at) jobs.push_back(g);
  }
  std::string signature;
  for (const model::Tier& t : policy.tiers) signature += t.kind == model::BackupKind::kChangedPartitions ? 'C' : 'W';
  const std::vector<rm::Snapshot> simulated = analysis::calendar_snapshots(policy, signature, jobs);
  const rm::Evaluation check = rm::evaluate(simulated, at);

  ExpireInput in{at, policy.time_zone, tier_retention(policy), Duration::from_days(1), *DatabaseName::parse("ops"),
                 {}, {}};
  in.keeps = tier_keeps(policy);
  RepositoryListing listing{*RepositoryName::parse("main"), {}};
  size_t full = 0;
  for (size_t j = 0; j < jobs.size(); ++j) {
    if (policy.tiers[jobs[j].runner].kind != model::BackupKind::kChangedPartitions) full = j;
    in.history.push_back(recorded(policy, jobs[j], j, full));
    listing.snapshots[in.history.back().attempt.label.str()] = Listed{{*in.history.back().attempt.backup_timestamp}, "OK"};
  }
  in.repositories.push_back(listing);
  const ExpirePlan plan = decide(in);
  ASSERT_EQ(plan.decisions.size(), jobs.size());
  for (const Decision& d : plan.decisions) {
    const size_t j = std::stoul(d.label.str().substr(6));
    const bool kept = check.verdicts[j].keep;
    EXPECT_EQ(d.verdict == Verdict::kKeep, kept)
        << d.label.str() << " at " << at.to_iso8601_utc() << ": check " << (kept ? "keeps" : "expires")
        << ", expire says " << fmt::format("{}", fmt::join(d.reasons, "; "));
    ++(kept ? tally.kept : tally.expired);
    if (!d.reasons.empty() && d.reasons.front().starts_with("one of the last")) ++tally.by_count;
  }
}

void expect_agreement_in(const std::string& zone) {
  const model::Policy policy = compile_policy(zone);
  const std::vector<analysis::SlotGroup> all = jobs_between(policy, CivilDay(2026, 1, 4), CivilDay(2028, 6, 30));
  Tally tally;
  for (CivilDay d(2026, 2, 3); d <= CivilDay(2028, 6, 30); d += 9) {
    expect_agreement(policy, all, policy.time_zone.from_local(CivilSecond(d.year(), d.month(), d.day(), 12, 0, 0)),
                     tally);
  }
  // Every rule took part: snapshots kept and expired, some only by count.
  EXPECT_GT(tally.kept, 1000u);
  EXPECT_GT(tally.expired, 1000u);
  EXPECT_GT(tally.by_count, 100u);
}

TEST(CheckExpireAgreement, SameVerdictsSnapshotBySnapshotInUtc) { expect_agreement_in("UTC"); }

TEST(CheckExpireAgreement, SameVerdictsSnapshotBySnapshotInBerlin) { expect_agreement_in("Europe/Berlin"); }

}  // namespace
}  // namespace sk::expire
