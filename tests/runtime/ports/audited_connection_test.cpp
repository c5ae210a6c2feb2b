// AuditedConnection: one event per statement, redacted, with outcome and timing; results pass through unchanged.
#include <gtest/gtest.h>

#include "runtime/ports/audited_connection.h"
#include "runtime/ports/fakes.h"

namespace sk::ports {
namespace {

struct Recorder final : StatementSink {
  std::vector<StatementEvent> events;
  void on_statement(const StatementEvent& e) override { events.push_back(e); }
};

TEST(AuditedConnection, ReportsEveryStatementRedacted) {
  FakeClock clock;
  RecordingSqlConnection inner;
  inner.on_call("^SHOW", [&](std::string_view) -> Result<Rows> {
    clock.advance(std::chrono::milliseconds(25));
    return make_rows({"a"}, {{"1"}, {"2"}});
  });
  inner.on_error("^CREATE REPOSITORY", server_error(1064, "HY000", "bad 'aws.s3.secret_key' = 'S3CRET'"));
  Recorder sink;
  AuditedConnection conn(inner, sink, clock);

  auto rows = conn.query("SHOW BACKUP");
  ASSERT_TRUE(rows.has_value());
  EXPECT_EQ(rows->size(), 2u);
  auto failed = conn.execute(R"(CREATE REPOSITORY r PROPERTIES ("aws.s3.secret_key" = "S3CRET"))");
  ASSERT_FALSE(failed.has_value());
  EXPECT_EQ(server_errno(failed.error()), 1064);  // the caller still gets the real error

  ASSERT_EQ(sink.events.size(), 2u);
  EXPECT_EQ(sink.events[0].sql, "SHOW BACKUP");
  EXPECT_TRUE(sink.events[0].is_query);
  EXPECT_EQ(sink.events[0].rows, 2u);
  EXPECT_EQ(sink.events[0].elapsed.count(), 25);
  EXPECT_FALSE(sink.events[0].error_code.has_value());
  EXPECT_EQ(sink.events[1].error_code, "sql.server");
  EXPECT_EQ(sink.events[1].idempotency, Idempotency::kNotIdempotent);
  EXPECT_EQ(sink.events[1].sql.find("S3CRET"), std::string::npos);
  EXPECT_EQ(sink.events[1].error->find("S3CRET"), std::string::npos);
  EXPECT_NE(sink.events[1].sql.find("<redacted>"), std::string::npos);
  // The inner connection received the real statement.
  EXPECT_NE(inner.statements()[1].sql.find("S3CRET"), std::string::npos);
}

}  // namespace
}  // namespace sk::ports
