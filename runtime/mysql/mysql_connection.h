// The MySQL-protocol adapter for the SqlConnection port: Connector/C++ 1.1.12 (JDBC-style API, libmariadb
// underneath), text protocol only (Statement::execute; never prepared statements, which StarRocks rejects before
// 3.2). This header does not include <cppconn/...>; only mysql_connection.cpp does, and sk_mysql is the only
// target that links mysqlcppconn.
//
// Errors: every sql::SQLException is caught here and mapped (see runtime/ports/sql_connection.h for the codes):
//   * server ERR packets → "sql.server" "ERROR <errno> (<SQLSTATE>): <text>";
//   * connection refused / lost / timed out (2002, 2003, 2005, 2006, 2013, 2055, TLS failures, server shutdown …)
//     → "sql.connection"; the connection is then broken and every later statement fails the same way without
//     touching the network (reconnect through ReconnectingConnection);
//   * other client-library errors → "sql.usage".
// Messages and context are passed through redact(); the failing statement is added as context, redacted and
// shortened.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"
#include "runtime/mysql/connection_options.h"
#include "runtime/mysql/reconnecting_connection.h"
#include "runtime/ports/sql_connection.h"

namespace sk::mysql {

// One live session. Not thread-safe; use one per thread. The destructor closes the session.
class MySqlConnection final : public ports::SqlConnection {
 public:
  // Opens a session. Fails "sql.connection" when the server cannot be reached, "sql.server" when it refuses
  // (e.g. 1045 access denied).
  [[nodiscard]] static Result<std::unique_ptr<MySqlConnection>> connect(const ConnectionOptions& options);
  ~MySqlConnection() override;
  MySqlConnection(const MySqlConnection&) = delete;
  MySqlConnection& operator=(const MySqlConnection&) = delete;

  // False after a connection error; the session cannot be used again.
  [[nodiscard]] bool healthy() const;

 private:
  struct Impl;
  explicit MySqlConnection(std::unique_ptr<Impl> impl);
  Result<ports::Rows> do_query(std::string_view sql, ports::Idempotency idempotency) override;
  Status do_execute(std::string_view sql, ports::Idempotency idempotency) override;
  Result<ports::Rows> run(std::string_view sql, bool want_rows);

  std::unique_ptr<Impl> impl_;
};

// A ConnectionFactory (see reconnecting_connection.h) that opens MySqlConnections with `options`.
[[nodiscard]] ConnectionFactory mysql_connection_factory(ConnectionOptions options);

}  // namespace sk::mysql
