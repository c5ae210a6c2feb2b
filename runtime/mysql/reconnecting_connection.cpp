#include "runtime/mysql/reconnecting_connection.h"

#include <algorithm>
#include <cmath>

namespace sk::mysql {

using ports::Idempotency;
using ports::Rows;

ReconnectingConnection::ReconnectingConnection(ConnectionFactory factory, ports::Sleeper& sleeper,
                                               ReconnectPolicy policy)
    : factory_(std::move(factory)), sleeper_(sleeper), policy_(policy) {
  policy_.max_attempts = std::max(1, policy_.max_attempts);
}

std::chrono::milliseconds ReconnectingConnection::delay_before(int attempt) const {
  // attempt 1 has no delay; attempt 2 waits initial_delay; then × multiplier, capped.
  if (attempt <= 1) return std::chrono::milliseconds(0);
  const double raw = static_cast<double>(policy_.initial_delay.count()) * std::pow(policy_.multiplier, attempt - 2);
  const double capped = std::min(raw, static_cast<double>(policy_.max_delay.count()));
  return std::chrono::milliseconds(static_cast<std::int64_t>(capped));
}

Result<Rows> ReconnectingConnection::run(std::string_view sql, Idempotency idempotency, bool want_rows) {
  std::optional<Error> last;
  for (int attempt = 1; attempt <= policy_.max_attempts; ++attempt) {
    sleeper_.sleep_for(delay_before(attempt));
    if (!session_) {
      auto opened = factory_();
      if (!opened) {
        if (!ports::is_connection_error(opened.error())) return std::unexpected(std::move(opened.error()));
        last = std::move(opened.error());
        continue;  // nothing was sent: retrying is safe for any statement
      }
      session_ = std::move(*opened);
      ++sessions_opened_;
    }
    Result<Rows> result = want_rows ? session_->query(sql, idempotency) : [&]() -> Result<Rows> {
      auto done = session_->execute(sql, idempotency);
      if (!done) return std::unexpected(std::move(done.error()));
      return Rows();
    }();
    if (result || !ports::is_connection_error(result.error())) return result;
    session_.reset();  // broken: the next attempt (or statement) opens a new one
    if (idempotency == Idempotency::kNotIdempotent) {
      return std::unexpected(std::move(result.error()).with_context("outcome unknown; not retried"));
    }
    last = std::move(result.error());
  }
  return std::unexpected(
      std::move(*last).with_context(fmt::format("gave up after {} connection attempts", policy_.max_attempts)));
}

Result<Rows> ReconnectingConnection::do_query(std::string_view sql, Idempotency idempotency) {
  return run(sql, idempotency, true);
}

Status ReconnectingConnection::do_execute(std::string_view sql, Idempotency idempotency) {
  auto result = run(sql, idempotency, false);
  if (!result) return std::unexpected(std::move(result.error()));
  return ok();
}

}  // namespace sk::mysql
