// The ops statements the kernel renders from a TableSpec (kernel/dialect/ops_sql.h): DDL, upserts, SELECT,
// UPDATE and the change-baseline join, with hostile names kept inside their quotes.
#include <gtest/gtest.h>

#include "kernel/dialect/ops_sql.h"

namespace sk::ops::sql {
namespace {

const TableSpec& table() {
  static const TableSpec spec{"t",
                              {{"id", ColumnType::kVarchar, 32, false},
                               {"n", ColumnType::kBigInt, 0, true},
                               {"at_utc", ColumnType::kDateTime, 0, false},
                               {"ok", ColumnType::kBoolean, 0, false},
                               {"v", ColumnType::kInt, 0, true}},
                              {"id"},
                              {"id"}};
  return spec;
}

TEST(OpsSqlStatements, ColumnsAreFoundByName) {
  EXPECT_EQ(find_column(table(), "n")->type, ColumnType::kBigInt);
  EXPECT_EQ(find_column(table(), "missing"), nullptr);
  EXPECT_EQ(column_names(table()), (std::vector<std::string_view>{"id", "n", "at_utc", "ok", "v"}));
  EXPECT_EQ(column_type_sql(table().columns[0]), "VARCHAR(32)");
  EXPECT_EQ(column_type_sql(table().columns[4]), "INT");
}

TEST(OpsSqlStatements, Ddl) {
  EXPECT_EQ(render_create_database("o`ps"), "CREATE DATABASE IF NOT EXISTS `o``ps`");
  EXPECT_EQ(
      render_create_table(table(), "ops", 3),
      "CREATE TABLE IF NOT EXISTS `ops`.`t` (`id` VARCHAR(32) NOT NULL, `n` BIGINT NULL, `at_utc` DATETIME "
      "NOT NULL, `ok` BOOLEAN NOT NULL, `v` INT NULL) PRIMARY KEY (`id`) DISTRIBUTED BY HASH(`id`) "
      "PROPERTIES "
      "('replication_num' = '3')");
  // Table order, whatever the order asked for; always nullable.
  EXPECT_EQ(render_add_columns(table(), "ops", {"v", "n"}),
            "ALTER TABLE `ops`.`t` ADD COLUMN (`n` BIGINT NULL, `v` INT NULL)");
  EXPECT_EQ(render_show_tables("ops"), "SHOW TABLES FROM `ops`");
  EXPECT_EQ(render_show_databases_like("o'ps"), "SHOW DATABASES LIKE 'o\\'ps'");
  EXPECT_EQ(qualified_table("a`b", "c"), "`a``b`.`c`");
}

TEST(OpsSqlStatements, UpsertsListEveryColumnInTableOrder) {
  const auto statements = render_upserts(
      table(), "ops", {{literal("a"), "NULL", literal(Instant::from_unix_seconds(0)), literal(true), "1"}});
  ASSERT_EQ(statements.size(), 1u);
  EXPECT_EQ(statements[0],
            "INSERT INTO `ops`.`t` (`id`, `n`, `at_utc`, `ok`, `v`) VALUES ('a', NULL, '1970-01-01 "
            "00:00:00', TRUE, 1)");
  EXPECT_TRUE(render_upserts(table(), "ops", {}).empty());
}

TEST(OpsSqlStatements, SelectWithConditionsAndOrder) {
  EXPECT_EQ(render_select(table(), "ops", Select{{"id", "n"}}), "SELECT `id`, `n` FROM `ops`.`t`");
  EXPECT_EQ(
      render_select(table(), "ops",
                    Select{{"id"},
                           {{"n", {literal(std::int64_t{5})}}, {"id", {literal("a"), literal("b'")}}},
                           {{"at_utc", true}, {"id"}}}),
      "SELECT `id` FROM `ops`.`t` WHERE `n` = 5 AND `id` IN ('a', 'b\\'') ORDER BY `at_utc` DESC, `id`");
  EXPECT_EQ(render_select(table(), "ops", Select{{"id"}, {}, {{"n"}}}),
            "SELECT `id` FROM `ops`.`t` ORDER BY `n`");
}

TEST(OpsSqlStatements, UpdateById) {
  EXPECT_EQ(
      render_update(table(), "ops", {{"n", "7"}, {"ok", literal(false)}}, {"id", {literal("x'; DROP")}}),
      "UPDATE `ops`.`t` SET `n` = 7, `ok` = FALSE WHERE `id` = 'x\\'; DROP'");
}

TEST(OpsSqlStatements, LastManifestIsOneJoin) {
  EXPECT_EQ(render_last_manifest_query("ops", "sa'les", "FINISHED"),
            "SELECT m.`table_name`, m.`partition_name`, m.`partition_id`, MAX(m.`visible_version`) AS "
            "`visible_version` FROM `ops`.`backup_manifest` AS m INNER JOIN `ops`.`backup_history` AS h ON "
            "m.`attempt_id` = h.`attempt_id` WHERE m.`database_name` = 'sa\\'les' AND h.`state` = 'FINISHED' "
            "GROUP BY m.`table_name`, m.`partition_name`, m.`partition_id` ORDER BY m.`table_name`, "
            "m.`partition_name`");
}

}  // namespace
}  // namespace sk::ops::sql
