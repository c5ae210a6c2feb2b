// The StarRocks dialect: quoting, escaping and the statement shapes of both grammars, including hostile names.
#include "kernel/dialect/starrocks_dialect.h"

#include <gtest/gtest.h>

#include <regex>

namespace sk::dialect {
namespace {

DatabaseName db(std::string_view s) { return DatabaseName::parse(s).value(); }
TableName tbl(std::string_view s) { return TableName::parse(s).value(); }
PartitionName part(std::string_view s) { return PartitionName::parse(s).value(); }
SnapshotLabel label(std::string_view s) { return SnapshotLabel::parse(s).value(); }
RepositoryName repo(std::string_view s) { return RepositoryName::parse(s).value(); }
BackupTimestamp ts(std::string_view s) { return BackupTimestamp::from_server(s).value(); }

TEST(QuoteIdentifier, WrapsInBackticksAndDoublesEmbeddedOnes) {
  EXPECT_EQ(quote_identifier("sales"), "`sales`");
  EXPECT_EQ(quote_identifier("a`b"), "`a``b`");
  EXPECT_EQ(quote_identifier("``"), "``````");
  EXPECT_EQ(quote_identifier(""), "``");
}

TEST(QuoteIdentifier, LeavesQuotesSemicolonsAndUnicodeAlone) {
  EXPECT_EQ(quote_identifier("x'; DROP DATABASE x; --"), "`x'; DROP DATABASE x; --`");
  EXPECT_EQ(quote_identifier("Umsätze_日本"), "`Umsätze_日本`");
}

TEST(QuoteString, EscapesQuotesBackslashesAndControls) {
  EXPECT_EQ(quote_string("abc"), "'abc'");
  EXPECT_EQ(quote_string("it's"), "'it\\'s'");
  EXPECT_EQ(quote_string("say \"hi\""), "'say \\\"hi\\\"'");
  EXPECT_EQ(quote_string("a\\b"), "'a\\\\b'");
  EXPECT_EQ(quote_string(std::string_view("\n\r\t\0\x1a", 5)), "'\\n\\r\\t\\0\\Z'");
  // A trailing backslash must not escape the closing quote.
  EXPECT_EQ(quote_string("x\\"), "'x\\\\'");
  EXPECT_EQ(quote_string("'; DROP DATABASE x; --"), "'\\'; DROP DATABASE x; --'");
}

TEST(RenderBackup, WholeDatabasePre34HasNoOnClause) {
  BackupJobSpec spec{db("sales"), label("sales_20250907_monthly"), repo("s3_prod"), {}, std::nullopt};
  EXPECT_EQ(render_backup(spec),
            "BACKUP SNAPSHOT `sales`.`sales_20250907_monthly` TO `s3_prod` PROPERTIES ('type' = 'full')");
}

TEST(RenderBackup, TablesAndPartitionsWithTimeoutPre34) {
  BackupJobSpec spec{db("sales"),
                     label("sales_20250908_daily"),
                     repo("s3_prod"),
                     {{tbl("orders"), PartitionSelection::listed({part("p20250907"), part("p20250908")})},
                      {tbl("customers"), PartitionSelection::whole_table()}},
                     Duration::from_hours(2)};
  EXPECT_EQ(render_backup(spec),
            "BACKUP SNAPSHOT `sales`.`sales_20250908_daily` TO `s3_prod` ON (`orders` PARTITION (`p20250907`, "
            "`p20250908`), `customers`) PROPERTIES ('type' = 'full', 'timeout' = '7200')");
}

TEST(RenderBackup, V34Grammar) {
  BackupJobSpec whole{db("sales"), label("l1"), repo("r"), {}, std::nullopt, Grammar::kV34};
  EXPECT_EQ(render_backup(whole), "BACKUP DATABASE `sales` SNAPSHOT `l1` TO `r` ON (ALL TABLES) PROPERTIES ('type' = 'full')");
  BackupJobSpec some{db("sales"),
                     label("l1"),
                     repo("r"),
                     {{tbl("orders"), PartitionSelection::listed({part("p1")})}, {tbl("dim"), {}}},
                     std::nullopt,
                     Grammar::kV34};
  EXPECT_EQ(render_backup(some),
            "BACKUP DATABASE `sales` SNAPSHOT `l1` TO `r` ON (TABLE `orders` PARTITION (`p1`), TABLE `dim`) "
            "PROPERTIES ('type' = 'full')");
}

// The PROPERTIES keys of a rendered BACKUP, in order.
std::vector<std::string> backup_property_keys(const std::string& sql) {
  std::vector<std::string> keys;
  const auto at = sql.find("PROPERTIES (");
  if (at == std::string::npos) return keys;
  const std::string props = sql.substr(at);
  static const std::regex kKey("'([^']*)' = '");
  for (auto it = std::sregex_iterator(props.begin(), props.end(), kKey); it != std::sregex_iterator(); ++it) {
    keys.push_back((*it)[1].str());
  }
  return keys;
}

// StarRocks 4.2's BACKUP `ttl` makes the FE delete the snapshot by itself; starkeep never sets one (docs/retention.md,
// "StarRocks snapshot TTL"): every BACKUP the runner, the catalog publication and the canary render — both grammars,
// whole database, tables, partitions, with and without a timeout — carries only `type` and `timeout`.
TEST(RenderBackup, NeverSetsASnapshotTtl) {
  const std::vector<std::vector<BackupTable>> shapes{
      {},
      {{tbl("dim"), PartitionSelection::whole_table()}},
      {{tbl("orders"), PartitionSelection::listed({part("p1"), part("p2")})}, {tbl("dim"), {}}}};
  for (Grammar grammar : {Grammar::kPre34, Grammar::kV34}) {
    for (const auto& tables : shapes) {
      for (std::optional<Duration> timeout : {std::optional<Duration>(), std::optional(Duration::from_hours(8))}) {
        const std::string sql =
            render_backup(BackupJobSpec{db("sales"), label("sales_20261212_inc"), repo("r"), tables, timeout, grammar});
        const auto keys = backup_property_keys(sql);
        const std::vector<std::string> expected =
            timeout ? std::vector<std::string>{"type", "timeout"} : std::vector<std::string>{"type"};
        EXPECT_EQ(keys, expected) << sql;
        EXPECT_EQ(sql.find("ttl"), std::string::npos) << sql;
      }
    }
  }
}

TEST(RenderBackup, PreviewPlaceholderForRunTimePartitions) {
  BackupJobSpec spec{db("sales"), label("l"), repo("r"), {{tbl("orders"), PartitionSelection::bound_at_run_time()}},
                     std::nullopt};
  EXPECT_EQ(render_backup(spec),
            "BACKUP SNAPSHOT `sales`.`l` TO `r` ON (`orders` PARTITION (<changed partitions, bound at run time>)) "
            "PROPERTIES ('type' = 'full')");
}

TEST(RenderBackup, HostileNamesStayInsideTheirQuotes) {
  BackupJobSpec spec{db("x`; DROP DATABASE x; --"),
                     label("l"),
                     repo("r"),
                     {{tbl("t`) ; DROP TABLE y"), PartitionSelection::listed({part("p'`\"")})}},
                     std::nullopt};
  EXPECT_EQ(render_backup(spec),
            "BACKUP SNAPSHOT `x``; DROP DATABASE x; --`.`l` TO `r` ON (`t``) ; DROP TABLE y` PARTITION (`p'``\"`)) "
            "PROPERTIES ('type' = 'full')");
}

TEST(RenderRestore, Pre34WithAliasPartitionAndProperties) {
  RestoreJobSpec spec{db("sales"),
                      db("sales_drill"),
                      label("sales_20250908_daily"),
                      repo("s3_prod"),
                      {{tbl("orders"), {part("p20250908")}, tbl("orders_restored")}},
                      ts("2025-09-08-01-00-12-345"),
                      1,
                      Duration::from_hours(1),
                      std::nullopt};
  EXPECT_EQ(render_restore(spec),
            "RESTORE SNAPSHOT `sales_drill`.`sales_20250908_daily` FROM `s3_prod` ON (`orders` PARTITION "
            "(`p20250908`) AS `orders_restored`) PROPERTIES ('backup_timestamp' = '2025-09-08-01-00-12-345', "
            "'replication_num' = '1', 'timeout' = '3600')");
}

TEST(RenderRestore, WholeSnapshotOnlyNeedsTimestamp) {
  RestoreJobSpec spec{db("sales"), db("sales"), label("l"), repo("r"), {}, ts("ts'x"), std::nullopt, std::nullopt, true};
  EXPECT_EQ(render_restore(spec),
            "RESTORE SNAPSHOT `sales`.`l` FROM `r` PROPERTIES ('backup_timestamp' = 'ts\\'x', 'allow_load' = 'true')");
}

TEST(RenderRestore, V34GrammarNamesSourceAndTargetDatabase) {
  RestoreJobSpec spec{db("sales"),     db("scratch"), label("l"), repo("r"), {{tbl("t"), {}, tbl("t2")}}, ts("ts"),
                      std::nullopt, std::nullopt,  std::nullopt, Grammar::kV34};
  EXPECT_EQ(render_restore(spec),
            "RESTORE SNAPSHOT `l` FROM `r` DATABASE `sales` AS `scratch` ON (TABLE `t` AS `t2`) PROPERTIES "
            "('backup_timestamp' = 'ts')");
  spec.target_database = db("sales");
  spec.tables.clear();
  EXPECT_EQ(render_restore(spec), "RESTORE SNAPSHOT `l` FROM `r` DATABASE `sales` PROPERTIES ('backup_timestamp' = 'ts')");
}

TEST(RenderRestore, UnresolvedTimestampPreviewsAsPlaceholder) {
  RestoreJobSpec spec{db("sales"), db("sales"), label("l"), repo("r"), {}, std::nullopt, std::nullopt, std::nullopt,
                      std::nullopt};
  EXPECT_EQ(render_restore(spec),
            "RESTORE SNAPSHOT `sales`.`l` FROM `r` PROPERTIES ('backup_timestamp' = '<unresolved>')");
}

TEST(RenderShow, BackupRestoreSnapshotAndCancel) {
  EXPECT_EQ(render_show_backup(db("a`b")), "SHOW BACKUP FROM `a``b`");
  EXPECT_EQ(render_show_restore(db("sales")), "SHOW RESTORE FROM `sales`");
  EXPECT_EQ(render_cancel_backup(db("sales")), "CANCEL BACKUP FROM `sales`");
  EXPECT_EQ(render_cancel_restore(db("sales")), "CANCEL RESTORE FROM `sales`");
  EXPECT_EQ(render_show_snapshot(repo("r")), "SHOW SNAPSHOT ON `r`");
  EXPECT_EQ(render_show_snapshot(repo("r"), label("l")), "SHOW SNAPSHOT ON `r` WHERE SNAPSHOT = 'l'");
  EXPECT_EQ(render_show_snapshot(repo("r"), label("l"), ts("2025-01-01-00-00-00-000")),
            "SHOW SNAPSHOT ON `r` WHERE SNAPSHOT = 'l' AND TIMESTAMP = '2025-01-01-00-00-00-000'");
}

TEST(RenderPartitionList, QuotesEach) {
  EXPECT_EQ(render_partition_list({part("p1"), part("p`2")}), "(`p1`, `p``2`)");
}

}  // namespace
}  // namespace sk::dialect
