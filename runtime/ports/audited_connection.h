// A SqlConnection decorator that reports every statement it forwards to a StatementSink, redacted (invariant 7:
// the audit log of every statement sent never holds a password or key). The sink decides where events go
// (structured JSON log, test recorder); this layer has no logging library. Not thread-safe (like the connection).
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

#include "runtime/ports/clock.h"
#include "runtime/ports/sql_connection.h"

namespace sk::ports {

struct StatementEvent {
  std::string sql;                          // redacted
  Idempotency idempotency = Idempotency::kIdempotent;
  bool is_query = false;
  std::chrono::milliseconds elapsed{0};     // monotonic clock
  std::optional<std::size_t> rows;          // result rows, for successful queries
  std::optional<std::string> error_code;    // "sql.server", … when the statement failed
  std::optional<std::string> error;         // Error::describe(), redacted
};

class StatementSink {
 public:
  virtual ~StatementSink() = default;
  // Called once per statement, after it finished. Must not throw.
  virtual void on_statement(const StatementEvent& event) = 0;
};

class AuditedConnection final : public SqlConnection {
 public:
  // `inner`, `sink` and `clock` must outlive this object.
  AuditedConnection(SqlConnection& inner, StatementSink& sink, Clock& clock)
      : inner_(inner), sink_(sink), clock_(clock) {}

 private:
  Result<Rows> do_query(std::string_view sql, Idempotency idempotency) override;
  Status do_execute(std::string_view sql, Idempotency idempotency) override;

  SqlConnection& inner_;
  StatementSink& sink_;
  Clock& clock_;
};

}  // namespace sk::ports
