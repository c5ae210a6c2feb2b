// Restore planner and executor against fakes: newest snapshot at or before T per partition, fewest jobs, tables and
// partitions created after T excluded with an explanation, every step of a multi-snapshot restore into the SAME
// staging alias (pitfall 2), no statement on the live table unless --replace and then only the atomic swap, and the
// executor's handling of busy databases, cancelled jobs, timestamps and failed verification.
#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "runtime/ports/fakes.h"
#include "runtime/restore/executor.h"
#include "runtime/restore/planner.h"
#include "tests/kernel/domain/printers.h"

namespace sk::restore {
namespace {

DatabaseName db(const char* s) { return *DatabaseName::parse(s); }
TableName tb(const char* s) { return *TableName::parse(s); }
PartitionName pn(const char* s) { return *PartitionName::parse(s); }
Instant at(const char* iso) { return *Instant::parse(iso, TimeZone::utc()); }

Snapshot snap(const char* label, ops::BackupKind kind, const char* finished,
              std::vector<std::tuple<const char*, const char*, int>> parts, const char* database = "sales") {
  Snapshot s{ops::BackupAttempt{.run_id = "run",
                                 .label = *SnapshotLabel::parse(label),
                                 .repository = *RepositoryName::parse("repo"),
                                 .database = db(database)},
             {}};
  s.attempt.kind = kind;
  s.attempt.state = ops::AttemptState::kFinished;
  s.attempt.finished_at = at(finished);
  s.attempt.backup_timestamp = BackupTimestamp::from_server(std::string(label) + "-ts");
  for (auto& [t, p, v] : parts) {
    ops::ManifestEntry e{.attempt_id = s.attempt.attempt_id(),
                         .repository = s.attempt.repository,
                         .label = s.attempt.label,
                         .database = s.attempt.database,
                         .table = tb(t),
                         .partition = pn(p)};
    e.partition_id = 100;
    e.visible_version = v;
    s.entries.push_back(e);
  }
  return s;
}

std::vector<Snapshot> history() {
  using K = ops::BackupKind;
  return {
      snap("full1", K::kTables, "2025-09-14T10:00:00Z", {{"t", "p1", 2}, {"t", "p2", 2}, {"t", "p3", 2}}),
      snap("inc1", K::kPartitions, "2025-09-14T12:00:00Z", {{"t", "p2", 3}}),
      snap("inc2", K::kPartitions, "2025-09-14T14:00:00Z", {{"t", "p3", 4}, {"t", "p4", 2}}),
      snap("full2", K::kDatabase, "2025-09-14T16:00:00Z",
           {{"t", "p1", 2}, {"t", "p2", 3}, {"t", "p3", 4}, {"t", "p4", 2}, {"u", "u", 2}}),
      // Another database and an unfinished attempt never count.
      snap("other", K::kTables, "2025-09-14T11:00:00Z", {{"t", "p1", 9}}, "crm"),
  };
}

RestoreRequest table_request(const char* as_of) {
  RestoreRequest r{.scope = Scope::kTable, .database = db("sales")};
  r.table = tb("t");
  r.as_of = at(as_of);
  r.now = at("2025-09-20T00:00:00Z");
  return r;
}

std::map<std::string, std::string> sources(const RestorePlan& p) {
  std::map<std::string, std::string> out;
  for (const auto& t : p.targets) {
    for (const auto& e : t.partitions) out[t.source.str() + "." + e.partition.str()] = e.label.str();
  }
  return out;
}

std::vector<std::string> step_labels(const RestorePlan& p) {
  std::vector<std::string> out;
  for (const auto& s : p.steps) out.push_back(s.label.str());
  return out;
}

TEST(RestorePlanner, OnlyTheBaselineBeforeTheFirstIncremental) {
  auto plan = make_restore_plan(table_request("2025-09-14T11:00:00Z"), history());
  ASSERT_TRUE(plan) << plan.error().describe();
  EXPECT_EQ(step_labels(*plan), (std::vector<std::string>{"full1"}));
  ASSERT_EQ(plan->steps[0].tables.size(), 1u);
  EXPECT_TRUE(plan->steps[0].tables[0].partitions.empty()) << "whole table from the full snapshot";
  EXPECT_EQ(plan->steps[0].tables[0].target.str(), "t_restored_20250914110000");
  EXPECT_EQ(plan->target_database.str(), "sales");
}

TEST(RestorePlanner, NewestSnapshotAtOrBeforeTPerPartition) {
  auto plan = make_restore_plan(table_request("2025-09-14T13:00:00Z"), history());
  ASSERT_TRUE(plan) << plan.error().describe();
  EXPECT_EQ(sources(*plan), (std::map<std::string, std::string>{{"t.p1", "full1"}, {"t.p2", "inc1"}, {"t.p3", "full1"}}));
  EXPECT_EQ(step_labels(*plan), (std::vector<std::string>{"full1", "inc1"})) << "baseline first, one job per label";
  // The baseline step lists only the partitions no later snapshot supersedes.
  EXPECT_EQ(plan->steps[0].tables[0].partitions, (std::vector<PartitionName>{pn("p1"), pn("p3")}));
  EXPECT_EQ(plan->steps[1].tables[0].partitions, (std::vector<PartitionName>{pn("p2")}));

  auto later = make_restore_plan(table_request("2025-09-14T15:00:00Z"), history());
  ASSERT_TRUE(later);
  EXPECT_EQ(sources(*later), (std::map<std::string, std::string>{
                                 {"t.p1", "full1"}, {"t.p2", "inc1"}, {"t.p3", "inc2"}, {"t.p4", "inc2"}}));
  EXPECT_EQ(step_labels(*later), (std::vector<std::string>{"full1", "inc1", "inc2"}));

  auto exact = make_restore_plan(table_request("2025-09-14T16:00:00Z"), history());
  ASSERT_TRUE(exact);
  EXPECT_EQ(step_labels(*exact), (std::vector<std::string>{"full2"})) << "a snapshot finished exactly at T counts";
}

TEST(RestorePlanner, EveryStepTargetsTheSameStagingAliasNeverTheLiveTable) {
  auto plan = make_restore_plan(table_request("2025-09-14T15:00:00Z"), history());
  ASSERT_TRUE(plan);
  const auto statements = plan_statements(*plan);
  ASSERT_EQ(statements.size(), 3u);
  const std::regex alias(R"(\) AS `([^`]+)`\)|AS `([^`]+)`\))");
  std::set<std::string> aliases;
  for (const auto& sql : statements) {
    ASSERT_EQ(sql.rfind("RESTORE SNAPSHOT `sales`.", 0), 0u) << sql;
    std::smatch m;
    ASSERT_TRUE(std::regex_search(sql, m, std::regex(R"( AS `([^`]+)`)"))) << "pitfall 2: no AS alias in " << sql;
    aliases.insert(m[1]);
  }
  EXPECT_EQ(aliases, (std::set<std::string>{"t_restored_20250914150000"}));
  EXPECT_TRUE(check_live_untouched(*plan));
}

TEST(RestorePlanner, ReplaceTouchesTheLiveTableOnlyWithOneSwap) {
  auto r = table_request("2025-09-14T13:00:00Z");
  r.as_name = tb("t_staging");
  r.replace = true;
  r.drop_old = true;
  auto plan = make_restore_plan(r, history());
  ASSERT_TRUE(plan) << plan.error().describe();
  const auto statements = plan_statements(*plan);
  ASSERT_EQ(statements.size(), 4u);
  int touching_live = 0;
  for (const auto& sql : statements) {
    if (sql.find("`sales`.`t` ") != std::string::npos || sql.find("ON (`t`") != std::string::npos) {
      if (sql.rfind("RESTORE", 0) == 0) {
        EXPECT_NE(sql.find("AS `t_staging`"), std::string::npos) << sql;
        continue;
      }
      ++touching_live;
      EXPECT_EQ(sql, "ALTER TABLE `sales`.`t` SWAP WITH `t_staging`");
    }
  }
  EXPECT_EQ(touching_live, 1);
  EXPECT_EQ(statements.back(), "DROP TABLE `sales`.`t_staging`") << "after the swap the staging name holds the old data";

  auto no_replace = table_request("2025-09-14T13:00:00Z");
  auto plain = make_restore_plan(no_replace, history());
  ASSERT_TRUE(plain);
  for (const auto& sql : plan_statements(*plain)) EXPECT_EQ(sql.find("SWAP"), std::string::npos) << sql;
}

TEST(RestorePlanner, CreatedAfterTIsExcludedAndExplained) {
  RestoreRequest r{.scope = Scope::kDatabase, .database = db("sales")};
  r.as_of = at("2025-09-14T13:00:00Z");
  auto plan = make_restore_plan(r, history());
  ASSERT_TRUE(plan) << plan.error().describe();
  ASSERT_EQ(plan->targets.size(), 1u);
  EXPECT_EQ(plan->targets[0].source.str(), "t");
  EXPECT_EQ(plan->targets[0].target.str(), "t") << "into another database: same names";
  EXPECT_EQ(plan->target_database.str(), "sales_restored_20250914130000");
  EXPECT_TRUE(plan->create_target_database);
  bool explained = false;
  for (const auto& n : plan->notes) explained |= n.find("table u not restored") != std::string::npos &&
                                                 n.find("full2") != std::string::npos;
  EXPECT_TRUE(explained) << nlohmann::json(plan->notes).dump();

  RestoreRequest p = table_request("2025-09-14T13:00:00Z");
  p.scope = Scope::kPartition;
  p.partitions = {pn("p4")};
  auto nothing = make_restore_plan(p, history());
  ASSERT_FALSE(nothing);
  EXPECT_EQ(nothing.error().code, "restore.nothing");
  EXPECT_NE(nothing.error().message.find("first backed up in 'inc2'"), std::string::npos) << nothing.error().message;
}

TEST(RestorePlanner, PartitionScopeRestoresOnlyThatPartition) {
  RestoreRequest p = table_request("2025-09-14T15:00:00Z");
  p.scope = Scope::kPartition;
  p.partitions = {pn("p2")};
  auto plan = make_restore_plan(p, history());
  ASSERT_TRUE(plan) << plan.error().describe();
  EXPECT_EQ(sources(*plan), (std::map<std::string, std::string>{{"t.p2", "inc1"}}));
  EXPECT_EQ(step_labels(*plan), (std::vector<std::string>{"inc1"}));
  p.replace = true;
  auto replace = make_restore_plan(p, history());
  ASSERT_TRUE(replace);
  EXPECT_EQ(plan_statements(*replace).back(),
            "INSERT OVERWRITE `sales`.`t` PARTITION (`p2`) SELECT * FROM `sales`.`t_p2_restored_20250914150000`");
}

// Issue 10 item 13: several partitions are replaced by ONE INSERT OVERWRITE over all of them (all or none), after
// the live partitions were copied aside; --drop-old makes no copy and drops the staging table.
TEST(RestorePlanner, PartitionReplaceIsOneStatementAfterACopyOfTheLivePartitions) {
  RestoreRequest p = table_request("2025-09-14T15:00:00Z");
  p.scope = Scope::kPartition;
  p.partitions = {pn("p2"), pn("p3")};
  p.replace = true;
  auto plan = make_restore_plan(p, history());
  ASSERT_TRUE(plan) << plan.error().describe();
  ASSERT_EQ(plan->targets.size(), 1u);
  ASSERT_TRUE(plan->targets[0].previous);
  EXPECT_EQ(plan->targets[0].previous->str(), "t_p2_p3_replaced_20250920000000") << "stamped with the restore's now";
  EXPECT_EQ(replace_statements(*plan, plan->targets[0]),
            (std::vector<std::string>{
                "CREATE TABLE `sales`.`t_p2_p3_replaced_20250920000000` LIKE `sales`.`t`",
                "INSERT INTO `sales`.`t_p2_p3_replaced_20250920000000` SELECT * FROM `sales`.`t` PARTITION (`p2`, "
                "`p3`)",
                "INSERT OVERWRITE `sales`.`t` PARTITION (`p2`, `p3`) SELECT * FROM "
                "`sales`.`t_p2_p3_restored_20250914150000`"}));
  std::size_t overwrites = 0;
  for (const auto& sql : plan_statements(*plan)) overwrites += sql.starts_with("INSERT OVERWRITE") ? 1 : 0;
  EXPECT_EQ(overwrites, 1u);
  EXPECT_EQ(plan_to_json(*plan)["targets"][0]["previous"], "t_p2_p3_replaced_20250920000000");

  p.drop_old = true;
  auto dropped = make_restore_plan(p, history());
  ASSERT_TRUE(dropped);
  EXPECT_FALSE(dropped->targets[0].previous);
  EXPECT_EQ(replace_statements(*dropped, dropped->targets[0]),
            (std::vector<std::string>{"INSERT OVERWRITE `sales`.`t` PARTITION (`p2`, `p3`) SELECT * FROM "
                                      "`sales`.`t_p2_p3_restored_20250914150000`",
                                      "DROP TABLE `sales`.`t_p2_p3_restored_20250914150000`"}));
}

// Issue 10 item 18: default names are cut between characters (a byte cut dropped the last character of every
// non-ASCII name, so `fact_订单` and `fact_订购` both became `fact_订_restored_…`), and a partition restore never
// takes the name of the table's restore as of the same instant.
TEST(RestorePlanner, DefaultNamesKeepWholeCharactersAndTellScopesApart) {
  const std::string ding = "\xE8\xAE\xA2", dan = "\xE5\x8D\x95", gou = "\xE8\xB4\xAD";  // 订 单 购
  auto named = [&](const std::string& table, Scope scope) {
    RestoreRequest r = table_request("2025-09-14T15:00:00Z");
    r.scope = scope;
    if (scope == Scope::kPartition) r.partitions = {pn("p2")};
    auto h = history();
    for (auto& snapshot : h) {
      for (auto& e : snapshot.entries) {
        if (e.table.str() == "t") e.table = *TableName::parse(table);
      }
    }
    r.table = *TableName::parse(table);
    auto plan = make_restore_plan(r, h);
    EXPECT_TRUE(plan) << plan.error().describe();
    return plan ? plan->targets.at(0).target.str() : std::string();
  };
  EXPECT_EQ(named("fact_" + ding + dan, Scope::kTable), "fact_" + ding + dan + "_restored_20250914150000");
  EXPECT_NE(named("fact_" + ding + dan, Scope::kTable), named("fact_" + ding + gou, Scope::kTable));
  EXPECT_EQ(named("t", Scope::kPartition), "t_p2_restored_20250914150000");
  EXPECT_NE(named("t", Scope::kPartition), named("t", Scope::kTable));
  // A name too long for the suffix is cut between characters.
  std::string longest;
  for (int i = 0; i < 21; ++i) longest += ding;  // 63 bytes
  const std::string cut = named(longest, Scope::kTable);
  EXPECT_LE(cut.size(), 64u);
  EXPECT_EQ(cut, longest.substr(0, 39) + "_restored_20250914150000");
}

TEST(RestorePlanner, SnapshotLabelMeansItsRestorePoint) {
  RestoreRequest r = table_request("2025-09-14T13:00:00Z");
  r.as_of.reset();
  r.snapshot = *SnapshotLabel::parse("inc1");
  auto plan = make_restore_plan(r, history());
  ASSERT_TRUE(plan) << plan.error().describe();
  EXPECT_EQ(step_labels(*plan), (std::vector<std::string>{"full1", "inc1"}));
  EXPECT_EQ(plan->point, at("2025-09-14T12:00:00Z"));

  r.snapshot = *SnapshotLabel::parse("nope");
  auto missing = make_restore_plan(r, history());
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, "restore.snapshot_missing");
}

TEST(RestorePlanner, NothingBeforeTheFirstSnapshotAndUsageErrors) {
  auto early = make_restore_plan(table_request("2025-09-14T09:59:59Z"), history());
  ASSERT_FALSE(early);
  EXPECT_EQ(early.error().code, "restore.nothing");

  auto r = table_request("2025-09-14T13:00:00Z");
  r.into = db("elsewhere");
  r.replace = true;
  EXPECT_EQ(make_restore_plan(r, history()).error().code, "restore.usage");
  RestoreRequest d{.scope = Scope::kDatabase, .database = db("sales")};
  d.as_of = at("2025-09-14T13:00:00Z");
  d.replace = true;
  EXPECT_EQ(make_restore_plan(d, history()).error().code, "restore.usage");
  auto both = table_request("2025-09-14T13:00:00Z");
  both.snapshot = *SnapshotLabel::parse("inc1");
  EXPECT_EQ(make_restore_plan(both, history()).error().code, "restore.usage");
  // --into the source database without --as still gets a new name, never the live one.
  auto same = table_request("2025-09-14T13:00:00Z");
  same.into = db("sales");
  auto plan = make_restore_plan(same, history());
  ASSERT_TRUE(plan);
  EXPECT_NE(plan->targets[0].target.str(), "t");
}

TEST(RestorePlanner, InstantsAreUtcWhateverTheInputOffset) {
  // 20:30 in Asia/Shanghai is 12:30 UTC: after inc1 (12:00Z), before inc2 (14:00Z). Read as UTC it would be
  // after every snapshot (pitfall 3).
  auto r = table_request("2025-09-14T13:00:00Z");
  r.as_of = *Instant::parse("2025-09-14T20:30:00+08:00", TimeZone::utc());
  auto plan = make_restore_plan(r, history());
  ASSERT_TRUE(plan);
  EXPECT_EQ(step_labels(*plan), (std::vector<std::string>{"full1", "inc1"}));
  r.as_of = *Instant::parse("2025-09-14 20:30:00", *TimeZone::parse("Asia/Shanghai"));
  auto local = make_restore_plan(r, history());
  ASSERT_TRUE(local);
  EXPECT_EQ(step_labels(*local), (std::vector<std::string>{"full1", "inc1"}));
}

TEST(RestorePlanner, DroppedSinceIsExplainedAndCannotBeReplaced) {
  auto r = table_request("2025-09-14T13:00:00Z");
  r.live_tables = std::vector<TableName>{tb("other")};
  auto plan = make_restore_plan(r, history());
  ASSERT_TRUE(plan) << plan.error().describe();
  ASSERT_EQ(plan->notes.size(), 1u);
  EXPECT_NE(plan->notes[0].find("table t was dropped since"), std::string::npos) << plan->notes[0];
  r.replace = true;
  auto replace = make_restore_plan(r, history());
  ASSERT_FALSE(replace);
  EXPECT_EQ(replace.error().code, "restore.usage");
  r.live_tables = std::vector<TableName>{tb("t")};
  auto present = make_restore_plan(r, history());
  ASSERT_TRUE(present);
  EXPECT_TRUE(present->notes.empty());
}

// Label template bk_{db}_{tier}_{date}: Monday's daily finishes in the same second as Sunday's weekly, and its
// label sorts before the weekly's. The chain is ordered by backup_timestamp: weekly, then daily (Monday's p2).
TEST(RestorePlanner, SameSecondFinishOrdersByBackupTimestampNotLabel) {
  using K = ops::BackupKind;
  auto weekly =
      snap("bk_sales_weekly_20270307", K::kDatabase, "2027-03-08T01:00:05Z", {{"t", "p1", 2}, {"t", "p2", 2}});
  weekly.attempt.backup_timestamp = BackupTimestamp::from_server("2027-03-08-09-00-04-100");
  weekly.attempt.submitted_at = at("2027-03-08T01:00:01Z");
  auto daily = snap("bk_sales_daily_20270308", K::kPartitions, "2027-03-08T01:00:05Z", {{"t", "p2", 3}});
  daily.attempt.backup_timestamp = BackupTimestamp::from_server("2027-03-08-09-00-04-900");
  daily.attempt.submitted_at = at("2027-03-08T01:00:02Z");
  ASSERT_LT(daily.attempt.label.str(), weekly.attempt.label.str()) << "labels in the reverse of time order";
  for (const auto& hist : {std::vector<Snapshot>{weekly, daily}, std::vector<Snapshot>{daily, weekly}}) {
    auto plan = make_restore_plan(table_request("2027-03-08T02:00:00Z"), hist);
    ASSERT_TRUE(plan) << plan.error().describe();
    EXPECT_EQ(step_labels(*plan), (std::vector<std::string>{"bk_sales_weekly_20270307", "bk_sales_daily_20270308"}));
    EXPECT_EQ(sources(*plan), (std::map<std::string, std::string>{{"t.p1", "bk_sales_weekly_20270307"},
                                                                 {"t.p2", "bk_sales_daily_20270308"}}));
  }
  // Without readable timestamps: finish, then submission time — still never the label.
  weekly.attempt.backup_timestamp.reset();
  for (const auto& hist : {std::vector<Snapshot>{weekly, daily}, std::vector<Snapshot>{daily, weekly}}) {
    auto plan = make_restore_plan(table_request("2027-03-08T02:00:00Z"), hist);
    ASSERT_TRUE(plan) << plan.error().describe();
    EXPECT_EQ(sources(*plan)["t.p2"], "bk_sales_daily_20270308");
  }
}

void record_set(Snapshot& s, const char* table, std::vector<std::string> partitions) {
  s.partition_sets.push_back({s.attempt.attempt_id(), s.attempt.repository, s.attempt.label, s.attempt.database,
                              tb(table), std::move(partitions), {}});
}

// p1 is dropped after the baseline; the next daily records t's partitions without it: restores to instants after
// that daily leave p1 out ("dropped before T"), restores before it keep it; tables without sets are unchanged.
TEST(RestorePlanner, PartitionsAbsentFromTheNewestPartitionSetAreDroppedBeforeT) {
  using K = ops::BackupKind;
  auto base = snap("full", K::kDatabase, "2025-09-14T10:00:00Z", {{"t", "p1", 2}, {"t", "p2", 2}, {"u", "u1", 2}});
  record_set(base, "t", {"p1", "p2"});
  auto daily = snap("daily", K::kPartitions, "2025-09-15T10:00:00Z", {{"t", "p2", 3}});
  record_set(daily, "t", {"p2", "p3"});  // p1 dropped; p3 new (in a later snapshot)
  auto daily2 = snap("daily2", K::kPartitions, "2025-09-16T10:00:00Z", {{"t", "p3", 2}});
  const std::vector<Snapshot> hist{base, daily, daily2};

  RestoreRequest r{.scope = Scope::kDatabase, .database = db("sales")};
  r.as_of = at("2025-09-16T12:00:00Z");
  r.into = db("sales_r");
  auto plan = make_restore_plan(r, hist);
  ASSERT_TRUE(plan) << plan.error().describe();
  EXPECT_EQ(sources(*plan), (std::map<std::string, std::string>{
                                {"t.p2", "daily"}, {"t.p3", "daily2"}, {"u.u1", "full"}}));
  const std::string text = plan_to_text(*plan);
  EXPECT_NE(text.find("partition t.p1 not restored: dropped before 2025-09-16T12:00:00Z"), std::string::npos) << text;
  EXPECT_EQ(step_labels(*plan), (std::vector<std::string>{"full", "daily", "daily2"}));
  ASSERT_EQ(plan->steps[0].tables.size(), 1u) << "nothing of t comes from the baseline";
  EXPECT_EQ(plan->steps[0].tables[0].source.str(), "u");

  // Before the daily that recorded the drop: the baseline's set holds p1, so it is restored.
  r.as_of = at("2025-09-14T12:00:00Z");
  auto earlier = make_restore_plan(r, hist);
  ASSERT_TRUE(earlier) << earlier.error().describe();
  EXPECT_EQ(sources(*earlier)["t.p1"], "full");

  // Partition scope: the dropped partition is explained, nothing restored.
  RestoreRequest pr = table_request("2025-09-16T12:00:00Z");
  pr.scope = Scope::kPartition;
  pr.partitions = {pn("p1")};
  auto part = make_restore_plan(pr, hist);
  ASSERT_FALSE(part);
  EXPECT_EQ(part.error().code, "restore.nothing");
  EXPECT_NE(part.error().message.find("dropped before"), std::string::npos) << part.error().message;

  // Without any recorded set: today's behaviour (p1 from the baseline).
  std::vector<Snapshot> no_sets = hist;
  for (auto& s : no_sets) s.partition_sets.clear();
  r.as_of = at("2025-09-16T12:00:00Z");
  auto legacy_plan = make_restore_plan(r, no_sets);
  ASSERT_TRUE(legacy_plan) << legacy_plan.error().describe();
  EXPECT_EQ(sources(*legacy_plan)["t.p1"], "full");
}

TEST(RestorePlanner, BackupTimestampOrderKey) {
  EXPECT_LT(*timestamp_order_key("2027-03-08-09-00-04-100"), *timestamp_order_key("2027-03-08-09-00-04-900"));
  EXPECT_LT(*timestamp_order_key("2026-12-31-23-59-59-999"), *timestamp_order_key("2027-01-01-00-00-00-000"));
  EXPECT_FALSE(timestamp_order_key("full1-ts"));
  EXPECT_FALSE(timestamp_order_key("2027-03-08 09:00:04.100"));
}

TEST(RestorePlanner, JsonListsStepsStatementsAndNotes) {
  auto plan = make_restore_plan(table_request("2025-09-14T13:00:00Z"), history());
  ASSERT_TRUE(plan);
  auto j = plan_to_json(*plan);
  EXPECT_EQ(j["restore_plan_version"], 1);
  EXPECT_EQ(j["steps"].size(), 2u);
  EXPECT_EQ(j["steps"][1]["label"], "inc1");
  EXPECT_EQ(j["statements"].size(), 2u);
  EXPECT_NE(plan_to_text(*plan).find("Live tables are not touched"), std::string::npos);
}

// ---- executor ----

ports::Rows snapshot_rows(const std::string& label, const std::string& timestamps, const std::string& status = "OK") {
  return ports::make_rows({"Snapshot", "Timestamp", "Status"}, {{label, timestamps, status}});
}

ports::Rows restore_rows(std::int64_t id, const std::string& label, const std::string& state,
                         const std::string& status = "[OK]") {
  return ports::make_rows({"JobId", "Label", "Timestamp", "DbName", "State", "Status", "TaskErrMsg"},
                          {{std::to_string(id), label, "ts", "sales", state, status, ""}});
}

struct ExecutorTest : ::testing::Test {
  ports::FakeClock clock;
  ports::FakeSleeper sleeper{&clock};
  ports::RecordingSqlConnection conn;
  ExecuteOptions options{"run1", 3, std::chrono::milliseconds(1000), std::chrono::milliseconds(100),
                         std::chrono::milliseconds(1000), std::chrono::hours(1)};
  // Fixed jitter (factor 1): the busy-backoff test asserts the exact delays.
  ExecutorTest() { options.random01 = [] { return 0.5; }; }

  RestorePlan plan(bool replace) {
    auto r = table_request("2025-09-14T13:00:00Z");
    r.as_name = tb("t_staging");
    r.replace = replace;
    auto p = make_restore_plan(r, history());
    EXPECT_TRUE(p);
    return *p;
  }
  void script_snapshots() {
    conn.on("SHOW SNAPSHOT ON `repo` WHERE SNAPSHOT = 'full1'", snapshot_rows("full1", "full1-ts"));
    conn.on("SHOW SNAPSHOT ON `repo` WHERE SNAPSHOT = 'inc1'", snapshot_rows("inc1", "other-ts\ninc1-ts"));
  }
  void script_jobs_finish() {
    // Before each submit the previous job is visible; after it, ours runs then finishes.
    conn.on("^SHOW RESTORE", restore_rows(1, "older", "FINISHED"), 1);
    conn.on("^SHOW RESTORE", restore_rows(2, "full1", "DOWNLOADING"), 1);
    conn.on("^SHOW RESTORE", restore_rows(2, "full1", "FINISHED"), 2);
    conn.on("^SHOW RESTORE", restore_rows(3, "inc1", "FINISHED"), -1);
  }
  void script_verification(const std::string& staging_sum) {
    conn.on("information_schema.partitions_meta",
            ports::make_rows({"TABLE_NAME", "PARTITION_NAME", "VISIBLE_VERSION"},
                             {{"t", "p1", "2"}, {"t", "p2", "3"}, {"t", "p3", "2"}}));
    conn.on("information_schema.columns", ports::make_rows({"COLUMN_NAME"}, {{"k"}, {"v"}}));
    conn.on("information_schema.tables", ports::make_rows({"TABLE_NAME"}, {{"t"}}));
    conn.on("FROM `sales`.`t` PARTITION", ports::make_rows({"row_count", "row_hash_sum"}, {{"5", "12345"}}));
    conn.on("FROM `sales`.`t_staging` PARTITION", ports::make_rows({"row_count", "row_hash_sum"}, {{"5", staging_sum}}));
  }
};

TEST_F(ExecutorTest, ResolvesTimestampsVerbatimAndRejectsUnlisted) {
  script_snapshots();
  auto p = plan(false);
  ASSERT_TRUE(resolve_timestamps(conn, p));
  EXPECT_EQ(p.steps[0].backup_timestamp, BackupTimestamp::from_server("full1-ts"));
  EXPECT_EQ(p.steps[1].backup_timestamp, BackupTimestamp::from_server("inc1-ts")) << "the recorded one among several";
  EXPECT_NE(plan_statements(p)[1].find("'backup_timestamp' = 'inc1-ts'"), std::string::npos) << plan_statements(p)[1];

  ports::RecordingSqlConnection missing;
  missing.on("SHOW SNAPSHOT", snapshot_rows("full1", "", "ERROR: no snapshot"));
  auto q = plan(false);
  auto s = resolve_timestamps(missing, q);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, "restore.snapshot_missing");

  auto r = table_request("2025-09-14T11:00:00Z");
  auto one = *make_restore_plan(r, history());
  auto wrong = resolve_timestamps(conn, one, BackupTimestamp::from_server("1999-01-01-00-00-00-000"));
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, "restore.wrong_timestamp");
  EXPECT_NE(wrong.error().message.find("full1-ts"), std::string::npos) << "lists the valid timestamps";
}

TEST_F(ExecutorTest, RunsEveryStepThenSwapsOnlyAfterVerificationPasses) {
  script_snapshots();
  script_jobs_finish();
  script_verification("12345");
  auto p = plan(true);
  ASSERT_TRUE(resolve_timestamps(conn, p));
  conn.on_error("^RESTORE SNAPSHOT `sales`.`inc1`",
                ports::server_error(1064, "HY000", "Can only run one backup or restore job of a database at same time"),
                1);
  const Instant began = clock.now();
  auto out = execute_plan(conn, nullptr, p, clock, sleeper, options, nullptr);
  ASSERT_FALSE(out.error) << out.error->describe();
  EXPECT_EQ(out.verdict, verify::Verdict::kPassed);
  EXPECT_TRUE(out.swapped);
  // Every row: when the restore began and how long until its job ended (the fake clock moves with each poll).
  for (const auto& rec : out.records) {
    EXPECT_EQ(rec.started_at, began);
    ASSERT_TRUE(rec.finished_at && rec.duration_seconds);
    EXPECT_EQ(*rec.duration_seconds, rec.finished_at->unix_seconds() - began.unix_seconds());
  }
  EXPECT_GT(*out.records.back().duration_seconds, *out.records.front().duration_seconds);
  EXPECT_EQ(conn.count_matching("^RESTORE SNAPSHOT `sales`.`inc1`"), 2u) << "busy once, then retried";
  EXPECT_EQ(conn.count_matching("^ALTER TABLE `sales`.`t` SWAP WITH `t_staging`$"), 1u);
  // The swap comes after every RESTORE and every fingerprint.
  const auto sql = conn.sql();
  std::size_t swap_at = 0, last_other = 0;
  for (std::size_t i = 0; i < sql.size(); ++i) {
    if (sql[i].rfind("ALTER TABLE", 0) == 0) swap_at = i;
    else if (sql[i].rfind("RESTORE", 0) == 0 || sql[i].find("murmur_hash3_32") != std::string::npos) last_other = i;
  }
  EXPECT_GT(swap_at, last_other);
  ASSERT_EQ(out.records.size(), 2u);
  EXPECT_EQ(out.records[1].verification, "PASSED");
}

// p1 has no recorded fingerprint and its live VisibleVersion moved on: it cannot be compared. p2 and p3 match:
// PARTIAL, which never replaces the live data; the message names p1 and gives the statement to swap by hand.
TEST_F(ExecutorTest, PartialVerificationNeverSwapsAndSaysHowToSwapByHand) {
  script_snapshots();
  script_jobs_finish();
  conn.on("information_schema.partitions_meta",
          ports::make_rows({"TABLE_NAME", "PARTITION_NAME", "VISIBLE_VERSION"},
                           {{"t", "p1", "9"}, {"t", "p2", "3"}, {"t", "p3", "2"}}));
  script_verification("12345");
  auto p = plan(true);
  ASSERT_TRUE(resolve_timestamps(conn, p));
  std::ostringstream progress;
  auto out = execute_plan(conn, nullptr, p, clock, sleeper, options, &progress);
  EXPECT_EQ(out.verdict, verify::Verdict::kPartial);
  ASSERT_TRUE(out.error);
  EXPECT_EQ(out.error->code, "restore.verify_failed");
  EXPECT_NE(out.error->message.find("verification PARTIAL"), std::string::npos) << out.error->message;
  EXPECT_NE(out.error->message.find("t.p1 could not be compared"), std::string::npos) << out.error->message;
  EXPECT_NE(out.error->message.find("ALTER TABLE `sales`.`t` SWAP WITH `t_staging`;"), std::string::npos)
      << out.error->message;
  EXPECT_EQ(conn.count_matching("^ALTER TABLE"), 0u);
  EXPECT_FALSE(out.swapped);
  EXPECT_NE(progress.str().find("not verified (no fingerprint recorded at backup time, and the live partition "
                                "changed since): t.p1"),
            std::string::npos)
      << progress.str();
  for (const auto& rec : out.records) EXPECT_EQ(rec.verification, "PARTIAL");
}

TEST_F(ExecutorTest, MismatchNeverSwaps) {
  script_snapshots();
  script_jobs_finish();
  script_verification("999");
  auto p = plan(true);
  ASSERT_TRUE(resolve_timestamps(conn, p));
  auto out = execute_plan(conn, nullptr, p, clock, sleeper, options, nullptr);
  ASSERT_TRUE(out.error);
  EXPECT_EQ(out.error->code, "restore.verify_failed");
  EXPECT_EQ(out.verdict, verify::Verdict::kFailed);
  EXPECT_EQ(conn.count_matching("SWAP"), 0u);
}

TEST_F(ExecutorTest, CancelledJobsAreClassified) {
  script_snapshots();
  conn.on("^SHOW RESTORE", restore_rows(1, "older", "FINISHED"), 1);
  conn.on("^SHOW RESTORE",
          restore_rows(2, "full1", "CANCELLED",
                       "[COMMON_ERROR, msg: disk /data1 on backend 10001 exceed limit usage, path hash: 1]"));
  script_verification("12345");
  auto p = plan(false);
  ASSERT_TRUE(resolve_timestamps(conn, p));
  auto out = execute_plan(conn, nullptr, p, clock, sleeper, options, nullptr);
  ASSERT_TRUE(out.error);
  EXPECT_EQ(out.error->code, "restore.disk_limit");
  EXPECT_NE(out.error->message.find("exceed limit usage"), std::string::npos);
  EXPECT_EQ(conn.count_matching("^RESTORE SNAPSHOT `sales`.`inc1`"), 0u) << "stops at the failed step";
}

TEST_F(ExecutorTest, SchemaConflictAndWrongTimestampHaveTheirOwnCodes) {
  script_snapshots();
  script_verification("12345");
  conn.on("^SHOW RESTORE", restore_rows(1, "older", "FINISHED"), 1);
  conn.on("^SHOW RESTORE",
          restore_rows(2, "full1", "CANCELLED",
                       "[COMMON_ERROR, msg: Table t_staging already exist but with different schema, errMsg: x]"));
  auto p = plan(false);
  ASSERT_TRUE(resolve_timestamps(conn, p));
  auto conflict = execute_plan(conn, nullptr, p, clock, sleeper, options, nullptr);
  ASSERT_TRUE(conflict.error);
  EXPECT_EQ(conflict.error->code, "restore.schema_conflict");
  EXPECT_NE(conflict.error->message.find("different schema"), std::string::npos) << "the server's Status is shown";

  ports::RecordingSqlConnection refused;
  refused.on("information_schema.tables", ports::make_rows({"TABLE_NAME"}, {{"t"}}));
  refused.on("^SHOW RESTORE", restore_rows(1, "older", "FINISHED"));
  refused.on_error("^RESTORE SNAPSHOT",
                   ports::server_error(1064, "HY000",
                                       "Failed to get info of snapshot 'full1' because: x. Maybe specified wrong "
                                       "backup timestamp"));
  auto wrong = execute_plan(refused, nullptr, p, clock, sleeper, options, nullptr);
  ASSERT_TRUE(wrong.error);
  EXPECT_EQ(wrong.error->code, "restore.wrong_timestamp");
  ASSERT_EQ(wrong.records.size(), 1u);
  EXPECT_EQ(wrong.records[0].state, ops::AttemptState::kRejected);
}

TEST_F(ExecutorTest, BusyDatabaseGivesUpAfterBoundedBackoff) {
  script_snapshots();
  script_verification("12345");
  conn.on("^SHOW RESTORE", restore_rows(1, "older", "FINISHED"));
  conn.on_error("^RESTORE SNAPSHOT",
                ports::server_error(1064, "HY000", "Can only run one backup or restore job of a database at same time"));
  auto p = plan(false);
  ASSERT_TRUE(resolve_timestamps(conn, p));
  auto out = execute_plan(conn, nullptr, p, clock, sleeper, options, nullptr);
  ASSERT_TRUE(out.error);
  EXPECT_EQ(out.error->code, "restore.busy");
  EXPECT_EQ(conn.count_matching("^RESTORE SNAPSHOT"), 4u) << "first try + 3 retries";
  EXPECT_EQ(sleeper.sleeps(), (std::vector<std::chrono::milliseconds>{std::chrono::milliseconds(1000),
                                                                       std::chrono::milliseconds(2000),
                                                                       std::chrono::milliseconds(4000)}));
}

TEST_F(ExecutorTest, RefusesToRestoreOverAnExistingTable) {
  script_snapshots();
  conn.on("information_schema.tables", ports::make_rows({"TABLE_NAME"}, {{"t"}, {"t_staging"}}));
  auto p = plan(false);
  ASSERT_TRUE(resolve_timestamps(conn, p));
  auto out = execute_plan(conn, nullptr, p, clock, sleeper, options, nullptr);
  ASSERT_TRUE(out.error);
  EXPECT_EQ(out.error->code, "restore.target_exists");
  EXPECT_EQ(conn.count_matching("^RESTORE"), 0u);
}

TEST(SourceReplicationNum, ReadFromShowCreateTable) {
  ports::RecordingSqlConnection conn;
  conn.on("SHOW CREATE TABLE `sales`.`t`",
          ports::make_rows({"Table", "Create Table"},
                           {{"t", "CREATE TABLE `t` (\n  `k` int(11) NOT NULL\n) ENGINE=OLAP\nPROPERTIES (\n"
                                  "\"compression\" = \"LZ4\",\n\"replication_num\" = \"2\"\n);"}}));
  conn.on_error("SHOW CREATE TABLE `sales`.`gone`",
               ports::server_error(1064, "HY000", "Getting analyzing error. Detail message: Unknown table 'sales.gone'."));
  auto n = source_replication_num(conn, db("sales"), tb("t"));
  ASSERT_TRUE(n) << n.error().describe();
  EXPECT_EQ(*n, 2);
  auto gone = source_replication_num(conn, db("sales"), tb("gone"));
  ASSERT_TRUE(gone);
  EXPECT_FALSE(*gone);
}

}  // namespace
}  // namespace sk::restore
