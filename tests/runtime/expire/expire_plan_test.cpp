#include "runtime/expire/expire_plan.h"
#include "runtime/expire/repository_check.h"

#include <gtest/gtest.h>

#include "tests/runtime/expire/history_fixture.h"

namespace sk::expire {
namespace {

using namespace testing;
using K = ops::BackupKind;

const std::vector<std::string> kAll{"p0", "p1", "p2", "p3", "p4", "p5", "p6"};

// A weekly full backup on day 0 and day 7, daily changed-partition backups on days 1–6 and 8 (d<k> changes p<k>).
std::vector<restore::Snapshot> two_weeks() {
  std::vector<restore::Snapshot> h{snapshot("sales_w0", {"weekly"}, K::kTables, 0, kAll, kAll)};
  for (int k = 1; k <= 6; ++k) {
    h.push_back(snapshot(fmt::format("sales_d{}", k), {"daily"}, K::kPartitions, k, {fmt::format("p{}", k)}, kAll));
  }
  h.push_back(snapshot("sales_w7", {"weekly"}, K::kTables, 7, kAll, kAll));
  h.push_back(snapshot("sales_d8", {"daily"}, K::kPartitions, 8, {"p1"}, kAll));
  return h;
}

// The repository lists exactly what the history recorded.
RepositoryListing listing_of(const std::vector<restore::Snapshot>& h, const std::string& repo = "main") {
  RepositoryListing l{*RepositoryName::parse(repo), {}};
  for (const auto& s : h) {
    l.snapshots[s.attempt.label.str()] = Listed{{*s.attempt.backup_timestamp}, "OK"};
  }
  return l;
}

ExpireInput input_at(double d, std::vector<restore::Snapshot> h) {
  ExpireInput in{day(d),
                 TimeZone::utc(),
                 {{"daily", Duration::from_days(14)}, {"weekly", Duration::from_days(90)}},
                 Duration::from_days(14),
                 *DatabaseName::parse("ops"),
                 std::move(h),
                 {}};
  in.repositories.push_back(listing_of(in.history));
  return in;
}

const Decision& find(const ExpirePlan& p, const std::string& label) {
  for (const auto& d : p.decisions) {
    if (d.label.str() == label) return d;
  }
  static const Decision none{*RepositoryName::parse("none"), *SnapshotLabel::parse("none")};
  ADD_FAILURE() << label << " has no verdict";
  return none;
}

std::string verdicts(const ExpirePlan& p) {
  std::string out;
  for (const auto& d : p.decisions) out += fmt::format("{}={} ", d.label.str(), to_string(d.verdict));
  return out;
}

TEST(ExpirePlanTest, AnExpiredIncrementalIsKeptWhileARetainedRestorePointsChainNeedsIt) {
  const ExpirePlan p = decide(input_at(19.5, two_weeks()));
  // d6 is a restore point until day 20; it needs w0 and d1..d5 (their own retention ended on days 15..19).
  EXPECT_EQ(verdicts(p),
            "sales_w0=keep sales_d1=keep sales_d2=keep sales_d3=keep sales_d4=keep sales_d5=keep sales_d6=keep "
            "sales_w7=keep sales_d8=keep ");
  EXPECT_EQ(find(p, "sales_d1").reasons,
            (std::vector<std::string>{"needed by daily restore point 2026-01-07 of sales.orders until 2026-01-21 (chain)"}));
  EXPECT_EQ(find(p, "sales_d6").reasons, (std::vector<std::string>{"daily restore point until 2026-01-21"}));
}

TEST(ExpirePlanTest, IncrementalsNoRetainedRestorePointNeedsExpire) {
  const ExpirePlan p = decide(input_at(30, two_weeks()));
  EXPECT_EQ(verdicts(p),
            "sales_w0=keep sales_d1=expire sales_d2=expire sales_d3=expire sales_d4=expire sales_d5=expire "
            "sales_d6=expire sales_w7=keep sales_d8=keep ");
  EXPECT_EQ(find(p, "sales_d3").reasons,
            (std::vector<std::string>{"daily, retained 14d, needed by no retained restore point"}));
  EXPECT_EQ(p.count(Verdict::kExpire), 6u);
}

TEST(ExpirePlanTest, TheNewestSnapshotOfEachTierNeverExpiresNorDoesItsChain) {
  const ExpirePlan p = decide(input_at(400, two_weeks()));
  EXPECT_EQ(find(p, "sales_d8").reasons, (std::vector<std::string>{"newest daily snapshot of sales"}));
  EXPECT_EQ(find(p, "sales_w7").verdict, Verdict::kKeep);  // newest weekly, and d8's baseline
  EXPECT_EQ(find(p, "sales_w0").verdict, Verdict::kExpire);
  EXPECT_EQ(find(p, "sales_d6").verdict, Verdict::kExpire);
}

TEST(ExpirePlanTest, ASnapshotARunningRestoreReadsIsKeptWithItsChain) {
  ExpireInput in = input_at(30, two_weeks());
  in.in_use.insert({"main", "sales_d3"});
  const ExpirePlan p = decide(in);
  EXPECT_EQ(find(p, "sales_d3").reasons, (std::vector<std::string>{"read by a restore or drill still running"}));
  EXPECT_EQ(find(p, "sales_d2").verdict, Verdict::kKeep);
  EXPECT_EQ(find(p, "sales_d2").reasons.front(),
            "needed by sales_d3 (read by a restore or drill still running) of sales.orders (chain)");
  EXPECT_EQ(find(p, "sales_d4").verdict, Verdict::kExpire);
}

TEST(ExpirePlanTest, HistoryAndRepositoryDisagreeingHoldsTheSnapshot) {
  ExpireInput in = input_at(30, two_weeks());
  auto& listed = in.repositories.front().snapshots;
  listed.erase("sales_d1");                                                         // deleted behind our back
  listed["sales_d2"].timestamps = {*BackupTimestamp::from_server("other")};        // another backup
  listed["sales_d3"].timestamps.push_back(*BackupTimestamp::from_server("ts-x"));  // two backups, one label
  listed["sales_d4"].status = "ERROR: no snapshot";
  const ExpirePlan p = decide(in);
  for (const char* label : {"sales_d1", "sales_d2", "sales_d3", "sales_d4"}) {
    EXPECT_EQ(find(p, label).verdict, Verdict::kHold) << label;
    EXPECT_TRUE(find(p, label).reasons.back().starts_with("history and repository disagree")) << label;
  }
  EXPECT_EQ(find(p, "sales_d5").verdict, Verdict::kExpire);
  EXPECT_EQ(p.count(Verdict::kHold), 4u);
}

TEST(ExpirePlanTest, CatalogAndCanarySnapshotsAndUnknownLabels) {
  ExpireInput in = input_at(30, two_weeks());
  auto& listed = in.repositories.front().snapshots;
  auto ts = [](const char* t) { return std::vector<BackupTimestamp>{*BackupTimestamp::from_server(t)}; };
  listed["starkeep_catalog_20260101000000_aaaaaaaa"] = Listed{ts("2026-01-01-00-00-00-000"), "OK"};  // day 0
  listed["starkeep_catalog_20260125000000_bbbbbbbb"] = Listed{ts("2026-01-25-00-00-00-000"), "OK"};  // day 24
  listed["starkeep_catalog_20260130000000_cccccccc"] = Listed{ts("2026-01-30-00-00-00-000"), "OK"};  // day 29
  listed["starkeep_canary_0123456789ab"] = Listed{ts("2026-01-29-01-00-00-000"), "OK"};
  listed["starkeep_canary_ba9876543210"] = Listed{ts("2026-01-30-01-00-00-000"), "OK"};
  listed["hand_made_backup"] = Listed{ts("2026-01-02-00-00-00-000"), "OK"};
  const ExpirePlan p = decide(in);
  EXPECT_EQ(find(p, "starkeep_catalog_20260130000000_cccccccc").reasons,
            (std::vector<std::string>{"newest catalog snapshot"}));
  EXPECT_EQ(find(p, "starkeep_catalog_20260125000000_bbbbbbbb").verdict, Verdict::kKeep);
  EXPECT_EQ(find(p, "starkeep_catalog_20260101000000_aaaaaaaa").verdict, Verdict::kExpire);
  EXPECT_EQ(find(p, "starkeep_canary_ba9876543210").verdict, Verdict::kKeep);
  EXPECT_EQ(find(p, "starkeep_canary_0123456789ab").verdict, Verdict::kExpire);
  EXPECT_EQ(find(p, "hand_made_backup").verdict, Verdict::kKeep);
  EXPECT_EQ(find(p, "hand_made_backup").kind, Kind::kUnknown);
  EXPECT_EQ(find(p, "starkeep_canary_0123456789ab").database->str(), "ops");
}

// Two runs published catalog snapshots within one second (the label has second precision and a random suffix): the
// newest is the one with the later backup timestamp, as restore --from-repository orders them — never the
// alphabetically first suffix (seen in ExpireS3SixWeeks: expire deleted the newest catalog and kept the older).
TEST(ExpirePlanTest, NewestCatalogWithinOneSecondIsTheLaterBackupTimestamp) {
  ExpireInput in = input_at(30, two_weeks());
  auto& listed = in.repositories.front().snapshots;
  auto ts = [](const char* t) { return std::vector<BackupTimestamp>{*BackupTimestamp::from_server(t)}; };
  listed["starkeep_catalog_20260101000000_11111111"] = Listed{ts("2026-01-01-00-00-00-100"), "OK"};
  listed["starkeep_catalog_20260101000000_ffffffff"] = Listed{ts("2026-01-01-00-00-00-900"), "OK"};  // later
  const ExpirePlan p = decide(in);
  EXPECT_EQ(find(p, "starkeep_catalog_20260101000000_ffffffff").reasons,
            (std::vector<std::string>{"newest catalog snapshot"}));
  EXPECT_EQ(find(p, "starkeep_catalog_20260101000000_11111111").verdict, Verdict::kExpire);
}

ops::ExpiryRecord record(const std::string& label, ops::ExpiryState state) {
  ops::ExpiryRecord r{"run-1", *RepositoryName::parse("main"), *SnapshotLabel::parse(label),
                      *DatabaseName::parse("sales")};
  r.state = state;
  r.decided_at = day(29);
  r.reason = "daily, retained 14d, needed by no retained restore point";
  return r;
}

TEST(ExpirePlanTest, AnInterruptedDeletionIsResumedAndAFinishedOneIsNotListedAgain) {
  ExpireInput in = input_at(30, two_weeks());
  in.expiries.push_back(record("sales_d1", ops::ExpiryState::kDeleting));
  in.expiries.push_back(record("sales_d2", ops::ExpiryState::kDeleted));
  in.repositories.front().snapshots.erase("sales_d2");
  in.expiries.push_back(record("sales_d3", ops::ExpiryState::kDeleted));  // deleted, yet still listed
  const ExpirePlan p = decide(in);
  EXPECT_TRUE(find(p, "sales_d1").resumed);
  EXPECT_EQ(find(p, "sales_d1").verdict, Verdict::kExpire);
  for (const auto& d : p.decisions) EXPECT_NE(d.label.str(), "sales_d2");
  EXPECT_EQ(find(p, "sales_d3").verdict, Verdict::kHold);
}

TEST(ExpirePlanTest, ATierThePolicyNoLongerHasKeepsItsSnapshots) {
  std::vector<restore::Snapshot> h = two_weeks();
  h.push_back(snapshot("sales_h9", {"hourly"}, K::kPartitions, 9, {"p2"}, kAll));
  const ExpirePlan p = decide(input_at(400, h));
  EXPECT_EQ(find(p, "sales_h9").verdict, Verdict::kKeep);
  EXPECT_EQ(find(p, "sales_h9").reasons.front(),
            "tier hourly is not in the policy: kept (expire never guesses a retention)");
  EXPECT_EQ(find(p, "sales_w7").verdict, Verdict::kKeep);  // h9's baseline
}

TEST(ExpirePlanTest, OnlyTheListedRepositoriesAreJudgedButEveryRepositoryCountsForChains) {
  std::vector<restore::Snapshot> h = two_weeks();
  h.push_back(snapshot("sales_d9", {"daily"}, K::kPartitions, 9, {"p2"}, kAll, "sales", "orders", "dr"));
  ExpireInput in = input_at(22.5, h);  // d8's own retention ended on day 22; d9 (repository dr) needs it
  in.repositories = {listing_of(two_weeks())};
  const ExpirePlan p = decide(in);
  for (const auto& d : p.decisions) EXPECT_NE(d.label.str(), "sales_d9");
  EXPECT_EQ(find(p, "sales_d8").verdict, Verdict::kKeep);  // d9 inherits p1 from it
  EXPECT_EQ(find(p, "sales_d8").reasons.front(),
            "needed by sales_d9 (newest daily snapshot of sales) of sales.orders (chain)");
}


std::string findings(const ExpireInput& in) {
  std::string out;
  for (const auto& f : check_findings(in, decide(in))) out += fmt::format("{}:{} ", to_string(f.kind), f.label);
  return out;
}

TEST(RepositoryCheckTest, ACleanRepositoryWithinRetentionHasNoFinding) {
  EXPECT_EQ(findings(input_at(9, two_weeks())), "");
}

TEST(RepositoryCheckTest, EachKindOfFindingMostSeriousFirst) {
  ExpireInput in = input_at(9, two_weeks());
  auto& listed = in.repositories.front().snapshots;
  auto ts = [](const char* t) { return *BackupTimestamp::from_server(t); };
  listed.erase("sales_d5");                                                  // deleted behind our back
  listed["sales_d6"].timestamps.push_back(ts("2026-01-07-01-00-00-000"));   // a second backup under the label
  listed["sales_d4"].timestamps.push_back(ts("Invalid: __info_x.part"));    // an unfinished upload
  listed["leftover_content"] = Listed{{}, "ERROR: no snapshot"};             // content without info
  listed["hand_made_backup"] = Listed{{ts("2026-01-02-00-00-00-000")}, "OK"};
  EXPECT_EQ(findings(in),
            "missing:sales_d5 conflict:sales_d6 partial:leftover_content partial:sales_d4 unknown:hand_made_backup "
            "unknown:leftover_content ");
}

TEST(RepositoryCheckTest, SnapshotsPastTheirExpiryStillPresentAreOverdueAndExpiredOnesAreNotMissing) {
  ExpireInput in = input_at(30, two_weeks());
  in.expiries.push_back(record("sales_d1", ops::ExpiryState::kDeleted));
  in.repositories.front().snapshots.erase("sales_d1");
  EXPECT_EQ(findings(in),
            "overdue:sales_d2 overdue:sales_d3 overdue:sales_d4 overdue:sales_d5 overdue:sales_d6 ");
}


// StarRocks 4.2's own ttl (set outside starkeep): the FE deletes the snapshot at ExpireTime by itself.
void with_ttl(ExpireInput& in, const std::string& label, const std::string& ttl, std::optional<Instant> expires,
              const std::string& text = "printed") {
  Listed& l = in.repositories.front().snapshots.at(label);
  l.ttl = ttl;
  l.expire_text = text;
  l.ttl_expires = expires;
}

TEST(ExpirePlanTtlTest, AKeptSnapshotWhoseTtlEndsBeforeItsKeepHorizonIsReportedWithBothDates) {
  ExpireInput in = input_at(19.5, two_weeks());
  // d1 is kept until 2026-01-21 for d6's chain; a 7 DAY ttl from day 1 ends on day 8 (2026-01-09).
  with_ttl(in, "sales_d1", "7 DAY", day(8));
  const ExpirePlan p = decide(in);
  const Decision& d = find(p, "sales_d1");
  EXPECT_EQ(d.verdict, Verdict::kKeep);
  ASSERT_TRUE(d.keep_until.has_value());
  EXPECT_EQ(in.zone.local_date(*d.keep_until), "2026-01-21");
  ASSERT_TRUE(d.ttl.has_value());
  EXPECT_EQ(d.ttl->ttl, "7 DAY");
  EXPECT_EQ(d.ttl->restore_point, "daily restore point 2026-01-07 of sales");
  EXPECT_EQ(d.reasons, (std::vector<std::string>{
                           "needed by daily restore point 2026-01-07 of sales.orders until 2026-01-21 (chain)",
                           "WARNING: its StarRocks ttl '7 DAY' deletes it on 2026-01-09"}));
}

TEST(ExpirePlanTtlTest, ATtlEndingAtOrAfterTheKeepHorizonIsNoConcern) {
  ExpireInput in = input_at(19.5, two_weeks());
  with_ttl(in, "sales_d6", "1 MONTH", day(37));  // d6 is kept until day 20
  with_ttl(in, "sales_d3", "365 DAY", day(368));
  const ExpirePlan p = decide(in);
  EXPECT_FALSE(find(p, "sales_d6").ttl.has_value());
  EXPECT_FALSE(find(p, "sales_d3").ttl.has_value());
  EXPECT_EQ(find(p, "sales_d6").reasons, (std::vector<std::string>{"daily restore point until 2026-01-21"}));
}

TEST(ExpirePlanTtlTest, AnExpiredSnapshotsTtlIsNoConcernAndAnUnreadableExpiryIsNeverAssumedLate) {
  ExpireInput in = input_at(30, two_weeks());
  with_ttl(in, "sales_d3", "1 DAY", day(4));  // expire deletes it anyway
  with_ttl(in, "sales_w7", "2 WEEK", std::nullopt, "garbled");
  const ExpirePlan p = decide(in);
  EXPECT_FALSE(find(p, "sales_d3").ttl.has_value());
  const Decision& w7 = find(p, "sales_w7");
  ASSERT_TRUE(w7.ttl.has_value());
  EXPECT_FALSE(w7.ttl->expires.has_value());
  EXPECT_EQ(w7.reasons.back(),
            "WARNING: its StarRocks ttl '2 WEEK' (ExpireTime 'garbled', unreadable) may delete it before 2026-04-08");
}

TEST(RepositoryCheckTtlTest, ATtlFindingIsAWarningOrCriticalForTheOnlyRestorePointOfItsTier) {
  ExpireInput in = input_at(19.5, two_weeks());
  with_ttl(in, "sales_d1", "7 DAY", day(8));   // breaks a daily restore point; six dailies are retained
  with_ttl(in, "sales_w7", "1 DAY", day(8));   // w0 and w7 are both retained weeklies
  in.repositories.front().snapshots.erase("sales_d5");  // missing, for the order
  const auto found = check_findings(in, decide(in));
  ASSERT_EQ(found.size(), 3u);
  EXPECT_EQ(to_string(found[0].kind), "missing");
  EXPECT_EQ(severity_of(found[0]), "critical");
  EXPECT_EQ(to_string(found[1].kind), "ttl");
  EXPECT_EQ(found[1].label, "sales_d1");
  EXPECT_EQ(found[1].detail,
            "its StarRocks ttl '7 DAY' deletes it on 2026-01-09, but it is kept until 2026-01-21 (daily restore point "
            "2026-01-07 of sales)");
  EXPECT_EQ(severity_of(found[1]), "warning");
  EXPECT_EQ(found[2].label, "sales_w7");
  EXPECT_EQ(severity_of(found[2]), "warning");

  // Alone in its tier: a single weekly restore point whose ttl ends early is critical.
  ExpireInput one = input_at(5, {snapshot("sales_w0", {"weekly"}, K::kTables, 0, kAll, kAll)});
  with_ttl(one, "sales_w0", "1 DAY", day(1));
  const auto critical = check_findings(one, decide(one));
  ASSERT_EQ(critical.size(), 1u);
  EXPECT_EQ(severity_of(critical[0]), "critical");
  EXPECT_TRUE(critical[0].detail.ends_with("; it is the only one retained of its tier")) << critical[0].detail;
}

}  // namespace
}  // namespace sk::expire
