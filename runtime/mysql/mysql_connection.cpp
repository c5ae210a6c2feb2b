#include "runtime/mysql/mysql_connection.h"

#include <array>
#include <mutex>

#include <cppconn/connection.h>
#include <cppconn/driver.h>
#include <cppconn/exception.h>
#include <cppconn/resultset.h>
#include <cppconn/resultset_metadata.h>
#include <cppconn/statement.h>
#include <mysql_driver.h>

#include "common/utf8.h"
#include "runtime/ports/redact.h"

namespace sk::mysql {
namespace {

using ports::Rows;

constexpr std::size_t kMaxStatementInContext = 300;

// Client/server error numbers that mean "the session is gone or never came up" (CR_* 2xxx from the client
// library, a few ER_* from servers that close sessions).
constexpr std::array<int, 21> kConnectionErrnos = {
    2001, 2002, 2003, 2004, 2005, 2006, 2009, 2011, 2012, 2013, 2026, 2048, 2055,  // CR_*: socket, host, lost, TLS
    1040,                                                                          // too many connections
    1053,                                                                          // server shutdown in progress
    1152,                                                                          // aborted connection
    1158, 1159, 1160, 1161,                                                        // network read/write errors
    1927,                                                                          // MariaDB: connection killed
};

bool is_connection_errno(int error_number) {
  for (int e : kConnectionErrnos) {
    if (e == error_number) return true;
  }
  return false;
}

// The statement an error names: redacted, valid UTF-8, at most kMaxStatementInContext bytes cut between two
// code points, "…" marking a cut (issue 10 item 6: a byte cut inside a CJK name made every later write of the
// text fail).
std::string statement_context(std::string_view sql) {
  return "statement: " + abbreviate_utf8(ports::redact(sql), kMaxStatementInContext);
}

Error map_exception(const ::sql::SQLException& e) {
  const int error_number = e.getErrorCode();
  std::string sqlstate = e.getSQLState();
  const std::string message = ports::redact(e.what());
  if (is_connection_errno(error_number) || (sqlstate.starts_with("08"))) {
    if (sqlstate.empty()) sqlstate = "HY000";
    return Error{std::string(ports::kConnectionError),
                 fmt::format("connection failed: ERROR {} ({}): {}", error_number, sqlstate, message), {}};
  }
  if (error_number >= 2000 && error_number < 3000) {
    return Error{std::string(ports::kUsageError), fmt::format("client error {}: {}", error_number, message), {}};
  }
  if (error_number == 0) {
    // Connector/C++'s own errors (no server involved), e.g. "Connection is closed".
    return Error{std::string(ports::kConnectionError), fmt::format("connection failed: {}", message), {}};
  }
  if (sqlstate.empty()) sqlstate = "HY000";
  return ports::server_error(error_number, sqlstate, message);
}

::sql::mysql::MySQL_Driver* driver() {
  static std::once_flag once;
  static ::sql::mysql::MySQL_Driver* instance = nullptr;
  std::call_once(once, [] { instance = ::sql::mysql::get_mysql_driver_instance(); });
  return instance;
}

// libmariadb wants per-thread initialisation before a thread's first connection.
void ensure_thread_init() {
  struct ThreadGuard {
    ThreadGuard() { driver()->threadInit(); }
    ~ThreadGuard() { driver()->threadEnd(); }
  };
  thread_local ThreadGuard guard;
}

}  // namespace

struct MySqlConnection::Impl {
  std::unique_ptr<::sql::Connection> connection;
  bool healthy = true;
};

MySqlConnection::MySqlConnection(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

MySqlConnection::~MySqlConnection() {
  if (!impl_ || !impl_->connection) return;
  try {
    impl_->connection->close();
  } catch (const std::exception&) {
    // Closing a dead session can fail; nothing to report.
  }
}

bool MySqlConnection::healthy() const { return impl_->healthy; }

Result<std::unique_ptr<MySqlConnection>> MySqlConnection::connect(const ConnectionOptions& options) {
  try {
    ensure_thread_init();
    ::sql::ConnectOptionsMap map;
    map["hostName"] = ::sql::SQLString(fmt::format("tcp://{}:{}", options.host, options.port));
    map["userName"] = ::sql::SQLString(options.user);
    map["password"] = ::sql::SQLString(options.password);
    if (!options.database.empty()) map["schema"] = ::sql::SQLString(options.database);
    map["OPT_CONNECT_TIMEOUT"] = static_cast<int>(options.connect_timeout.count());
    map["OPT_READ_TIMEOUT"] = static_cast<int>(options.read_timeout.count());
    map["OPT_WRITE_TIMEOUT"] = static_cast<int>(options.write_timeout.count());
    map["OPT_RECONNECT"] = false;  // reconnecting is ReconnectingConnection's decision, never the library's
    if (options.tls_mode != TlsMode::kDisabled) {
      // With libmariadb underneath, Connector/C++ 1.1.12 ignores "sslEnforce", "OPT_SSL_MODE" and a CA alone (it
      // falls back to plain TCP when the server offers no TLS); only "sslVerify" makes TLS mandatory. Every TLS
      // mode is therefore enforced with certificate and host-name verification (see TlsMode).
      map["sslVerify"] = true;
      if (!options.ssl_ca.empty()) map["sslCA"] = ::sql::SQLString(options.ssl_ca);
    }
    auto impl = std::make_unique<Impl>();
    impl->connection.reset(driver()->connect(map));
    if (!impl->connection) {
      return fail(std::string(ports::kConnectionError), "connection to {} failed", options.describe());
    }
    return std::unique_ptr<MySqlConnection>(new MySqlConnection(std::move(impl)));
  } catch (const ::sql::SQLException& e) {
    return std::unexpected(map_exception(e).with_context("connecting to " + options.describe()));
  } catch (const std::exception& e) {
    return std::unexpected(Error{std::string(ports::kUsageError), ports::redact(e.what()), {}}.with_context(
        "connecting to " + options.describe()));
  }
}

Result<Rows> MySqlConnection::run(std::string_view sql, bool want_rows) {
  if (sql.empty()) return fail(std::string(ports::kUsageError), "empty statement");
  if (!impl_->healthy) {
    return std::unexpected(Error{std::string(ports::kConnectionError),
                                 "connection failed earlier and cannot be reused; reconnect",
                                 {statement_context(sql)}});
  }
  try {
    std::unique_ptr<::sql::Statement> statement(impl_->connection->createStatement());
    const bool has_result_set = statement->execute(::sql::SQLString(std::string(sql)));
    if (!has_result_set) return Rows();
    std::unique_ptr<::sql::ResultSet> result(statement->getResultSet());
    if (!result || !want_rows) return Rows();
    ::sql::ResultSetMetaData* meta = result->getMetaData();  // owned by the result set
    const unsigned int width = meta->getColumnCount();
    std::vector<std::string> columns;
    columns.reserve(width);
    for (unsigned int i = 1; i <= width; ++i) columns.emplace_back(meta->getColumnLabel(i));
    std::vector<Rows::Row> rows;
    while (result->next()) {
      Rows::Row row;
      row.reserve(width);
      for (unsigned int i = 1; i <= width; ++i) {
        if (result->isNull(i)) {
          row.emplace_back(std::nullopt);
        } else {
          row.emplace_back(std::string(result->getString(i)));
        }
      }
      rows.push_back(std::move(row));
    }
    return Rows::make(std::move(columns), std::move(rows));
  } catch (const ::sql::SQLException& e) {
    Error error = map_exception(e);
    if (error.code == ports::kConnectionError) impl_->healthy = false;
    return std::unexpected(std::move(error).with_context(statement_context(sql)));
  } catch (const std::exception& e) {
    return std::unexpected(
        Error{std::string(ports::kUsageError), ports::redact(e.what()), {}}.with_context(statement_context(sql)));
  }
}

Result<Rows> MySqlConnection::do_query(std::string_view sql, ports::Idempotency) { return run(sql, true); }

Status MySqlConnection::do_execute(std::string_view sql, ports::Idempotency) {
  auto result = run(sql, false);
  if (!result) return std::unexpected(std::move(result.error()));
  return ok();
}

ConnectionFactory mysql_connection_factory(ConnectionOptions options) {
  return [options = std::move(options)]() -> Result<std::unique_ptr<ports::SqlConnection>> {
    auto connection = MySqlConnection::connect(options);
    if (!connection) return std::unexpected(std::move(connection.error()));
    return std::unique_ptr<ports::SqlConnection>(std::move(*connection));
  };
}

}  // namespace sk::mysql
