// The ops schema: key sizes under StarRocks' 128-byte limit, DDL shape, migrations idempotent and ordered, and
// every table and column documented in docs/ops-schema.md.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "runtime/ops/ops_schema.h"
#include "runtime/ports/fakes.h"

namespace sk::ops {
namespace {

using ports::make_rows;
using ports::RecordingSqlConnection;

OpsConfig test_config(std::string_view db = "ops", int replication = 1) {
  return OpsConfig{*DatabaseName::parse(db), replication};
}

TEST(OpsSchema, EveryPrimaryKeyFitsIn128Bytes) {
  ASSERT_GE(ops_tables().size(), 7u);
  for (const auto& table : ops_tables()) {
    EXPECT_LE(primary_key_bytes(table), kMaxPrimaryKeyBytes) << table.name;
  }
  // The accounting itself: a VARCHAR(32) id costs 34, an INT 4.
  EXPECT_EQ(primary_key_bytes(*find_table("backup_history")), 34u);
  EXPECT_EQ(primary_key_bytes(*find_table("schema_version")), 4u);
  // And it would catch a natural key of names (database 256 + table 64 bytes).
  TableSpec natural{"x",
                    {{"database_name", ColumnType::kVarchar, 256, false}, {"table_name", ColumnType::kVarchar, 64, false}},
                    {"database_name", "table_name"},
                    {"database_name"}};
  EXPECT_GT(primary_key_bytes(natural), kMaxPrimaryKeyBytes);
}

TEST(OpsSchema, KeysComeFirstAreNotNullAndDistributionIsInTheKey) {
  for (const auto& table : ops_tables()) {
    ASSERT_FALSE(table.primary_key.empty()) << table.name;
    for (std::size_t i = 0; i < table.primary_key.size(); ++i) {
      ASSERT_LT(i, table.columns.size());
      EXPECT_EQ(table.columns[i].name, table.primary_key[i]) << table.name;
      EXPECT_FALSE(table.columns[i].nullable) << table.name;
      EXPECT_NE(table.columns[i].type, ColumnType::kBoolean) << table.name;
    }
    for (auto d : table.distribution) {
      EXPECT_NE(std::find(table.primary_key.begin(), table.primary_key.end(), d), table.primary_key.end()) << table.name;
    }
    std::set<std::string_view> names;
    for (const auto& c : table.columns) EXPECT_TRUE(names.insert(c.name).second) << table.name << "." << c.name;
  }
}

TEST(OpsSchema, InstantColumnsAreNamedUtc) {
  for (const auto& table : ops_tables()) {
    for (const auto& c : table.columns) {
      if (c.type == ColumnType::kDateTime) {
        EXPECT_TRUE(c.name.ends_with("_utc")) << table.name << "." << c.name;
      }
    }
  }
}

TEST(OpsSchema, CreateTableDdlIsStarRocksPrimaryKeyDialect) {
  EXPECT_EQ(render_create_table(*find_table("schema_version"), test_config("ops", 3)),
            "CREATE TABLE IF NOT EXISTS `ops`.`schema_version` (`version` INT NOT NULL, `description` VARCHAR(256) "
            "NOT NULL, `applied_at_utc` DATETIME NOT NULL, `applied_by` VARCHAR(256) NOT NULL) PRIMARY KEY "
            "(`version`) DISTRIBUTED BY HASH(`version`) PROPERTIES ('replication_num' = '3')");
  const std::string hostile = render_create_table(*find_table("run_status"), test_config("o`ps", 1));
  EXPECT_NE(hostile.find("`o``ps`.`run_status`"), std::string::npos);
  EXPECT_NE(hostile.find("'replication_num' = '1'"), std::string::npos);
}

TEST(OpsSchema, MakeIdIsStableHexAndUnambiguous) {
  const std::string a = make_id({"ab", "c"});
  EXPECT_EQ(a.size(), 32u);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(a, make_id({"ab", "c"}));
  EXPECT_NE(a, make_id({"a", "bc"}));
  EXPECT_NE(a, make_id({"abc"}));
  // Pinned: ids are stored, so the function must never change.
  EXPECT_EQ(make_id({}), "e3b0c44298fc1c149afbf4c8996fb924");
}

TEST(OpsSchema, MigrationsAreOrderedAndIdempotentStatements) {
  const auto steps = migrations(test_config());
  ASSERT_FALSE(steps.empty());
  int previous = 0;
  for (const auto& step : steps) {
    EXPECT_EQ(step.version, previous + 1);
    previous = step.version;
    for (const auto& s : step.statements) EXPECT_TRUE(s.starts_with("CREATE TABLE IF NOT EXISTS")) << s;
    for (const auto& s : step.add_columns) EXPECT_TRUE(s.starts_with("ALTER TABLE")) << s;
  }
  EXPECT_EQ(previous, kLatestSchemaVersion);
  // Step 1 creates every table but schema_version (created before any step), table_partition_set (step 2) and
  // snapshot_expiry (step 3).
  EXPECT_EQ(steps[0].statements.size(), ops_tables().size() - 3);
  ASSERT_EQ(steps.size(), 5u);
  EXPECT_EQ(steps[3].add_columns,
            std::vector<std::string>{"ALTER TABLE `ops`.`table_inventory` ADD COLUMN (`retired_at_utc` DATETIME NULL)"});
  // Issue 10 item 5: the run's process start identity.
  EXPECT_EQ(steps[4].version, 5);
  EXPECT_EQ(steps[4].add_columns,
            std::vector<std::string>{"ALTER TABLE `ops`.`run_status` ADD COLUMN (`process_start` VARCHAR(128) NULL)"});
  EXPECT_EQ(steps[1].statements,
            std::vector<std::string>{render_create_table(*find_table("table_partition_set"), test_config())});
  EXPECT_EQ(steps[1].add_columns,
            std::vector<std::string>{"ALTER TABLE `ops`.`restore_history` ADD COLUMN (`started_at_utc` DATETIME NULL, "
                                     "`duration_seconds` BIGINT NULL, `drill_period` VARCHAR(16) NULL, `drill_seed` "
                                     "VARCHAR(16) NULL)"});
  EXPECT_EQ(steps[2].statements,
            std::vector<std::string>{render_create_table(*find_table("snapshot_expiry"), test_config())});
  EXPECT_TRUE(steps[2].add_columns.empty());
}

// An installation at schema 1 gets step 2; a fresh one (step 1 already made the columns) sees "already exists" from
// the ALTER and counts the step as applied; any other ALTER error stops the migration.
TEST(OpsSchema, StepTwoAltersRestoreHistoryOnceAndToleratesExistingColumns) {
  for (const bool exists : {false, true}) {
    RecordingSqlConnection conn;
    conn.set_strict(true);
    conn.on("^SHOW TABLES", make_rows({"Tables_in_ops"}, {{"schema_version"}}))
        .on("^CREATE (DATABASE|TABLE) IF NOT EXISTS", ports::Rows())
        .on("^SELECT `version`", make_rows({"version"}, {{"1"}}))
        .on("^INSERT INTO `ops`.`schema_version`", ports::Rows());
    if (exists) {
      conn.on_error("^ALTER TABLE", Error{std::string(ports::kServerError),
                                          "Getting analyzing error. Detail message: Can not add column which already "
                                          "exists in base table: started_at_utc.",
                                          {}});
    } else {
      conn.on("^ALTER TABLE `ops`.`(restore_history|table_inventory|run_status)` ADD COLUMN", ports::Rows());
    }
    ports::FakeClock clock;
    ASSERT_TRUE(migrate(conn, test_config(), clock, "t").has_value()) << exists;
    EXPECT_EQ(conn.count_matching("^CREATE TABLE IF NOT EXISTS `ops`.`table_partition_set`"), 1u);
    EXPECT_EQ(conn.count_matching("^CREATE TABLE IF NOT EXISTS `ops`.`restore_history`"), 0u) << "step 1 not rerun";
    EXPECT_EQ(conn.count_matching("^INSERT INTO `ops`.`schema_version`.*VALUES \\(2, "), 1u);
  }
  RecordingSqlConnection conn;
  conn.on("^CREATE (DATABASE|TABLE) IF NOT EXISTS", ports::Rows())
      .on("^SELECT `version`", make_rows({"version"}, {{"1"}}))
      .on_error("^ALTER TABLE", Error{std::string(ports::kServerError), "Access denied", {}});
  ports::FakeClock clock;
  auto failed = migrate(conn, test_config(), clock, "t");
  ASSERT_FALSE(failed);
  EXPECT_EQ(conn.count_matching("^INSERT INTO `ops`.`schema_version`"), 0u);
}

TEST(OpsSchema, MigrateFreshInstallRunsEveryStepAndRecordsIt) {
  RecordingSqlConnection conn;
  conn.set_strict(true);
  conn.on("^SHOW TABLES FROM `ops`$", make_rows({"Tables_in_ops"}, {}))
      .on("^CREATE (DATABASE|TABLE) IF NOT EXISTS", ports::Rows())
      .on("^SELECT `version` FROM `ops`.`schema_version`", make_rows({"version"}, {}))
      .on("^ALTER TABLE `ops`.`(restore_history|table_inventory|run_status)` ADD COLUMN", ports::Rows())
      .on("^INSERT INTO `ops`.`schema_version`", ports::Rows());
  ports::FakeClock clock(Instant::from_unix_seconds(1757811600));
  ASSERT_TRUE(migrate(conn, test_config(), clock, "starkeep test").has_value());
  const auto sql = conn.sql();
  ASSERT_GE(sql.size(), 4u);
  EXPECT_EQ(sql[0], "SHOW TABLES FROM `ops`");
  EXPECT_EQ(sql[1], "CREATE DATABASE IF NOT EXISTS `ops`");
  EXPECT_TRUE(sql[2].starts_with("CREATE TABLE IF NOT EXISTS `ops`.`schema_version`"));
  EXPECT_EQ(conn.count_matching("^CREATE TABLE IF NOT EXISTS"), ops_tables().size());
  EXPECT_EQ(conn.count_matching(
                "^INSERT INTO `ops`.`schema_version` \\(`version`, `description`, `applied_at_utc`, `applied_by`\\) "
                "VALUES \\(1, '.*', '2025-09-14 01:00:00', 'starkeep test'\\)$"),
            1u);
  EXPECT_EQ(sql.back(),
            "INSERT INTO `ops`.`schema_version` (`version`, `description`, `applied_at_utc`, `applied_by`) VALUES "
            "(5, '" + migrations(test_config())[4].description + "', '2025-09-14 01:00:00', 'starkeep test')");
  for (const auto& s : conn.statements()) {
    EXPECT_EQ(s.idempotency, ports::Idempotency::kIdempotent) << s.sql;
  }
}

TEST(OpsSchema, MigrateAtLatestVersionCreatesNothingNew) {
  RecordingSqlConnection conn;
  conn.set_strict(true);
  conn.on("^SHOW TABLES", make_rows({"Tables_in_ops"}, {{"schema_version"}, {"backup_history"}}))
      .on("^CREATE (DATABASE|TABLE) IF NOT EXISTS", ports::Rows())
      .on("^SELECT `version`", make_rows({"version"}, {{"1"}, {"2"}, {"3"}, {"4"}, {"5"}}));
  ports::FakeClock clock;
  ASSERT_TRUE(migrate(conn, test_config(), clock, "t").has_value());
  EXPECT_EQ(conn.sql().size(), 4u);  // SHOW TABLES, CREATE DATABASE, CREATE schema_version, SELECT
  EXPECT_EQ(conn.count_matching("INSERT"), 0u);
}

TEST(OpsSchema, MigrateRefusesANewerSchema) {
  RecordingSqlConnection conn;
  conn.on("^SELECT `version`", make_rows({"version"}, {{"1"}, {"7"}}));
  ports::FakeClock clock;
  auto s = migrate(conn, test_config(), clock, "t");
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().code, "ops.schema_newer");
  EXPECT_EQ(conn.count_matching("^CREATE TABLE IF NOT EXISTS `ops`.`backup_history`"), 0u);
}

// A user's own database named like the ops database is never taken over (issue 10 item 18): nothing is created in
// it, and the error says how to choose another. starkeep's own tables without schema_version (an interrupted
// install) are not a user's.
TEST(OpsSchema, MigrateRefusesAUserDatabase) {
  ports::FakeClock clock;
  RecordingSqlConnection user;
  user.on("^SHOW TABLES", make_rows({"Tables_in_ops"}, {{"orders"}, {"customers"}}));
  auto s = migrate(user, test_config(), clock, "t");
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().code, "ops.user_database");
  EXPECT_NE(s.error().describe().find("holds 2 table(s) that are not starkeep's (orders, …)"), std::string::npos)
      << s.error().describe();
  EXPECT_NE(s.error().describe().find("--ops-database"), std::string::npos);
  EXPECT_EQ(user.count_matching("^CREATE"), 0u);

  // Three runners at once: the database is unknown to SHOW TABLES, then another runner creates it before SHOW
  // DATABASES is asked. That is a fresh installation under way, not a failure (seen in the three-runner e2e).
  RecordingSqlConnection racing;
  racing.on_error("^SHOW TABLES", ports::server_error(1064, "HY000", "Getting analyzing error. Detail message: "
                                                                     "Unknown database 'ops'."))
      .on("^SHOW DATABASES", make_rows({"Database"}, {{"ops"}}))
      .on("^SELECT `version`", make_rows({"version"}, {}));
  EXPECT_TRUE(migrate(racing, test_config(), clock, "t").has_value());
  EXPECT_GT(racing.count_matching("^CREATE TABLE IF NOT EXISTS"), 0u);

  RecordingSqlConnection interrupted;
  interrupted.on("^SHOW TABLES", make_rows({"Tables_in_ops"}, {{"backup_history"}}))
      .on("^SELECT `version`", make_rows({"version"}, {}));
  EXPECT_TRUE(migrate(interrupted, test_config(), clock, "t").has_value());
  EXPECT_GT(interrupted.count_matching("^CREATE TABLE IF NOT EXISTS"), 0u);
}

TEST(OpsSchema, MigrateRejectsBadReplicationAndStopsOnErrors) {
  RecordingSqlConnection conn;
  ports::FakeClock clock;
  EXPECT_EQ(migrate(conn, test_config("ops", 0), clock, "t").error().code, "ops.config");
  EXPECT_TRUE(conn.sql().empty());

  RecordingSqlConnection failing;
  failing.on("^SELECT `version`", make_rows({"version"}, {}))
      .on_error("backup_manifest", ports::server_error(1064, "HY000", "Table replication num should be less than"));
  auto s = migrate(failing, test_config(), clock, "t");
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(ports::server_errno(s.error()), 1064);
  EXPECT_NE(s.error().describe().find("ops schema step 1"), std::string::npos);
  EXPECT_EQ(failing.count_matching("INSERT INTO"), 0u);  // the step is not recorded as applied
}

TEST(OpsSchema, CurrentSchemaVersion) {
  ports::FakeClock clock;
  {
    RecordingSqlConnection conn;
    conn.on_error("^SHOW TABLES", ports::server_error(1049, "42000", "Unknown database 'ops'"))
        .on("^SHOW DATABASES", make_rows({"Database"}, {}));
    EXPECT_EQ(*current_schema_version(conn, test_config()), 0);
  }
  {
    RecordingSqlConnection conn;
    conn.on("^SHOW TABLES", make_rows({"Tables_in_ops"}, {{"backup_history"}}));
    EXPECT_EQ(*current_schema_version(conn, test_config()), 0);
  }
  {
    RecordingSqlConnection conn;
    conn.on("^SHOW TABLES", make_rows({"Tables_in_ops"}, {{"backup_history"}, {"schema_version"}}))
        .on("^SELECT `version`", make_rows({"version"}, {{"1"}}));
    EXPECT_EQ(*current_schema_version(conn, test_config()), 1);
  }
}

TEST(OpsSchema, EveryTableAndColumnIsDocumented) {
  std::ifstream in(std::string(SK_SOURCE_DIR) + "/docs/ops-schema.md");
  ASSERT_TRUE(in) << "docs/ops-schema.md is missing";
  std::stringstream text;
  text << in.rdbuf();
  const std::string doc = text.str();
  for (const auto& table : ops_tables()) {
    EXPECT_NE(doc.find("## `" + std::string(table.name) + "`"), std::string::npos) << table.name;
    for (const auto& c : table.columns) {
      // A table row in the column list: "| `name` | TYPE |".
      const std::string row = "| `" + std::string(c.name) + "` | " + column_type_sql(c);
      EXPECT_NE(doc.find(row), std::string::npos) << table.name << "." << c.name << " (expected '" << row << "')";
    }
  }
}

}  // namespace
}  // namespace sk::ops
