// Drives the protocol server with mysql-connector-c++ (libmariadb underneath), as the runner does.
#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <cppconn/connection.h>
#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <cppconn/statement.h>
#include <gtest/gtest.h>
#include <mysql_driver.h>

#include "emulator/protocol/server.h"
#include "tests/emulator/protocol/fake_session.h"

namespace sk::emu::testing {
namespace {

class ConnectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<Server>(ServerOptions{}, factory_);
    auto port = server_->start();
    ASSERT_TRUE(port) << port.error().describe();
    port_ = *port;
    factory_.on_drop = [this] { server_->drop_all_connections(); };
  }
  void TearDown() override { server_->stop(); }

  std::unique_ptr<sql::Connection> connect(const std::string& user = "root", const std::string& pw = "",
                                           const std::string& schema = "", const std::string& auth = "") {
    sql::ConnectOptionsMap opts;
    opts["hostName"] = sql::SQLString("tcp://127.0.0.1:" + std::to_string(port_));
    opts["userName"] = sql::SQLString(user);
    opts["password"] = sql::SQLString(pw);
    if (!schema.empty()) opts["schema"] = sql::SQLString(schema);
    if (!auth.empty()) opts["defaultAuth"] = sql::SQLString(auth);
    opts["OPT_RECONNECT"] = false;  // a dropped connection must stay dropped
    return std::unique_ptr<sql::Connection>(sql::mysql::get_mysql_driver_instance()->connect(opts));
  }

  // Waits (bounded) until the server reports `n` open connections; returns the last count seen.
  size_t wait_open_connections(size_t n) {
    for (int i = 0; i < 500 && server_->open_connections() != n; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return server_->open_connections();
  }

  FakeSessionFactory factory_;
  std::unique_ptr<Server> server_;
  uint16_t port_ = 0;
};

TEST_F(ConnectorTest, ReadsResultSetByColumnNameWithNullsAndUnicode) {
  auto conn = connect();
  std::unique_ptr<sql::Statement> st(conn->createStatement());
  std::unique_ptr<sql::ResultSet> rs(st->executeQuery("SELECT rows"));
  ASSERT_EQ(rs->getMetaData()->getColumnCount(), 3u);
  EXPECT_EQ(rs->getMetaData()->getColumnLabel(2), "name");

  ASSERT_TRUE(rs->next());
  EXPECT_EQ(rs->getInt64("id"), 1);
  EXPECT_EQ(rs->getString("name"), "plain");
  EXPECT_EQ(rs->getString("note"), "n1");
  EXPECT_FALSE(rs->isNull("note"));

  ASSERT_TRUE(rs->next());
  EXPECT_EQ(rs->getInt64("id"), 2);
  EXPECT_EQ(rs->getString("name"), "日本語 ✓ ünïcødé");
  EXPECT_TRUE(rs->isNull("note"));

  ASSERT_TRUE(rs->next());
  EXPECT_TRUE(rs->isNull("name"));
  EXPECT_FALSE(rs->isNull("note"));
  EXPECT_EQ(rs->getString("note"), "");
  EXPECT_FALSE(rs->next());
}

TEST_F(ConnectorTest, OkPacketCarriesAffectedRows) {
  auto conn = connect();
  std::unique_ptr<sql::Statement> st(conn->createStatement());
  EXPECT_EQ(st->executeUpdate("INSERT three"), 3);
  EXPECT_FALSE(st->execute("SET x = 1"));
}

TEST_F(ConnectorTest, ErrorCarriesCodeSqlStateAndMessageExactly) {
  auto conn = connect();
  std::unique_ptr<sql::Statement> st(conn->createStatement());
  try {
    st->execute("BACKUP bad");
    FAIL() << "expected an error";
  } catch (const sql::SQLException& e) {
    EXPECT_EQ(e.getErrorCode(), 1064);
    EXPECT_EQ(e.getSQLState(), "HY000");
    EXPECT_STREQ(e.what(), "Getting analyzing error. Detail message: Repository repo1 does not exist.");
  }
  try {
    st->execute("CREATE REPOSITORY bad");
    FAIL() << "expected an error";
  } catch (const sql::SQLException& e) {
    EXPECT_EQ(e.getErrorCode(), 5064);
    EXPECT_EQ(e.getSQLState(), "42000");
    EXPECT_STREQ(e.what(), "Failed to create repository: failed to list remote path");
  }
  // The connection stays usable after an error.
  std::unique_ptr<sql::ResultSet> rs(st->executeQuery("SELECT rows"));
  EXPECT_TRUE(rs->next());
}

TEST_F(ConnectorTest, SessionExceptionBecomesAnErrorAndTheServerSurvives) {
  auto conn = connect();
  std::unique_ptr<sql::Statement> st(conn->createStatement());
  try {
    st->execute("SELECT throw");
    FAIL() << "expected an error";
  } catch (const sql::SQLException& e) {
    EXPECT_EQ(e.getErrorCode(), 1064);
    EXPECT_STREQ(e.what(), "Unexpected exception: engine bug");
  }
  std::unique_ptr<sql::ResultSet> rs(st->executeQuery("SELECT rows"));
  EXPECT_TRUE(rs->next());
}

TEST_F(ConnectorTest, PasswordUserAuthenticatesAndWrongPasswordIsDenied) {
  auto conn = connect("sk", "secret");
  std::unique_ptr<sql::Statement> st(conn->createStatement());
  std::unique_ptr<sql::ResultSet> rs(st->executeQuery("SELECT whoami"));
  ASSERT_TRUE(rs->next());
  EXPECT_EQ(rs->getString("user"), "sk");

  try {
    connect("sk", "wrong");
    FAIL() << "expected access denied";
  } catch (const sql::SQLException& e) {
    EXPECT_EQ(e.getErrorCode(), 1045);
    EXPECT_EQ(e.getSQLState(), "28000");
    EXPECT_STREQ(e.what(), "Access denied for user 'sk'@'127.0.0.1' (using password: YES)");
  }
  try {
    connect("sk", "");
    FAIL() << "expected access denied";
  } catch (const sql::SQLException& e) {
    EXPECT_EQ(e.getErrorCode(), 1045);
    EXPECT_STREQ(e.what(), "Access denied for user 'sk'@'127.0.0.1' (using password: NO)");
  }
  try {
    connect("nobody", "x");
    FAIL() << "expected access denied";
  } catch (const sql::SQLException& e) {
    EXPECT_EQ(e.getErrorCode(), 1045);
    EXPECT_STREQ(e.what(), "Access denied for user 'nobody'@'127.0.0.1' (using password: YES)");
  }
  // root has an empty password: a non-empty one is wrong.
  EXPECT_THROW(connect("root", "x"), sql::SQLException);
}

TEST_F(ConnectorTest, OtherAuthPluginIsSwitchedToNativePassword) {
  auto conn = connect("sk", "secret", "", "caching_sha2_password");
  std::unique_ptr<sql::Statement> st(conn->createStatement());
  std::unique_ptr<sql::ResultSet> rs(st->executeQuery("SELECT whoami"));
  ASSERT_TRUE(rs->next());
  EXPECT_EQ(rs->getString("user"), "sk");
  EXPECT_THROW(connect("sk", "wrong", "", "caching_sha2_password"), sql::SQLException);
}

TEST_F(ConnectorTest, SchemaAtConnectAndSetSchemaUseInitDb) {
  auto conn = connect("root", "", "sales");
  EXPECT_TRUE(factory_.saw("use:sales"));
  conn->setSchema("hr");
  EXPECT_TRUE(factory_.saw("use:hr"));
  std::unique_ptr<sql::Statement> st(conn->createStatement());
  std::unique_ptr<sql::ResultSet> rs(st->executeQuery("SELECT whoami"));
  ASSERT_TRUE(rs->next());
  EXPECT_EQ(rs->getString("db"), "hr");
  try {
    conn->setSchema("missing");
    FAIL() << "expected unknown database";
  } catch (const sql::SQLException& e) {
    EXPECT_EQ(e.getErrorCode(), 1049);
    EXPECT_EQ(e.getSQLState(), "42000");
  }
  try {
    connect("root", "", "missing");
    FAIL() << "expected unknown database";
  } catch (const sql::SQLException& e) {
    EXPECT_EQ(e.getErrorCode(), 1049);
  }
}

TEST_F(ConnectorTest, MultiStatementTextIsPassedThroughAsOneQuery) {
  auto conn = connect();
  std::unique_ptr<sql::Statement> st(conn->createStatement());
  EXPECT_THROW(st->execute("SELECT 1; SELECT 2"), sql::SQLException);
  EXPECT_TRUE(factory_.saw("query:SELECT 1; SELECT 2"));
}

TEST_F(ConnectorTest, PreparedStatementsAreRejected) {
  auto conn = connect();
  try {
    std::unique_ptr<sql::PreparedStatement> ps(conn->prepareStatement("SELECT rows"));
    ps->executeQuery();
    FAIL() << "expected prepare to fail";
  } catch (const sql::SQLException& e) {
    EXPECT_EQ(e.getErrorCode(), 1047);
  }
}

TEST_F(ConnectorTest, LargeResultSetsSplitAcrossPackets) {
  auto conn = connect();
  std::unique_ptr<sql::Statement> st(conn->createStatement());
  // A row just over 16 MiB, and one whose payload is an exact multiple of the 16 MiB - 1 chunk.
  for (size_t n : {size_t{17} << 20, size_t{0xffffff} - 5}) {
    std::unique_ptr<sql::ResultSet> rs(st->executeQuery("SELECT big " + std::to_string(n)));
    ASSERT_TRUE(rs->next());
    EXPECT_EQ(rs->getInt64("len"), static_cast<int64_t>(n));
    std::string v = rs->getString("v");
    EXPECT_EQ(v.size(), n);
    EXPECT_EQ(v.find_first_not_of('x'), std::string::npos);
    ASSERT_TRUE(rs->next());
    EXPECT_EQ(rs->getString("v"), "y");
  }
  std::unique_ptr<sql::ResultSet> many(st->executeQuery("SELECT many 100000"));
  int64_t count = 0;
  while (many->next()) EXPECT_EQ(many->getInt64("i"), count++);
  EXPECT_EQ(count, 100000);
}

TEST_F(ConnectorTest, TwentyConcurrentConnections) {
  std::vector<std::unique_ptr<sql::Connection>> conns;
  for (int i = 0; i < 20; ++i) conns.push_back(connect(i % 2 ? "sk" : "root", i % 2 ? "secret" : ""));
  EXPECT_EQ(wait_open_connections(20), 20u);
  std::atomic<int> good{0};
  std::vector<std::thread> threads;
  for (auto& c : conns) {
    threads.emplace_back([&good, conn = c.get()] {
      std::unique_ptr<sql::Statement> st(conn->createStatement());
      for (int q = 0; q < 50; ++q) {
        std::unique_ptr<sql::ResultSet> rs(st->executeQuery("SELECT rows"));
        int rows = 0;
        while (rs->next()) ++rows;
        if (rows == 3) good.fetch_add(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(good.load(), 20 * 50);
  conns.clear();
  EXPECT_EQ(wait_open_connections(0), 0u);
}

TEST_F(ConnectorTest, DropAllConnectionsBreaksOpenConnectionsButServerKeepsListening) {
  auto a = connect();
  auto b = connect("sk", "secret");
  EXPECT_EQ(wait_open_connections(2), 2u);
  server_->drop_all_connections();
  std::unique_ptr<sql::Statement> st(a->createStatement());
  EXPECT_THROW(st->executeQuery("SELECT rows"), sql::SQLException);
  EXPECT_EQ(wait_open_connections(0), 0u);

  auto c = connect();
  std::unique_ptr<sql::Statement> st2(c->createStatement());
  std::unique_ptr<sql::ResultSet> rs(st2->executeQuery("SELECT rows"));
  EXPECT_TRUE(rs->next());
}

TEST_F(ConnectorTest, DropFromInsideAQueryDropsTheCallerToo) {
  auto a = connect();
  auto b = connect();
  // The client can finish its handshake before the server has registered the connection; wait for both.
  EXPECT_EQ(wait_open_connections(2), 2u);
  std::unique_ptr<sql::Statement> st(a->createStatement());
  EXPECT_THROW(st->execute("SELECT drop_all()"), sql::SQLException);
  // The server has closed both connections once it reports none open; only then is b's next query certain to meet
  // a closed socket (before that, b's server thread may not yet have been scheduled to see the shutdown).
  EXPECT_EQ(wait_open_connections(0), 0u);
  std::unique_ptr<sql::Statement> st_b(b->createStatement());
  EXPECT_THROW(st_b->executeQuery("SELECT rows"), sql::SQLException);
}

TEST_F(ConnectorTest, StopClosesClientsAndIsIdempotent) {
  auto a = connect();
  server_->stop();
  server_->stop();
  std::unique_ptr<sql::Statement> st(a->createStatement());
  EXPECT_THROW(st->executeQuery("SELECT rows"), sql::SQLException);
  EXPECT_EQ(server_->open_connections(), 0u);
  EXPECT_THROW(connect(), sql::SQLException);
}

}  // namespace
}  // namespace sk::emu::testing
