// Rows: lookup by column name only, NULL handling, integer parsing, error texts naming the columns.
#include <gtest/gtest.h>

#include "runtime/ports/fakes.h"
#include "runtime/ports/sql_connection.h"

namespace sk::ports {
namespace {

Rows frontends() {
  // SHOW FRONTENDS gained a leading Id column in newer versions: readers must not care.
  return make_rows({"Id", "Name", "IP", "Alive", "ReplayedJournalId"},
                   {{"1", "fe1", "10.0.0.1", "true", "42"}, {"2", "fe2", "10.0.0.2", "false", std::nullopt}});
}

TEST(Rows, ReadsByColumnName) {
  const Rows rows = frontends();
  ASSERT_EQ(rows.size(), 2u);
  auto alive = rows.get(1, "Alive");
  ASSERT_TRUE(alive.has_value());
  ASSERT_TRUE(alive->has_value());
  EXPECT_EQ(**alive, "false");
  EXPECT_EQ(*rows.get_required(0, "Name"), "fe1");
}

TEST(Rows, ColumnLookupIsCaseInsensitiveAfterExact) {
  const Rows rows = make_rows({"TABLE_NAME", "table_name_x"}, {{"t", "x"}});
  EXPECT_EQ(*rows.get_required(0, "table_name"), "t");
  EXPECT_EQ(*rows.get_required(0, "Table_Name_X"), "x");
}

TEST(Rows, AmbiguousCaseInsensitiveMatchIsAnError) {
  const Rows rows = make_rows({"State", "STATE"}, {{"a", "b"}});
  EXPECT_EQ(*rows.get_required(0, "STATE"), "b");  // exact match wins
  auto r = rows.get(0, "state");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, "sql.result");
  EXPECT_NE(r.error().message.find("ambiguous"), std::string::npos);
}

TEST(Rows, MissingColumnNamesTheColumnAndTheColumnsPresent) {
  const Rows rows = frontends();
  auto r = rows.get(0, "QueryPort");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, "sql.result");
  EXPECT_NE(r.error().message.find("'QueryPort'"), std::string::npos);
  EXPECT_NE(r.error().message.find("Id, Name, IP, Alive, ReplayedJournalId"), std::string::npos);
}

TEST(Rows, NullCellsAreNulloptAndRequiredRejectsThem) {
  const Rows rows = frontends();
  auto cell = rows.get(1, "ReplayedJournalId");
  ASSERT_TRUE(cell.has_value());
  EXPECT_FALSE(cell->has_value());
  auto required = rows.get_required(1, "ReplayedJournalId");
  ASSERT_FALSE(required.has_value());
  EXPECT_NE(required.error().message.find("NULL"), std::string::npos);
}

TEST(Rows, IntegersParseAndRejectGarbage) {
  const Rows rows = make_rows({"a", "b", "c", "d"}, {{"-42", "", "12x", std::nullopt}});
  EXPECT_EQ(*rows.get_int(0, "a"), std::optional<std::int64_t>(-42));
  EXPECT_EQ(*rows.get_int(0, "b"), std::nullopt);
  EXPECT_EQ(*rows.get_int(0, "d"), std::nullopt);
  auto bad = rows.get_int(0, "c");
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message.find("'12x'"), std::string::npos);
}

TEST(Rows, RowOutOfRangeIsAnError) {
  const Rows rows = frontends();
  EXPECT_FALSE(rows.get(2, "Name").has_value());
}

TEST(Rows, MakeRejectsRaggedRows) {
  auto r = Rows::make({"a", "b"}, {{"1", "2"}, {"1"}});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, "sql.result");
}

TEST(Rows, ColumnIndexGivesUncheckedAccess) {
  const Rows rows = frontends();
  auto ip = rows.column("IP");
  ASSERT_TRUE(ip.has_value());
  EXPECT_EQ(rows.at(1, *ip), std::optional<std::string_view>("10.0.0.2"));
}

TEST(ServerError, RoundTripsErrnoSqlstateAndMessage) {
  const Error e = server_error(1064, "HY000", "Can only run one backup or restore job of a database at same time");
  EXPECT_EQ(e.code, "sql.server");
  EXPECT_EQ(e.message, "ERROR 1064 (HY000): Can only run one backup or restore job of a database at same time");
  EXPECT_EQ(server_errno(e), 1064);
  EXPECT_EQ(server_sqlstate(e), "HY000");
  EXPECT_EQ(server_message(e), "Can only run one backup or restore job of a database at same time");
  // Context added on the way out does not disturb parsing.
  Error with = Error(e).with_context("while submitting sales_20250914_inc");
  EXPECT_EQ(server_errno(with), 1064);
}

TEST(ServerError, MessageWithParenthesesAndColonsParses) {
  const Error e = server_error(5064, "42000", "Failed to create repository: msg (a): b");
  EXPECT_EQ(server_errno(e), 5064);
  EXPECT_EQ(server_sqlstate(e), "42000");
  EXPECT_EQ(server_message(e), "Failed to create repository: msg (a): b");
}

TEST(ServerError, OtherErrorsHaveNoErrno) {
  const Error e{"sql.connection", "ERROR 2013 (HY000): Lost connection", {}};
  EXPECT_EQ(server_errno(e), std::nullopt);
  EXPECT_TRUE(is_connection_error(e));
  EXPECT_FALSE(is_connection_error(server_error(1064, "HY000", "x")));
}

TEST(RecordingSqlConnection, AnswersByRuleInOrderAndRecords) {
  RecordingSqlConnection conn;
  conn.on("^SHOW BACKUP", make_rows({"State"}, {{"PENDING"}}), 1)
      .on("^SHOW BACKUP", make_rows({"State"}, {{"FINISHED"}}))
      .on_error("^BACKUP", server_error(1064, "HY000", "busy"), 1);
  EXPECT_EQ(*conn.query("SHOW BACKUP FROM `db`")->get_required(0, "State"), "PENDING");
  EXPECT_EQ(*conn.query("show backup from `db`")->get_required(0, "State"), "FINISHED");
  EXPECT_FALSE(conn.execute("BACKUP SNAPSHOT db.l TO r").has_value());
  EXPECT_TRUE(conn.execute("BACKUP SNAPSHOT db.l TO r").has_value());
  ASSERT_EQ(conn.statements().size(), 4u);
  EXPECT_TRUE(conn.statements()[0].is_query);
  EXPECT_EQ(conn.statements()[0].idempotency, Idempotency::kIdempotent);
  EXPECT_EQ(conn.statements()[2].idempotency, Idempotency::kNotIdempotent);
  EXPECT_EQ(conn.count_matching("^BACKUP"), 2u);
}

TEST(RecordingSqlConnection, StrictRejectsUnscripted) {
  RecordingSqlConnection conn;
  conn.set_strict(true);
  auto r = conn.query("SELECT 1");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, "sql.usage");
}

TEST(FakeClock, SleeperAdvancesClock) {
  FakeClock clock(Instant::from_unix_seconds(100));
  FakeSleeper sleeper(&clock);
  const auto start = clock.monotonic();
  sleeper.sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(clock.now().unix_seconds(), 101);
  EXPECT_EQ((clock.monotonic() - start).count(), 1500);
  ASSERT_EQ(sleeper.sleeps().size(), 1u);
}

}  // namespace
}  // namespace sk::ports
