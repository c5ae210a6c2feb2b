#include "runtime/ports/fakes.h"

#include <cstdio>
#include <cstdlib>

namespace sk::ports {

Rows make_rows(std::vector<std::string> columns, std::vector<Rows::Row> rows) {
  auto made = Rows::make(std::move(columns), std::move(rows));
  if (!made) {
    std::fprintf(stderr, "make_rows: %s\n", made.error().describe().c_str());
    std::abort();
  }
  return std::move(*made);
}

RecordingSqlConnection& RecordingSqlConnection::on(std::string_view pattern, Result<Rows> reply, int times) {
  return on_call(pattern, [reply = std::move(reply)](std::string_view) { return reply; }, times);
}

RecordingSqlConnection& RecordingSqlConnection::on_error(std::string_view pattern, Error error, int times) {
  return on(pattern, std::unexpected(std::move(error)), times);
}

RecordingSqlConnection& RecordingSqlConnection::on_call(std::string_view pattern, Handler handler, int times) {
  rules_.push_back(Rule{std::regex(std::string(pattern), std::regex::ECMAScript | std::regex::icase),
                        std::move(handler), times});
  return *this;
}

std::vector<std::string> RecordingSqlConnection::sql() const {
  std::vector<std::string> out;
  out.reserve(statements_.size());
  for (const auto& s : statements_) out.push_back(s.sql);
  return out;
}

std::size_t RecordingSqlConnection::count_matching(std::string_view pattern) const {
  const std::regex re(std::string(pattern), std::regex::ECMAScript | std::regex::icase);
  std::size_t n = 0;
  for (const auto& s : statements_) {
    if (std::regex_search(s.sql, re)) ++n;
  }
  return n;
}

Result<Rows> RecordingSqlConnection::answer(std::string_view sql, Idempotency idempotency, bool is_query) {
  statements_.push_back(Statement{std::string(sql), idempotency, is_query});
  const std::string text(sql);
  for (auto& rule : rules_) {
    if (rule.remaining == 0) continue;
    if (!std::regex_search(text, rule.pattern)) continue;
    if (rule.remaining > 0) --rule.remaining;
    return rule.handler(sql);
  }
  if (strict_) return fail(std::string(kUsageError), "unscripted statement: {}", sql);
  return Rows();
}

Result<Rows> RecordingSqlConnection::do_query(std::string_view sql, Idempotency idempotency) {
  return answer(sql, idempotency, true);
}

Status RecordingSqlConnection::do_execute(std::string_view sql, Idempotency idempotency) {
  auto reply = answer(sql, idempotency, false);
  if (!reply) return std::unexpected(std::move(reply.error()));
  return ok();
}

}  // namespace sk::ports
