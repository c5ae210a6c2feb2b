// The audit record: statement kind and database read from the dialect's statements, the JSON line round trip.
#include "runtime/audit/audit_record.h"

#include <gtest/gtest.h>

namespace sk::audit {
namespace {

TEST(AuditStatementKind, FromTheStatementsStarkeepSends) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"BACKUP SNAPSHOT `sales`.`sales_20250914_inc` TO `repo` ON (`fact`)", "BACKUP"},
      {"RESTORE SNAPSHOT `sales`.`l` FROM `repo` ON (`t` AS `t_r`)", "RESTORE"},
      {"  show backup FROM `sales`", "SHOW BACKUP"},
      {"SHOW FULL TABLES FROM `sales`", "SHOW TABLES"},
      {"CREATE DATABASE IF NOT EXISTS `ops`", "CREATE DATABASE"},
      {"CREATE REPOSITORY `r` WITH BROKER ON LOCATION 's3://b/p' PROPERTIES ()", "CREATE REPOSITORY"},
      {"CREATE OR REPLACE VIEW v AS SELECT 1", "CREATE VIEW"},
      {"DROP DATABASE `scratch` FORCE", "DROP DATABASE"},
      {"ALTER TABLE `sales`.`fact` SWAP WITH `fact_r`", "ALTER TABLE"},
      {"INSERT OVERWRITE `sales`.`fact` PARTITION (p1) SELECT * FROM `sales`.`fact_r`", "INSERT OVERWRITE"},
      {"INSERT INTO `ops`.`backup_history` VALUES (1)", "INSERT"},
      {"CANCEL RESTORE FROM `sales`", "CANCEL RESTORE"},
      {"/* starkeep */ SELECT 1", "SELECT"},
      {"-- comment\nUPDATE `ops`.`run_marker` SET x = 1", "UPDATE"},
      {"", ""},
  };
  for (const auto& [sql, kind] : cases) EXPECT_EQ(statement_kind(sql), kind) << sql;
}

TEST(AuditStatementDatabase, FromTheStatementsStarkeepSends) {
  const std::vector<std::pair<std::string, std::optional<std::string>>> cases = {
      {"BACKUP SNAPSHOT `sales`.`sales_20250914_inc` TO `repo` ON (`fact`)", "sales"},
      {"RESTORE SNAPSHOT `shop`.`l` FROM `repo` ON (`t` AS `t_r`)", "shop"},
      {"SHOW BACKUP FROM `sales`", "sales"},
      {"SHOW RESTORE FROM sales WHERE x", "sales"},
      {"CANCEL BACKUP FROM `my.db`", "my.db"},
      {"CREATE DATABASE IF NOT EXISTS `ops`", "ops"},
      {"DROP DATABASE IF EXISTS `scratch_1`", "scratch_1"},
      {"INSERT INTO `ops`.`backup_history` (a) VALUES (1)", "ops"},
      {"SELECT a FROM `ops`.`restore_history` WHERE b = 'x.y'", "ops"},
      {"ALTER TABLE `sales`.`fact` SWAP WITH `fact_r`", "sales"},
      {"SELECT current_version()", std::nullopt},
      {"SELECT a FROM t", std::nullopt},
      {"SHOW REPOSITORIES", std::nullopt},
      {"CREATE REPOSITORY `r` WITH BROKER ON LOCATION 's3://b/p' PROPERTIES ()", std::nullopt},
  };
  for (const auto& [sql, db] : cases) EXPECT_EQ(statement_database(sql), db) << sql;
}

AuditRecord sample() {
  AuditRecord r;
  r.time = Instant::from_unix_seconds(1757811600);  // 2025-09-14T01:00:00Z
  r.command = "restore table";
  r.run_id = "20250914T010000Z-42-beef";
  r.user = "backup";
  r.server = "10.0.0.5:9030";
  r.database = "sales";
  r.kind = "RESTORE";
  r.duration = std::chrono::milliseconds(1234);
  r.outcome = Outcome::kError;
  r.error_code = "sql.server";
  r.error = "ERROR 1064 (HY000): no";
  r.statement = "RESTORE SNAPSHOT `sales`.`l` FROM `repo`";
  return r;
}

TEST(AuditRecordJson, RoundTrips) {
  const AuditRecord r = sample();
  const std::string line = to_json_line(r);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  auto back = parse_json_line(line);
  ASSERT_TRUE(back) << back.error().describe();
  EXPECT_EQ(back->time, r.time);
  EXPECT_EQ(back->command, r.command);
  EXPECT_EQ(back->run_id, r.run_id);
  EXPECT_EQ(back->user, r.user);
  EXPECT_EQ(back->server, r.server);
  EXPECT_EQ(back->database, r.database);
  EXPECT_EQ(back->kind, r.kind);
  EXPECT_EQ(back->duration, r.duration);
  EXPECT_EQ(back->outcome, r.outcome);
  EXPECT_EQ(back->error_code, r.error_code);
  EXPECT_EQ(back->error, r.error);
  EXPECT_EQ(back->statement, r.statement);
}

TEST(AuditRecordJson, InvalidUtf8AndLongStatementsStillMakeOneValidLine) {
  AuditRecord r = sample();
  r.statement = std::string(5000, 'x') + "\xff\xfe" + "\n";
  const std::string line = to_json_line(r);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  auto back = parse_json_line(line);
  ASSERT_TRUE(back) << back.error().describe();
  EXPECT_LE(back->statement.size(), kMaxStatementBytes);
}

}  // namespace
}  // namespace sk::audit
