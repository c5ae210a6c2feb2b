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
  EXPECT_EQ(r->sql, "SELECT '5.1.0', '3.3.0-emulator', 'StarRocks version 3.3.0-emulator' LIMIT 1");
  EXPECT_EQ(r->column_renames.at("5.1.0"), "version()");
  EXPECT_EQ(r->column_renames.at("3.3.0-emulator"), "current_version()");
  EXPECT_EQ(r->column_renames.at("StarRocks version 3.3.0-emulator"), "@@version_comment");
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

}  // namespace
}  // namespace sk::emu
