// Unit tests of the query rewriter: information_schema views, version functions, refused locking features,
// StarRocks functions and CAST types.
#include "emulator/engine/sql_rewrite.h"

#include <gtest/gtest.h>

namespace sk::emu {
namespace {

Result<RewriteResult> rw(std::string_view sql, std::string db = "") {
  RewriteContext ctx;
  ctx.current_database = std::move(db);
  return rewrite_query(sql, tokenize(sql), ctx);
}

TEST(Rewrite, InformationSchemaViews) {
  auto r = rw("SELECT * FROM information_schema.partitions_meta WHERE DB_NAME = 'x'");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->sql, "SELECT * FROM `__starrocks_emu`.`partitions_meta` WHERE DB_NAME = 'x'");
  EXPECT_TRUE(r->touches_partitions_meta);
  r = rw("select count(*) from INFORMATION_SCHEMA.PARTITIONS p join information_schema.tables_config c on 1");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->sql,
            "select count(*) from `__starrocks_emu`.`partitions_empty` p join `__starrocks_emu`.`tables_config` c on 1");
  r = rw("select * from partitions_meta", "information_schema");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->sql, "select * from `__starrocks_emu`.`partitions_meta`");
  r = rw("select * from partitions_meta", "sales");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->sql, "select * from partitions_meta");
}

TEST(Rewrite, VersionsBecomeLiteralsWithOriginalColumnNames) {
  auto r = rw("SELECT version(), current_version(), @@version_comment LIMIT 1");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->sql,
            "SELECT '5.1.0' AS `version()`, '3.3.0-emulator' AS `current_version()`, '3.3.0-emulator' AS "
            "`@@version_comment` LIMIT 1");
  auto aliased = rw("select version() v, concat(@@version, 'x') from dual where @@version = '5.1.0'");
  ASSERT_TRUE(aliased);
  EXPECT_EQ(aliased->sql, "select '5.1.0' v, concat('5.1.0', 'x') from dual where '5.1.0' = '5.1.0'");
}

TEST(Rewrite, RefusesLocking) {
  auto r = rw("SELECT * FROM t WHERE a = 1 FOR UPDATE");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "Getting syntax error at line 1, column 28. Detail message: Unexpected input 'FOR', the most similar "
            "input is {<EOF>, ';'}.");
  EXPECT_FALSE(rw("SELECT * FROM t LOCK IN SHARE MODE"));
  auto lock = rw("SELECT GET_LOCK('runner', 10)");
  ASSERT_FALSE(lock);
  EXPECT_EQ(lock.error().message,
            "Getting analyzing error. Detail message: No matching function with signature: get_lock(varchar, "
            "tinyint).");
  EXPECT_FALSE(rw("select release_lock('x')"));
  EXPECT_FALSE(rw("select is_free_lock('x')"));
  // "for" inside a subquery or string is not a locking clause.
  EXPECT_TRUE(rw("SELECT 'for update' FROM t"));
}

TEST(Rewrite, StarRocksFunctionsAndCasts) {
  auto r = rw("SELECT SUM(CAST(murmur_hash3_32(concat_ws('|', a, b)) AS BIGINT)), CAST(x AS LARGEINT), "
              "CAST(y AS VARCHAR(10)), CAST(z AS STRING) FROM t");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->sql,
            "SELECT SUM(CAST(`__starrocks_emu`.`sk_murmur_hash3_32`(CONCAT_WS(CHAR(1), concat_ws('|', a, b))) AS "
            "SIGNED)), CAST(x AS DECIMAL(39,0)), CAST(y AS CHAR), CAST(z AS CHAR) FROM t");
  auto m = rw("SELECT md5sum(a, b) FROM t");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->sql, "SELECT MD5(CONCAT(a, b)) FROM t");
}

TEST(Rewrite, PartitionSelectionBecomesBoundsFilter) {
  RewriteContext ctx;
  ctx.current_database = "sales";
  ctx.find_table = [](const std::string& db, const std::string& table) -> std::optional<TableSchema> {
    if (db != "sales" || table != "t") return std::nullopt;
    TableSchema t;
    t.database = db;
    t.name = table;
    t.partition_type = "RANGE";
    t.partition_columns = {"k"};
    t.columns = {ColumnSchema{"k", "INT", false, true, std::nullopt, ""}};
    PartitionSchema a;
    a.name = "p1";
    a.upper = {"10"};
    PartitionSchema b;
    b.name = "p2";
    b.lower = {"10"};
    b.upper = {"20"};
    t.partitions = {a, b};
    return t;
  };
  std::string sql = "SELECT COUNT(*) FROM t PARTITION (p2) WHERE k > 1";
  auto r = rewrite_query(sql, tokenize(sql), ctx);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->sql, "SELECT COUNT(*) FROM (SELECT * FROM `sales`.`t` WHERE (`k` >= 10 AND `k` < 20)) AS `t` "
                    "WHERE k > 1");
  sql = "SELECT x.k FROM sales.t PARTITIONS (p1, p2) x";
  r = rewrite_query(sql, tokenize(sql), ctx);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->sql, "SELECT x.k FROM (SELECT * FROM `sales`.`t` WHERE ((`k` IS NULL OR `k` < 10)) OR (`k` >= 10 "
                    "AND `k` < 20)) x");
  sql = "SELECT * FROM t PARTITION (nope)";
  r = rewrite_query(sql, tokenize(sql), ctx);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("Unknown partition 'nope'"), std::string::npos);
  sql = "SELECT SUM(k) OVER (PARTITION BY k) FROM t";
  r = rewrite_query(sql, tokenize(sql), ctx);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->sql, sql);
}

TEST(Rewrite, SelectIntoIsRefused) {
  EXPECT_FALSE(rw("SELECT * FROM t INTO OUTFILE '/tmp/x'"));
  EXPECT_FALSE(rw("SELECT 1 INTO @v"));
  EXPECT_TRUE(rw("SELECT * FROM (SELECT 1) AS x"));
}

}  // namespace
}  // namespace sk::emu
