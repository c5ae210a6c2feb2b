// Unit tests of the StarRocks DDL translator: CREATE TABLE text → table model → MariaDB DDL, partition bounds,
// type normalisation, StarRocks error texts, SHOW CREATE TABLE rendering and trigger predicates.
#include "emulator/engine/ddl.h"

#include <gtest/gtest.h>

namespace sk::emu {
namespace {

TEST(DdlParse, DuplicateKeyRangePartitionedTable) {
  auto st = parse_create_table(
      "CREATE TABLE IF NOT EXISTS sales.orders (dt DATE NOT NULL, id BIGINT NOT NULL, amount DECIMAL(18, 2), "
      "note VARCHAR(64) COMMENT 'free text') ENGINE=OLAP DUPLICATE KEY(dt, id) COMMENT \"orders\" "
      "PARTITION BY RANGE(dt) (PARTITION p1 VALUES LESS THAN (\"2024-02-01\"), "
      "PARTITION p2 VALUES LESS THAN (\"2024-03-01\"), PARTITION p4 VALUES [(\"2024-04-01\"), (\"2024-05-01\"))) "
      "DISTRIBUTED BY HASH(id) BUCKETS 4 PROPERTIES (\"replication_num\" = \"1\")");
  ASSERT_TRUE(st) << st.error().message;
  const TableSchema& t = st->schema;
  EXPECT_TRUE(st->if_not_exists);
  EXPECT_EQ(t.database, "sales");
  EXPECT_EQ(t.name, "orders");
  EXPECT_EQ(t.keys_type, "DUP_KEYS");
  EXPECT_EQ(t.key_columns, (std::vector<std::string>{"dt", "id"}));
  ASSERT_EQ(t.columns.size(), 4u);
  EXPECT_EQ(t.columns[2].type, "DECIMAL(18,2)");
  EXPECT_EQ(t.columns[3].type, "VARCHAR(64)");
  EXPECT_EQ(t.columns[3].comment, "free text");
  EXPECT_TRUE(t.columns[0].is_key);
  EXPECT_FALSE(t.columns[2].is_key);
  EXPECT_EQ(t.comment, "orders");
  EXPECT_EQ(t.partition_type, "RANGE");
  EXPECT_EQ(t.partition_columns, (std::vector<std::string>{"dt"}));
  EXPECT_EQ(t.distribution_columns, (std::vector<std::string>{"id"}));
  EXPECT_EQ(t.buckets, 4);
  EXPECT_EQ(t.properties.at("replication_num"), "1");
  ASSERT_EQ(t.partitions.size(), 3u);
  EXPECT_TRUE(t.partitions[0].lower.empty());  // MINVALUE
  EXPECT_EQ(t.partitions[0].upper, (std::vector<std::string>{"2024-02-01"}));
  EXPECT_EQ(t.partitions[1].lower, (std::vector<std::string>{"2024-02-01"}));
  EXPECT_EQ(t.partitions[2].lower, (std::vector<std::string>{"2024-04-01"}));
  EXPECT_EQ(t.partitions[1].range,
            "[types: [DATE]; keys: [2024-02-01]; ..types: [DATE]; keys: [2024-03-01]; )");
  EXPECT_EQ(t.partitions[0].range,
            "[types: [DATE]; keys: [0000-01-01]; ..types: [DATE]; keys: [2024-02-01]; )");
  EXPECT_EQ(t.partitions[0].replication_num, 1);
}

TEST(DdlParse, PrimaryKeyTableHasNotNullKeysAndNoPartitionsButOneNamedAfterTable) {
  auto st = parse_create_table(
      "CREATE TABLE users (id BIGINT, name STRING, ok BOOLEAN, big LARGEINT, j JSON, c CHAR(3), dt DATETIME) "
      "PRIMARY KEY(id) DISTRIBUTED BY HASH(id) ORDER BY (name)");
  ASSERT_TRUE(st) << st.error().message;
  const TableSchema& t = st->schema;
  EXPECT_EQ(t.keys_type, "PRI_KEYS");
  EXPECT_FALSE(t.columns[0].nullable);
  EXPECT_EQ(t.columns[1].type, "VARCHAR(65533)");
  EXPECT_EQ(t.columns[2].type, "BOOLEAN");
  EXPECT_EQ(t.columns[3].type, "LARGEINT");
  EXPECT_EQ(t.sort_columns, (std::vector<std::string>{"name"}));
  EXPECT_EQ(t.partition_type, "");
  ASSERT_EQ(t.partitions.size(), 1u);
  EXPECT_EQ(t.partitions[0].name, "users");
  EXPECT_EQ(t.partitions[0].range, "");
  EXPECT_EQ(t.partitions[0].replication_num, 3);
}

TEST(DdlParse, ListPartitionsAndBatchRangePartitions) {
  auto list = parse_create_table(
      "CREATE TABLE t (city VARCHAR(20) NOT NULL, v INT) DUPLICATE KEY(city) PARTITION BY LIST(city) "
      "(PARTITION pbj VALUES IN ('beijing', 'tianjin'), PARTITION psh VALUES IN ('shanghai')) "
      "DISTRIBUTED BY RANDOM");
  ASSERT_TRUE(list) << list.error().message;
  EXPECT_EQ(list->schema.partition_type, "LIST");
  ASSERT_EQ(list->schema.partitions.size(), 2u);
  EXPECT_EQ(list->schema.partitions[0].list_values.size(), 2u);
  EXPECT_TRUE(list->schema.distribution_columns.empty());

  auto batch = parse_create_table(
      "CREATE TABLE t (dt DATE NOT NULL, v INT) DUPLICATE KEY(dt) PARTITION BY RANGE(dt) "
      "(START (\"2024-01-30\") END (\"2024-02-02\") EVERY (INTERVAL 1 DAY)) DISTRIBUTED BY HASH(dt)");
  ASSERT_TRUE(batch) << batch.error().message;
  ASSERT_EQ(batch->schema.partitions.size(), 3u);
  EXPECT_EQ(batch->schema.partitions[0].name, "p20240130");
  EXPECT_EQ(batch->schema.partitions[2].name, "p20240201");
  EXPECT_EQ(batch->schema.partitions[2].upper, (std::vector<std::string>{"2024-02-02"}));

  auto monthly = parse_create_table(
      "CREATE TABLE t (dt DATETIME NOT NULL, v INT) DUPLICATE KEY(dt) PARTITION BY RANGE(dt) "
      "(START (\"2024-01-01\") END (\"2024-04-01\") EVERY (INTERVAL 1 MONTH)) DISTRIBUTED BY HASH(dt)");
  ASSERT_TRUE(monthly) << monthly.error().message;
  ASSERT_EQ(monthly->schema.partitions.size(), 3u);
  EXPECT_EQ(monthly->schema.partitions[1].name, "p202402");
  EXPECT_EQ(monthly->schema.partitions[1].lower, (std::vector<std::string>{"2024-02-01 00:00:00"}));
}

TEST(DdlParse, IntegerRangeBoundsCompareNumerically) {
  auto st = parse_create_table(
      "CREATE TABLE t (k INT NOT NULL, v INT) DUPLICATE KEY(k) PARTITION BY RANGE(k) "
      "(PARTITION p9 VALUES LESS THAN (\"9\"), PARTITION p100 VALUES LESS THAN (\"100\"), "
      "PARTITION pmax VALUES LESS THAN MAXVALUE) DISTRIBUTED BY HASH(k) BUCKETS 1");
  ASSERT_TRUE(st) << st.error().message;
  ASSERT_EQ(st->schema.partitions.size(), 3u);
  EXPECT_EQ(st->schema.partitions[1].lower, (std::vector<std::string>{"9"}));
  EXPECT_EQ(st->schema.partitions[2].lower, (std::vector<std::string>{"100"}));
  EXPECT_TRUE(st->schema.partitions[2].upper.empty());
}

TEST(DdlParse, StarRocksErrors) {
  auto overlap = parse_create_table(
      "CREATE TABLE t (dt DATE NOT NULL) DUPLICATE KEY(dt) PARTITION BY RANGE(dt) "
      "(PARTITION a VALUES [('2024-01-01'), ('2024-03-01')), PARTITION b VALUES [('2024-02-01'), ('2024-04-01'))) "
      "DISTRIBUTED BY HASH(dt)");
  ASSERT_FALSE(overlap);
  EXPECT_NE(overlap.error().message.find("is intersected with range"), std::string::npos);
  EXPECT_EQ(overlap.error().message.rfind("Getting analyzing error. Detail message: ", 0), 0u);

  auto dup = parse_create_table(
      "CREATE TABLE t (dt DATE NOT NULL) DUPLICATE KEY(dt) PARTITION BY RANGE(dt) "
      "(PARTITION a VALUES LESS THAN ('2024-01-01'), PARTITION a VALUES LESS THAN ('2024-02-01')) "
      "DISTRIBUTED BY HASH(dt)");
  ASSERT_FALSE(dup);
  EXPECT_NE(dup.error().message.find("Duplicate partition name a"), std::string::npos);

  auto key_order = parse_create_table("CREATE TABLE t (a INT, b INT) PRIMARY KEY(b) DISTRIBUTED BY HASH(b)");
  ASSERT_FALSE(key_order);
  EXPECT_NE(key_order.error().message.find("Key columns should be a ordered prefix of the schema"), std::string::npos);

  auto float_key = parse_create_table("CREATE TABLE t (a DOUBLE, b INT) DUPLICATE KEY(a) DISTRIBUTED BY HASH(a)");
  ASSERT_FALSE(float_key);
  EXPECT_NE(float_key.error().message.find("Float or double can not used as a key"), std::string::npos);

  auto syntax = parse_create_table("CREATE TABLE t (a INT,) DUPLICATE KEY(a)");
  ASSERT_FALSE(syntax);
  EXPECT_EQ(syntax.error().code, "emu.syntax");
  EXPECT_EQ(syntax.error().message.rfind("Getting syntax error at line 1, column 22.", 0), 0u)
      << syntax.error().message;

  auto unknown_type = parse_create_table("CREATE TABLE t (a WIDGET) DUPLICATE KEY(a)");
  ASSERT_FALSE(unknown_type);
}

TEST(DdlRender, MariaDbTableUsesPrimaryKeyOnlyForUpsertModels) {
  auto pk = parse_create_table("CREATE TABLE db1.u (id BIGINT, name VARCHAR(2000), big LARGEINT) PRIMARY KEY(id) "
                               "DISTRIBUTED BY HASH(id)");
  ASSERT_TRUE(pk);
  std::string ddl = render_mariadb_create(pk->schema);
  EXPECT_NE(ddl.find("CREATE TABLE `db1`.`u`"), std::string::npos);
  EXPECT_NE(ddl.find("`id` BIGINT NOT NULL"), std::string::npos);
  EXPECT_NE(ddl.find("`name` TEXT NULL"), std::string::npos);
  EXPECT_NE(ddl.find("`big` DECIMAL(39,0)"), std::string::npos);
  EXPECT_NE(ddl.find("PRIMARY KEY (`id`)"), std::string::npos);
  EXPECT_NE(ddl.find("utf8mb4_bin"), std::string::npos);
  EXPECT_NE(ddl.find("`__sk_pid` BIGINT AS ("), std::string::npos);
  EXPECT_NE(ddl.find("CONSTRAINT `__sk_range` CHECK (`__sk_pid` IS NOT NULL)"), std::string::npos);

  auto dup = parse_create_table("CREATE TABLE db1.d (id BIGINT, name VARCHAR(20)) DUPLICATE KEY(id)");
  ASSERT_TRUE(dup);
  EXPECT_EQ(render_mariadb_create(dup->schema).find("PRIMARY KEY"), std::string::npos);
}

TEST(DdlRender, ShowCreateTableInStarRocksForm) {
  auto st = parse_create_table(
      "CREATE TABLE orders (dt DATE NOT NULL, id BIGINT NOT NULL) DUPLICATE KEY(dt, id) "
      "PARTITION BY RANGE(dt) (PARTITION p1 VALUES [('2024-01-01'), ('2024-02-01'))) DISTRIBUTED BY HASH(id) "
      "BUCKETS 2 PROPERTIES ('replication_num' = '1')");
  ASSERT_TRUE(st);
  std::string text = render_starrocks_create(st->schema);
  EXPECT_EQ(text.rfind("CREATE TABLE `orders` (\n  `dt` date NOT NULL COMMENT \"\",\n", 0), 0u) << text;
  EXPECT_NE(text.find("`id` bigint(20) NOT NULL"), std::string::npos);
  EXPECT_NE(text.find(") ENGINE=OLAP \nDUPLICATE KEY(`dt`, `id`)\n"), std::string::npos);
  EXPECT_NE(text.find("PARTITION BY RANGE(`dt`)\n(PARTITION p1 VALUES [(\"2024-01-01\"), (\"2024-02-01\")))"),
            std::string::npos);
  EXPECT_NE(text.find("DISTRIBUTED BY HASH(`id`) BUCKETS 2"), std::string::npos);
  EXPECT_NE(text.find("\"replication_num\" = \"1\""), std::string::npos);
}

TEST(DdlRender, ShowCreateTableParsesBackToTheSameTable) {
  auto st = parse_create_table(
      "CREATE TABLE orders (dt DATE NOT NULL, id BIGINT NOT NULL DEFAULT '0' COMMENT 'order id', amount "
      "DECIMAL(18, 2), big LARGEINT, note STRING) PRIMARY KEY(dt, id) COMMENT 'facts' PARTITION BY RANGE(dt) "
      "(PARTITION p1 VALUES LESS THAN ('2024-02-01'), PARTITION p2 VALUES [('2024-03-01'), ('2024-04-01')), "
      "PARTITION pmax VALUES LESS THAN MAXVALUE) DISTRIBUTED BY HASH(id) BUCKETS 3 ORDER BY (id) "
      "PROPERTIES ('replication_num' = '1')");
  ASSERT_TRUE(st) << st.error().message;
  std::string text = render_starrocks_create(st->schema);
  auto again = parse_create_table(text);
  ASSERT_TRUE(again) << again.error().message << "\n" << text;
  const TableSchema& a = st->schema;
  const TableSchema& b = again->schema;
  EXPECT_EQ(a.columns, b.columns);
  EXPECT_EQ(a.keys_type, b.keys_type);
  EXPECT_EQ(a.key_columns, b.key_columns);
  EXPECT_EQ(a.partition_columns, b.partition_columns);
  EXPECT_EQ(a.distribution_columns, b.distribution_columns);
  EXPECT_EQ(a.buckets, b.buckets);
  EXPECT_EQ(a.sort_columns, b.sort_columns);
  EXPECT_EQ(a.comment, b.comment);
  ASSERT_EQ(a.partitions.size(), b.partitions.size());
  for (size_t i = 0; i < a.partitions.size(); ++i) {
    EXPECT_EQ(a.partitions[i].name, b.partitions[i].name);
    EXPECT_EQ(a.partitions[i].lower, b.partitions[i].lower) << a.partitions[i].name;
    EXPECT_EQ(a.partitions[i].upper, b.partitions[i].upper) << a.partitions[i].name;
    EXPECT_EQ(a.partitions[i].range, b.partitions[i].range) << a.partitions[i].name;
  }
}

TEST(DdlRender, PartitionPredicatesAndIdExpression) {
  auto st = parse_create_table(
      "CREATE TABLE t (k INT NOT NULL) DUPLICATE KEY(k) PARTITION BY RANGE(k) "
      "(PARTITION p1 VALUES LESS THAN ('10'), PARTITION p2 VALUES [('20'), ('30'))) DISTRIBUTED BY HASH(k)");
  ASSERT_TRUE(st);
  TableSchema t = st->schema;
  t.partitions[0].id = 501;
  t.partitions[1].id = 502;
  EXPECT_EQ(partition_predicate(t, t.partitions[0], "NEW."), "((NEW.`k` IS NULL OR NEW.`k` < 10))");
  EXPECT_EQ(partition_predicate(t, t.partitions[1], ""), "(`k` >= 20 AND `k` < 30)");
  std::string expr = partition_id_expr(t, "NEW.");
  EXPECT_NE(expr.find("THEN 501"), std::string::npos);
  EXPECT_NE(expr.find("THEN 502"), std::string::npos);
  EXPECT_NE(expr.find("ELSE NULL END"), std::string::npos);
  auto triggers = render_triggers(t);
  ASSERT_EQ(triggers.size(), 6u);  // three drops, three creates
  EXPECT_NE(triggers[3].find("AFTER INSERT"), std::string::npos);
  EXPECT_NE(triggers[3].find("NEW.`__sk_pid`"), std::string::npos);
  EXPECT_NE(triggers[3].find("@__sk_t"), std::string::npos);
  EXPECT_EQ(render_pid_column(t).rfind("`__sk_pid` BIGINT AS (CASE WHEN", 0), 0u);
  EXPECT_NE(render_pid_column(t).find("VIRTUAL INVISIBLE"), std::string::npos);

  auto dates = parse_create_table(
      "CREATE TABLE d (dt DATETIME NOT NULL) DUPLICATE KEY(dt) PARTITION BY RANGE(dt) "
      "(PARTITION p1 VALUES [('2024-01-01'), ('2024-02-01'))) DISTRIBUTED BY HASH(dt)");
  ASSERT_TRUE(dates);
  EXPECT_EQ(partition_predicate(dates->schema, dates->schema.partitions[0], ""),
            "(`dt` >= TIMESTAMP'2024-01-01 00:00:00' AND `dt` < TIMESTAMP'2024-02-01 00:00:00')");
}

TEST(DdlRender, ManyRangePartitionsUseABinarySearchThatAgreesWithThePredicates) {
  auto st = parse_create_table(
      "CREATE TABLE t (k INT NOT NULL) DUPLICATE KEY(k) PARTITION BY RANGE(k) "
      "(START ('0') END ('100') EVERY (10)) DISTRIBUTED BY HASH(k)");
  ASSERT_TRUE(st) << st.error().message;
  TableSchema t = st->schema;
  ASSERT_EQ(t.partitions.size(), 10u);
  for (size_t i = 0; i < t.partitions.size(); ++i) t.partitions[i].id = 700 + static_cast<int64_t>(i);
  std::string expr = partition_id_expr(t, "");
  EXPECT_EQ(expr.rfind("IF(`k` IS NULL, NULL, IF(`k` < 50, ", 0), 0u) << expr;
  EXPECT_NE(expr.find("WHEN `k` >= 90 AND `k` < 100 THEN 709"), std::string::npos) << expr;
}

TEST(DdlAddPartition, LessThanLowerBoundComesFromExistingPartitions) {
  auto st = parse_create_table(
      "CREATE TABLE t (dt DATE NOT NULL) DUPLICATE KEY(dt) PARTITION BY RANGE(dt) "
      "(PARTITION p1 VALUES LESS THAN ('2024-02-01')) DISTRIBUTED BY HASH(dt)");
  ASSERT_TRUE(st);
  TableSchema t = st->schema;
  std::string sql = "ALTER TABLE t ADD PARTITION p2 VALUES LESS THAN ('2024-03-01')";
  auto tokens = tokenize(sql);
  TokenCursor cur(tokens);
  cur.set_pos(4);
  auto defs = parse_partition_defs(sql, cur, t, true);
  ASSERT_TRUE(defs) << defs.error().message;
  ASSERT_TRUE(add_partitions(t, std::move(*defs)));
  ASSERT_EQ(t.partitions.size(), 2u);
  EXPECT_EQ(t.partitions[1].lower, (std::vector<std::string>{"2024-02-01"}));

  PartitionDef overlapping;
  overlapping.partition.name = "p3";
  overlapping.partition.lower = {"2024-01-15"};
  overlapping.partition.upper = {"2024-02-15"};
  auto s = add_partitions(t, {overlapping});
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("is intersected with range"), std::string::npos);
}

TEST(DdlTypes, Normalisation) {
  EXPECT_EQ(normalize_type("integer").value(), "INT");
  EXPECT_EQ(normalize_type("int(11)").value(), "INT");
  EXPECT_EQ(normalize_type("string").value(), "VARCHAR(65533)");
  EXPECT_EQ(normalize_type("varchar(10)").value(), "VARCHAR(10)");
  EXPECT_EQ(normalize_type("decimal(10, 2)").value(), "DECIMAL(10,2)");
  EXPECT_EQ(normalize_type("DECIMAL128(38,9)").value(), "DECIMAL(38,9)");
  EXPECT_EQ(normalize_type("datetime").value(), "DATETIME");
  EXPECT_FALSE(normalize_type("varchar(2000000)"));
  EXPECT_FALSE(normalize_type("char(300)"));
  EXPECT_FALSE(normalize_type("decimal(40,2)"));
}

TEST(Lexer, QuotesCommentsAndSymbols) {
  auto t = tokenize("SELECT `a``b`, 'it''s', \"x\\\"y\" -- c\n FROM t /* c */ WHERE x >= 1.5e3 AND @@version");
  ASSERT_EQ(t.size(), 14u);
  EXPECT_EQ(t[1].kind, TokenKind::kQuoted);
  EXPECT_EQ(t[1].value, "a`b");
  EXPECT_EQ(t[3].value, "it's");
  EXPECT_EQ(t[5].value, "x\"y");
  EXPECT_TRUE(t[6].is("from"));
  EXPECT_TRUE(t[10].is_symbol(">="));
  EXPECT_EQ(t[11].kind, TokenKind::kNumber);
  EXPECT_EQ(t[13].kind, TokenKind::kVariable);
}

}  // namespace
}  // namespace sk::emu
