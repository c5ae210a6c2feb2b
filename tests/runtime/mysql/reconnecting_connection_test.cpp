// ReconnectingConnection: idempotent statements survive dropped sessions with bounded backoff; non-idempotent
// ones are never sent twice.
#include <gtest/gtest.h>

#include <memory>

#include "runtime/mysql/reconnecting_connection.h"
#include "runtime/ports/fakes.h"

namespace sk::mysql {
namespace {

using ports::Idempotency;
using ports::make_rows;
using ports::RecordingSqlConnection;

Error lost() { return Error{"sql.connection", "connection failed: ERROR 2013 (HY000): Lost connection", {}}; }

// A scripted "server": every session forwards to one shared RecordingSqlConnection (so the test sees all
// statements in order); the script decides which statements fail; `refuse_next` makes that many connects fail.
struct FakeServer {
  RecordingSqlConnection log;
  int connects = 0;
  int refuse_next = 0;

  class Session final : public ports::SqlConnection {
   public:
    explicit Session(FakeServer& s) : server_(s) {}
   private:
    Result<ports::Rows> do_query(std::string_view sql, Idempotency i) override { return server_.log.query(sql, i); }
    Status do_execute(std::string_view sql, Idempotency i) override { return server_.log.execute(sql, i); }
    FakeServer& server_;
  };

  ConnectionFactory factory() {
    return [this]() -> Result<std::unique_ptr<ports::SqlConnection>> {
      ++connects;
      if (refuse_next > 0) {
        --refuse_next;
        return fail("sql.connection", "connection failed: ERROR 2003 (HY000): refused");
      }
      return std::make_unique<Session>(*this);
    };
  }
};

TEST(ReconnectingConnection, OpensLazilyAndReusesTheSession) {
  FakeServer server;
  ports::FakeSleeper sleeper;
  ReconnectingConnection conn(server.factory(), sleeper);
  EXPECT_EQ(server.connects, 0);
  ASSERT_TRUE(conn.query("SHOW BACKUP").has_value());
  ASSERT_TRUE(conn.execute("INSERT x").has_value());
  EXPECT_EQ(server.connects, 1);
  EXPECT_EQ(conn.sessions_opened(), 1);
}

TEST(ReconnectingConnection, RetriesIdempotentQueryWithBackoff) {
  FakeServer server;
  server.log.on_error("^SHOW BACKUP", lost(), 2).on("^SHOW BACKUP", make_rows({"State"}, {{"FINISHED"}}));
  ports::FakeSleeper sleeper;
  ReconnectingConnection conn(server.factory(), sleeper,
                              ReconnectPolicy{.max_attempts = 5,
                                              .initial_delay = std::chrono::milliseconds(100),
                                              .multiplier = 2.0,
                                              .max_delay = std::chrono::milliseconds(1000)});
  auto rows = conn.query("SHOW BACKUP FROM `sales`");
  ASSERT_TRUE(rows.has_value()) << rows.error().describe();
  EXPECT_EQ(*rows->get_required(0, "State"), "FINISHED");
  EXPECT_EQ(server.log.count_matching("^SHOW BACKUP"), 3u);
  EXPECT_EQ(server.connects, 3);
  std::vector<std::int64_t> waits;
  for (auto d : sleeper.sleeps()) waits.push_back(d.count());
  EXPECT_EQ(waits, (std::vector<std::int64_t>{0, 100, 200}));
}

TEST(ReconnectingConnection, GivesUpAfterMaxAttemptsWithCappedDelays) {
  FakeServer server;
  server.log.on_error("^SELECT", lost());
  ports::FakeSleeper sleeper;
  ReconnectingConnection conn(server.factory(), sleeper,
                              ReconnectPolicy{.max_attempts = 5,
                                              .initial_delay = std::chrono::milliseconds(300),
                                              .multiplier = 3.0,
                                              .max_delay = std::chrono::milliseconds(1000)});
  auto r = conn.query("SELECT 1");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, "sql.connection");
  EXPECT_NE(r.error().describe().find("gave up after 5"), std::string::npos);
  EXPECT_EQ(server.log.count_matching("^SELECT"), 5u);
  std::vector<std::int64_t> waits;
  for (auto d : sleeper.sleeps()) waits.push_back(d.count());
  EXPECT_EQ(waits, (std::vector<std::int64_t>{0, 300, 900, 1000, 1000}));
}

TEST(ReconnectingConnection, NeverResendsNonIdempotentStatements) {
  FakeServer server;
  server.log.on_error("^BACKUP", lost(), 1);
  ports::FakeSleeper sleeper;
  ReconnectingConnection conn(server.factory(), sleeper);
  auto r = conn.execute("BACKUP SNAPSHOT `db`.`l` TO `r`");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, "sql.connection");
  EXPECT_NE(r.error().describe().find("outcome unknown; not retried"), std::string::npos);
  EXPECT_EQ(server.log.count_matching("^BACKUP"), 1u);
  // The next statement runs on a fresh session.
  ASSERT_TRUE(conn.query("SHOW BACKUP").has_value());
  EXPECT_EQ(server.connects, 2);
  EXPECT_EQ(server.log.count_matching("^BACKUP"), 1u);
}

TEST(ReconnectingConnection, IdempotentExecuteIsRetried) {
  FakeServer server;
  server.log.on_error("^CREATE TABLE", lost(), 1);
  ports::FakeSleeper sleeper;
  ReconnectingConnection conn(server.factory(), sleeper);
  ASSERT_TRUE(conn.execute("CREATE TABLE IF NOT EXISTS t (a INT)", Idempotency::kIdempotent).has_value());
  EXPECT_EQ(server.log.count_matching("^CREATE TABLE"), 2u);
}

TEST(ReconnectingConnection, RefusedConnectsAreRetriedEvenForNonIdempotentStatements) {
  FakeServer server;
  server.refuse_next = 2;  // nothing was sent, so retrying the connect is always safe
  ports::FakeSleeper sleeper;
  ReconnectingConnection conn(server.factory(), sleeper);
  ASSERT_TRUE(conn.execute("BACKUP SNAPSHOT `db`.`l` TO `r`").has_value());
  EXPECT_EQ(server.connects, 3);
  EXPECT_EQ(server.log.count_matching("^BACKUP"), 1u);
}

TEST(ReconnectingConnection, ServerErrorsAreReturnedAtOnce) {
  FakeServer server;
  server.log.on_error("^BACKUP", ports::server_error(1064, "HY000", "Can only run one backup or restore job"));
  ports::FakeSleeper sleeper;
  ReconnectingConnection conn(server.factory(), sleeper);
  auto r = conn.execute("BACKUP SNAPSHOT `db`.`l` TO `r`", Idempotency::kIdempotent);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(ports::server_errno(r.error()), 1064);
  EXPECT_EQ(server.log.count_matching("^BACKUP"), 1u);
  EXPECT_EQ(server.connects, 1);
}

TEST(ReconnectingConnection, AuthenticationFailureIsNotRetried) {
  ports::FakeSleeper sleeper;
  int connects = 0;
  ReconnectingConnection conn(
      [&]() -> Result<std::unique_ptr<ports::SqlConnection>> {
        ++connects;
        return std::unexpected(ports::server_error(1045, "28000", "Access denied"));
      },
      sleeper);
  auto r = conn.query("SHOW BACKUP");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(ports::server_errno(r.error()), 1045);
  EXPECT_EQ(connects, 1);
}

}  // namespace
}  // namespace sk::mysql
