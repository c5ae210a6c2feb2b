#include "runtime/ports/audited_connection.h"

#include "runtime/ports/redact.h"

namespace sk::ports {
namespace {

StatementEvent make_event(std::string_view sql, Idempotency idempotency, bool is_query, std::chrono::milliseconds elapsed) {
  StatementEvent event;
  event.sql = redact(sql);
  event.idempotency = idempotency;
  event.is_query = is_query;
  event.elapsed = elapsed;
  return event;
}

void add_error(StatementEvent& event, const Error& error) {
  event.error_code = error.code;
  event.error = redact(error.describe());
}

}  // namespace

Result<Rows> AuditedConnection::do_query(std::string_view sql, Idempotency idempotency) {
  const auto start = clock_.monotonic();
  auto result = inner_.query(sql, idempotency);
  StatementEvent event = make_event(sql, idempotency, true, clock_.monotonic() - start);
  if (result) {
    event.rows = result->size();
  } else {
    add_error(event, result.error());
  }
  sink_.on_statement(event);
  return result;
}

Status AuditedConnection::do_execute(std::string_view sql, Idempotency idempotency) {
  const auto start = clock_.monotonic();
  auto result = inner_.execute(sql, idempotency);
  StatementEvent event = make_event(sql, idempotency, false, clock_.monotonic() - start);
  if (!result) add_error(event, result.error());
  sink_.on_statement(event);
  return result;
}

}  // namespace sk::ports
