// Literals and batched INSERTs for the ops tables.
#include <gtest/gtest.h>

#include "kernel/dialect/ops_sql.h"

namespace sk::ops::sql {
namespace {

TEST(OpsSql, LiteralsQuoteAndFormat) {
  EXPECT_EQ(literal("it's"), "'it\\'s'");
  EXPECT_EQ(literal(std::int64_t{-5}), "-5");
  EXPECT_EQ(literal(true), "TRUE");
  EXPECT_EQ(literal(std::optional<std::string>()), "NULL");
  EXPECT_EQ(literal(std::optional<std::int64_t>(7)), "7");
  EXPECT_EQ(literal(Instant::from_unix_seconds(1757811600)), "'2025-09-14 01:00:00'");
  EXPECT_EQ(literal(Instant::from_unix_seconds(0)), "'1970-01-01 00:00:00'");
  EXPECT_EQ(literal(Instant::from_unix_seconds(951782400 + 86399)), "'2000-02-29 23:59:59'");
}

TEST(OpsSql, DatetimeRoundTripsAsUtc) {
  for (std::int64_t t : {0LL, 951868799LL, 1757811600LL, 4102444799LL}) {
    const std::string lit = literal(Instant::from_unix_seconds(t));
    auto back = parse_datetime_utc(lit.substr(1, lit.size() - 2));
    ASSERT_TRUE(back.has_value()) << lit;
    EXPECT_EQ(back->unix_seconds(), t);
  }
  EXPECT_EQ(parse_datetime_utc("2025-09-14 01:00:00.000000")->unix_seconds(), 1757811600);
  EXPECT_EQ(parse_datetime_utc("2025-09-14T01:00:00")->unix_seconds(), 1757811600);
  for (const char* bad : {"2025-02-30 00:00:00", "2025-09-14", "2025-09-14 24:00:00", "abc", ""}) {
    auto r = parse_datetime_utc(bad);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error().code, "ops.corrupt");
  }
}

TEST(OpsSql, Booleans) {
  EXPECT_TRUE(*parse_bool("1"));
  EXPECT_TRUE(*parse_bool("TRUE"));
  EXPECT_FALSE(*parse_bool("0"));
  EXPECT_FALSE(parse_bool("yes").has_value());
}

TEST(OpsSql, TruncateKeepsUtf8Whole) {
  EXPECT_EQ(truncate_utf8("abc", 5), "abc");
  EXPECT_EQ(truncate_utf8("abc", 2), "ab");
  // "é" is 2 bytes: cutting inside it drops it entirely.
  EXPECT_EQ(truncate_utf8("aé", 2), "a");
  EXPECT_EQ(truncate_utf8("a€b", 3), "a");
  EXPECT_EQ(truncate_utf8("a€b", 4), "a€");
}

TEST(OpsSql, InsertsAreBatchedByRowsAndBytes) {
  std::vector<std::vector<std::string>> rows;
  for (int i = 0; i < 7; ++i) rows.push_back({std::to_string(i), literal("x")});
  auto by_rows = render_inserts("`ops`.`t`", {"a", "b"}, rows, 3);
  ASSERT_EQ(by_rows.size(), 3u);
  EXPECT_EQ(by_rows[0], "INSERT INTO `ops`.`t` (`a`, `b`) VALUES (0, 'x'), (1, 'x'), (2, 'x')");
  EXPECT_EQ(by_rows[2], "INSERT INTO `ops`.`t` (`a`, `b`) VALUES (6, 'x')");
  auto by_bytes = render_inserts("`ops`.`t`", {"a", "b"}, rows, 500, 60);
  EXPECT_GT(by_bytes.size(), 1u);
  for (const auto& s : by_bytes) EXPECT_TRUE(s.size() <= 60 || s.find("), (") == std::string::npos) << s;
  EXPECT_TRUE(render_inserts("`ops`.`t`", {"a"}, {}).empty());
}

}  // namespace
}  // namespace sk::ops::sql
