// A SqlConnection decorator that survives dropped sessions (pitfall 11: one connection for hours, no reconnect).
// It owns a session made by a ConnectionFactory and:
//   * opens the session lazily, and again after any "sql.connection" failure, with bounded exponential backoff
//     (through the Sleeper port, so tests never sleep);
//   * repeats a statement whose connection dropped only when the caller marked it idempotent (SHOW, SELECT …);
//   * never repeats a non-idempotent statement (BACKUP, RESTORE, INSERT of history): it returns the
//     "sql.connection" error with the context "outcome unknown; not retried", and the next statement runs on a new
//     session. The caller reconciles (e.g. SHOW BACKUP) before deciding to resubmit.
// Server errors ("sql.server") and usage errors are returned at once: the session is fine, the statement is not.
// Not thread-safe (like the connection it wraps).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string_view>

#include "common/result.h"
#include "runtime/ports/clock.h"
#include "runtime/ports/sql_connection.h"

namespace sk::mysql {

// Opens a new session; called again after every connection failure.
using ConnectionFactory = std::function<Result<std::unique_ptr<ports::SqlConnection>>()>;

struct ReconnectPolicy {
  // Connection attempts per statement (the first included) before giving up with the last "sql.connection" error.
  int max_attempts = 6;
  std::chrono::milliseconds initial_delay{200};
  double multiplier = 2.0;
  std::chrono::milliseconds max_delay{10'000};
};

class ReconnectingConnection final : public ports::SqlConnection {
 public:
  // `sleeper` must outlive this object.
  ReconnectingConnection(ConnectionFactory factory, ports::Sleeper& sleeper, ReconnectPolicy policy = {});

  // Number of sessions opened so far (1 after the first statement on a healthy server).
  [[nodiscard]] int sessions_opened() const { return sessions_opened_; }

 private:
  Result<ports::Rows> do_query(std::string_view sql, ports::Idempotency idempotency) override;
  Status do_execute(std::string_view sql, ports::Idempotency idempotency) override;
  Result<ports::Rows> run(std::string_view sql, ports::Idempotency idempotency, bool want_rows);
  [[nodiscard]] std::chrono::milliseconds delay_before(int attempt) const;

  ConnectionFactory factory_;
  ports::Sleeper& sleeper_;
  ReconnectPolicy policy_;
  std::unique_ptr<ports::SqlConnection> session_;  // null: none open (not yet, or the last one broke)
  int sessions_opened_ = 0;
};

}  // namespace sk::mysql
